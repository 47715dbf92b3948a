/*
 * test_progress.c - the progress file (tutor/progress.c): what a save
 * writes and what a later run reads back, two writers merging through the
 * file (in one process, and in two processes saving at once under the
 * flock), the monotonic merge (a completion or a best score is never
 * lowered by a writer that knows less), resets beating stale writers, a
 * damaged or cut-short file set aside with a notice, an unwritable
 * directory leaving progress in memory, the resume record's round trip,
 * and the menu mark of a lesson whose content hash changed.
 *
 * Every test works in its own fresh directory under /tmp (mkdtemp) and
 * passes it to progress_open, so the real ~/.local/state is never read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "progress.h"
#include "progress_fx.h"
#include "testutil.h"

#define SCHED "v1 lesson=two-dpcs@0000abcd cpus=2 seed=7: e(nic)@0 0*3 1"

static char dir[64];

static void setup(void)
{
	pfx_make_dir(dir, sizeof(dir));
}

static void teardown(void)
{
	pfx_remove_tree(dir);
}

static void write_text(const char *path, const char *text)
{
	pfx_write_file(path, text, strlen(text));
}

static char *file_path(const char *name)
{
	static char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static int count_prefixed(const char *prefix)
{
	return pfx_count_prefixed(dir, prefix);
}

static struct progress_resume sample_resume(void)
{
	struct progress_resume r;
	memset(&r, 0, sizeof(r));
	r.valid = 1;
	r.following = 1;
	r.ticks = 14;
	snprintf(r.answers, sizeof(r.answers), "21");
	r.cursor = 9;
	r.score = 1;
	r.asked = 2;
	r.schedule = (char *)SCHED;
	return r;
}

START_TEST(test_empty_dir_reads_as_nothing)
{
	struct progress p;
	progress_open(&p, dir);
	ck_assert_str_eq(progress_notice(&p), "");
	ck_assert_int_eq(p.in_memory, 0);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_ptr_null(progress_find(&p, "two-dpcs", 0));
	ck_assert_int_eq(progress_mark_of(NULL, 1), PROGRESS_NEW);
	progress_close(&p);
}
END_TEST

START_TEST(test_resume_round_trip)
{
	struct progress p;
	struct progress_resume r = sample_resume();
	progress_open(&p, dir);
	progress_set_resume(&p, "two-dpcs", 0xabcd, &r);
	ck_assert_int_eq(progress_save(&p), 0);
	progress_close(&p);

	progress_open(&p, dir);
	ck_assert_str_eq(progress_notice(&p), "");
	const struct progress_lesson *l = progress_find(&p, "two-dpcs", 0);
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l->resume.valid, 1);
	ck_assert_int_eq(l->resume.following, 1);
	ck_assert_uint_eq(l->resume.ticks, 14);
	ck_assert_str_eq(l->resume.answers, "21");
	ck_assert_uint_eq(l->resume.cursor, 9);
	ck_assert_uint_eq(l->resume.score, 1);
	ck_assert_uint_eq(l->resume.asked, 2);
	ck_assert_str_eq(l->resume.schedule, SCHED);
	ck_assert_uint_eq(l->hash, 0xabcd);
	ck_assert_int_eq(l->done, 0);
	ck_assert_int_eq(progress_mark_of(l, 0xabcd), PROGRESS_STARTED);
	progress_close(&p);
}
END_TEST

START_TEST(test_free_play_record_without_answers)
{
	struct progress p;
	struct progress_resume r = sample_resume();
	r.following = 0;
	r.answers[0] = '\0';
	progress_open(&p, dir);
	progress_set_resume(&p, "queued-once", 7, &r);
	ck_assert_int_eq(progress_save(&p), 0);
	progress_close(&p);
	progress_open(&p, dir);
	const struct progress_lesson *l = progress_find(&p, "queued-once", 0);
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l->resume.following, 0);
	ck_assert_str_eq(l->resume.answers, "");
	progress_close(&p);
}
END_TEST

START_TEST(test_content_hash_mismatch)
{
	struct progress p;
	struct progress_resume r = sample_resume();
	progress_open(&p, dir);
	progress_complete(&p, "two-dpcs", 0x1111, 2, 2);
	progress_set_resume(&p, "two-dpcs", 0x1111, &r);
	ck_assert_int_eq(progress_save(&p), 0);
	progress_close(&p);
	progress_open(&p, dir);
	const struct progress_lesson *l = progress_find(&p, "two-dpcs", 0);
	ck_assert_int_eq(progress_mark_of(l, 0x1111), PROGRESS_STARTED);
	/* The lesson's text changed: offer a restart, keep the completion. */
	ck_assert_int_eq(progress_mark_of(l, 0x2222), PROGRESS_CHANGED);
	ck_assert_int_eq(l->done, 1);
	/* Restarting drops the record; the completion stays. */
	progress_set_resume(&p, "two-dpcs", 0x2222, NULL);
	ck_assert_int_eq(progress_save(&p), 0);
	progress_close(&p);
	progress_open(&p, dir);
	l = progress_find(&p, "two-dpcs", 0);
	ck_assert_int_eq(l->resume.valid, 0);
	ck_assert_int_eq(l->done, 1);
	ck_assert_int_eq(progress_mark_of(l, 0x2222), PROGRESS_DONE);
	progress_close(&p);
}
END_TEST

START_TEST(test_two_writers_merge)
{
	struct progress a, b;
	struct progress_resume r = sample_resume();
	progress_open(&a, dir);
	progress_open(&b, dir); /* both read the same (empty) file */
	progress_complete(&a, "queued-once", 5, 3, 3);
	ck_assert_int_eq(progress_save(&a), 0);
	progress_set_resume(&b, "two-dpcs", 0xabcd, &r);
	ck_assert_int_eq(progress_save(&b), 0);
	/* b's save merged a's completion in rather than overwriting it. */
	ck_assert_ptr_nonnull(progress_find(&b, "queued-once", 0));
	progress_close(&a);
	progress_close(&b);
	progress_open(&a, dir);
	const struct progress_lesson *q = progress_find(&a, "queued-once", 0);
	const struct progress_lesson *t = progress_find(&a, "two-dpcs", 0);
	ck_assert_ptr_nonnull(q);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(q->done, 1);
	ck_assert_uint_eq(q->best_score, 3);
	ck_assert_int_eq(t->resume.valid, 1);
	ck_assert_uint_eq(a.n, 2);
	progress_close(&a);
}
END_TEST

START_TEST(test_merge_is_monotonic)
{
	struct progress a, b;
	progress_open(&a, dir);
	progress_open(&b, dir);
	progress_complete(&a, "two-dpcs", 9, 3, 3);
	ck_assert_int_eq(progress_save(&a), 0);
	/* b knows only a worse, unfinished try: saving must lower nothing. */
	struct progress_lesson *l = progress_find(&b, "two-dpcs", 1);
	l->best_score = 1;
	l->best_asked = 3;
	ck_assert_int_eq(progress_save(&b), 0);
	progress_close(&a);
	progress_close(&b);
	progress_open(&a, dir);
	l = progress_find(&a, "two-dpcs", 0);
	ck_assert_int_eq(l->done, 1);
	ck_assert_uint_eq(l->best_score, 3);
	ck_assert_uint_eq(l->best_asked, 3);
	/* A worse completion later keeps the best. */
	progress_complete(&a, "two-dpcs", 9, 0, 3);
	ck_assert_uint_eq(progress_find(&a, "two-dpcs", 0)->best_score, 3);
	progress_close(&a);
}
END_TEST

START_TEST(test_merge_rules)
{
	struct progress_lesson f, m;
	memset(&f, 0, sizeof(f));
	memset(&m, 0, sizeof(m));
	f.done = 1;
	f.best_score = 2;
	f.best_asked = 3;
	m.best_score = 3;
	m.best_asked = 3;
	progress_merge(&f, &m);
	ck_assert_int_eq(f.done, 1);
	ck_assert_uint_eq(f.best_score, 3);
	/* A record from before a reset (older generation) changes nothing. */
	f.gen = 1;
	f.done = 0;
	f.best_score = f.best_asked = 0;
	m.done = 1;
	progress_merge(&f, &m);
	ck_assert_int_eq(f.done, 0);
	ck_assert_uint_eq(f.best_score, 0);
}
END_TEST

START_TEST(test_reset_beats_a_stale_writer)
{
	struct progress a, b;
	progress_open(&a, dir);
	progress_complete(&a, "two-dpcs", 9, 3, 3);
	progress_complete(&a, "queued-once", 5, 1, 1);
	ck_assert_int_eq(progress_save(&a), 0);
	progress_open(&b, dir); /* b remembers both completions */
	ck_assert_int_eq(progress_reset(&a, "two-dpcs"), 0);
	ck_assert_int_eq(progress_find(&a, "two-dpcs", 0)->done, 0);
	ck_assert_int_eq(progress_find(&a, "queued-once", 0)->done, 1);
	progress_complete(&b, "other", 1, 0, 0);
	ck_assert_int_eq(progress_save(&b), 0);
	/* b's stale completion did not come back. */
	ck_assert_int_eq(progress_find(&b, "two-dpcs", 0)->done, 0);
	progress_close(&b);
	/* Reset everything: nothing is done any more. */
	ck_assert_int_eq(progress_reset(&a, NULL), 0);
	progress_close(&a);
	progress_open(&a, dir);
	for (unsigned i = 0; i < a.n; i++)
		ck_assert_msg(!a.l[i].done && !a.l[i].resume.valid, "%s survived the reset",
			      a.l[i].id);
	ck_assert_uint_eq(a.n, 3);
	progress_close(&a);
}
END_TEST

/* text is set aside; `recovered` of its lesson lines were whole and are
 * kept (written back at once, so the file exists only when there are). */
static void expect_set_aside(const char *text, unsigned recovered)
{
	struct progress p;
	write_text(file_path(PROGRESS_FILE), text);
	progress_open(&p, dir);
	ck_assert_msg(strstr(progress_notice(&p), "set aside as") != NULL, "notice: '%s'",
		      progress_notice(&p));
	ck_assert_msg(strchr(progress_notice(&p), '\n') == NULL, "the notice is one line");
	ck_assert_msg(!recovered == !strstr(progress_notice(&p), "recovered"), "notice: '%s'",
		      progress_notice(&p));
	ck_assert_uint_eq(p.n, recovered);
	ck_assert_int_eq(p.in_memory, 0);
	ck_assert_int_eq(count_prefixed(PROGRESS_FILE ".damaged-"), 1);
	ck_assert_int_eq(access(file_path(PROGRESS_FILE), F_OK), recovered ? 0 : -1);
	/* And saving works again from scratch. */
	progress_complete(&p, "two-dpcs", 1, 1, 1);
	ck_assert_int_eq(progress_save(&p), 0);
	progress_close(&p);
	progress_open(&p, dir);
	ck_assert_str_eq(progress_notice(&p), "");
	ck_assert_int_eq(progress_find(&p, "two-dpcs", 0)->done, 1);
	progress_close(&p);
}

START_TEST(test_damaged_file_set_aside)
{
	expect_set_aside("this is not a progress file\n\x01\x02", 0);
}
END_TEST

START_TEST(test_truncated_file_set_aside)
{
	/* A whole line, then the file stops: no "end" line.  The whole line
	 * is recovered. */
	expect_set_aside("dpctutor-progress 1\n"
			 "lesson two-dpcs gen=0 done=1 best=2/3 hash=0000abcd resume=-\n", 1);
}
END_TEST

START_TEST(test_cut_mid_line_set_aside)
{
	expect_set_aside("dpctutor-progress 1\n"
			 "lesson two-dpcs gen=0 done=1 best=2/3 hash=0000abcd resume=story "
			 "ticks=3 answers=1 cur", 0);
}
END_TEST

START_TEST(test_bad_fields_set_aside)
{
	/* best 4/3 (more right than asked) cannot be. */
	expect_set_aside("dpctutor-progress 1\n"
			 "lesson two-dpcs gen=0 done=1 best=4/3 hash=0000abcd resume=-\n"
			 "end 1\n", 0);
}
END_TEST

START_TEST(test_whole_file_reads)
{
	struct progress p;
	write_text(file_path(PROGRESS_FILE),
		   "dpctutor-progress 1\n"
		   "lesson two-dpcs gen=2 done=1 best=2/3 hash=0000abcd resume=-\n"
		   "lesson queued-once gen=0 done=0 best=0/0 hash=00000005 resume=free ticks=0 "
		   "answers=- cursor=3 score=0/0 sched=" SCHED "\n"
		   "end 2\n");
	progress_open(&p, dir);
	ck_assert_str_eq(progress_notice(&p), "");
	ck_assert_uint_eq(p.n, 2);
	ck_assert_uint_eq(progress_find(&p, "two-dpcs", 0)->gen, 2);
	ck_assert_str_eq(progress_find(&p, "queued-once", 0)->resume.schedule, SCHED);
	progress_close(&p);
}
END_TEST

START_TEST(test_unwritable_dir_stays_in_memory)
{
	/* A directory under a regular file cannot be made, even by root. */
	char bad[256];
	write_text(file_path("plain-file"), "x\n");
	snprintf(bad, sizeof(bad), "%s/plain-file/dpctutor", dir);
	struct progress p;
	progress_open(&p, bad);
	ck_assert_int_eq(p.in_memory, 1);
	ck_assert_msg(strstr(progress_notice(&p), "in memory only") != NULL, "notice: '%s'",
		      progress_notice(&p));
	progress_complete(&p, "two-dpcs", 1, 1, 1);
	ck_assert_int_eq(progress_save(&p), -1);
	/* Still known here. */
	ck_assert_int_eq(progress_find(&p, "two-dpcs", 0)->done, 1);
	progress_close(&p);
}
END_TEST

START_TEST(test_default_dir_from_environment)
{
	char buf[256];
	char *old_xdg = getenv("XDG_STATE_HOME") ? strdup(getenv("XDG_STATE_HOME")) : NULL;
	char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	setenv("XDG_STATE_HOME", "/srv/state", 1);
	ck_assert_int_eq(progress_default_dir(buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/srv/state/dpctutor");
	setenv("XDG_STATE_HOME", "relative/ignored", 1);
	setenv("HOME", "/home/student", 1);
	ck_assert_int_eq(progress_default_dir(buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/home/student/.local/state/dpctutor");
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	ck_assert_int_eq(progress_default_dir(buf, sizeof(buf)), -1);
	if (old_xdg)
		setenv("XDG_STATE_HOME", old_xdg, 1);
	if (old_home)
		setenv("HOME", old_home, 1);
	free(old_xdg);
	free(old_home);
}
END_TEST

/* Two processes each complete their own lessons, one save per lesson, at
 * the same time: with the flock and the re-read, no save loses another's. */
START_TEST(test_two_processes_save_at_once)
{
	enum { PER_WRITER = 25 };
	pid_t kids[2];
	for (int w = 0; w < 2; w++) {
		kids[w] = fork();
		ck_assert_int_ge(kids[w], 0);
		if (kids[w] == 0) {
			struct progress p;
			progress_open(&p, dir);
			int bad = 0;
			for (int i = 0; i < PER_WRITER; i++) {
				char id[32];
				snprintf(id, sizeof(id), "w%d-lesson%d", w, i);
				progress_complete(&p, id, (uint32_t)i, 1, 1);
				bad |= progress_save(&p) != 0;
			}
			progress_close(&p);
			_exit(bad);
		}
	}
	for (int w = 0; w < 2; w++) {
		int status;
		ck_assert_int_eq(waitpid(kids[w], &status, 0), kids[w]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d failed", w);
	}
	struct progress p;
	progress_open(&p, dir);
	ck_assert_str_eq(progress_notice(&p), "");
	ck_assert_uint_eq(p.n, 2 * PER_WRITER);
	for (unsigned i = 0; i < p.n; i++)
		ck_assert_int_eq(p.l[i].done, 1);
	progress_close(&p);
	ck_assert_int_eq(count_prefixed(PROGRESS_FILE ".tmp"), 0);
}
END_TEST

Suite *progress_suite(void)
{
	Suite *s = suite_create("progress");
	TCase *tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_empty_dir_reads_as_nothing);
	tcase_add_test(tc, test_resume_round_trip);
	tcase_add_test(tc, test_free_play_record_without_answers);
	tcase_add_test(tc, test_content_hash_mismatch);
	tcase_add_test(tc, test_whole_file_reads);
	tcase_add_test(tc, test_default_dir_from_environment);
	suite_add_tcase(s, tc);
	tc = tcase_create("merge");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_two_writers_merge);
	tcase_add_test(tc, test_merge_is_monotonic);
	tcase_add_test(tc, test_merge_rules);
	tcase_add_test(tc, test_reset_beats_a_stale_writer);
	tcase_add_test(tc, test_two_processes_save_at_once);
	suite_add_tcase(s, tc);
	tc = tcase_create("trouble");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_damaged_file_set_aside);
	tcase_add_test(tc, test_truncated_file_set_aside);
	tcase_add_test(tc, test_cut_mid_line_set_aside);
	tcase_add_test(tc, test_bad_fields_set_aside);
	tcase_add_test(tc, test_unwritable_dir_stays_in_memory);
	suite_add_tcase(s, tc);
	return s;
}
