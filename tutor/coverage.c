/*
 * coverage.c - the rule cards with the lessons that teach them.
 *
 * Loading a lesson runs its file in the sandbox, which also builds its
 * machine; that is quick for a curriculum of a few dozen small lessons and
 * reads rules{} exactly as --check and the UI do.  A lesson is named by
 * its number ("03" for 03-queued-once.lua), or by its id when its file
 * name has no number.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "lessons.h"
#include "rules.h"
#include "script.h"

struct taught {
	char name[LESSONS_MAX][DT_NAME_MAX + 1]; /* "03" or the lesson id */
	unsigned short rules[LESSONS_MAX][RT_MAX_RULES];
	unsigned nrules[LESSONS_MAX];
	unsigned n;
};

/* "lessons/03-queued-once.lua" -> "03"; no leading number -> the id. */
static void lesson_name(const char *path, const char *id, char *buf, size_t size)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t digits = 0;
	while (isdigit((unsigned char)base[digits]))
		digits++;
	if (digits && base[digits] == '-')
		snprintf(buf, size, "%.*s", (int)digits, base);
	else
		snprintf(buf, size, "%s", id);
}

/* "R13" -> 13; anything else -> 0 (no card has number 0). */
static unsigned rule_number(const char *id)
{
	if (id[0] != 'R' || !isdigit((unsigned char)id[1]))
		return 0;
	return (unsigned)strtoul(id + 1, NULL, 10);
}

static void load_lessons(FILE *out, const char *dir, struct taught *t)
{
	struct lesson_list list;
	struct rt_options opt;
	rt_options_default(&opt);
	lessons_find(dir, &list);
	for (unsigned i = 0; i < list.n; i++) {
		struct rt *rt = NULL;
		char *err = NULL;
		if (rt_open(list.paths[i], &opt, &rt, &err)) {
			fprintf(out, "cannot load %s: %s\n", list.paths[i], err ? err : "?");
			free(err);
			continue;
		}
		const struct rt_lesson *l = rt_lesson(rt);
		unsigned k = t->n++;
		lesson_name(list.paths[i], l->id, t->name[k], sizeof(t->name[k]));
		for (unsigned r = 0; r < l->nrules; r++)
			t->rules[k][t->nrules[k]++] = (unsigned short)rule_number(l->rules[r]);
		rt_close(rt);
	}
	lessons_free(&list);
}

int coverage_print(FILE *out, const char *dir)
{
	struct taught *t = calloc(1, sizeof(*t));
	size_t ncards, covered = 0;
	const struct rule_card *cards = rule_cards(&ncards);
	if (!t)
		return 0;
	load_lessons(out, dir, t);
	for (size_t c = 0; c < ncards; c++) {
		char who[160] = "";
		size_t at = 0;
		for (unsigned k = 0; k < t->n; k++)
			for (unsigned r = 0; r < t->nrules[k]; r++)
				if (t->rules[k][r] == cards[c].number && at < sizeof(who) - 32) {
					at += (size_t)snprintf(who + at, sizeof(who) - at, "%s%s",
							       at ? " " : "", t->name[k]);
					break;
				}
		covered += at > 0;
		fprintf(out, "%-4s [%c] %-28s %s\n     taught in: %s\n", cards[c].id, cards[c].tag,
			cards[c].title, cards[c].sentence, at ? who : "no lesson yet");
	}
	fprintf(out, "%zu of %zu rules are taught by the %u lessons found\n", covered, ncards,
		t->n);
	free(t);
	return 0;
}
