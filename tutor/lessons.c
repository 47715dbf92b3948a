/*
 * lessons.c - see lessons.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lessons.h"

#ifndef DT_DATADIR
#define DT_DATADIR "/usr/local/share/dpctutor"
#endif

static int ends_with_lua(const char *s)
{
	size_t n = strlen(s);
	return n > 4 && strcmp(s + n - 4, ".lua") == 0 && strcmp(s, "api.lua") != 0;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned scan(const char *dir, struct lesson_list *out)
{
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	if (!d)
		return 0;
	while ((e = readdir(d)) && out->n < LESSONS_MAX) {
		if (e->d_name[0] == '.' || !ends_with_lua(e->d_name))
			continue;
		size_t n = strlen(dir) + strlen(e->d_name) + 2;
		char *p = malloc(n);
		if (!p)
			break;
		snprintf(p, n, "%s/%s", dir, e->d_name);
		out->paths[out->n++] = p;
	}
	closedir(d);
	qsort(out->paths, out->n, sizeof(out->paths[0]), cmp_path);
	return out->n;
}

/* lessons/ beside the build directory: build/plain/dpctutor -> ./lessons */
static int exe_lessons(char *buf, size_t size)
{
	char exe[1024];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			return -1;
		*slash = '\0';
		snprintf(buf, size, "%s/lessons", exe);
		struct stat st;
		if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
	}
	return -1;
}

void lessons_find(const char *dir, struct lesson_list *out)
{
	char exe[1100];
	memset(out, 0, sizeof(*out));
	if (dir && scan(dir, out))
		return;
	if (scan(getenv("DPCTUTOR_LESSONS"), out))
		return;
	if (scan("lessons", out))
		return;
	if (exe_lessons(exe, sizeof(exe)) == 0 && scan(exe, out))
		return;
	scan(lessons_installed_dir(), out);
}

const char *lessons_installed_dir(void)
{
	return DT_DATADIR "/lessons";
}

void lessons_free(struct lesson_list *l)
{
	for (unsigned i = 0; i < l->n; i++)
		free(l->paths[i]);
	l->n = 0;
}

static int is_number(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int lessons_resolve(const char *dir, const char *what, char *path, size_t size)
{
	struct stat st;
	if (strchr(what, '/') || ends_with_lua(what)) {
		if (stat(what, &st) != 0)
			return -1;
		snprintf(path, size, "%s", what);
		return 0;
	}
	char file[300];
	snprintf(file, sizeof(file), "%s.lua", what); /* "mylesson" for mylesson.lua */
	if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
		snprintf(path, size, "%s", file);
		return 0;
	}
	struct lesson_list l;
	lessons_find(dir, &l);
	int rc = -1;
	for (unsigned i = 0; i < l.n && rc; i++) {
		const char *base = strrchr(l.paths[i], '/');
		base = base ? base + 1 : l.paths[i];
		/* "02-queued-once.lua": number 2, id queued-once */
		const char *dash = strchr(base, '-');
		int num = atoi(base);
		size_t idlen = dash ? strlen(dash + 1) - 4 : 0;
		if ((is_number(what) && num == atoi(what) && num > 0) ||
		    (dash && strlen(what) == idlen && strncmp(dash + 1, what, idlen) == 0)) {
			snprintf(path, size, "%s", l.paths[i]);
			rc = 0;
		}
	}
	lessons_free(&l);
	return rc;
}

static const char skeleton[] =
	"-- %s.lua: a dpctutor lesson (CC BY 4.0).  Check it with: dpctutor --check %s.lua\n"
	"lesson { api = 1, id = \"%s\", title = \"My lesson\", cpus = 2,\n"
	"         rules = { \"R10\", \"R11\" },\n"
	"         goal = \"Watch an ISR queue its DPC and the DPC run.\" }\n"
	"\n"
	"local dev = device { name = \"dev\", irql = 5, affinity = { 0, 1 } }\n"
	"local s = shared { pending = 0, handled = 0 }\n"
	"\n"
	"local status, irq = WdfInterruptCreate(dev, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    WRITE_REGISTER_ULONG(dev, \"INTSTATUS\", 1)  -- acknowledge the device\n"
	"    s.pending = s.pending + 1\n"
	"    WdfInterruptQueueDpcForIsr(interrupt)\n"
	"    return true\n"
	"  end,\n"
	"  EvtInterruptDpc = function(interrupt, device)\n"
	"    WdfInterruptAcquireLock(interrupt)\n"
	"    local n = s.pending\n"
	"    s.pending = 0\n"
	"    WdfInterruptReleaseLock(interrupt)\n"
	"    s.handled = s.handled + n\n"
	"  end,\n"
	"})\n"
	"\n"
	"story {\n"
	"  \"A device event arrives at CPU 0.\",\n"
	"  fire(dev, { cpu = 0 }),\n"
	"  ask { \"What does WdfInterruptQueueDpcForIsr return?\",\n"
	"        about = returned(\"WdfInterruptQueueDpcForIsr\"),\n"
	"        choices = { \"TRUE\", \"FALSE\" }, answer = \"TRUE\",\n"
	"        why = \"The DPC was not queued yet (R11).\" },\n"
	"  run_to_end(),\n"
	"  expect(function() return s.handled == 1 end, \"the event was handled\"),\n"
	"}\n";

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 23)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			 (i && ((c >= '0' && c <= '9') || c == '-'));
		if (!ok)
			return 0;
	}
	return 1;
}

int lessons_new(const char *name)
{
	char path[64];
	if (!valid_name(name)) {
		fprintf(stderr, "dpctutor: --new needs a short name of letters, digits, - and _ "
				"(got '%s')\n", name);
		return -1;
	}
	snprintf(path, sizeof(path), "%s.lua", name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0) {
		fprintf(stderr, "dpctutor: cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -1;
	}
	fprintf(f, skeleton, name, name, name);
	if (fclose(f)) {
		fprintf(stderr, "dpctutor: writing %s failed\n", path);
		return -1;
	}
	printf("wrote %s; check it with: dpctutor --check %s\n", path, path);
	return 0;
}
