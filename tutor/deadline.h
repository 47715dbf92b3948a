/*
 * deadline.h - the last-resort alarm.
 *
 * The sandbox bounds every run of lesson code (instructions, memory, host
 * time per run), but a lesson can still make the whole program run for
 * hours with cheap, legal pieces: ten million steps, or an explorer bound
 * no machine finishes.  So the non-interactive modes (--check, --plain,
 * --explore, --watch per check) and any run with DPCTUTOR_ALARM or CI in
 * the environment arm alarm(): when it rings the process restores the
 * terminal if curses has it, prints one line naming the lesson and exits
 * with status 1, like any other lesson failure.
 */
#ifndef DT_DEADLINE_H
#define DT_DEADLINE_H

#include <stdbool.h>

#define DEADLINE_DEFAULT_S 60u /* seconds per lesson */
#define DEADLINE_MAX_S 86400u

/*
 * The bound in seconds: DPCTUTOR_ALARM (0..86400, 0 turns the alarm off)
 * or dflt.  *set tells whether the variable (or CI) asked for it.  -1 when
 * DPCTUTOR_ALARM is not such a number.
 */
int deadline_seconds(unsigned dflt, unsigned *seconds, bool *set);

/* (Re)start the alarm: `seconds` from now (0 stops it). */
void deadline_arm(unsigned seconds);

/* The lesson the alarm's message names (copied; NULL or "" = none). */
void deadline_name(const char *lesson);

#endif
