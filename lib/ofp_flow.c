/* The flow entity: FLOW_MOD, FLOW_REMOVED and the flow/aggregate multipart bodies, each
 * decode/encode/format side by side, plus the ovs-ofctl flow text parser. Matches go
 * through oxm.c, instructions through ofp_instruction.c (and ofp_action.c for the
 * consistency check); see ofp_flow.h for the contracts. */
#include "ofp_flow.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "ofp_action.h"
#include "ofp_error.h"
#include "ofp_msg.h"
#include "util.h"

/* Fixed-part sizes of the multipart bodies, before their match. */
enum {
	FLOW_STATS_REQUEST_FIXED_LEN = OFP_FLOW_STATS_REQUEST_LEN - 8,
	FLOW_STATS_FIXED_LEN = OFP_FLOW_STATS_LEN - 8,
};

static const char *const command_names[] = {
	[OFPFC_ADD] = "ADD",
	[OFPFC_MODIFY] = "MOD",
	[OFPFC_MODIFY_STRICT] = "MOD_STRICT",
	[OFPFC_DELETE] = "DEL",
	[OFPFC_DELETE_STRICT] = "DEL_STRICT",
};

static const char *const reason_names[] = {
	[OFPRR_IDLE_TIMEOUT] = "idle",
	[OFPRR_HARD_TIMEOUT] = "hard",
	[OFPRR_DELETE] = "delete",
	[OFPRR_GROUP_DELETE] = "group_delete",
	[OFPRR_METER_DELETE] = "meter_delete",
};

/* Flag words in bit order; the same names are parsed and printed. */
static const struct {
	uint16_t bit;
	const char *name;
} flag_names[] = {
	{ OFPFF_SEND_FLOW_REM, "send_flow_rem" },  { OFPFF_CHECK_OVERLAP, "check_overlap" },
	{ OFPFF_RESET_COUNTS, "reset_counts" },	   { OFPFF_NO_PKT_COUNTS, "no_packet_counts" },
	{ OFPFF_NO_BYT_COUNTS, "no_byte_counts" },
};

const char *
ofp_flow_mod_command_name(uint8_t command)
{
	return command < ARRAY_SIZE(command_names) ? command_names[command] : NULL;
}

const char *
ofp_flow_removed_reason_name(uint8_t reason)
{
	return reason < ARRAY_SIZE(reason_names) ? reason_names[reason] : NULL;
}

static bool
is_delete(uint8_t command)
{
	return command == OFPFC_DELETE || command == OFPFC_DELETE_STRICT;
}

/* ---- Shared text helpers ---------------------------------------------------------- */

void
ofp_duration_format(uint32_t sec, uint32_t nsec, struct buf *b)
{
	buf_printf(b, "%" PRIu32, sec);
	if (nsec && nsec % 1000000 == 0)
		buf_printf(b, ".%03" PRIu32, nsec / 1000000);
	else if (nsec)
		buf_printf(b, ".%09" PRIu32, nsec);
	buf_printf(b, "s");
}

void
ofp_flow_flags_format(uint16_t flags, struct buf *b)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++)
		if (flags & flag_names[i].bit)
			buf_printf(b, "%s ", flag_names[i].name);
	if (flags & ~OFPFF_ALL)
		buf_printf(b, "0x%" PRIx16 " ", (uint16_t)(flags & ~OFPFF_ALL));
}

/* "priority=N,<match>" as ovs-ofctl prints a rule: the priority only when it is not the
 * default, the comma only between the two. Returns whether anything was printed. */
static bool
format_priority_match(uint16_t priority, const struct ofp_match *m, struct buf *b)
{
	size_t start = b->size;

	if (priority != OFP_DEFAULT_PRIORITY)
		buf_printf(b, "priority=%" PRIu16, priority);
	if (m->n_fields) {
		if (b->size != start)
			buf_printf(b, ",");
		oxm_format(m, b);
	}
	return b->size != start;
}

/* ---- FLOW_MOD --------------------------------------------------------------------- */

void
ofp_flow_mod_init(struct ofp_flow_mod *fm, uint8_t command)
{
	memset(fm, 0, sizeof *fm);
	fm->command = command;
	fm->priority = OFP_DEFAULT_PRIORITY;
	fm->buffer_id = OFP_NO_BUFFER;
	fm->out_port = OFPP_ANY;
	fm->out_group = OFPG_ANY;
	oxm_match_init(&fm->match);
}

int
ofp_flow_mod_decode(const void *msg, size_t len, struct arena *a, struct ofp_flow_mod *out,
		    struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(msg, len);
	const uint8_t *p = buf_pull(&c, OFP_FLOW_MOD_FIXED_LEN);
	int r;

	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	memset(out, 0, sizeof *out);
	out->cookie = get_be64(p + 8);
	out->cookie_mask = get_be64(p + 16);
	out->table_id = p[24];
	out->command = p[25];
	out->idle_timeout = get_be16(p + 26);
	out->hard_timeout = get_be16(p + 28);
	out->priority = get_be16(p + 30);
	out->buffer_id = get_be32(p + 32);
	out->out_port = get_be32(p + 36);
	out->out_group = get_be32(p + 40);
	out->flags = get_be16(p + 44);

	if (out->command > OFPFC_DELETE_STRICT)
		return ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_COMMAND);
	if (out->flags & ~OFPFF_ALL)
		return ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_FLAGS);
	if (out->table_id == OFPTT_ALL && !is_delete(out->command))
		return ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_TABLE_ID);

	r = oxm_decode(&c, &out->match, err);
	if (r)
		return r;
	r = ofp_instructions_decode(c.p, c.left, a, &out->insts, err);
	if (r)
		return r;
	if (is_delete(out->command))
		return 0;
	return ofp_instructions_check(&out->insts, &out->match, err);
}

int
ofp_flow_mod_encode(const struct ofp_flow_mod *in, uint32_t xid, struct buf *b)
{
	size_t start = ofp_msg_start(b, OFPT_FLOW_MOD, xid);

	buf_put_be64(b, in->cookie);
	buf_put_be64(b, in->cookie_mask);
	buf_put_u8(b, in->table_id);
	buf_put_u8(b, in->command);
	buf_put_be16(b, in->idle_timeout);
	buf_put_be16(b, in->hard_timeout);
	buf_put_be16(b, in->priority);
	buf_put_be32(b, in->buffer_id);
	buf_put_be32(b, in->out_port);
	buf_put_be32(b, in->out_group);
	buf_put_be16(b, in->flags);
	buf_put_zeros(b, 2);
	oxm_encode(&in->match, b);
	ofp_instructions_encode(&in->insts, b);
	return ofp_msg_finish(b, start);
}

void
ofp_flow_mod_format(const struct ofp_flow_mod *in, struct buf *b)
{
	const char *name = ofp_flow_mod_command_name(in->command);

	if (name)
		buf_printf(b, "%s", name);
	else
		buf_printf(b, "cmd:%" PRIu8, in->command);
	if (in->table_id)
		buf_printf(b, " table:%" PRIu8, in->table_id);
	buf_printf(b, " ");
	if (format_priority_match(in->priority, &in->match, b))
		buf_printf(b, " ");
	if (in->cookie_mask)
		buf_printf(b, "cookie:0x%" PRIx64 "/0x%" PRIx64 " ", in->cookie, in->cookie_mask);
	else if (in->cookie)
		buf_printf(b, "cookie:0x%" PRIx64 " ", in->cookie);
	if (in->idle_timeout)
		buf_printf(b, "idle:%" PRIu16 " ", in->idle_timeout);
	if (in->hard_timeout)
		buf_printf(b, "hard:%" PRIu16 " ", in->hard_timeout);
	if (in->buffer_id != OFP_NO_BUFFER)
		buf_printf(b, "buf:0x%" PRIx32 " ", in->buffer_id);
	if (in->out_port != OFPP_ANY) {
		buf_printf(b, "out_port:");
		ofp_port_format(in->out_port, b);
		buf_printf(b, " ");
	}
	if (in->out_group != OFPG_ANY)
		buf_printf(b, "out_group:%" PRIu32 " ", in->out_group);
	ofp_flow_flags_format(in->flags, b);
	buf_printf(b, "actions=");
	ofp_instructions_format(&in->insts, b);
}

/* ---- FLOW_REMOVED ----------------------------------------------------------------- */

int
ofp_flow_removed_decode(const void *msg, size_t len, struct arena *a, struct ofp_flow_removed *out,
			struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(msg, len);
	const uint8_t *p = buf_pull(&c, OFP_FLOW_REMOVED_FIXED_LEN);
	int r;

	(void)a;
	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	memset(out, 0, sizeof *out);
	out->cookie = get_be64(p + 8);
	out->priority = get_be16(p + 16);
	out->reason = p[18];
	out->table_id = p[19];
	out->duration_sec = get_be32(p + 20);
	out->duration_nsec = get_be32(p + 24);
	out->idle_timeout = get_be16(p + 28);
	out->hard_timeout = get_be16(p + 30);
	out->packet_count = get_be64(p + 32);
	out->byte_count = get_be64(p + 40);
	r = oxm_decode(&c, &out->match, err);
	if (r)
		return r;
	if (c.left)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	return 0;
}

int
ofp_flow_removed_encode(const struct ofp_flow_removed *in, uint32_t xid, struct buf *b)
{
	size_t start = ofp_msg_start(b, OFPT_FLOW_REMOVED, xid);

	buf_put_be64(b, in->cookie);
	buf_put_be16(b, in->priority);
	buf_put_u8(b, in->reason);
	buf_put_u8(b, in->table_id);
	buf_put_be32(b, in->duration_sec);
	buf_put_be32(b, in->duration_nsec);
	buf_put_be16(b, in->idle_timeout);
	buf_put_be16(b, in->hard_timeout);
	buf_put_be64(b, in->packet_count);
	buf_put_be64(b, in->byte_count);
	oxm_encode(&in->match, b);
	return ofp_msg_finish(b, start);
}

void
ofp_flow_removed_format(const struct ofp_flow_removed *in, struct buf *b)
{
	const char *reason = ofp_flow_removed_reason_name(in->reason);

	if (format_priority_match(in->priority, &in->match, b))
		buf_printf(b, " ");
	if (reason)
		buf_printf(b, "reason=%s", reason);
	else
		buf_printf(b, "reason=%" PRIu8, in->reason);
	buf_printf(b, " table_id=%" PRIu8, in->table_id);
	if (in->cookie)
		buf_printf(b, " cookie:0x%" PRIx64, in->cookie);
	buf_printf(b, " duration");
	ofp_duration_format(in->duration_sec, in->duration_nsec, b);
	buf_printf(b, " idle%" PRIu16, in->idle_timeout);
	if (in->hard_timeout)
		buf_printf(b, " hard%" PRIu16, in->hard_timeout);
	buf_printf(b, " pkts%" PRIu64 " bytes%" PRIu64, in->packet_count, in->byte_count);
}

/* ---- OFPMP_FLOW / OFPMP_AGGREGATE request ------------------------------------------ */

void
ofp_flow_stats_request_init(struct ofp_flow_stats_request *r)
{
	memset(r, 0, sizeof *r);
	r->table_id = OFPTT_ALL;
	r->out_port = OFPP_ANY;
	r->out_group = OFPG_ANY;
	oxm_match_init(&r->match);
}

int
ofp_flow_stats_request_decode(struct buf_cursor *c, struct arena *a,
			      struct ofp_flow_stats_request *out, struct ofp_err *err)
{
	const uint8_t *p = buf_pull(c, FLOW_STATS_REQUEST_FIXED_LEN);

	(void)a;
	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	memset(out, 0, sizeof *out);
	out->table_id = p[0];
	out->out_port = get_be32(p + 4);
	out->out_group = get_be32(p + 8);
	out->cookie = get_be64(p + 16);
	out->cookie_mask = get_be64(p + 24);
	return oxm_decode(c, &out->match, err);
}

void
ofp_flow_stats_request_encode(const struct ofp_flow_stats_request *in, struct buf *b)
{
	buf_put_u8(b, in->table_id);
	buf_put_zeros(b, 3);
	buf_put_be32(b, in->out_port);
	buf_put_be32(b, in->out_group);
	buf_put_zeros(b, 4);
	buf_put_be64(b, in->cookie);
	buf_put_be64(b, in->cookie_mask);
	oxm_encode(&in->match, b);
}

void
ofp_flow_stats_request_format(const struct ofp_flow_stats_request *in, struct buf *b)
{
	const char *sep = "";

	if (in->table_id != OFPTT_ALL) {
		buf_printf(b, "table=%" PRIu8, in->table_id);
		sep = " ";
	}
	if (in->out_port != OFPP_ANY) {
		buf_printf(b, "%sout_port=", sep);
		ofp_port_format(in->out_port, b);
		sep = " ";
	}
	if (in->out_group != OFPG_ANY) {
		buf_printf(b, "%sout_group=%" PRIu32, sep, in->out_group);
		sep = " ";
	}
	if (in->cookie_mask) {
		buf_printf(b, "%scookie=0x%" PRIx64 "/0x%" PRIx64, sep, in->cookie,
			   in->cookie_mask);
		sep = " ";
	}
	if (in->match.n_fields) {
		buf_printf(b, "%s", sep);
		oxm_format(&in->match, b);
	}
}

/* ---- OFPMP_FLOW reply entry ------------------------------------------------------- */

int
ofp_flow_stats_decode(struct buf_cursor *c, struct arena *a, struct ofp_flow_stats *out,
		      struct ofp_err *err)
{
	const uint8_t *lp = buf_at(c, 0, 2);
	struct buf_cursor e;
	const uint8_t *p;
	uint16_t length;
	int r;

	if (!lp)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	length = get_be16(lp);
	if (length < OFP_FLOW_STATS_LEN || length % 8 || !buf_pull_sub(c, length, &e))
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	p = buf_pull(&e, FLOW_STATS_FIXED_LEN);
	memset(out, 0, sizeof *out);
	out->length = length;
	out->table_id = p[2];
	out->duration_sec = get_be32(p + 4);
	out->duration_nsec = get_be32(p + 8);
	out->priority = get_be16(p + 12);
	out->idle_timeout = get_be16(p + 14);
	out->hard_timeout = get_be16(p + 16);
	out->flags = get_be16(p + 18);
	out->cookie = get_be64(p + 24);
	out->packet_count = get_be64(p + 32);
	out->byte_count = get_be64(p + 40);
	r = oxm_decode(&e, &out->match, err);
	if (r)
		return r;
	/* A client reads flows another switch installed, experimenter actions included. */
	return ofp_instructions_decode_opts(e.p, e.left, OFP_ACTIONS_KEEP_EXPERIMENTER, a,
					    &out->insts, err);
}

void
ofp_flow_stats_encode(const struct ofp_flow_stats *in, struct buf *b)
{
	size_t start = b->size;

	buf_put_be16(b, 0); /* length, patched below */
	buf_put_u8(b, in->table_id);
	buf_put_zeros(b, 1);
	buf_put_be32(b, in->duration_sec);
	buf_put_be32(b, in->duration_nsec);
	buf_put_be16(b, in->priority);
	buf_put_be16(b, in->idle_timeout);
	buf_put_be16(b, in->hard_timeout);
	buf_put_be16(b, in->flags);
	buf_put_zeros(b, 4);
	buf_put_be64(b, in->cookie);
	buf_put_be64(b, in->packet_count);
	buf_put_be64(b, in->byte_count);
	oxm_encode(&in->match, b);
	ofp_instructions_encode(&in->insts, b);
	buf_set_be16(b, start, (uint16_t)(b->size - start));
}

void
ofp_flow_stats_format_ex(const struct ofp_flow_stats *in, unsigned flags, struct buf *b)
{
	bool stats = !(flags & OFP_FLOW_FMT_NO_STATS);

	buf_printf(b, " ");
	if (stats || in->cookie)
		buf_printf(b, "cookie=0x%" PRIx64 ", ", in->cookie);
	if (stats) {
		buf_printf(b, "duration=");
		ofp_duration_format(in->duration_sec, in->duration_nsec, b);
		buf_printf(b, ", ");
	}
	if (stats || in->table_id)
		buf_printf(b, "table=%" PRIu8 ", ", in->table_id);
	if (stats)
		buf_printf(b, "n_packets=%" PRIu64 ", n_bytes=%" PRIu64 ", ", in->packet_count,
			   in->byte_count);
	if (in->idle_timeout)
		buf_printf(b, "idle_timeout=%" PRIu16 ", ", in->idle_timeout);
	if (in->hard_timeout)
		buf_printf(b, "hard_timeout=%" PRIu16 ", ", in->hard_timeout);
	ofp_flow_flags_format(in->flags, b);
	if (format_priority_match(in->priority, &in->match, b))
		buf_printf(b, " ");
	buf_printf(b, "actions=");
	ofp_instructions_format(&in->insts, b);
}

void
ofp_flow_stats_format(const struct ofp_flow_stats *in, struct buf *b)
{
	ofp_flow_stats_format_ex(in, 0, b);
}

/* ---- OFPMP_AGGREGATE reply -------------------------------------------------------- */

int
ofp_aggregate_stats_reply_decode(struct buf_cursor *c, struct arena *a,
				 struct ofp_aggregate_stats_reply *out, struct ofp_err *err)
{
	const uint8_t *p = buf_pull(c, OFP_AGGREGATE_STATS_REPLY_LEN);

	(void)a;
	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	memset(out, 0, sizeof *out);
	out->packet_count = get_be64(p);
	out->byte_count = get_be64(p + 8);
	out->flow_count = get_be32(p + 16);
	return 0;
}

void
ofp_aggregate_stats_reply_encode(const struct ofp_aggregate_stats_reply *in, struct buf *b)
{
	buf_put_be64(b, in->packet_count);
	buf_put_be64(b, in->byte_count);
	buf_put_be32(b, in->flow_count);
	buf_put_zeros(b, 4);
}

void
ofp_aggregate_stats_reply_format(const struct ofp_aggregate_stats_reply *in, struct buf *b)
{
	buf_printf(b, "packet_count=%" PRIu64 " byte_count=%" PRIu64 " flow_count=%" PRIu32,
		   in->packet_count, in->byte_count, in->flow_count);
}

/* ---- Flow text (ovs-ofctl syntax) ------------------------------------------------- */

/* How a keyword's value is stored. */
enum kw_kind {
	KW_U8,	   /* integer into a uint8_t at off */
	KW_U16,	   /* integer into a uint16_t at off */
	KW_U32,	   /* integer into a uint32_t at off */
	KW_TABLE,  /* table number into a uint8_t at off */
	KW_PORT,   /* port number or name into a uint32_t at off */
	KW_GROUP,  /* group number, "any" or "all" into a uint32_t at off */
	KW_COOKIE, /* value[/mask] into uint64_t at off and off2 */
	KW_FLAG,   /* bare word: sets bit in the uint16_t at off */
	KW_IGNORE, /* dump-flows statistics, accepted and dropped */
};

/* Commands a keyword is allowed with (bit per OFPFC_*, plus the stats request). */
#define CMD_ADD (1u << OFPFC_ADD)
#define CMD_MOD ((1u << OFPFC_MODIFY) | (1u << OFPFC_MODIFY_STRICT))
#define CMD_DEL ((1u << OFPFC_DELETE) | (1u << OFPFC_DELETE_STRICT))
#define CMD_FM (CMD_ADD | CMD_MOD | CMD_DEL)
#define CMD_STATS (1u << 7)

struct keyword {
	const char *name;
	enum kw_kind kind;
	unsigned cmds;
	size_t off;
	size_t off2; /* KW_COOKIE: the mask; KW_FLAG: the bit */
};

#define FM(f) offsetof(struct ofp_flow_mod, f)
#define SR(f) offsetof(struct ofp_flow_stats_request, f)

static const struct keyword flow_mod_keywords[] = {
	{ "table", KW_TABLE, CMD_FM, FM(table_id), 0 },
	{ "priority", KW_U16, CMD_FM, FM(priority), 0 },
	{ "idle_timeout", KW_U16, CMD_FM, FM(idle_timeout), 0 },
	{ "hard_timeout", KW_U16, CMD_FM, FM(hard_timeout), 0 },
	{ "buffer_id", KW_U32, CMD_FM, FM(buffer_id), 0 },
	{ "cookie", KW_COOKIE, CMD_FM, FM(cookie), FM(cookie_mask) },
	{ "out_port", KW_PORT, CMD_MOD | CMD_DEL, FM(out_port), 0 },
	{ "out_group", KW_GROUP, CMD_MOD | CMD_DEL, FM(out_group), 0 },
	{ "send_flow_rem", KW_FLAG, CMD_FM, FM(flags), OFPFF_SEND_FLOW_REM },
	{ "check_overlap", KW_FLAG, CMD_FM, FM(flags), OFPFF_CHECK_OVERLAP },
	{ "reset_counts", KW_FLAG, CMD_FM, FM(flags), OFPFF_RESET_COUNTS },
	{ "no_packet_counts", KW_FLAG, CMD_FM, FM(flags), OFPFF_NO_PKT_COUNTS },
	{ "no_byte_counts", KW_FLAG, CMD_FM, FM(flags), OFPFF_NO_BYT_COUNTS },
	{ "duration", KW_IGNORE, CMD_FM, 0, 0 },
	{ "n_packets", KW_IGNORE, CMD_FM, 0, 0 },
	{ "n_bytes", KW_IGNORE, CMD_FM, 0, 0 },
	{ "idle_age", KW_IGNORE, CMD_FM, 0, 0 },
	{ "hard_age", KW_IGNORE, CMD_FM, 0, 0 },
	{ NULL, 0, 0, 0, 0 },
};

static const struct keyword stats_request_keywords[] = {
	{ "table", KW_U8, CMD_STATS, SR(table_id), 0 },
	{ "out_port", KW_PORT, CMD_STATS, SR(out_port), 0 },
	{ "out_group", KW_GROUP, CMD_STATS, SR(out_group), 0 },
	{ "cookie", KW_COOKIE, CMD_STATS, SR(cookie), SR(cookie_mask) },
	{ NULL, 0, 0, 0, 0 },
};

static int __attribute__((format(printf, 3, 4)))
parse_error(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf && errlen) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Parses an unsigned integer (decimal, 0x hex or 0 octal, as strtoull) up to max. */
static bool
parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end && *v <= max;
}

/* Like parse_uint for 64 bits, also taking "-1" for all ones (ovs-ofctl's cookie mask). */
static bool
parse_u64(const char *s, uint64_t *v)
{
	if (!strcmp(s, "-1")) {
		*v = UINT64_MAX;
		return true;
	}
	return parse_uint(s, UINT64_MAX, v);
}

static bool
parse_group(const char *s, uint32_t *v)
{
	uint64_t n;

	if (!strcasecmp(s, "any")) {
		*v = OFPG_ANY;
		return true;
	}
	if (!strcasecmp(s, "all")) {
		*v = OFPG_ALL;
		return true;
	}
	if (!parse_uint(s, UINT32_MAX, &n))
		return false;
	*v = (uint32_t)n;
	return true;
}

/* Cookie "V" or "V/M". A mask is refused for add; a bare value is refused for delete
 * (which can only select by value/mask); for the stats request a bare value means an
 * exact match. */
static bool
parse_cookie(const char *s, unsigned cmd, uint64_t *value, uint64_t *mask)
{
	char tmp[64];
	char *slash;

	if (strlen(s) >= sizeof tmp)
		return false;
	strcpy(tmp, s);
	slash = strchr(tmp, '/');
	if (slash)
		*slash++ = '\0';
	if (!parse_u64(tmp, value))
		return false;
	if (!slash) {
		if (cmd & CMD_DEL)
			return false;
		*mask = cmd & CMD_STATS ? UINT64_MAX : 0;
		return true;
	}
	return !(cmd & CMD_ADD) && parse_u64(slash, mask);
}

/* Applies one keyword token to obj. 0, or -EINVAL with errbuf. */
static int
apply_keyword(const struct keyword *kw, unsigned cmd, const char *value, void *obj, char *errbuf,
	      size_t errlen)
{
	uint8_t *base = obj;
	uint64_t n;
	uint32_t u32;

	if (!(kw->cmds & cmd))
		return parse_error(errbuf, errlen, "%s: not allowed in this command", kw->name);
	if (kw->kind == KW_FLAG) {
		uint16_t *f = (uint16_t *)(base + kw->off);

		if (value)
			return parse_error(errbuf, errlen, "%s=%s: flag takes no value", kw->name,
					   value);
		*f = (uint16_t)(*f | kw->off2);
		return 0;
	}
	if (!value)
		return parse_error(errbuf, errlen, "%s: missing value", kw->name);
	switch (kw->kind) {
	case KW_U8:
	case KW_TABLE:
		if (!parse_uint(value, UINT8_MAX, &n))
			goto bad;
		/* ovs-ofctl sends table=255 in add/modify as table 0. */
		if (kw->kind == KW_TABLE && n == OFPTT_ALL && !(cmd & CMD_DEL))
			n = 0;
		base[kw->off] = (uint8_t)n;
		return 0;
	case KW_U16:
		if (!parse_uint(value, UINT16_MAX, &n))
			goto bad;
		*(uint16_t *)(base + kw->off) = (uint16_t)n;
		return 0;
	case KW_U32:
		if (!parse_uint(value, UINT32_MAX, &n))
			goto bad;
		*(uint32_t *)(base + kw->off) = (uint32_t)n;
		return 0;
	case KW_PORT:
		if (ofp_port_parse(value, &u32))
			goto bad;
		*(uint32_t *)(base + kw->off) = u32;
		return 0;
	case KW_GROUP:
		if (!parse_group(value, &u32))
			goto bad;
		*(uint32_t *)(base + kw->off) = u32;
		return 0;
	case KW_COOKIE:
		if (!parse_cookie(value, cmd, (uint64_t *)(base + kw->off),
				  (uint64_t *)(base + kw->off2)))
			goto bad;
		return 0;
	case KW_IGNORE:
	case KW_FLAG:
		return 0;
	}
bad:
	return parse_error(errbuf, errlen, "%s=%s: bad value", kw->name, value);
}

static const struct keyword *
find_keyword(const struct keyword *table, const char *name)
{
	for (const struct keyword *kw = table; kw->name; kw++)
		if (!strcmp(kw->name, name))
			return kw;
	return NULL;
}

/* Splits the text s (modified in place) into tokens separated by commas and white
 * space and applies each: a keyword from table, or else a match token. Then lets
 * oxm_parse_finish() order the match's prerequisites first and check them. 0, or
 * -EINVAL with errbuf. */
static int
parse_fields(char *s, const struct keyword *table, unsigned cmd, void *obj, struct ofp_match *m,
	     char *errbuf, size_t errlen)
{
	static const char seps[] = ", \t\r\n";
	char *save = NULL;
	int r;

	for (char *tok = strtok_r(s, seps, &save); tok; tok = strtok_r(NULL, seps, &save)) {
		char *value = strchr(tok, '=');
		const struct keyword *kw;

		if (value)
			*value++ = '\0';
		kw = find_keyword(table, tok);
		if (kw)
			r = apply_keyword(kw, cmd, value, obj, errbuf, errlen);
		else
			r = oxm_parse_token(tok, value, m, errbuf, errlen);
		if (r)
			return r;
	}
	return oxm_parse_finish(m, errbuf, errlen);
}

/* Refuses text whose actions the decoder would refuse for this match (a set_field
 * without its prerequisites, set_mpls_ttl on an IP flow...), so the error names the
 * actions here instead of coming back from the switch. */
static int
check_parsed_actions(const struct ofp_flow_mod *fm, const char *acts, char *errbuf, size_t errlen)
{
	struct buf why = BUF_INITIALIZER;
	struct ofp_err err;
	int r = ofp_instructions_check(&fm->insts, &fm->match, &err);

	if (r != -EPROTO)
		return r;
	ofp_error_format(&err, &why);
	r = parse_error(errbuf, errlen, "actions=%s: not possible on this match (%s)", acts,
			buf_cstr(&why));
	buf_uninit(&why);
	return r;
}

/* Finds "actions=" at the start of a field (start of text, after a comma or white
 * space); NULL if there is none. */
static char *
find_actions(char *s)
{
	static const char key[] = "actions=";

	for (char *p = strstr(s, key); p; p = strstr(p + 1, key))
		if (p == s || strchr(", \t", p[-1]))
			return p;
	return NULL;
}

int
ofp_flow_mod_parse(const char *text, uint8_t command, struct arena *a, struct ofp_flow_mod *out,
		   char *errbuf, size_t errlen)
{
	unsigned cmd = 1u << command;
	char *copy, *acts;
	int r;

	if (command > OFPFC_DELETE_STRICT)
		return parse_error(errbuf, errlen, "bad flow_mod command %u", command);
	ofp_flow_mod_init(out, command);
	if (is_delete(command))
		out->table_id = OFPTT_ALL; /* as ovs-ofctl: del-flows without table= is all */
	copy = pfs_strdup(text);
	if (!copy)
		return -ENOMEM;
	acts = find_actions(copy);
	if (acts) {
		*acts = '\0';
		acts += strlen("actions=");
	}
	if (acts && is_delete(command)) {
		r = parse_error(errbuf, errlen, "actions: not allowed in del-flows");
		goto out;
	}
	if (!acts && !is_delete(command)) {
		r = parse_error(errbuf, errlen, "must specify an action");
		goto out;
	}
	r = parse_fields(copy, flow_mod_keywords, cmd, out, &out->match, errbuf, errlen);
	if (r || !acts)
		goto out;
	/* The actions run to the end of the line; trailing white space is not theirs. */
	for (size_t n = strlen(acts); n && isspace((unsigned char)acts[n - 1]); n--)
		acts[n - 1] = '\0';
	r = ofp_instructions_parse(acts, a, &out->insts, errbuf, errlen);
	if (!r)
		r = check_parsed_actions(out, acts, errbuf, errlen);
out:
	free(copy);
	return r;
}

int
ofp_flow_stats_request_parse(const char *text, struct ofp_flow_stats_request *out, char *errbuf,
			     size_t errlen)
{
	char *copy;
	int r;

	ofp_flow_stats_request_init(out);
	copy = pfs_strdup(text);
	if (!copy)
		return -ENOMEM;
	r = parse_fields(copy, stats_request_keywords, CMD_STATS, out, &out->match, errbuf, errlen);
	free(copy);
	return r;
}
