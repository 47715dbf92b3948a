/*
 * ui_int.h - the UI's private state, shared by ui_*.c.
 */
#ifndef DT_UI_INT_H
#define DT_UI_INT_H

#include "lessons.h"
#include "progress.h"
#include "script.h"
#include "story.h"
#include "ui.h"
#include "ui_grid.h"

#define UI_LOG_MAX 400
#define UI_STORY_MAX 200

enum ui_screen {
	UI_LESSON = 0, UI_HELP, UI_BUGCHECK, UI_SMALL, UI_WHY,
	UI_TIMELINE,  /* T: the full-screen timeline (ui_timeline.c) */
	UI_DEBUGGER,  /* d: simulated !irql, !dpcs, !wdfkd.wdfinterrupt (ui_debugger.c) */
	UI_GLOSSARY,  /* G: the glossary (ui_glossary.c) */
	UI_RULES,     /* K: every rule card (ui_glossary.c) */
	UI_MENU,      /* the lesson menu (ui_menu.c) */
};

/* What the lesson screen shows under the CPUs: s cycles them. */
enum ui_source { UI_SOURCE_OFF = 0, UI_SOURCE_LUA, UI_SOURCE_C };

/* A lesson as the menu lists it (ui_menu.c). */
struct ui_menu_item {
	char *path;
	char id[PROGRESS_ID_MAX];
	char title[120];
	char goal[300];
	uint32_t hash;             /* the lesson's content hash now */
	char error[160];           /* why it does not load, "" when it does */
};

enum ui_prompt {
	UI_PROMPT_NONE = 0,
	UI_PROMPT_EVENT,      /* which device event to fire */
	UI_PROMPT_EVENT_CPU,  /* which CPU receives it */
	UI_PROMPT_LEAVE,      /* leave the story and play freely? */
	UI_PROMPT_JUMP,       /* jump to step N */
	UI_PROMPT_THREAD,     /* which thread to dispatch */
	UI_PROMPT_THREAD_CPU,
	UI_PROMPT_CPU,        /* c: the number of the CPU to step */
};

struct ui {
	struct ui_options opt;
	struct rt *rt;
	struct story_run *story;
	int story_mode;            /* following the story (else free play) */
	int story_done;
	int asking;                /* a question waits for an answer key */
	enum ui_screen screen;
	enum ui_prompt prompt;
	unsigned prompt_event;     /* chosen event while asking for its CPU */
	char prompt_buf[16];
	int pending_cpu;           /* the CPU key that asked to leave the story */
	struct ui_grid grid;
	int quit;
	char status[200];          /* one line of feedback under the panes */
	/* the story pane: narration and answers, newest last */
	char *story_lines[UI_STORY_MAX];
	unsigned nstory;
	unsigned score, asked;
	int rr_last;               /* round-robin position for free play */
	long log_sel;              /* "why?": the selected trace event, -1 none */
	unsigned focus_cpu;        /* the CPU stepped last (student or story), kept in view */
	int show_source;           /* enum ui_source: the objects, the Lua or the C */
	int scroll;                /* first row shown by a scrolled screen (d, G, K, T) */
	/* h: hint tiers shown so far, for the question asked (hint_ask = the
	 * `asked` count it belongs to) and for the lesson's first challenge */
	unsigned hint_tier, hint_ask, challenge_tier;
	/* progress (progress.h) and resuming (ui_resume.c) */
	struct progress *progress; /* NULL: nothing is recorded (the tests) */
	char lesson_path[1024];    /* the open lesson's file (opt.lesson points here) */
	unsigned story_ticks;      /* story pieces taken since the lesson (re)started */
	char answers[PROGRESS_ANSWERS_MAX + 1]; /* the answers given, '1'..'9' */
	int answers_lost;          /* more answers than a resume record holds */
	/* the lesson menu (ui_menu.c) */
	struct ui_menu_item menu[LESSONS_MAX];
	unsigned nmenu;
	int menu_sel;
	int menu_confirm;          /* asking "reset this lesson? (y/n)" */
	char menu_back[1024];      /* the lesson m left, for Esc; "" none */
	/* --demo (ui_demo.c): NULL unless the classroom demo runs */
	struct ui_demo *demo;
	int last_tick;             /* enum story_tick of the story's last piece */
	int explore_pending;       /* x: explore once the status saying so is drawn */
};

/* ui_lesson.c */
void ui_lesson_draw(struct ui *u);
void ui_lesson_key(struct ui *u, int key);
void ui_story_line(struct ui *u, const char *text);
/* One story piece (until_pause: on to the next pause), as Space/Enter. */
void ui_story_next(struct ui *u, int until_pause);
/* A CPU pane at (x, y), w wide: three rows, or one when compact; its rows. */
int ui_draw_cpu(struct ui *u, const struct dt_state *st, unsigned cpu, int x, int y, int w,
		int compact);
/* A shared value as the objects pane shows it: "true", "3", "idle". */
void ui_value_text(struct dt_machine *m, const struct dt_value *dv, char *val, size_t size);
/* The story lines, and the narrated log, each in a box of h rows. */
void ui_draw_story_box(struct ui *u, int x, int y, int w, int h, const char *title);
void ui_draw_log_box(struct ui *u, int x, int y, int w, int h, const char *title);
/* The footer: the keys that fit, whole, then help and quit at the right. */
void ui_draw_footer_keys(struct ui *u, const char *const *keys);
/* ui_demo.c: the classroom demo (--demo); see ui_demo.h */
struct ui_demo;
int ui_demo_key(struct ui *u, int key);   /* 1 when the demo took the key */
void ui_demo_draw(struct ui *u);          /* the lesson screen in demo mode */
/* ui_app.c */
int ui_restart(struct ui *u);
/* Open the lesson at path (closing any open one); resume: where the
 * progress file says the student left it.  0, or -1 with a message. */
int ui_open_lesson(struct ui *u, const char *path, int resume, char *err, size_t size);
void ui_close_lesson(struct ui *u);
/* ui_menu.c */
void ui_menu_open(struct ui *u);   /* save, close the lesson, list the lessons */
void ui_menu_load(struct ui *u);   /* (re)read the lesson list */
void ui_menu_free(struct ui *u);
void ui_menu_draw(struct ui *u);
void ui_menu_key(struct ui *u, int key);
/* A click at (x, y): selects a row, or opens the selected one. */
void ui_menu_click(struct ui *u, int x, int y);
/* ui_resume.c */
void ui_resume_save(struct ui *u);  /* where the student is, into the progress file */
/* Where the student is now as a record (r->schedule malloc'd): 0, or -1. */
int ui_resume_record(struct ui *u, struct progress_resume *r);
int ui_resume_restore(struct ui *u, const struct progress_resume *r, char *why, size_t size);
void ui_lesson_finished(struct ui *u); /* the story reached its end */
/* ui_screens.c */
void ui_screen_draw(struct ui *u);
void ui_screen_keypress(struct ui *u, int key);
void ui_help_draw(struct ui *u);
void ui_help_key(struct ui *u, int key);
void ui_bugcheck_draw(struct ui *u);
void ui_bugcheck_key(struct ui *u, int key);
void ui_small_draw(struct ui *u);
void ui_why_draw(struct ui *u);
void ui_why_key(struct ui *u, int key);
/* ui_timeline.c */
void ui_timeline_draw(struct ui *u);
void ui_timeline_key(struct ui *u, int key);
/* The strip under the lesson screen's panes when rows allow: its rows, 0 for none. */
int ui_timeline_strip_rows(const struct ui *u);
void ui_timeline_strip_draw(struct ui *u, int y, int rows);
/* ui_debugger.c */
void ui_debugger_draw(struct ui *u);
void ui_debugger_key(struct ui *u, int key);
/* ui_glossary.c: the glossary and the rule-card list */
void ui_glossary_draw(struct ui *u);
void ui_rules_draw(struct ui *u);
/* ui_pager.c: the keys of the scrolled text screens (d, G, K) */
void ui_pager_key(struct ui *u, int key);
/* T, d, G, K open their screen (from the lesson or another of them), the
 * same key or Esc goes back; 1 when the key was one of them. */
int ui_pane_key(struct ui *u, int key);
/* ui_replay.c: restart the open lesson in free play, take the schedule's
 * choices and view step 0 (Space or f plays them, another choice
 * branches).  ui_load_schedule is exact: the schedule's lesson id, content
 * hash, CPU count and seed are the machine's (cpus and seed are taken
 * from it) and every choice must fit where it stands.  ui_take_schedule
 * with prefix set is for a lesson's own reference: the machine as opened,
 * the choices up to the first the run no longer allows.  0, or -1 with
 * err saying why (the lesson is then back at its start, as opened). */
int ui_load_schedule(struct ui *u, const char *schedule, char *err, size_t err_size);
int ui_take_schedule(struct ui *u, const char *schedule, int prefix, char *err,
		     size_t err_size);
/* The command that replays the open run (malloc'd), or NULL. */
char *ui_share_command(struct ui *u);
void ui_print_share(struct ui *u); /* p */
void ui_show_break(struct ui *u);  /* x: the explorer's counterexample */
/* ui_hints.c: h, the next hint tier */
void ui_hint_next(struct ui *u);
/* ui_csource.c: the C view of the lesson's callbacks (s, second press) */
int ui_has_c_source(struct ui *u);
void ui_csource_draw(struct ui *u, const struct dt_state *st, int x, int y, int w, int ymax);
/* Is this trace event worth a line in the log? */
int ui_event_shown(struct ui *u, const struct dt_trace_event *e);
/* Split text into lines of at most `width` bytes at spaces: the count. */
int ui_wrap(const char *t, int width, int *starts, int *lens, int max);

#endif
