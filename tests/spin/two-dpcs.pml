/*
 * two-dpcs.pml - an independent Promela model of the two-DPC scenario
 * (tests/spin/two-dpcs.lua), written from docs semantics.md and
 * engine-contract.md, not from the engine's code.  tests/spin/check-spin.sh
 * asks Spin which final values are reachable and compares them with the
 * quiescent outcomes of `dpctutor --explore`.
 *
 * The scenario: two CPUs; one edge-triggered interrupt object (DIRQL 5,
 * affinity {0, 1}) with its one embedded DPC (Medium importance, not
 * targeted, R10); up to two device events, each sent to CPU 0 or CPU 1 at
 * any step boundary, also after everything is idle (R04).
 *   ISR: f = fired; fired = f + 1;
 *        if WdfInterruptQueueDpcForIsr() then q = queued; queued = q + 1 end;
 *        return TRUE                            (under the interrupt lock)
 *   DPC: t = total; total = t + 1               (no lock)
 *
 * Granularity (engine-contract 1): a step is one operation of a body, or
 * one kernel transition: take an interrupt (raise IRQL, push the ISR, take
 * the interrupt lock or start spinning), obtain the lock a spinner waited
 * for, ISR return (release, lower IRQL), dequeue a DPC and enter it ("in a
 * queue" clears here, R13), DPC return.  Each step is one d_step.  A CPU
 * is a process; Spin's interleaving of the CPU processes and the event
 * process is the explorer's choice of who steps next, and a CPU's own next
 * step is never a choice: it follows the forced order (R08, R16):
 *   1. a pending interrupt above the CPU's IRQL is taken;
 *   2. a spinning ISR whose lock is free obtains it;
 *   3. a due DPC drain dequeues the head, when no routine is on top;
 *   4. the top routine (ISR above DPC) performs its next operation or
 *      returns.
 * A spinning CPU is not a choice until the lock is free (its d_step is
 * not executable).  A run ends when no CPU can step and the event process
 * has stopped (it may stop with events unused, as a run of the explorer
 * may end with free events left).
 *
 * Left out because they cannot change this scenario's final values:
 * threads (there are none, so a CPU with no frame is idle), clock ticks
 * and the idle drain (every insert here is from the queuing CPU itself,
 * so it requests a drain at once, R19), the watchdog (runs are ~40 steps,
 * far below the scaled limits), device registers (the ISR touches none;
 * an edge line sends one request per event), step costs and time.
 * Spin's partial order reduction is left on (it preserves assertion
 * violations and invalid end states); every statement here touches global
 * state, so it reduces nothing: -DNOREDUCE stores the same 1096 states.
 *
 * Build with -DCAND_F=F -DCAND_Q=Q -DCAND_T=T to assert "not (fired == F
 * and queued == Q and total == T)" at every final state: an assertion
 * violation means that final state is reachable.  Without them it checks
 * the model's own invariants, that every final state is quiescent (no CPU
 * has work left: no deadlock, no stuck spinner) and that the final values
 * lie inside the candidate range the script enumerates (fired <= FMAX,
 * queued <= fired, total <= queued).
 */

#define NCPU     2
#define PASSIVE  0
#define DISPATCH 2
#define DIRQL    5     /* the line's DIRQL = its SynchronizeIrql (R03) */
#define NOBODY   255
#define EVENTS   2     /* free events of the device (free = 2) */

#ifndef FMAX
#define FMAX EVENTS
#endif

/* Where an ISR frame is: none, spinning for the interrupt lock, stopped
 * before one of its operations, or returned (its return is the next step). */
#define I_NONE   0
#define I_SPIN   1
#define I_READ   2     /* before  f = fired      */
#define I_WRITE  3     /* before  fired = f + 1  */
#define I_QUEUE  4     /* before  WdfInterruptQueueDpcForIsr */
#define I_QREAD  5     /* before  q = queued     (the call returned TRUE) */
#define I_QWRITE 6     /* before  queued = q + 1 */
#define I_RET    7     /* returned TRUE: the ISR-return transition is next */

/* Where a DPC frame is. */
#define D_NONE   0
#define D_READ   1     /* before  t = total      */
#define D_WRITE  2     /* before  total = t + 1  */
#define D_RET    3     /* returned: the DPC-return transition is next */

/* Watched shared values. */
byte fired = 0;
byte queued = 0;                /* WdfInterruptQueueDpcForIsr returned TRUE */
byte total = 0;

/* The interrupt object: its spin lock (R03) and its DPC (R10-R13). */
byte lock_owner = NOBODY;
bool inserted = false;          /* in some CPU's queue, not yet dequeued */

/* Per CPU. */
byte irql[NCPU];                /* PASSIVE at start */
bool pending[NCPU];             /* one request bit per CPU and vector (R06) */
byte qlen[NCPU];                /* the CPU's DPC queue (only our one DPC) */
bool drain_req[NCPU];           /* a drain was requested (R16, R19) */
bool in_drain[NCPU];            /* inside a drain pass, at DISPATCH */
byte drain_irql[NCPU];          /* the IRQL the drain returns to */
byte isr_pc[NCPU];              /* the ISR frame (at most one: DIRQL masks it) */
byte isr_saved[NCPU];           /* the IRQL the ISR return restores */
byte isr_f[NCPU];               /* the ISR's local f */
byte isr_q[NCPU];               /* the ISR's local q */
bool isr_result[NCPU];          /* what WdfInterruptQueueDpcForIsr returned */
byte dpc_pc[NCPU];              /* the DPC frame (at most one per CPU) */
byte dpc_t[NCPU];               /* the DPC's local t */

byte events_left = EVENTS;
bool events_done = false;       /* the event source placed its last event */

#define no_routine(c)  (isr_pc[c] == I_NONE && dpc_pc[c] == D_NONE)

/* R16: a drain is due when the queue has entries and the CPU is in a drain
 * pass, or is below DISPATCH with a drain requested or nothing running. */
#define drain_due(c)   (qlen[c] > 0 && \
			(in_drain[c] || (irql[c] < DISPATCH && (drain_req[c] || no_routine(c)))))

#define can_take(c)    (pending[c] && irql[c] < DIRQL)                 /* R02, R08 */
#define can_obtain(c)  (isr_pc[c] == I_SPIN && lock_owner == NOBODY)   /* R03 */
#define can_dequeue(c) (drain_due(c) && no_routine(c))
#define isr_runs(c)    (isr_pc[c] >= I_READ)
#define dpc_runs(c)    (isr_pc[c] == I_NONE && dpc_pc[c] != D_NONE)    /* R17 */

#define can_step(c)    (can_take(c) || can_obtain(c) || can_dequeue(c) || \
			isr_runs(c) || dpc_runs(c))

#define idle(c)        (no_routine(c) && !pending[c] && qlen[c] == 0 && \
			!in_drain[c] && irql[c] == PASSIVE)

#ifdef CAND_F
#define check(e)       skip
#else
#define check(e)       assert(e)
#endif

/* KeInsertQueueDpc on the interrupt's DPC from CPU c (R10-R12, R19);
 * WdfInterruptQueueDpcForIsr returns its result unchanged (R10). */
inline queue_dpc(c)
{
	if
	:: inserted ->
		isr_result[c] = false           /* FALSE: the earlier queuing stands (R11) */
	:: else ->
		isr_result[c] = true;
		check(qlen[0] + qlen[1] == 0);
		qlen[c] = qlen[c] + 1;          /* on the caller's CPU (R12) */
		inserted = true;
		drain_req[c] = true             /* Medium, same CPU: drain at once (R19) */
	fi
}

/* One step of CPU c, in the forced order. */
inline cpu_step(c)
{
	if
	:: can_take(c) ->
		/* Take the interrupt: raise to DIRQL, push the ISR frame, take
		 * the interrupt lock or spin for it at DIRQL (R03, R08). */
		pending[c] = false;
		check(isr_pc[c] == I_NONE);
		isr_saved[c] = irql[c];
		irql[c] = DIRQL;
		if
		:: lock_owner == NOBODY -> lock_owner = c; isr_pc[c] = I_READ
		:: else -> isr_pc[c] = I_SPIN
		fi
	:: else ->
		if
		:: can_obtain(c) ->
			lock_owner = c;
			isr_pc[c] = I_READ
		:: else ->
			if
			:: can_dequeue(c) ->
				/* Dequeue the head and enter the DPC (R13, R16). */
				if
				:: !in_drain[c] ->
					in_drain[c] = true;
					drain_irql[c] = irql[c];
					drain_req[c] = false;
					irql[c] = DISPATCH
				:: else -> skip
				fi;
				check(inserted);
				qlen[c] = qlen[c] - 1;
				inserted = false;       /* before the routine's first operation (R13) */
				dpc_pc[c] = D_READ
			:: else ->
				if
				:: isr_pc[c] == I_READ ->
					check(lock_owner == c && irql[c] == DIRQL);
					isr_f[c] = fired;
					isr_pc[c] = I_WRITE
				:: isr_pc[c] == I_WRITE ->
					fired = isr_f[c] + 1;
					isr_pc[c] = I_QUEUE
				:: isr_pc[c] == I_QUEUE ->
					queue_dpc(c);
					if
					:: isr_result[c] -> isr_pc[c] = I_QREAD
					:: else -> isr_pc[c] = I_RET
					fi
				:: isr_pc[c] == I_QREAD ->
					isr_q[c] = queued;
					isr_pc[c] = I_QWRITE
				:: isr_pc[c] == I_QWRITE ->
					queued = isr_q[c] + 1;
					isr_pc[c] = I_RET
				:: isr_pc[c] == I_RET ->
					/* ISR return: release the lock, lower the IRQL. */
					check(lock_owner == c);
					lock_owner = NOBODY;
					irql[c] = isr_saved[c];
					isr_pc[c] = I_NONE
				:: else ->
					check(dpc_runs(c) && irql[c] == DISPATCH && in_drain[c]);
					if
					:: dpc_pc[c] == D_READ ->
						dpc_t[c] = total;
						dpc_pc[c] = D_WRITE
					:: dpc_pc[c] == D_WRITE ->
						total = dpc_t[c] + 1;
						dpc_pc[c] = D_RET
					:: else ->
						/* DPC return: the pass goes on while the
						 * queue has entries (R16). */
						dpc_pc[c] = D_NONE;
						if
						:: qlen[c] == 0 ->
							in_drain[c] = false;
							drain_req[c] = false;
							irql[c] = drain_irql[c]
						:: else -> skip
						fi
					fi
				fi
			fi
		fi
	fi
}

proctype cpu(byte c)
{
end:	do
	:: d_step { can_step(c) -> cpu_step(c) }
	od
}

/* A device event sends one edge request to CPU k of the affinity set
 * (R04); a request already pending there absorbs it (R06). */
inline deliver(k)
{
	events_left = events_left - 1;
	pending[k] = true
}

proctype events()
{
	do
	:: d_step { events_left > 0 -> deliver(0) }
	:: d_step { events_left > 0 -> deliver(1) }
	:: break                                /* no further event */
	od;
	events_done = true
}

/* A final state: no event will come and no CPU can step. */
proctype final()
{
	d_step {
		events_done && !can_step(0) && !can_step(1) ->
#ifdef CAND_F
		assert(!(fired == CAND_F && queued == CAND_Q && total == CAND_T))
#else
		assert(idle(0) && idle(1) && lock_owner == NOBODY && !inserted);
		assert(fired <= FMAX && queued <= fired && total <= queued)
#endif
	}
}

init
{
	atomic {
		run cpu(0);
		run cpu(1);
		run events();
		run final()
	}
}
