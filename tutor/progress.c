/*
 * progress.c - the progress file: where it lives, the lock, the merge, a
 * damaged file, the in-memory fallback (see progress.h for the rules a
 * save follows; progress_text.c reads and writes the lines).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "progress_int.h"


int progress_default_dir(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	int n;
	/* The XDG spec: a relative $XDG_STATE_HOME is invalid and ignored. */
	if (xdg && xdg[0] == '/')
		n = snprintf(buf, size, "%s/dpctutor", xdg);
	else if (home && home[0])
		n = snprintf(buf, size, "%s/.local/state/dpctutor", home);
	else
		return -1;
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

void progress_resume_clear(struct progress_resume *r)
{
	free(r->schedule);
	memset(r, 0, sizeof(*r));
}

static int resume_copy(struct progress_resume *to, const struct progress_resume *from)
{
	char *s = from->schedule ? strdup(from->schedule) : NULL;
	if (from->schedule && !s)
		return -1;
	progress_resume_clear(to);
	*to = *from;
	to->schedule = s;
	return 0;
}

void progress_forget_all(struct progress *p)
{
	for (unsigned i = 0; i < p->n; i++)
		progress_resume_clear(&p->l[i].resume);
	free(p->l);
	p->l = NULL;
	p->n = p->cap = 0;
}

struct progress_lesson *progress_find(struct progress *p, const char *id, int create)
{
	for (unsigned i = 0; i < p->n; i++)
		if (strcmp(p->l[i].id, id) == 0)
			return &p->l[i];
	if (!create || strlen(id) >= PROGRESS_ID_MAX)
		return NULL;
	if (p->n == p->cap) {
		unsigned cap = p->cap ? p->cap * 2 : 8;
		struct progress_lesson *l = realloc(p->l, cap * sizeof(*l));
		if (!l)
			return NULL;
		p->l = l;
		p->cap = cap;
	}
	struct progress_lesson *l = &p->l[p->n++];
	memset(l, 0, sizeof(*l));
	snprintf(l->id, sizeof(l->id), "%s", id);
	return l;
}

/* ---- the directory, the lock, a damaged file ------------------------------ */

static void path_of(const struct progress *p, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", p->dir, name);
}

/* mkdir -p; 0 or -1 with errno. */
static int make_dirs(const char *dir)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -1;
	struct stat st;
	if (stat(buf, &st) || !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return access(buf, W_OK | X_OK);
}

static void go_in_memory(struct progress *p, const char *what, int err)
{
	p->in_memory = 1;
	/* The reason before the path: a narrow status line still shows it. */
	snprintf(p->notice, sizeof(p->notice),
		 "progress is kept in memory only (%s): cannot %s %.200s", strerror(err), what,
		 p->dir);
}

/* The exclusive lock that serialises savers: a descriptor, or -1. */
static int lock_dir(struct progress *p)
{
	char path[1100];
	if (make_dirs(p->dir)) {
		go_in_memory(p, "create", errno);
		return -1;
	}
	path_of(p, PROGRESS_FILE ".lock", path, sizeof(path));
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		go_in_memory(p, "write to", errno);
		return -1;
	}
	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR) {
			go_in_memory(p, "lock a file in", errno);
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void unlock_dir(int fd)
{
	flock(fd, LOCK_UN);
	close(fd);
}

/* Rename a file that does not parse out of the way, with a notice.  The
 * name is new (a second damaged file in the same second gets "-2", ...)
 * so that no earlier damaged file is replaced; under the lock, no other
 * dpctutor can take the name between the check and the rename. */
static void set_aside(struct progress *p, unsigned salvaged)
{
	char from[1100], to[1200], stamp[32], saved[64] = "";
	time_t now = time(NULL);
	struct tm tm;
	struct stat st;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	path_of(p, PROGRESS_FILE, from, sizeof(from));
	snprintf(to, sizeof(to), "%s/" PROGRESS_FILE ".damaged-%s", p->dir, stamp);
	for (unsigned i = 2; lstat(to, &st) == 0 && i < 1000; i++)
		snprintf(to, sizeof(to), "%s/" PROGRESS_FILE ".damaged-%s-%u", p->dir, stamp, i);
	if (salvaged) /* first, where a narrow status line still shows it */
		snprintf(saved, sizeof(saved), " (%u whole lesson line%s recovered)", salvaged,
			 salvaged == 1 ? "" : "s");
	if (rename(from, to) == 0)
		snprintf(p->notice, sizeof(p->notice),
			 "the progress file did not read back%s; it was set aside as %.200s", saved,
			 to);
	else
		snprintf(p->notice, sizeof(p->notice),
			 "the progress file %.200s did not read back and cannot be moved (%s)",
			 from, strerror(errno));
}

/* The results of read_locked. */
enum { READ_OK = 0, READ_SET_ASIDE = 1, READ_FAILED = -1 };

/* The file into p (under the lock): READ_OK (also for no file yet);
 * READ_SET_ASIDE when it did not parse (p then holds what could be
 * salvaged from it, and a notice); READ_FAILED, with a notice and no
 * records, when it cannot be read at all (then it must not be written:
 * what it holds is unknown). */
static int read_locked(struct progress *p)
{
	char path[1100];
	path_of(p, PROGRESS_FILE, path, sizeof(path));
	size_t len;
	char *text = progress_slurp(path, &len);
	if (!text) {
		int err = errno;
		progress_forget_all(p);
		if (err == ENOENT)
			return READ_OK;
		snprintf(p->notice, sizeof(p->notice),
			 "progress is kept in memory only (%s): cannot read %.200s", strerror(err),
			 path);
		return READ_FAILED;
	}
	char *copy = malloc(len + 1);
	if (copy)
		memcpy(copy, text, len + 1);
	/* A NUL byte (a block of zeros from a crash, say) is damage too; the
	 * salvage reads on past it, as a line break. */
	int rc = strlen(text) == len ? progress_parse(p, text) : -1;
	free(text);
	if (rc == 0) {
		free(copy);
		return READ_OK;
	}
	for (size_t i = 0; copy && i < len; i++)
		if (copy[i] == '\0')
			copy[i] = '\n';
	set_aside(p, copy ? progress_salvage(p, copy) : 0);
	free(copy);
	return READ_SET_ASIDE;
}

/* Remove the temporary files of savers killed before their rename (under
 * the lock: no saver is writing one now) but mine, which is truncated. */
static void remove_stale_temps(const struct progress *p, const char *mine)
{
	DIR *d = opendir(p->dir);
	struct dirent *e;
	const char *prefix = PROGRESS_FILE ".tmp-";
	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[1400];
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", p->dir, e->d_name);
		if (strcmp(path, mine) != 0)
			unlink(path);
	}
	closedir(d);
}

/* p's records as the text of a whole file (malloc'd), or NULL. */
static char *file_text(const struct progress *p, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	int bad = fprintf(f, PROGRESS_MAGIC "\n") < 0;
	for (unsigned i = 0; i < p->n && !bad; i++)
		bad = progress_write_lesson(f, &p->l[i]);
	bad = bad || fprintf(f, "end %u\n", p->n) < 0;
	if (fclose(f) || bad) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Write p to the file (under the lock): temp file, fsync, rename.  The old
 * file stays whole until the rename, so a failure or a death at any point
 * leaves it or the new one, never a mixture. */
static int write_locked(struct progress *p)
{
	char path[1100], tmp[1200];
	path_of(p, PROGRESS_FILE, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid());
	remove_stale_temps(p, tmp);
	size_t len = 0;
	char *text = file_text(p, &len);
	if (!text) {
		go_in_memory(p, "write to", ENOMEM);
		return -1;
	}
	int fd = progress_injected(PROGRESS_CALL_OPEN) ? -1
		: open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(text);
		go_in_memory(p, "write to", errno);
		return -1;
	}
	int bad = progress_write_lines(fd, text, len) || progress_injected(PROGRESS_CALL_FSYNC) ||
		  fsync(fd);
	int err = errno;
	free(text);
	int close_err = progress_injected(PROGRESS_CALL_CLOSE);
	if (close(fd) && !close_err)
		close_err = errno;
	if (!bad && close_err) {
		bad = 1;
		err = close_err;
	}
	if (!bad && (progress_injected(PROGRESS_CALL_RENAME) || rename(tmp, path))) {
		bad = 1;
		err = errno;
	}
	if (bad) {
		unlink(tmp);
		go_in_memory(p, "write to", err);
		return -1;
	}
	/* The rename itself is durable once the directory is synced. */
	int dfd = open(p->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (!progress_injected(PROGRESS_CALL_SYNCDIR))
			fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* ---- the public calls ------------------------------------------------------ */

void progress_open(struct progress *p, const char *dir)
{
	memset(p, 0, sizeof(*p));
	if (dir)
		snprintf(p->dir, sizeof(p->dir), "%s", dir);
	else if (progress_default_dir(p->dir, sizeof(p->dir))) {
		p->dir[0] = '\0';
		p->in_memory = 1;
		snprintf(p->notice, sizeof(p->notice),
			 "progress is kept in memory only: neither XDG_STATE_HOME nor HOME is set");
		return;
	}
	int fd = lock_dir(p);
	if (fd < 0) {
		/* Nothing can be written; what is there may still be read. */
		char path[1100];
		path_of(p, PROGRESS_FILE, path, sizeof(path));
		char *text = progress_slurp(path, NULL);
		if (text && progress_parse(p, text))
			progress_forget_all(p);
		free(text);
		return;
	}
	int rc = read_locked(p);
	if (rc == READ_SET_ASIDE && p->n)
		write_locked(p); /* what was recovered is on disk again at once */
	else if (rc == READ_FAILED)
		p->in_memory = 1;
	unlock_dir(fd);
}

void progress_close(struct progress *p)
{
	progress_forget_all(p);
}

const char *progress_notice(const struct progress *p)
{
	return p->notice;
}

/* The better of two scores: more answers right, then more asked. */
static int better(unsigned s1, unsigned a1, unsigned s2, unsigned a2)
{
	return s1 > s2 || (s1 == s2 && a1 > a2);
}

void progress_complete(struct progress *p, const char *id, uint32_t hash, unsigned score,
		       unsigned asked)
{
	struct progress_lesson *l = progress_find(p, id, 1);
	if (!l)
		return;
	l->done = 1;
	l->hash = hash;
	if (better(score, asked, l->best_score, l->best_asked)) {
		l->best_score = score;
		l->best_asked = asked;
	}
}

void progress_set_resume(struct progress *p, const char *id, uint32_t hash,
			 const struct progress_resume *r)
{
	struct progress_lesson *l = progress_find(p, id, 1);
	if (!l)
		return;
	if (r) {
		if (resume_copy(&l->resume, r))
			return;
		l->resume.valid = r->schedule != NULL;
	} else {
		progress_resume_clear(&l->resume);
	}
	l->hash = hash;
	l->dirty = 1;
}

enum progress_mark progress_mark_of(const struct progress_lesson *l, uint32_t hash)
{
	if (!l)
		return PROGRESS_NEW;
	if (l->resume.valid)
		return l->hash == hash ? PROGRESS_STARTED : PROGRESS_CHANGED;
	return l->done ? PROGRESS_DONE : PROGRESS_NEW;
}

/* a is the file's record, b this process's: a becomes the merge. */
void progress_merge(struct progress_lesson *a, const struct progress_lesson *b)
{
	if (a->gen > b->gen)
		return; /* b remembers progress from before a reset */
	if (b->gen > a->gen) {
		resume_copy(&a->resume, &b->resume);
		a->gen = b->gen;
		a->done = b->done;
		a->best_score = b->best_score;
		a->best_asked = b->best_asked;
		a->hash = b->hash;
		return;
	}
	a->done = a->done || b->done;
	if (better(b->best_score, b->best_asked, a->best_score, a->best_asked)) {
		a->best_score = b->best_score;
		a->best_asked = b->best_asked;
	}
	if (b->dirty) {
		resume_copy(&a->resume, &b->resume);
		a->hash = b->hash;
	}
}

/* Merge mine into the file's records in `file` (the result). */
static void merge_all(struct progress *file, const struct progress *mine)
{
	for (unsigned i = 0; i < mine->n; i++) {
		const struct progress_lesson *m = &mine->l[i];
		struct progress_lesson *f = progress_find(file, m->id, 0);
		if (f) {
			progress_merge(f, m);
			continue;
		}
		if (!(f = progress_find(file, m->id, 1)))
			continue;
		*f = *m;
		f->resume.schedule = NULL; /* f gets its own copy */
		resume_copy(&f->resume, &m->resume);
	}
	for (unsigned i = 0; i < file->n; i++)
		file->l[i].dirty = 0;
}

/* The file's records in `file`, merged with mine; mine becomes the result. */
static int save_with(struct progress *p, const char *reset_id, int reset_all)
{
	/* No directory at all: in memory for good.  Otherwise every save tries
	 * again, so that a disk that was full once loses nothing later. */
	if (!p->dir[0])
		return p->in_memory ? -1 : 0;
	int fd = lock_dir(p);
	if (fd < 0)
		return -1;
	struct progress file;
	memset(&file, 0, sizeof(file));
	snprintf(file.dir, sizeof(file.dir), "%s", p->dir);
	int rd = read_locked(&file);
	if (rd == READ_FAILED) {
		/* What the file holds is unknown: writing would lose it. */
		unlock_dir(fd);
		snprintf(p->notice, sizeof(p->notice), "%s", file.notice);
		p->in_memory = 1;
		return -1;
	}
	merge_all(&file, p);
	for (unsigned i = 0; i < file.n; i++) {
		struct progress_lesson *l = &file.l[i];
		if (!reset_all && !(reset_id && strcmp(l->id, reset_id) == 0))
			continue;
		progress_resume_clear(&l->resume);
		l->gen++;
		l->done = 0;
		l->best_score = l->best_asked = 0;
	}
	int rc = write_locked(&file);
	unlock_dir(fd);
	if (rc) {
		snprintf(p->notice, sizeof(p->notice), "%s", file.notice);
		p->in_memory = 1;
		progress_forget_all(&file);
		return -1;
	}
	if (p->in_memory) { /* written again: the in-memory notice is over */
		p->in_memory = 0;
		p->notice[0] = '\0';
	}
	if (rd == READ_SET_ASIDE)
		snprintf(p->notice, sizeof(p->notice), "%s", file.notice);
	progress_forget_all(p);
	p->l = file.l;
	p->n = file.n;
	p->cap = file.cap;
	return 0;
}

int progress_save(struct progress *p)
{
	return save_with(p, NULL, 0);
}

int progress_reset(struct progress *p, const char *id)
{
	/* In memory too, whether or not the file can be written. */
	for (unsigned i = 0; i < p->n; i++) {
		struct progress_lesson *l = &p->l[i];
		if (id && strcmp(l->id, id) != 0)
			continue;
		progress_resume_clear(&l->resume);
		l->done = 0;
		l->best_score = l->best_asked = 0;
		l->dirty = 0;
		if (p->in_memory)
			l->gen++; /* should a later save get through */
	}
	return save_with(p, id, id == NULL);
}
