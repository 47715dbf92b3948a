/*
 * progress_int.h - what progress.c and progress_text.c share.
 */
#ifndef DT_PROGRESS_INT_H
#define DT_PROGRESS_INT_H

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

#endif /* DT_PROGRESS_INT_H */
