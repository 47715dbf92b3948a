/*
 * cprog.c - the C-program host: bodies as small instruction arrays
 * (dt_cprog.h).
 *
 * It plays by the same rules as the Lua runtime: a body is created for a
 * callback, resumed with the result of the operation it stopped before,
 * and answers with its next operation or its return value.  Local
 * instructions have no footprint and cost no step; a body that runs more
 * than `budget` of them without reaching an operation is an error, so a
 * looping test program cannot hang the engine.
 */
#include <stdlib.h>
#include <string.h>

#include "dt_cprog.h"

struct cbody {
	unsigned prog;
	unsigned pc;
	int has_dst;       /* the pending op writes r[dst] on resume */
	unsigned dst;
	int64_t r[DT_CPROG_REGS];
	struct dt_call call;
};

static void *cbody_create(void *ctx, const struct dt_call *call)
{
	struct dt_chost *h = ctx;
	if (call->callback >= h->nprogs)
		return NULL;
	struct cbody *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->prog = call->callback;
	b->call = *call;
	h->live_bodies++;
	return b;
}

static void cbody_destroy(void *ctx, void *body)
{
	struct dt_chost *h = ctx;
	if (body)
		h->live_bodies--;
	free(body);
}

static void *cbody_clone(void *ctx, const void *body)
{
	struct dt_chost *h = ctx;
	struct cbody *b = malloc(sizeof(*b));
	if (!b)
		return NULL;
	memcpy(b, body, sizeof(*b));
	h->live_bodies++;
	return b;
}

static int64_t value_int(const struct dt_value *v)
{
	if (v->kind == DT_VAL_NUMBER)
		return (int64_t)v->u.n;
	return v->kind == DT_VAL_NIL ? 0 : v->u.i;
}

static void fail(struct dt_body_reply *reply, const char *msg, unsigned pc)
{
	reply->status = DT_BODY_ERROR;
	reply->pos.line = pc + 1;
	strncpy(reply->message, msg, sizeof(reply->message) - 1);
}

/* Fill reply->op for an operation instruction. */
static void emit_op(struct cbody *b, const struct dt_cinsn *in, struct dt_body_reply *reply)
{
	struct dt_op *op = &reply->op;
	memset(op, 0, sizeof(*op));
	op->pos.line = b->pc + 1;
	op->index = in->a;
	op->reg = in->b;
	b->has_dst = 0;
	reply->status = DT_BODY_OP;
	switch (in->op) {
	case CI_READ:
		op->kind = DT_OP_READ_SHARED;
		b->has_dst = 1;
		break;
	case CI_WRITE:
	case CI_WRITEI:
		op->kind = DT_OP_WRITE_SHARED;
		op->value = dt_int(in->op == CI_WRITE ? b->r[in->src % DT_CPROG_REGS] : in->imm);
		break;
	case CI_RDREG:
		op->kind = DT_OP_READ_REGISTER;
		b->has_dst = 1;
		break;
	case CI_WRREG:
	case CI_WRREGI:
		op->kind = DT_OP_WRITE_REGISTER;
		op->value = dt_int(in->op == CI_WRREG ? b->r[in->src % DT_CPROG_REGS] : in->imm);
		break;
	case CI_QUEUE_DPC:
		op->kind = DT_OP_QUEUE_DPC_FOR_ISR;
		op->handle = in->imm ? (uint64_t)in->imm : b->call.interrupt;
		b->has_dst = 1;
		break;
	case CI_STEP:
		op->kind = DT_OP_STEP;
		op->cost_us = (uint32_t)in->imm;
		break;
	case CI_IRQL:
		op->kind = DT_OP_GET_IRQL;
		b->has_dst = 1;
		break;
	case CI_OP:
		op->kind = (uint16_t)in->b;
		op->handle = in->imm ? (uint64_t)in->imm : b->call.interrupt;
		op->value = dt_int(in->a);
		op->index = 0;
		op->reg = 0;
		b->has_dst = 1;
		break;
	default:
		op->kind = DT_OP_GET_PROCESSOR;
		b->has_dst = 1;
		break;
	}
	b->dst = in->dst % DT_CPROG_REGS;
	b->pc++;
}

static void cbody_resume(void *ctx, void *body, const struct dt_value *result,
			 struct dt_body_reply *reply)
{
	struct dt_chost *h = ctx;
	struct cbody *b = body;
	const struct dt_cprog *p = &h->progs[b->prog];
	unsigned budget = h->budget ? h->budget : 10000;
	if (b->has_dst)
		b->r[b->dst] = value_int(result);
	b->has_dst = 0;
	for (unsigned n = 0; n < budget; n++) {
		if (b->pc >= p->len) {
			reply->status = DT_BODY_RETURNED;
			reply->retval = dt_int(0);
			return;
		}
		const struct dt_cinsn *in = &p->code[b->pc];
		unsigned d = in->dst % DT_CPROG_REGS, s = in->src % DT_CPROG_REGS;
		switch (in->op) {
		case CI_RET:
		case CI_RETI:
			reply->status = DT_BODY_RETURNED;
			reply->retval = dt_int(in->op == CI_RET ? b->r[s] : in->imm);
			reply->pos.line = b->pc + 1;
			return;
		case CI_MOVI:
			b->r[d] = in->imm;
			break;
		case CI_ADDI:
			b->r[d] = (int64_t)((uint64_t)b->r[d] + (uint64_t)in->imm);
			break;
		case CI_ADD:
			b->r[d] = (int64_t)((uint64_t)b->r[d] + (uint64_t)b->r[s]);
			break;
		case CI_JMP:
			b->pc = in->a;
			continue;
		case CI_JZ:
		case CI_JNZ:
			if ((b->r[s] == 0) == (in->op == CI_JZ)) {
				b->pc = in->a;
				continue;
			}
			break;
		default:
			if (in->op >= CI_OP_COUNT) {
				fail(reply, "unknown instruction", b->pc);
				return;
			}
			emit_op(b, in, reply);
			return;
		}
		b->pc++;
	}
	fail(reply, "the body ran its whole budget without reaching an operation", b->pc);
	reply->status = DT_BODY_BUDGET; /* the engine decides: 0x133 or a lesson error */
}

static int chost_build(void *ctx, struct dt_machine *m)
{
	struct dt_chost *h = ctx;
	return h->build ? h->build(h, m) : 0;
}

static const struct dt_host_ops chost_ops = {
	.build = chost_build,
	.body_create = cbody_create,
	.body_resume = cbody_resume,
	.body_destroy = cbody_destroy,
	.body_clone = cbody_clone,
};

const struct dt_host_ops *dt_chost_ops(void)
{
	return &chost_ops;
}
