/*
 * script_api.c - the calls a callback makes, with their real WDF and Ke
 * names.
 *
 * Each one fills in the body's operation request and yields; the engine
 * performs it in a later step and resumes the coroutine with the result,
 * which becomes the call's return value (engine-contract 1).  So
 * `if WdfInterruptQueueDpcForIsr(interrupt) then ... end` reads exactly
 * like the C a student will write, and stops where the real call would
 * happen.  A call made outside a callback is the lesson's error.
 */
#include <string.h>

#include "script_int.h"

/* Start an operation of the current body; errors outside callbacks. */
static struct dt_op *op_begin(lua_State *L, struct rt *rt, unsigned kind, const char *name)
{
	if (!rt->current) {
		luaL_error(L, "%s can only be called inside a callback (where it is a step)", name);
		return NULL;
	}
	struct dt_op *op = &rt->current->op;
	memset(op, 0, sizeof(*op));
	op->kind = (uint16_t)kind;
	op->pos = rt_where(rt, L, 1);
	return op;
}

static int op_yield(lua_State *L, struct rt *rt)
{
	rt->current->have_op = 1;
	return lua_yield(L, 0);
}

/* An operation on one handle argument: the WdfInterrupt* family. */
static int handle_call(lua_State *L, unsigned kind, unsigned type, const char *name)
{
	struct rt *rt = rt_from(L);
	if (name[0] == 'K' && name[1] == 'e' && dt_machine_state(rt->m)->sw.umdf)
		return luaL_error(L, "%s is kernel-mode only: not available in UMDF mode (R80)",
				  name);
	struct dt_op *op = op_begin(L, rt, kind, name);
	rt_check_handle(L, 1, type, &op->handle, NULL);
	return op_yield(L, rt);
}

#define HANDLE_CALL(fn, kind, type)                                     \
	static int l_##fn(lua_State *L)                                 \
	{                                                               \
		return handle_call(L, kind, type, #fn);                 \
	}

HANDLE_CALL(WdfInterruptQueueDpcForIsr, DT_OP_QUEUE_DPC_FOR_ISR, RT_INTERRUPT)
HANDLE_CALL(WdfInterruptQueueWorkItemForIsr, DT_OP_QUEUE_WORKITEM_FOR_ISR, RT_INTERRUPT)
HANDLE_CALL(WdfInterruptAcquireLock, DT_OP_INTR_ACQUIRE_LOCK, RT_INTERRUPT)
HANDLE_CALL(WdfInterruptReleaseLock, DT_OP_INTR_RELEASE_LOCK, RT_INTERRUPT)
HANDLE_CALL(WdfInterruptTryToAcquireLock, DT_OP_INTR_TRY_ACQUIRE_LOCK, RT_INTERRUPT)
HANDLE_CALL(WdfInterruptEnable, DT_OP_INTR_ENABLE, RT_INTERRUPT)
HANDLE_CALL(WdfInterruptDisable, DT_OP_INTR_DISABLE, RT_INTERRUPT)
HANDLE_CALL(WdfSpinLockAcquire, DT_OP_SPINLOCK_ACQUIRE, RT_SPINLOCK)
HANDLE_CALL(WdfSpinLockRelease, DT_OP_SPINLOCK_RELEASE, RT_SPINLOCK)
HANDLE_CALL(KeAcquireSpinLock, DT_OP_SPINLOCK_ACQUIRE, RT_SPINLOCK)
HANDLE_CALL(KeReleaseSpinLock, DT_OP_SPINLOCK_RELEASE, RT_SPINLOCK)
HANDLE_CALL(KeAcquireSpinLockAtDpcLevel, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, RT_SPINLOCK)
HANDLE_CALL(KeReleaseSpinLockFromDpcLevel, DT_OP_SPINLOCK_RELEASE_FROM_DPC, RT_SPINLOCK)
HANDLE_CALL(WdfWaitLockAcquire, DT_OP_WAITLOCK_ACQUIRE, RT_WAITLOCK)
HANDLE_CALL(WdfWaitLockRelease, DT_OP_WAITLOCK_RELEASE, RT_WAITLOCK)
HANDLE_CALL(KeInsertQueueDpc, DT_OP_KE_INSERT_QUEUE_DPC, RT_KDPC)
HANDLE_CALL(KeRemoveQueueDpc, DT_OP_KE_REMOVE_QUEUE_DPC, RT_KDPC)
HANDLE_CALL(WdfObjectDelete, DT_OP_OBJECT_DELETE, RT_INTERRUPT)

/* WdfInterruptSynchronize(interrupt, callback[, context]) -> BOOLEAN (R62). */
static int l_WdfInterruptSynchronize(lua_State *L)
{
	struct rt *rt = rt_from(L);
	struct dt_op *op = op_begin(L, rt, DT_OP_INTR_SYNCHRONIZE, "WdfInterruptSynchronize");
	unsigned intr;
	rt_check_handle(L, 1, RT_INTERRUPT, &op->handle, &intr);
	uint32_t id = DT_NO_CALLBACK;
	if (!lua_isnil(L, 2) && rt_callback_id(rt, L, 2, "EvtInterruptSynchronize", intr, &id))
		return luaL_error(L, "bad argument #2 to WdfInterruptSynchronize: a function "
				     "expected, got %s", luaL_typename(L, 2));
	op->value = dt_int(id == DT_NO_CALLBACK ? (int64_t)DT_NO_CALLBACK : id);
	return op_yield(L, rt);
}

static int getinfo_k(lua_State *L, int status, lua_KContext ctx)
{
	struct rt *rt = rt_from(L);
	unsigned intr = (unsigned)ctx;
	(void)status;
	const struct dt_interrupt *in = &dt_machine_state(rt->m)->interrupts[intr];
	const struct dt_device *dev = &dt_machine_state(rt->m)->devices[in->device];
	lua_createtable(L, 0, 5);
	lua_pushinteger(L, in->message_id);
	lua_setfield(L, -2, "MessageNumber");
	lua_pushinteger(L, in->dirql);
	lua_setfield(L, -2, "Irql");
	lua_pushinteger(L, in->sync_irql);
	lua_setfield(L, -2, "SynchronizeIrql");
	lua_pushboolean(L, dev->lines[in->line].kind == DT_LINE_MSI);
	lua_setfield(L, -2, "MessageSignaled");
	lua_pushinteger(L, (lua_Integer)dev->lines[in->line].affinity);
	lua_setfield(L, -2, "TargetProcessorSet");
	return 1;
}

/* WdfInterruptGetInfo(interrupt) -> a WDF_INTERRUPT_INFO-like table. */
static int l_WdfInterruptGetInfo(lua_State *L)
{
	struct rt *rt = rt_from(L);
	struct dt_op *op = op_begin(L, rt, DT_OP_INTR_GET_INFO, "WdfInterruptGetInfo");
	unsigned intr;
	rt_check_handle(L, 1, RT_INTERRUPT, &op->handle, &intr);
	if (intr == DT_NONE)
		return op_yield(L, rt); /* a bad handle: the engine bug-checks (R30) */
	rt->current->have_op = 1;
	return lua_yieldk(L, 0, (lua_KContext)intr, getinfo_k);
}

static const char *const importance_names[] = {
	"LowImportance", "MediumImportance", "MediumHighImportance", "HighImportance", NULL,
};

/* KeSetImportanceDpc(dpc, "HighImportance") (R19). */
static int l_KeSetImportanceDpc(lua_State *L)
{
	struct rt *rt = rt_from(L);
	struct dt_op *op = op_begin(L, rt, DT_OP_KE_SET_IMPORTANCE, "KeSetImportanceDpc");
	rt_check_handle(L, 1, RT_KDPC, &op->handle, NULL);
	op->value = dt_int(luaL_checkoption(L, 2, NULL, importance_names));
	return op_yield(L, rt);
}

static int l_KeSetTargetProcessorDpc(lua_State *L)
{
	struct rt *rt = rt_from(L);
	struct dt_op *op = op_begin(L, rt, DT_OP_KE_SET_TARGET, "KeSetTargetProcessorDpc");
	rt_check_handle(L, 1, RT_KDPC, &op->handle, NULL);
	op->value = dt_int(luaL_checkinteger(L, 2));
	return op_yield(L, rt);
}

static int l_KeFlushQueuedDpcs(lua_State *L)
{
	struct rt *rt = rt_from(L);
	op_begin(L, rt, DT_OP_KE_FLUSH_QUEUED_DPCS, "KeFlushQueuedDpcs");
	return op_yield(L, rt);
}

static int l_KeGetCurrentIrql(lua_State *L)
{
	struct rt *rt = rt_from(L);
	op_begin(L, rt, DT_OP_GET_IRQL, "KeGetCurrentIrql");
	return op_yield(L, rt);
}

static int l_KeGetCurrentProcessorNumber(lua_State *L)
{
	struct rt *rt = rt_from(L);
	op_begin(L, rt, DT_OP_GET_PROCESSOR, "KeGetCurrentProcessorNumber");
	return op_yield(L, rt);
}

static const char *const register_names[] = {
	"INTSTATUS", "INTENABLE", "R2", "R3", "R4", "R5", "R6", "R7", NULL,
};

/* The register argument: a name ("INTSTATUS") or a number 0..7. */
static unsigned check_register(lua_State *L, int idx)
{
	if (lua_isinteger(L, idx)) {
		lua_Integer r = lua_tointeger(L, idx);
		if (r < 0 || r >= DT_MAX_REGS)
			luaL_error(L, "a device has registers 0..%d", DT_MAX_REGS - 1);
		return (unsigned)r;
	}
	return (unsigned)luaL_checkoption(L, idx, NULL, register_names);
}

static int device_index(lua_State *L, int idx)
{
	uint64_t h;
	unsigned dev;
	rt_check_handle(L, idx, RT_DEVICE, &h, &dev);
	if (dev == DT_NONE)
		return luaL_error(L, "bad argument #%d: a device expected", idx);
	return (int)dev;
}

/* READ_REGISTER_ULONG(device, "INTSTATUS") -> value */
static int l_READ_REGISTER_ULONG(lua_State *L)
{
	struct rt *rt = rt_from(L);
	struct dt_op *op = op_begin(L, rt, DT_OP_READ_REGISTER, "READ_REGISTER_ULONG");
	op->index = (uint32_t)device_index(L, 1);
	op->reg = check_register(L, 2);
	return op_yield(L, rt);
}

/* WRITE_REGISTER_ULONG(device, "INTSTATUS", bits): INTSTATUS is write-1-to-clear. */
static int l_WRITE_REGISTER_ULONG(lua_State *L)
{
	struct rt *rt = rt_from(L);
	struct dt_op *op = op_begin(L, rt, DT_OP_WRITE_REGISTER, "WRITE_REGISTER_ULONG");
	op->index = (uint32_t)device_index(L, 1);
	op->reg = check_register(L, 2);
	op->value = dt_int((int64_t)(uint32_t)luaL_checkinteger(L, 3));
	return op_yield(L, rt);
}

/* step("what", { us = N }): an explicit step that costs N us of busy time. */
static int l_step(lua_State *L)
{
	struct rt *rt = rt_from(L);
	struct dt_op *op = op_begin(L, rt, DT_OP_STEP, "step");
	op->label = rt_intern(rt, luaL_optstring(L, 1, ""));
	if (lua_istable(L, 2)) {
		lua_getfield(L, 2, "us");
		lua_Integer us = luaL_optinteger(L, -1, 1);
		if (us < 1 || us > 100000000)
			return luaL_error(L, "step: us must be 1..100000000");
		op->cost_us = (uint32_t)us;
		lua_pop(L, 1);
	}
	return op_yield(L, rt);
}

void rt_open_api(struct rt *rt, lua_State *L)
{
	static const luaL_Reg fns[] = {
#define R(fn) { #fn, l_##fn }
		R(WdfInterruptQueueDpcForIsr), R(WdfInterruptQueueWorkItemForIsr),
		R(WdfInterruptAcquireLock), R(WdfInterruptReleaseLock),
		R(WdfInterruptTryToAcquireLock), R(WdfInterruptSynchronize),
		R(WdfInterruptEnable), R(WdfInterruptDisable), R(WdfInterruptGetInfo),
		R(WdfSpinLockAcquire), R(WdfSpinLockRelease), R(KeAcquireSpinLock),
		R(KeReleaseSpinLock), R(KeAcquireSpinLockAtDpcLevel),
		R(KeReleaseSpinLockFromDpcLevel), R(WdfWaitLockAcquire), R(WdfWaitLockRelease),
		R(KeInsertQueueDpc), R(KeRemoveQueueDpc), R(KeSetImportanceDpc),
		R(KeSetTargetProcessorDpc), R(KeFlushQueuedDpcs), R(KeGetCurrentIrql),
		R(KeGetCurrentProcessorNumber), R(READ_REGISTER_ULONG), R(WRITE_REGISTER_ULONG),
		R(WdfObjectDelete),
		R(step),
#undef R
		{ NULL, NULL },
	};
	for (const luaL_Reg *f = fns; f->name; f++)
		rt_register(rt, L, f->name, f->func);
}
