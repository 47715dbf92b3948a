/*
 * progress.c - the progress file: see progress.h for the format and the
 * rules a save follows.
 */
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

#define PROGRESS_MAGIC "dpctutor-progress 1"

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

static void resume_clear(struct progress_resume *r)
{
	free(r->schedule);
	memset(r, 0, sizeof(*r));
}

static int resume_copy(struct progress_resume *to, const struct progress_resume *from)
{
	char *s = from->schedule ? strdup(from->schedule) : NULL;
	if (from->schedule && !s)
		return -1;
	resume_clear(to);
	*to = *from;
	to->schedule = s;
	return 0;
}

static void lessons_clear(struct progress *p)
{
	for (unsigned i = 0; i < p->n; i++)
		resume_clear(&p->l[i].resume);
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

/* ---- the text form ------------------------------------------------------ */

static int valid_id(const char *s)
{
	if (!*s || strlen(s) >= PROGRESS_ID_MAX)
		return 0;
	for (; *s; s++)
		if (!(*s == '-' || *s == '_' || *s == '.' || (*s >= '0' && *s <= '9') ||
		      (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return 0;
	return 1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "S/A" with S <= A. */
static int parse_ratio(const char *s, unsigned *num, unsigned *den)
{
	char buf[32];
	unsigned long a, b;
	const char *slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (parse_uint(buf, 1000000, &a) || parse_uint(slash + 1, 1000000, &b) || a > b)
		return -1;
	*num = (unsigned)a;
	*den = (unsigned)b;
	return 0;
}

/* The value of "key=value" when tok starts with key=, else NULL. */
static const char *field(const char *tok, const char *key)
{
	size_t n = strlen(key);
	return strncmp(tok, key, n) == 0 && tok[n] == '=' ? tok + n + 1 : NULL;
}

/* One "lesson ..." line (without its newline) into *l; -1 if malformed. */
static int parse_lesson(char *line, struct progress_lesson *l)
{
	memset(l, 0, sizeof(*l));
	char *sched = strstr(line, " sched=");
	if (sched) {
		*sched = '\0';
		sched += 7;
	}
	/* The fixed fields, in order: lesson ID gen done best hash resume. */
	static const char *const keys[] = { "gen", "done", "best", "hash", "resume" };
	char *save = NULL, *tok = strtok_r(line, " ", &save);
	unsigned long v;
	if (!tok || strcmp(tok, "lesson") != 0)
		return -1;
	tok = strtok_r(NULL, " ", &save);
	if (!tok || !valid_id(tok))
		return -1;
	snprintf(l->id, sizeof(l->id), "%s", tok);
	for (unsigned k = 0; k < 5; k++) {
		const char *val;
		tok = strtok_r(NULL, " ", &save);
		if (!tok || !(val = field(tok, keys[k])))
			return -1;
		switch (k) {
		case 0:
			if (parse_uint(val, 1000000000, &v))
				return -1;
			l->gen = (unsigned)v;
			break;
		case 1:
			if (parse_uint(val, 1, &v))
				return -1;
			l->done = (int)v;
			break;
		case 2:
			if (parse_ratio(val, &l->best_score, &l->best_asked))
				return -1;
			break;
		case 3: {
			char *end;
			if (strlen(val) != 8)
				return -1;
			l->hash = (uint32_t)strtoul(val, &end, 16);
			if (*end)
				return -1;
			break;
		}
		default:
			if (strcmp(val, "-") == 0) {
				/* no resume record: nothing may follow */
				return strtok_r(NULL, " ", &save) || sched ? -1 : 0;
			}
			if (strcmp(val, "story") && strcmp(val, "free"))
				return -1;
			l->resume.following = strcmp(val, "story") == 0;
		}
	}
	/* The resume record: ticks answers cursor score, then sched. */
	struct progress_resume *r = &l->resume;
	const char *val;
	if (!(tok = strtok_r(NULL, " ", &save)) || !(val = field(tok, "ticks")) ||
	    parse_uint(val, 100000000, &v))
		return -1;
	r->ticks = (unsigned)v;
	if (!(tok = strtok_r(NULL, " ", &save)) || !(val = field(tok, "answers")) ||
	    strlen(val) > PROGRESS_ANSWERS_MAX)
		return -1;
	if (strcmp(val, "-") != 0) {
		for (const char *a = val; *a; a++)
			if (*a < '1' || *a > '9')
				return -1;
		snprintf(r->answers, sizeof(r->answers), "%s", val);
	}
	if (!(tok = strtok_r(NULL, " ", &save)) || !(val = field(tok, "cursor")) ||
	    parse_uint(val, 100000000, &v))
		return -1;
	r->cursor = v;
	if (!(tok = strtok_r(NULL, " ", &save)) || !(val = field(tok, "score")) ||
	    parse_ratio(val, &r->score, &r->asked))
		return -1;
	if (strtok_r(NULL, " ", &save) || !sched || strncmp(sched, "v1 ", 3) != 0)
		return -1;
	if (!(r->schedule = strdup(sched)))
		return -1;
	r->valid = 1;
	return 0;
}

static int write_lesson(FILE *f, const struct progress_lesson *l)
{
	const struct progress_resume *r = &l->resume;
	fprintf(f, "lesson %s gen=%u done=%d best=%u/%u hash=%08x resume=", l->id, l->gen,
		l->done, l->best_score, l->best_asked, (unsigned)l->hash);
	if (!r->valid || !r->schedule)
		return fprintf(f, "-\n") < 0 ? -1 : 0;
	return fprintf(f, "%s ticks=%u answers=%s cursor=%lu score=%u/%u sched=%s\n",
		       r->following ? "story" : "free", r->ticks,
		       r->answers[0] ? r->answers : "-", r->cursor, r->score, r->asked,
		       r->schedule) < 0 ? -1 : 0;
}

/* Read the whole file (NUL-terminated, malloc'd); NULL with errno. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n == cap - 1) {
			char *b = realloc(buf, cap * 2);
			if (!b) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = b;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* Parse text into p's lesson list (replacing it); -1 when it is not a
 * whole version-1 file. */
static int parse_file(struct progress *p, char *text)
{
	lessons_clear(p);
	char *save = NULL, *line = strtok_r(text, "\n", &save);
	if (!line || strcmp(line, PROGRESS_MAGIC) != 0)
		return -1;
	unsigned count = 0;
	while ((line = strtok_r(NULL, "\n", &save))) {
		unsigned long want;
		if (strncmp(line, "end ", 4) == 0) {
			if (parse_uint(line + 4, 100000, &want) || want != count ||
			    strtok_r(NULL, "\n", &save))
				break;
			return 0;
		}
		struct progress_lesson l;
		if (parse_lesson(line, &l) || progress_find(p, l.id, 0)) {
			resume_clear(&l.resume);
			break;
		}
		struct progress_lesson *to = progress_find(p, l.id, 1);
		if (!to) {
			resume_clear(&l.resume);
			break;
		}
		*to = l;
		count++;
	}
	lessons_clear(p);
	return -1;
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
	snprintf(p->notice, sizeof(p->notice),
		 "progress is kept in memory only: cannot %s %.200s (%s)", what, p->dir,
		 strerror(err));
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

/* Rename a file that does not parse out of the way, with a notice. */
static void set_aside(struct progress *p)
{
	char from[1100], to[1200], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	path_of(p, PROGRESS_FILE, from, sizeof(from));
	snprintf(to, sizeof(to), "%s/" PROGRESS_FILE ".damaged-%s", p->dir, stamp);
	if (rename(from, to) == 0)
		snprintf(p->notice, sizeof(p->notice),
			 "the progress file did not read back; it was set aside as %.200s", to);
	else
		snprintf(p->notice, sizeof(p->notice),
			 "the progress file %.200s did not read back and cannot be moved (%s)",
			 from, strerror(errno));
}

/* The file into p (under the lock): 0, or -1 when it had to be set aside. */
static int read_locked(struct progress *p)
{
	char path[1100];
	path_of(p, PROGRESS_FILE, path, sizeof(path));
	char *text = slurp(path);
	if (!text) {
		lessons_clear(p);
		return errno == ENOENT ? 0 : -1;
	}
	int rc = parse_file(p, text);
	free(text);
	if (rc)
		set_aside(p);
	return rc;
}

/* Write p to the file (under the lock): temp file, fsync, rename. */
static int write_locked(struct progress *p)
{
	char path[1100], tmp[1200];
	path_of(p, PROGRESS_FILE, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		if (fd >= 0)
			close(fd);
		go_in_memory(p, "write to", errno);
		return -1;
	}
	int bad = fprintf(f, PROGRESS_MAGIC "\n") < 0;
	for (unsigned i = 0; i < p->n && !bad; i++)
		bad = write_lesson(f, &p->l[i]);
	bad = bad || fprintf(f, "end %u\n", p->n) < 0 || fflush(f) || fsync(fd);
	int err = errno;
	if (fclose(f) || bad || rename(tmp, path)) {
		err = bad ? err : errno;
		unlink(tmp);
		go_in_memory(p, "write to", err);
		return -1;
	}
	/* The rename itself is durable once the directory is synced. */
	int dfd = open(p->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
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
		char *text = slurp(path);
		if (text && parse_file(p, text))
			lessons_clear(p);
		free(text);
		return;
	}
	read_locked(p);
	unlock_dir(fd);
}

void progress_close(struct progress *p)
{
	lessons_clear(p);
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
		resume_clear(&l->resume);
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
		struct progress_lesson copy = *m;
		copy.resume.schedule = NULL;
		*f = copy;
		memset(&f->resume, 0, sizeof(f->resume));
		resume_copy(&f->resume, &m->resume);
	}
	for (unsigned i = 0; i < file->n; i++)
		file->l[i].dirty = 0;
}

/* The file's records in `file`, merged with mine; mine becomes the result. */
static int save_with(struct progress *p, const char *reset_id, int reset_all)
{
	if (p->in_memory || !p->dir[0])
		return p->in_memory ? -1 : 0;
	int fd = lock_dir(p);
	if (fd < 0)
		return -1;
	struct progress file;
	memset(&file, 0, sizeof(file));
	snprintf(file.dir, sizeof(file.dir), "%s", p->dir);
	if (read_locked(&file))
		snprintf(p->notice, sizeof(p->notice), "%s", file.notice);
	merge_all(&file, p);
	for (unsigned i = 0; i < file.n; i++) {
		struct progress_lesson *l = &file.l[i];
		if (!reset_all && !(reset_id && strcmp(l->id, reset_id) == 0))
			continue;
		resume_clear(&l->resume);
		l->gen++;
		l->done = 0;
		l->best_score = l->best_asked = 0;
	}
	int rc = write_locked(&file);
	if (rc)
		snprintf(p->notice, sizeof(p->notice), "%s", file.notice);
	unlock_dir(fd);
	if (rc) {
		p->in_memory = 1;
		lessons_clear(&file);
		return -1;
	}
	lessons_clear(p);
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
		resume_clear(&l->resume);
		l->done = 0;
		l->best_score = l->best_asked = 0;
		l->dirty = 0;
		if (p->in_memory)
			l->gen++;
	}
	if (p->in_memory)
		return -1;
	return save_with(p, id, id == NULL);
}
