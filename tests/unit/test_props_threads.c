/*
 * test_props_threads.c - property tests for threads, wait locks, spin
 * locks, KeFlushQueuedDpcs and interrupt work items over many seeded
 * random schedules.
 *
 * One scenario, many runs: a 4-CPU machine (two system workers) with
 *
 *   - a WDFWAITLOCK W and a WDFSPINLOCK S (created first: locks 0 and 1);
 *   - "nic": an edge line at DIRQL 5 on every CPU.  Its ISR acknowledges,
 *     queues its DPC and counts the TRUE results; its DPC takes the
 *     interrupt lock (WdfInterruptAcquireLock at DISPATCH, R60) around a
 *     read-modify-write of C, then S with KeAcquireSpinLockAtDpcLevel
 *     around one of B;
 *   - "wi": an edge line at DIRQL 7 on CPUs 1-2, a work-item interrupt
 *     (EvtInterruptDpc = none).  Its ISR calls WdfInterruptQueueWorkItemForIsr
 *     (through the internal DPC, R41) and counts the TRUE results;
 *   - "sensor": a level line at DIRQL 4 on CPUs 0 and 3, a passive-level
 *     interrupt (R50, R51) with a work item.  Its ISR (in its own thread,
 *     under its wait lock) acknowledges, takes S around B, and then, on
 *     alternate calls, queues the work item directly (at PASSIVE, R41) or
 *     queues the internal DPC with WdfInterruptQueueDpcForIsr (R43, which
 *     runs inside the call, R21);
 *   - two work-item callbacks that take W around A and a run counter, then
 *     S around B;
 *   - lesson thread "alpha": T_ITERS times W { A; S { B } }, then the nic
 *     interrupt lock { C };  lesson thread "beta": T_ITERS times W { A },
 *     S { B }, KeFlushQueuedDpcs.
 *
 * Every read-modify-write is under a lock, so at quiescence every counter
 * is exact: A, B, C and D equal the number of critical sections that ran,
 * which proves mutual exclusion end to end.  That lock order is acyclic;
 * one seed in twenty instead nests S and the nic lock both ways round
 * (alpha and the DPC: spinning CPUs, R36) and one in twenty nests W and the
 * sensor's wait lock both ways round (alpha and beta: blocked threads), so
 * that deadlocks happen and their cycles are checked.
 *
 * Each run is dt_sched_random(seed) with a few free device events, run to
 * its end.  After EVERY step the checker asserts the properties below
 * (each is commented where it is checked): lock holders are unique and
 * match the owner fields; a spinning CPU makes no other progress (it may
 * only take an interrupt above the IRQL it spins at, R02); no wake-up is
 * lost and none comes early; a thread's frame is on at most one CPU and a
 * running thread is the bottom frame of its CPU; every frame runs at the
 * IRQL its kind and its locks give it; "queued" and "running" of the work
 * items match the workers and the work queue.  When nothing can step the
 * outcome is quiescent, a bug check or a real deadlock.  At quiescence
 * the counts agree (R41: work-item runs = successful queuings).  Every run
 * is made twice: the same seed must give byte-identical traces and final
 * states (engine-contract 7).  Steps that leave no trace event are counted
 * and printed by operation kind, not failed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dt_cprog.h"
#include "dt_sched.h"
#include "testutil.h"

#define T_NCPUS 4
#define T_ITERS 4	   /* loop iterations of each lesson thread */
#define T_MAXCODE 32	   /* instructions per program */
#define T_STEP_LIMIT 20000 /* far above any run: a step-limit outcome is a failure */

/* Watched values, in creation order. */
enum {
	V_A,	       /* under W: threads and work items */
	V_B,	       /* under S: threads, nic DPC, work items, sensor ISR */
	V_C,	       /* under the nic interrupt lock: alpha and the nic DPC */
	V_NIC_QT,      /* nic ISR: TRUE results of WdfInterruptQueueDpcForIsr */
	V_WI_TRUE,     /* wi ISR: TRUE results of WdfInterruptQueueWorkItemForIsr */
	V_WIRUN_WI,    /* runs of the wi work item (under W) */
	V_WIRUN_SENS,  /* runs of the sensor work item (under W) */
	V_SENS_N,      /* sensor ISR calls that found status bits */
	V_SENS_TOGGLE, /* which way the next sensor ISR queues */
	V_SENS_DIRECT, /* sensor ISR: TRUE results of the direct work-item queuing */
	V_SENS_DPC,    /* sensor ISR: TRUE results of WdfInterruptQueueDpcForIsr */
	V_D,	       /* under the sensor's wait lock: its ISR (and WAIT_ABBA's threads) */
	T_NVARS
};
static const char *const var_names[T_NVARS] = {
	"A",	      "B",	"C",	       "nic_qt",      "wi_true",  "wirun_wi",
	"wirun_sens", "sens_n", "sens_toggle", "sens_direct", "sens_dpc", "D",
};

enum {
	D_NIC,
	D_WI,
	D_SENS,
	T_NDEV
};
static const char *const dev_names[T_NDEV] = { "nic", "wi", "sensor" };
/* Interrupt objects and locks, in creation order (checked by the build). */
enum {
	I_NIC,
	I_WI,
	I_SENS,
	T_NINT
};
enum {
	L_WAIT,
	L_SPIN,
	L_NIC,
	L_WI,
	L_SENS,
	T_NLOCKS
};
/* Threads: the workers come with the first work-item interrupt, the
 * sensor's ISR thread with its interrupt, the lesson threads last. */
enum {
	TH_WORKER0,
	TH_WORKER1,
	TH_SENS_ISR,
	TH_ALPHA,
	TH_BETA,
	T_NTHREADS
};
/* Programs = callback ids. */
enum {
	P_ALPHA,
	P_BETA,
	P_NIC_ISR,
	P_NIC_DPC,
	P_WI_ISR,
	P_WI_WORK,
	P_SENS_ISR,
	P_SENS_WORK,
	T_NPROGS
};

struct world {
	struct dt_chost host;
	struct dt_cprog progs[T_NPROGS];
	struct dt_cinsn code[T_NPROGS][T_MAXCODE];
};

#define REQUIRE(cond, ...)                         \
	do {                                       \
		if (!(cond))                       \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

/* Handles derive from creation order alone (engine-contract 7). */
static uint64_t h_wait(void)
{
	return dt_handle_of(DT_HANDLE_WAITLOCK, L_WAIT);
}

static uint64_t h_spin(void)
{
	return dt_handle_of(DT_HANDLE_SPINLOCK, L_SPIN);
}

static uint64_t h_nic(void)
{
	return dt_handle_of(DT_HANDLE_INTERRUPT, I_NIC);
}

static uint64_t h_sens(void)
{
	return dt_handle_of(DT_HANDLE_INTERRUPT, I_SENS);
}

static int world_build(struct dt_chost *h, struct dt_machine *m)
{
	static const struct {
		unsigned kind, dirql;
		uint64_t affinity;
	} lines[T_NDEV] = {
		[D_NIC] = { DT_LINE_EDGE, 5, 0xF },
		[D_WI] = { DT_LINE_EDGE, 7, 0x6 },
		[D_SENS] = { DT_LINE_LEVEL, 4, 0x9 },
	};
	uint64_t wl, sl, ih[T_NINT];
	uint32_t status;
	(void)h;
	for (unsigned v = 0; v < T_NVARS; v++)
		if (dt_var_create(m, var_names[v], dt_int(0), NULL))
			return -1;
	if (dt_waitlock_create(m, &wl) || wl != h_wait() || dt_spinlock_create(m, &sl) ||
	    sl != h_spin())
		return -1;
	for (unsigned d = 0; d < T_NDEV; d++)
		if (dt_device_create(m, dev_names[d], NULL) ||
		    dt_device_add_line(m, d, lines[d].kind, lines[d].dirql, lines[d].affinity,
				       NULL) ||
		    dt_event_create(m, dev_names[d], d, 0, 1, NULL))
			return -1;
	struct dt_interrupt_config cfg[T_NINT];
	dt_interrupt_config_init(&cfg[I_NIC], P_NIC_ISR, P_NIC_DPC);
	dt_interrupt_config_init(&cfg[I_WI], P_WI_ISR, DT_NO_CALLBACK);
	cfg[I_WI].work_item = P_WI_WORK;
	dt_interrupt_config_init(&cfg[I_SENS], P_SENS_ISR, DT_NO_CALLBACK);
	cfg[I_SENS].work_item = P_SENS_WORK;
	cfg[I_SENS].passive_handling = 1;
	for (unsigned i = 0; i < T_NINT; i++)
		if (dt_interrupt_create(m, i, &cfg[i], &status, &ih[i]) ||
		    status != DT_STATUS_SUCCESS || ih[i] != dt_handle_of(DT_HANDLE_INTERRUPT, i))
			return -1;
	if (dt_thread_create(m, "alpha", P_ALPHA, 0, NULL) ||
	    dt_thread_create(m, "beta", P_BETA, 0, NULL))
		return -1;
	/* The indices the checker relies on. */
	const struct dt_state *st = dt_machine_state(m);
	if (st->nlocks != T_NLOCKS || st->nthreads != T_NTHREADS ||
	    st->interrupts[I_NIC].lock != L_NIC || st->interrupts[I_WI].lock != L_WI ||
	    st->interrupts[I_SENS].lock != L_SENS ||
	    st->threads[TH_WORKER0].kind != DT_THREAD_WORKER ||
	    st->threads[TH_WORKER1].kind != DT_THREAD_WORKER ||
	    st->threads[TH_SENS_ISR].kind != DT_THREAD_PASSIVE_ISR ||
	    st->threads[TH_ALPHA].kind != DT_THREAD_LESSON ||
	    st->threads[TH_BETA].kind != DT_THREAD_LESSON)
		return -1;
	return 0;
}

static void set_prog(struct world *w, unsigned p, const struct dt_cinsn *code, unsigned n)
{
	REQUIRE(n <= T_MAXCODE, "program %u has %u instructions", p, n);
	memcpy(w->code[p], code, n * sizeof(*code));
	w->progs[p] = (struct dt_cprog){ w->code[p], n };
}
#define SET_PROG(w, p, arr) set_prog((w), (p), (arr), sizeof(arr) / sizeof((arr)[0]))

/*
 * Lock orders.  Plain seeds keep one acyclic order (W before S; the nic
 * lock alone; a passive ISR's wait lock before S), so they never deadlock.
 * Two variants close a cycle on purpose, so that deadlock outcomes occur
 * and are checked: SPIN_ABBA nests the nic lock inside S in alpha and S
 * inside the nic lock in the DPC (CPUs spinning on each other, R36);
 * WAIT_ABBA has alpha take the sensor's passive interrupt lock (a wait
 * lock, R60) inside W and beta W inside it (threads blocked on each other).
 */
enum {
	VAR_PLAIN,
	VAR_SPIN_ABBA,
	VAR_WAIT_ABBA,
	T_NVARIANTS
};

static unsigned variant_of(unsigned seed)
{
	return seed % 20 == 18 ? VAR_SPIN_ABBA : seed % 20 == 19 ? VAR_WAIT_ABBA : VAR_PLAIN;
}

/* Register use: r0 results nobody needs, r1/r2 values, r3 loop counters. */
static void world_init(struct world *w, unsigned variant)
{
	const uint64_t W = h_wait(), S = h_spin(), NIC = h_nic(), SENS = h_sens();
	memset(w, 0, sizeof(*w));
	/* clang-format off */
	const struct dt_cinsn alpha[] = {
		CP_MOVI(3, T_ITERS),				/* 0 */
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, W, 0),		/* 1 */
		CP_READ(1, V_A),				/* 2 */
		CP_ADDI(1, 1),					/* 3 */
		CP_WRITE(V_A, 1),				/* 4 */
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, S, 0),		/* 5 */
		CP_READ(1, V_B),				/* 6 */
		CP_ADDI(1, 1),					/* 7 */
		CP_WRITE(V_B, 1),				/* 8 */
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, S, 0),		/* 9 */
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, W, 0),		/* 10 */
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, NIC, 0),	/* 11 */
		CP_READ(1, V_C),				/* 12 */
		CP_ADDI(1, 1),					/* 13 */
		CP_WRITE(V_C, 1),				/* 14 */
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, NIC, 0),	/* 15 */
		CP_ADDI(3, -1),					/* 16 */
		CP_JNZ(3, 1),					/* 17 */
		CP_RETI(0),					/* 18 */
	};
	const struct dt_cinsn alpha_spin_abba[] = {
		CP_MOVI(3, T_ITERS),				/* 0 */
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, W, 0),		/* 1 */
		CP_READ(1, V_A),				/* 2 */
		CP_ADDI(1, 1),					/* 3 */
		CP_WRITE(V_A, 1),				/* 4 */
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, S, 0),		/* 5 */
		CP_READ(1, V_B),				/* 6 */
		CP_ADDI(1, 1),					/* 7 */
		CP_WRITE(V_B, 1),				/* 8 */
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, NIC, 0),	/* 9: S, then nic */
		CP_READ(1, V_C),				/* 10 */
		CP_ADDI(1, 1),					/* 11 */
		CP_WRITE(V_C, 1),				/* 12 */
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, NIC, 0),	/* 13 */
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, S, 0),		/* 14 */
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, W, 0),		/* 15 */
		CP_ADDI(3, -1),					/* 16 */
		CP_JNZ(3, 1),					/* 17 */
		CP_RETI(0),					/* 18 */
	};
	const struct dt_cinsn alpha_wait_abba[] = {
		CP_MOVI(3, T_ITERS),				/* 0 */
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, W, 0),		/* 1 */
		CP_READ(1, V_A),				/* 2 */
		CP_ADDI(1, 1),					/* 3 */
		CP_WRITE(V_A, 1),				/* 4 */
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, S, 0),		/* 5 */
		CP_READ(1, V_B),				/* 6 */
		CP_ADDI(1, 1),					/* 7 */
		CP_WRITE(V_B, 1),				/* 8 */
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, S, 0),		/* 9 */
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, SENS, 0),	/* 10: W, then sensor */
		CP_READ(1, V_D),				/* 11 */
		CP_ADDI(1, 1),					/* 12 */
		CP_WRITE(V_D, 1),				/* 13 */
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, SENS, 0),	/* 14 */
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, W, 0),		/* 15 */
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, NIC, 0),	/* 16 */
		CP_READ(1, V_C),				/* 17 */
		CP_ADDI(1, 1),					/* 18 */
		CP_WRITE(V_C, 1),				/* 19 */
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, NIC, 0),	/* 20 */
		CP_ADDI(3, -1),					/* 21 */
		CP_JNZ(3, 1),					/* 22 */
		CP_RETI(0),					/* 23 */
	};
	const struct dt_cinsn beta[] = {
		CP_MOVI(3, T_ITERS),				/* 0 */
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, W, 0),		/* 1 */
		CP_READ(1, V_A),				/* 2 */
		CP_ADDI(1, 1),					/* 3 */
		CP_WRITE(V_A, 1),				/* 4 */
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, W, 0),		/* 5 */
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, S, 0),		/* 6 */
		CP_READ(1, V_B),				/* 7 */
		CP_ADDI(1, 1),					/* 8 */
		CP_WRITE(V_B, 1),				/* 9 */
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, S, 0),		/* 10 */
		CP_OP(0, DT_OP_KE_FLUSH_QUEUED_DPCS, 0, 0),	/* 11 */
		CP_ADDI(3, -1),					/* 12 */
		CP_JNZ(3, 1),					/* 13 */
		CP_RETI(0),					/* 14 */
	};
	const struct dt_cinsn beta_wait_abba[] = {
		CP_MOVI(3, T_ITERS),				/* 0 */
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, SENS, 0),	/* 1: sensor, then W */
		CP_READ(1, V_D),				/* 2 */
		CP_ADDI(1, 1),					/* 3 */
		CP_WRITE(V_D, 1),				/* 4 */
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, W, 0),		/* 5 */
		CP_READ(1, V_A),				/* 6 */
		CP_ADDI(1, 1),					/* 7 */
		CP_WRITE(V_A, 1),				/* 8 */
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, W, 0),		/* 9 */
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, SENS, 0),	/* 10 */
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, S, 0),		/* 11 */
		CP_READ(1, V_B),				/* 12 */
		CP_ADDI(1, 1),					/* 13 */
		CP_WRITE(V_B, 1),				/* 14 */
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, S, 0),		/* 15 */
		CP_OP(0, DT_OP_KE_FLUSH_QUEUED_DPCS, 0, 0),	/* 16 */
		CP_ADDI(3, -1),					/* 17 */
		CP_JNZ(3, 1),					/* 18 */
		CP_RETI(0),					/* 19 */
	};
	const struct dt_cinsn nic_isr[] = {
		CP_RDREG(0, D_NIC, DT_REG_INTSTATUS),		/* 0 */
		CP_JZ(0, 8),					/* 1 */
		CP_WRREG(D_NIC, DT_REG_INTSTATUS, 0),		/* 2 */
		CP_QUEUE_DPC(1),				/* 3 */
		CP_READ(2, V_NIC_QT),				/* 4 */
		CP_ADD(2, 1),					/* 5 */
		CP_WRITE(V_NIC_QT, 2),				/* 6 */
		CP_RETI(1),					/* 7 */
		CP_RETI(0),					/* 8 */
	};
	const struct dt_cinsn nic_dpc[] = {
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, 0, 0),	/* 0 */
		CP_READ(1, V_C),				/* 1 */
		CP_ADDI(1, 1),					/* 2 */
		CP_WRITE(V_C, 1),				/* 3 */
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, 0, 0),	/* 4 */
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, S, 0),	/* 5 */
		CP_READ(1, V_B),				/* 6 */
		CP_ADDI(1, 1),					/* 7 */
		CP_WRITE(V_B, 1),				/* 8 */
		CP_OP(0, DT_OP_SPINLOCK_RELEASE_FROM_DPC, S, 0), /* 9 */
		CP_RETI(0),					/* 10 */
	};
	const struct dt_cinsn nic_dpc_spin_abba[] = {
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, 0, 0),	/* 0: nic, then S */
		CP_READ(1, V_C),				/* 1 */
		CP_ADDI(1, 1),					/* 2 */
		CP_WRITE(V_C, 1),				/* 3 */
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, S, 0),	/* 4 */
		CP_READ(1, V_B),				/* 5 */
		CP_ADDI(1, 1),					/* 6 */
		CP_WRITE(V_B, 1),				/* 7 */
		CP_OP(0, DT_OP_SPINLOCK_RELEASE_FROM_DPC, S, 0), /* 8 */
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, 0, 0),	/* 9 */
		CP_RETI(0),					/* 10 */
	};
	const struct dt_cinsn wi_isr[] = {
		CP_RDREG(0, D_WI, DT_REG_INTSTATUS),		/* 0 */
		CP_JZ(0, 8),					/* 1 */
		CP_WRREG(D_WI, DT_REG_INTSTATUS, 0),		/* 2 */
		CP_OP(1, DT_OP_QUEUE_WORKITEM_FOR_ISR, 0, 0),	/* 3 */
		CP_READ(2, V_WI_TRUE),				/* 4 */
		CP_ADD(2, 1),					/* 5 */
		CP_WRITE(V_WI_TRUE, 2),				/* 6 */
		CP_RETI(1),					/* 7 */
		CP_RETI(0),					/* 8 */
	};
#define WORK_PROG(name, runs)                                               \
	const struct dt_cinsn name[] = {                                    \
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, W, 0),                     \
		CP_READ(1, V_A),                                            \
		CP_ADDI(1, 1),                                              \
		CP_WRITE(V_A, 1),                                           \
		CP_READ(1, (runs)),                                         \
		CP_ADDI(1, 1),                                              \
		CP_WRITE((runs), 1),                                        \
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, W, 0),                     \
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, S, 0),                     \
		CP_READ(1, V_B),                                            \
		CP_ADDI(1, 1),                                              \
		CP_WRITE(V_B, 1),                                           \
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, S, 0),                     \
		CP_RETI(0),                                                 \
	}
	WORK_PROG(wi_work, V_WIRUN_WI);
	WORK_PROG(sens_work, V_WIRUN_SENS);
#undef WORK_PROG
	const struct dt_cinsn sens_isr[] = {
		CP_RDREG(0, D_SENS, DT_REG_INTSTATUS),		/* 0 */
		CP_JZ(0, 28),					/* 1 */
		CP_WRREG(D_SENS, DT_REG_INTSTATUS, 0),		/* 2 */
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, S, 0),		/* 3 */
		CP_READ(1, V_B),				/* 4 */
		CP_ADDI(1, 1),					/* 5 */
		CP_WRITE(V_B, 1),				/* 6 */
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, S, 0),		/* 7 */
		CP_READ(1, V_SENS_N),				/* 8 */
		CP_ADDI(1, 1),					/* 9 */
		CP_WRITE(V_SENS_N, 1),				/* 10 */
		CP_READ(1, V_D),				/* 11 */
		CP_ADDI(1, 1),					/* 12 */
		CP_WRITE(V_D, 1),				/* 13 */
		CP_READ(2, V_SENS_TOGGLE),			/* 14 */
		CP_JNZ(2, 22),					/* 15 */
		CP_WRITEI(V_SENS_TOGGLE, 1),			/* 16 */
		CP_OP(1, DT_OP_QUEUE_WORKITEM_FOR_ISR, 0, 0),	/* 17 */
		CP_READ(2, V_SENS_DIRECT),			/* 18 */
		CP_ADD(2, 1),					/* 19 */
		CP_WRITE(V_SENS_DIRECT, 2),			/* 20 */
		CP_RETI(1),					/* 21 */
		CP_WRITEI(V_SENS_TOGGLE, 0),			/* 22 */
		CP_QUEUE_DPC(1),				/* 23 */
		CP_READ(2, V_SENS_DPC),				/* 24 */
		CP_ADD(2, 1),					/* 25 */
		CP_WRITE(V_SENS_DPC, 2),			/* 26 */
		CP_RETI(1),					/* 27 */
		CP_RETI(0),					/* 28 */
	};
	/* clang-format on */
	switch (variant) {
	case VAR_SPIN_ABBA:
		SET_PROG(w, P_ALPHA, alpha_spin_abba);
		SET_PROG(w, P_BETA, beta);
		SET_PROG(w, P_NIC_DPC, nic_dpc_spin_abba);
		break;
	case VAR_WAIT_ABBA:
		SET_PROG(w, P_ALPHA, alpha_wait_abba);
		SET_PROG(w, P_BETA, beta_wait_abba);
		SET_PROG(w, P_NIC_DPC, nic_dpc);
		break;
	default:
		SET_PROG(w, P_ALPHA, alpha);
		SET_PROG(w, P_BETA, beta);
		SET_PROG(w, P_NIC_DPC, nic_dpc);
		break;
	}
	SET_PROG(w, P_NIC_ISR, nic_isr);
	SET_PROG(w, P_WI_ISR, wi_isr);
	SET_PROG(w, P_WI_WORK, wi_work);
	SET_PROG(w, P_SENS_ISR, sens_isr);
	SET_PROG(w, P_SENS_WORK, sens_work);
	w->host.progs = w->progs;
	w->host.nprogs = T_NPROGS;
	w->host.build = world_build;
}

/* ------------------------------------------------------------------ */
/* The per-step checker                                                */

struct cpu_snap {
	uint8_t irql, nframes, qlen, in_drain;
	uint8_t queue[DT_MAX_DPCS];
	int spin_held;	/* the top frame spins for a lock that is held */
	int pend_above; /* an interrupt above the CPU's IRQL is pending */
	uint64_t busy_us;
	struct dt_frame frames[DT_MAX_FRAMES];
};

struct checker {
	unsigned seed;
	size_t trace_seen;
	struct cpu_snap before[T_NCPUS];
	struct dt_thread threads_before[DT_MAX_THREADS];
	uint8_t wi_queued_before[T_NINT];
	/* From the trace: the step each running DPC instance was queued in,
	 * by CPU and frame level (set by its DPC_DEQUEUE). */
	uint32_t frame_queued[T_NCPUS][DT_MAX_FRAMES];
	/* From the trace: successful work-item queuings, direct or by the
	 * internal DPC (R41, R43). */
	unsigned wiq_direct[T_NINT], wiq_dpc[T_NINT];
	/* Coverage. */
	unsigned lock_blocks, flush_blocks, flush_now, thread_spins, isr_spins, wi_false;
	unsigned wi_concurrent, call_returns, preempted_spinners;
	/* Steps that left no trace event, by the operation they performed
	 * (reported, see the test's summary). */
	unsigned silent[DT_OP_KIND_COUNT + 1];
};

/*
 * A passing ck_assert costs Check a write to its pipe, which would
 * dominate millions of per-step checks: checks call Check only on failure.
 */
static char ck_msg[256];
#define CK(cond, ...)                                                                    \
	do {                                                                             \
		if (!(cond)) {                                                           \
			snprintf(ck_msg, sizeof(ck_msg), __VA_ARGS__);                   \
			ck_abort_msg("seed %u step %u: %s", ck->seed, st->step, ck_msg); \
		}                                                                        \
	} while (0)

static void checker_init(struct checker *ck, unsigned seed)
{
	memset(ck, 0, sizeof(*ck));
	ck->seed = seed;
}

static int is_spin_lock(const struct dt_state *st, unsigned l)
{
	return !dt_lock_is_wait(st->locks[l].kind);
}

/* The IRQL holding spin lock l means: DISPATCH for a WDFSPINLOCK (R63),
 * SynchronizeIrql for an interrupt's lock (R60); a wait lock none. */
static unsigned lock_level(const struct dt_state *st, unsigned l)
{
	const struct dt_lock *lk = &st->locks[l];
	if (lk->kind == DT_LOCK_INTERRUPT)
		return st->interrupts[lk->interrupt].sync_irql;
	if (lk->kind == DT_LOCK_WDFSPINLOCK || lk->kind == DT_LOCK_CALLBACK_SPIN)
		return DT_DISPATCH_LEVEL;
	return DT_PASSIVE_LEVEL;
}

/* The IRQL frame f must run at: its kind's level (a thread PASSIVE, a DPC
 * DISPATCH, an ISR its SynchronizeIrql, a trap its DIRQL), raised by every
 * spin lock it holds or is spinning for inside an acquire. */
static unsigned frame_irql(const struct dt_state *st, const struct dt_frame *f)
{
	unsigned want;
	switch (f->kind) {
	case DT_FRAME_THREAD:
		want = DT_PASSIVE_LEVEL;
		break;
	case DT_FRAME_DPC:
		want = DT_DISPATCH_LEVEL;
		break;
	case DT_FRAME_ISR:
		want = st->interrupts[f->object].sync_irql;
		break;
	case DT_FRAME_TRAP:
		want = st->interrupts[f->object].dirql;
		break;
	default:
		return 0xFF;
	}
	for (unsigned h = 0; h < f->nheld && h < DT_MAX_HELD; h++) {
		unsigned lv = lock_level(st, f->held[h].lock);
		want = lv > want ? lv : want;
	}
	if (f->state == DT_FS_SPINNING && f->spin_lock < st->nlocks) {
		unsigned lv = lock_level(st, f->spin_lock);
		want = lv > want ? lv : want;
	}
	return want;
}

/* Does frame f hold its pre-lock (an ISR's interrupt lock, a passive ISR
 * thread's wait lock) rather than still wait for it? */
static int holds_prelock(const struct dt_frame *f)
{
	return f->lock != DT_NONE && !(f->state == DT_FS_SPINNING && f->spin_lock == f->lock);
}

/* R20: a DPC queued before `step` is still queued or still running. */
static int flush_outstanding(const struct checker *ck, const struct dt_state *st, uint32_t step)
{
	for (unsigned d = 0; d < st->ndpcs; d++)
		if (st->dpcs[d].inserted && st->dpcs[d].queued_step < step)
			return 1;
	for (unsigned c = 0; c < st->ncpus; c++)
		for (unsigned k = 0; k < st->cpus[c].nframes; k++)
			if (st->cpus[c].frames[k].kind == DT_FRAME_DPC &&
			    ck->frame_queued[c][k] < step)
				return 1;
	return 0;
}

/* A worker that has started its callback (and not finished it). */
static int worker_started(const struct dt_thread *t)
{
	return t->state == DT_TS_RUNNING || t->state == DT_TS_BLOCKED ||
	       (t->state == DT_TS_READY && (t->woken || t->ctx.body != DT_NONE));
}

/* The whole machine is consistent (checked after every step). */
static void check_state(struct checker *ck, const struct dt_state *st)
{
	unsigned on_cpu[DT_MAX_THREADS] = { 0 };
	unsigned spin_n[DT_MAX_LOCKS] = { 0 }, wait_n[DT_MAX_LOCKS] = { 0 };
	int spin_cpu[DT_MAX_LOCKS] = { 0 }, spin_frame[DT_MAX_LOCKS] = { 0 },
	    wait_owner[DT_MAX_LOCKS] = { 0 };
	for (unsigned c = 0; c < st->ncpus; c++) {
		const struct dt_cpu *cpu = &st->cpus[c];
		unsigned ndpc = 0;
		CK(cpu->nframes <= DT_MAX_FRAMES, "CPU %u has %u frames", c, cpu->nframes);
		for (unsigned k = 0; k < cpu->nframes; k++) {
			const struct dt_frame *f = &cpu->frames[k];
			/* A thread's frame is only ever the bottom frame of a CPU,
			 * and then that thread is RUNNING there. */
			if (f->kind == DT_FRAME_THREAD) {
				CK(k == 0, "CPU %u: a thread frame at level %u", c, k);
				CK(f->object < st->nthreads, "thread frame object %u", f->object);
				const struct dt_thread *t = &st->threads[f->object];
				on_cpu[f->object]++;
				CK(t->state == DT_TS_RUNNING && t->cpu == (int)c,
				   "CPU %u runs thread %u, which is in state %u on CPU %d", c,
				   f->object, t->state, t->cpu);
			} else {
				CK(f->kind == DT_FRAME_DPC || f->kind == DT_FRAME_ISR ||
					   f->kind == DT_FRAME_TRAP,
				   "CPU %u frame %u of kind %u", c, k, f->kind);
			}
			if (f->kind == DT_FRAME_DPC) {
				/* R16, R17: DPCs run inside a drain, one per CPU; the
				 * instance is the queuing its dequeue served (R20). */
				CK(cpu->in_drain, "CPU %u runs a DPC outside a drain", c);
				CK(f->instance_step == ck->frame_queued[c][k],
				   "CPU %u DPC frame serves the queuing of step %u, trace says %u",
				   c, f->instance_step, ck->frame_queued[c][k]);
				ndpc++;
			}
			/* IRQL: a thread frame is at PASSIVE unless it holds (or spins
			 * inside an acquire for) a spin lock: then DISPATCH for a
			 * WDFSPINLOCK (R63), SynchronizeIrql for the interrupt lock
			 * (R60).  Every other frame likewise, from its kind's level;
			 * each frame preempted the one below at a higher IRQL (R02). */
			unsigned want = frame_irql(st, f);
			CK(f->irql == want,
			   "CPU %u frame %u (kind %u, %u locks) at IRQL %u, not %u", c, k, f->kind,
			   f->nheld, f->irql, want);
			if (k)
				CK(f->irql > cpu->frames[k - 1].irql,
				   "CPU %u frame %u at IRQL %u over IRQL %u", c, k, f->irql,
				   cpu->frames[k - 1].irql);
			/* Locks this frame holds. */
			CK(f->nheld <= DT_MAX_HELD, "frame holds %u locks", f->nheld);
			for (unsigned h = 0; h <= f->nheld; h++) {
				unsigned l;
				if (h < f->nheld)
					l = f->held[h].lock;
				else if (holds_prelock(f))
					l = f->lock;
				else
					break;
				CK(l < st->nlocks, "CPU %u frame %u holds lock %u", c, k, l);
				if (is_spin_lock(st, l)) {
					spin_n[l]++;
					spin_cpu[l] = (int)c;
					spin_frame[l] = (int)k;
				} else {
					wait_n[l]++;
					wait_owner[l] = f->kind == DT_FRAME_THREAD ? f->object : -2;
				}
			}
			if (f->state == DT_FS_SPINNING) {
				CK(f->spin_lock < st->nlocks && is_spin_lock(st, f->spin_lock),
				   "CPU %u frame %u spins for lock %u", c, k, f->spin_lock);
				const struct dt_lock *l = &st->locks[f->spin_lock];
				CK(!(l->owner_cpu == (int)c && l->owner_frame == k),
				   "CPU %u frame %u spins for a lock it owns", c, k);
			}
		}
		CK(ndpc <= 1, "CPU %u has %u DPC frames", c, ndpc);
		/* The CPU's IRQL is its top frame's, or DISPATCH inside a drain
		 * over a thread (or nothing); a drain with no DPC routine running
		 * has a DPC to dequeue next (R16). */
		const struct dt_frame *top = cpu->nframes ? &cpu->frames[cpu->nframes - 1] : NULL;
		unsigned cpu_want = top ? top->irql : DT_PASSIVE_LEVEL;
		if (cpu->in_drain && (!top || top->kind == DT_FRAME_THREAD))
			cpu_want = DT_DISPATCH_LEVEL;
		CK(cpu->irql == cpu_want, "CPU %u at IRQL %u, its frames say %u", c, cpu->irql,
		   cpu_want);
		if (cpu->in_drain && ndpc == 0)
			CK(cpu->qlen > 0, "CPU %u in a drain with no DPC running or queued", c);
	}
	for (unsigned i = 0; i < st->nthreads; i++) {
		const struct dt_thread *t = &st->threads[i];
		/* A RUNNING thread is exactly the bottom frame of its CPU; any
		 * other thread is on no CPU.  So a frame is on at most one CPU. */
		if (t->state == DT_TS_RUNNING) {
			CK(t->cpu >= 0 && t->cpu < (int)st->ncpus && on_cpu[i] == 1,
			   "thread %u RUNNING on CPU %d, seen on %u CPUs", i, t->cpu, on_cpu[i]);
			const struct dt_cpu *cpu = &st->cpus[t->cpu];
			CK(cpu->nframes >= 1 && cpu->frames[0].kind == DT_FRAME_THREAD &&
				   cpu->frames[0].object == i,
			   "thread %u RUNNING but not the bottom frame of CPU %d", i, t->cpu);
		} else {
			CK(t->cpu == -1 && on_cpu[i] == 0,
			   "thread %u in state %u on CPU %d (%u frames)", i, t->state, t->cpu,
			   on_cpu[i]);
		}
		/* Locks an off-CPU thread holds: wait locks only (a spin lock
		 * holder is at DISPATCH and cannot leave its CPU), and it is at
		 * PASSIVE.  A thread blocked on a wait lock lists it already but
		 * does not hold it yet. */
		if (t->state == DT_TS_BLOCKED || t->state == DT_TS_READY) {
			const struct dt_frame *f = &t->ctx;
			CK(f->irql == DT_PASSIVE_LEVEL, "off-CPU thread %u at IRQL %u", i, f->irql);
			CK(f->nheld <= DT_MAX_HELD, "thread %u holds %u locks", i, f->nheld);
			for (unsigned h = 0; h <= f->nheld; h++) {
				unsigned l;
				if (h < f->nheld)
					l = f->held[h].lock;
				else if (f->lock != DT_NONE)
					l = f->lock;
				else
					break;
				CK(l < st->nlocks, "thread %u holds lock %u", i, l);
				CK(!is_spin_lock(st, l), "off-CPU thread %u holds spin lock %u", i,
				   l);
				if (t->state == DT_TS_BLOCKED && t->wait_kind == DT_WAIT_LOCK &&
				    t->wait_object == l)
					continue;
				wait_n[l]++;
				wait_owner[l] = (int)i;
			}
		}
		/* No lost wake-up: a thread blocked on a wait lock waits for a
		 * lock that somebody holds; one blocked in KeFlushQueuedDpcs
		 * waits while a DPC queued before its call is still queued or
		 * running (R20).  Otherwise it should have been woken. */
		if (t->state == DT_TS_BLOCKED) {
			if (t->wait_kind == DT_WAIT_LOCK) {
				CK(t->wait_object < st->nlocks &&
					   st->locks[t->wait_object].owner_thread != -1,
				   "lost wake-up: thread %u waits for free lock %u", i,
				   t->wait_object);
			} else {
				CK(t->wait_kind == DT_WAIT_FLUSH, "thread %u waits (kind %u)", i,
				   t->wait_kind);
				CK(flush_outstanding(ck, st, t->wait_step),
				   "lost wake-up: thread %u still waits in the flush of step %u, "
				   "but "
				   "every DPC queued before it has run",
				   i, t->wait_step);
			}
		}
	}
	/* Lock holders are unique: a spin lock's owner_cpu/owner_frame names
	 * the one frame that lists it (in held[] or as its pre-lock), a wait
	 * lock's owner_thread the one thread that does. */
	for (unsigned l = 0; l < st->nlocks; l++) {
		const struct dt_lock *lk = &st->locks[l];
		if (is_spin_lock(st, l)) {
			CK(spin_n[l] <= 1, "spin lock %u held by %u frames", l, spin_n[l]);
			CK(wait_n[l] == 0 && lk->owner_thread == -1,
			   "spin lock %u owned by a thread", l);
			if (spin_n[l])
				CK(lk->owner_cpu == spin_cpu[l] && lk->owner_frame == spin_frame[l],
				   "spin lock %u: owner CPU %d frame %u, held by CPU %d frame %d",
				   l, lk->owner_cpu, lk->owner_frame, spin_cpu[l], spin_frame[l]);
			else
				CK(lk->owner_cpu == -1,
				   "spin lock %u: owner CPU %d but no frame holds it", l,
				   lk->owner_cpu);
		} else {
			CK(wait_n[l] <= 1, "wait lock %u held by %u threads", l, wait_n[l]);
			CK(spin_n[l] == 0 && lk->owner_cpu == -1, "wait lock %u owned by a CPU", l);
			if (wait_n[l])
				CK(lk->owner_thread == wait_owner[l],
				   "wait lock %u: owner thread %d, held by %d", l, lk->owner_thread,
				   wait_owner[l]);
			else
				CK(lk->owner_thread == -1,
				   "wait lock %u: owner thread %d but no thread holds it", l,
				   lk->owner_thread);
		}
	}
	/* R41, R44: a work item is "queued" exactly while it waits in the work
	 * queue or on a ready worker that has not started it; "running" counts
	 * the workers inside its callback. */
	for (unsigned i = 0; i < st->ninterrupts; i++) {
		const struct dt_interrupt *in = &st->interrupts[i];
		unsigned queued = 0, running = 0;
		for (unsigned q = 0; q < st->nworkq; q++)
			queued += st->workq[q] == i;
		for (unsigned k = 0; k < st->nthreads; k++) {
			const struct dt_thread *t = &st->threads[k];
			if (t->kind != DT_THREAD_WORKER || t->interrupt != i ||
			    t->state == DT_TS_IDLE)
				continue;
			if (worker_started(t))
				running++;
			else
				queued++;
		}
		CK(queued <= 1 && in->wi_queued == queued,
		   "interrupt %u: wi_queued %u, %u waiting queuings", i, in->wi_queued, queued);
		CK(in->wi_running == running, "interrupt %u: wi_running %u, %u workers in it", i,
		   in->wi_running, running);
		if (running > 1)
			ck->wi_concurrent++;
	}
}

/* Before a step: what the step checks will compare against. */
static void snap_take(struct checker *ck, const struct dt_machine *m)
{
	const struct dt_state *st = dt_machine_state(m);
	for (unsigned c = 0; c < st->ncpus; c++) {
		const struct dt_cpu *cpu = &st->cpus[c];
		struct cpu_snap *s = &ck->before[c];
		const struct dt_frame *top = cpu->nframes ? &cpu->frames[cpu->nframes - 1] : NULL;
		s->irql = cpu->irql;
		s->nframes = cpu->nframes;
		s->qlen = cpu->qlen;
		s->in_drain = cpu->in_drain;
		s->busy_us = cpu->busy_us;
		memcpy(s->queue, cpu->queue, cpu->qlen);
		memcpy(s->frames, cpu->frames, cpu->nframes * sizeof(cpu->frames[0]));
		s->spin_held = top && top->state == DT_FS_SPINNING &&
			       st->locks[top->spin_lock].owner_cpu >= 0;
		s->pend_above = 0;
		for (unsigned p = 0; p < cpu->npending; p++)
			s->pend_above |= cpu->pending[p].irql > cpu->irql;
		/* A CPU spinning for a held lock is not a choice point, unless an
		 * interrupt above its IRQL waits (R02: it is taken while spinning). */
		if (s->spin_held && !s->pend_above)
			CK(!dt_cpu_can_step(m, c), "CPU %u spins for a held lock but can step", c);
	}
	memcpy(ck->threads_before, st->threads, st->nthreads * sizeof(st->threads[0]));
	for (unsigned i = 0; i < T_NINT; i++)
		ck->wi_queued_before[i] = st->interrupts[i].wi_queued;
}

/* Frames equal byte for byte, except the inclusive charge, which grew by
 * what the CPU's busy clock grew (threads are never charged). */
static int frame_same(const struct dt_frame *a, const struct dt_frame *b, uint64_t busy_delta)
{
	struct dt_frame x = *a, y = *b;
	uint64_t want = x.kind == DT_FRAME_THREAD ? 0 : busy_delta;
	if (y.charge_us - x.charge_us != want)
		return 0;
	x.charge_us = y.charge_us = 0;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

/* The events of the step just taken. */
static void check_trace(struct checker *ck, const struct dt_machine *m)
{
	const struct dt_state *st = dt_machine_state(m);
	const struct dt_trace_event *t = dt_machine_trace(m);
	size_t n = dt_machine_trace_count(m);
	uint8_t wiq[T_NINT];
	memcpy(wiq, ck->wi_queued_before, sizeof(wiq));
	for (size_t i = ck->trace_seen; i < n; i++) {
		const struct dt_trace_event *e = &t[i];
		switch (e->kind) {
		case DT_EV_WORKITEM_QUEUE:
			/* R41: TRUE exactly when the work item was not queued (or
			 * had started); direct queuings come from PASSIVE, the others
			 * from the internal DPC. */
			CK(e->object < T_NINT, "WORKITEM_QUEUE object %u", e->object);
			CK(e->result == !wiq[e->object], "R41: WORKITEM_QUEUE %lld, queued was %u",
			   (long long)e->result, wiq[e->object]);
			if (e->result) {
				wiq[e->object] = 1;
				if (e->frame == DT_FRAME_DPC)
					ck->wiq_dpc[e->object]++;
				else
					ck->wiq_direct[e->object]++;
			} else {
				ck->wi_false++;
			}
			CK(e->frame == DT_FRAME_DPC || e->frame == DT_FRAME_THREAD,
			   "WORKITEM_QUEUE from frame kind %u", e->frame);
			break;
		case DT_EV_WORKITEM_START:
			CK(e->object < T_NINT && wiq[e->object], "R41: a work item started "
								 "unqueued");
			wiq[e->object] = 0;
			break;
		case DT_EV_DPC_DEQUEUE: {
			const struct dt_cpu *cpu = &st->cpus[e->cpu];
			if (cpu->nframes && cpu->frames[cpu->nframes - 1].kind == DT_FRAME_DPC)
				ck->frame_queued[e->cpu][cpu->nframes - 1] = e->cause_step;
			break;
		}
		case DT_EV_THREAD_BLOCK:
			if (e->arg[0] == DT_WAIT_LOCK)
				ck->lock_blocks++;
			else if (e->arg[0] == DT_WAIT_FLUSH)
				ck->flush_blocks++;
			break;
		case DT_EV_FLUSH:
			/* R20: the flush returns at once exactly when no DPC queued
			 * before it is queued or running. */
			CK(e->result == !flush_outstanding(ck, st, e->step),
			   "R20: FLUSH result %lld but DPCs outstanding: %d", (long long)e->result,
			   flush_outstanding(ck, st, e->step));
			ck->flush_now += e->result == 1;
			break;
		case DT_EV_LOCK_SPIN:
			ck->thread_spins += e->frame == DT_FRAME_THREAD;
			break;
		case DT_EV_ISR_SPIN:
			ck->isr_spins++;
			break;
		case DT_EV_CALL_RETURN:
			ck->call_returns++;
			break;
		default:
			break;
		}
	}
	ck->trace_seen = n;
}

/*
 * The step just taken, against the state before it.
 *  - Nothing below the stepping CPU's top frame changed, and no other CPU's
 *    frames, IRQL or DPC queue changed, except the charge (R02, R12).
 *  - A spinning CPU makes no other progress: while its top frame spins for
 *    a held lock it is never stepped (unless to take a pending interrupt
 *    above its IRQL, R02), its frames do not change but for their charge,
 *    and its busy clock grows by 1 us per global step (engine-contract 3).
 *  - Wake-ups are not early: a thread leaves a wait-lock wait owning the
 *    lock, and a flush wait only once every DPC queued before it has run.
 */
static void check_step(struct checker *ck, const struct dt_machine *m, const struct dt_choice *ch,
		       enum dt_cpu_action act)
{
	const struct dt_state *st = dt_machine_state(m);
	int running = st->outcome.kind == DT_RUNNING;
	for (unsigned c = 0; c < st->ncpus; c++) {
		const struct cpu_snap *b = &ck->before[c];
		const struct dt_cpu *cpu = &st->cpus[c];
		uint64_t busy = cpu->busy_us - b->busy_us;
		int stepping = ch->kind != DT_CHOICE_EVENT && ch->cpu == c;
		unsigned keep = b->nframes;
		if (stepping && act != DT_ACT_TAKE_INTERRUPT && act != DT_ACT_DEQUEUE_DPC && keep)
			keep--;
		if (b->spin_held) {
			CK(!stepping || (b->pend_above && act == DT_ACT_TAKE_INTERRUPT),
			   "CPU %u stepped (action %d) while spinning for a held lock", c, act);
			if (stepping) {
				ck->preempted_spinners++;
				CK(!running || cpu->nframes == b->nframes + 1,
				   "CPU %u took an interrupt while spinning but has %u frames (was "
				   "%u)",
				   c, cpu->nframes, b->nframes);
			} else if (running) {
				CK(busy == 1, "spinning CPU %u charged %llu us for one step", c,
				   (unsigned long long)busy);
			}
		}
		CK(cpu->nframes >= keep, "CPU %u lost frames below its top (%u -> %u)", c,
		   b->nframes, cpu->nframes);
		for (unsigned k = 0; k < keep; k++)
			CK(frame_same(&b->frames[k], &cpu->frames[k], busy),
			   "CPU %u frame %u (of %u) changed in a step %s", c, k, b->nframes,
			   stepping ? "of its own above it" : "of another CPU");
		if (stepping)
			continue;
		CK(cpu->nframes == b->nframes && cpu->irql == b->irql &&
			   cpu->in_drain == b->in_drain,
		   "CPU %u changed in another CPU's step", c);
		CK(cpu->qlen == b->qlen && memcmp(cpu->queue, b->queue, b->qlen) == 0,
		   "CPU %u's DPC queue changed in another CPU's step", c);
	}
	for (unsigned i = 0; i < st->nthreads; i++) {
		const struct dt_thread *was = &ck->threads_before[i], *t = &st->threads[i];
		if (was->state != DT_TS_BLOCKED || t->state == DT_TS_BLOCKED)
			continue;
		CK(t->state == DT_TS_READY, "blocked thread %u went to state %u", i, t->state);
		if (was->wait_kind == DT_WAIT_LOCK)
			CK(st->locks[was->wait_object].owner_thread == (int)i,
			   "thread %u woken from lock %u it does not own (owner %d)", i,
			   was->wait_object, st->locks[was->wait_object].owner_thread);
		else
			CK(!flush_outstanding(ck, st, was->wait_step),
			   "R20: thread %u woken from the flush of step %u too early", i,
			   was->wait_step);
	}
}

/*
 * A deadlock outcome is a real cycle (R36).  Threads: every listed thread
 * is BLOCKED and can never be woken: a wait-lock waiter's lock is owned by
 * a listed thread, a flush waiter's DPCs are still outstanding.  CPUs:
 * every listed CPU has a frame spinning for a lock owned by a listed CPU.
 */
static void check_deadlock(struct checker *ck, const struct dt_state *st)
{
	const struct dt_outcome *o = &st->outcome;
	CK(o->ncycle > 0 && o->ncycle <= 8, "deadlock with %u members", o->ncycle);
	for (unsigned j = 0; j < o->ncycle; j++) {
		unsigned x = o->cycle[j];
		if (o->cycle_threads) {
			CK(x < st->nthreads, "deadlock names thread %u", x);
			const struct dt_thread *t = &st->threads[x];
			CK(t->state == DT_TS_BLOCKED, "deadlock names thread %u in state %u", x,
			   t->state);
			if (t->wait_kind == DT_WAIT_LOCK) {
				int owner = st->locks[t->wait_object].owner_thread, listed = 0;
				for (unsigned q = 0; q < o->ncycle; q++)
					listed |= owner == (int)o->cycle[q];
				CK(listed,
				   "deadlock: thread %u waits for lock %u of thread %d, not in "
				   "the cycle",
				   x, t->wait_object, owner);
			} else {
				CK(t->wait_kind == DT_WAIT_FLUSH &&
					   flush_outstanding(ck, st, t->wait_step),
				   "deadlock: thread %u could be woken", x);
			}
		} else {
			CK(x < st->ncpus, "deadlock names CPU %u", x);
			const struct dt_cpu *cpu = &st->cpus[x];
			int found = 0;
			for (unsigned k = 0; k < cpu->nframes; k++) {
				const struct dt_frame *f = &cpu->frames[k];
				if (f->state != DT_FS_SPINNING)
					continue;
				int owner = st->locks[f->spin_lock].owner_cpu;
				for (unsigned q = 0; q < o->ncycle; q++)
					found |= owner == (int)o->cycle[q];
			}
			CK(found, "deadlock: CPU %u spins for no lock held in the cycle", x);
		}
	}
}

/* ------------------------------------------------------------------ */

static void config_for(struct dt_config *cfg, unsigned seed)
{
	dt_config_default(cfg, T_NCPUS);
	cfg->seed = seed;
	cfg->sw.step_limit = T_STEP_LIMIT;
	cfg->sw.tick_us = 100;
	cfg->sw.workers = 2;
}

static void sched_for(struct dt_sched *s, unsigned seed)
{
	static const uint32_t rates[] = { 20, 60, 150, 400 };
	dt_sched_random(s, seed, rates[seed % 4], 4 + seed % 9);
}

/* Run seed `seed` to its end; with a checker, check after every step.
 * When nothing can step the machine settles: it must then have an
 * outcome, never stay running with a thread that could be woken. */
static struct dt_machine *run_seed(struct world *w, unsigned seed, struct checker *ck,
				   unsigned *steps)
{
	struct dt_config cfg;
	struct dt_sched s;
	struct dt_machine *m;
	config_for(&cfg, seed);
	sched_for(&s, seed);
	REQUIRE(dt_machine_create(&cfg, dt_chost_ops(), &w->host, &m) == DT_OK, "create");
	const struct dt_state *st = dt_machine_state(m);
	REQUIRE(st->outcome.kind == DT_RUNNING, "seed %u: the scenario did not build", seed);
	*steps = 0;
	if (ck) {
		ck->trace_seen = dt_machine_trace_count(m);
		check_state(ck, st);
	}
	while (st->outcome.kind == DT_RUNNING) {
		struct dt_choice c;
		if (!dt_sched_next(&s, m, &c)) {
			REQUIRE(dt_machine_settle(m, 0) == DT_OK, "settle");
			REQUIRE(st->outcome.kind != DT_RUNNING,
				"seed %u step %u: nothing can step but the machine runs on", seed,
				st->step);
			break;
		}
		enum dt_cpu_action act = DT_ACT_NONE;
		if (ck) {
			snap_take(ck, m);
			if (c.kind == DT_CHOICE_CPU)
				act = dt_cpu_next_action(m, c.cpu);
		}
		REQUIRE(dt_machine_step(m, &c) == DT_OK, "seed %u: scheduler choice refused", seed);
		(*steps)++;
		if (ck && dt_machine_trace_count(m) == ck->trace_seen) {
			const struct cpu_snap *b = &ck->before[c.cpu];
			unsigned k = DT_OP_KIND_COUNT;
			if (act == DT_ACT_PERFORM_OP && b->nframes)
				k = b->frames[b->nframes - 1].op.kind;
			ck->silent[k < DT_OP_KIND_COUNT ? k : DT_OP_KIND_COUNT]++;
		}
		if (ck) {
			check_trace(ck, m);
			check_step(ck, m, &c, act);
			check_state(ck, st);
		}
	}
	return m;
}

/* Expected and actual, at quiescence. */
#define CK_EQ(a, b, what)                                                                   \
	CK((int64_t)(a) == (int64_t)(b), "%s: %lld, expected %lld", (what), (long long)(a), \
	   (long long)(b))

/*
 * At quiescence: everything is idle and free, and the counts agree.  The
 * work items ran exactly as often as they were queued successfully, direct
 * queuings plus the internal DPC's (R41, R43), none is queued or running;
 * the DPCs ran once per TRUE (R11); and every counter kept under a lock is
 * exact, so no two critical sections of the same lock overlapped.
 */
static void check_quiescent(struct checker *ck, struct world *w, unsigned variant,
			    const struct dt_state *st)
{
	const struct dt_var *v = st->vars;
	for (unsigned c = 0; c < st->ncpus; c++) {
		const struct dt_cpu *cpu = &st->cpus[c];
		CK(cpu->nframes == 0 && cpu->qlen == 0 && cpu->npending == 0 && !cpu->in_drain &&
			   cpu->irql == DT_PASSIVE_LEVEL,
		   "quiescent but CPU %u is busy", c);
	}
	for (unsigned i = 0; i < st->nthreads; i++) {
		const struct dt_thread *t = &st->threads[i];
		unsigned want = t->kind == DT_THREAD_LESSON ? DT_TS_DONE : DT_TS_IDLE;
		CK(t->state == want, "quiescent but thread %u is in state %u", i, t->state);
	}
	for (unsigned l = 0; l < st->nlocks; l++)
		CK(st->locks[l].owner_cpu == -1 && st->locks[l].owner_thread == -1,
		   "quiescent but lock %u is held", l);
	CK(st->nworkq == 0, "quiescent with %u work items queued", st->nworkq);
	for (unsigned i = 0; i < T_NINT; i++) {
		const struct dt_interrupt *in = &st->interrupts[i];
		const struct dt_dpc *d = &st->dpcs[in->dpc];
		CK(in->wi_queued == 0 && in->wi_running == 0,
		   "interrupt %u: work item queued %u running %u at quiescence", i, in->wi_queued,
		   in->wi_running);
		CK_EQ(in->wi_runs, ck->wiq_direct[i] + ck->wiq_dpc[i],
		      "R41: work-item runs = direct + internal-DPC TRUE queuings");
		CK(!d->inserted && d->running == 0, "DPC %u still queued or running", in->dpc);
		CK_EQ(d->runs, d->inserts, "R11: DPC runs = successful inserts");
		CK_EQ(d->completions, d->runs, "DPC returns = entries");
	}
	const struct dt_interrupt *nic = &st->interrupts[I_NIC], *wi = &st->interrupts[I_WI],
				  *sens = &st->interrupts[I_SENS];
	const struct dt_dpc *nic_dpc = &st->dpcs[nic->dpc], *wi_dpc = &st->dpcs[wi->dpc],
			    *sens_dpc = &st->dpcs[sens->dpc];
	/* nic: TRUE results counted by the ISR under its lock = DPC entries. */
	CK_EQ(v[V_NIC_QT].value.u.i, nic->queue_true, "nic ISR's TRUE count");
	CK_EQ(nic_dpc->inserts, nic->queue_true, "nic DPC inserts");
	/* wi: the ISR's queuings go through the internal DPC (R41), so its
	 * TRUE results are the DPC's inserts, and the work item is queued only
	 * by that DPC. */
	CK_EQ(v[V_WI_TRUE].value.u.i, wi->wi_true, "wi ISR's TRUE count");
	CK_EQ(wi_dpc->inserts, wi->wi_true, "wi internal DPC inserts");
	CK_EQ(ck->wiq_direct[I_WI], 0, "wi direct queuings");
	CK(ck->wiq_dpc[I_WI] <= wi_dpc->runs, "wi: %u queuings from %u DPC runs", ck->wiq_dpc[I_WI],
	   wi_dpc->runs);
	CK_EQ(v[V_WIRUN_WI].value.u.i, wi->wi_runs, "wi work-item runs counted");
	/* sensor: direct queuings at PASSIVE, and WdfInterruptQueueDpcForIsr
	 * through the internal DPC (R43); the ISR's counts match the trace. */
	CK_EQ(v[V_SENS_DIRECT].value.u.i, ck->wiq_direct[I_SENS], "sensor direct TRUE results");
	CK_EQ(v[V_SENS_DPC].value.u.i, sens->queue_true, "sensor QueueDpcForIsr TRUE results");
	CK_EQ(sens_dpc->inserts, sens->queue_true, "sensor internal DPC inserts");
	CK(ck->wiq_dpc[I_SENS] <= sens_dpc->runs, "sensor: %u queuings from %u DPC runs",
	   ck->wiq_dpc[I_SENS], sens_dpc->runs);
	CK_EQ(v[V_WIRUN_SENS].value.u.i, sens->wi_runs, "sensor work-item runs counted");
	CK(v[V_SENS_N].value.u.i <= sens->isr_calls, "sensor: %lld handled of %u ISR calls",
	   (long long)v[V_SENS_N].value.u.i, sens->isr_calls);
	/* Mutual exclusion: every critical section of a lock counted once. */
	int64_t runs = wi->wi_runs + sens->wi_runs;
	CK_EQ(v[V_A].value.u.i, 2 * T_ITERS + runs, "A (under the wait lock)");
	CK_EQ(v[V_B].value.u.i, 2 * T_ITERS + nic_dpc->runs + runs + v[V_SENS_N].value.u.i,
	      "B (under the spin lock)");
	CK_EQ(v[V_C].value.u.i, T_ITERS + nic_dpc->runs, "C (under the nic interrupt lock)");
	CK_EQ(v[V_D].value.u.i,
	      v[V_SENS_N].value.u.i + (variant == VAR_WAIT_ABBA ? 2 * T_ITERS : 0),
	      "D (under the sensor's wait lock)");
	CK(w->host.live_bodies == 0, "%u bodies alive at quiescence", w->host.live_bodies);
}

/* Determinism: the same seed gives the same trace and state bytes. */
static void check_same(unsigned seed, const struct dt_machine *a, const struct dt_machine *b)
{
	size_t na = dt_machine_trace_count(a), nb = dt_machine_trace_count(b);
	REQUIRE(na == nb, "seed %u: trace lengths %zu and %zu", seed, na, nb);
	REQUIRE(memcmp(dt_machine_trace(a), dt_machine_trace(b),
		       na * sizeof(struct dt_trace_event)) == 0,
		"seed %u: traces differ", seed);
	REQUIRE(memcmp(dt_machine_state(a), dt_machine_state(b), dt_state_size(T_NCPUS)) == 0,
		"seed %u: final states differ", seed);
}

/*
 * Over dt_test_count(3000) seeds: every property after every step, the
 * outcome rule when nothing can step, the counts at quiescence, real
 * cycles for deadlocks, byte-identical reruns (a fresh machine, and every
 * tenth seed again through start-over), and the mix of outcomes: most
 * runs quiescent, never a lesson error or the step limit.
 */
START_TEST(test_props_threads_random_schedules)
{
	static struct world worlds[T_NVARIANTS];
	static struct checker ck;
	unsigned n = (unsigned)dt_test_count(3000);
	unsigned outcomes[DT_LESSON_ERROR + 1] = { 0 }, dl_threads = 0, dl_cpus = 0;
	unsigned bc_codes[8] = { 0 }, nbc_codes = 0;
	uint32_t bc_code[8] = { 0 };
	unsigned long total_steps = 0, lock_blocks = 0, flush_blocks = 0, flush_now = 0;
	unsigned long thread_spins = 0, isr_spins = 0, wi_false = 0, wi_conc = 0, call_ret = 0;
	unsigned long pre_spin = 0, wi_runs = 0, silent[DT_OP_KIND_COUNT + 1] = { 0 };
	unsigned var_outcomes[T_NVARIANTS][DT_LESSON_ERROR + 1] = { { 0 } };
	for (unsigned v = 0; v < T_NVARIANTS; v++)
		world_init(&worlds[v], v);
	for (unsigned seed = 0; seed < n; seed++) {
		unsigned steps, steps2, variant = variant_of(seed);
		struct world *w = &worlds[variant];
		checker_init(&ck, seed);
		struct dt_machine *a = run_seed(w, seed, &ck, &steps);
		const struct dt_state *st = dt_machine_state(a);
		outcomes[st->outcome.kind]++;
		var_outcomes[variant][st->outcome.kind]++;
		total_steps += steps;
		switch (st->outcome.kind) {
		case DT_QUIESCENT:
			check_quiescent(&ck, w, variant, st);
			break;
		case DT_DEADLOCK:
			check_deadlock(&ck, st);
			/* The plain lock order is acyclic: it never deadlocks. */
			REQUIRE(variant != VAR_PLAIN, "seed %u: a plain run deadlocked at step %u",
				seed, st->outcome.step);
			if (st->outcome.cycle_threads)
				dl_threads++;
			else
				dl_cpus++;
			break;
		case DT_BUGCHECK: {
			unsigned k = 0;
			while (k < nbc_codes && bc_code[k] != st->outcome.code)
				k++;
			if (k == nbc_codes && nbc_codes < 8)
				bc_code[nbc_codes++] = st->outcome.code;
			if (k < 8)
				bc_codes[k]++;
			break;
		}
		default:
			REQUIRE(0, "seed %u: outcome %u at step %u (message: %s)", seed,
				st->outcome.kind, st->outcome.step,
				dt_machine_string(a, st->outcome.message));
		}
		for (unsigned i = 0; i < T_NINT; i++)
			wi_runs += st->interrupts[i].wi_runs;
		lock_blocks += ck.lock_blocks;
		flush_blocks += ck.flush_blocks;
		flush_now += ck.flush_now;
		thread_spins += ck.thread_spins;
		isr_spins += ck.isr_spins;
		wi_false += ck.wi_false;
		wi_conc += ck.wi_concurrent;
		call_ret += ck.call_returns;
		pre_spin += ck.preempted_spinners;
		for (unsigned k = 0; k <= DT_OP_KIND_COUNT; k++)
			silent[k] += ck.silent[k];
		struct dt_machine *b = run_seed(w, seed, NULL, &steps2);
		REQUIRE(steps == steps2, "seed %u: %u then %u steps", seed, steps, steps2);
		check_same(seed, a, b);
		if (seed % 10 == 0) {
			/* Start over is the explorer's path: it must reproduce too. */
			struct dt_sched s;
			sched_for(&s, seed);
			REQUIRE(dt_machine_start_over(b) == DT_OK, "start over");
			REQUIRE(dt_sched_run(&s, b, T_STEP_LIMIT + 1) == steps,
				"seed %u: start over changed the run", seed);
			check_same(seed, a, b);
		}
		dt_machine_destroy(a);
		dt_machine_destroy(b);
		REQUIRE(w->host.live_bodies == 0, "seed %u: %u bodies leaked", seed,
			w->host.live_bodies);
	}
	fprintf(stderr,
		"props_threads: %u seeds, %lu steps; quiescent %u, bugcheck %u, deadlock %u "
		"(threads %u, CPUs %u), step-limit %u, lesson-error %u\n",
		n, total_steps, outcomes[DT_QUIESCENT], outcomes[DT_BUGCHECK],
		outcomes[DT_DEADLOCK], dl_threads, dl_cpus, outcomes[DT_STEP_LIMIT],
		outcomes[DT_LESSON_ERROR]);
	for (unsigned v = 0; v < T_NVARIANTS; v++)
		fprintf(stderr, "props_threads: %s seeds: quiescent %u, bugcheck %u, deadlock %u\n",
			v == VAR_PLAIN	   ? "plain" :
			v == VAR_SPIN_ABBA ? "spin-ABBA" :
					     "wait-ABBA",
			var_outcomes[v][DT_QUIESCENT], var_outcomes[v][DT_BUGCHECK],
			var_outcomes[v][DT_DEADLOCK]);
	for (unsigned k = 0; k < nbc_codes; k++)
		fprintf(stderr, "props_threads: bug check 0x%X: %u runs\n", bc_code[k],
			bc_codes[k]);
	fprintf(stderr,
		"props_threads: wait-lock blocks %lu, flush blocks %lu (immediate %lu), thread "
		"spins %lu, ISR spins %lu, spinners preempted %lu, work-item runs %lu (FALSE "
		"queuings %lu, steps with 2 runs %lu), R21 call returns %lu\n",
		lock_blocks, flush_blocks, flush_now, thread_spins, isr_spins, pre_spin, wi_runs,
		wi_false, wi_conc, call_ret);
	/* Engine-contract 1 and 8 want every step in the trace; steps that
	 * leave none are reported (by operation kind, or "transition"), not
	 * failed: whether a silent operation is a gap is the trace schema's
	 * call. */
	for (unsigned k = 0; k <= DT_OP_KIND_COUNT; k++)
		if (silent[k])
			fprintf(stderr, "props_threads: %lu steps left no trace event: %s %u\n",
				silent[k], k < DT_OP_KIND_COUNT ? "operation kind" : "transition",
				k);
	ck_assert_uint_eq(outcomes[DT_LESSON_ERROR], 0);
	ck_assert_uint_eq(outcomes[DT_STEP_LIMIT], 0);
	/* Most runs end quiescent. */
	ck_assert_uint_ge(outcomes[DT_QUIESCENT] * 10, n * 9);
	/* The schedules reach what the properties are about. */
	if (n >= 100) {
		ck_assert_uint_gt(lock_blocks, 0);
		ck_assert_uint_gt(flush_blocks, 0);
		ck_assert_uint_gt(flush_now, 0);
		ck_assert_uint_gt(thread_spins, 0);
		ck_assert_uint_gt(isr_spins, 0);
		ck_assert_uint_gt(wi_runs, 0);
		ck_assert_uint_gt(wi_false, 0);
		ck_assert_uint_gt(call_ret, 0);
	}
}
END_TEST

Suite *props_threads_suite(void)
{
	Suite *s = suite_create("props_threads");
	TCase *tc = tcase_create("random");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_props_threads_random_schedules);
	suite_add_tcase(s, tc);
	return s;
}
