/*
 * export_trace.c - a run as Chrome Trace Event JSON (export.h).
 *
 * The session keeps every recorded state, so the complete events come
 * from walking the states step by step: a frame on a CPU's stack is one
 * event from the step it appeared (ts) to the step it was gone (ts+dur).
 * Frames are compared by kind, object and the step they were entered, so
 * a DPC run that ends and the next run of the same DPC are two events.
 * Frames nest by construction, which is how trace viewers draw a DPC
 * interrupted by an ISR: the ISR as a child slice of the DPC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt_trace.h"
#include "export.h"
#include "narrate.h"
#include "replay.h"
#include "timeline.h"

#define PID_CPUS 1
#define PID_THREADS 2
#define STACK_MAX (DT_MAX_FRAMES + 1) /* the frames plus a spin on top */

/* One open slice on a CPU track. */
struct slice {
	uint8_t kind;        /* enum dt_frame_kind, or SLICE_SPIN */
	uint16_t object;
	uint32_t entered;
	size_t ts;
};
#define SLICE_SPIN 100

struct out {
	FILE *f;
	int first;           /* no event written yet */
	struct dt_machine *m;
};

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Start one trace event object: the common fields. */
static void begin(struct out *o, const char *ph, const char *name, const char *cat, int pid,
		  int tid, size_t ts)
{
	fputs(o->first ? "\n" : ",\n", o->f);
	o->first = 0;
	fprintf(o->f, "{\"ph\":\"%s\",\"name\":", ph);
	json_str(o->f, name);
	if (cat)
		fprintf(o->f, ",\"cat\":\"%s\"", cat);
	fprintf(o->f, ",\"pid\":%d,\"tid\":%d,\"ts\":%zu", pid, tid, ts);
}

/* A track's name and place: process_name/process_sort_index for a
 * process, thread_name/thread_sort_index for a track in it. */
static void meta(struct out *o, int process, int pid, int tid, const char *name, int sort)
{
	begin(o, "M", process ? "process_name" : "thread_name", NULL, pid, tid, 0);
	fputs(",\"args\":{\"name\":", o->f);
	json_str(o->f, name);
	fputs("}}", o->f);
	begin(o, "M", process ? "process_sort_index" : "thread_sort_index", NULL, pid, tid, 0);
	fprintf(o->f, ",\"args\":{\"sort_index\":%d}}", sort);
}

static enum tl_band slice_band(const struct dt_state *st, const struct slice *s)
{
	switch (s->kind) {
	case SLICE_SPIN: return TL_SPIN;
	case DT_FRAME_ISR: case DT_FRAME_TRAP: return TL_ISR;
	case DT_FRAME_SYNC: return TL_LOCKED;
	case DT_FRAME_DPC: return TL_DPC;
	default:
		if (s->object < st->nthreads && st->threads[s->object].kind == DT_THREAD_WORKER)
			return TL_WORKITEM;
		if (s->object < st->nthreads && st->threads[s->object].kind == DT_THREAD_PASSIVE_ISR)
			return TL_PASSIVE_ISR;
		return TL_THREAD;
	}
}

/* "ISR: the NIC interrupt", "DPC: the NIC DPC", "thread: worker". */
static void slice_name(struct out *o, const struct dt_state *st, const struct slice *s,
		       char *buf, size_t size)
{
	char obj[NARRATE_MAX];
	unsigned kind = s->kind == DT_FRAME_DPC ? DT_OBJ_DPC :
			s->kind == DT_FRAME_THREAD ? DT_OBJ_THREAD :
			s->kind == SLICE_SPIN ? DT_OBJ_LOCK : DT_OBJ_INTERRUPT;
	narrate_object(o->m, kind, s->object, obj, sizeof(obj));
	snprintf(buf, size, "%s: %s", s->kind == SLICE_SPIN ? "spins for" :
		 tl_band_name(slice_band(st, s)), obj);
}

static const char *band_cat(enum tl_band b)
{
	static const char *const cats[TL_BAND_COUNT] = {
		"idle", "thread", "workitem", "passive_isr", "dpc", "locked", "isr", "spin",
	};
	return b < TL_BAND_COUNT ? cats[b] : "other";
}

/* The slices CPU `cpu` is in at state st, bottom first; their count. */
static unsigned cpu_slices(const struct dt_state *st, unsigned cpu, size_t ts,
			   struct slice *out)
{
	const struct dt_cpu *c = &st->cpus[cpu];
	unsigned n = 0;
	for (unsigned d = 0; d < c->nframes && n < STACK_MAX - 1; d++) {
		const struct dt_frame *f = &c->frames[d];
		out[n++] = (struct slice){ f->kind, f->object, f->entered_step, ts };
	}
	if (n && c->frames[n - 1].state == DT_FS_SPINNING) {
		const struct dt_frame *f = &c->frames[n - 1];
		uint16_t lock = f->spin_lock != DT_NONE ? f->spin_lock : f->lock;
		out[n++] = (struct slice){ SLICE_SPIN, lock, f->entered_step, ts };
	}
	return n;
}

static int same_slice(const struct slice *a, const struct slice *b)
{
	return a->kind == b->kind && a->object == b->object && a->entered == b->entered;
}

/* Close the open slices of a CPU from depth `from` up, at time `ts`. */
static void close_slices(struct out *o, const struct dt_state *st, int cpu, struct slice *open,
			 unsigned *nopen, unsigned from, size_t ts)
{
	while (*nopen > from) {
		const struct slice *s = &open[--*nopen];
		char name[NARRATE_MAX + 32];
		slice_name(o, st, s, name, sizeof(name));
		begin(o, "X", name, band_cat(slice_band(st, s)), PID_CPUS, cpu, s->ts);
		fprintf(o->f, ",\"dur\":%zu,\"args\":{\"entered_step\":%u}}", ts - s->ts,
			(unsigned)s->entered);
	}
}

struct thread_run {
	uint8_t state;
	int16_t cpu;
	size_t ts;
};

static void close_thread(struct out *o, unsigned t, const struct thread_run *r, size_t ts)
{
	char name[48];
	const char *cat = "thread";
	if (r->state == DT_TS_RUNNING)
		snprintf(name, sizeof(name), "runs on CPU%d", r->cpu);
	else if (r->state == DT_TS_READY)
		snprintf(name, sizeof(name), "ready"), cat = "ready";
	else if (r->state == DT_TS_BLOCKED)
		snprintf(name, sizeof(name), "blocked"), cat = "blocked";
	else
		return; /* idle or done: nothing on the track */
	begin(o, "X", name, cat, PID_THREADS, (int)t, r->ts);
	fprintf(o->f, ",\"dur\":%zu}", ts - r->ts);
}

/* The states, step by step: slices, thread runs, IRQL counters. */
static void walk_states(struct out *o, struct dt_session *s)
{
	size_t head = dt_session_head(s), cursor = dt_session_cursor(s);
	static struct slice open[DT_MAX_CPUS][STACK_MAX];
	unsigned nopen[DT_MAX_CPUS] = { 0 };
	int irql[DT_MAX_CPUS];
	struct thread_run runs[DT_MAX_THREADS];
	const struct dt_state *st = NULL;
	for (unsigned c = 0; c < DT_MAX_CPUS; c++)
		irql[c] = -1;
	memset(runs, 0, sizeof(runs));
	for (size_t i = 0; i <= head; i++) {
		dt_session_goto(s, i);
		st = dt_session_view(s);
		for (unsigned c = 0; c < st->ncpus; c++) {
			struct slice now[STACK_MAX];
			unsigned n = cpu_slices(st, c, i, now), d = 0;
			while (d < n && d < nopen[c] && same_slice(&now[d], &open[c][d]))
				d++;
			close_slices(o, st, (int)c, open[c], &nopen[c], d, i);
			for (; d < n; d++)
				open[c][nopen[c]++] = now[d];
			if (st->cpus[c].irql != irql[c]) {
				char name[24];
				irql[c] = st->cpus[c].irql;
				snprintf(name, sizeof(name), "IRQL CPU%u", c);
				begin(o, "C", name, "irql", PID_CPUS, (int)c, i);
				fprintf(o->f, ",\"args\":{\"IRQL\":%d}}", irql[c]);
			}
		}
		for (unsigned t = 0; t < st->nthreads && t < DT_MAX_THREADS; t++) {
			const struct dt_thread *th = &st->threads[t];
			int16_t cpu = th->state == DT_TS_RUNNING ? th->cpu : -1;
			if (i > 0 && runs[t].state == th->state && runs[t].cpu == cpu)
				continue;
			if (i > 0)
				close_thread(o, t, &runs[t], i);
			runs[t] = (struct thread_run){ th->state, cpu, i };
		}
	}
	/* The last state lasts one step: the run ends at head + 1. */
	for (unsigned c = 0; st && c < st->ncpus; c++)
		close_slices(o, st, (int)c, open[c], &nopen[c], 0, head + 1);
	for (unsigned t = 0; st && t < st->nthreads && t < DT_MAX_THREADS; t++)
		close_thread(o, t, &runs[t], head + 1);
	dt_session_goto(s, cursor);
}

const char *export_instant(const struct dt_trace_event *e, const char **cat, int *cpu)
{
	*cpu = e->cpu;
	switch (e->kind) {
	case DT_EV_QUEUE_DPC:
	case DT_EV_WORKITEM_QUEUE:
		*cat = "queue";
		return narrate_queue_call(e);
	case DT_EV_DPC_REMOVE:
		*cat = "queue";
		return "KeRemoveQueueDpc";
	case DT_EV_DEVICE_EVENT:
		*cat = "device";
		*cpu = (int)e->arg[0];
		return "device event";
	case DT_EV_BUGCHECK: case DT_EV_DEADLOCK: case DT_EV_LESSON_ERROR:
	case DT_EV_STEP_LIMIT:
		*cat = "outcome";
		return dt_event_kind_name(e->kind);
	default:
		return NULL;
	}
}

/* The instant events: queue calls, device events, how the run ended. */
static void instants(struct out *o)
{
	const struct dt_trace_event *t = dt_machine_trace(o->m);
	size_t n = dt_machine_trace_count(o->m);
	for (size_t k = 0; k < n; k++) {
		const struct dt_trace_event *e = &t[k];
		const char *cat;
		int cpu;
		const char *name = export_instant(e, &cat, &cpu);
		if (!name)
			continue;
		char text[NARRATE_MAX * 2];
		narrate_event(o->m, e, text, sizeof(text));
		begin(o, "i", name, cat, PID_CPUS, cpu < 0 ? 0 : cpu, e->step);
		fputs(",\"s\":\"t\",\"args\":{", o->f);
		if (!strcmp(cat, "queue"))
			fprintf(o->f, "\"result\":\"%s\",", e->result ? "TRUE" : "FALSE");
		if (e->rule)
			fprintf(o->f, "\"rule\":\"R%02u\",", e->rule);
		fprintf(o->f, "\"step\":%u,\"what\":", e->step);
		json_str(o->f, text);
		fputs("}}", o->f);
	}
}

int export_trace_json(struct rt *rt, const struct export_about *a, FILE *f)
{
	struct dt_session *s = rt_session(rt);
	struct out o = { f, 1, rt_machine(rt) };
	const struct rt_lesson *l = rt_lesson(rt);
	const struct dt_state *st = dt_machine_state(o.m);
	char *sched = replay_schedule_text(rt);
	fputs("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"dpctutor\",", f);
	fputs("\"time_unit\":\"1 step = 1 us of simulated time\",\"lesson\":", f);
	json_str(f, l->id);
	fputs(",\"title\":", f);
	json_str(f, l->title ? l->title : "");
	fputs(",\"variant\":", f);
	json_str(f, a && a->variant ? a->variant : "");
	fputs(",\"run\":", f);
	json_str(f, a && a->run ? a->run : "story");
	fprintf(f, ",\"trace_schema\":%d,\"steps\":%zu,\"schedule\":", DT_TRACE_SCHEMA,
		dt_session_head(s));
	json_str(f, sched ? sched : "");
	fputs("},\"traceEvents\":[", f);
	free(sched);
	meta(&o, 1, PID_CPUS, 0, "CPUs", 1);
	meta(&o, 1, PID_THREADS, 0, "Threads", 2);
	for (unsigned c = 0; c < st->ncpus; c++) {
		char name[16];
		snprintf(name, sizeof(name), "CPU%u", c);
		meta(&o, 0, PID_CPUS, (int)c, name, (int)c);
	}
	for (unsigned t = 0; t < st->nthreads; t++)
		meta(&o, 0, PID_THREADS, (int)t,
		     dt_machine_string(o.m, st->threads[t].name), (int)t);
	walk_states(&o, s);
	instants(&o);
	fputs("\n]}\n", f);
	return ferror(f) ? -1 : 0;
}
