/*
 * deadline.c - the last-resort alarm (see deadline.h).
 *
 * The handler may run at any instruction, so it does only what POSIX
 * allows in a signal handler: ui_term_restore_now (write(2) and
 * tcsetattr), write(2) of a message prepared beforehand, _exit(1).  The
 * lesson's name lives in two buffers: deadline_name fills the one the
 * handler is not reading and then flips an index, so the handler never
 * sees a name half written.
 */
#include "deadline.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui_term.h"

static char names[2][512];
static volatile sig_atomic_t current; /* which of names the handler reads */
static char tail[160];                /* ": stopped by ... after N s ...\n" */
static size_t tail_len;
static bool installed;

static void write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, p, n);

		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else {
			return;
		}
	}
}

static void on_alarm(int signo)
{
	const char *name = names[current];

	(void)signo;
	ui_term_restore_now();
	write_all("dpctutor: ", 10);
	write_all(name[0] ? name : "(no lesson open)", name[0] ? strlen(name) : 16);
	write_all(tail, tail_len);
	_exit(1);
}

int deadline_seconds(unsigned dflt, unsigned *seconds, bool *set)
{
	const char *v = getenv("DPCTUTOR_ALARM"), *ci = getenv("CI");
	char *end;
	unsigned long n;

	*seconds = dflt;
	*set = ci != NULL && *ci != '\0';
	if (v == NULL || *v == '\0')
		return 0;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (*end != '\0' || *v == '-' || errno || n > DEADLINE_MAX_S)
		return -1;
	*seconds = (unsigned)n;
	*set = true;
	return 0;
}

void deadline_arm(unsigned seconds)
{
	if (!installed && seconds > 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_alarm;
		sigfillset(&sa.sa_mask);
		sa.sa_flags = SA_ONSTACK; /* ui_term's stack, when it has one */
		sigaction(SIGALRM, &sa, NULL);
		installed = true;
	}
	if (seconds > 0) {
		int n = snprintf(tail, sizeof tail, ": stopped by the last-resort alarm after "
				 "%u s without finishing (DPCTUTOR_ALARM sets the bound, 0 "
				 "turns it off)\n", seconds);

		tail_len = n > 0 && (size_t)n < sizeof tail ? (size_t)n : 0;
	}
	alarm(seconds);
}

void deadline_name(const char *lesson)
{
	int next = !current;

	snprintf(names[next], sizeof names[next], "%s", lesson ? lesson : "");
	current = next;
}
