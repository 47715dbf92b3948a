/*
 * scenario.c - building a machine: devices and their lines, named device
 * events, watched values, WDFSPINLOCKs and WdfInterruptCreate.
 *
 * Objects are numbered in creation order, and their handles derive from
 * that number alone (dt_handle_of), so the same lesson shows the same
 * WDFINTERRUPT value on every run (engine-contract 7).  WdfInterruptCreate
 * validates its configuration the way the framework does and answers
 * with an NTSTATUS, never a crash (R40, R50).
 */
#include <stdio.h>
#include <string.h>

#include "machine_int.h"

/* ---- identities ---------------------------------------------------------- */

/*
 * KMDF turns an object's address into a handle by XOR with ~7 (the low
 * three bits carry flags), so handles look like 0x00003f7f...  The
 * simulator gives every object a fake, 512-byte aligned address in a
 * region per type and applies the same scramble.
 */
#define DT_FAKE_POOL 0xFFFFC08000000000ull
#define DT_HANDLE_MASK (~(uint64_t)7)

static uint64_t fake_address(enum dt_handle_type type, unsigned index)
{
	return DT_FAKE_POOL + (uint64_t)type * 0x10000000ull + 0x1000ull + (uint64_t)index * 0x200ull;
}

uint64_t dt_handle_of(enum dt_handle_type type, unsigned index)
{
	return fake_address(type, index) ^ DT_HANDLE_MASK;
}

static unsigned type_count(const struct dt_machine *m, enum dt_handle_type type)
{
	switch (type) {
	case DT_HANDLE_DEVICE:
		return m->st.ndevices;
	case DT_HANDLE_INTERRUPT:
		return m->st.ninterrupts;
	case DT_HANDLE_SPINLOCK:
	case DT_HANDLE_WAITLOCK:
		return m->st.nlocks;
	case DT_HANDLE_KDPC:
		return m->st.ndpcs;
	}
	return 0;
}

int dt_handle_decode(const struct dt_machine *m, uint64_t handle, enum dt_handle_type type,
		     unsigned *index)
{
	if (!m || handle == 0 || (handle & 7) != 0)
		return 0;
	uint64_t base = fake_address(type, 0);
	uint64_t addr = handle ^ DT_HANDLE_MASK;
	if (addr < base || (addr - base) % 0x200 != 0)
		return 0;
	uint64_t i = (addr - base) / 0x200;
	if (i >= type_count(m, type))
		return 0;
	if (type == DT_HANDLE_SPINLOCK && m->st.locks[i].kind != DT_LOCK_WDFSPINLOCK)
		return 0;
	if (type == DT_HANDLE_WAITLOCK && m->st.locks[i].kind != DT_LOCK_WAITLOCK)
		return 0;
	if (type == DT_HANDLE_KDPC && m->st.dpcs[i].interrupt != DT_NONE)
		return 0; /* an interrupt's embedded DPC is not the driver's KDPC */
	if (index)
		*index = (unsigned)i;
	return 1;
}

/* ---- devices, events, values ------------------------------------------- */

static int name_ok(const char *name)
{
	return name && *name && strlen(name) < DT_NAME_MAX;
}

int dt_device_create(struct dt_machine *m, const char *name, unsigned *out_device)
{
	if (!m || !name_ok(name))
		return DT_EINVAL;
	struct dt_state *st = &m->st;
	uint32_t id = dt_machine_intern(m, name);
	for (unsigned i = 0; i < st->ndevices; i++)
		if (st->devices[i].name == id)
			return DT_EINVAL;
	if (st->ndevices == DT_MAX_DEVICES)
		return DT_ELIMIT;
	unsigned d = st->ndevices++;
	struct dt_device *dev = &st->devices[d];
	memset(dev, 0, sizeof(*dev));
	dev->name = id;
	dev->regs[DT_REG_INTENABLE] = 0xFFFFFFFFu;
	dev->callback_lock = DT_NONE;
	if (out_device)
		*out_device = d;
	return DT_OK;
}

int dt_device_add_line(struct dt_machine *m, unsigned device, enum dt_line_kind kind,
		       unsigned dirql, uint64_t affinity, unsigned *out_line)
{
	if (!m || device >= m->st.ndevices || kind > DT_LINE_MSI)
		return DT_EINVAL;
	if (dirql < DT_DIRQL_MIN || dirql > DT_DIRQL_MAX)
		return DT_EINVAL;
	uint64_t all = m->st.ncpus == 64 ? ~0ull : ((1ull << m->st.ncpus) - 1);
	if (affinity == 0 || (affinity & ~all))
		return DT_EINVAL;
	struct dt_device *dev = &m->st.devices[device];
	if (dev->nlines == DT_MAX_LINES)
		return DT_ELIMIT;
	/* A device has either one wired line or a set of MSI messages. */
	if (dev->nlines && (kind != DT_LINE_MSI || dev->lines[0].kind != DT_LINE_MSI))
		return DT_EINVAL;
	unsigned l = dev->nlines++;
	struct dt_line *line = &dev->lines[l];
	memset(line, 0, sizeof(*line));
	line->kind = (uint8_t)kind;
	line->dirql = (uint8_t)dirql;
	line->affinity = affinity;
	line->interrupt = DT_NONE;
	if (out_line)
		*out_line = l;
	return DT_OK;
}

int dt_event_create(struct dt_machine *m, const char *name, unsigned device, unsigned line,
		    uint32_t bits, unsigned *out_event)
{
	if (!m || !name_ok(name) || device >= m->st.ndevices || bits == 0)
		return DT_EINVAL;
	if (line >= m->st.devices[device].nlines)
		return DT_EINVAL;
	uint32_t id = dt_machine_intern(m, name);
	for (unsigned i = 0; i < m->st.nevents; i++)
		if (m->st.events[i].name == id)
			return DT_EINVAL;
	if (m->st.nevents == DT_MAX_EVENTS)
		return DT_ELIMIT;
	unsigned e = m->st.nevents++;
	struct dt_event *ev = &m->st.events[e];
	memset(ev, 0, sizeof(*ev));
	ev->name = id;
	ev->device = (uint16_t)device;
	ev->line = (uint8_t)line;
	ev->bits = bits;
	if (out_event)
		*out_event = e;
	return DT_OK;
}

int dt_var_create(struct dt_machine *m, const char *name, struct dt_value initial,
		  unsigned *out_var)
{
	if (!m || !name_ok(name) || initial.kind < DT_VAL_NIL || initial.kind > DT_VAL_STRING)
		return DT_EINVAL;
	uint32_t id = dt_machine_intern(m, name);
	for (unsigned i = 0; i < m->st.nvars; i++)
		if (m->st.vars[i].name == id)
			return DT_EINVAL;
	if (m->st.nvars == DT_MAX_VARS)
		return DT_ELIMIT;
	unsigned v = m->st.nvars++;
	struct dt_var *var = &m->st.vars[v];
	memset(var, 0, sizeof(*var));
	var->name = id;
	var->value = initial;
	var->last_writer_cpu = -1;
	if (out_var)
		*out_var = v;
	return DT_OK;
}

/* ---- locks, interrupt objects ------------------------------------------ */

static int lock_new(struct dt_machine *m, enum dt_lock_kind kind, unsigned *out)
{
	if (m->st.nlocks == DT_MAX_LOCKS)
		return DT_ELIMIT;
	unsigned l = m->st.nlocks++;
	memset(&m->st.locks[l], 0, sizeof(m->st.locks[l]));
	m->st.locks[l].owner_cpu = -1;
	m->st.locks[l].owner_thread = -1;
	m->st.locks[l].interrupt = DT_NONE;
	m->st.locks[l].kind = (uint8_t)kind;
	*out = l;
	return DT_OK;
}

int dt_spinlock_create(struct dt_machine *m, uint64_t *handle)
{
	if (!m || !handle)
		return DT_EINVAL;
	unsigned l;
	int rc = lock_new(m, DT_LOCK_WDFSPINLOCK, &l);
	if (rc)
		return rc;
	*handle = dt_handle_of(DT_HANDLE_SPINLOCK, l);
	return DT_OK;
}

int dt_waitlock_create(struct dt_machine *m, uint64_t *handle)
{
	if (!m || !handle)
		return DT_EINVAL;
	unsigned l;
	int rc = lock_new(m, DT_LOCK_WAITLOCK, &l);
	if (rc)
		return rc;
	*handle = dt_handle_of(DT_HANDLE_WAITLOCK, l);
	return DT_OK;
}

static int dpc_new(struct dt_machine *m, unsigned interrupt, uint32_t routine, unsigned *out);

int dt_kdpc_create(struct dt_machine *m, uint32_t routine, uint64_t *handle)
{
	if (!m || !handle)
		return DT_EINVAL;
	unsigned d;
	int rc = dpc_new(m, DT_NONE, routine, &d);
	if (rc)
		return rc;
	*handle = dt_handle_of(DT_HANDLE_KDPC, d);
	return DT_OK;
}

int dt_device_set_sync(struct dt_machine *m, unsigned device, int passive_level, int scope)
{
	if (!m || device >= m->st.ndevices || scope < 0 || scope > 2)
		return DT_EINVAL;
	struct dt_device *dev = &m->st.devices[device];
	if (dev->ninterrupts)
		return DT_EINVAL;
	dev->passive_level = passive_level ? 1 : 0;
	dev->sync_scope = (uint8_t)scope;
	return DT_OK;
}

void dt_interrupt_config_init(struct dt_interrupt_config *cfg, uint32_t isr, uint32_t dpc)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->isr = isr;
	cfg->dpc = dpc;
	cfg->work_item = DT_NO_CALLBACK;
	cfg->enable = DT_NO_CALLBACK;
	cfg->disable = DT_NO_CALLBACK;
}

/* R40, R50: the configurations WdfInterruptCreate refuses. */
static uint32_t config_status(const struct dt_machine *m, const struct dt_device *dev,
			      const struct dt_interrupt_config *cfg)
{
	if (cfg->isr == DT_NO_CALLBACK)
		return DT_STATUS_INVALID_PARAMETER;
	if (cfg->dpc != DT_NO_CALLBACK && cfg->work_item != DT_NO_CALLBACK)
		return DT_STATUS_INVALID_PARAMETER;
	if (cfg->passive_handling && cfg->spin_lock)
		return DT_STATUS_INVALID_PARAMETER;
	if (!cfg->passive_handling && cfg->wait_lock)
		return DT_STATUS_INVALID_PARAMETER;
	if (cfg->spin_lock && !dt_handle_decode(m, cfg->spin_lock, DT_HANDLE_SPINLOCK, NULL))
		return DT_STATUS_INVALID_PARAMETER;
	if (cfg->wait_lock && !dt_handle_decode(m, cfg->wait_lock, DT_HANDLE_WAITLOCK, NULL))
		return DT_STATUS_INVALID_PARAMETER;
	if (dev->ninterrupts >= dev->nlines)
		return DT_STATUS_INSUFFICIENT_RESOURCES;
	if (cfg->passive_handling && dev->lines[0].kind == DT_LINE_MSI)
		return DT_STATUS_INVALID_PARAMETER; /* R50: MSI must use DIRQL handling */
	/* R42: AutomaticSerialization needs a parent whose level fits. */
	if (cfg->automatic_serialization && dev->sync_scope) {
		if (dev->passive_level && cfg->dpc != DT_NO_CALLBACK)
			return DT_STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL;
		if (!dev->passive_level && cfg->work_item != DT_NO_CALLBACK)
			return DT_STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL;
	}
	return DT_STATUS_SUCCESS;
}

/* R61: every interrupt sharing a lock synchronizes at the highest DIRQL. */
static void sync_irql_update(struct dt_machine *m, unsigned lock)
{
	unsigned top = 0;
	for (unsigned i = 0; i < m->st.ninterrupts; i++)
		if (m->st.interrupts[i].lock == lock && m->st.interrupts[i].dirql > top)
			top = m->st.interrupts[i].dirql;
	for (unsigned i = 0; i < m->st.ninterrupts; i++)
		if (m->st.interrupts[i].lock == lock && !m->st.interrupts[i].passive)
			m->st.interrupts[i].sync_irql = (uint8_t)top;
}

static int dpc_new(struct dt_machine *m, unsigned interrupt, uint32_t routine, unsigned *out)
{
	if (m->st.ndpcs == DT_MAX_DPCS)
		return DT_ELIMIT;
	unsigned d = m->st.ndpcs++;
	struct dt_dpc *dpc = &m->st.dpcs[d];
	memset(dpc, 0, sizeof(*dpc));
	dpc->importance = DT_MEDIUM; /* R10: Medium, not threaded, not targeted */
	dpc->target_cpu = -1;
	dpc->queue_cpu = -1;
	dpc->queued_by_cpu = -1;
	dpc->interrupt = (uint16_t)interrupt;
	dpc->routine = routine;
	*out = d;
	return DT_OK;
}

/* The parent's callback lock for AutomaticSerialization (R42), made once. */
static unsigned callback_lock(struct dt_machine *m, unsigned device)
{
	struct dt_device *dev = &m->st.devices[device];
	if (dev->callback_lock == DT_NONE) {
		unsigned l;
		if (lock_new(m, dev->passive_level ? DT_LOCK_CALLBACK_WAIT : DT_LOCK_CALLBACK_SPIN,
			     &l))
			return DT_NONE;
		dev->callback_lock = (uint16_t)l;
	}
	return dev->callback_lock;
}

/* The ISR thread of a passive interrupt (R51), named after the device. */
static int isr_thread(struct dt_machine *m, unsigned intr, unsigned *out)
{
	const struct dt_interrupt *in = &m->st.interrupts[intr];
	char name[DT_NAME_MAX];
	uint64_t all = m->st.ncpus == 64 ? ~0ull : (1ull << m->st.ncpus) - 1;
	snprintf(name, sizeof(name), "%.20s.isr%u",
		 dt_machine_string(m, m->st.devices[in->device].name), in->message_id);
	/* R51: the ISR thread may run on any CPU, not only the line's. */
	return dt_thread_new(m, DT_THREAD_PASSIVE_ISR, name, DT_NO_CALLBACK, all, intr, out);
}

/* Room for everything one more interrupt needs. */
static int room_for(const struct dt_state *st, const struct dt_interrupt_config *cfg, int passive)
{
	unsigned locks = (cfg->spin_lock || cfg->wait_lock) ? 0 : 1;
	if (st->ninterrupts == DT_MAX_INTERRUPTS || st->ndpcs == DT_MAX_DPCS)
		return 0;
	if (st->nlocks + locks + 1 > DT_MAX_LOCKS)
		return 0;
	return !passive || st->nthreads < DT_MAX_THREADS;
}

int dt_interrupt_create(struct dt_machine *m, unsigned device,
			const struct dt_interrupt_config *cfg_in, uint32_t *status,
			uint64_t *handle)
{
	if (handle)
		*handle = 0;
	if (status)
		*status = DT_STATUS_INVALID_PARAMETER;
	if (!m || !cfg_in || !status || !handle || device >= m->st.ndevices)
		return DT_EINVAL;
	struct dt_state *st = &m->st;
	struct dt_device *dev = &st->devices[device];
	struct dt_interrupt_config cfg = *cfg_in;
	*status = config_status(m, dev, &cfg);
	if (*status != DT_STATUS_SUCCESS)
		return DT_OK;
	if (st->sw.umdf) {
		/* R80: every ISR is passive, and the "DPC" is the work item. */
		cfg.passive_handling = 1;
		if (cfg.dpc != DT_NO_CALLBACK) {
			cfg.work_item = cfg.dpc;
			cfg.dpc = DT_NO_CALLBACK;
		}
	}
	if (!room_for(st, &cfg, cfg.passive_handling)) {
		*status = DT_STATUS_INSUFFICIENT_RESOURCES;
		return DT_ELIMIT; /* a full table: the lesson is too big for the machine */
	}
	if (cfg.work_item != DT_NO_CALLBACK && dt_workers_ensure(m)) {
		*status = DT_STATUS_INSUFFICIENT_RESOURCES;
		return DT_OK;
	}
	unsigned i = st->ninterrupts++;
	struct dt_interrupt *in = &st->interrupts[i];
	memset(in, 0, sizeof(*in));
	in->device = (uint16_t)device;
	in->line = dev->ninterrupts;
	in->message_id = dev->ninterrupts; /* R05 */
	dev->ninterrupts++;
	dev->lines[in->line].interrupt = (uint16_t)i;
	in->dirql = dev->lines[in->line].dirql;
	in->passive = cfg.passive_handling ? 1 : 0;
	in->sync_irql = in->passive ? DT_PASSIVE_LEVEL : in->dirql;
	in->automatic_serialization = cfg.automatic_serialization ? 1 : 0;
	in->enabled = 1;
	in->isr = cfg.isr;
	in->dpc_routine = cfg.dpc;
	in->work_item = cfg.work_item;
	in->enable_cb = cfg.enable;
	in->disable_cb = cfg.disable;
	in->thread = DT_NONE;
	in->callback_lock = DT_NONE;
	unsigned lock = 0, dpc = 0;
	if (cfg.spin_lock)
		dt_handle_decode(m, cfg.spin_lock, DT_HANDLE_SPINLOCK, &lock);
	else if (cfg.wait_lock)
		dt_handle_decode(m, cfg.wait_lock, DT_HANDLE_WAITLOCK, &lock);
	else
		lock_new(m, in->passive ? DT_LOCK_WAITLOCK : DT_LOCK_INTERRUPT, &lock);
	in->lock = (uint16_t)lock;
	st->locks[lock].interrupt = (uint16_t)i;
	/* R41, R43: a work-item interrupt's DPC is the framework's routine that
	 * queues the work item. */
	uint32_t routine = cfg.work_item != DT_NO_CALLBACK ? DT_ROUTINE_QUEUE_WORKITEM : cfg.dpc;
	dpc_new(m, i, routine, &dpc);
	in->dpc = (uint16_t)dpc;
	if (in->automatic_serialization && dev->sync_scope)
		in->callback_lock = (uint16_t)callback_lock(m, device);
	if (in->passive) {
		unsigned t = 0;
		isr_thread(m, i, &t);
		in->thread = (uint16_t)t;
	} else {
		sync_irql_update(m, lock);
	}
	*handle = dt_handle_of(DT_HANDLE_INTERRUPT, i);
	return DT_OK;
}
