/*
 * demo_sheet.c - see demo_sheet.h.
 *
 * The marks are counted by playing the story, not by reading story{}:
 * a mark is a pause the class actually reaches, in the order it is
 * reached, and playing is the one way to be sure of both.
 */
#include <stdlib.h>
#include <string.h>

#include "demo_sheet.h"
#include "story.h"

static void count_mark(void *ctx, enum story_line_kind kind, const char *text)
{
	struct demo_sheet *s = ctx;
	if (kind != STORY_MARK)
		return;
	if (s->nmarks < DEMO_MAX_MARKS) /* the story prints "-- text" */
		snprintf(s->marks[s->nmarks], sizeof(s->marks[0]), "%s",
			 strncmp(text, "-- ", 3) == 0 ? text + 3 : text);
	s->nmarks++;
}

/* The first for-all challenge and the variant the checker expects a
 * counterexample for: the first one that is not `correct`. */
static void find_broken(struct rt *rt, struct demo_sheet *s)
{
	const struct rt_lesson *l = rt_lesson(rt);
	struct rt_challenge ch;
	for (unsigned i = 0; rt_challenge_info(rt, i, &ch) == 0; i++) {
		if (ch.exists)
			continue;
		s->forall = (int)i + 1;
		snprintf(s->goal, sizeof(s->goal), "%s", ch.goal);
		snprintf(s->correct, sizeof(s->correct), "%s", ch.correct);
		for (unsigned v = 0; v < l->nvariants; v++)
			if (strcmp(l->variants[v], ch.correct) != 0) {
				snprintf(s->broken, sizeof(s->broken), "%s", l->variants[v]);
				break;
			}
		return;
	}
}

int demo_sheet_read(const char *path, const struct rt_options *opt, struct demo_sheet *out,
		    char *err, size_t err_size)
{
	struct rt *rt;
	char *e = NULL;
	memset(out, 0, sizeof(*out));
	if (rt_open(path, opt, &rt, &e)) {
		snprintf(err, err_size, "%s", e ? e : "cannot load the lesson");
		free(e);
		return -1;
	}
	const struct rt_lesson *l = rt_lesson(rt);
	snprintf(out->title, sizeof(out->title), "%s", l->title ? l->title : l->id);
	snprintf(out->notes, sizeof(out->notes), "%s", l->notes ? l->notes : "");
	find_broken(rt, out);
	struct story_io io = { out, count_mark, 0, NULL };
	struct story_result res;
	story_run(rt, &io, &res);
	rt_close(rt);
	if (out->nmarks > DEMO_MAX_MARKS) {
		snprintf(err, err_size, "the story has %u marks; the demo keeps at most %d",
			 out->nmarks, DEMO_MAX_MARKS);
		return -1;
	}
	return 0;
}

void demo_sheet_print(const struct demo_sheet *s, FILE *f)
{
	fprintf(f, "%s\n\nPresenter notes:\n  %s\n\n", s->title,
		s->notes[0] ? s->notes : "(this lesson has no notes)");
	fprintf(f, "Marks (the demo pauses at each, then at the end of the story):\n");
	for (unsigned i = 0; i < s->nmarks; i++)
		fprintf(f, "  %u/%u  %s\n", i + 1, s->nmarks, s->marks[i]);
	if (!s->nmarks)
		fprintf(f, "  (none: the demo pauses only at the end of the story)\n");
	if (s->forall && s->broken[0])
		fprintf(f, "\nShow me how it breaks: the shortest counterexample of variant '%s'\n"
			"  (the correct one is '%s'): %s\n", s->broken, s->correct, s->goal);
	else
		fprintf(f, "\nThis lesson has no for-all challenge with a broken variant: the demo\n"
			"ends with the story.\n");
}
