/*
 * main.c - the dpctutor command line.
 *
 *   dpctutor [LESSON]               the tutor's terminal UI (the lesson menu if none)
 *   dpctutor --reset-progress       forget every lesson's progress
 *   dpctutor --check [-v] [LESSON...]  verify lessons (all when none named)
 *   dpctutor --plain LESSON         the story as plain lines, no curses
 *   dpctutor --list [--rules]       the lessons found (or the rule cards)
 *   dpctutor --new NAME             write a lesson skeleton that passes --check
 *   dpctutor --watch FILE           re-check FILE whenever it changes
 *   dpctutor --explore LESSON       every outcome within bounds, with witnesses
 *   dpctutor --demo LESSON          the classroom demo; --notes LESSON its presenter sheet
 *   dpctutor --replay SCHEDULE LESSON  the tutor with a shared run loaded
 *   ... --trace FILE.json / --timeline   the story's run, a replayed schedule or
 *                                   (after --explore) the counterexample, exported
 *
 * Usage errors exit 2 with one line on stderr; --check exits 1 when any
 * lesson fails.
 */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checker.h"
#include "deadline.h"
#include "demo_sheet.h"
#include "explorer.h"
#include "export.h"
#include "lessons.h"
#include "coverage.h"
#include "progress.h"
#include "replay.h"
#include "rules.h"
#include "script.h"
#include "story.h"
#include "ui.h"
#include "ui_demo.h"

#define DT_VERSION "0.1.0"

enum mode { MODE_TUTOR, MODE_CHECK, MODE_PLAIN, MODE_LIST, MODE_NEW, MODE_WATCH, MODE_EXPLORE,
	    MODE_DEMO, MODE_NOTES };

struct cli {
	enum mode mode;
	int verbose;
	int rules;
	const char *lessons_dir;
	const char *arg;        /* --new NAME, --watch FILE */
	struct check_options co;
	struct explore_options eo;
	int no_color, ascii, first_frame;
	int reset_progress;
	unsigned alarm_s;       /* the last-resort alarm, per lesson (deadline.h) */
	bool alarm_set;         /* DPCTUTOR_ALARM or CI asked for it */
	double speed;           /* --speed, pieces per second (0: max) */
	int has_speed;
	const char *replay;     /* --replay SCHEDULE */
	const char *trace_file; /* --trace FILE.json ("-": stdout) */
	int timeline;           /* --timeline */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dpctutor [OPTIONS] [LESSON]\n"
		"Learn how Windows drivers handle interrupts: ISRs, DPCs, work items, locks.\n"
		"Without LESSON the lesson menu opens; in a lesson, m goes back to it.\n"
		"\n"
		"  --check [-v] [LESSON...]  verify lessons (all found lessons when none named);\n"
		"                            -v prints each transcript and every check;\n"
		"                            --max-preemptions K bounds its for-all proofs\n"
		"  --plain LESSON            print the lesson's story and events as plain lines\n"
		"  --list [--rules]          list the lessons found (or the rule cards and the\n"
		"                            lessons that teach each rule)\n"
		"  --new NAME                write NAME.lua, a lesson skeleton that passes --check\n"
		"  --reset-progress          forget every lesson's progress (completions, scores,\n"
		"                            where you left off)\n"
		"  --watch FILE              re-run --check on FILE whenever it changes\n"
		"  --demo LESSON [--speed X] the classroom demo: the story, pausing at its marks,\n"
		"                            then the shortest failing run of a broken variant;\n"
		"                            X pieces a second (0.125..64, default 2) or max\n"
		"  --notes LESSON            print the presenter's notes and marks (a second terminal)\n"
		"  --explore LESSON          every outcome within the bounds, with witnesses;\n"
		"                            exit 1 when the challenge's invariant can fail\n"
		"    --max-preemptions K     (or inf) --max-events A  --max-steps N\n"
		"    --no-reduce             explore without sleep-set reduction\n"
		"  --replay SCHEDULE LESSON  open LESSON with a shared run's choices loaded\n"
		"                            (p in the tutor prints one; Space/f plays it)\n"
		"  --trace FILE.json         write the run as Chrome Trace Event JSON (Perfetto,\n"
		"                            chrome://tracing; 1 step = 1 us); - for stdout\n"
		"  --timeline                print the run as a text timeline\n"
		"                            (the run: the story's, --replay's, or --explore's\n"
		"                            counterexample; no tutor screen opens)\n"
		"  --seed N                  seed for the lesson's random streams\n"
		"  --cpus N                  run with N CPUs (1..64) instead of the lesson's\n"
		"  --lessons DIR             look for lessons in DIR first\n"
		"  --variant NAME            build the lesson's challenge variant NAME\n"
		"  --no-color                monochrome (NO_COLOR in the environment does the same)\n"
		"  --ascii                   ASCII only (also when the locale is not UTF-8)\n"
		"  -v, --verbose             more detail (the tutor prints its run's seed and\n"
		"                            schedule on exit)\n"
		"  -h, --help                this help\n"
		"      --version             print the version\n"
		"\n"
		"LESSON is a file (lessons/03-queued-once.lua), a lesson id (queued-once) or a\n"
		"number (2).  Lessons are found in --lessons DIR, $DPCTUTOR_LESSONS, ./lessons,\n"
		"lessons/ beside the build directory, then the installed data directory\n"
		"(%s).\n"
		"\n"
		"--check, --plain and --explore stop a lesson still running after 60 s\n"
		"(DPCTUTOR_ALARM=N seconds, 0 = never) and exit 1.\n"
		"\n"
		"Progress (finished lessons, best scores, where you left off) is kept in\n"
		"$XDG_STATE_HOME/dpctutor/progress (default ~/.local/state/dpctutor/progress).\n"
		"\n"
		"In the tutor, ? lists the keys; 0-9 step a CPU, c N Enter steps CPU N,\n"
		"m opens the lesson menu.  See dpctutor(1) for the keys, files and environment.\n",
		lessons_installed_dir());
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "dpctutor: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try --help)\n");
	return 2;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse(int argc, char **argv, struct cli *c)
{
	enum { O_CHECK = 256, O_PLAIN, O_LIST, O_RULES, O_NEW, O_WATCH, O_SEED, O_CPUS,
	       O_LESSONS, O_VERSION, O_VARIANT, O_EXPLORE, O_MAXP, O_MAXE, O_MAXS,
	       O_NOREDUCE, O_NOCOLOR, O_ASCII, O_FIRSTFRAME, O_RESET,
	       O_DEMO, O_SPEED, O_NOTES, O_REPLAY, O_TRACE, O_TIMELINE };
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, O_CHECK }, { "plain", no_argument, NULL, O_PLAIN },
		{ "list", no_argument, NULL, O_LIST }, { "rules", no_argument, NULL, O_RULES },
		{ "new", required_argument, NULL, O_NEW },
		{ "watch", required_argument, NULL, O_WATCH },
		{ "seed", required_argument, NULL, O_SEED },
		{ "cpus", required_argument, NULL, O_CPUS },
		{ "lessons", required_argument, NULL, O_LESSONS },
		{ "variant", required_argument, NULL, O_VARIANT },
		{ "explore", no_argument, NULL, O_EXPLORE },
		{ "max-preemptions", required_argument, NULL, O_MAXP },
		{ "max-events", required_argument, NULL, O_MAXE },
		{ "max-steps", required_argument, NULL, O_MAXS },
		{ "no-reduce", no_argument, NULL, O_NOREDUCE },
		{ "no-color", no_argument, NULL, O_NOCOLOR },
		{ "ascii", no_argument, NULL, O_ASCII },
		{ "exit-after-first-frame", no_argument, NULL, O_FIRSTFRAME },
		{ "reset-progress", no_argument, NULL, O_RESET },
		{ "demo", no_argument, NULL, O_DEMO }, { "notes", no_argument, NULL, O_NOTES },
		{ "speed", required_argument, NULL, O_SPEED },
		{ "replay", required_argument, NULL, O_REPLAY },
		{ "trace", required_argument, NULL, O_TRACE },
		{ "timeline", no_argument, NULL, O_TIMELINE },
		{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION }, { NULL, 0, NULL, 0 },
	};
	int ch;
	uint64_t v;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
		switch (ch) {
		case O_CHECK: c->mode = MODE_CHECK; break;
		case O_PLAIN: c->mode = MODE_PLAIN; break;
		case O_LIST: c->mode = MODE_LIST; break;
		case O_RULES: c->rules = 1; break;
		case O_NEW: c->mode = MODE_NEW; c->arg = optarg; break;
		case O_WATCH: c->mode = MODE_WATCH; c->arg = optarg; break;
		case O_LESSONS: c->lessons_dir = optarg; break;
		case O_VARIANT: c->co.variant = optarg; c->eo.variant = optarg; break;
		case O_EXPLORE: c->mode = MODE_EXPLORE; break;
		case O_NOREDUCE: c->eo.reduce = 0; break;
		case O_NOCOLOR: c->no_color = 1; break;
		case O_ASCII: c->ascii = 1; break;
		case O_FIRSTFRAME: c->first_frame = 1; break;
		case O_RESET: c->reset_progress = 1; break;
		case O_DEMO: c->mode = MODE_DEMO; break;
		case O_NOTES: c->mode = MODE_NOTES; break;
		case O_SPEED:
			if (ui_demo_parse_speed(optarg, &c->speed))
				return usage_error("--speed needs 0.125..64 (pieces a second) or max, "
						   "not '%s'", optarg);
			c->has_speed = 1;
			break;
		case O_REPLAY: c->replay = optarg; break;
		case O_TRACE: c->trace_file = optarg; break;
		case O_TIMELINE: c->timeline = 1; break;
		case O_MAXP:
			if (strcmp(optarg, "inf") == 0) {
				c->eo.max_preemptions = DT_EXPLORE_UNBOUNDED;
			} else if (parse_u64(optarg, 64, &v)) {
				return usage_error("--max-preemptions needs 0..64 or inf, not '%s'",
						   optarg);
			} else {
				c->eo.max_preemptions = (uint32_t)v;
			}
			c->eo.set_preemptions = 1;
			break;
		case O_MAXE:
			if (parse_u64(optarg, 16, &v))
				return usage_error("--max-events needs 0..16, not '%s'", optarg);
			c->eo.max_events = (uint32_t)v;
			c->eo.set_events = 1;
			break;
		case O_MAXS:
			if (parse_u64(optarg, 100000, &v) || v == 0)
				return usage_error("--max-steps needs 1..100000, not '%s'", optarg);
			c->eo.max_steps = (uint32_t)v;
			c->eo.set_steps = 1;
			break;
		case O_SEED:
			if (parse_u64(optarg, UINT64_MAX, &v))
				return usage_error("--seed needs a number, not '%s'", optarg);
			c->co.seed = v;
			c->co.has_seed = 1;
			break;
		case O_CPUS:
			if (parse_u64(optarg, 64, &v) || v == 0)
				return usage_error("--cpus needs 1..64, not '%s'", optarg);
			c->co.cpus = (unsigned)v;
			break;
		case 'v': c->verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		case O_VERSION: printf("dpctutor %s\n", DT_VERSION); exit(0);
		case ':': return usage_error("%s needs an argument", argv[optind - 1]);
		default: return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	c->co.verbose = c->verbose;
	c->eo.verbose = c->verbose;
	c->eo.seed = c->co.seed;
	c->eo.has_seed = c->co.has_seed;
	c->eo.cpus = c->co.cpus;
	c->co.max_preemptions = c->eo.max_preemptions;
	c->co.set_preemptions = c->eo.set_preemptions;
	return 0;
}

/* Name the lesson and (re)start the last-resort alarm for it. */
static void bound(const struct cli *c, const char *lesson)
{
	deadline_name(lesson);
	deadline_arm(c->alarm_s);
}

/* A transcript keeps its first PLAIN_MAX_EVENTS engine events: a lesson
 * that steps ten million times must not write ten million lines. */
#define PLAIN_MAX_EVENTS 20000u

/* Why the tutor cannot take the terminal: NULL when standard input and
 * output both are one, else which stream is closed or something else. */
static const char *no_terminal(void)
{
	static const struct {
		int fd;
		const char *closed, *other;
	} streams[] = {
		{ STDIN_FILENO, "standard input is closed", "standard input is not a terminal" },
		{ STDOUT_FILENO, "standard output is closed", "standard output is not a terminal" },
	};
	for (size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
		if (fcntl(streams[i].fd, F_GETFD) < 0 && errno == EBADF)
			return streams[i].closed;
		if (!isatty(streams[i].fd))
			return streams[i].other;
	}
	return NULL;
}

static void plain_line(void *ctx, enum story_line_kind kind, const char *text)
{
	static unsigned events;
	(void)ctx;
	if (kind == STORY_EVENT && ++events > PLAIN_MAX_EVENTS) {
		if (events == PLAIN_MAX_EVENTS + 1)
			printf("    ... (more than %u events: the rest are left out)\n",
			       PLAIN_MAX_EVENTS);
		return;
	}
	const char *pre = kind == STORY_EVENT ? "    " : "";
	printf("%s%s\n", pre, text);
}

/* The lesson's print() goes to the transcript. */
static void plain_print(void *ctx, const char *text)
{
	(void)ctx;
	printf("print: %s\n", text);
}

static int run_plain(const char *path, const struct cli *c)
{
	struct rt_options opt;
	struct rt *rt;
	char *err = NULL;
	rt_options_default(&opt);
	opt.print = plain_print;
	opt.variant = c->co.variant;
	opt.seed = c->co.seed;
	opt.has_seed = c->co.has_seed;
	opt.cpus = c->co.cpus;
	if (rt_open(path, &opt, &rt, &err)) {
		fprintf(stderr, "dpctutor: %s\n", err ? err : "cannot load the lesson");
		free(err);
		return 1;
	}
	const struct rt_lesson *l = rt_lesson(rt);
	printf("%s\n", l->title);
	if (l->goal)
		printf("Goal: %s\n", l->goal);
	printf("\n");
	struct story_io io = { NULL, plain_line, 1, NULL };
	struct story_result res;
	int rc = story_run(rt, &io, &res);
	printf("\n%u steps; %u of %u predictions, %u of %u expectations as the lesson says\n",
	       res.steps, res.asks_ok, res.asks, res.expects_ok, res.expects);
	rt_close(rt);
	return rc ? 1 : 0;
}

static void count(int rc, int *passed, int *failed)
{
	if (rc == 0)
		(*passed)++;
	else if (rc > 0)
		(*failed)++;
}

static int run_check(int argc, char **argv, const struct cli *c)
{
	int passed = 0, failed = 0;
	struct lesson_list list;
	if (optind >= argc) {
		lessons_find(c->lessons_dir, &list);
		for (unsigned i = 0; i < list.n; i++) {
			bound(c, list.paths[i]);
			count(check_lesson(list.paths[i], &c->co, stdout), &passed, &failed);
		}
		lessons_free(&list);
	}
	for (int i = optind; i < argc; i++) {
		char path[1024];
		if (lessons_resolve(c->lessons_dir, argv[i], path, sizeof(path))) {
			printf("FAIL %s: no such lesson\n", argv[i]);
			failed++;
			continue;
		}
		bound(c, path);
		count(check_lesson(path, &c->co, stdout), &passed, &failed);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

/* --reset-progress: forget every lesson in the progress file. */
static int reset_progress(const struct cli *c, int argc)
{
	struct progress p;
	if (c->mode != MODE_TUTOR || optind < argc)
		return usage_error("%s takes no LESSON and no other mode", "--reset-progress");
	progress_open(&p, NULL);
	int rc = progress_reset(&p, NULL);
	if (rc)
		fprintf(stderr, "dpctutor: %s\n", progress_notice(&p)[0] ? progress_notice(&p)
						: "cannot reset the progress");
	else
		printf("progress reset: %s/%s\n", p.dir, PROGRESS_FILE);
	progress_close(&p);
	return rc ? 1 : 0;
}

static int run_list(const struct cli *c)
{
	if (c->rules)
		return coverage_print(stdout, c->lessons_dir);
	struct lesson_list list;
	lessons_find(c->lessons_dir, &list);
	for (unsigned i = 0; i < list.n; i++)
		printf("%s\n", list.paths[i]);
	if (list.n == 0)
		printf("no lessons found (see --help for where dpctutor looks)\n");
	lessons_free(&list);
	return 0;
}

/* --notes LESSON: the presenter's sheet, for a second terminal. */
static int run_notes(int argc, char **argv, const struct cli *c)
{
	char path[1024], err[512];
	struct rt_options opt;
	struct demo_sheet sheet;
	if (optind + 1 != argc)
		return usage_error("%s needs exactly one LESSON", "--notes");
	if (lessons_resolve(c->lessons_dir, argv[optind], path, sizeof(path))) {
		fprintf(stderr, "dpctutor: no lesson '%s' (try --list)\n", argv[optind]);
		return 2;
	}
	rt_options_default(&opt);
	opt.trace = 0;
	opt.variant = c->co.variant;
	opt.seed = c->co.seed;
	opt.has_seed = c->co.has_seed;
	opt.cpus = c->co.cpus;
	if (demo_sheet_read(path, &opt, &sheet, err, sizeof(err))) {
		fprintf(stderr, "dpctutor: %s\n", err);
		return 1;
	}
	demo_sheet_print(&sheet, stdout);
	return 0;
}

static time_t mtime_of(const char *path)
{
	struct stat st;
	return stat(path, &st) ? 0 : st.st_mtime;
}

static int run_watch(const struct cli *c)
{
	time_t last = -1;
	for (;;) {
		time_t now = mtime_of(c->arg);
		if (now != last) {
			last = now;
			printf("\n== %s\n", c->arg);
			bound(c, c->arg);
			check_lesson(c->arg, &c->co, stdout);
			deadline_arm(0);
			fflush(stdout);
		}
		struct timespec ts = { 0, 300 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* --trace and --timeline of an open run. */
static int export_run(struct rt *rt, const struct cli *c, const char *run)
{
	struct export_about about = { c->co.variant, run };
	int rc = 0;
	if (c->timeline && export_timeline(rt, &about, 80, stdout))
		rc = 1;
	if (c->trace_file) {
		int to_stdout = strcmp(c->trace_file, "-") == 0;
		FILE *f = to_stdout ? stdout : fopen(c->trace_file, "w");
		if (!f) {
			fprintf(stderr, "dpctutor: cannot write %s: %s\n", c->trace_file,
				strerror(errno));
			return 1;
		}
		if (export_trace_json(rt, &about, f))
			rc = 1;
		if (!to_stdout && fclose(f))
			rc = 1;
		if (rc)
			fprintf(stderr, "dpctutor: writing %s failed\n", c->trace_file);
	}
	return rc;
}

static void base_options(const struct cli *c, struct rt_options *opt)
{
	rt_options_default(opt);
	opt->variant = c->co.variant;
	opt->seed = c->co.seed;
	opt->has_seed = c->co.has_seed;
	opt->cpus = c->co.cpus;
}

/* The run of a replayed schedule (REPLAY_EXACT), exported. */
static int export_replay(const char *path, const struct cli *c, const char *schedule,
			 const char *run)
{
	struct rt_options opt;
	struct rt *rt;
	char err[300];
	base_options(c, &opt);
	if (replay_open(path, &opt, schedule, &rt, err, sizeof(err))) {
		fprintf(stderr, "dpctutor: the schedule is refused: %s\n", err);
		return 2;
	}
	int rc = export_run(rt, c, run);
	rt_close(rt);
	return rc;
}

/* The story's run, silently, exported. */
static int export_story(const char *path, const struct cli *c)
{
	struct rt_options opt;
	struct rt *rt;
	char *err = NULL;
	base_options(c, &opt);
	if (rt_open(path, &opt, &rt, &err)) {
		fprintf(stderr, "dpctutor: %s\n", err ? err : "cannot load the lesson");
		free(err);
		return 1;
	}
	struct story_io io = { NULL, NULL, 0, NULL };
	struct story_result res;
	if (story_run(rt, &io, &res))
		fprintf(stderr, "dpctutor: the story stopped early (%s): exporting what ran\n",
			res.failure[0] ? res.failure : "?");
	int rc = export_run(rt, c, "story");
	rt_close(rt);
	return rc;
}

/* --explore, then the counterexample's run exported. */
static int explore_export(const char *path, const struct cli *c)
{
	char *cx = NULL;
	struct explore_summary sum;
	int rc = explore_lesson_cx(path, &c->eo, stdout, &sum, &cx);
	if (!cx) {
		fprintf(stderr, "dpctutor: no counterexample to export%s\n",
			rc == 2 ? "" : ": no run within the bounds breaks an invariant");
		return rc;
	}
	fflush(stdout);
	int erc = export_replay(path, c, cx, "counterexample");
	free(cx);
	return erc ? erc : rc;
}

int main(int argc, char **argv)
{
	struct cli c;
	memset(&c, 0, sizeof(c));
	c.eo.reduce = 1;
	c.eo.progress = 1;
	int rc = parse(argc, argv, &c);
	if (rc)
		return rc;
	if (deadline_seconds(DEADLINE_DEFAULT_S, &c.alarm_s, &c.alarm_set))
		return usage_error("DPCTUTOR_ALARM needs 0..86400 seconds, not '%s'",
				   getenv("DPCTUTOR_ALARM"));
	if (c.reset_progress)
		return reset_progress(&c, argc);
	switch (c.mode) {
	case MODE_CHECK:
		return run_check(argc, argv, &c);
	case MODE_LIST:
		return run_list(&c);
	case MODE_NEW:
		return lessons_new(c.arg) ? 1 : 0;
	case MODE_WATCH:
		return run_watch(&c);
	case MODE_NOTES:
		return run_notes(argc, argv, &c);
	case MODE_EXPLORE: {
		char path[1024];
		if (optind + 1 != argc)
			return usage_error("%s needs exactly one LESSON", "--explore");
		if (lessons_resolve(c.lessons_dir, argv[optind], path, sizeof(path))) {
			fprintf(stderr, "dpctutor: no lesson '%s' (try --list)\n", argv[optind]);
			return 2;
		}
		bound(&c, path);
		if (c.trace_file || c.timeline)
			return explore_export(path, &c);
		return explore_lesson(path, &c.eo, stdout, NULL);
	}
	case MODE_DEMO:
	case MODE_PLAIN:
	case MODE_TUTOR: {
		char path[1024];
		if (optind + 1 < argc)
			return usage_error("one LESSON at a time, got '%s' too", argv[optind + 1]);
		if (optind >= argc && c.mode != MODE_TUTOR)
			return usage_error("%s needs a LESSON",
					   c.mode == MODE_PLAIN ? "--plain" : "--demo");
		if (c.has_speed && c.mode != MODE_DEMO)
			return usage_error("%s goes with --demo", "--speed");
		path[0] = '\0'; /* no lesson named: the lesson menu */
		if (optind < argc &&
		    lessons_resolve(c.lessons_dir, argv[optind], path, sizeof(path))) {
			fprintf(stderr, "dpctutor: no lesson '%s' (try --list)\n", argv[optind]);
			return 2;
		}
		if (c.mode == MODE_PLAIN && (c.replay || c.trace_file || c.timeline))
			return usage_error("%s shows the story only: leave out --replay, --trace "
					   "and --timeline", "--plain");
		if (c.mode == MODE_PLAIN || c.alarm_set) /* the UI: only when asked */
			bound(&c, path[0] ? path : "the lesson menu");
		if (c.mode == MODE_PLAIN)
			return run_plain(path, &c);
		if ((c.replay || c.trace_file || c.timeline) && !path[0])
			return usage_error("%s need a LESSON", "--replay, --trace and --timeline");
		if (c.trace_file || c.timeline)
			return c.replay ? export_replay(path, &c, c.replay, "replay")
					: export_story(path, &c);
		const char *why = no_terminal();
		if (why) {
			fprintf(stderr, "dpctutor: %s: the tutor needs a terminal (for a transcript: "
				"dpctutor --plain %s)\n", why, argv[optind] ? argv[optind] : "LESSON");
			return 2;
		}
		struct ui_options uo = {
			.lesson = path[0] ? path : NULL, .lessons_dir = c.lessons_dir,
			.no_color = c.no_color, .ascii = c.ascii,
			.exit_after_first_frame = c.first_frame, .seed = c.co.seed,
			.has_seed = c.co.has_seed, .cpus = c.co.cpus, .variant = c.co.variant,
			.demo = c.mode == MODE_DEMO, .speed = c.has_speed ? c.speed : 2.0,
			.replay = c.replay, .verbose = c.verbose,
		};
		return ui_run(&uo);
	}
	}
	return 0;
}
