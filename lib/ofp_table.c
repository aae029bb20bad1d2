/* TABLE_MOD, table statistics and table features; see ofp_table.h. Table-features
 * properties are described by one table (type -> name and id kind), so the decoder,
 * encoder and formatter share a single switch-free walk over the property kinds. Calls
 * oxm_field_info() (oxm.h) for OXM names and for the default feature list. */
#include "ofp_table.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_msg.h"
#include "oxm.h"
#include "util.h"

/* What a property's body holds. */
enum prop_kind {
	PROP_INSTRUCTIONS, /* instruction ids */
	PROP_TABLES,	   /* next table ids, one byte each */
	PROP_ACTIONS,	   /* action ids */
	PROP_OXMS,	   /* OXM headers */
	PROP_EXPERIMENTER, /* experimenter, exp_type, data */
};

struct prop_info {
	uint16_t type;
	uint8_t kind;
	const char *name;
};

static const struct prop_info prop_infos[] = {
	{ OFPTFPT_INSTRUCTIONS, PROP_INSTRUCTIONS, "instructions" },
	{ OFPTFPT_INSTRUCTIONS_MISS, PROP_INSTRUCTIONS, "instructions_miss" },
	{ OFPTFPT_NEXT_TABLES, PROP_TABLES, "next_tables" },
	{ OFPTFPT_NEXT_TABLES_MISS, PROP_TABLES, "next_tables_miss" },
	{ OFPTFPT_WRITE_ACTIONS, PROP_ACTIONS, "write_actions" },
	{ OFPTFPT_WRITE_ACTIONS_MISS, PROP_ACTIONS, "write_actions_miss" },
	{ OFPTFPT_APPLY_ACTIONS, PROP_ACTIONS, "apply_actions" },
	{ OFPTFPT_APPLY_ACTIONS_MISS, PROP_ACTIONS, "apply_actions_miss" },
	{ OFPTFPT_MATCH, PROP_OXMS, "match" },
	{ OFPTFPT_WILDCARDS, PROP_OXMS, "wildcards" },
	{ OFPTFPT_WRITE_SETFIELD, PROP_OXMS, "write_setfield" },
	{ OFPTFPT_WRITE_SETFIELD_MISS, PROP_OXMS, "write_setfield_miss" },
	{ OFPTFPT_APPLY_SETFIELD, PROP_OXMS, "apply_setfield" },
	{ OFPTFPT_APPLY_SETFIELD_MISS, PROP_OXMS, "apply_setfield_miss" },
	{ OFPTFPT_EXPERIMENTER, PROP_EXPERIMENTER, "experimenter" },
	{ OFPTFPT_EXPERIMENTER_MISS, PROP_EXPERIMENTER, "experimenter_miss" },
};

/* Instruction and action names as ovs-ofctl writes them; indexed by type. */
static const char *const instruction_names[] = {
	[OFPIT_GOTO_TABLE] = "goto_table",	 [OFPIT_WRITE_METADATA] = "write_metadata",
	[OFPIT_WRITE_ACTIONS] = "write_actions", [OFPIT_APPLY_ACTIONS] = "apply_actions",
	[OFPIT_CLEAR_ACTIONS] = "clear_actions", [OFPIT_METER] = "meter",
};

static const char *const action_names[] = {
	[OFPAT_OUTPUT] = "output",
	[OFPAT_COPY_TTL_OUT] = "copy_ttl_out",
	[OFPAT_COPY_TTL_IN] = "copy_ttl_in",
	[OFPAT_SET_MPLS_TTL] = "set_mpls_ttl",
	[OFPAT_DEC_MPLS_TTL] = "dec_mpls_ttl",
	[OFPAT_PUSH_VLAN] = "push_vlan",
	[OFPAT_POP_VLAN] = "pop_vlan",
	[OFPAT_PUSH_MPLS] = "push_mpls",
	[OFPAT_POP_MPLS] = "pop_mpls",
	[OFPAT_SET_QUEUE] = "set_queue",
	[OFPAT_GROUP] = "group",
	[OFPAT_SET_NW_TTL] = "mod_nw_ttl",
	[OFPAT_DEC_NW_TTL] = "dec_ttl",
	[OFPAT_SET_FIELD] = "set_field",
	[OFPAT_PUSH_PBB] = "push_pbb",
	[OFPAT_POP_PBB] = "pop_pbb",
};

/* Experimenter type of the ids of a kind: such ids carry a 4-byte experimenter. */
static uint16_t
id_experimenter_type(uint8_t kind)
{
	return kind == PROP_INSTRUCTIONS ? OFPIT_EXPERIMENTER : OFPAT_EXPERIMENTER;
}

static const struct prop_info *
prop_info(uint16_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(prop_infos); i++)
		if (prop_infos[i].type == type)
			return &prop_infos[i];
	return NULL;
}

const char *
ofp_table_feature_prop_name(uint16_t type)
{
	const struct prop_info *pi = prop_info(type);

	return pi ? pi->name : NULL;
}

static void
format_table_id(uint8_t table_id, struct buf *b)
{
	if (table_id == OFPTT_ALL)
		buf_printf(b, "ALL");
	else
		buf_printf(b, "%u", table_id);
}

/* ---- OFPT_TABLE_MOD ---- */

int
ofp_table_mod_decode(const void *msg, size_t len, struct arena *a, struct ofp_table_mod *out,
		     struct ofp_err *err)
{
	const uint8_t *p = msg;

	(void)a;
	if (len != OFP_TABLE_MOD_LEN)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	memset(out, 0, sizeof *out);
	out->table_id = p[8];
	out->config = get_be32(p + 12);
	if (out->config & ~(uint32_t)OFPTC_DEPRECATED_MASK)
		return ofp_err_set(err, OFPET_TABLE_MOD_FAILED, OFPTMFC_BAD_CONFIG);
	return 0;
}

int
ofp_table_mod_encode(const struct ofp_table_mod *in, uint32_t xid, struct buf *b)
{
	size_t start = ofp_msg_start(b, OFPT_TABLE_MOD, xid);

	buf_put_u8(b, in->table_id);
	buf_put_zeros(b, 3);
	buf_put_be32(b, in->config);
	return ofp_msg_finish(b, start);
}

void
ofp_table_mod_format(const struct ofp_table_mod *in, struct buf *b)
{
	buf_printf(b, " table_id=");
	format_table_id(in->table_id, b);
	buf_printf(b, ", config=0x%" PRIx32, in->config);
}

/* ---- OFPMP_TABLE reply entry ---- */

int
ofp_table_stats_decode(struct buf_cursor *c, struct arena *a, struct ofp_table_stats *out,
		       struct ofp_err *err)
{
	const uint8_t *p = buf_pull(c, OFP_TABLE_STATS_LEN);

	(void)a;
	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	out->table_id = p[0];
	out->active_count = get_be32(p + 4);
	out->lookup_count = get_be64(p + 8);
	out->matched_count = get_be64(p + 16);
	return 0;
}

void
ofp_table_stats_encode(const struct ofp_table_stats *in, struct buf *b)
{
	buf_put_u8(b, in->table_id);
	buf_put_zeros(b, 3);
	buf_put_be32(b, in->active_count);
	buf_put_be64(b, in->lookup_count);
	buf_put_be64(b, in->matched_count);
}

void
ofp_table_stats_format(const struct ofp_table_stats *in, struct buf *b)
{
	buf_printf(b,
		   "  table %u:\n    active=%" PRIu32 ", lookup=%" PRIu64 ", matched=%" PRIu64 "\n",
		   in->table_id, in->active_count, in->lookup_count, in->matched_count);
}

/* ---- OFPMP_TABLE_FEATURES entry ---- */

static int
tf_bad_len(struct ofp_err *err)
{
	return ofp_err_set(err, OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_LEN);
}

/* Walks the instruction or action ids in c. With items NULL it only validates and counts
 * them into *n; otherwise it fills items (data copied into a). */
static int
pull_ids(struct buf_cursor c, uint16_t exp_type, struct arena *a,
	 struct ofp_table_feature_id *items, size_t *n, struct ofp_err *err)
{
	size_t count = 0;

	while (c.left) {
		const uint8_t *h = buf_at(&c, 0, 4);
		uint16_t type, len, fixed;
		const uint8_t *p;

		if (!h)
			return tf_bad_len(err);
		type = get_be16(h);
		len = get_be16(h + 2);
		fixed = type == exp_type ? 8 : 4;
		if (len < fixed || !(p = buf_pull(&c, len)))
			return tf_bad_len(err);
		if (items) {
			struct ofp_table_feature_id *id = &items[count];

			id->type = type;
			id->len = len;
			if (type == exp_type)
				id->experimenter = get_be32(p + 4);
			if (len > fixed && !(id->data = arena_memdup(a, p + fixed, len - fixed)))
				return -ENOMEM;
		}
		count++;
	}
	*n = count;
	return 0;
}

/* Walks OXM ids as pull_ids() does. */
static int
pull_oxms(struct buf_cursor c, struct ofp_table_feature_oxm *items, size_t *n, struct ofp_err *err)
{
	size_t count = 0;
	uint32_t header, experimenter = 0;

	while (c.left) {
		if (!buf_pull_be32(&c, &header))
			return tf_bad_len(err);
		if (OXM_CLASS(header) == OFPXMC_EXPERIMENTER && !buf_pull_be32(&c, &experimenter))
			return tf_bad_len(err);
		if (items) {
			items[count].header = header;
			items[count].experimenter =
				OXM_CLASS(header) == OFPXMC_EXPERIMENTER ? experimenter : 0;
		}
		count++;
	}
	*n = count;
	return 0;
}

/* Decodes the body of one property (its header already read) into *prop. */
static int
decode_prop_body(const struct prop_info *pi, struct buf_cursor body, struct arena *a,
		 struct ofp_table_feature_prop *prop, struct ofp_err *err)
{
	uint16_t exp_type = id_experimenter_type(pi->kind);
	size_t n = 0;
	int error;

	switch (pi->kind) {
	case PROP_INSTRUCTIONS:
	case PROP_ACTIONS:
		if ((error = pull_ids(body, exp_type, a, NULL, &n, err)))
			return error;
		if (n && !(prop->ids.items = arena_calloc(a, n, sizeof *prop->ids.items)))
			return -ENOMEM;
		prop->ids.n = n;
		return n ? pull_ids(body, exp_type, a, prop->ids.items, &n, err) : 0;
	case PROP_TABLES:
		prop->tables.n = body.left;
		if (body.left && !(prop->tables.items = arena_memdup(a, body.p, body.left)))
			return -ENOMEM;
		return 0;
	case PROP_OXMS:
		if ((error = pull_oxms(body, NULL, &n, err)))
			return error;
		if (n && !(prop->oxms.items = arena_calloc(a, n, sizeof *prop->oxms.items)))
			return -ENOMEM;
		prop->oxms.n = n;
		return n ? pull_oxms(body, prop->oxms.items, &n, err) : 0;
	case PROP_EXPERIMENTER:
		if (!buf_pull_be32(&body, &prop->experimenter.experimenter) ||
		    !buf_pull_be32(&body, &prop->experimenter.exp_type))
			return tf_bad_len(err);
		prop->experimenter.len = body.left;
		if (!body.left)
			return 0;
		prop->experimenter.data = arena_memdup(a, body.p, body.left);
		return prop->experimenter.data ? 0 : -ENOMEM;
	}
	return ofp_err_set(err, OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_TYPE);
}

/* Pulls one property header and its padded extent from c. With prop NULL only checks
 * lengths and the type. */
static int
pull_prop(struct buf_cursor *c, struct arena *a, struct ofp_table_feature_prop *prop,
	  struct ofp_err *err)
{
	const uint8_t *h = buf_at(c, 0, OFP_TABLE_FEATURE_PROP_HEADER_LEN);
	const struct prop_info *pi;
	struct buf_cursor body;
	uint16_t type, len;

	if (!h)
		return tf_bad_len(err);
	type = get_be16(h);
	len = get_be16(h + 2);
	if (len < OFP_TABLE_FEATURE_PROP_HEADER_LEN || !buf_at(c, 0, PFS_ROUND_UP(len, 8)))
		return tf_bad_len(err);
	if (!(pi = prop_info(type)))
		return ofp_err_set(err, OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_TYPE);
	body = buf_cursor(h + OFP_TABLE_FEATURE_PROP_HEADER_LEN,
			  len - OFP_TABLE_FEATURE_PROP_HEADER_LEN);
	buf_pull(c, PFS_ROUND_UP(len, 8));
	if (!prop)
		return 0;
	memset(prop, 0, sizeof *prop);
	prop->type = type;
	return decode_prop_body(pi, body, a, prop, err);
}

int
ofp_table_features_decode(struct buf_cursor *c, struct arena *a, struct ofp_table_features *out,
			  struct ofp_err *err)
{
	const uint8_t *p = buf_at(c, 0, OFP_TABLE_FEATURES_LEN);
	struct buf_cursor e, props;
	size_t n = 0;
	uint16_t len;
	int error;

	if (!p)
		return tf_bad_len(err);
	len = get_be16(p);
	if (len < OFP_TABLE_FEATURES_LEN || len % 8 || !buf_pull_sub(c, len, &e))
		return tf_bad_len(err);
	memset(out, 0, sizeof *out);
	out->table_id = p[2];
	memcpy(out->name, p + 8, OFP_MAX_TABLE_NAME_LEN);
	out->name[OFP_MAX_TABLE_NAME_LEN - 1] = '\0'; /* NUL-terminated on the wire */
	out->metadata_match = get_be64(p + 40);
	out->metadata_write = get_be64(p + 48);
	out->config = get_be32(p + 56);
	out->max_entries = get_be32(p + 60);
	buf_pull(&e, OFP_TABLE_FEATURES_LEN);

	/* First pass: validate and count, so the property array is allocated once. */
	for (props = e; props.left; n++)
		if ((error = pull_prop(&props, a, NULL, err)))
			return error;
	if (n && !(out->props.items = arena_calloc(a, n, sizeof *out->props.items)))
		return -ENOMEM;
	out->props.n = n;
	for (size_t i = 0; i < n; i++)
		if ((error = pull_prop(&e, a, &out->props.items[i], err)))
			return error;
	return 0;
}

static void
encode_id(const struct ofp_table_feature_id *id, uint16_t exp_type, struct buf *b)
{
	uint16_t fixed = id->type == exp_type ? 8 : 4;
	uint16_t len = id->len > fixed ? id->len : fixed;

	buf_put_be16(b, id->type);
	buf_put_be16(b, len);
	if (id->type == exp_type)
		buf_put_be32(b, id->experimenter);
	if (id->data)
		buf_put(b, id->data, len - fixed);
	else
		buf_put_zeros(b, len - fixed);
}

static void
encode_prop_body(const struct ofp_table_feature_prop *prop, uint8_t kind, struct buf *b)
{
	switch (kind) {
	case PROP_INSTRUCTIONS:
	case PROP_ACTIONS:
		for (size_t i = 0; i < prop->ids.n; i++)
			encode_id(&prop->ids.items[i], id_experimenter_type(kind), b);
		break;
	case PROP_TABLES:
		buf_put(b, prop->tables.items, prop->tables.n);
		break;
	case PROP_OXMS:
		for (size_t i = 0; i < prop->oxms.n; i++) {
			buf_put_be32(b, prop->oxms.items[i].header);
			if (OXM_CLASS(prop->oxms.items[i].header) == OFPXMC_EXPERIMENTER)
				buf_put_be32(b, prop->oxms.items[i].experimenter);
		}
		break;
	case PROP_EXPERIMENTER:
		buf_put_be32(b, prop->experimenter.experimenter);
		buf_put_be32(b, prop->experimenter.exp_type);
		buf_put(b, prop->experimenter.data, prop->experimenter.len);
		break;
	}
}

void
ofp_table_features_encode(const struct ofp_table_features *in, struct buf *b)
{
	size_t start = b->size;
	size_t name_len = strnlen(in->name, OFP_MAX_TABLE_NAME_LEN - 1);

	buf_put_be16(b, 0); /* length, patched below */
	buf_put_u8(b, in->table_id);
	buf_put_zeros(b, 5);
	buf_put(b, in->name, name_len);
	buf_put_zeros(b, OFP_MAX_TABLE_NAME_LEN - name_len);
	buf_put_be64(b, in->metadata_match);
	buf_put_be64(b, in->metadata_write);
	buf_put_be32(b, in->config);
	buf_put_be32(b, in->max_entries);
	for (size_t i = 0; i < in->props.n; i++) {
		const struct ofp_table_feature_prop *prop = &in->props.items[i];
		const struct prop_info *pi = prop_info(prop->type);
		size_t pstart = b->size;

		buf_put_be16(b, prop->type);
		buf_put_be16(b, 0);
		if (pi)
			encode_prop_body(prop, pi->kind, b);
		buf_set_be16(b, pstart + 2, (uint16_t)(b->size - pstart));
		buf_pad_to(b, pstart, 8);
	}
	buf_set_be16(b, start, (uint16_t)(b->size - start));
}

static void
format_id(const struct ofp_table_feature_id *id, uint8_t kind, struct buf *b)
{
	const char *const *names = kind == PROP_INSTRUCTIONS ? instruction_names : action_names;
	size_t n_names = kind == PROP_INSTRUCTIONS ? ARRAY_SIZE(instruction_names)
						   : ARRAY_SIZE(action_names);

	if (id->type == id_experimenter_type(kind))
		buf_printf(b, "experimenter(0x%08" PRIx32 ")", id->experimenter);
	else if (id->type < n_names && names[id->type])
		buf_printf(b, "%s", names[id->type]);
	else
		buf_printf(b, "type%u", id->type);
}

static void
format_oxm(const struct ofp_table_feature_oxm *oxm, struct buf *b)
{
	const struct oxm_field_info *fi = NULL;

	if (OXM_CLASS(oxm->header) == OFPXMC_OPENFLOW_BASIC)
		fi = oxm_field_info(OXM_FIELD(oxm->header));
	if (fi)
		buf_printf(b, "%s", fi->name);
	else if (OXM_CLASS(oxm->header) == OFPXMC_EXPERIMENTER)
		buf_printf(b, "experimenter(0x%08" PRIx32 ",0x%08" PRIx32 ")", oxm->experimenter,
			   oxm->header);
	else
		buf_printf(b, "oxm(0x%08" PRIx32 ")", oxm->header);
	if (OXM_HASMASK(oxm->header))
		buf_printf(b, "/mask");
}

/* Next tables as ranges: "1-3,7". */
static void
format_tables(const uint8_t *ids, size_t n, struct buf *b)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j + 1 < n && ids[j + 1] == ids[j] + 1)
			j++;
		buf_printf(b, "%s%u", i ? "," : "", ids[i]);
		if (j > i)
			buf_printf(b, "-%u", ids[j]);
		i = j + 1;
	}
}

static void
format_prop(const struct ofp_table_feature_prop *prop, struct buf *b)
{
	const struct prop_info *pi = prop_info(prop->type);

	if (!pi) {
		buf_printf(b, "    type%u\n", prop->type);
		return;
	}
	buf_printf(b, "    %s:", pi->name);
	switch (pi->kind) {
	case PROP_INSTRUCTIONS:
	case PROP_ACTIONS:
		for (size_t i = 0; i < prop->ids.n; i++) {
			buf_printf(b, i ? "," : " ");
			format_id(&prop->ids.items[i], pi->kind, b);
		}
		break;
	case PROP_TABLES:
		if (prop->tables.n)
			buf_printf(b, " ");
		format_tables(prop->tables.items, prop->tables.n, b);
		break;
	case PROP_OXMS:
		for (size_t i = 0; i < prop->oxms.n; i++) {
			buf_printf(b, i ? "," : " ");
			format_oxm(&prop->oxms.items[i], b);
		}
		break;
	case PROP_EXPERIMENTER:
		buf_printf(b, " experimenter=0x%08" PRIx32 " exp_type=%" PRIu32,
			   prop->experimenter.experimenter, prop->experimenter.exp_type);
		if (prop->experimenter.len)
			buf_printf(b, " data=");
		for (size_t i = 0; i < prop->experimenter.len; i++)
			buf_printf(b, "%02x", prop->experimenter.data[i]);
		break;
	}
	buf_printf(b, "\n");
}

void
ofp_table_features_format(const struct ofp_table_features *in, struct buf *b)
{
	buf_printf(b, "  table %u (\"%s\"):\n", in->table_id, in->name);
	buf_printf(b, "    metadata: match=0x%016" PRIx64 " write=0x%016" PRIx64 "\n",
		   in->metadata_match, in->metadata_write);
	buf_printf(b, "    config=0x%" PRIx32 "\n    max_entries=%" PRIu32 "\n", in->config,
		   in->max_entries);
	for (size_t i = 0; i < in->props.n; i++)
		format_prop(&in->props.items[i], b);
}

/* ---- pfswitch's own feature list ---- */

/* Fills an id property listing every type in names (experimenter left out). */
static int
default_ids(struct arena *a, const char *const *names, size_t n_names, uint16_t skip,
	    struct ofp_table_feature_prop *prop)
{
	size_t n = 0;

	prop->ids.items = arena_calloc(a, n_names, sizeof *prop->ids.items);
	if (!prop->ids.items)
		return -ENOMEM;
	for (size_t t = 0; t < n_names; t++)
		if (names[t] && t != skip)
			prop->ids.items[n++] =
				(struct ofp_table_feature_id){ .type = (uint16_t)t, .len = 4 };
	prop->ids.n = n;
	return 0;
}

enum oxm_select {
	OXM_ALL,      /* every field; hasmask where maskable (MATCH) */
	OXM_PLAIN,    /* every field without hasmask (WILDCARDS) */
	OXM_SETTABLE, /* settable fields (SETFIELD) */
};

static int
default_oxms(struct arena *a, enum oxm_select sel, struct ofp_table_feature_prop *prop)
{
	size_t n = 0;

	prop->oxms.items = arena_calloc(a, OFPXMT_OFB_N_FIELDS, sizeof *prop->oxms.items);
	if (!prop->oxms.items)
		return -ENOMEM;
	for (uint8_t f = 0; f < OFPXMT_OFB_N_FIELDS; f++) {
		const struct oxm_field_info *fi = oxm_field_info(f);
		bool hasmask;

		if (!fi || (sel == OXM_SETTABLE && !fi->settable))
			continue;
		hasmask = sel == OXM_ALL && fi->maskable;
		prop->oxms.items[n++].header = OXM_HEADER(OFPXMC_OPENFLOW_BASIC, f, hasmask,
							  hasmask ? 2 * fi->len : fi->len);
	}
	prop->oxms.n = n;
	return 0;
}

int
ofp_table_features_default(uint8_t table_id, uint8_t n_tables, uint32_t max_entries,
			   struct arena *a, struct ofp_table_features *out)
{
	static const struct {
		uint16_t type;
		uint8_t sel;
	} layout[] = {
		{ OFPTFPT_INSTRUCTIONS, 0 },
		{ OFPTFPT_INSTRUCTIONS_MISS, 0 },
		{ OFPTFPT_NEXT_TABLES, 0 },
		{ OFPTFPT_NEXT_TABLES_MISS, 0 },
		{ OFPTFPT_WRITE_ACTIONS, 0 },
		{ OFPTFPT_WRITE_ACTIONS_MISS, 0 },
		{ OFPTFPT_APPLY_ACTIONS, 0 },
		{ OFPTFPT_APPLY_ACTIONS_MISS, 0 },
		{ OFPTFPT_MATCH, OXM_ALL },
		{ OFPTFPT_WILDCARDS, OXM_PLAIN },
		{ OFPTFPT_WRITE_SETFIELD, OXM_SETTABLE },
		{ OFPTFPT_WRITE_SETFIELD_MISS, OXM_SETTABLE },
		{ OFPTFPT_APPLY_SETFIELD, OXM_SETTABLE },
		{ OFPTFPT_APPLY_SETFIELD_MISS, OXM_SETTABLE },
	};
	bool last = table_id + 1 >= n_tables;
	int error = 0;

	if (table_id >= n_tables)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	out->table_id = table_id;
	snprintf(out->name, sizeof out->name, "table%u", table_id);
	out->metadata_match = UINT64_MAX;
	out->metadata_write = UINT64_MAX;
	out->max_entries = max_entries;
	out->props.items = arena_calloc(a, ARRAY_SIZE(layout), sizeof *out->props.items);
	if (!out->props.items)
		return -ENOMEM;
	out->props.n = ARRAY_SIZE(layout);
	for (size_t i = 0; i < ARRAY_SIZE(layout) && !error; i++) {
		struct ofp_table_feature_prop *prop = &out->props.items[i];
		const struct prop_info *pi = prop_info(layout[i].type);

		prop->type = layout[i].type;
		switch (pi->kind) {
		case PROP_INSTRUCTIONS:
			error = default_ids(a, instruction_names, ARRAY_SIZE(instruction_names),
					    last ? OFPIT_GOTO_TABLE : UINT16_MAX, prop);
			break;
		case PROP_ACTIONS:
			error = default_ids(a, action_names, ARRAY_SIZE(action_names), UINT16_MAX,
					    prop);
			break;
		case PROP_TABLES:
			prop->tables.n = last ? 0 : (size_t)(n_tables - table_id - 1);
			if (!prop->tables.n)
				break;
			prop->tables.items = arena_alloc(a, prop->tables.n);
			if (!prop->tables.items) {
				error = -ENOMEM;
				break;
			}
			for (size_t t = 0; t < prop->tables.n; t++)
				prop->tables.items[t] = (uint8_t)(table_id + 1 + t);
			break;
		default:
			error = default_oxms(a, layout[i].sel, prop);
			break;
		}
	}
	return error;
}
