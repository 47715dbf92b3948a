/*
 * verifier.c - KMDF verifier findings (R34).
 *
 * Some misuses of interrupt calls are not checked by the kernel at all
 * (R35); the KMDF verifier checks them and prints "WDF detected
 * potentially invalid operation".  What happens next depends on the
 * machine's switches:
 *   verifier off                 no check: the call proceeds (returns 1);
 *   verifier on, debugger        a break; continued, the call returns
 *                                without acting (returns 0);
 *   verifier on, no debugger     the breakpoint is unhandled: bug check
 *                                0x1E, P1 = 0x80000003 (returns -1).
 */
#include "machine_int.h"

int dt_verifier_finding(struct dt_machine *m, unsigned cpu, unsigned finding, unsigned rule)
{
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_VERIFIER, (int)cpu);
	e->arg[0] = finding;
	e->rule = (uint16_t)rule;
	if (!m->st.sw.kmdf_verifier) {
		e->result = 1;
		return 1;
	}
	if (m->st.sw.debugger_attached) {
		e->result = 0;
		return 0;
	}
	e->result = -1;
	dt_bugcheck(m, (int)cpu, DT_BUGCODE_KMODE_EXCEPTION_NOT_HANDLED, 0x80000003u,
		    DT_FAKE_RETURN_ADDRESS, 0, 0, DT_BCR_VERIFIER_BREAK, 34);
	return -1;
}
