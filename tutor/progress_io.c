/*
 * progress_io.c - the system calls of the progress file, each through the
 * fault seam (progress_fault, see progress_int.h): reading the whole file
 * and writing a new one line by line.  progress.c does the rest (the
 * lock, the temporary file, fsync and rename, through the seam too).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress_int.h"

int (*progress_fault)(enum progress_call call);

int progress_injected(enum progress_call call)
{
	int err = progress_fault ? progress_fault(call) : 0;
	if (err)
		errno = err;
	return err;
}

char *progress_slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		ssize_t got =
			progress_injected(PROGRESS_CALL_READ) ? -1 : read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got < 0) { /* a read error is no short file: report it */
				int err = errno;
				free(buf);
				buf = NULL;
				errno = err;
			}
			break;
		}
		n += (size_t)got;
		if (n == cap - 1) {
			char *b = realloc(buf, cap * 2);
			if (!b) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = b;
			cap *= 2;
		}
	}
	int err = errno;
	close(fd);
	if (buf)
		buf[n] = '\0';
	if (len)
		*len = n;
	errno = err;
	return buf;
}

int progress_write_lines(int fd, const char *buf, size_t len)
{
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) + 1 : len;
		ssize_t w = progress_injected(PROGRESS_CALL_WRITE) ? -1 : write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}
