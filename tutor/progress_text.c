/*
 * progress_text.c - the progress file's text, version 1 (the format is in
 * progress.h): parsing a whole file strictly, so that anything damaged or
 * cut short is refused, and writing one lesson's line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "progress_int.h"

static int valid_id(const char *s)
{
	if (!*s || strlen(s) >= PROGRESS_ID_MAX)
		return 0;
	for (; *s; s++)
		if (!(*s == '-' || *s == '_' || *s == '.' || (*s >= '0' && *s <= '9') ||
		      (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return 0;
	return 1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "S/A" with S <= A. */
static int parse_ratio(const char *s, unsigned *num, unsigned *den)
{
	char buf[32];
	unsigned long a, b;
	const char *slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (parse_uint(buf, 1000000, &a) || parse_uint(slash + 1, 1000000, &b) || a > b)
		return -1;
	*num = (unsigned)a;
	*den = (unsigned)b;
	return 0;
}

/* The value of "key=value" when tok starts with key=, else NULL. */
static const char *field(const char *tok, const char *key)
{
	size_t n = strlen(key);
	return strncmp(tok, key, n) == 0 && tok[n] == '=' ? tok + n + 1 : NULL;
}

/* One "lesson ..." line (without its newline) into *l; -1 if malformed. */
static int parse_lesson(char *line, struct progress_lesson *l)
{
	memset(l, 0, sizeof(*l));
	char *sched = strstr(line, " sched=");
	if (sched) {
		*sched = '\0';
		sched += 7;
	}
	/* The fixed fields, in order: lesson ID gen done best hash resume. */
	static const char *const keys[] = { "gen", "done", "best", "hash", "resume" };
	char *save = NULL, *tok = strtok_r(line, " ", &save);
	unsigned long v;
	if (!tok || strcmp(tok, "lesson") != 0)
		return -1;
	tok = strtok_r(NULL, " ", &save);
	if (!tok || !valid_id(tok))
		return -1;
	snprintf(l->id, sizeof(l->id), "%s", tok);
	for (unsigned k = 0; k < 5; k++) {
		const char *val;
		tok = strtok_r(NULL, " ", &save);
		if (!tok || !(val = field(tok, keys[k])))
			return -1;
		switch (k) {
		case 0:
			if (parse_uint(val, 1000000000, &v))
				return -1;
			l->gen = (unsigned)v;
			break;
		case 1:
			if (parse_uint(val, 1, &v))
				return -1;
			l->done = (int)v;
			break;
		case 2:
			if (parse_ratio(val, &l->best_score, &l->best_asked))
				return -1;
			break;
		case 3: {
			char *end;
			if (strlen(val) != 8)
				return -1;
			l->hash = (uint32_t)strtoul(val, &end, 16);
			if (*end)
				return -1;
			break;
		}
		default:
			if (strcmp(val, "-") == 0) {
				/* no resume record: nothing may follow */
				return strtok_r(NULL, " ", &save) || sched ? -1 : 0;
			}
			if (strcmp(val, "story") && strcmp(val, "free"))
				return -1;
			l->resume.following = strcmp(val, "story") == 0;
		}
	}
	/* The resume record: ticks answers cursor score, then sched. */
	struct progress_resume *r = &l->resume;
	const char *val;
	if (!(tok = strtok_r(NULL, " ", &save)) || !(val = field(tok, "ticks")) ||
	    parse_uint(val, 100000000, &v))
		return -1;
	r->ticks = (unsigned)v;
	if (!(tok = strtok_r(NULL, " ", &save)) || !(val = field(tok, "answers")) ||
	    strlen(val) > PROGRESS_ANSWERS_MAX)
		return -1;
	if (strcmp(val, "-") != 0) {
		for (const char *a = val; *a; a++)
			if (*a < '1' || *a > '9')
				return -1;
		snprintf(r->answers, sizeof(r->answers), "%s", val);
	}
	if (!(tok = strtok_r(NULL, " ", &save)) || !(val = field(tok, "cursor")) ||
	    parse_uint(val, 100000000, &v))
		return -1;
	r->cursor = v;
	if (!(tok = strtok_r(NULL, " ", &save)) || !(val = field(tok, "score")) ||
	    parse_ratio(val, &r->score, &r->asked))
		return -1;
	if (strtok_r(NULL, " ", &save) || !sched || strncmp(sched, "v1 ", 3) != 0)
		return -1;
	if (!(r->schedule = strdup(sched)))
		return -1;
	r->valid = 1;
	return 0;
}

int progress_write_lesson(FILE *f, const struct progress_lesson *l)
{
	const struct progress_resume *r = &l->resume;
	fprintf(f, "lesson %s gen=%u done=%d best=%u/%u hash=%08x resume=", l->id, l->gen,
		l->done, l->best_score, l->best_asked, (unsigned)l->hash);
	if (!r->valid || !r->schedule)
		return fprintf(f, "-\n") < 0 ? -1 : 0;
	return fprintf(f, "%s ticks=%u answers=%s cursor=%lu score=%u/%u sched=%s\n",
		       r->following ? "story" : "free", r->ticks,
		       r->answers[0] ? r->answers : "-", r->cursor, r->score, r->asked,
		       r->schedule) < 0 ? -1 : 0;
}

/* Parse text into p's lesson list (replacing it); -1 when it is not a
 * whole version-1 file. */
int progress_parse(struct progress *p, char *text)
{
	progress_forget_all(p);
	char *save = NULL, *line = strtok_r(text, "\n", &save);
	if (!line || strcmp(line, PROGRESS_MAGIC) != 0)
		return -1;
	unsigned count = 0;
	while ((line = strtok_r(NULL, "\n", &save))) {
		unsigned long want;
		if (strncmp(line, "end ", 4) == 0) {
			if (parse_uint(line + 4, 100000, &want) || want != count ||
			    strtok_r(NULL, "\n", &save))
				break;
			return 0;
		}
		struct progress_lesson l;
		if (parse_lesson(line, &l) || progress_find(p, l.id, 0)) {
			progress_resume_clear(&l.resume);
			break;
		}
		struct progress_lesson *to = progress_find(p, l.id, 1);
		if (!to) {
			progress_resume_clear(&l.resume);
			break;
		}
		*to = l;
		count++;
	}
	progress_forget_all(p);
	return -1;
}


unsigned progress_salvage(struct progress *p, char *text)
{
	progress_forget_all(p);
	for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		struct progress_lesson l, *to;
		*nl = '\0';
		if (nl > line && nl[-1] == '\r')
			nl[-1] = '\0'; /* a file that went through an editor for CRLF */
		if (strncmp(line, "lesson ", 7) != 0)
			continue;
		if (parse_lesson(line, &l)) {
			progress_resume_clear(&l.resume);
			continue;
		}
		if ((to = progress_find(p, l.id, 0))) {
			progress_merge(to, &l);
			progress_resume_clear(&l.resume);
		} else if ((to = progress_find(p, l.id, 1))) {
			*to = l;
		} else {
			progress_resume_clear(&l.resume);
		}
	}
	return p->n;
}
