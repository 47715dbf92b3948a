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
 *
 * Usage errors exit 2 with one line on stderr; --check exits 1 when any
 * lesson fails.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checker.h"
#include "explorer.h"
#include "lessons.h"
#include "progress.h"
#include "rules.h"
#include "script.h"
#include "story.h"
#include "ui.h"

#define DT_VERSION "0.1.0"

enum mode { MODE_TUTOR, MODE_CHECK, MODE_PLAIN, MODE_LIST, MODE_NEW, MODE_WATCH, MODE_EXPLORE };

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
		"  --list [--rules]          list the lessons found (or the rule cards)\n"
		"  --new NAME                write NAME.lua, a lesson skeleton that passes --check\n"
		"  --reset-progress          forget every lesson's progress (completions, scores,\n"
		"                            where you left off)\n"
		"  --watch FILE              re-run --check on FILE whenever it changes\n"
		"  --explore LESSON          every outcome within the bounds, with witnesses;\n"
		"                            exit 1 when the challenge's invariant can fail\n"
		"    --max-preemptions K     (or inf) --max-events A  --max-steps N\n"
		"    --no-reduce             explore without sleep-set reduction\n"
		"  --seed N                  seed for the lesson's random streams\n"
		"  --cpus N                  run with N CPUs (1..64) instead of the lesson's\n"
		"  --lessons DIR             look for lessons in DIR first\n"
		"  --variant NAME            build the lesson's challenge variant NAME\n"
		"  --no-color                monochrome (NO_COLOR in the environment does the same)\n"
		"  --ascii                   ASCII only (also when the locale is not UTF-8)\n"
		"  -v, --verbose             more detail\n"
		"  -h, --help                this help\n"
		"      --version             print the version\n"
		"\n"
		"LESSON is a file (lessons/03-queued-once.lua), a lesson id (queued-once) or a\n"
		"number (2).  Lessons are found in --lessons DIR, $DPCTUTOR_LESSONS, ./lessons,\n"
		"lessons/ beside the build directory, then the installed data directory\n"
		"(%s).\n"
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
	       O_NOREDUCE, O_NOCOLOR, O_ASCII, O_FIRSTFRAME, O_RESET };
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

static void plain_line(void *ctx, enum story_line_kind kind, const char *text)
{
	(void)ctx;
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
		for (unsigned i = 0; i < list.n; i++)
			count(check_lesson(list.paths[i], &c->co, stdout), &passed, &failed);
		lessons_free(&list);
	}
	for (int i = optind; i < argc; i++) {
		char path[1024];
		if (lessons_resolve(c->lessons_dir, argv[i], path, sizeof(path))) {
			printf("FAIL %s: no such lesson\n", argv[i]);
			failed++;
			continue;
		}
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
	if (c->rules) {
		size_t n;
		const struct rule_card *cards = rule_cards(&n);
		for (size_t i = 0; i < n; i++)
			printf("%-4s [%c] %-28s %s\n", cards[i].id, cards[i].tag, cards[i].title,
			       cards[i].sentence);
		return 0;
	}
	struct lesson_list list;
	lessons_find(c->lessons_dir, &list);
	for (unsigned i = 0; i < list.n; i++)
		printf("%s\n", list.paths[i]);
	if (list.n == 0)
		printf("no lessons found (see --help for where dpctutor looks)\n");
	lessons_free(&list);
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
			check_lesson(c->arg, &c->co, stdout);
			fflush(stdout);
		}
		struct timespec ts = { 0, 300 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return 0;
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
	case MODE_EXPLORE: {
		char path[1024];
		if (optind + 1 != argc)
			return usage_error("%s needs exactly one LESSON", "--explore");
		if (lessons_resolve(c.lessons_dir, argv[optind], path, sizeof(path))) {
			fprintf(stderr, "dpctutor: no lesson '%s' (try --list)\n", argv[optind]);
			return 2;
		}
		return explore_lesson(path, &c.eo, stdout, NULL);
	}
	case MODE_PLAIN:
	case MODE_TUTOR: {
		char path[1024];
		if (optind + 1 < argc)
			return usage_error("one LESSON at a time, got '%s' too", argv[optind + 1]);
		if (optind >= argc && c.mode == MODE_PLAIN)
			return usage_error("%s needs a LESSON", "--plain");
		path[0] = '\0'; /* no lesson named: the lesson menu */
		if (optind < argc &&
		    lessons_resolve(c.lessons_dir, argv[optind], path, sizeof(path))) {
			fprintf(stderr, "dpctutor: no lesson '%s' (try --list)\n", argv[optind]);
			return 2;
		}
		if (c.mode == MODE_PLAIN)
			return run_plain(path, &c);
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
			fprintf(stderr, "dpctutor: the tutor needs a terminal (for a transcript: "
				"dpctutor --plain %s)\n", argv[optind] ? argv[optind] : "LESSON");
			return 2;
		}
		struct ui_options uo = {
			.lesson = path[0] ? path : NULL, .lessons_dir = c.lessons_dir,
			.no_color = c.no_color, .ascii = c.ascii,
			.exit_after_first_frame = c.first_frame, .seed = c.co.seed,
			.has_seed = c.co.has_seed, .cpus = c.co.cpus, .variant = c.co.variant,
		};
		return ui_run(&uo);
	}
	}
	return 0;
}
