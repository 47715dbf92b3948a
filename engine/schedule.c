/*
 * schedule.c - the printable, versioned form of the choice log
 * (engine-contract 2): building it, printing it, reading it back.
 *
 * A schedule is the one artifact that replay, step back, hints, the
 * explorer and bug reports all exchange, so this file owns three promises:
 *
 *   - print is canonical: one schedule has exactly one text, so texts can
 *     be compared, hashed and pasted into bug reports;
 *   - parse(print(s)) gives back s (same header, same items), and
 *     print(parse(t)) is the canonical form of any text t that parses;
 *   - parse never trusts its input: a fuzzer may hand it any bytes, and it
 *     answers 0 or -1 with a column and a one-sentence reason, never a
 *     crash, an out-of-bounds read or unbounded work per byte.
 *
 * Storage is run-length: dt_schedule_append() folds a CPU step into the
 * preceding item when that item is a run of the same CPU, so "0 0 0" and
 * "0*3" are the same schedule.  A run holds at most 1000000000 steps (the
 * largest count the text accepts); longer runs continue in a new item, so
 * the canonical form depends only on the sequence of single choices.
 * Names stay names here; dt_schedule_item_choice() and dt_machine_replay()
 * (dt_machine.h, engine/choice.c) bind them to a machine's events and
 * threads.
 *
 * Grammar of version 1.  The input is bytes (no locale, no <ctype.h>);
 * "blank" is a space or a tab.
 *
 *   schedule = [blanks] version { blanks field } [blanks] ":"
 *              [ [blanks] item { blanks item } ] [blanks] [line-end]
 *   version  = "v" number                 the number must be 1
 *   field    = "lesson=" id [ "@" hash ]  at most once each, any order
 *            | "cpus=" number             required, 1..DT_MAX_CPUS
 *            | "seed=" number             optional, 0..2^64-1, default 0
 *   item     = number                     CPU N takes one step
 *            | number "*" number          CPU N takes R steps, R 1..10^9
 *            | "e(" name ")@" number      event NAME, delivered to CPU K
 *            | "t(" name ")@" number      thread NAME, dispatched on CPU K
 *   id       = 1 to DT_NAME_MAX-1 of [A-Za-z0-9_.-]
 *   name     = [A-Za-z_] then [A-Za-z0-9_.-], DT_NAME_MAX-1 bytes at most
 *   hash     = exactly 8 of [0-9a-fA-F]
 *   number   = 1 or more of [0-9]: decimal, no sign; a value that does not
 *              fit its range is refused, never wrapped (leading zeros are
 *              read, and dropped when printing)
 *   line-end = "\r" or "\n", then nothing but blanks, "\r" and "\n"
 *
 * A field ends at a blank or at the ':', so "seed=7:" and "seed=7 :" are
 * the same; items are separated by blanks, and the ':' may touch the first
 * one.  Every CPU number (N and K) must be below cpus.  A refusal names the
 * 1-based byte column where the offending text starts (one past the end
 * when something is missing there); the column is always between 1 and
 * strlen(text) + 1 (0 only when text or out is NULL).  *out is treated as
 * output only: parse does not free what it held, and leaves it empty on
 * refusal.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt_choice.h"

#define REPEAT_MAX DT_SCHEDULE_REPEAT_MAX /* the largest N*R count, and a run's size */
#define SNIP_MAX 24            /* bytes of the input quoted in a reason */

/* Byte classes: plain range checks, the same in every locale. */
static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_eol(char c)
{
	return c == '\n' || c == '\r';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_id_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == '-';
}

static int is_name_start(char c)
{
	return is_alpha(c) || c == '_';
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int is_printable(char c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* A name that append and print accept: terminated, non-empty, the grammar. */
static int name_is_valid(const char *name)
{
	const char *nul = memchr(name, '\0', DT_NAME_MAX);

	if (!nul || nul == name || !is_name_start(name[0]))
		return 0;
	for (const char *c = name + 1; c < nul; c++)
		if (!is_id_char(*c))
			return 0;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Building: init, free, append, length.                               */

void dt_schedule_init(struct dt_schedule *s)
{
	if (!s)
		return;
	memset(s, 0, sizeof(*s));
	s->version = DT_SCHEDULE_VERSION;
}

void dt_schedule_free(struct dt_schedule *s)
{
	if (!s)
		return;
	free(s->items);
	dt_schedule_init(s);
}

/* Make room for `extra` more items, doubling; nothing changes on failure. */
static int reserve(struct dt_schedule *s, size_t extra)
{
	size_t cap = s->cap ? s->cap : 16;
	struct dt_schedule_item *items;

	if (s->items && s->cap - s->nitems >= extra)
		return 0;
	while (cap - s->nitems < extra) {
		if (cap > SIZE_MAX / 2 / sizeof(*items))
			return DT_ENOMEM;
		cap *= 2;
	}
	items = realloc(s->items, cap * sizeof(*items));
	if (!items)
		return DT_ENOMEM;
	s->items = items;
	s->cap = cap;
	return 0;
}

/*
 * Only items that print as parseable text get in: a known kind, a CPU that
 * exists (below s->cpus once that is set), a repeat of at least 1 (exactly
 * 1 for events and threads) and a valid name for events and threads.
 */
static int item_is_valid(const struct dt_schedule *s,
			 const struct dt_schedule_item *it)
{
	if (it->cpu >= DT_MAX_CPUS || (s->cpus > 0 && it->cpu >= s->cpus))
		return 0;
	switch (it->kind) {
	case DT_CHOICE_CPU:
		return it->repeat >= 1;
	case DT_CHOICE_EVENT:
	case DT_CHOICE_THREAD:
		return it->repeat == 1 && name_is_valid(it->name);
	default:
		return 0;
	}
}

/* Store a copy of `it` holding `repeat` steps; room is already reserved. */
static void push(struct dt_schedule *s, const struct dt_schedule_item *it,
		 uint32_t repeat)
{
	struct dt_schedule_item *dst = &s->items[s->nitems++];

	memset(dst, 0, sizeof(*dst));
	dst->kind = it->kind;
	dst->cpu = it->cpu;
	dst->repeat = repeat;
	dst->column = it->column;
	if (it->kind != DT_CHOICE_CPU)
		memcpy(dst->name, it->name, strlen(it->name));
}

int dt_schedule_append(struct dt_schedule *s, const struct dt_schedule_item *item)
{
	uint32_t left;

	if (!s || !item || !item_is_valid(s, item))
		return DT_EINVAL;
	if (item->kind != DT_CHOICE_CPU) {
		if (reserve(s, 1) < 0)
			return DT_ENOMEM;
		push(s, item, 1);
		return 0;
	}
	/* At most this many new runs; reserving first keeps append atomic. */
	if (reserve(s, item->repeat / REPEAT_MAX + 1) < 0)
		return DT_ENOMEM;
	left = item->repeat;
	while (left > 0) {
		struct dt_schedule_item *last =
			s->nitems ? &s->items[s->nitems - 1] : NULL;
		uint32_t take;

		if (last && last->kind == DT_CHOICE_CPU &&
		    last->cpu == item->cpu && last->repeat < REPEAT_MAX) {
			take = REPEAT_MAX - last->repeat;
			if (take > left)
				take = left;
			last->repeat += take;
		} else {
			take = left < REPEAT_MAX ? left : REPEAT_MAX;
			push(s, item, take);
		}
		left -= take;
	}
	return 0;
}

size_t dt_schedule_length(const struct dt_schedule *s)
{
	size_t total = 0;

	if (!s)
		return 0;
	for (size_t i = 0; i < s->nitems; i++) {
		if (s->items[i].repeat > SIZE_MAX - total)
			return SIZE_MAX; /* saturate where size_t is narrow */
		total += s->items[i].repeat;
	}
	return total;
}

/* ------------------------------------------------------------------ */
/* Printing: a sink that counts everything and stores what fits.       */

struct sink {
	char *buf;
	size_t size;
	size_t len; /* bytes the full text needs so far */
};

static void put_char(struct sink *k, char c)
{
	if (k->len + 1 < k->size)
		k->buf[k->len] = c;
	k->len++;
}

/* At most `max` bytes of `s`, stopping at its NUL. */
static void put_str(struct sink *k, const char *s, size_t max)
{
	for (size_t i = 0; i < max && s[i]; i++)
		put_char(k, s[i]);
}

static void put_u64(struct sink *k, uint64_t v)
{
	char digits[20];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n > 0)
		put_char(k, digits[--n]);
}

static void put_hex32(struct sink *k, uint32_t v)
{
	for (int shift = 28; shift >= 0; shift -= 4)
		put_char(k, "0123456789abcdef"[(v >> shift) & 0xf]);
}

static void put_item(struct sink *k, const struct dt_schedule_item *it)
{
	put_char(k, ' ');
	if (it->kind == DT_CHOICE_EVENT || it->kind == DT_CHOICE_THREAD) {
		put_char(k, it->kind == DT_CHOICE_EVENT ? 'e' : 't');
		put_char(k, '(');
		put_str(k, it->name, DT_NAME_MAX);
		put_str(k, ")@", 2);
		put_u64(k, it->cpu);
		return;
	}
	put_u64(k, it->cpu);
	if (it->repeat >= 2) {
		put_char(k, '*');
		put_u64(k, it->repeat);
	}
}

size_t dt_schedule_print(const struct dt_schedule *s, char *buf, size_t size)
{
	struct sink k = { .buf = buf, .size = buf ? size : 0 };

	if (s) {
		put_char(&k, 'v');
		put_u64(&k, DT_SCHEDULE_VERSION);
		if (s->lesson[0]) {
			put_str(&k, " lesson=", 8);
			put_str(&k, s->lesson, DT_NAME_MAX);
			if (s->has_hash) {
				put_char(&k, '@');
				put_hex32(&k, s->lesson_hash);
			}
		}
		put_str(&k, " cpus=", 6);
		put_u64(&k, s->cpus < 0 ? 0 : (uint64_t)s->cpus);
		put_str(&k, " seed=", 6);
		put_u64(&k, s->seed);
		put_char(&k, ':');
		for (size_t i = 0; s->items && i < s->nitems; i++)
			put_item(&k, &s->items[i]);
	}
	if (k.size > 0)
		k.buf[k.len < k.size ? k.len : k.size - 1] = '\0';
	return k.len;
}

/* ------------------------------------------------------------------ */
/* Parsing.                                                            */

/*
 * The parser reads text[0, len): len stops before the line end and the
 * trailing blanks, so every index below len is a byte of the line and no
 * read can pass the NUL.
 */
struct parser {
	const char *text;
	size_t len;
	struct dt_schedule *out;
	struct dt_schedule_error *err;
};

/* A bounded, printable quote of input bytes for a reason. */
struct snip {
	char s[SNIP_MAX + 1];
};

static struct snip snip(const char *p, size_t n)
{
	struct snip q;
	size_t keep = n <= SNIP_MAX ? n : SNIP_MAX - 3;
	size_t i;

	for (i = 0; i < keep; i++)
		q.s[i] = is_printable(p[i]) ? p[i] : '?';
	if (keep < n)
		for (; i < SNIP_MAX; i++)
			q.s[i] = '.';
	q.s[i] = '\0';
	return q;
}

/* One byte as a reason shows it: 'x', or "byte 0x07" when unprintable. */
struct chdesc {
	char s[12];
};

static struct chdesc describe(char c)
{
	struct chdesc d;
	unsigned char u = (unsigned char)c;

	if (is_printable(c)) {
		d.s[0] = '\'';
		d.s[1] = c;
		d.s[2] = '\'';
		d.s[3] = '\0';
	} else {
		memcpy(d.s, "byte 0x", 7);
		d.s[7] = "0123456789abcdef"[u >> 4];
		d.s[8] = "0123456789abcdef"[u & 0xf];
		d.s[9] = '\0';
	}
	return d;
}

static uint32_t column_of(size_t pos)
{
	return pos >= UINT32_MAX ? UINT32_MAX : (uint32_t)(pos + 1);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int refuse(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	p->err->column = column_of(pos);
	p->err->reason[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(p->err->reason, sizeof(p->err->reason), fmt, ap);
	va_end(ap);
	return -1;
}

static size_t skip_blanks(const struct parser *p, size_t i)
{
	while (i < p->len && is_blank(p->text[i]))
		i++;
	return i;
}

/* Header tokens end at a blank or the ':'; items only at a blank. */
static size_t header_token_end(const struct parser *p, size_t i)
{
	while (i < p->len && !is_blank(p->text[i]) && p->text[i] != ':')
		i++;
	return i;
}

static size_t item_token_end(const struct parser *p, size_t i)
{
	while (i < p->len && !is_blank(p->text[i]))
		i++;
	return i;
}

/*
 * Read the decimal digits of text[i, end) and return where they stop.
 * *overflow says the value passed 2^64-1; the digits are still consumed,
 * so the caller can quote them whole.
 */
static size_t scan_number(const char *t, size_t i, size_t end,
			  uint64_t *value, int *overflow)
{
	uint64_t v = 0;
	int ovf = 0;

	for (; i < end && is_digit(t[i]); i++) {
		unsigned d = (unsigned)(t[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			ovf = 1;
		else
			v = v * 10 + d;
	}
	*value = v;
	*overflow = ovf;
	return i;
}

/*
 * Find the line: stop at the first line end, which may be followed only
 * by more line ends and blanks, then drop the trailing blanks.
 */
static int measure_line(struct parser *p)
{
	const char *t = p->text;
	size_t n = 0, line;

	while (t[n] && !is_eol(t[n]))
		n++;
	line = n;
	for (; t[n]; n++)
		if (!is_blank(t[n]) && !is_eol(t[n]))
			return refuse(p, n, "a schedule is one line, but text follows a line break");
	while (line > 0 && is_blank(t[line - 1]))
		line--;
	p->len = line;
	return 0;
}

static int parse_version(struct parser *p, size_t a, size_t *next)
{
	const char *t = p->text;
	size_t b = header_token_end(p, a);
	uint64_t v;
	int ovf;

	if (b == a)
		return refuse(p, a, "a schedule starts with v1");
	if (t[a] != 'v' || b == a + 1 || scan_number(t, a + 1, b, &v, &ovf) != b)
		return refuse(p, a, "a schedule starts with v1, not '%s'",
			      snip(t + a, b - a).s);
	if (ovf || v != DT_SCHEDULE_VERSION)
		return refuse(p, a, "unsupported schedule version %s (this build reads v%d)",
			      snip(t + a + 1, b - a - 1).s, DT_SCHEDULE_VERSION);
	*next = b;
	return 0;
}

/* A field value that must be a whole number: text[a, b) all digits. */
static int whole_number(struct parser *p, size_t a, size_t b,
			const char *field, uint64_t *v, int *ovf)
{
	size_t d = scan_number(p->text, a, b, v, ovf);

	if (d == a)
		return refuse(p, a, "%s= needs a decimal number (digits only, no sign)", field);
	if (d < b)
		return refuse(p, d, "unexpected %s in the number of %s=",
			      describe(p->text[d]).s, field);
	return 0;
}

static int parse_cpus(struct parser *p, size_t a, size_t b)
{
	uint64_t v;
	int ovf;

	if (whole_number(p, a, b, "cpus", &v, &ovf) < 0)
		return -1;
	if (ovf || v < 1 || v > DT_MAX_CPUS)
		return refuse(p, a, "cpus must be from 1 to %d, not %s",
			      DT_MAX_CPUS, snip(p->text + a, b - a).s);
	p->out->cpus = (int)v;
	return 0;
}

static int parse_seed(struct parser *p, size_t a, size_t b)
{
	uint64_t v;
	int ovf;

	if (whole_number(p, a, b, "seed", &v, &ovf) < 0)
		return -1;
	if (ovf)
		return refuse(p, a, "seed %s does not fit in 64 bits (the largest is 18446744073709551615)",
			      snip(p->text + a, b - a).s);
	p->out->seed = v;
	return 0;
}

static int parse_hash(struct parser *p, size_t a, size_t b)
{
	uint32_t h = 0;
	size_t i;

	for (i = a; i < b && hex_value(p->text[i]) >= 0; i++)
		h = (h << 4) | (uint32_t)hex_value(p->text[i]);
	if (i < b)
		return refuse(p, i, "the lesson hash is 8 hex digits, and %s is not one",
			      describe(p->text[i]).s);
	if (b - a != 8)
		return refuse(p, a, "the lesson hash is exactly 8 hex digits, not %zu", b - a);
	p->out->lesson_hash = h;
	p->out->has_hash = 1;
	return 0;
}

static int parse_lesson(struct parser *p, size_t a, size_t b)
{
	const char *t = p->text;
	size_t i = a;

	while (i < b && is_id_char(t[i]))
		i++;
	if (i < b && t[i] != '@')
		return refuse(p, i, "a lesson id uses letters, digits, '_', '.' and '-', not %s",
			      describe(t[i]).s);
	if (i == a)
		return refuse(p, a, "lesson= needs an id, as in lesson=two-dpcs");
	if (i - a > DT_NAME_MAX - 1)
		return refuse(p, a, "the lesson id '%s' is longer than %d bytes",
			      snip(t + a, i - a).s, DT_NAME_MAX - 1);
	memcpy(p->out->lesson, t + a, i - a);
	p->out->lesson[i - a] = '\0';
	if (i == b)
		return 0;
	return parse_hash(p, i + 1, b);
}

enum field { F_LESSON, F_CPUS, F_SEED, F_COUNT };

static const char *field_name(int f)
{
	return f == F_LESSON ? "lesson" : f == F_CPUS ? "cpus" : "seed";
}

static int field_of(const char *key, size_t n)
{
	for (int f = 0; f < F_COUNT; f++)
		if (strlen(field_name(f)) == n && memcmp(key, field_name(f), n) == 0)
			return f;
	return -1;
}

/* One header token text[a, b): key=value. */
static int parse_field(struct parser *p, size_t a, size_t b, int seen[F_COUNT])
{
	const char *t = p->text;
	const char *eq = memchr(t + a, '=', b - a);
	size_t e;
	int f;

	if (!eq) {
		f = field_of(t + a, b - a);
		if (f >= 0)
			return refuse(p, a, "the header field '%s' needs a value, as in %s=...",
				      field_name(f), field_name(f));
		return refuse(p, a, "missing ':' after the header: '%s' is not a key=value field",
			      snip(t + a, b - a).s);
	}
	e = (size_t)(eq - t);
	f = field_of(t + a, e - a);
	if (f < 0)
		return refuse(p, a, "unknown header field '%s' (the fields are lesson, cpus and seed)",
			      snip(t + a, e - a).s);
	if (seen[f])
		return refuse(p, a, "the header field '%s' appears twice", field_name(f));
	seen[f] = 1;
	if (f == F_LESSON)
		return parse_lesson(p, e + 1, b);
	if (f == F_CPUS)
		return parse_cpus(p, e + 1, b);
	return parse_seed(p, e + 1, b);
}

/* Fields up to the ':'; *next is set just past it. */
static int parse_header(struct parser *p, size_t i, size_t *next)
{
	int seen[F_COUNT] = { 0 };

	for (;;) {
		size_t b;

		i = skip_blanks(p, i);
		if (i == p->len)
			return refuse(p, i, "missing ':' after the header (as in v1 cpus=2: 0 1)");
		if (p->text[i] == ':')
			break;
		b = header_token_end(p, i);
		if (parse_field(p, i, b, seen) < 0)
			return -1;
		i = b;
	}
	if (!seen[F_CPUS])
		return refuse(p, i, "the header has no cpus=N field");
	*next = i + 1;
	return 0;
}

/* A CPU number text[a, b) (all digits, at least one) that must be < cpus. */
static int cpu_number(struct parser *p, size_t a, size_t b, uint16_t *cpu)
{
	uint64_t v;
	int ovf;

	scan_number(p->text, a, b, &v, &ovf);
	if (ovf || v >= (uint64_t)p->out->cpus)
		return refuse(p, a, "CPU %s is out of range: this schedule has cpus=%d",
			      snip(p->text + a, b - a).s, p->out->cpus);
	*cpu = (uint16_t)v;
	return 0;
}

static int store(struct parser *p, size_t a, size_t b,
		 struct dt_schedule_item *it)
{
	int rc;

	it->column = column_of(a);
	rc = dt_schedule_append(p->out, it);
	if (rc == DT_ENOMEM)
		return refuse(p, a, "out of memory while storing the choices");
	if (rc < 0)
		return refuse(p, a, "the choice '%s' could not be stored",
			      snip(p->text + a, b - a).s);
	return 0;
}

/* N or N*R in text[a, b), which starts with a digit. */
static int parse_cpu_item(struct parser *p, size_t a, size_t b)
{
	const char *t = p->text;
	struct dt_schedule_item it;
	uint64_t v;
	int ovf;
	size_t d = scan_number(t, a, b, &v, &ovf);
	size_t r0, r1;

	memset(&it, 0, sizeof(it));
	it.kind = DT_CHOICE_CPU;
	it.repeat = 1;
	if (cpu_number(p, a, d, &it.cpu) < 0)
		return -1;
	if (d < b && t[d] != '*')
		return refuse(p, d, "unexpected %s in the CPU choice '%s'",
			      describe(t[d]).s, snip(t + a, b - a).s);
	if (d < b) {
		r0 = d + 1;
		r1 = scan_number(t, r0, b, &v, &ovf);
		if (r1 == r0)
			return refuse(p, r0, "expected a repeat count after '*' in '%s'",
				      snip(t + a, b - a).s);
		if (r1 < b)
			return refuse(p, r1, "unexpected %s after the repeat count in '%s'",
				      describe(t[r1]).s, snip(t + a, b - a).s);
		if (ovf || v < 1 || v > REPEAT_MAX)
			return refuse(p, r0, "a repeat count must be from 1 to %u, not %s",
				      REPEAT_MAX, snip(t + r0, r1 - r0).s);
		it.repeat = (uint32_t)v;
	}
	return store(p, a, b, &it);
}

/* The NAME of e(NAME)@K or t(NAME)@K: text[n0, ...), returns past ')'. */
static int parse_name(struct parser *p, size_t n0, size_t b, const char *what,
		      struct dt_schedule_item *it, size_t *next)
{
	const char *t = p->text;
	size_t n1 = n0;

	while (n1 < b && is_id_char(t[n1]))
		n1++;
	if (n1 == n0 && (n0 == b || t[n0] == ')'))
		return refuse(p, n0, "the %s has no name; write %c(NAME)@K",
			      what, it->kind == DT_CHOICE_EVENT ? 'e' : 't');
	if (n1 > n0 && !is_name_start(t[n0]))
		return refuse(p, n0, "a name starts with a letter or '_', not %s",
			      describe(t[n0]).s);
	if (n1 - n0 > DT_NAME_MAX - 1)
		return refuse(p, n0, "the name '%s' is longer than %d bytes",
			      snip(t + n0, n1 - n0).s, DT_NAME_MAX - 1);
	if (n1 == b)
		return refuse(p, n1, "missing ')' after the %s name", what);
	if (t[n1] != ')')
		return refuse(p, n1, "unexpected %s in a name; names use letters, digits, '_', '.' and '-'",
			      describe(t[n1]).s);
	memcpy(it->name, t + n0, n1 - n0);
	it->name[n1 - n0] = '\0';
	*next = n1 + 1;
	return 0;
}

/* e(NAME)@K or t(NAME)@K in text[a, b), which starts with "e(" or "t(". */
static int parse_named_item(struct parser *p, size_t a, size_t b)
{
	const char *t = p->text;
	struct dt_schedule_item it;
	const char *what = t[a] == 'e' ? "event" : "thread";
	size_t at = 0, k0, k1;
	uint64_t v;
	int ovf;

	memset(&it, 0, sizeof(it));
	it.kind = t[a] == 'e' ? DT_CHOICE_EVENT : DT_CHOICE_THREAD;
	it.repeat = 1;
	if (parse_name(p, a + 2, b, what, &it, &at) < 0)
		return -1;
	if (at == b || t[at] != '@')
		return refuse(p, at, "expected '@K' after '%s': the CPU K of the %s",
			      snip(t + a, at - a).s, what);
	k0 = at + 1;
	k1 = scan_number(t, k0, b, &v, &ovf);
	if (k1 == k0)
		return refuse(p, k0, "expected a CPU number after '@' in '%s'",
			      snip(t + a, b - a).s);
	if (k1 < b)
		return refuse(p, k1, "unexpected %s after the CPU number in '%s'",
			      describe(t[k1]).s, snip(t + a, b - a).s);
	if (cpu_number(p, k0, k1, &it.cpu) < 0)
		return -1;
	return store(p, a, b, &it);
}

/* One item token text[a, b), b > a. */
static int parse_item(struct parser *p, size_t a, size_t b)
{
	const char *t = p->text;

	if (is_digit(t[a]))
		return parse_cpu_item(p, a, b);
	if ((t[a] == 'e' || t[a] == 't') && a + 1 < b && t[a + 1] == '(')
		return parse_named_item(p, a, b);
	if ((t[a] == '+' || t[a] == '-') && a + 1 < b && is_digit(t[a + 1]))
		return refuse(p, a, "'%s' has a sign, but CPU numbers are plain digits",
			      snip(t + a, b - a).s);
	return refuse(p, a, "'%s' is not a choice; choices are N, N*R, e(NAME)@K and t(NAME)@K",
		      snip(t + a, b - a).s);
}

static int parse_items(struct parser *p, size_t i)
{
	for (;;) {
		size_t b;

		i = skip_blanks(p, i);
		if (i == p->len)
			return 0;
		b = item_token_end(p, i);
		if (parse_item(p, i, b) < 0)
			return -1;
		i = b;
	}
}

static int parse_all(struct parser *p)
{
	size_t i;

	if (measure_line(p) < 0)
		return -1;
	i = skip_blanks(p, 0);
	if (i == p->len)
		return refuse(p, 0, "the schedule is empty; it starts with v1");
	if (parse_version(p, i, &i) < 0)
		return -1;
	if (parse_header(p, i, &i) < 0)
		return -1;
	return parse_items(p, i);
}

int dt_schedule_parse(const char *text, struct dt_schedule *out,
		      struct dt_schedule_error *err)
{
	struct dt_schedule_error spare;
	struct parser p;

	if (!err)
		err = &spare;
	err->column = 0;
	err->reason[0] = '\0';
	dt_schedule_init(out); /* out is output only: what it held is not freed */
	if (!text || !out) {
		snprintf(err->reason, sizeof(err->reason),
			 "no %s was given to dt_schedule_parse", text ? "schedule to fill" : "text");
		return -1;
	}
	p.text = text;
	p.len = 0;
	p.out = out;
	p.err = err;
	if (parse_all(&p) < 0) {
		dt_schedule_free(out);
		return -1;
	}
	return 0;
}
