/*
 * lessons.h - finding lesson files, and writing a new one.
 *
 * Lessons are found, in order, in --lessons DIR, $DPCTUTOR_LESSONS, the
 * build tree (./lessons, or lessons/ beside the build directory of the
 * running binary), then the installed data directory.  The first
 * directory that holds lessons wins; files are taken in name order, so
 * "01-tour.lua" comes before "02-...".
 */
#ifndef DT_LESSONS_H
#define DT_LESSONS_H

#include <stddef.h>

#define LESSONS_MAX 64

struct lesson_list {
	char *paths[LESSONS_MAX];
	unsigned n;
};

void lessons_find(const char *dir, struct lesson_list *out);
/* The installed lesson directory, compiled in from the Makefile's PREFIX. */
const char *lessons_installed_dir(void);
void lessons_free(struct lesson_list *l);
/* A file path, a lesson id ("queued-once") or a number ("2") -> a path. */
int lessons_resolve(const char *dir, const char *what, char *path, size_t size);
/* Write NAME.lua (a skeleton that passes --check); refuses to overwrite. */
int lessons_new(const char *name);

#endif
