/*
 * progress_fx.c - scratch directories and files for the progress tests
 * (see progress_fx.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress_fx.h"
#include "testutil.h"

void pfx_make_dir(char *dir, size_t size)
{
	/* /dev/shm (tmpfs) where there is one: there fsync costs nothing, and
	 * the fault loops make thousands of saves. */
	snprintf(dir, size, "/dev/shm/dt_progress_XXXXXX");
	if (access("/dev/shm", W_OK) == 0 && mkdtemp(dir))
		return;
	snprintf(dir, size, "/tmp/dt_progress_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

void pfx_remove_tree(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	if (!dp)
		return;
	while ((e = readdir(dp))) {
		char p[512];
		if (e->d_name[0] == '.' && (!e->d_name[1] || e->d_name[1] == '.'))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (unlink(p))
			pfx_remove_tree(p);
	}
	closedir(dp);
	rmdir(dir);
}

void pfx_write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

int pfx_count_prefixed(const char *dir, const char *prefix)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	int n = 0;
	ck_assert_ptr_nonnull(dp);
	while ((e = readdir(dp)))
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(dp);
	return n;
}
