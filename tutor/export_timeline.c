/*
 * export_timeline.c - a run as a text timeline (export.h), for a terminal
 * or a printout: the UI's timeline lanes (timeline.h) in blocks of whole
 * tens of steps, a ruler above each block and, under a CPU's lane, a row
 * of marks where that CPU's queue call returned FALSE (!) or it dequeued
 * a DPC (v).  Then the queue calls, device events and the end of the run,
 * one narrated line each, wrapped to the width.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "narrate.h"
#include "replay.h"
#include "story.h"
#include "timeline.h"
#include "ui_int.h"

#define LABEL 7 /* "CPU63  " */

static void wrapped(FILE *f, const char *lead, const char *text, int width)
{
	int starts[32], lens[32], w = width - (int)strlen(lead);
	int n = ui_wrap(text, w > 20 ? w : 20, starts, lens, 32);
	for (int k = 0; k < n; k++)
		fprintf(f, "%*s%.*s\n", (int)strlen(lead), k ? "" : lead, lens[k],
			text + starts[k]); /* later lines indented under the first */
}

/* The ruler: a step number over every tenth column (and the first). */
static void ruler(FILE *f, size_t first, size_t n)
{
	char line[512];
	memset(line, ' ', sizeof(line));
	for (size_t i = 0; i < n; i++) {
		size_t step = first + i;
		if (i && step % 10)
			continue;
		char num[24];
		int len = snprintf(num, sizeof(num), "%zu", step);
		if (i + (size_t)len <= n && (i == 0 || line[i - 1] == ' '))
			memcpy(line + i, num, (size_t)len);
	}
	size_t end = n;
	while (end && line[end - 1] == ' ')
		end--;
	fprintf(f, "%-*s%.*s\n", LABEL, "step", (int)end, line);
}

static void block(FILE *f, const struct timeline *tl, size_t first, size_t n)
{
	ruler(f, first, n);
	for (unsigned c = 0; c < tl->ncpus; c++) {
		char lane[512], marks[512];
		int any = 0;
		for (size_t i = 0; i < n; i++) {
			const struct tl_cell *cell = tl_cell(tl, c, first + i);
			lane[i] = tl_band_letter((enum tl_band)cell->band);
			marks[i] = cell->mark == TL_MARK_FALSE ? '!' :
				   cell->mark == TL_MARK_DEQUEUE ? 'v' : ' ';
			any |= cell->mark != TL_MARK_NONE;
		}
		fprintf(f, "CPU%-*u%.*s\n", LABEL - 3, c, (int)n, lane);
		size_t end = n;
		while (any && end && marks[end - 1] == ' ')
			end--;
		if (any)
			fprintf(f, "%-*s%.*s\n", LABEL, "", (int)end, marks);
	}
}

int export_timeline(struct rt *rt, const struct export_about *a, int width, FILE *f)
{
	struct dt_session *s = rt_session(rt);
	struct dt_machine *m = rt_machine(rt);
	const struct rt_lesson *l = rt_lesson(rt);
	size_t head = dt_session_head(s);
	char line[1200];
	if (width < 40)
		width = 40;
	if (width > 400)
		width = 400;
	snprintf(line, sizeof(line), "%s: %s (%s%s%s%s, %zu steps)", l->id,
		 l->title ? l->title : "", a && a->run ? a->run : "story",
		 a && a->variant ? ", variant \"" : "", a && a->variant ? a->variant : "",
		 a && a->variant ? "\"" : "", head);
	wrapped(f, "", line, width);
	char *sched = replay_schedule_text(rt);
	wrapped(f, "schedule: ", sched ? sched : "?", width);
	free(sched);
	wrapped(f, "", "1 step = 1 us of simulated time.  I ISR, D DPC, W work item, T thread, "
		"P passive ISR, L under the interrupt lock, S spins, . idle; under a lane: ! a "
		"queue call returned FALSE, v a DPC left its queue.", width);
	struct timeline tl;
	if (tl_build(s, 1, head, &tl))
		return -1;
	size_t per = (size_t)(width - LABEL) / 10 * 10;
	for (size_t from = 1; from <= head; from += per) {
		fputc('\n', f);
		block(f, &tl, from, head - from + 1 < per ? head - from + 1 : per);
	}
	tl_free(&tl);
	fprintf(f, "\nqueue calls, device events and the end of the run:\n");
	const struct dt_trace_event *t = dt_machine_trace(m);
	size_t n = dt_machine_trace_count(m);
	for (size_t k = 0; k < n; k++) {
		const char *cat;
		int cpu;
		if (!export_instant(&t[k], &cat, &cpu))
			continue;
		char text[NARRATE_MAX * 2], lead[16];
		narrate_event(m, &t[k], text, sizeof(text));
		snprintf(lead, sizeof(lead), "%5u  ", t[k].step);
		wrapped(f, lead, text, width);
	}
	const struct dt_state *st = dt_machine_state(m);
	struct dt_choice any;
	story_outcome_text(st, line, sizeof(line));
	if (st->outcome.kind == DT_RUNNING && !dt_machine_enabled(m, &any, 1))
		snprintf(line, sizeof(line), "nothing can step");
	fprintf(f, "after step %zu: %s\n", head, line);
	if (st->nvars) {
		size_t at = (size_t)snprintf(line, sizeof(line), "shared values:");
		for (unsigned v = 0; v < st->nvars && at < sizeof(line); v++) {
			char val[64];
			story_value_text(rt, &st->vars[v].value, val, sizeof(val));
			at += (size_t)snprintf(line + at, sizeof(line) - at, " %s=%s",
					       dt_machine_string(m, st->vars[v].name), val);
		}
		wrapped(f, "", line, width);
	}
	return ferror(f) ? -1 : 0;
}
