/*
 * ui_app.c - the UI's main loop: open the lesson (or the lesson menu when
 * none was named), pick the screen, draw it into the grid, blit, read a
 * key, hand it to the screen.  KEY_RESIZE and quitting are handled here
 * and nowhere else; so is the progress file's life: opened at start, the
 * student's place saved when the program quits.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_demo.h"
#include "ui_int.h"
#include "ui_term.h"

void ui_story_line(struct ui *u, const char *text)
{
	if (u->nstory == UI_STORY_MAX) {
		free(u->story_lines[0]);
		memmove(&u->story_lines[0], &u->story_lines[1],
			(UI_STORY_MAX - 1) * sizeof(u->story_lines[0]));
		u->nstory--;
	}
	u->story_lines[u->nstory] = strdup(text);
	if (u->story_lines[u->nstory])
		u->nstory++;
}

static void story_out(void *ctx, enum story_line_kind kind, const char *text)
{
	struct ui *u = ctx;
	if (kind == STORY_EVENT)
		return; /* the log pane narrates the trace itself */
	ui_story_line(u, text);
}

static const struct story_io ui_story_io_template = { NULL, story_out, 0, NULL };

static struct story_io story_io;

static int open_lesson(struct ui *u, char *err_out, size_t size)
{
	u->story_ticks = 0;
	u->answers[0] = '\0';
	u->answers_lost = 0;
	u->score = u->asked = 0;
	struct rt_options opt;
	char *err = NULL;
	rt_options_default(&opt);
	opt.seed = u->opt.seed;
	opt.has_seed = u->opt.has_seed;
	opt.cpus = u->opt.cpus;
	opt.variant = u->opt.variant;
	if (rt_open(u->opt.lesson, &opt, &u->rt, &err)) {
		snprintf(err_out, size, "%s", err ? err : "cannot load the lesson");
		free(err);
		return -1;
	}
	story_io = ui_story_io_template;
	story_io.ctx = u;
	u->story = story_begin(u->rt, &story_io);
	u->story_mode = u->story != NULL;
	u->story_done = 0;
	u->asking = 0;
	u->prompt = UI_PROMPT_NONE;
	u->screen = UI_LESSON;
	u->log_sel = -1;
	u->rr_last = -1;
	const struct rt_lesson *l = rt_lesson(u->rt);
	if (l->goal) {
		char line[600];
		snprintf(line, sizeof(line), "Goal: %s", l->goal);
		ui_story_line(u, line);
	}
	return 0;
}

void ui_close_lesson(struct ui *u)
{
	if (!u->rt)
		return;
	story_finish(u->story);
	u->story = NULL;
	rt_close(u->rt);
	u->rt = NULL;
	for (unsigned i = 0; i < u->nstory; i++)
		free(u->story_lines[i]);
	u->nstory = 0;
}

/* R: start the lesson over from its first line. */
int ui_restart(struct ui *u)
{
	char err[512];
	ui_close_lesson(u);
	if (open_lesson(u, err, sizeof(err))) {
		snprintf(u->status, sizeof(u->status), "%.190s", err);
		return -1;
	}
	snprintf(u->status, sizeof(u->status), "restarted");
	return 0;
}

int ui_open_lesson(struct ui *u, const char *path, int resume, char *err, size_t size)
{
	ui_close_lesson(u);
	if (path != u->lesson_path)
		snprintf(u->lesson_path, sizeof(u->lesson_path), "%s", path);
	u->opt.lesson = u->lesson_path;
	u->status[0] = '\0';
	if (open_lesson(u, err, size))
		return -1;
	const struct rt_lesson *l = rt_lesson(u->rt);
	struct progress_lesson *pl = u->progress ? progress_find(u->progress, l->id, 0) : NULL;
	switch (resume ? progress_mark_of(pl, l->hash) : PROGRESS_NEW) {
	case PROGRESS_STARTED: {
		char why[200];
		if (ui_resume_restore(u, &pl->resume, why, sizeof(why)) == 0) {
			snprintf(u->status, sizeof(u->status),
				 "resumed where you left off (R starts over)");
			break;
		}
		/* The record no longer replays: start over, say why. */
		ui_close_lesson(u);
		if (open_lesson(u, err, size))
			return -1;
		snprintf(u->status, sizeof(u->status), "could not resume (%.150s): starting over",
			 why);
		break;
	}
	case PROGRESS_CHANGED:
		snprintf(u->status, sizeof(u->status),
			 "the lesson changed since you left it: it starts over "
			 "(its completion is kept)");
		break;
	default:
		break;
	}
	return 0;
}

static void draw(struct ui *u)
{
	int w, h;
	ui_term_size(&w, &h);
	if (w != u->grid.w || h != u->grid.h)
		ui_grid_resize(&u->grid, w, h);
	ui_screen_draw(u);
	ui_term_blit(&u->grid);
}

static void key(struct ui *u, int k)
{
	if (k == UI_KEY_RESIZE || k < 0)
		return; /* the next draw picks the new size up */
	if (u->grid.w < 80 || u->grid.h < 24) {
		if (k == 'q')
			u->quit = 1;
		return;
	}
	if (k == 'q' && u->screen >= UI_TIMELINE && u->screen <= UI_RULES) {
		u->quit = 1; /* q quits from the timeline, debugger, glossary, rules */
		return;
	}
	ui_screen_keypress(u, k);
}

int ui_run(const struct ui_options *o)
{
	struct ui u;
	char err[512];
	struct progress progress;
	memset(&u, 0, sizeof(u));
	u.opt = *o;
	u.rr_last = -1;
	u.log_sel = -1;
	progress_open(&progress, NULL);
	u.progress = o->demo ? NULL : &progress; /* a demo records nobody's progress */
	if (o->lesson) {
		/* A shared run starts from its own schedule, not from your place;
		 * a demo records nothing. */
		if (ui_open_lesson(&u, o->lesson, !o->demo && !o->replay, err, sizeof(err)) ||
		    (o->demo && ui_demo_start(&u, o->speed, err, sizeof(err)))) {
			fprintf(stderr, "dpctutor: %s\n", err);
			ui_close_lesson(&u);
			progress_close(&progress);
			return 1;
		}
		if (o->replay && ui_load_schedule(&u, o->replay, err, sizeof(err))) {
			fprintf(stderr, "dpctutor: the schedule is refused: %s\n", err);
			ui_close_lesson(&u);
			progress_close(&progress);
			return 2;
		}
		if (o->replay)
			snprintf(u.status, sizeof(u.status), "the shared run is loaded at step 0: "
				 "Space or f plays it, another step branches off it");
	} else {
		ui_menu_load(&u);
		u.screen = UI_MENU;
	}
	if (progress_notice(&progress)[0]) /* one line, on the first screen */
		snprintf(u.status, sizeof(u.status), "%.199s", progress_notice(&progress));
	struct ui_term_options to = { .no_color = o->no_color, .ascii = o->ascii,
				      .high_contrast = o->demo };
	if (ui_term_open(&to) != UI_TERM_OK) {
		fprintf(stderr, "dpctutor: cannot start the terminal UI (is TERM set?)\n");
		ui_demo_stop(&u);
		ui_close_lesson(&u);
		ui_menu_free(&u);
		progress_close(&progress);
		return 1;
	}
	int w, h;
	ui_term_size(&w, &h);
	ui_grid_init(&u.grid, w, h);
	u.grid.ascii = ui_term_ascii();
	while (!u.quit) {
		draw(&u);
		if (o->exit_after_first_frame)
			break;
		if (u.explore_pending && u.rt) { /* x, its status now on screen */
			u.explore_pending = 0;
			ui_show_break(&u);
			continue;
		}
		/* Auto-play: a demo tick whenever its timeout passes with no key. */
		int timeout = ui_demo_timeout(&u);
		if (timeout < 0 && ui_demo_idle(&u))
			continue; /* explored ahead while paused: a key may be waiting */
		int k = ui_term_getkey(timeout);
		if (k == UI_KEY_QUIT || ui_term_quit_requested())
			break;
		if (k == UI_KEY_NONE && timeout >= 0)
			ui_demo_tick(&u);
		else
			key(&u, k);
	}
	ui_term_close();
	if (o->verbose && u.rt) { /* -v: the run, to be shared */
		char *cmd = ui_share_command(&u);
		if (cmd)
			printf("seed %llu; this run replays with:\n  %s\n",
			       (unsigned long long)dt_machine_state(rt_machine(u.rt))->seed, cmd);
		free(cmd);
	}
	ui_resume_save(&u); /* q, Ctrl-C, SIGTERM and SIGHUP all come here */
	ui_grid_free(&u.grid);
	ui_demo_stop(&u);
	ui_close_lesson(&u);
	ui_menu_free(&u);
	progress_close(&progress);
	/* A hang-up still ends with the status a shell expects of one. */
	return ui_term_quit_signal() == SIGHUP ? 128 + SIGHUP : 0;
}
