/*
 * progress.h - what the student has done, kept between runs.
 *
 * One small text file, $XDG_STATE_HOME/dpctutor/progress (by default
 * ~/.local/state/dpctutor/progress), holds a line per lesson: whether its
 * story was ever finished, the best prediction score, and where the
 * student left off (the resume record: the choice log as a v1 schedule,
 * how far the story had gone and the answers given).
 *
 * Several dpctutor processes may run at once, so a save never simply
 * overwrites: it takes an exclusive flock on progress.lock, re-reads the
 * file, merges this process's knowledge into it, writes a temporary file,
 * fsyncs it and renames it over the old one.  The merge is monotonic: a
 * completion or a best score, once written, is never lowered by another
 * writer.  Only a reset lowers them, and a reset raises the lesson's
 * generation, so a process that still remembers the old progress cannot
 * bring it back.
 *
 * A file that does not parse (damaged, cut short, a NUL byte in it) is
 * set aside as progress.damaged-YYYYMMDD-HHMMSS (with "-2", "-3", ... when
 * that name is taken), and the lesson lines in it that are whole and
 * well-formed are recovered and written back at once.  A directory that
 * cannot be written, a full disk or a failing write leaves progress in
 * memory, and every later save tries again; a file that exists but cannot
 * be read is never written over.  Each leaves a one-line notice for the UI
 * (progress_notice).  No curses here: plain POSIX.
 *
 * The format, version 1 (fields separated by one space, sched last since
 * a schedule has spaces of its own):
 *
 *   dpctutor-progress 1
 *   lesson queued-once gen=0 done=1 best=2/3 hash=1a2b3c4d resume=-
 *   lesson two-dpcs gen=0 done=0 best=0/0 hash=5e6f7a8b resume=story ticks=14
 *       answers=21 cursor=9 score=1/2 sched=v1 lesson=two-dpcs@5e6f7a8b ...
 *   end 2
 *
 * (the second lesson line is one line in the file).  The closing "end N"
 * line, N the number of lesson lines, tells a whole file from a cut one.
 */
#ifndef DT_PROGRESS_H
#define DT_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#define PROGRESS_ID_MAX 64
#define PROGRESS_ANSWERS_MAX 64
#define PROGRESS_FILE "progress"

/* Where the student left a lesson. */
struct progress_resume {
	int valid;
	int following;          /* was following the story (else free play) */
	unsigned ticks;         /* story pieces taken (story_advance calls) */
	char answers[PROGRESS_ANSWERS_MAX + 1]; /* '1'..'9', one per answered question */
	unsigned long cursor;   /* the viewed step */
	unsigned score, asked;  /* predictions right / asked so far */
	char *schedule;         /* the choice log, v1 schedule text (malloc'd) */
};

struct progress_lesson {
	char id[PROGRESS_ID_MAX];
	unsigned gen;           /* raised by every reset of this lesson */
	int done;               /* the story reached its end at least once */
	unsigned best_score, best_asked;
	uint32_t hash;          /* the lesson's content hash when the line was saved */
	struct progress_resume resume;
	int dirty;              /* the resume changed here since the last save */
};

struct progress {
	char dir[1024];         /* "" when there is nowhere to save */
	struct progress_lesson *l;
	unsigned n, cap;
	int in_memory;          /* nothing is written (the notice says why) */
	char notice[320];       /* one line for the student, "" when all is well */
};

/* What the menu shows for a lesson. */
enum progress_mark {
	PROGRESS_NEW = 0,       /* never opened (or reset) */
	PROGRESS_STARTED,       /* a resume record fits the lesson as it is */
	PROGRESS_DONE,          /* finished, nothing to resume */
	PROGRESS_CHANGED,       /* a resume record for an older text of the lesson */
};

/* $XDG_STATE_HOME/dpctutor, else $HOME/.local/state/dpctutor; -1 if neither. */
int progress_default_dir(char *buf, size_t size);

/* Read the progress in dir (NULL: progress_default_dir).  Never fails:
 * problems leave a notice and, when nothing can be written, in_memory. */
void progress_open(struct progress *p, const char *dir);
void progress_close(struct progress *p);
const char *progress_notice(const struct progress *p);

/* The lesson's record, created (empty) when `create` and missing. */
struct progress_lesson *progress_find(struct progress *p, const char *id, int create);

/* The story of lesson id reached its end with score of asked right. */
void progress_complete(struct progress *p, const char *id, uint32_t hash, unsigned score,
		       unsigned asked);
/* Remember where the student is (r copied, its schedule too); NULL forgets. */
void progress_set_resume(struct progress *p, const char *id, uint32_t hash,
			 const struct progress_resume *r);
enum progress_mark progress_mark_of(const struct progress_lesson *l, uint32_t hash);

/* Merge into the file (flock, re-read, merge, temp file, fsync, rename).
 * 0, or -1 with a notice (progress stays in memory; the next save tries
 * again, and its success clears the in-memory notice). */
int progress_save(struct progress *p);
/* Forget lesson id (NULL: every lesson) in the file and here. */
int progress_reset(struct progress *p, const char *id);

/* Merge record b into a as a save does (exposed for the tests). */
void progress_merge(struct progress_lesson *a, const struct progress_lesson *b);

#endif /* DT_PROGRESS_H */
