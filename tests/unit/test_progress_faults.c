/*
 * test_progress_faults.c - the progress file (tutor/progress.c) when
 * things go wrong, with one promise checked throughout: a completed lesson
 * that a save reported as written is never lost, and damage is set aside
 * and reported, never silently dropped.
 *
 *   - a full or failing disk: ENOSPC and EIO injected at every system call
 *     of a save through the fault seam (progress_fault, progress_int.h),
 *     and a real ENOSPC from /dev/full (the temporary file a symlink to
 *     it); the old file stays whole, no temporary file is left, and the
 *     next save gets everything through;
 *   - a read error (EIO; the file a directory): never followed by an
 *     overwrite;
 *   - kill -9 in the middle of a save: a SIGKILL at every point of the
 *     seam, then many kills at random moments (fixed seed) of a process
 *     that saves in a loop; after each the file reads back whole;
 *   - many tutors saving at once under the flock;
 *   - a real file cut at every offset, and bytes of it changed at random:
 *     each whole lesson line that the damage did not touch is recovered;
 *     CRLF line ends; damaged files set aside in one second keep apart.
 *
 * The heavy loops scale down under SANITIZE/VALGRIND (dt_test_count).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dt_rng.h"
#include "golden_fx.h"
#include "progress.h"
#include "progress_fx.h"
#include "progress_int.h"
#include "testutil.h"

#define SCHED "v1 lesson=two-dpcs@0000abcd cpus=2 seed=7: e(nic)@0 0*3 1"

static char dir[64];

/* The fault to inject: the nth call (from 1) of kind `call` fails with
 * err, or, with `die`, the process dies of SIGKILL just before it. */
static struct {
	enum progress_call call;
	int nth, err, die, seen, fired;
} fault;

static int inject(enum progress_call call)
{
	if (call != fault.call || ++fault.seen != fault.nth)
		return 0;
	fault.fired = 1;
	if (fault.die)
		kill(getpid(), SIGKILL);
	return fault.err;
}

static void arm(enum progress_call call, int nth, int err, int die)
{
	memset(&fault, 0, sizeof(fault));
	fault.call = call;
	fault.nth = nth;
	fault.err = err;
	fault.die = die;
	progress_fault = inject;
}

static void disarm(void)
{
	progress_fault = NULL;
}

static void setup(void)
{
	disarm();
	pfx_make_dir(dir, sizeof(dir));
}

static void teardown(void)
{
	disarm();
	pfx_remove_tree(dir);
}

static const char *path_in(const char *name)
{
	static char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static int temps_left(void)
{
	return pfx_count_prefixed(dir, PROGRESS_FILE ".tmp-");
}

/* Complete lesson id in a process of its own: open, complete, save. */
static void complete_and_save(const char *id, unsigned score)
{
	struct progress p;
	progress_open(&p, dir);
	progress_complete(&p, id, 1, score, 3);
	ck_assert_msg(progress_save(&p) == 0, "saving %s: %s", id, progress_notice(&p));
	progress_close(&p);
}

/* The file as a fresh run reads it: it must read back whole. */
static void open_clean(struct progress *p)
{
	progress_open(p, dir);
	ck_assert_msg(progress_notice(p)[0] == '\0', "notice: '%s'", progress_notice(p));
	ck_assert_int_eq(pfx_count_prefixed(dir, PROGRESS_FILE ".damaged-"), 0);
}

static int is_done(struct progress *p, const char *id)
{
	const struct progress_lesson *l = progress_find(p, id, 0);
	return l && l->done;
}

/* ---- a full or failing disk ------------------------------------------------ */

static const struct {
	enum progress_call call;
	int nth;
	const char *name;
} save_calls[] = {
	{ PROGRESS_CALL_OPEN, 1, "open" },     { PROGRESS_CALL_WRITE, 1, "write 1 (magic)" },
	{ PROGRESS_CALL_WRITE, 2, "write 2" }, { PROGRESS_CALL_WRITE, 3, "write 3" },
	{ PROGRESS_CALL_FSYNC, 1, "fsync" },   { PROGRESS_CALL_CLOSE, 1, "close" },
	{ PROGRESS_CALL_RENAME, 1, "rename" },
};
#define NSAVE_CALLS (sizeof(save_calls) / sizeof(save_calls[0]))

/* Each call of a save fails in turn, with ENOSPC then EIO: the save says
 * so, keeps everything in memory, leaves the old file as it was and no
 * temporary file; the next save, on a disk that works again, writes the
 * lesson that could not be written before. */
START_TEST(test_every_save_call_fails)
{
	static const int errs[] = { ENOSPC, EIO };
	unsigned cases = 0;
	complete_and_save("base", 3);
	for (size_t e = 0; e < 2; e++) {
		for (size_t c = 0; c < NSAVE_CALLS; c++) {
			char id[32];
			struct progress p, q;
			snprintf(id, sizeof(id), "lesson-%zu-%zu", e, c);
			progress_open(&p, dir);
			progress_complete(&p, id, 1, 2, 3);
			arm(save_calls[c].call, save_calls[c].nth, errs[e], 0);
			ck_assert_msg(progress_save(&p) == -1, "%s: the save did not fail",
				      save_calls[c].name);
			disarm();
			ck_assert_msg(fault.fired, "%s: never called", save_calls[c].name);
			ck_assert_msg(strstr(progress_notice(&p), strerror(errs[e])) &&
					      strstr(progress_notice(&p), "in memory only"),
				      "%s: notice '%s'", save_calls[c].name, progress_notice(&p));
			ck_assert_int_eq(p.in_memory, 1);
			ck_assert(is_done(&p, id));
			ck_assert_int_eq(temps_left(), 0);
			open_clean(&q);
			ck_assert(is_done(&q, "base"));
			ck_assert_msg(!is_done(&q, id), "%s: half a save reached the file",
				      save_calls[c].name);
			progress_close(&q);
			/* The disk works again. */
			ck_assert_int_eq(progress_save(&p), 0);
			ck_assert_int_eq(p.in_memory, 0);
			ck_assert_str_eq(progress_notice(&p), "");
			progress_close(&p);
			open_clean(&q);
			ck_assert(is_done(&q, "base"));
			ck_assert_msg(is_done(&q, id), "%s: lost after the disk came back",
				      save_calls[c].name);
			progress_close(&q);
			cases++;
		}
	}
	ck_assert_uint_eq(cases, 2 * NSAVE_CALLS);
}
END_TEST

/* The directory's fsync comes after the rename: its failure loses
 * nothing written, so the save still succeeds. */
START_TEST(test_directory_fsync_failure_is_no_loss)
{
	struct progress p, q;
	progress_open(&p, dir);
	progress_complete(&p, "two-dpcs", 1, 3, 3);
	arm(PROGRESS_CALL_SYNCDIR, 1, EIO, 0);
	ck_assert_int_eq(progress_save(&p), 0);
	ck_assert(fault.fired);
	disarm();
	progress_close(&p);
	open_clean(&q);
	ck_assert(is_done(&q, "two-dpcs"));
	progress_close(&q);
}
END_TEST

/* A real ENOSPC: this process's temporary file is a symlink to /dev/full,
 * where every write fails so.  The symlink goes (not /dev/full), the old
 * file stays, and the next save succeeds. */
START_TEST(test_dev_full)
{
	struct stat st;
	char tmp[256];
	if (stat("/dev/full", &st) || !S_ISCHR(st.st_mode)) {
		fprintf(stderr, "test_dev_full: no /dev/full here; the seam tests cover ENOSPC\n");
		return;
	}
	complete_and_save("base", 3);
	snprintf(tmp, sizeof(tmp), "%s/" PROGRESS_FILE ".tmp-%ld", dir, (long)getpid());
	ck_assert_int_eq(symlink("/dev/full", tmp), 0);
	struct progress p, q;
	progress_open(&p, dir);
	progress_complete(&p, "two-dpcs", 1, 2, 3);
	ck_assert_int_eq(progress_save(&p), -1);
	ck_assert_msg(strstr(progress_notice(&p), strerror(ENOSPC)), "notice '%s'",
		      progress_notice(&p));
	ck_assert_int_eq(lstat(tmp, &st), -1);
	ck_assert_int_eq(stat("/dev/full", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	open_clean(&q);
	ck_assert(is_done(&q, "base"));
	ck_assert(!is_done(&q, "two-dpcs"));
	progress_close(&q);
	ck_assert_int_eq(progress_save(&p), 0);
	progress_close(&p);
	open_clean(&q);
	ck_assert(is_done(&q, "base") && is_done(&q, "two-dpcs"));
	progress_close(&q);
}
END_TEST

/* A file that cannot be read (EIO) must not be written over: what it
 * holds is unknown.  At open: in memory with a notice; at a save: the
 * save fails; once it reads again, the merge keeps both. */
START_TEST(test_read_error_never_overwrites)
{
	struct progress p, q;
	complete_and_save("base", 3);
	arm(PROGRESS_CALL_READ, 1, EIO, 0);
	progress_open(&p, dir);
	disarm();
	ck_assert_int_eq(p.in_memory, 1);
	ck_assert_msg(strstr(progress_notice(&p), "cannot read"), "notice '%s'",
		      progress_notice(&p));
	ck_assert_uint_eq(p.n, 0);
	progress_complete(&p, "two-dpcs", 1, 2, 3);
	arm(PROGRESS_CALL_READ, 1, EIO, 0);
	ck_assert_int_eq(progress_save(&p), -1);
	disarm();
	open_clean(&q);
	ck_assert_msg(is_done(&q, "base"), "the unreadable file was written over");
	progress_close(&q);
	ck_assert_int_eq(progress_save(&p), 0);
	progress_close(&p);
	open_clean(&q);
	ck_assert(is_done(&q, "base") && is_done(&q, "two-dpcs"));
	ck_assert_int_eq(pfx_count_prefixed(dir, PROGRESS_FILE ".damaged-"), 0);
	progress_close(&q);
}
END_TEST

/* ---- kill -9 in the middle of a save ----------------------------------------- */

/* The child dies of SIGKILL just before each call of a save in turn.  Up
 * to the rename the file is the old one; from the rename on, the new one;
 * never anything else.  A later save clears the dead child's temp file. */
START_TEST(test_kill_at_every_point_of_a_save)
{
	static const struct {
		enum progress_call call;
		int nth, after_rename;
	} points[] = {
		{ PROGRESS_CALL_READ, 1, 0 },	 { PROGRESS_CALL_OPEN, 1, 0 },
		{ PROGRESS_CALL_WRITE, 1, 0 },	 { PROGRESS_CALL_WRITE, 2, 0 },
		{ PROGRESS_CALL_WRITE, 3, 0 },	 { PROGRESS_CALL_FSYNC, 1, 0 },
		{ PROGRESS_CALL_CLOSE, 1, 0 },	 { PROGRESS_CALL_RENAME, 1, 0 },
		{ PROGRESS_CALL_SYNCDIR, 1, 1 },
	};
	complete_and_save("base", 3);
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		char id[32];
		snprintf(id, sizeof(id), "killed-%zu", i);
		pid_t kid = fork();
		ck_assert_int_ge(kid, 0);
		if (kid == 0) {
			struct progress p;
			progress_open(&p, dir);
			progress_complete(&p, id, 1, 1, 3);
			arm(points[i].call, points[i].nth, 0, 1);
			progress_save(&p);
			_exit(3); /* the kill never came */
		}
		int status;
		ck_assert_int_eq(waitpid(kid, &status, 0), kid);
		ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
			      "point %zu: the child was not killed (status %d)", i, status);
		struct progress q;
		open_clean(&q);
		ck_assert(is_done(&q, "base"));
		ck_assert_msg(is_done(&q, id) == points[i].after_rename,
			      "point %zu: the killed save is %s the file", i,
			      points[i].after_rename ? "missing from" : "in");
		progress_close(&q);
	}
	complete_and_save("after", 1);
	ck_assert_int_eq(temps_left(), 0);
}
END_TEST

/* A child saves in a loop, one new completed lesson per save, and reports
 * each save that returned 0 through a pipe; it is killed with SIGKILL at a
 * random moment (the seed is fixed).  After every kill the file must read
 * back whole and hold every lesson the child reported as saved; lessons
 * of earlier children must all still be there. */
START_TEST(test_kill9_at_random_moments)
{
	int rounds = dt_test_count(200), reported = 0, killed_mid_way = 0, mid_write = 0;
	struct dt_rng rng;
	dt_rng_seed(&rng, 20261201);
	for (int r = 0; r < rounds; r++) {
		int fds[2];
		ck_assert_int_eq(pipe(fds), 0);
		pid_t kid = fork();
		ck_assert_int_ge(kid, 0);
		if (kid == 0) {
			close(fds[0]);
			struct progress p;
			progress_open(&p, dir);
			for (int i = 0;; i++) {
				char id[32];
				snprintf(id, sizeof(id), "r%d-%d", r, i);
				progress_complete(&p, id, 1, 1, 1);
				if (progress_save(&p) == 0 && write(fds[1], &i, sizeof(i)) < 0)
					_exit(4);
			}
		}
		close(fds[1]);
		struct timespec ts = { 0, (long)dt_rng_below(&rng, 15000) * 1000L };
		nanosleep(&ts, NULL);
		kill(kid, SIGKILL);
		int status, i, saved = -1;
		ck_assert_int_eq(waitpid(kid, &status, 0), kid);
		ck_assert_msg(WIFSIGNALED(status), "round %d: the child exited (%d)", r, status);
		while (read(fds[0], &i, sizeof(i)) == (ssize_t)sizeof(i))
			saved = i;
		close(fds[0]);
		mid_write += temps_left() > 0; /* killed with its temp file open */
		struct progress q;
		open_clean(&q);
		for (int k = 0; k <= saved; k++) {
			char id[32];
			snprintf(id, sizeof(id), "r%d-%d", r, k);
			ck_assert_msg(is_done(&q, id), "round %d: %s was saved, then lost", r, id);
		}
		/* What the children before saved is there too. */
		ck_assert_int_ge(q.n, (unsigned)reported + (unsigned)(saved + 1));
		reported += saved + 1;
		char next[32];
		snprintf(next, sizeof(next), "r%d-%d", r, saved + 1);
		killed_mid_way += is_done(&q, next); /* renamed, killed before the report */
		progress_close(&q);
	}
	fprintf(stderr,
		"kill -9: %d rounds, %d saves reported; killed with a temp file: %d, "
		"between rename and report: %d\n",
		rounds, reported, mid_write, killed_mid_way);
	complete_and_save("after", 1);
	ck_assert_int_eq(temps_left(), 0);
}
END_TEST

/* ---- many tutors at once --------------------------------------------------- */

/* WRITERS processes, ROUNDS saves each: each completes lessons of its own
 * and raises the best score of one shared lesson; under the flock, with
 * the re-read and the monotonic merge, nothing is lost and the shared
 * best is the best anyone had. */
START_TEST(test_many_tutors_save_at_once)
{
	enum {
		WRITERS = 4
	};
	int rounds = dt_test_count(40);
	pid_t kids[WRITERS];
	for (int w = 0; w < WRITERS; w++) {
		kids[w] = fork();
		ck_assert_int_ge(kids[w], 0);
		if (kids[w] == 0) {
			struct progress p;
			struct progress_resume res;
			memset(&res, 0, sizeof(res));
			res.valid = 1;
			res.schedule = (char *)SCHED;
			progress_open(&p, dir);
			int bad = 0;
			for (int i = 0; i < rounds; i++) {
				char id[32];
				snprintf(id, sizeof(id), "w%d-%d", w, i);
				progress_complete(&p, id, 1, 1, 1);
				/* Writer w reaches w/3 once, then worse scores. */
				progress_complete(&p, "shared", 1, i == 0 ? (unsigned)w : 0, 3);
				res.cursor = (unsigned long)i;
				progress_set_resume(&p, "shared", 1, &res);
				bad |= progress_save(&p) != 0;
			}
			progress_close(&p);
			_exit(bad);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int status;
		ck_assert_int_eq(waitpid(kids[w], &status, 0), kids[w]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d failed", w);
	}
	struct progress q;
	open_clean(&q);
	ck_assert_uint_eq(q.n, (unsigned)(WRITERS * rounds + 1));
	for (unsigned i = 0; i < q.n; i++)
		ck_assert_msg(q.l[i].done, "%s is not done", q.l[i].id);
	const struct progress_lesson *s = progress_find(&q, "shared", 0);
	ck_assert_uint_eq(s->best_score, WRITERS - 1);
	ck_assert_int_eq(s->resume.valid, 1);
	ck_assert_uint_eq(s->resume.cursor, (unsigned long)rounds - 1);
	progress_close(&q);
	ck_assert_int_eq(temps_left(), 0);
}
END_TEST

/* ---- damaged and truncated files -------------------------------------------- */

/* A real file of eight lessons, some with resume records, as saved. */
static char *real_file(size_t *len)
{
	struct progress p;
	struct progress_resume r;
	memset(&r, 0, sizeof(r));
	r.valid = 1;
	r.following = 1;
	r.ticks = 4;
	snprintf(r.answers, sizeof(r.answers), "12");
	r.schedule = (char *)SCHED;
	progress_open(&p, dir);
	for (int i = 0; i < 8; i++) {
		char id[32];
		snprintf(id, sizeof(id), "lesson-%d", i);
		ck_assert_ptr_nonnull(progress_find(&p, id, 1)); /* opened, maybe no more */
		if (i % 3 != 2)
			progress_complete(&p, id, (uint32_t)i, (unsigned)(i % 4), 3);
		if (i % 2)
			progress_set_resume(&p, id, (uint32_t)i, &r);
	}
	ck_assert_int_eq(progress_save(&p), 0);
	progress_close(&p);
	char *text = golden_read_file(path_in(PROGRESS_FILE));
	ck_assert_ptr_nonnull(text);
	*len = strlen(text); /* a saved file has no NUL byte */
	return text;
}

/* The lesson lines of text: where each starts and ends (past its '\n'). */
struct line_span {
	size_t start, end;
	char id[PROGRESS_ID_MAX];
};

static int lesson_spans(const char *text, size_t len, struct line_span *out, int max)
{
	int n = 0;
	for (size_t at = 0; at < len && n < max;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) + 1 : len;
		if (strncmp(text + at, "lesson ", 7) == 0) {
			out[n].start = at;
			out[n].end = end;
			sscanf(text + at + 7, "%63s", out[n].id);
			n++;
		}
		at = end;
	}
	return n;
}

/* Remove the progress.damaged-* files (each case sets one aside). */
static int clear_damaged(void)
{
	char cmd[128];
	int n = pfx_count_prefixed(dir, PROGRESS_FILE ".damaged-");
	snprintf(cmd, sizeof(cmd), "rm -f %s/" PROGRESS_FILE ".damaged-*", dir);
	ck_assert_int_eq(system(cmd), 0);
	return n;
}

/* The file cut at every offset (a crash of a filesystem that lost the
 * tail; scaled down, every k-th offset): at most the final newline cut
 * reads whole; anything shorter is set aside with a notice, and exactly
 * the lesson lines that survived whole are recovered, written back, and
 * equal to the originals. */
START_TEST(test_truncated_at_every_offset)
{
	size_t len;
	char *text = real_file(&len);
	struct line_span spans[16];
	int nspans = lesson_spans(text, len, spans, 16);
	ck_assert_int_eq(nspans, 8);
	struct progress orig;
	open_clean(&orig);
	size_t stride = len / (size_t)dt_test_count((int)len);
	unsigned cases = 0;
	for (size_t cut = 0; cut <= len; cut += stride ? stride : 1) {
		pfx_write_file(path_in(PROGRESS_FILE), text, cut);
		struct progress p;
		progress_open(&p, dir);
		int whole = cut >= len - 1; /* "end 8" without its newline still reads */
		ck_assert_msg(whole == (progress_notice(&p)[0] == '\0'), "cut %zu: notice '%s'",
			      cut, progress_notice(&p));
		ck_assert_int_eq(clear_damaged(), whole ? 0 : 1);
		int expect = 0;
		for (int i = 0; i < nspans; i++) {
			const struct progress_lesson *l = progress_find(&p, spans[i].id, 0);
			const struct progress_lesson *o = progress_find(&orig, spans[i].id, 0);
			if (spans[i].end > cut) {
				ck_assert_msg(l == NULL, "cut %zu: %s recovered from half a line",
					      cut, spans[i].id);
				continue;
			}
			expect++;
			ck_assert_msg(l != NULL, "cut %zu: %s lost", cut, spans[i].id);
			ck_assert_int_eq(l->done, o->done);
			ck_assert_uint_eq(l->best_score, o->best_score);
			ck_assert_int_eq(l->resume.valid, o->resume.valid);
		}
		ck_assert_uint_eq(p.n, (unsigned)expect);
		progress_close(&p);
		/* The recovered lessons were written back: a new run reads them. */
		if (expect) {
			open_clean(&p);
			ck_assert_uint_eq(p.n, (unsigned)expect);
			progress_close(&p);
		}
		cases++;
		ck_assert_int_eq(unlink(path_in(PROGRESS_FILE)) == 0 || errno == ENOENT, 1);
	}
	fprintf(stderr, "truncation: %u cuts of a %zu-byte file\n", cases, len);
	progress_close(&orig);
	free(text);
}
END_TEST

/* Random damage: one byte of the real file set to a random value (a NUL
 * among them) at a random offset, many times (fixed seed).  Reading never
 * fails or crashes; every lesson line the damage did not touch is
 * recovered as it was (a changed newline spoils the next line too). */
START_TEST(test_random_byte_damage)
{
	size_t len;
	char *text = real_file(&len);
	struct line_span spans[16];
	int nspans = lesson_spans(text, len, spans, 16);
	struct progress orig;
	open_clean(&orig);
	struct dt_rng rng;
	dt_rng_seed(&rng, 12);
	int rounds = dt_test_count(400), set_aside = 0;
	char *bad = malloc(len);
	ck_assert_ptr_nonnull(bad);
	for (int r = 0; r < rounds; r++) {
		size_t at = (size_t)dt_rng_below(&rng, len);
		memcpy(bad, text, len);
		bad[at] = r % 10 == 0 ? '\0' : (char)dt_rng_below(&rng, 256);
		if (bad[at] == text[at])
			continue;
		pfx_write_file(path_in(PROGRESS_FILE), bad, len);
		struct progress p;
		progress_open(&p, dir);
		ck_assert_int_eq(p.in_memory, 0);
		set_aside += clear_damaged();
		for (int i = 0; i < nspans; i++) {
			int touched = at >= spans[i].start && at < spans[i].end;
			if (at + 1 == spans[i].start)
				touched = 1; /* the line break before it was the damage */
			if (touched)
				continue;
			const struct progress_lesson *l = progress_find(&p, spans[i].id, 0);
			const struct progress_lesson *o = progress_find(&orig, spans[i].id, 0);
			ck_assert_msg(l != NULL, "byte %zu = %d: untouched %s lost", at,
				      (unsigned char)bad[at], spans[i].id);
			/* A damaged line can become a second record of this id:
			 * the merge then keeps the better of the two. */
			ck_assert_int_ge(l->done, o->done);
			ck_assert_uint_ge(l->best_score, o->best_score);
		}
		progress_close(&p);
		unlink(path_in(PROGRESS_FILE));
	}
	fprintf(stderr, "byte damage: %d rounds, %d files set aside\n", rounds, set_aside);
	ck_assert_int_gt(set_aside, rounds / 4);
	free(bad);
	progress_close(&orig);
	free(text);
}
END_TEST

/* Damaged files set aside within one second keep apart: none replaces an
 * earlier one. */
START_TEST(test_set_aside_names_never_collide)
{
	for (int i = 0; i < 5; i++) {
		struct progress p;
		pfx_write_file(path_in(PROGRESS_FILE), "garbage\n", 8);
		progress_open(&p, dir);
		ck_assert_msg(strstr(progress_notice(&p), "set aside as"), "notice '%s'",
			      progress_notice(&p));
		progress_close(&p);
	}
	ck_assert_int_eq(pfx_count_prefixed(dir, PROGRESS_FILE ".damaged-"), 5);
}
END_TEST

/* A file with CRLF line ends (it went through an editor): not the format,
 * so set aside, but every line is recovered. */
START_TEST(test_crlf_file_recovered)
{
	static const char text[] =
		"dpctutor-progress 1\r\n"
		"lesson two-dpcs gen=0 done=1 best=2/3 hash=0000abcd resume=-\r\n"
		"lesson queued-once gen=0 done=1 best=1/1 hash=00000005 resume=free ticks=0 "
		"answers=- cursor=3 score=0/0 sched=" SCHED "\r\n"
		"end 2\r\n";
	struct progress p;
	pfx_write_file(path_in(PROGRESS_FILE), text, sizeof(text) - 1);
	progress_open(&p, dir);
	ck_assert_msg(strstr(progress_notice(&p), "(2 whole lesson lines recovered)"),
		      "notice '%s'", progress_notice(&p));
	ck_assert(is_done(&p, "two-dpcs") && is_done(&p, "queued-once"));
	ck_assert_str_eq(progress_find(&p, "queued-once", 0)->resume.schedule, SCHED);
	progress_close(&p);
	ck_assert_int_eq(clear_damaged(), 1);
	open_clean(&p); /* written back in the format */
	ck_assert_uint_eq(p.n, 2);
	progress_close(&p);
}
END_TEST

/* The progress file is a directory: it cannot be read, so it is neither
 * set aside nor written over; progress stays in memory, with a notice. */
START_TEST(test_progress_file_is_a_directory)
{
	struct progress p;
	ck_assert_int_eq(mkdir(path_in(PROGRESS_FILE), 0700), 0);
	progress_open(&p, dir);
	ck_assert_int_eq(p.in_memory, 1);
	ck_assert_msg(strstr(progress_notice(&p), strerror(EISDIR)), "notice '%s'",
		      progress_notice(&p));
	progress_complete(&p, "two-dpcs", 1, 1, 1);
	ck_assert_int_eq(progress_save(&p), -1);
	ck_assert(is_done(&p, "two-dpcs"));
	progress_close(&p);
	struct stat st;
	ck_assert_int_eq(stat(path_in(PROGRESS_FILE), &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(pfx_count_prefixed(dir, PROGRESS_FILE ".damaged-"), 0);
	ck_assert_int_eq(temps_left(), 0);
}
END_TEST

Suite *progress_faults_suite(void)
{
	Suite *s = suite_create("progress_faults");
	TCase *tc = tcase_create("disk");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_every_save_call_fails);
	tcase_add_test(tc, test_directory_fsync_failure_is_no_loss);
	tcase_add_test(tc, test_dev_full);
	tcase_add_test(tc, test_read_error_never_overwrites);
	suite_add_tcase(s, tc);
	tc = tcase_create("kill");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_kill_at_every_point_of_a_save);
	tcase_add_test(tc, test_kill9_at_random_moments);
	tcase_add_test(tc, test_many_tutors_save_at_once);
	suite_add_tcase(s, tc);
	tc = tcase_create("damage");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_truncated_at_every_offset);
	tcase_add_test(tc, test_random_byte_damage);
	tcase_add_test(tc, test_set_aside_names_never_collide);
	tcase_add_test(tc, test_crlf_file_recovered);
	tcase_add_test(tc, test_progress_file_is_a_directory);
	suite_add_tcase(s, tc);
	return s;
}
