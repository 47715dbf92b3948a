/*
 * progress_int.h - what progress.c and progress_text.c share.
 */
#ifndef DT_PROGRESS_INT_H
#define DT_PROGRESS_INT_H

#include <stddef.h>
#include <stdio.h>

#include "progress.h"

#define PROGRESS_MAGIC "dpctutor-progress 1"

void progress_resume_clear(struct progress_resume *r);
/* Drop every lesson record of p. */
void progress_forget_all(struct progress *p);
/* text (modified in place) into p's records, replacing them: 0, or -1 and
 * no records when it is not a whole version-1 file. */
int progress_parse(struct progress *p, char *text);
/* One "lesson ..." line: 0, or -1 on a write error. */
int progress_write_lesson(FILE *f, const struct progress_lesson *l);
/* A file that failed progress_parse: every whole line (its newline read,
 * a CR before it allowed) that is a well-formed lesson line, into p
 * (replacing its records; a lesson twice is merged).  Returns how many
 * records p has. */
unsigned progress_salvage(struct progress *p, char *text);

/*
 * The fault seam.  Every system call that reads or writes the progress
 * file goes through progress_fault first: NULL in the program, set by the
 * tests (test_progress_faults.c) to make the Nth call of a kind fail, as
 * a full disk (ENOSPC) or a failing one (EIO) would, or to kill the
 * process at that point of a save.  It returns 0 to let the call happen,
 * or the errno value the call then fails with.
 */
enum progress_call {
	PROGRESS_CALL_READ,    /* read(2) of the progress file */
	PROGRESS_CALL_OPEN,    /* open(2) of the temporary file */
	PROGRESS_CALL_WRITE,   /* write(2) of one line of it */
	PROGRESS_CALL_FSYNC,   /* fsync(2) of it */
	PROGRESS_CALL_CLOSE,   /* close(2) of it */
	PROGRESS_CALL_RENAME,  /* rename(2) over the progress file */
	PROGRESS_CALL_SYNCDIR, /* fsync(2) of the directory */
	PROGRESS_CALL_COUNT
};
extern int (*progress_fault)(enum progress_call call);

/* Nonzero, errno set to it, when progress_fault makes this call fail. */
int progress_injected(enum progress_call call);
/* The whole file at path, malloc'd and NUL-terminated, its length (NUL
 * bytes in it included) in *len when len is not NULL; NULL with errno. */
char *progress_slurp(const char *path, size_t *len);
/* All len bytes of buf to fd, one write(2) per line (short writes go on):
 * 0, or -1 with errno. */
int progress_write_lines(int fd, const char *buf, size_t len);

#endif /* DT_PROGRESS_INT_H */
