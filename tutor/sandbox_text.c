/*
 * sandbox_text.c - what a lesson's text may do to the host's output.
 *
 * A lesson chooses the text of its error messages, of print() and of
 * warn(), and that text reaches the student's terminal: through --check
 * and --plain as it is, through the UI's log.  So it is cleaned on the
 * way out.  Control characters go (an escape sequence could retitle the
 * window, clear the screen or, on some terminals, answer back with
 * input): a tab stays, a newline or carriage return becomes a space, any
 * other byte below 0x20 and DEL become '?'.  And it is bounded: a message keeps at most
 * SB_MESSAGE_MAX bytes, a printed line at most SB_PRINT_LINE_MAX, and one
 * sandbox prints at most SB_PRINT_TOTAL_MAX bytes in all; what is cut is
 * counted ("... (N bytes left out)"), so the student knows.
 */
#include <stdio.h>
#include <string.h>

#include "sandbox_int.h"

static char sb_clean_byte(unsigned char c, int keep_newlines)
{
	if (c == '\t' || (c == '\n' && keep_newlines))
		return (char)c;
	if (c == '\n' || c == '\r')
		return ' ';
	if (c < 0x20 || c == 0x7f)
		return '?';
	return (char)c;
}

/* Back up to the start of a UTF-8 sequence, so a cut never splits one. */
static size_t sb_utf8_cut(const char *s, size_t n)
{
	size_t back = 0;

	while (back < 3 && n > back && ((unsigned char)s[n - back] & 0xC0) == 0x80)
		back++;
	return ((unsigned char)s[n - back] & 0xC0) == 0x80 ? n : n - back;
}

size_t sb_clean_text(char *dst, size_t cap, const char *src, size_t len,
		     size_t max, int keep_newlines)
{
	static const char fmt[] = " ... (%zu bytes left out)";
	size_t keep = len, i, n;

	if (cap == 0)
		return 0;
	if (keep > max)
		keep = sb_utf8_cut(src, max);
	if (keep > cap - 1)
		keep = cap - 1;
	for (i = 0; i < keep; i++)
		dst[i] = sb_clean_byte((unsigned char)src[i], keep_newlines);
	n = keep;
	if (keep < len && cap > n)
		n += (size_t)snprintf(dst + n, cap - n, fmt, len - keep);
	if (n > cap - 1)
		n = cap - 1;
	dst[n] = '\0';
	return n;
}
