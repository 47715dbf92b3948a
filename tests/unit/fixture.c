/*
 * fixture.c - see fixture.h.
 */
#include <check.h>
#include <string.h>

#include "dt_sched.h"
#include "fixture.h"

static int fx_build(struct dt_chost *h, struct dt_machine *m)
{
	struct fx *f = h->user;
	for (unsigned v = 0; v < f->nvars; v++)
		if (dt_var_create(m, f->vars[v], dt_int(0), NULL))
			return -1;
	for (unsigned d = 0; d < f->ndevs; d++) {
		const struct fx_dev *fd = &f->devs[d];
		unsigned dev, line;
		uint64_t aff = fd->affinity;
		if (!aff)
			aff = f->cfg.ncpus == 64 ? ~0ull : (1ull << f->cfg.ncpus) - 1;
		if (dt_device_create(m, fd->name, &dev))
			return -1;
		unsigned n = fd->messages ? fd->messages : 1;
		for (unsigned i = 0; i < n; i++)
			if (dt_device_add_line(m, dev, fd->kind, fd->dirql, aff, &line))
				return -1;
		if (dt_event_create(m, fd->name, dev, 0, 1, NULL))
			return -1;
		for (unsigned i = 0; i < n; i++) {
			struct dt_interrupt_config cfg;
			uint32_t status;
			uint64_t handle;
			dt_interrupt_config_init(&cfg, fd->isr, fd->dpc);
			if (dt_interrupt_create(m, dev, &cfg, &status, &handle) ||
			    status != DT_STATUS_SUCCESS)
				return -1;
			f->handles[dt_machine_state(m)->ninterrupts - 1] = handle;
		}
	}
	return 0;
}

void fx_init(struct fx *f, unsigned ncpus)
{
	memset(f, 0, sizeof(*f));
	dt_config_default(&f->cfg, ncpus);
	f->host.progs = f->progs;
	f->host.build = fx_build;
	f->host.user = f;
}

unsigned fx_prog(struct fx *f, const struct dt_cinsn *code, unsigned len)
{
	ck_assert_uint_lt(f->nprogs, 16);
	f->progs[f->nprogs] = (struct dt_cprog){ code, len };
	f->host.nprogs = ++f->nprogs;
	return f->nprogs - 1;
}

unsigned fx_dev(struct fx *f, const char *name, unsigned kind, unsigned dirql, uint64_t affinity,
		uint32_t isr, uint32_t dpc)
{
	ck_assert_uint_lt(f->ndevs, FX_MAX_DEVS);
	f->devs[f->ndevs] = (struct fx_dev){ name, kind, dirql, affinity, isr, dpc, 1 };
	return f->ndevs++;
}

unsigned fx_var(struct fx *f, const char *name)
{
	ck_assert_uint_lt(f->nvars, FX_MAX_VARS);
	f->vars[f->nvars] = name;
	return f->nvars++;
}

struct dt_machine *fx_start(struct fx *f)
{
	ck_assert_int_eq(dt_machine_create(&f->cfg, dt_chost_ops(), &f->host, &f->m), DT_OK);
	ck_assert_int_eq(dt_machine_state(f->m)->outcome.kind, DT_RUNNING);
	return f->m;
}

void fx_done(struct fx *f)
{
	dt_machine_destroy(f->m);
	f->m = NULL;
	ck_assert_uint_eq(f->host.live_bodies, 0);
}

int fx_try(struct fx *f, unsigned cpu)
{
	struct dt_choice c = { .kind = DT_CHOICE_CPU, .cpu = (uint16_t)cpu };
	return dt_machine_step(f->m, &c);
}

void fx_cpu(struct fx *f, unsigned cpu)
{
	ck_assert_msg(fx_try(f, cpu) == DT_OK, "CPU %u could not step at step %u", cpu,
		      dt_machine_state(f->m)->step + 1);
}

void fx_fire(struct fx *f, unsigned dev, unsigned cpu)
{
	struct dt_choice c = { .kind = DT_CHOICE_EVENT, .cpu = (uint16_t)cpu,
			       .object = (uint16_t)dev };
	ck_assert_int_eq(dt_machine_step(f->m, &c), DT_OK);
}

void fx_until(struct fx *f, unsigned cpu, enum dt_cpu_action a)
{
	for (int i = 0; i < 1000; i++) {
		if (dt_cpu_next_action(f->m, cpu) == a)
			return;
		fx_cpu(f, cpu);
	}
	ck_abort_msg("CPU %u never reached action %d", cpu, a);
}

unsigned fx_run(struct fx *f)
{
	struct dt_sched s;
	dt_sched_round_robin(&s);
	return dt_sched_run(&s, f->m, 1000000);
}

const struct dt_state *fx_st(struct fx *f)
{
	return dt_machine_state(f->m);
}

int64_t fx_val(struct fx *f, unsigned var)
{
	return fx_st(f)->vars[var].value.u.i;
}

const struct dt_trace_event *fx_last(struct fx *f, unsigned kind)
{
	const struct dt_trace_event *t = dt_machine_trace(f->m);
	for (size_t i = dt_machine_trace_count(f->m); i-- > 0;)
		if (t[i].kind == kind)
			return &t[i];
	return NULL;
}

unsigned fx_count(struct fx *f, unsigned kind)
{
	const struct dt_trace_event *t = dt_machine_trace(f->m);
	unsigned n = 0;
	for (size_t i = 0; i < dt_machine_trace_count(f->m); i++)
		n += t[i].kind == kind;
	return n;
}
