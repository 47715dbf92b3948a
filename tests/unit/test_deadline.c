/*
 * test_deadline.c - the last-resort alarm (tutor/deadline.c).
 *
 * The bound's parsing from DPCTUTOR_ALARM and CI, and the alarm itself: a
 * child process arms a one-second alarm and then waits for ever; the test
 * waits for the child to end (it never times it) and requires status 1 and
 * the one line on its stderr that names the lesson.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deadline.h"
#include "testutil.h"

static void env(const char *alarm, const char *ci)
{
	if (alarm)
		setenv("DPCTUTOR_ALARM", alarm, 1);
	else
		unsetenv("DPCTUTOR_ALARM");
	if (ci)
		setenv("CI", ci, 1);
	else
		unsetenv("CI");
}

START_TEST(test_the_bound_comes_from_the_environment)
{
	unsigned s = 0;
	bool set = true;

	env(NULL, NULL);
	ck_assert_int_eq(deadline_seconds(60, &s, &set), 0);
	ck_assert_uint_eq(s, 60);
	ck_assert(!set);
	env("7", NULL);
	ck_assert_int_eq(deadline_seconds(60, &s, &set), 0);
	ck_assert_uint_eq(s, 7);
	ck_assert(set);
	env("0", NULL);
	ck_assert_int_eq(deadline_seconds(60, &s, &set), 0);
	ck_assert_uint_eq(s, 0);
	env(NULL, "true");
	ck_assert_int_eq(deadline_seconds(60, &s, &set), 0);
	ck_assert_uint_eq(s, 60);
	ck_assert(set);
	env(NULL, "");
	ck_assert_int_eq(deadline_seconds(60, &s, &set), 0);
	ck_assert(!set);
	env("-1", NULL);
	ck_assert_int_eq(deadline_seconds(60, &s, &set), -1);
	env("5s", NULL);
	ck_assert_int_eq(deadline_seconds(60, &s, &set), -1);
	env("86401", NULL);
	ck_assert_int_eq(deadline_seconds(60, &s, &set), -1);
	env("86400", NULL);
	ck_assert_int_eq(deadline_seconds(60, &s, &set), 0);
	ck_assert_uint_eq(s, 86400);
	env(NULL, NULL);
}
END_TEST

START_TEST(test_the_alarm_names_the_lesson_and_exits_1)
{
	int fds[2], status;
	char buf[512];
	ssize_t n, got = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		deadline_name("lessons/first.lua");
		deadline_name("lessons/never-ends.lua"); /* the newest name wins */
		deadline_arm(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	while ((n = read(fds[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0)
		got += n;
	buf[got] = '\0';
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1, "status 0x%x", status);
	ck_assert_str_eq(buf, "dpctutor: lessons/never-ends.lua: stopped by the last-resort "
			      "alarm after 1 s without finishing (DPCTUTOR_ALARM sets the "
			      "bound, 0 turns it off)\n");
}
END_TEST

START_TEST(test_rearming_with_0_stops_the_alarm)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		deadline_arm(1);
		deadline_arm(0);
		/* SIGALRM would end the child with status 1 before this does. */
		raise(SIGUSR1);
		_exit(3);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1, "status 0x%x", status);
}
END_TEST

Suite *deadline_suite(void)
{
	Suite *s = suite_create("deadline");
	TCase *tc = tcase_create("alarm");

	tcase_add_test(tc, test_the_bound_comes_from_the_environment);
	tcase_add_test(tc, test_the_alarm_names_the_lesson_and_exits_1);
	tcase_add_test(tc, test_rearming_with_0_stops_the_alarm);
	suite_add_tcase(s, tc);
	return s;
}
