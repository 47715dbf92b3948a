/*
 * fuzz_schedule.c - libFuzzer target: the schedule parser (dt_choice.h).
 *
 * The bytes are a schedule text (cut at the first NUL, as a C string
 * would be).  Beyond "no crash, no leak, no hang", the target checks the
 * promises engine/schedule.c makes at its top:
 *
 *   - a refusal names a column between 1 and strlen(text) + 1, gives a
 *     reason, and leaves the schedule empty;
 *   - what parses prints canonically: parse(print(s)) succeeds, gives the
 *     same header, the same number of single choices, and prints to the
 *     same text again;
 *   - replaying a parsed schedule on a small machine with that many CPUs
 *     either applies every choice or refuses with a column inside the
 *     text (never a crash, and never more steps than the step limit).
 *
 * A broken promise calls abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt_choice.h"
#include "dt_cprog.h"
#include "dt_machine.h"
#include "fuzz_util.h"

#define FAIL(...) FUZZ_FAIL("fuzz_schedule", __VA_ARGS__)

/* An ISR that queues its DPC, a DPC that takes a step, a thread body. */
static const struct dt_cinsn isr_code[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
static const struct dt_cinsn dpc_code[] = { CP_STEP(1), CP_RETI(0) };
static const struct dt_cinsn thread_code[] = { CP_STEP(1), CP_STEP(1), CP_RETI(0) };
static const struct dt_cprog progs[] = { DT_CPROG(isr_code), DT_CPROG(dpc_code),
					 DT_CPROG(thread_code) };

/* The names a schedule can bind to: event "nic" and thread "worker". */
static int build(struct dt_chost *h, struct dt_machine *m)
{
	(void)h;
	unsigned dev, line, ev, th;
	struct dt_interrupt_config ic;
	uint32_t status;
	uint64_t handle;
	if (dt_device_create(m, "nic", &dev) ||
	    dt_device_add_line(m, dev, DT_LINE_EDGE, 5, 0, &line) ||
	    dt_event_create(m, "nic", dev, line, 1, &ev))
		return -1;
	dt_interrupt_config_init(&ic, 0, 1);
	if (dt_interrupt_create(m, dev, &ic, &status, &handle))
		return -1;
	return dt_thread_create(m, "worker", 2, 0, &th);
}

static void replay(const struct dt_schedule *s, size_t textlen)
{
	struct dt_chost host = { .progs = progs, .nprogs = 3, .build = build };
	struct dt_config cfg;
	struct dt_machine *m;
	struct dt_schedule_error err;
	dt_config_default(&cfg, (unsigned)s->cpus);
	cfg.sw.step_limit = 500; /* "0*1000000000" ends at the step limit */
	cfg.trace = 0;
	if (dt_machine_create(&cfg, dt_chost_ops(), &host, &m))
		FAIL("cannot create the replay machine");
	memset(&err, 0, sizeof(err));
	int rc = dt_machine_replay(m, s, &err);
	if (rc != DT_OK && err.column > textlen + 1)
		FAIL("replay refused at column %u of a %zu-byte text: %s", err.column, textlen,
		     err.reason);
	if (dt_machine_state(m)->step > cfg.sw.step_limit)
		FAIL("replay ran %u steps past the step limit", dt_machine_state(m)->step);
	dt_machine_destroy(m);
}

static char *print_alloc(const struct dt_schedule *s)
{
	size_t n = dt_schedule_print(s, NULL, 0);
	char *buf = malloc(n + 1);
	if (!buf)
		FAIL("out of memory");
	if (dt_schedule_print(s, buf, n + 1) != n || strlen(buf) != n)
		FAIL("print's length disagrees with its text");
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	size_t len = strlen(text);

	struct dt_schedule s, again;
	struct dt_schedule_error err;
	if (dt_schedule_parse(text, &s, &err)) {
		if (err.column < 1 || err.column > len + 1)
			FAIL("refusal column %u outside 1..%zu", err.column, len + 1);
		if (!err.reason[0])
			FAIL("a refusal without a reason");
		if (s.nitems || s.items)
			FAIL("a refused parse left %zu items", s.nitems);
		free(text);
		return 0;
	}
	char *printed = print_alloc(&s);
	if (dt_schedule_parse(printed, &again, &err))
		FAIL("the canonical text '%s' does not parse: column %u: %s", printed, err.column,
		     err.reason);
	char *printed2 = print_alloc(&again);
	if (strcmp(printed, printed2))
		FAIL("print is not canonical: '%s' then '%s'", printed, printed2);
	if (again.cpus != s.cpus || again.seed != s.seed || again.has_hash != s.has_hash ||
	    (s.has_hash && again.lesson_hash != s.lesson_hash) || strcmp(again.lesson, s.lesson))
		FAIL("the header changed through print and parse: '%s'", printed);
	if (dt_schedule_length(&again) != dt_schedule_length(&s))
		FAIL("the length changed through print and parse: '%s'", printed);
	replay(&s, len);
	dt_schedule_free(&again);
	dt_schedule_free(&s);
	free(printed);
	free(printed2);
	free(text);
	return 0;
}
