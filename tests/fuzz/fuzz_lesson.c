/*
 * fuzz_lesson.c - libFuzzer target: the bytes are a lesson file, run
 * through the whole lesson runtime with small budgets.
 *
 * A lesson is untrusted input (sandbox.h): whatever it holds, loading and
 * running it may fail with a message, never crash, leak or hang the
 * tutor.  Each input goes the way a student's session would:
 *
 *   1. rt_open: the probe pass, the sandbox, the scenario build;
 *   2. the story to its end, every trace event narrated as a sentence;
 *   3. each challenge's hints and reference, the reference replayed;
 *   4. step back to the start and forward again, the timeline of it all;
 *   5. back to step 0 and round-robin from there (a branch: the session
 *      replays the Lua bodies to that point);
 *   6. the explorer on the lesson within tiny bounds.
 *
 * The runtime reads lessons from files, so the input is written to one
 * temporary file (made once per process, removed at exit).  Budgets:
 * 20000 Lua instructions per resume, 16 MiB of Lua memory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explorer.h"
#include "script.h"
#include "story.h"
#include "timeline.h"
#include "fuzz_util.h"

#define FUZZ_BUDGET 20000u
#define FUZZ_MEM ((size_t)16 << 20)
#define MAX_REPLAY 400u /* steps of a reference replayed */

static char lesson_path[64];

static void remove_lesson(void)
{
	if (lesson_path[0])
		unlink(lesson_path);
}

static int write_lesson(const uint8_t *data, size_t size)
{
	if (!lesson_path[0]) {
		const char *dir = getenv("TMPDIR");
		snprintf(lesson_path, sizeof(lesson_path), "%s/dpctutor-fuzz-XXXXXX",
			 dir && strlen(dir) < 32 ? dir : "/tmp");
		int fd = mkstemp(lesson_path);
		if (fd < 0) {
			perror("fuzz_lesson: mkstemp");
			abort();
		}
		close(fd);
		atexit(remove_lesson);
	}
	FILE *f = fopen(lesson_path, "wb");
	if (!f)
		return -1;
	size_t n = fwrite(data, 1, size, f);
	return fclose(f) == 0 && n == size ? 0 : -1;
}

/* Every line the story and the narration produce is read once. */
static void line_sink(void *ctx, enum story_line_kind kind, const char *text)
{
	size_t *total = ctx;
	(void)kind;
	*total += strlen(text);
}

static void replay_reference(struct rt *rt, const char *text)
{
	struct dt_schedule s;
	struct dt_schedule_error err;
	unsigned steps = 0;
	if (!text[0] || dt_schedule_parse(text, &s, &err))
		return;
	for (size_t i = 0; i < s.nitems && steps < MAX_REPLAY; i++) {
		struct dt_choice c;
		if (dt_schedule_item_choice(rt_machine(rt), &s.items[i], &c, &err))
			break;
		for (uint32_t k = 0; k < s.items[i].repeat && steps < MAX_REPLAY; k++, steps++)
			if (rt_step(rt, &c) != DT_OK)
				break;
	}
	dt_schedule_free(&s);
}

static void walk_history(struct rt *rt)
{
	struct dt_session *s = rt_session(rt);
	size_t head = dt_session_head(s), count;
	struct timeline tl;
	dt_session_goto(s, 0);
	dt_session_view(s);
	for (unsigned i = 0; i < 8 && dt_session_redo(s) == DT_OK; i++)
		dt_session_trace(s, &count);
	dt_session_goto(s, head);
	if (tl_build(s, 1, head, &tl) == 0)
		tl_free(&tl);
	char buf[4096];
	dt_session_schedule(s, rt_lesson(rt)->id, buf, sizeof(buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (write_lesson(data, size))
		return 0;
	struct rt_options opt;
	struct rt *rt;
	char *err = NULL;
	rt_options_default(&opt);
	opt.budget = FUZZ_BUDGET;
	opt.mem_bytes = FUZZ_MEM;
	if (rt_open(lesson_path, &opt, &rt, &err)) {
		if (getenv("DT_FUZZ_VERBOSE"))
			fprintf(stderr, "fuzz_lesson: %s\n", err ? err : "cannot load");
		free(err);
		return 0;
	}
	size_t total = 0;
	struct story_io io = { &total, line_sink, 1, NULL };
	struct story_result res;
	story_run(rt, &io, &res);

	struct rt_challenge ch;
	for (unsigned i = 0; i < 4 && rt_challenge_info(rt, i, &ch) == 0; i++)
		if (ch.exists)
			replay_reference(rt, ch.reference);
	walk_history(rt);

	if (dt_session_goto(rt_session(rt), 0) == DT_OK)
		story_run_to_end(rt, &io);
	const struct rt_lesson *l = rt_lesson(rt);
	char variant[DT_NAME_MAX] = "";
	if (l->nvariants)
		snprintf(variant, sizeof(variant), "%s", l->variants[0]);
	rt_close(rt);
	struct explore_options eo = {
		.max_preemptions = 1, .max_events = 1, .max_steps = 40,
		.set_preemptions = 1, .set_events = 1, .set_steps = 1,
		.reduce = 1, .variant = variant[0] ? variant : NULL,
		.budget = FUZZ_BUDGET, .mem_bytes = FUZZ_MEM,
	};
	struct explore_summary sum;
	explore_lesson(lesson_path, &eo, NULL, &sum);
	if (getenv("DT_FUZZ_VERBOSE")) /* what the input reached, for seeds */
		fprintf(stderr, "fuzz_lesson: story %u steps%s, %zu bytes of text, "
			"explored %llu runs%s%s\n", res.steps, res.finished ? " (to its end)" : "",
			total, (unsigned long long)sum.runs, sum.error ? ": " : "",
			sum.error ? sum.message : "");
	return 0;
}
