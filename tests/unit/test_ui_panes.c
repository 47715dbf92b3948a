/*
 * test_ui_panes.c - the panes a student opens from a lesson: the
 * timeline (its builder and the T screen), the simulated debugger panel
 * (d), the C view (s, second press), the glossary (G), the rule cards (K)
 * and the hint tiers (h), with c_source's load-time checks.
 *
 * The builder tests run lesson 03's story to its end and compare the
 * lanes with facts read straight from the trace: the band is ISR on CPU 0
 * from each ISR_ENTER up to its ISR_RETURN, DPC from the dequeue to the
 * DPC's return, idle on CPU 1 throughout; there is exactly one FALSE
 * mark, on CPU 0 at the step of the QUEUE_DPC that returned FALSE, and a
 * dequeue mark at the DPC_DEQUEUE's step.  The screens are goldens at
 * 80x24 (tests/golden/ui/panes_*_80x24.txt), in UTF-8 and in ASCII; the
 * harness and the update procedure are those of test_ui_screens.c
 * (ui_fx.h): DT_UPDATE_GOLDENS=1 make check-unit SUITE=ui_panes, then
 * read every changed file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glossary.h"
#include "rules.h"
#include "script_fx.h"
#include "timeline.h"
#include "ui_fx.h"
#include "ui_term.h" /* key codes only */

#define L03 "tests/lessons/frozen/03-queued-once.lua"
#define LCV "tests/lessons/c-view.lua"

/* The step of the first trace event of `kind` on `cpu` after step `after`
 * (result -1 any, else that result); 0 when there is none. */
static unsigned ev_step(struct scr *s, unsigned kind, int cpu, unsigned after, int result)
{
	const struct dt_trace_event *t = dt_machine_trace(rt_machine(s->u.rt));
	size_t n = dt_machine_trace_count(rt_machine(s->u.rt));
	for (size_t i = 0; i < n; i++)
		if (t[i].kind == kind && t[i].cpu == cpu && t[i].step > after &&
		    (result < 0 || t[i].result == result))
			return t[i].step;
	return 0;
}

/* Lesson 03 with its story played to the end (both answers right). */
static void lesson03_done(struct scr *s, int w, int h)
{
	scr_open(s, L03, 0, w, h);
	until_asking(s, 40);
	scr_key(s, '2'); /* FALSE */
	until_asking(s, 40);
	scr_key(s, '3'); /* 2 */
	scr_key(s, 'g');
	ck_assert_int_eq(dt_session_view(rt_session(s->u.rt))->outcome.kind, DT_QUIESCENT);
}

/* ---- the builder ---------------------------------------------------------- */

START_TEST(test_timeline_bands)
{
	struct scr s;
	struct timeline tl;
	lesson03_done(&s, 80, 24);
	struct dt_session *ses = rt_session(s.u.rt);
	size_t head = dt_session_head(ses);
	ck_assert_int_eq(tl_build(ses, 1, head, &tl), 0);
	ck_assert_uint_eq(tl.ncpus, 2);
	ck_assert_uint_eq(tl.nsteps, head);
	/* Every ISR of CPU 0: ISR from its entry to the step before it returns
	 * (the return step pops the frame). */
	unsigned isrs = 0;
	for (unsigned at = 0; (at = ev_step(&s, DT_EV_ISR_ENTER, 0, at, -1)) != 0; isrs++) {
		unsigned ret = ev_step(&s, DT_EV_ISR_RETURN, 0, at, -1);
		ck_assert_uint_gt(ret, at);
		for (unsigned k = at; k < ret; k++)
			ck_assert_msg(tl_cell(&tl, 0, k)->band == TL_ISR,
				      "CPU0 at step %u: band %c, not I (ISR %u..%u)", k,
				      tl_band_letter(tl_cell(&tl, 0, k)->band), at, ret);
		ck_assert_int_ne(tl_cell(&tl, 0, ret)->band, TL_ISR);
	}
	ck_assert_uint_eq(isrs, 2);
	/* The DPC: from its dequeue until it returns. */
	unsigned deq = ev_step(&s, DT_EV_DPC_DEQUEUE, 0, 0, -1);
	unsigned dret = ev_step(&s, DT_EV_DPC_RETURN, 0, deq, -1);
	ck_assert_uint_gt(deq, 0);
	ck_assert_uint_gt(dret, deq);
	for (unsigned k = deq; k < dret; k++)
		ck_assert_int_eq(tl_cell(&tl, 0, k)->band, TL_DPC);
	ck_assert_int_eq(tl_cell(&tl, 0, deq)->mark, TL_MARK_DEQUEUE);
	/* The end: both CPUs idle; CPU 1 never ran anything. */
	ck_assert_int_eq(tl_cell(&tl, 0, head)->band, TL_IDLE);
	for (size_t k = 1; k <= head; k++) {
		ck_assert_int_eq(tl_cell(&tl, 1, k)->band, TL_IDLE);
		ck_assert_int_eq(tl_cell(&tl, 1, k)->mark, TL_MARK_NONE);
	}
	tl_free(&tl);
	scr_close(&s);
}
END_TEST

START_TEST(test_timeline_false_mark)
{
	struct scr s;
	struct timeline tl;
	lesson03_done(&s, 80, 24);
	struct dt_session *ses = rt_session(s.u.rt);
	size_t head = dt_session_head(ses);
	unsigned f = ev_step(&s, DT_EV_QUEUE_DPC, 0, 0, 0);
	unsigned t = ev_step(&s, DT_EV_QUEUE_DPC, 0, 0, 1);
	ck_assert_uint_eq(t, 5); /* the TRUE one, as the why? card says */
	ck_assert_uint_gt(f, t);
	ck_assert_int_eq(tl_build(ses, 1, head, &tl), 0);
	unsigned marks = 0;
	for (unsigned c = 0; c < tl.ncpus; c++)
		for (size_t k = 1; k <= head; k++)
			if (tl_cell(&tl, c, k)->mark == TL_MARK_FALSE) {
				ck_assert_uint_eq(c, 0);
				ck_assert_uint_eq(k, f);
				marks++;
			}
	ck_assert_uint_eq(marks, 1);
	ck_assert_int_eq(tl_cell(&tl, 0, t)->mark, TL_MARK_NONE); /* TRUE has no mark */
	ck_assert_int_eq(tl_cell(&tl, 0, f)->band, TL_ISR);       /* called from the ISR */
	tl_free(&tl);
	scr_close(&s);
}
END_TEST

/* A thread and a work item: T where the lesson thread runs, W where the
 * worker runs EvtInterruptWorkItem, each at the step its event names. */
START_TEST(test_timeline_thread_workitem)
{
	static const char src[] =
		"lesson { api = 1, id = \"wi\", title = \"w\", cpus = 1 }\n"
		"local dev = device { name = \"nic\", irql = 5, affinity = { 0 } }\n"
		"local s = shared { n = 0 }\n"
		"WdfInterruptCreate(dev, {\n"
		"  EvtInterruptIsr = function(i) WdfInterruptQueueWorkItemForIsr(i) return true end,\n"
		"  EvtInterruptWorkItem = function(i, d) s.n = s.n + 1 end })\n"
		"thread { name = \"app\", body = function() step(\"a\") step(\"b\") end }\n"
		"story { fire(dev, { cpu = 0 }), run_to_end() }\n";
	struct scr s;
	struct timeline tl;
	scr_open_src(&s, src, 80, 24);
	scr_key(&s, 'g');
	struct dt_session *ses = rt_session(s.u.rt);
	ck_assert_int_eq(tl_build(ses, 1, dt_session_head(ses), &tl), 0);
	/* The dispatch of "app", not of the worker. */
	const struct dt_state *st = dt_machine_state(rt_machine(s.u.rt));
	const struct dt_trace_event *t = dt_machine_trace(rt_machine(s.u.rt));
	size_t nt = dt_machine_trace_count(rt_machine(s.u.rt));
	unsigned app = 0;
	for (size_t i = 0; i < nt && !app; i++)
		if (t[i].kind == DT_EV_THREAD_DISPATCH &&
		    strcmp(dt_machine_string(rt_machine(s.u.rt), st->threads[t[i].object].name),
			   "app") == 0)
			app = t[i].step;
	unsigned wi = ev_step(&s, DT_EV_WORKITEM_START, 0, 0, -1);
	unsigned isr = ev_step(&s, DT_EV_ISR_ENTER, 0, 0, -1);
	ck_assert_uint_gt(app, 0);
	ck_assert_uint_gt(wi, 0);
	ck_assert_uint_gt(isr, 0);
	ck_assert_msg(tl_cell(&tl, 0, app)->band == TL_THREAD, "step %u: %c", app,
		      tl_band_letter(tl_cell(&tl, 0, app)->band));
	ck_assert_msg(tl_cell(&tl, 0, wi)->band == TL_WORKITEM, "step %u: %c", wi,
		      tl_band_letter(tl_cell(&tl, 0, wi)->band));
	ck_assert_int_eq(tl_cell(&tl, 0, isr)->band, TL_ISR);
	tl_free(&tl);
	scr_close(&s);
}
END_TEST

/* Many CPUs: the lanes that fit, a line naming them, Up/Down for others. */
START_TEST(test_timeline_many_cpus)
{
	struct scr s;
	scr_open(&s, "tests/lessons/frozen/02-first-interrupt.lua", 64, 80, 24);
	scr_keys(&s, "   ");
	scr_key(&s, 'T');
	has(&s, "CPU0..CPU11 of 64; Up/Down shows the others");
	scr_key(&s, UI_KEY_DOWN);
	has(&s, "CPU1..CPU12 of 64");
	ck_assert_msg(strncmp(row(&s, 2), "CPU1 ", 5) == 0, "row 2 '%s'", row(&s, 2));
	for (int i = 0; i < 100; i++)
		scr_key(&s, UI_KEY_DOWN);
	has(&s, "CPU52..CPU63 of 64");
	scr_close(&s);
}
END_TEST

/* A window: clipped to 1..head, the cursor put back, cells outside NULL. */
START_TEST(test_timeline_window)
{
	struct scr s;
	struct timeline tl;
	lesson03_done(&s, 80, 24);
	struct dt_session *ses = rt_session(s.u.rt);
	size_t head = dt_session_head(ses);
	dt_session_goto(ses, 7);
	ck_assert_int_eq(tl_build(ses, 0, 100000, &tl), 0);
	ck_assert_uint_eq(dt_session_cursor(ses), 7);
	ck_assert_uint_eq(tl.first, 1);
	ck_assert_uint_eq(tl.nsteps, head);
	ck_assert_ptr_null(tl_cell(&tl, 0, 0));
	ck_assert_ptr_null(tl_cell(&tl, 0, head + 1));
	ck_assert_ptr_null(tl_cell(&tl, 2, 1));
	tl_free(&tl);
	/* A later window keeps the same cells. */
	struct timeline all, part;
	ck_assert_int_eq(tl_build(ses, 1, head, &all), 0);
	ck_assert_int_eq(tl_build(ses, 10, 5, &part), 0);
	ck_assert_uint_eq(part.nsteps, 5);
	for (size_t k = 10; k < 15; k++)
		ck_assert_mem_eq(tl_cell(&all, 0, k), tl_cell(&part, 0, k), sizeof(struct tl_cell));
	tl_free(&all);
	tl_free(&part);
	ck_assert_int_eq(tl_build(ses, head + 1, 5, &part), 0);
	ck_assert_uint_eq(part.nsteps, 0);
	tl_free(&part);
	scr_close(&s);
}
END_TEST

/* ---- the screens ------------------------------------------------------------ */

static void both_modes(struct scr *s, const char *name)
{
	char n[96];
	s->u.grid.ascii = 0;
	snprintf(n, sizeof(n), "panes_%s_80x24", name);
	golden(s, n);
	s->u.grid.ascii = 1;
	snprintf(n, sizeof(n), "panes_%s_ascii_80x24", name);
	golden(s, n);
	s->u.grid.ascii = 0;
}

START_TEST(test_timeline_screen)
{
	struct scr s;
	lesson03_done(&s, 80, 24);
	struct dt_session *ses = rt_session(s.u.rt);
	unsigned f = ev_step(&s, DT_EV_QUEUE_DPC, 0, 0, 0);
	dt_session_goto(ses, f);
	scr_key(&s, 'T');
	ck_assert_int_eq(s.u.screen, UI_TIMELINE);
	has(&s, "timeline (T): step");
	has(&s, "queue call returned FALSE");
	both_modes(&s, "timeline");
	/* b moves the cursor with the screen open; T goes back. */
	scr_key(&s, 'b');
	ck_assert_uint_eq(dt_session_cursor(ses), f - 1);
	scr_key(&s, 'T');
	ck_assert_int_eq(s.u.screen, UI_LESSON);
	scr_close(&s);
}
END_TEST

/* The window follows the cursor: with more steps than columns, the
 * cursor's column stays on the screen at either end. */
START_TEST(test_timeline_scrolls)
{
	struct scr s;
	scr_open(&s, L03, 0, 80, 24);
	scr_keys(&s, "0y"); /* free play */
	for (int i = 0; i < 30; i++) /* NIC events on CPU 0, each ISR and DPC run */
		scr_keys(&s, "e10      ");
	struct dt_session *ses = rt_session(s.u.rt);
	size_t head = dt_session_head(ses);
	ck_assert_uint_gt(head, 100); /* more steps than the 73 columns */
	s.u.screen = UI_TIMELINE;
	char want[32];
	snprintf(want, sizeof(want), "step %zu ^", head); /* at the right edge */
	has(&s, want);
	ck_assert_msg(strstr(row(&s, 2), "CPU0"), "row 2 '%s'", row(&s, 2));
	dt_session_goto(ses, 3);
	has(&s, "^ step 3");
	scr_close(&s);
}
END_TEST

START_TEST(test_strip_rows)
{
	struct scr s;
	scr_open(&s, L03, 0, 80, 24);
	ck_assert_int_eq(ui_timeline_strip_rows(&s.u), 0);
	scr_close(&s);
	scr_open(&s, L03, 0, 80, 27);
	ck_assert_int_eq(ui_timeline_strip_rows(&s.u), 3); /* a title row, two lanes */
	scr_keys(&s, "   ");
	has(&s, "timeline: T full screen");
	scr_close(&s);
}
END_TEST

START_TEST(test_debugger_panel)
{
	struct scr s;
	scr_open(&s, L03, 0, 80, 24);
	until_asking(&s, 40); /* CPU 0 in the first ISR, the DPC queued */
	scr_key(&s, 'd');
	ck_assert_int_eq(s.u.screen, UI_DEBUGGER);
	char want[96];
	has(&s, "A simulation of what these debugger commands would print");
	has(&s, "Debugger saved IRQL for processor 0x0 -- 5 (device level)");
	has(&s, "Debugger saved IRQL for processor 0x1 -- 0 (PASSIVE_LEVEL)");
	snprintf(want, sizeof(want), " 0: Normal  : 0x%016llx queued-once!EvtInterruptDpc NIC",
		 (unsigned long long)dt_handle_of(DT_HANDLE_KDPC, 0));
	has(&s, want);
	both_modes(&s, "debugger");
	/* Further down: the interrupt under its engine handle. */
	scr_key(&s, UI_KEY_END);
	snprintf(want, sizeof(want), "# Dumping WDFINTERRUPT 0x%016llx (NIC)",
		 (unsigned long long)dt_handle_of(DT_HANDLE_INTERRUPT, 0));
	has(&s, want);
	has(&s, "Spin lock: held by processor 0x0");
	has(&s, "QueueDpcForIsr results: TRUE 1, FALSE 0");
	scr_key(&s, 27);
	ck_assert_int_eq(s.u.screen, UI_LESSON);
	scr_close(&s);
}
END_TEST

START_TEST(test_c_view)
{
	struct scr s;
	scr_open(&s, LCV, 0, 80, 24);
	ck_assert_int_eq(ui_has_c_source(&s.u), 1);
	until_asking(&s, 10);
	scr_key(&s, '1'); /* CPU 0: the story runs until the DPC starts there */
	const struct dt_cpu *cpu0 = &dt_machine_state(rt_machine(s.u.rt))->cpus[0];
	ck_assert_int_eq(cpu0->frames[cpu0->nframes - 1].kind, DT_FRAME_DPC);
	scr_key(&s, 's');
	ck_assert_int_eq(s.u.show_source, UI_SOURCE_LUA);
	scr_key(&s, 's');
	ck_assert_int_eq(s.u.show_source, UI_SOURCE_C);
	/* The running callback first (the DPC, declared second), then the ISR. */
	has(&s, ">0 C: EvtInterruptDpc NIC");
	has(&s, "ctx->Handled += n;");
	has(&s, "   C: EvtInterruptIsr NIC");
	char *text = scr_text(&s);
	ck_assert_msg(strstr(text, "EvtInterruptDpc NIC") < strstr(text, "EvtInterruptIsr NIC"),
		      "the running callback is not first");
	free(text);
	both_modes(&s, "c_view");
	scr_key(&s, 's');
	ck_assert_int_eq(s.u.show_source, UI_SOURCE_OFF);
	scr_close(&s);
	/* Without c_source, s only toggles the Lua. */
	scr_open(&s, L03, 0, 80, 24);
	ck_assert_int_eq(ui_has_c_source(&s.u), 0);
	scr_keys(&s, "ss");
	ck_assert_int_eq(s.u.show_source, UI_SOURCE_OFF);
	scr_close(&s);
}
END_TEST

START_TEST(test_glossary_screen)
{
	struct scr s;
	scr_open(&s, L03, 0, 80, 24);
	scr_key(&s, 'G');
	ck_assert_int_eq(s.u.screen, UI_GLOSSARY);
	both_modes(&s, "glossary");
	/* Every entry is on some row of the page, to its last word. */
	size_t n;
	const struct glossary_entry *e = glossary(&n);
	ck_assert_uint_ge(n, 12);
	scr_key(&s, UI_KEY_NPAGE);
	ck_assert_int_gt(s.u.scroll, 0);
	scr_key(&s, UI_KEY_HOME);
	ck_assert_int_eq(s.u.scroll, 0);
	char *all = calloc(1, 1);
	size_t len = 0;
	for (int last = -1; s.u.scroll != last;) { /* the words of every row, joined */
		last = s.u.scroll;
		char *w = screen_words(&s);
		all = realloc(all, len + strlen(w) + 2);
		memcpy(all + len, w, strlen(w) + 1);
		len += strlen(w);
		all[len++] = ' ';
		all[len] = '\0';
		free(w);
		scr_key(&s, UI_KEY_DOWN);
		scr_draw(&s); /* clamps the scroll at the page's end */
	}
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(strstr(all, e[i].term), "the glossary lacks '%s'", e[i].term);
		/* the entry's last words, wrapped or not */
		const char *tail = e[i].text + strlen(e[i].text) - 12;
		ck_assert_msg(strstr(all, tail), "'%s' is not readable to its end", e[i].term);
	}
	free(all);
	scr_key(&s, 'G');
	ck_assert_int_eq(s.u.screen, UI_LESSON);
	scr_close(&s);
}
END_TEST

START_TEST(test_rules_screen)
{
	struct scr s;
	scr_open(&s, L03, 0, 80, 24);
	scr_key(&s, 'K');
	ck_assert_int_eq(s.u.screen, UI_RULES);
	has(&s, "R01 [S]");
	size_t n;
	const struct rule_card *c = rule_cards(&n);
	char want[128];
	snprintf(want, sizeof(want), "%s [%c] %s", c[n - 1].id, c[n - 1].tag, c[n - 1].title);
	scr_key(&s, UI_KEY_END);
	has(&s, want);
	/* G from here switches to the glossary; q on these screens quits in the
	 * program (ui_app.c), Esc goes back. */
	scr_key(&s, 'G');
	ck_assert_int_eq(s.u.screen, UI_GLOSSARY);
	scr_key(&s, 27);
	ck_assert_int_eq(s.u.screen, UI_LESSON);
	scr_close(&s);
}
END_TEST

/* ---- hints -------------------------------------------------------------------- */

/* The newest story line. */
static const char *last_line(struct scr *s)
{
	return s->u.nstory ? s->u.story_lines[s->u.nstory - 1] : "";
}

START_TEST(test_hint_tiers_question)
{
	struct scr s;
	scr_open(&s, LCV, 0, 80, 24);
	until_asking(&s, 20);
	scr_key(&s, 'h');
	ck_assert_str_eq(last_line(&s), "hint 1/2: Where was the DPC queued?");
	scr_key(&s, 'h');
	ck_assert_str_eq(last_line(&s), "hint 2/2: The ISR ran on CPU 0 (R12).");
	unsigned lines = s.u.nstory;
	scr_key(&s, 'h');
	ck_assert_uint_eq(s.u.nstory, lines);
	ck_assert_str_eq(s.u.status, "no more hints for this question");
	ck_assert_int_eq(s.u.asking, 1); /* hints never answer */
	scr_close(&s);
}
END_TEST

START_TEST(test_hint_challenge_replays)
{
	struct scr s;
	scr_open(&s, LCV, 0, 80, 24);
	until_asking(&s, 20);
	scr_key(&s, '1');
	scr_key(&s, 'g');
	ck_assert_int_eq(s.u.asking, 0);
	scr_key(&s, 'h');
	ck_assert_str_eq(last_line(&s), "hint 1/2: FALSE from the queue call is not an error.");
	ck_assert_str_eq(s.u.story_lines[s.u.nstory - 2],
			 "Challenge two-at-once: Handle two events with one DPC run.");
	scr_key(&s, 'h');
	ck_assert_str_eq(last_line(&s),
			 "hint 2/2: Fire the second event while the first ISR still runs.");
	ck_assert_str_eq(s.u.status, "h once more replays the challenge's reference schedule");
	struct dt_session *ses = rt_session(s.u.rt);
	/* Nothing replayed yet: the view is still at the story's end. */
	ck_assert_uint_eq(dt_session_cursor(ses), dt_session_head(ses));
	ck_assert_uint_eq(dt_session_head(ses), 14);
	/* One more: the reference (e(NIC)@0 0*2 e(NIC)@0 0*16, 20 choices) is
	 * loaded and the view is back at step 0, in free play (a restart: a new
	 * session). */
	scr_key(&s, 'h');
	ses = rt_session(s.u.rt);
	ck_assert_msg(dt_session_head(ses) == 20, "head %zu, status %s", dt_session_head(ses), s.u.status);
	ck_assert_uint_eq(dt_session_cursor(ses), 0);
	ck_assert_int_eq(s.u.story_mode, 0);
	ck_assert_msg(strstr(s.u.status, "reference schedule is loaded"), "status '%s'",
		      s.u.status);
	readable(&s, "the last hint", "hint 2/2: Fire the second event while the first ISR "
		 "still runs.");
	all_readable(&s, "story pane after the replay");
	scr_key(&s, ' ');
	ck_assert_uint_eq(dt_session_cursor(ses), 1);
	scr_key(&s, 'h');
	ck_assert_str_eq(s.u.status, "no more hints; R restarts the lesson");
	ck_assert_uint_eq(dt_session_cursor(ses), 1);
	scr_close(&s);
}
END_TEST

/* ---- c_source and hint at load time --------------------------------------------- */

#define CS_HEAD                                                                \
	"lesson { api = 1, id = \"cs\", title = \"c\", cpus = 1 }\n"            \
	"local dev = device { name = \"nic\", irql = 5, affinity = { 0 } }\n"

static void load_fails(const char *src, const char *needle)
{
	char path[64];
	char *err = sfx_open_fail(src, path);
	ck_assert_msg(err && strstr(err, needle), "error '%s' lacks '%s'", err ? err : "(none)",
		      needle);
	free(err);
}

START_TEST(test_c_source_errors)
{
	load_fails(CS_HEAD "WdfInterruptCreate(dev, { EvtInterruptIsr = function() return true end,\n"
			   "  c_source = { EvtInterruptIrs = \"x\" } })\nstory { }\n",
		   "EvtInterruptIsr");
	load_fails(CS_HEAD "WdfInterruptCreate(dev, { EvtInterruptIsr = function() return true end,\n"
			   "  c_source = { EvtInterruptDpc = \"x\" } })\nstory { }\n",
		   "the config has no EvtInterruptDpc");
	load_fails(CS_HEAD "WdfInterruptCreate(dev, { EvtInterruptIsr = function() return true end,\n"
			   "  c_source = 5 })\nstory { }\n",
		   "c_source must be a string or a table");
	load_fails(CS_HEAD "thread { name = \"t\", body = function() end, c_source = {} }\n"
			   "story { }\n",
		   "thread{}: c_source must be a string");
	load_fails(CS_HEAD "story { ask { \"q\", about = outcome(), hint = 3 } }\n",
		   "hint must be a string or a list of 1 to 4 strings");
	load_fails(CS_HEAD "story { ask { \"q\", about = outcome(), hint = { \"a\", 1 } } }\n",
		   "hint must be a string or a list");
}
END_TEST

/* A string c_source goes with the ISR; a thread's with its body; a
 * restart (a new build) keeps them. */
START_TEST(test_c_source_stored)
{
	struct sfx f;
	sfx_open(&f, CS_HEAD
		 "WdfInterruptCreate(dev, { EvtInterruptIsr = function() return true end,\n"
		 "  c_source = \"BOOLEAN Isr(void) { return TRUE; }\" })\n"
		 "thread { name = \"app\", body = function() step(\"x\") end,\n"
		 "  c_source = \"VOID App(void) { }\" }\n"
		 "story { }\n");
	unsigned found = 0;
	for (unsigned i = 0; i < rt_ncallbacks(f.rt); i++) {
		const struct rt_callback *cb = rt_callback(f.rt, i);
		if (strcmp(cb->role, "EvtInterruptIsr") == 0) {
			ck_assert_str_eq(cb->c_source, "BOOLEAN Isr(void) { return TRUE; }");
			found++;
		} else if (strcmp(cb->role, "thread") == 0) {
			ck_assert_str_eq(cb->c_source, "VOID App(void) { }");
			found++;
		} else {
			ck_assert_ptr_null(cb->c_source);
		}
	}
	ck_assert_uint_eq(found, 2);
	sfx_close(&f);
}
END_TEST

/* The test lesson itself passes --check (its reference reaches the goal),
 * so the hint and C-view tests rest on a valid lesson. */
START_TEST(test_c_view_lesson_checks)
{
	char *src = golden_read_file(LCV), *out = NULL;
	ck_assert_ptr_nonnull(src);
	int rc = sfx_check(src, 0, &out);
	ck_assert_msg(rc == 0 && strstr(out, "PASS"), "--check: %s", out ? out : "?");
	free(out);
	free(src);
}
END_TEST

Suite *ui_panes_suite(void)
{
	Suite *s = suite_create("ui_panes");
	TCase *tc = tcase_create("timeline");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_timeline_bands);
	tcase_add_test(tc, test_timeline_false_mark);
	tcase_add_test(tc, test_timeline_window);
	tcase_add_test(tc, test_timeline_thread_workitem);
	tcase_add_test(tc, test_timeline_many_cpus);
	tcase_add_test(tc, test_timeline_screen);
	tcase_add_test(tc, test_timeline_scrolls);
	tcase_add_test(tc, test_strip_rows);
	suite_add_tcase(s, tc);
	tc = tcase_create("panels");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_debugger_panel);
	tcase_add_test(tc, test_c_view);
	tcase_add_test(tc, test_glossary_screen);
	tcase_add_test(tc, test_rules_screen);
	suite_add_tcase(s, tc);
	tc = tcase_create("hints");
	tcase_add_test(tc, test_hint_tiers_question);
	tcase_add_test(tc, test_hint_challenge_replays);
	tcase_add_test(tc, test_c_source_errors);
	tcase_add_test(tc, test_c_source_stored);
	tcase_add_test(tc, test_c_view_lesson_checks);
	suite_add_tcase(s, tc);
	return s;
}
