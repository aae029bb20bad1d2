/* Instruction compilation (control thread) and action execution (workers): see
 * dp_prog.h. Header edits are dp_pkt.c's; key re-extraction is dp_key.c's. */
#include "dp_prog.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "openflow.h"
#include "oxm.h"
#include "util.h"

/* ---- Compilation ------------------------------------------------------------------------ */

static int
refuse(struct ofp_err *err, uint16_t type, uint16_t code)
{
	ofp_err_set(err, type, code);
	return -EOPNOTSUPP;
}

static bool
output_port_ok(uint32_t port, unsigned opts)
{
	switch (port) {
	case OFPP_IN_PORT:
	case OFPP_NORMAL:
	case OFPP_FLOOD:
	case OFPP_ALL:
	case OFPP_CONTROLLER:
	case OFPP_LOCAL:
		return true;
	case OFPP_TABLE:
		return (opts & DP_PROG_PACKET_OUT) != 0;
	default:
		return port != 0 && port <= OFPP_MAX;
	}
}

/* Checks one action; returns the 8-byte ops it takes, or a negative errno. */
static int
check_action(const struct ofp_action *a, unsigned opts, struct ofp_err *err)
{
	const struct oxm_field_info *fi;

	switch (a->type) {
	case OFPAT_OUTPUT:
		if (!output_port_ok(a->output.port, opts))
			return refuse(err, OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT);
		return 1;
	case OFPAT_GROUP:
		if (a->group_id > OFPG_MAX)
			return refuse(err, OFPET_BAD_ACTION, OFPBAC_BAD_OUT_GROUP);
		return 1;
	case OFPAT_PUSH_VLAN:
		if (a->ethertype != 0x8100 && a->ethertype != 0x88a8)
			return refuse(err, OFPET_BAD_ACTION, OFPBAC_BAD_ARGUMENT);
		return 1;
	case OFPAT_PUSH_MPLS:
		if (a->ethertype != 0x8847 && a->ethertype != 0x8848)
			return refuse(err, OFPET_BAD_ACTION, OFPBAC_BAD_ARGUMENT);
		return 1;
	case OFPAT_PUSH_PBB:
		if (a->ethertype != 0x88e7)
			return refuse(err, OFPET_BAD_ACTION, OFPBAC_BAD_ARGUMENT);
		return 1;
	case OFPAT_SET_QUEUE:
	case OFPAT_POP_VLAN:
	case OFPAT_POP_MPLS:
	case OFPAT_POP_PBB:
	case OFPAT_COPY_TTL_OUT:
	case OFPAT_COPY_TTL_IN:
	case OFPAT_SET_MPLS_TTL:
	case OFPAT_DEC_MPLS_TTL:
	case OFPAT_SET_NW_TTL:
	case OFPAT_DEC_NW_TTL:
		return 1;
	case OFPAT_SET_FIELD:
		fi = oxm_field_info(a->set_field.field);
		if (!fi || !fi->settable)
			return refuse(err, OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
		if (a->set_field.len != fi->len)
			return refuse(err, OFPET_BAD_ACTION, OFPBAC_BAD_SET_LEN);
		return DP_OP_SET_FIELD_SLOTS;
	case OFPAT_EXPERIMENTER:
		return refuse(err, OFPET_BAD_ACTION, OFPBAC_BAD_EXPERIMENTER);
	default:
		return refuse(err, OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
	}
}

static int
count_ops(const struct ofp_action_list *l, unsigned opts, unsigned *n, struct ofp_err *err)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		int rc = check_action(&l->actions[i], opts, err);

		if (rc < 0)
			return rc;
		*n += (unsigned)rc;
		if (*n > DP_PROG_MAX_OPS)
			return refuse(err, OFPET_BAD_ACTION, OFPBAC_TOO_MANY);
	}
	return 0;
}

static const uint8_t op_of_action[] = {
	[OFPAT_OUTPUT] = DP_OP_OUTPUT,
	[OFPAT_COPY_TTL_OUT] = DP_OP_COPY_TTL_OUT,
	[OFPAT_COPY_TTL_IN] = DP_OP_COPY_TTL_IN,
	[OFPAT_SET_MPLS_TTL] = DP_OP_SET_MPLS_TTL,
	[OFPAT_DEC_MPLS_TTL] = DP_OP_DEC_MPLS_TTL,
	[OFPAT_PUSH_VLAN] = DP_OP_PUSH_VLAN,
	[OFPAT_POP_VLAN] = DP_OP_POP_VLAN,
	[OFPAT_PUSH_MPLS] = DP_OP_PUSH_MPLS,
	[OFPAT_POP_MPLS] = DP_OP_POP_MPLS,
	[OFPAT_SET_QUEUE] = DP_OP_SET_QUEUE,
	[OFPAT_GROUP] = DP_OP_GROUP,
	[OFPAT_SET_NW_TTL] = DP_OP_SET_NW_TTL,
	[OFPAT_DEC_NW_TTL] = DP_OP_DEC_NW_TTL,
	[OFPAT_SET_FIELD] = DP_OP_SET_FIELD,
	[OFPAT_PUSH_PBB] = DP_OP_PUSH_PBB,
	[OFPAT_POP_PBB] = DP_OP_POP_PBB,
};

static const uint8_t slot_of_op[DP_OP_N] = {
	[DP_OP_OUTPUT] = DP_ASET_OUTPUT,
	[DP_OP_GROUP] = DP_ASET_GROUP,
	[DP_OP_SET_QUEUE] = DP_ASET_SET_QUEUE,
	[DP_OP_PUSH_VLAN] = DP_ASET_PUSH_VLAN,
	[DP_OP_POP_VLAN] = DP_ASET_POP_VLAN,
	[DP_OP_PUSH_MPLS] = DP_ASET_PUSH_MPLS,
	[DP_OP_POP_MPLS] = DP_ASET_POP_MPLS,
	[DP_OP_PUSH_PBB] = DP_ASET_PUSH_PBB,
	[DP_OP_POP_PBB] = DP_ASET_POP_PBB,
	[DP_OP_COPY_TTL_OUT] = DP_ASET_COPY_TTL_OUT,
	[DP_OP_COPY_TTL_IN] = DP_ASET_COPY_TTL_IN,
	[DP_OP_SET_MPLS_TTL] = DP_ASET_SET_MPLS_TTL,
	[DP_OP_DEC_MPLS_TTL] = DP_ASET_DEC_MPLS_TTL,
	[DP_OP_SET_NW_TTL] = DP_ASET_SET_NW_TTL,
	[DP_OP_DEC_NW_TTL] = DP_ASET_DEC_NW_TTL,
	[DP_OP_SET_FIELD] = DP_ASET_SET_FIELD,
};

static inline unsigned
op_slots(const struct dp_op *op)
{
	return op->code == DP_OP_SET_FIELD || op->code == DP_OP_SET_META ? DP_OP_SET_FIELD_SLOTS
									 : 1u;
}

static inline unsigned
aset_slot(const struct dp_op *op)
{
	return slot_of_op[op->code] + (op->code == DP_OP_SET_FIELD ? op->a8 : 0u);
}

/* Emits the (already checked) actions of l at op; returns the op after them. */
static struct dp_op *
emit(struct dp_op *op, const struct ofp_action_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct ofp_action *a = &l->actions[i];
		const struct oxm_field_info *fi;
		uint8_t *v;

		memset(op, 0, sizeof *op);
		op->code = op_of_action[a->type];
		switch (a->type) {
		case OFPAT_OUTPUT:
			op->a32 = a->output.port;
			op->a16 = a->output.max_len;
			break;
		case OFPAT_GROUP:
			op->a32 = a->group_id;
			break;
		case OFPAT_SET_QUEUE:
			op->a32 = a->queue_id;
			break;
		case OFPAT_PUSH_VLAN:
		case OFPAT_PUSH_MPLS:
		case OFPAT_POP_MPLS:
		case OFPAT_PUSH_PBB:
			op->a16 = a->ethertype;
			break;
		case OFPAT_SET_MPLS_TTL:
		case OFPAT_SET_NW_TTL:
			op->a8 = a->ttl;
			break;
		case OFPAT_SET_FIELD:
			fi = oxm_field_info(a->set_field.field);
			op->a8 = a->set_field.field;
			op->a16 = fi->len;
			op->a32 = fi->offset;
			v = (uint8_t *)(op + 1);
			memset(v, 0, 16);
			memcpy(v, a->set_field.value, fi->len);
			if (op->a8 == OFPXMT_OFB_VLAN_VID)
				v[0] = (uint8_t)((v[0] & 0x0f) | (OFPVID_PRESENT >> 8));
			break;
		default:
			break;
		}
		op += op_slots(op);
	}
	return op;
}

static struct dp_prog *
prog_alloc(unsigned n_ops)
{
	struct dp_prog *p = pfs_calloc(1, sizeof *p + n_ops * sizeof(struct dp_op));

	return p;
}

static void
prog_finish_write(struct dp_prog *p)
{
	const struct dp_op *op = p->ops + p->n_apply, *end = op + p->n_write;

	for (; op < end; op += op_slots(op))
		p->write_slots |= 1ull << aset_slot(op);
}

int
dp_prog_compile(const struct ofp_instruction_list *insts, struct dp_prog **out, struct ofp_err *err)
{
	return dp_prog_compile_in(insts, NULL, 0, out, err);
}

int
dp_prog_compile_in(const struct ofp_instruction_list *insts, void *buf, size_t room,
		   struct dp_prog **out, struct ofp_err *err)
{
	const struct ofp_action_list *apply = NULL, *write = NULL;
	const struct ofp_instruction *goto_i = NULL, *meta = NULL, *meter = NULL;
	unsigned seen = 0, n_apply = 0, n_write = 0;
	bool clear = false;
	struct dp_prog *p;
	size_t i;
	int rc;

	*out = NULL;
	for (i = 0; i < insts->n; i++) {
		const struct ofp_instruction *in = &insts->insts[i];

		if (in->type == OFPIT_EXPERIMENTER)
			return refuse(err, OFPET_BAD_INSTRUCTION, OFPBIC_BAD_EXPERIMENTER);
		if (in->type < OFPIT_GOTO_TABLE || in->type > OFPIT_METER)
			return refuse(err, OFPET_BAD_INSTRUCTION, OFPBIC_UNKNOWN_INST);
		if (seen & (1u << in->type))
			return refuse(err, OFPET_BAD_INSTRUCTION, OFPBIC_DUP_INST);
		seen |= 1u << in->type;
		switch (in->type) {
		case OFPIT_GOTO_TABLE:
			if (in->table_id == OFPTT_ALL)
				return refuse(err, OFPET_BAD_INSTRUCTION, OFPBIC_BAD_TABLE_ID);
			goto_i = in;
			break;
		case OFPIT_WRITE_METADATA:
			meta = in;
			break;
		case OFPIT_WRITE_ACTIONS:
			write = &in->actions;
			break;
		case OFPIT_APPLY_ACTIONS:
			apply = &in->actions;
			break;
		case OFPIT_CLEAR_ACTIONS:
			clear = true;
			break;
		case OFPIT_METER:
			meter = in;
			break;
		}
	}
	if (apply && (rc = count_ops(apply, 0, &n_apply, err)) < 0)
		return rc;
	if (write && (rc = count_ops(write, 0, &n_write, err)) < 0)
		return rc;
	if (n_apply + n_write > DP_PROG_MAX_OPS)
		return refuse(err, OFPET_BAD_ACTION, OFPBAC_TOO_MANY);

	if (buf && sizeof(*p) + (n_apply + n_write) * sizeof(struct dp_op) <= room) {
		p = buf;
		memset(p, 0, sizeof(*p) + (n_apply + n_write) * sizeof(struct dp_op));
	} else {
		p = prog_alloc(n_apply + n_write);
		if (!p)
			return -ENOMEM;
	}
	p->n_apply = (uint16_t)n_apply;
	p->n_write = (uint16_t)n_write;
	p->has_write = write != NULL;
	if (apply)
		emit(p->ops, apply);
	if (write)
		emit(p->ops + n_apply, write);
	prog_finish_write(p);
	if (clear)
		p->flags |= DP_PROG_F_CLEAR;
	if (meta) {
		p->flags |= DP_PROG_F_WRITE_METADATA;
		p->metadata = meta->write_metadata.metadata & meta->write_metadata.mask;
		p->metadata_mask = meta->write_metadata.mask;
	}
	if (goto_i) {
		p->flags |= DP_PROG_F_GOTO;
		p->goto_table = goto_i->table_id;
	}
	if (meter) {
		p->flags |= DP_PROG_F_METER;
		p->meter_id = meter->meter_id;
	}
	*out = p;
	return 0;
}

int
dp_prog_compile_actions(const struct ofp_action_list *actions, unsigned opts, struct dp_prog **out,
			struct ofp_err *err)
{
	unsigned n = 0;
	struct dp_prog *p;
	int rc;

	*out = NULL;
	rc = count_ops(actions, opts, &n, err);
	if (rc < 0)
		return rc;
	p = prog_alloc(n);
	if (!p)
		return -ENOMEM;
	emit(p->ops, actions);
	if (opts & DP_PROG_AS_SET) {
		p->n_write = (uint16_t)n;
		p->has_write = 1;
		prog_finish_write(p);
	} else {
		p->n_apply = (uint16_t)n;
	}
	*out = p;
	return 0;
}

void
dp_prog_free(struct dp_prog *prog)
{
	free(prog);
}

/* ---- Execution -------------------------------------------------------------------------- */

/* Re-extracts the key after a structural edit, keeping the pipeline's fields. */
static void
rekey(struct dp_pkt *pkt, struct dp_key *key)
{
	struct ofp_match_values *f = &key->f;
	uint8_t in_port[4], in_phy[4], metadata[8], tunnel[8];
	uint32_t port;

	memcpy(in_port, f->in_port, 4);
	memcpy(in_phy, f->in_phy_port, 4);
	memcpy(metadata, f->metadata, 8);
	memcpy(tunnel, f->tunnel_id, 8);
	port = (uint32_t)in_port[0] << 24 | (uint32_t)in_port[1] << 16 | (uint32_t)in_port[2] << 8 |
	       in_port[3];
	(void)dp_key_extract(pkt, port, key);
	memcpy(f->in_phy_port, in_phy, 4);
	memcpy(f->metadata, metadata, 8);
	memcpy(f->tunnel_id, tunnel, 8);
}

static int
invalid_ttl(struct dp_pkt *pkt, struct dp_key *key, struct dp_exec_ctx *ctx)
{
	if (ctx->ops->invalid_ttl)
		ctx->ops->invalid_ttl(ctx, pkt, key);
	return DP_DROP_INVALID_TTL;
}

/* The result of a push or pop: re-key on success, drop without headroom, ignore a pop
 * of a header the packet lacks. */
static inline int
restructured(int rc, struct dp_pkt *pkt, struct dp_key *key)
{
	if (likely(rc == 0)) {
		rekey(pkt, key);
		return 0;
	}
	return rc == -ENOSPC ? DP_DROP_NO_HEADROOM : 0;
}

/* The result of a VLAN push or pop: the offsets are right (or stale, then re-key); the
 * key's VLAN fields become the new outer tag's, the rest stays (eth_type is the type
 * after the tags). A missing header is ignored, no headroom drops. */
static inline int
vlan_restructured(int rc, struct dp_pkt *pkt, struct dp_key *key)
{
	if (unlikely(rc))
		return rc == -ENOSPC ? DP_DROP_NO_HEADROOM : 0;
	if (unlikely(pkt->flags & DP_PKT_F_STALE)) {
		rekey(pkt, key);
		return 0;
	}
	if (pkt->vlan != DP_PKT_NONE) {
		const uint8_t *t = pkt->data + pkt->vlan + 2;

		key->f.vlan_vid[0] = (uint8_t)((OFPVID_PRESENT >> 8) | (t[0] & 0x0f));
		key->f.vlan_vid[1] = t[1];
		key->f.vlan_pcp[0] = t[0] >> 5;
	} else {
		key->f.vlan_vid[0] = 0;
		key->f.vlan_vid[1] = 0;
		key->f.vlan_pcp[0] = 0;
	}
	return 0;
}

static int
set_field(const struct dp_op *op, struct dp_pkt *pkt, struct dp_key *key)
{
	const uint8_t *v = (const uint8_t *)(op + 1);

	if (op->a8 == OFPXMT_OFB_TUNNEL_ID) {
		memcpy(key->f.tunnel_id, v, 8);
		return 0;
	}
	if (dp_pkt_set_field(pkt, op->a8, v) != 0)
		return 0;
	if (unlikely(op->a8 == OFPXMT_OFB_ETH_TYPE || op->a8 == OFPXMT_OFB_IP_PROTO ||
		     op->a8 == OFPXMT_OFB_ICMPV6_TYPE))
		rekey(pkt, key);
	else
		memcpy((uint8_t *)&key->f + op->a32, v, op->a16);
	return 0;
}

static int
run_op(const struct dp_op *op, struct dp_pkt *pkt, struct dp_key *key, struct dp_exec_ctx *ctx)
{
	switch ((enum dp_op_code)op->code) {
	case DP_OP_OUTPUT:
		ctx->ops->output(ctx, pkt, key, op->a32, op->a16);
		return 0;
	case DP_OP_GROUP:
		ctx->ops->group(ctx, pkt, key, op->a32);
		return 0;
	case DP_OP_SET_QUEUE:
		ctx->queue_id = op->a32;
		return 0;
	case DP_OP_PUSH_VLAN:
		return vlan_restructured(dp_pkt_push_vlan(pkt, op->a16), pkt, key);
	case DP_OP_POP_VLAN:
		return vlan_restructured(dp_pkt_pop_vlan(pkt), pkt, key);
	case DP_OP_PUSH_MPLS:
		return restructured(dp_pkt_push_mpls(pkt, op->a16), pkt, key);
	case DP_OP_POP_MPLS:
		return restructured(dp_pkt_pop_mpls(pkt, op->a16), pkt, key);
	case DP_OP_PUSH_PBB:
		return restructured(dp_pkt_push_pbb(pkt, op->a16), pkt, key);
	case DP_OP_POP_PBB:
		return restructured(dp_pkt_pop_pbb(pkt), pkt, key);
	case DP_OP_COPY_TTL_OUT:
		(void)dp_pkt_copy_ttl_out(pkt);
		return 0;
	case DP_OP_COPY_TTL_IN:
		(void)dp_pkt_copy_ttl_in(pkt);
		return 0;
	case DP_OP_SET_MPLS_TTL:
		(void)dp_pkt_set_mpls_ttl(pkt, op->a8);
		return 0;
	case DP_OP_DEC_MPLS_TTL:
		if (unlikely(dp_pkt_dec_mpls_ttl(pkt) == -ERANGE))
			return invalid_ttl(pkt, key, ctx);
		return 0;
	case DP_OP_SET_NW_TTL:
		(void)dp_pkt_set_nw_ttl(pkt, op->a8);
		return 0;
	case DP_OP_DEC_NW_TTL:
		if (unlikely(dp_pkt_dec_nw_ttl(pkt) == -ERANGE))
			return invalid_ttl(pkt, key, ctx);
		return 0;
	case DP_OP_SET_FIELD:
		return set_field(op, pkt, key);
	case DP_OP_SET_META: {
		uint64_t md, v, mask;

		memcpy(&v, op + 1, 8);
		memcpy(&mask, op + 2, 8);
		memcpy(&md, key->f.metadata, 8);
		md = htobe64((be64toh(md) & ~mask) | v);
		memcpy(key->f.metadata, &md, 8);
		return 0;
	}
	case DP_OP_N:
		break;
	}
	return 0;
}

int
dp_actions_run(const struct dp_op *ops, unsigned n, struct dp_pkt *pkt, struct dp_key *key,
	       struct dp_exec_ctx *ctx)
{
	const struct dp_op *end = ops + n;
	int rc;

	for (; ops < end; ops += op_slots(ops)) {
		rc = run_op(ops, pkt, key, ctx);
		if (unlikely(rc))
			return rc;
	}
	return 0;
}

void
dp_action_set_write(struct dp_action_set *set, const struct dp_prog *prog)
{
	const struct dp_op *op = prog->ops + prog->n_apply, *end = op + prog->n_write;

	for (; op < end; op += op_slots(op)) {
		unsigned s = aset_slot(op);

		set->slot[s] = op;
		set->present |= 1ull << s;
	}
}

int
dp_action_set_execute(const struct dp_action_set *set, struct dp_pkt *pkt, struct dp_key *key,
		      struct dp_exec_ctx *ctx)
{
	uint64_t m = set->present;
	int rc;

	/* A group takes precedence over output (5.10). */
	if (m & (1ull << DP_ASET_GROUP))
		m &= ~(1ull << DP_ASET_OUTPUT);
	while (m) {
		unsigned s = (unsigned)__builtin_ctzll(m);

		m &= m - 1;
		rc = run_op(set->slot[s], pkt, key, ctx);
		if (unlikely(rc))
			return rc;
	}
	return 0;
}

static const uint16_t action_of_op[DP_OP_N] = {
	[DP_OP_OUTPUT] = OFPAT_OUTPUT,
	[DP_OP_GROUP] = OFPAT_GROUP,
	[DP_OP_SET_QUEUE] = OFPAT_SET_QUEUE,
	[DP_OP_PUSH_VLAN] = OFPAT_PUSH_VLAN,
	[DP_OP_POP_VLAN] = OFPAT_POP_VLAN,
	[DP_OP_PUSH_MPLS] = OFPAT_PUSH_MPLS,
	[DP_OP_POP_MPLS] = OFPAT_POP_MPLS,
	[DP_OP_PUSH_PBB] = OFPAT_PUSH_PBB,
	[DP_OP_POP_PBB] = OFPAT_POP_PBB,
	[DP_OP_COPY_TTL_OUT] = OFPAT_COPY_TTL_OUT,
	[DP_OP_COPY_TTL_IN] = OFPAT_COPY_TTL_IN,
	[DP_OP_SET_MPLS_TTL] = OFPAT_SET_MPLS_TTL,
	[DP_OP_DEC_MPLS_TTL] = OFPAT_DEC_MPLS_TTL,
	[DP_OP_SET_NW_TTL] = OFPAT_SET_NW_TTL,
	[DP_OP_DEC_NW_TTL] = OFPAT_DEC_NW_TTL,
	[DP_OP_SET_FIELD] = OFPAT_SET_FIELD,
};

/* The OpenFlow action op was compiled from (emit() backwards). */
static void
op_action(const struct dp_op *op, struct ofp_action *a)
{
	memset(a, 0, sizeof *a);
	a->type = action_of_op[op->code];
	switch (op->code) {
	case DP_OP_OUTPUT:
		a->output.port = op->a32;
		a->output.max_len = op->a16;
		break;
	case DP_OP_GROUP:
		a->group_id = op->a32;
		break;
	case DP_OP_SET_QUEUE:
		a->queue_id = op->a32;
		break;
	case DP_OP_PUSH_VLAN:
	case DP_OP_PUSH_MPLS:
	case DP_OP_POP_MPLS:
	case DP_OP_PUSH_PBB:
		a->ethertype = op->a16;
		break;
	case DP_OP_SET_MPLS_TTL:
	case DP_OP_SET_NW_TTL:
		a->ttl = op->a8;
		break;
	case DP_OP_SET_FIELD:
		a->set_field.field = op->a8;
		a->set_field.len = (uint8_t)op->a16;
		memcpy(a->set_field.value, op + 1, op->a16);
		if (op->a8 == OFPXMT_OFB_VLAN_VID)
			a->set_field.value[0] &= 0x0f; /* emit() adds OFPVID_PRESENT */
		break;
	default:
		break;
	}
}

unsigned
dp_action_set_actions(const struct dp_action_set *set, struct ofp_action *out, unsigned max)
{
	uint64_t m = set->present;
	unsigned n = 0;

	if (m & (1ull << DP_ASET_GROUP))
		m &= ~(1ull << DP_ASET_OUTPUT);
	for (; m; m &= m - 1, n++)
		if (n < max)
			op_action(set->slot[__builtin_ctzll(m)], &out[n]);
	return n;
}

int
dp_prog_run(const struct dp_prog *prog, struct dp_pkt *pkt, struct dp_key *key,
	    struct dp_action_set *set, struct dp_exec_ctx *ctx, unsigned *next_table)
{
	int rc;

	*next_table = DP_PROG_NO_GOTO;
	if (unlikely(prog->flags & DP_PROG_F_METER) && ctx->ops->meter &&
	    !ctx->ops->meter(ctx, pkt, prog->meter_id))
		return DP_DROP_METER;
	if (prog->n_apply) {
		rc = dp_actions_run(prog->ops, prog->n_apply, pkt, key, ctx);
		if (unlikely(rc))
			return rc;
	}
	if (prog->flags & DP_PROG_F_CLEAR)
		set->present = 0;
	if (prog->n_write)
		dp_action_set_write(set, prog);
	if (prog->flags & DP_PROG_F_WRITE_METADATA) {
		uint64_t md;

		memcpy(&md, key->f.metadata, 8);
		md = (be64toh(md) & ~prog->metadata_mask) | prog->metadata;
		md = htobe64(md);
		memcpy(key->f.metadata, &md, 8);
	}
	if (prog->flags & DP_PROG_F_GOTO)
		*next_table = prog->goto_table;
	return 0;
}

/* ---- Composition ------------------------------------------------------------------------ */

/* Appends the op at src (its slots) to out; false when it does not fit. */
static bool
cp_emit(struct dp_cprog *out, const struct dp_op *src)
{
	unsigned k = op_slots(src);

	if (out->n_ops + k > DP_CPROG_MAX_OPS)
		return false;
	memcpy(&out->ops[out->n_ops], src, k * sizeof(*src));
	out->n_ops = (uint8_t)(out->n_ops + k);
	return true;
}

/* Opens a segment for rule i (a fresh one unless the last is that rule's). */
static bool
cp_seg(struct dp_cprog *out, unsigned rule)
{
	struct dp_cprog_seg *s;

	if (out->n_seg && out->seg[out->n_seg - 1].rule == rule)
		return true;
	if (out->n_seg == DP_CPROG_MAX_SEGS)
		return false;
	s = &out->seg[out->n_seg++];
	memset(s, 0, sizeof(*s));
	s->rule = (uint8_t)rule;
	s->off = out->n_ops;
	return true;
}

static inline void
cp_close(struct dp_cprog *out)
{
	struct dp_cprog_seg *s = &out->seg[out->n_seg - 1];

	s->n = (uint8_t)(out->n_ops - s->off);
}

/* Whether op changes the packet's structure: what the key's later fields are read from
 * (a tag or header pushed or popped, eth_type/ip_proto/icmpv6_type rewritten). */
static bool
restructures(const struct dp_op *op)
{
	switch (op->code) {
	case DP_OP_PUSH_VLAN:
	case DP_OP_POP_VLAN:
	case DP_OP_PUSH_MPLS:
	case DP_OP_POP_MPLS:
	case DP_OP_PUSH_PBB:
	case DP_OP_POP_PBB:
		return true;
	case DP_OP_SET_FIELD:
		return op->a8 == OFPXMT_OFB_ETH_TYPE || op->a8 == OFPXMT_OFB_IP_PROTO ||
		       op->a8 == OFPXMT_OFB_ICMPV6_TYPE;
	default:
		return false;
	}
}

/* Whether op reads the key (beyond what the pipeline keeps: metadata, tunnel_id). A VLAN
 * push or pop does not: it reads the tags from the packet and writes the key's VLAN
 * fields (or, rarely, the whole key from the packet), which without the full key
 * (dp_pipeline.c key_partial) nothing later reads, as no other op of the program does. */
static bool
op_reads_key(const struct dp_op *op)
{
	switch (op->code) {
	case DP_OP_OUTPUT:
		return op->a32 > OFPP_MAX && op->a32 != OFPP_IN_PORT && op->a32 != OFPP_FLOOD &&
		       op->a32 != OFPP_ALL && op->a32 != OFPP_LOCAL;
	case DP_OP_GROUP:
		return true;
	case DP_OP_PUSH_VLAN:
	case DP_OP_POP_VLAN:
		return false; /* they update the key's VLAN fields themselves */
	default:
		return restructures(op);
	}
}

/* Whether the ops [op, end) may join the previous rule's segment: none can stop the
 * packet (a drop, whose counting needs the rule it came from) or reads the rule
 * (upcalls, groups, whose packet-ins report it). */
static bool
mergeable(const struct dp_op *op, const struct dp_op *end)
{
	for (; op < end; op += op_slots(op))
		switch (op->code) {
		case DP_OP_OUTPUT:
			if (op->a32 > OFPP_MAX && op->a32 != OFPP_IN_PORT &&
			    op->a32 != OFPP_FLOOD && op->a32 != OFPP_ALL && op->a32 != OFPP_LOCAL)
				return false;
			break;
		case DP_OP_SET_FIELD:
		case DP_OP_SET_QUEUE:
		case DP_OP_SET_NW_TTL:
		case DP_OP_SET_MPLS_TTL:
		case DP_OP_COPY_TTL_IN:
		case DP_OP_COPY_TTL_OUT:
		case DP_OP_SET_META:
			break;
		default:
			return false;
		}
	return true;
}

/* Sets out's direct_port and edits when the program is edits of the Ethernet addresses
 * and the IP TTL (in any order: they touch different bytes), then output to a standard
 * port, and no meter; with elided pairs the patch is for packets dp_cprog_fits(). */
static void
direct(struct dp_cprog *out)
{
	const struct dp_op *last;

	if (!out->n_ops)
		return;
	for (unsigned k = 0; k < out->n_seg; k++)
		if (out->seg[k].meter)
			return;
	last = &out->ops[out->n_ops - 1];
	if (last->code != DP_OP_OUTPUT || last->a32 > OFPP_MAX)
		return;
	for (const struct dp_op *op = out->ops; op < last; op += op_slots(op)) {
		const uint8_t *v = (const uint8_t *)(op + 1);

		if (op->code == DP_OP_DEC_NW_TTL) {
			out->edit |= DP_CPROG_EDIT_DEC_TTL;
		} else if (op->code == DP_OP_SET_FIELD &&
			   (op->a8 == OFPXMT_OFB_ETH_DST || op->a8 == OFPXMT_OFB_ETH_SRC)) {
			unsigned at = op->a8 == OFPXMT_OFB_ETH_DST ? 0 : 6;

			memcpy(out->edit_eth + at, v, 6);
			out->edit_mask |= (uint16_t)(0x3fu << at);
			out->edit |= DP_CPROG_EDIT_ETH;
		} else {
			out->edit = 0;
			out->edit_mask = 0;
			return;
		}
	}
	out->direct_port = last->a32;
	if (out->elided)
		out->edit |= DP_CPROG_EDIT_FITS;
}

/* Whether op may sit between a push_vlan and the pop_vlan that undoes it, the pair then
 * elided: it neither lets the packet out (output, group, an invalid-TTL packet-in), nor
 * restructures it, nor reads the tag or the packet's length (meters come with their
 * segments). Set-fields of the tag hit the pushed one and vanish with it (*vlan). */
static bool
elidable_between(const struct dp_op *op, bool *vlan)
{
	*vlan = false;
	switch (op->code) {
	case DP_OP_SET_QUEUE:
	case DP_OP_SET_META:
	case DP_OP_SET_NW_TTL:
	case DP_OP_SET_MPLS_TTL:
	case DP_OP_COPY_TTL_IN:
	case DP_OP_COPY_TTL_OUT:
		return true;
	case DP_OP_SET_FIELD:
		*vlan = op->a8 == OFPXMT_OFB_VLAN_VID || op->a8 == OFPXMT_OFB_VLAN_PCP;
		return !restructures(op);
	default:
		return false;
	}
}

/* Whether a segment's meter runs between ops at slots i and j (i < j): the meter would
 * see the tagged length. */
static bool
meter_between(const struct dp_cprog *out, unsigned i, unsigned j)
{
	for (unsigned k = 0; k < out->n_seg; k++)
		if (out->seg[k].meter && out->seg[k].off > i && out->seg[k].off <= j)
			return true;
	return false;
}

/* Removes each push_vlan that a later pop_vlan undoes, with that pop and the tag's
 * set-fields between them: push then pop gives the frame back byte for byte (the tag
 * goes in at offset 12 and comes out there; the TCI copy and the set-fields touch only
 * the tag) when the push succeeds and the pop's re-padding adds nothing, which
 * dp_cprog_fits() checks per packet; and the key after the pop is the key before the
 * push. Only pairs before any remaining structural edit qualify, so that "per packet"
 * means at ingress. Segments left without ops or meter go. */
static void
elide_vlan(struct dp_cprog *out)
{
	bool drop[DP_CPROG_MAX_OPS] = { false };
	unsigned i = 0;

	while (i < out->n_ops) {
		const struct dp_op *op = &out->ops[i];
		unsigned j = i + op_slots(op);
		bool vlan, ok = false;

		if (op->code != DP_OP_PUSH_VLAN) {
			if (restructures(op))
				break;
			i = j;
			continue;
		}
		for (; j < out->n_ops; j += op_slots(&out->ops[j])) {
			if (out->ops[j].code == DP_OP_POP_VLAN) {
				ok = !meter_between(out, i, j);
				break;
			}
			if (!elidable_between(&out->ops[j], &vlan))
				break;
		}
		if (!ok)
			break; /* the push stays, and with it the packet's structure changes */
		drop[i] = drop[j] = true;
		for (unsigned k = i + 1; k < j; k += op_slots(&out->ops[k]))
			if (elidable_between(&out->ops[k], &vlan) && vlan)
				drop[k] = true;
		out->elided++;
		i = j + 1;
	}
	if (!out->elided)
		return;

	unsigned at[DP_CPROG_MAX_OPS + 1], n = 0, s = 0;

	for (i = 0; i < out->n_ops;) {
		unsigned k = op_slots(&out->ops[i]);

		for (unsigned x = 0; x < k; x++)
			at[i + x] = n + (drop[i] ? 0 : x);
		if (!drop[i]) {
			memmove(&out->ops[n], &out->ops[i], k * sizeof(out->ops[0]));
			n += k;
		}
		i += k;
	}
	at[out->n_ops] = n;
	for (unsigned k = 0; k < out->n_seg; k++) {
		struct dp_cprog_seg sg = out->seg[k];
		unsigned end = at[sg.off + sg.n];

		sg.off = (uint8_t)at[sg.off];
		sg.n = (uint8_t)(end - sg.off);
		if (sg.n || sg.meter)
			out->seg[s++] = sg;
	}
	out->n_seg = (uint8_t)s;
	out->n_ops = (uint8_t)n;
}

/* Sets final_at: the last exit takes the original when nothing after it edits the
 * packet or may drop it (a meter). */
static void
final_exit(struct dp_cprog *out)
{
	unsigned n_exit = 0;
	bool after = false;

	for (unsigned k = 0; k < out->n_seg; k++) {
		const struct dp_cprog_seg *sg = &out->seg[k];
		const struct dp_op *op = out->ops + sg->off, *end = op + sg->n;

		if (sg->meter)
			after = true;
		for (; op < end; op += op_slots(op)) {
			if (op->code == DP_OP_OUTPUT || op->code == DP_OP_GROUP) {
				n_exit++;
				after = false;
			} else if (op->code != DP_OP_SET_QUEUE && op->code != DP_OP_SET_META) {
				after = true;
			}
		}
	}
	out->final_at = (uint8_t)(n_exit && !after ? n_exit : 0);
}

int
dp_prog_compose(const struct dp_prog *const *progs, unsigned n, unsigned opts, struct dp_cprog *out)
{
	struct dp_action_set set;

	memset(out, 0, offsetof(struct dp_cprog, ops));
	dp_action_set_init(&set);
	for (unsigned i = 0; i < n; i++) {
		const struct dp_prog *p = progs[i];
		const struct dp_op *op = p->ops, *end = p->ops + p->n_apply;

		if ((p->flags & DP_PROG_F_METER || p->n_apply ||
		     (p->flags & DP_PROG_F_WRITE_METADATA)) &&
		    !(out->n_seg && !(p->flags & DP_PROG_F_METER) && mergeable(op, end))) {
			if (!cp_seg(out, i))
				return -E2BIG;
			if (p->flags & DP_PROG_F_METER) {
				out->seg[out->n_seg - 1].meter = 1;
				out->seg[out->n_seg - 1].meter_id = p->meter_id;
				out->reads_key = true; /* DSCP remark */
			}
		}
		for (; op < end; op += op_slots(op)) {
			if (!cp_emit(out, op))
				return -E2BIG;
			out->reads_key |= op_reads_key(op);
		}
		if (p->flags & DP_PROG_F_CLEAR)
			set.present = 0;
		if (p->n_write)
			dp_action_set_write(&set, p);
		if (p->flags & DP_PROG_F_WRITE_METADATA) {
			struct dp_op mo[DP_OP_SET_FIELD_SLOTS] = { { .code = DP_OP_SET_META } };

			memcpy(&mo[1], &p->metadata, 8);
			memcpy(&mo[2], &p->metadata_mask, 8);
			if (!cp_emit(out, mo))
				return -E2BIG;
		}
		if (out->n_seg)
			cp_close(out);
	}
	if (set.present && !(opts & DP_CPROG_NO_SET)) {
		uint64_t m = set.present;

		if (m & (1ull << DP_ASET_GROUP))
			m &= ~(1ull << DP_ASET_OUTPUT);
		bool merge = out->n_seg != 0;

		for (uint64_t k = m; k && merge; k &= k - 1) {
			const struct dp_op *op = set.slot[__builtin_ctzll(k)];

			merge = mergeable(op, op + 1);
		}
		if (!merge && !cp_seg(out, n - 1))
			return -E2BIG;
		for (; m; m &= m - 1) {
			const struct dp_op *op = set.slot[__builtin_ctzll(m)];

			if (!cp_emit(out, op))
				return -E2BIG;
			out->reads_key |= op_reads_key(op);
		}
		cp_close(out);
	}
	/* reads_key stays that of the whole path: a packet that does not fit the elided
	 * program replays the rules (dp_cprog_fits()). */
	elide_vlan(out);
	final_exit(out);
	direct(out);
	return 0;
}
