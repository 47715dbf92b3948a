/*
 * dt_cprog.h - bodies written as tiny C programs, for tests, benchmarks
 * and fuzzing.
 *
 * The engine never runs driver code itself; a host supplies bodies.  This
 * host's bodies are arrays of instructions: local ones (arithmetic, jumps)
 * run freely, operation instructions stop the body and hand the engine a
 * request, exactly as a Lua coroutine will.  Callback id N is program N.
 * Bodies are plain data, so machines using this host can be cloned.
 *
 *   static const struct dt_cinsn isr[] = {
 *       CP_WRREGI(0, DT_REG_INTSTATUS, 1),  // acknowledge the device
 *       CP_QUEUE_DPC(0),                    // r0 = WdfInterruptQueueDpcForIsr()
 *       CP_RETI(1),                         // return TRUE
 *   };
 */
#ifndef DT_CPROG_H
#define DT_CPROG_H

#include <stdint.h>

#include "dt_machine.h"

enum dt_cinsn_op {
	CI_RET = 0,  /* return r[src]                       */
	CI_RETI,     /* return imm                          */
	CI_MOVI,     /* r[dst] = imm                 local  */
	CI_ADDI,     /* r[dst] += imm                local  */
	CI_ADD,      /* r[dst] += r[src]             local  */
	CI_JMP,      /* pc = a                       local  */
	CI_JZ,       /* if r[src] == 0: pc = a       local  */
	CI_JNZ,      /* if r[src] != 0: pc = a       local  */
	CI_READ,     /* r[dst] = shared var a              (op) */
	CI_WRITE,    /* shared var a = r[src]              (op) */
	CI_WRITEI,   /* shared var a = imm                 (op) */
	CI_RDREG,    /* r[dst] = device a register b       (op) */
	CI_WRREG,    /* device a register b = r[src]       (op) */
	CI_WRREGI,   /* device a register b = imm          (op) */
	CI_QUEUE_DPC, /* r[dst] = WdfInterruptQueueDpcForIsr(own interrupt, or imm if nonzero) (op) */
	CI_STEP,     /* step("...", {us = imm})            (op) */
	CI_IRQL,     /* r[dst] = KeGetCurrentIrql()        (op) */
	CI_CPU,      /* r[dst] = KeGetCurrentProcessorNumber() (op) */
	CI_OP,       /* r[dst] = operation b (enum dt_op_kind) on handle imm (0: the
			body's own interrupt) with value a                  (op) */
	CI_OP_COUNT
};

/* Register numbers (dst, src) are taken modulo DT_CPROG_REGS. */
#define DT_CPROG_REGS 4

struct dt_cinsn {
	uint8_t op;   /* enum dt_cinsn_op */
	uint8_t dst;  /* register written */
	uint8_t src;  /* register read */
	uint8_t pad;
	uint32_t a;   /* var / device / jump target */
	uint32_t b;   /* register number */
	int64_t imm;
};

struct dt_cprog {
	const struct dt_cinsn *code;
	unsigned len;
};

/* The host: programs by callback id, and a scenario builder. */
struct dt_chost {
	const struct dt_cprog *progs;
	unsigned nprogs;
	int (*build)(struct dt_chost *h, struct dt_machine *m);
	void *user;
	unsigned budget;      /* local instructions per resume; 0 = 10000 */
	unsigned live_bodies; /* bodies created and not destroyed (for leak tests) */
};

/* The host operation table; pass the struct dt_chost as ctx. */
const struct dt_host_ops *dt_chost_ops(void);

#define CP_RET(r) { .op = CI_RET, .src = (r) }
#define CP_RETI(v) { .op = CI_RETI, .imm = (v) }
#define CP_MOVI(r, v) { .op = CI_MOVI, .dst = (r), .imm = (v) }
#define CP_ADDI(r, v) { .op = CI_ADDI, .dst = (r), .imm = (v) }
#define CP_ADD(r, s) { .op = CI_ADD, .dst = (r), .src = (s) }
#define CP_JMP(t) { .op = CI_JMP, .a = (t) }
#define CP_JZ(r, t) { .op = CI_JZ, .src = (r), .a = (t) }
#define CP_JNZ(r, t) { .op = CI_JNZ, .src = (r), .a = (t) }
#define CP_READ(r, v) { .op = CI_READ, .dst = (r), .a = (v) }
#define CP_WRITE(v, r) { .op = CI_WRITE, .src = (r), .a = (v) }
#define CP_WRITEI(v, x) { .op = CI_WRITEI, .a = (v), .imm = (x) }
#define CP_RDREG(r, d, g) { .op = CI_RDREG, .dst = (r), .a = (d), .b = (g) }
#define CP_WRREG(d, g, r) { .op = CI_WRREG, .src = (r), .a = (d), .b = (g) }
#define CP_WRREGI(d, g, x) { .op = CI_WRREGI, .a = (d), .b = (g), .imm = (x) }
#define CP_QUEUE_DPC(r) { .op = CI_QUEUE_DPC, .dst = (r) }
#define CP_QUEUE_DPC_H(r, h) { .op = CI_QUEUE_DPC, .dst = (r), .imm = (int64_t)(h) }
#define CP_STEP(us) { .op = CI_STEP, .imm = (us) }
#define CP_IRQL(r) { .op = CI_IRQL, .dst = (r) }
#define CP_CPU(r) { .op = CI_CPU, .dst = (r) }
#define CP_OP(r, kind, h, v) { .op = CI_OP, .dst = (r), .b = (kind), .imm = (int64_t)(h), .a = (v) }

#define DT_CPROG(arr) { (arr), sizeof(arr) / sizeof((arr)[0]) }

#endif /* DT_CPROG_H */
