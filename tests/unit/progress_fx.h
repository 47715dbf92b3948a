/*
 * progress_fx.h - scratch directories and files for the progress tests
 * (test_progress.c, test_progress_faults.c): each test works in its own
 * fresh directory (under /dev/shm or /tmp), so the real ~/.local/state
 * is never read.
 */
#ifndef DT_PROGRESS_FX_H
#define DT_PROGRESS_FX_H

#include <stddef.h>

/* A new empty directory dt_progress_XXXXXX in /dev/shm, else /tmp, into
 * dir (size >= 40). */
void pfx_make_dir(char *dir, size_t size);
/* rm -r dir (files, and directories one level down). */
void pfx_remove_tree(const char *dir);
/* path := the len bytes of data (fails the test if it cannot). */
void pfx_write_file(const char *path, const char *data, size_t len);
/* How many entries of dir start with prefix. */
int pfx_count_prefixed(const char *dir, const char *prefix);

#endif /* DT_PROGRESS_FX_H */
