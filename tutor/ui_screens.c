/*
 * ui_screens.c - the screens besides the lesson: help (every key), the
 * bug check (a full blue screen), and "enlarge the terminal"; the lesson
 * menu has its own file (ui_menu.c).
 */
#include <stdio.h>
#include <string.h>

#include "narrate.h"
#include "rules.h"
#include "ui_int.h"
#include "ui_term.h"

static const char *const help_lines[] = {
	"Keys",
	"  Space    follow the story one piece (free play: step the next CPU)",
	"  Enter    follow the story to its next pause",
	"  1-9      answer a question (when one is asked)",
	"  0-9      step that CPU (in the story, asks to play freely first)",
	"  c N Enter  step CPU N, any number (c12 Enter); Esc cancels",
	"  b/f      step back (nothing re-runs) / redo the recorded future",
	"  e        fire a device event, then pick the CPU that receives it",
	"  t        dispatch a ready thread;  x  how it breaks (the explorer)",
	"  n        run to the next notable event (an ISR, a queue call...)",
	"  w        why? a log line's rule card and the step that caused it",
	"  s        the lesson's source: Lua, then its C if any, then off",
	"  h        the next hint; after a challenge's last, its replay",
	"  T d G K  the timeline; the debugger panel; glossary; rule cards",
	"  g        run to the end;  j  jump to step N;  R  restart",
	"  m        the lesson menu (your place in this lesson is saved first)",
	"  p        seed and schedule, to share;  ?  this help;  q  quit",
	"",
	"A step on a CPU while viewing the past branches: the recorded future",
	"is dropped, the machine replays to here, then takes your step.",
	"Press any key to go back.",
};

void ui_help_draw(struct ui *u)
{
	struct ui_grid *g = &u->grid;
	int w = 74, h = (int)(sizeof(help_lines) / sizeof(help_lines[0])) + 2;
	int x = (g->w - w) / 2, y = (g->h - h) / 2;
	ui_fill(g, x, y, w, h, ' ', UI_S_NORMAL);
	ui_box(g, x, y, w, h, UI_S_BOLD, "help");
	for (unsigned i = 0; i < sizeof(help_lines) / sizeof(help_lines[0]); i++) {
		const char *t = help_lines[i];
		/* In the demo its keys take the two rows of the note on branching. */
		if (u->demo && i == sizeof(help_lines) / sizeof(help_lines[0]) - 3)
			t = "Demo: Space plays/pauses, PgDn/PgUp (] [) the next/previous mark,";
		else if (u->demo && i == sizeof(help_lines) / sizeof(help_lines[0]) - 2)
			t = "+/- speed, z zoom, N notes; after the story Space shows how it breaks.";
		ui_putf(g, x + 2, y + 1 + (int)i, i == 0 ? UI_S_BOLD : UI_S_NORMAL, "%.*s", w - 4, t);
	}
}

void ui_help_key(struct ui *u, int key)
{
	(void)key;
	u->screen = u->rt ? UI_LESSON : UI_MENU; /* back where help was asked */
}

/* Text wrapped at spaces into width w from (x, y); the next free row. */
static int put_lines(struct ui_grid *g, int x, int y, int w, enum ui_style style,
		     const char *text)
{
	int starts[16], lens[16], n = ui_wrap(text, w, starts, lens, 16);
	for (int i = 0; i < n; i++)
		ui_putf(g, x, y++, style, "%.*s", lens[i], text + starts[i]);
	return y;
}

static int put_wrapped(struct ui_grid *g, int x, int y, int w, const char *text)
{
	return put_lines(g, x, y, w, UI_S_BLUESCREEN, text);
}

void ui_bugcheck_draw(struct ui *u)
{
	struct ui_grid *g = &u->grid;
	const struct dt_state *st = dt_session_view(rt_session(u->rt));
	const struct dt_outcome *o = &st->outcome;
	const struct rule_card *card = rule_card(o->rule);
	char line[300];
	ui_fill(g, 0, 0, g->w, g->h, ' ', UI_S_BLUESCREEN);
	int y = 2;
	ui_put(g, 4, y++, UI_S_BLUESCREEN, ":(");
	y++;
	ui_putf(g, 4, y++, UI_S_BLUESCREEN, "Your simulated PC ran into a problem: bug check 0x%X",
		o->code);
	ui_putf(g, 4, y++, UI_S_BLUESCREEN, "Stop code: %s", narrate_bugcheck_name(o->code));
	y++;
	ui_putf(g, 4, y++, UI_S_BLUESCREEN, "Parameters: 0x%llX  0x%llX  0x%llX  0x%llX",
		(unsigned long long)o->p[0], (unsigned long long)o->p[1],
		(unsigned long long)o->p[2], (unsigned long long)o->p[3]);
	ui_putf(g, 4, y++, UI_S_BLUESCREEN, "On CPU %d at step %u", o->cpu, o->step);
	y++;
	size_t n;
	const struct dt_trace_event *t = dt_session_trace(rt_session(u->rt), &n);
	for (size_t i = n; i-- > 0;) {
		if (t[i].kind != DT_EV_BUGCHECK)
			continue;
		char what[600];
		narrate_event(rt_machine(u->rt), &t[i], line, sizeof(line));
		snprintf(what, sizeof(what), "What happened: %s", line);
		y = put_wrapped(g, 4, y, g->w - 8, what);
		break;
	}
	if (card) {
		ui_putf(g, 4, y++, UI_S_BLUESCREEN, "Rule %s, %s:", card->id, card->title);
		y = put_wrapped(g, 6, y, g->w - 10, card->sentence);
	}
	y++;
	snprintf(line, sizeof(line), "Switches: KMDF verifier %s, debugger %s, Driver Verifier "
		 "IRQL checking %s, %s",
		 st->sw.kmdf_verifier ? "on" : "off", st->sw.debugger_attached ? "attached" : "none",
		 st->sw.driver_verifier_irql ? "on" : "off", st->sw.umdf ? "UMDF" : "KMDF");
	y = put_wrapped(g, 4, y, g->w - 8, line);
	y++;
	ui_put(g, 4, y, UI_S_BLUESCREEN, "b: back to the step before it    R: restart    q: quit");
}

void ui_bugcheck_key(struct ui *u, int key)
{
	if (key == 'q') {
		u->quit = 1;
		return;
	}
	if (key == 'R') {
		u->screen = UI_LESSON;
		ui_lesson_key(u, 'R');
		return;
	}
	u->screen = UI_LESSON;
	if (key == 'b' || key == UI_KEY_LEFT)
		dt_session_back(rt_session(u->rt));
}

/* "why?": the selected log line, its rule card and the event behind it. */
void ui_why_draw(struct ui *u)
{
	struct ui_grid *g = &u->grid;
	size_t n;
	const struct dt_trace_event *t = dt_session_trace(rt_session(u->rt), &n);
	struct dt_machine *m = rt_machine(u->rt);
	char line[512];
	int w = g->w - 8, h = 16, x = 4, y = (g->h - h) / 2;
	ui_fill(g, x, y, w, h, ' ', UI_S_NORMAL);
	ui_box(g, x, y, w, h, UI_S_BOLD, "why?");
	if (u->log_sel < 0 || (size_t)u->log_sel >= n) {
		ui_put(g, x + 2, y + 2, UI_S_NORMAL, "No line selected.");
		return;
	}
	const struct dt_trace_event *e = &t[u->log_sel];
	int row = y + 1;
	char head[600];
	narrate_event(m, e, line, sizeof(line));
	snprintf(head, sizeof(head), "step %u: %s", e->step, line);
	row = put_lines(g, x + 2, row, w - 4, UI_S_BOLD, head);
	row++;
	const struct rule_card *card = e->rule ? rule_card(e->rule) : NULL;
	if (card) {
		ui_putf(g, x + 2, row++, UI_S_TITLE, "%s [%c] %s", card->id, card->tag, card->title);
		int len = (int)strlen(card->sentence), at = 0;
		while (at < len && row < y + h - 5) {
			int take = len - at > w - 4 ? w - 4 : len - at;
			if (at + take < len)
				while (take > 0 && card->sentence[at + take] != ' ')
					take--;
			if (take <= 0)
				take = w - 4;
			ui_putf(g, x + 2, row++, UI_S_NORMAL, "%.*s", take, card->sentence + at);
			at += take;
			while (card->sentence[at] == ' ')
				at++;
		}
	} else {
		ui_put(g, x + 2, row++, UI_S_DIM, "No rule governs this event.");
	}
	row++;
	if (e->cause_step) {
		const struct dt_trace_event *c = NULL;
		for (size_t i = 0; i < n; i++) {
			if (t[i].step != e->cause_step || &t[i] == e)
				continue;
			if (!c || (t[i].obj_kind == e->obj_kind && t[i].object == e->object))
				c = &t[i];
			if (&t[i] > e)
				break; /* causes come first */
		}
		if (c) {
			narrate_event(m, c, line, sizeof(line));
			ui_putf(g, x + 2, row++, UI_S_NORMAL, "Because of step %u:", c->step);
			row = put_lines(g, x + 4, row, w - 6, UI_S_NORMAL, line);
		}
	} else {
		ui_put(g, x + 2, row++, UI_S_DIM, "It does not depend on an earlier event.");
	}
	ui_put(g, x + 2, y + h - 2, UI_S_DIM, "Up/Down another line   any other key: back");
}

void ui_why_key(struct ui *u, int key)
{
	size_t n;
	const struct dt_trace_event *t = dt_session_trace(rt_session(u->rt), &n);
	if (key == UI_KEY_UP || key == UI_KEY_DOWN || key == 'k' || key == 'j') {
		int dir = key == UI_KEY_UP || key == 'k' ? -1 : 1;
		for (long i = u->log_sel + dir; i >= 0 && (size_t)i < n; i += dir)
			if (ui_event_shown(u, &t[i])) {
				u->log_sel = i;
				break;
			}
		return;
	}
	u->screen = UI_LESSON;
}

/* Below 80x24: what is needed, what is short, centred where it fits. */
void ui_small_draw(struct ui *u)
{
	struct ui_grid *g = &u->grid;
	char lines[4][96];
	int cols = g->w < 80 ? 80 - g->w : 0, rows = g->h < 24 ? 24 - g->h : 0;
	snprintf(lines[0], sizeof(lines[0]), "dpctutor needs a terminal of at least 80x24.");
	snprintf(lines[1], sizeof(lines[1]), "This one is %dx%d: please enlarge it.", g->w, g->h);
	if (cols && rows)
		snprintf(lines[2], sizeof(lines[2]), "(%d more column%s and %d more row%s)", cols,
			 cols == 1 ? "" : "s", rows, rows == 1 ? "" : "s");
	else /* only one dimension is short */
		snprintf(lines[2], sizeof(lines[2]), "(%d more %s%s)", cols ? cols : rows,
			 cols ? "column" : "row", (cols ? cols : rows) == 1 ? "" : "s");
	snprintf(lines[3], sizeof(lines[3]), "q quits.");
	int n = 4;
	if (g->w < (int)strlen(lines[0])) {
		/* Too narrow for the sentences (a split pane, 10x5): the gist,
		 * in lines of at most 10 columns. */
		snprintf(lines[0], sizeof(lines[0]), "need 80x24");
		snprintf(lines[1], sizeof(lines[1]), "now %dx%d", g->w, g->h);
		snprintf(lines[2], sizeof(lines[2]), "q quits");
		n = 3;
	}
	static const enum ui_style style[] = { UI_S_BOLD, UI_S_NORMAL, UI_S_NORMAL, UI_S_DIM };
	int y = g->h > n ? (g->h - n) / 2 : 0;
	for (int i = 0; i < n; i++) {
		int len = (int)strlen(lines[i]);
		ui_put(g, len < g->w ? (g->w - len) / 2 : 0, y + i, style[i], lines[i]);
	}
}

/* The current screen into a cleared grid: below 80x24 only the "enlarge"
 * screen, else help, the blue screen, "why?", the timeline, the debugger
 * panel, the glossary, the rule cards or the lesson. */
void ui_screen_draw(struct ui *u)
{
	ui_grid_clear(&u->grid);
	if (u->grid.w < 80 || u->grid.h < 24)
		ui_small_draw(u);
	else if (u->screen == UI_HELP)
		ui_help_draw(u);
	else if (u->screen == UI_BUGCHECK)
		ui_bugcheck_draw(u);
	else if (u->screen == UI_WHY)
		ui_why_draw(u);
	else if (u->screen == UI_MENU || !u->rt)
		ui_menu_draw(u);
	else if (u->screen == UI_TIMELINE)
		ui_timeline_draw(u);
	else if (u->screen == UI_DEBUGGER)
		ui_debugger_draw(u);
	else if (u->screen == UI_GLOSSARY)
		ui_glossary_draw(u);
	else if (u->screen == UI_RULES)
		ui_rules_draw(u);
	else if (u->demo)
		ui_demo_draw(u);
	else
		ui_lesson_draw(u);
}

/* A key for the screen on show, as the program and the golden tests hand
 * it over. */
void ui_screen_keypress(struct ui *u, int k)
{
	switch (u->screen) {
	case UI_MENU:
		ui_menu_key(u, k);
		break;
	case UI_HELP:
		ui_help_key(u, k);
		break;
	case UI_BUGCHECK:
		ui_bugcheck_key(u, k);
		break;
	case UI_WHY:
		ui_why_key(u, k);
		break;
	case UI_TIMELINE:
		ui_timeline_key(u, k);
		break;
	case UI_DEBUGGER:
		ui_debugger_key(u, k);
		break;
	case UI_GLOSSARY:
	case UI_RULES:
		ui_pager_key(u, k);
		break;
	default:
		if (!ui_demo_key(u, k)) /* the demo, when it runs, sees the key first */
			ui_lesson_key(u, k);
		break;
	}
}
