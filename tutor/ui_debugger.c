/*
 * ui_debugger.c - d: the viewed step as a kernel debugger would show it.
 *
 * Three WinDbg extension commands, laid out the way their output looks
 * on Microsoft Learn, filled with the simulator's own values: !irql for
 * each CPU ("Debugger saved IRQL for processor 0x0 -- 2 (DISPATCH_LEVEL)"),
 * !dpcs (one row per queued DPC: CPU, queue type, KDPC address, routine),
 * and !wdfkd.wdfinterrupt for each WDFINTERRUPT under its handle (the
 * engine's scrambled handle, the same on every run).  The page says at
 * the top that it is a simulation: nothing here came from a kernel, and
 * fields the simulator has no value for (vectors, the IDT) are left out.
 * b/f (Left/Right) move through the steps with the panel open.
 */
#include <stdio.h>

#include "ui_pager.h"
#include "ui_term.h"

/* The name x64 WinDbg prints after an IRQL number. */
static const char *irql_name(unsigned irql)
{
	static const char *const low[] = { "PASSIVE_LEVEL", "APC_LEVEL", "DISPATCH_LEVEL" };
	if (irql <= 2)
		return low[irql];
	switch (irql) {
	case 12:
		return "SYNCH_LEVEL";
	case 13:
		return "CLOCK_LEVEL";
	case 14:
		return "IPI_LEVEL";
	case 15:
		return "HIGH_LEVEL";
	default:
		return "device level";
	}
}

/* "module!function" for a callback: the lesson id stands for the driver. */
static void routine_name(struct ui *u, uint32_t cb, const char *dev, char *buf, size_t size)
{
	const struct rt_callback *c = cb != DT_NO_CALLBACK ? rt_callback(u->rt, cb) : NULL;
	if (!c) {
		snprintf(buf, size, "(none)");
		return;
	}
	snprintf(buf, size, "%s!%s%s%s", rt_lesson(u->rt)->id, c->name, dev ? " " : "",
		 dev ? dev : "");
}

static void irql_cmd(struct ui_page *p, const struct dt_state *st)
{
	for (unsigned c = 0; c < st->ncpus; c++) {
		ui_page_add(p, UI_S_BOLD, 0, "kd> !irql %u", c);
		ui_page_add(p, UI_S_NORMAL, 0, "Debugger saved IRQL for processor 0x%x -- %u (%s)", c,
			    st->cpus[c].irql, irql_name(st->cpus[c].irql));
	}
}

static void dpcs_cmd(struct ui *u, struct ui_page *p, const struct dt_state *st)
{
	struct dt_machine *m = rt_machine(u->rt);
	unsigned rows = 0;
	ui_page_add(p, UI_S_BOLD, 0, "kd> !dpcs");
	ui_page_add(p, UI_S_NORMAL, 0, "CPU Type      KDPC               Function");
	for (unsigned c = 0; c < st->ncpus; c++)
		for (unsigned i = 0; i < st->cpus[c].qlen; i++, rows++) {
			unsigned k = st->cpus[c].queue[i];
			const struct dt_dpc *d = &st->dpcs[k];
			char fn[160];
			const char *dev = d->interrupt != DT_NONE
				? dt_machine_string(m, st->devices[st->interrupts[d->interrupt].device].name)
				: NULL;
			routine_name(u, d->routine, dev, fn, sizeof(fn));
			ui_page_add(p, UI_S_DPC, 0, "%2u: Normal  : 0x%016llx %s", c,
				    (unsigned long long)dt_handle_of(DT_HANDLE_KDPC, k), fn);
		}
	if (!rows)
		ui_page_add(p, UI_S_DIM, 0, "(every DPC queue is empty)");
}

static void interrupt_cmd(struct ui *u, struct ui_page *p, const struct dt_state *st,
			  unsigned i)
{
	struct dt_machine *m = rt_machine(u->rt);
	const struct dt_interrupt *in = &st->interrupts[i];
	const struct dt_device *dev = &st->devices[in->device];
	const struct dt_line *line = &dev->lines[in->line];
	const struct dt_dpc *d = &st->dpcs[in->dpc];
	const struct dt_lock *l = &st->locks[in->lock];
	unsigned long long h = (unsigned long long)dt_handle_of(DT_HANDLE_INTERRUPT, i);
	char fn[160], owner[64];
	ui_page_add(p, UI_S_BOLD, 0, "kd> !wdfkd.wdfinterrupt 0x%016llx", h);
	ui_page_add(p, UI_S_NORMAL, 0, "# Dumping WDFINTERRUPT 0x%016llx (%s)", h,
		    dt_machine_string(m, dev->name));
	ui_page_add(p, UI_S_NORMAL, 0, "=========================");
	ui_page_add(p, UI_S_NORMAL, 2, "Interrupt Type: %s, %s, %s",
		    line->kind == DT_LINE_MSI ? "Message-signaled" : "Line-based",
		    in->deleted ? "Deleted" : "Connected", in->enabled ? "Enabled" : "Disabled");
	ui_page_add(p, UI_S_NORMAL, 2, "Irql: 0x%x  SynchronizeIrql: 0x%x%s", in->dirql,
		    in->passive ? 0 : in->sync_irql, in->passive ? "  (PassiveHandling)" : "");
	ui_page_add(p, UI_S_NORMAL, 2, "Mode: %s  MessageNumber: %u",
		    line->kind == DT_LINE_LEVEL ? "LevelSensitive" : "Latched", in->message_id);
	ui_page_add(p, UI_S_NORMAL, 2, "Processor Affinity: 0x%llx",
		    (unsigned long long)line->affinity);
	if (l->owner_cpu >= 0)
		snprintf(owner, sizeof(owner), "held by processor 0x%x", l->owner_cpu);
	else if (l->owner_thread >= 0)
		snprintf(owner, sizeof(owner), "held by thread %s",
			 dt_machine_string(m, st->threads[l->owner_thread].name));
	else
		snprintf(owner, sizeof(owner), "free");
	ui_page_add(p, UI_S_NORMAL, 2, "%s: %s", in->passive ? "Wait lock" : "Spin lock", owner);
	if (d->inserted)
		ui_page_add(p, UI_S_DPC, 2, "DPC: 0x%016llx queued on processor 0x%x, %u running",
			    (unsigned long long)dt_handle_of(DT_HANDLE_KDPC, in->dpc), d->queue_cpu,
			    d->running);
	else
		ui_page_add(p, UI_S_NORMAL, 2, "DPC: 0x%016llx not queued, %u running",
			    (unsigned long long)dt_handle_of(DT_HANDLE_KDPC, in->dpc), d->running);
	ui_page_add(p, UI_S_NORMAL, 2, "QueueDpcForIsr results: TRUE %u, FALSE %u", in->queue_true,
		    in->queue_false);
	routine_name(u, in->isr, NULL, fn, sizeof(fn));
	ui_page_add(p, UI_S_NORMAL, 2, "EvtInterruptIsr: %s", fn);
	if (in->dpc_routine != DT_NO_CALLBACK) {
		routine_name(u, in->dpc_routine, NULL, fn, sizeof(fn));
		ui_page_add(p, UI_S_NORMAL, 2, "EvtInterruptDpc: %s", fn);
	}
	if (in->work_item != DT_NO_CALLBACK) {
		routine_name(u, in->work_item, NULL, fn, sizeof(fn));
		ui_page_add(p, UI_S_NORMAL, 2, "EvtInterruptWorkItem: %s (%s)", fn,
			    in->wi_queued ? "queued" : "not queued");
	}
}

void ui_debugger_draw(struct ui *u)
{
	struct dt_session *s = rt_session(u->rt);
	const struct dt_state *st = dt_session_view(s);
	struct ui_page p = { 0 };
	char title[96];
	ui_page_add(&p, UI_S_WARN, 0,
		    "A simulation of what these debugger commands would print for the "
		    "simulated machine at step %zu: the values are dpctutor's, not a kernel's.",
		    dt_session_cursor(s));
	ui_page_add(&p, UI_S_NORMAL, 0, "%s", "");
	irql_cmd(&p, st);
	ui_page_add(&p, UI_S_NORMAL, 0, "%s", "");
	dpcs_cmd(u, &p, st);
	for (unsigned i = 0; i < st->ninterrupts; i++) {
		ui_page_add(&p, UI_S_NORMAL, 0, "%s", "");
		interrupt_cmd(u, &p, st, i);
	}
	ui_page_add(&p, UI_S_NORMAL, 0, "%s", "");
	ui_page_add(&p, UI_S_DIM, 0, "b/f step back and redo with the panel open.");
	snprintf(title, sizeof(title), "debugger (d), simulated: step %zu/%zu",
		 dt_session_cursor(s), dt_session_head(s));
	ui_page_show(u, &p, title);
}

void ui_debugger_key(struct ui *u, int key)
{
	if (key == 'b' || key == UI_KEY_LEFT)
		dt_session_back(rt_session(u->rt));
	else if (key == 'f' || key == UI_KEY_RIGHT)
		dt_session_redo(rt_session(u->rt));
	else
		ui_pager_key(u, key);
}
