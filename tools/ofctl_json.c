/* pfs-ofctl --json: a compact JSON writer and one renderer per decoded OpenFlow
 * entity. The schema is documented in pfs-ofctl.8 (section JSON OUTPUT) and is stable:
 * keys are only ever added. Numbers are JSON numbers (64-bit counters included),
 * cookies/metadata/datapath ids are "0x..." strings, counters a switch reports as
 * all-ones ("not available") are null, bit sets are arrays of names, matches are
 * objects keyed by OpenFlow 1.3 field names with ovs-ofctl value text, and actions or
 * instructions are their ovs-ofctl text. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ofctl.h"
#include "oxm.h"

void
json_init(struct json *j, struct buf *b)
{
	memset(j, 0, sizeof *j);
	j->b = b;
}

static void
put_escaped(struct buf *b, const char *s, size_t n)
{
	buf_put_u8(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			buf_printf(b, "\\%c", ch);
		else if (ch == '\n')
			buf_printf(b, "\\n");
		else if (ch == '\t')
			buf_printf(b, "\\t");
		else if (ch < 0x20 || ch >= 0x7f)
			buf_printf(b, "\\u%04x", ch); /* bytes as Latin-1: always valid JSON */
		else
			buf_put_u8(b, ch);
	}
	buf_put_u8(b, '"');
	buf_printf(b, "%s", ""); /* keep NUL-terminated */
}

static void
key(struct json *j, const char *k)
{
	if (j->need_comma[j->depth])
		buf_printf(j->b, ",");
	j->need_comma[j->depth] = true;
	if (k) {
		put_escaped(j->b, k, strlen(k));
		buf_printf(j->b, ":");
	}
}

static void
open_(struct json *j, const char *k, char ch)
{
	key(j, k);
	buf_printf(j->b, "%c", ch);
	if (j->depth + 1 < (int)(sizeof j->need_comma / sizeof j->need_comma[0]))
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void
close_(struct json *j, char ch)
{
	if (j->depth > 0)
		j->depth--;
	buf_printf(j->b, "%c", ch);
}

void
json_obj_begin(struct json *j, const char *k)
{
	open_(j, k, '{');
}

void
json_obj_end(struct json *j)
{
	close_(j, '}');
}

void
json_arr_begin(struct json *j, const char *k)
{
	open_(j, k, '[');
}

void
json_arr_end(struct json *j)
{
	close_(j, ']');
}

void
json_strn(struct json *j, const char *k, const char *s, size_t n)
{
	key(j, k);
	put_escaped(j->b, s, n);
}

void
json_str(struct json *j, const char *k, const char *s)
{
	json_strn(j, k, s, strlen(s));
}

void
json_u64(struct json *j, const char *k, uint64_t v)
{
	key(j, k);
	buf_printf(j->b, "%" PRIu64, v);
}

void
json_i64(struct json *j, const char *k, int64_t v)
{
	key(j, k);
	buf_printf(j->b, "%" PRId64, v);
}

void
json_bool(struct json *j, const char *k, bool v)
{
	key(j, k);
	buf_printf(j->b, v ? "true" : "false");
}

void
json_null(struct json *j, const char *k)
{
	key(j, k);
	buf_printf(j->b, "null");
}

void
json_counter(struct json *j, const char *k, uint64_t v)
{
	if (v == UINT64_MAX)
		json_null(j, k);
	else
		json_u64(j, k, v);
}

void
json_hex(struct json *j, const char *k, uint64_t v)
{
	char s[24];

	snprintf(s, sizeof s, "0x%" PRIx64, v);
	json_str(j, k, s);
}

void
json_duration(struct json *j, const char *k, uint32_t sec, uint32_t nsec)
{
	key(j, k);
	buf_printf(j->b, "%" PRIu32 ".%09" PRIu32, sec, nsec);
}

void
json_words(struct json *j, const char *k, const char *text)
{
	json_arr_begin(j, k);
	while (*text) {
		size_t n;
		while (*text == ' ' || *text == ',')
			text++;
		n = strcspn(text, " ,");
		if (n && !(n == 1 && *text == '0'))
			json_strn(j, NULL, text, n);
		text += n;
	}
	json_arr_end(j);
}

/* Formats with f into a scratch buffer and emits the words. */
static void
bits(struct json *j, const char *k, uint32_t v, void (*f)(uint32_t, struct buf *))
{
	struct buf t = BUF_INITIALIZER;

	f(v, &t);
	json_words(j, k, buf_cstr(&t));
	buf_uninit(&t);
}

/* A name table for a bit set: names[i] for bit i. */
static void
named_bits(struct json *j, const char *k, uint32_t v, const char *const *names, size_t n)
{
	json_arr_begin(j, k);
	for (size_t i = 0; i < 32; i++) {
		if (!(v & (1u << i)))
			continue;
		if (i < n && names[i]) {
			json_str(j, NULL, names[i]);
		} else {
			char s[16];
			snprintf(s, sizeof s, "0x%x", 1u << i);
			json_str(j, NULL, s);
		}
	}
	json_arr_end(j);
}

static void
port_value(struct ofctl *c, struct json *j, const char *k, uint32_t port)
{
	/* Ports are numbers; reserved ports and --names give their text too. */
	json_u64(j, k, port);
	if (c && c->names && ofctl_port_name(c, port)) {
		char nk[64];
		snprintf(nk, sizeof nk, "%s_name", k);
		json_str(j, nk, ofctl_port_name(c, port));
	}
}

void
ofctl_json_features(struct json *j, const struct ofp_switch_features *f)
{
	static const char *const caps[] = { "FLOW_STATS",  "TABLE_STATS", "PORT_STATS",
					    "GROUP_STATS", NULL,	  "IP_REASM",
					    "QUEUE_STATS", NULL,	  "PORT_BLOCKED" };
	char dpid[20];

	snprintf(dpid, sizeof dpid, "%016" PRIx64, f->datapath_id);
	json_str(j, "datapath_id", dpid);
	json_u64(j, "n_buffers", f->n_buffers);
	json_u64(j, "n_tables", f->n_tables);
	json_u64(j, "auxiliary_id", f->auxiliary_id);
	named_bits(j, "capabilities", f->capabilities, caps, sizeof caps / sizeof caps[0]);
}

void
ofctl_json_port_desc(struct ofctl *c, struct json *j, const char *k, const struct ofp_port_desc *p)
{
	struct buf t = BUF_INITIALIZER;
	char mac[18];

	(void)c;
	json_obj_begin(j, k);
	json_u64(j, "port_no", p->port_no);
	ofp_port_format(p->port_no, &t);
	json_str(j, "port", buf_cstr(&t));
	json_str(j, "name", p->name);
	snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", p->hw_addr[0], p->hw_addr[1],
		 p->hw_addr[2], p->hw_addr[3], p->hw_addr[4], p->hw_addr[5]);
	json_str(j, "hw_addr", mac);
	bits(j, "config", p->config, ofp_port_config_format);
	bits(j, "state", p->state, ofp_port_state_format);
	bits(j, "curr", p->curr, ofp_port_features_format);
	bits(j, "advertised", p->advertised, ofp_port_features_format);
	bits(j, "supported", p->supported, ofp_port_features_format);
	bits(j, "peer", p->peer, ofp_port_features_format);
	json_u64(j, "curr_speed", p->curr_speed);
	json_u64(j, "max_speed", p->max_speed);
	json_obj_end(j);
	buf_uninit(&t);
}

void
ofctl_json_port_stats(struct ofctl *c, struct json *j, const struct ofp_port_stats *p)
{
	json_obj_begin(j, NULL);
	port_value(c, j, "port_no", p->port_no);
	json_counter(j, "rx_packets", p->rx_packets);
	json_counter(j, "tx_packets", p->tx_packets);
	json_counter(j, "rx_bytes", p->rx_bytes);
	json_counter(j, "tx_bytes", p->tx_bytes);
	json_counter(j, "rx_dropped", p->rx_dropped);
	json_counter(j, "tx_dropped", p->tx_dropped);
	json_counter(j, "rx_errors", p->rx_errors);
	json_counter(j, "tx_errors", p->tx_errors);
	json_counter(j, "rx_frame_err", p->rx_frame_err);
	json_counter(j, "rx_over_err", p->rx_over_err);
	json_counter(j, "rx_crc_err", p->rx_crc_err);
	json_counter(j, "collisions", p->collisions);
	json_duration(j, "duration", p->duration_sec, p->duration_nsec);
	json_obj_end(j);
}

void
ofctl_json_config(struct json *j, const struct ofp_switch_config *cfg)
{
	static const char *const frags[] = { "normal", "drop", "reasm", "0x3" };

	json_str(j, "frags", frags[cfg->flags & OFPC_FRAG_MASK]);
	json_u64(j, "flags", cfg->flags);
	json_u64(j, "miss_send_len", cfg->miss_send_len);
}

void
ofctl_json_desc(struct json *j, const struct ofp_desc *d)
{
	json_str(j, "mfr_desc", d->mfr_desc);
	json_str(j, "hw_desc", d->hw_desc);
	json_str(j, "sw_desc", d->sw_desc);
	json_str(j, "serial_num", d->serial_num);
	json_str(j, "dp_desc", d->dp_desc);
}

void
ofctl_json_table_stats(struct json *j, const struct ofp_table_stats *t)
{
	json_obj_begin(j, NULL);
	json_u64(j, "table_id", t->table_id);
	json_u64(j, "active_count", t->active_count);
	json_u64(j, "lookup_count", t->lookup_count);
	json_u64(j, "matched_count", t->matched_count);
	json_obj_end(j);
}

static const char *const instruction_names[] = {
	[OFPIT_GOTO_TABLE] = "goto_table",	 [OFPIT_WRITE_METADATA] = "write_metadata",
	[OFPIT_WRITE_ACTIONS] = "write_actions", [OFPIT_APPLY_ACTIONS] = "apply_actions",
	[OFPIT_CLEAR_ACTIONS] = "clear_actions", [OFPIT_METER] = "meter",
};

static void
feature_prop(struct json *j, const struct ofp_table_feature_prop *p)
{
	const char *name = ofp_table_feature_prop_name(p->type);
	char num[24];

	json_obj_begin(j, NULL);
	if (!name) {
		snprintf(num, sizeof num, "%u", p->type);
		name = num;
	}
	json_str(j, "type", name);
	switch (p->type) {
	case OFPTFPT_INSTRUCTIONS:
	case OFPTFPT_INSTRUCTIONS_MISS:
	case OFPTFPT_WRITE_ACTIONS:
	case OFPTFPT_WRITE_ACTIONS_MISS:
	case OFPTFPT_APPLY_ACTIONS:
	case OFPTFPT_APPLY_ACTIONS_MISS: {
		bool insts = p->type <= OFPTFPT_INSTRUCTIONS_MISS;
		json_arr_begin(j, insts ? "instructions" : "actions");
		for (size_t i = 0; i < p->ids.n; i++) {
			uint16_t t = p->ids.items[i].type;
			const char *n =
				insts ? (t < sizeof instruction_names / sizeof *instruction_names
						 ? instruction_names[t]
						 : NULL)
				      : ofp_action_type_name(t);
			if (n) {
				json_str(j, NULL, n);
			} else {
				snprintf(num, sizeof num, "%u", t);
				json_str(j, NULL, num);
			}
		}
		json_arr_end(j);
		break;
	}
	case OFPTFPT_NEXT_TABLES:
	case OFPTFPT_NEXT_TABLES_MISS:
		json_arr_begin(j, "tables");
		for (size_t i = 0; i < p->tables.n; i++)
			json_u64(j, NULL, p->tables.items[i]);
		json_arr_end(j);
		break;
	case OFPTFPT_MATCH:
	case OFPTFPT_WILDCARDS:
	case OFPTFPT_WRITE_SETFIELD:
	case OFPTFPT_WRITE_SETFIELD_MISS:
	case OFPTFPT_APPLY_SETFIELD:
	case OFPTFPT_APPLY_SETFIELD_MISS:
		json_arr_begin(j, "fields");
		for (size_t i = 0; i < p->oxms.n; i++) {
			uint32_t h = p->oxms.items[i].header;
			const struct oxm_field_info *fi = OXM_CLASS(h) == OFPXMC_OPENFLOW_BASIC
								  ? oxm_field_info(OXM_FIELD(h))
								  : NULL;
			if (fi && OXM_HASMASK(h)) {
				snprintf(num, sizeof num, "%s/mask", fi->name);
				json_str(j, NULL, num);
			} else if (fi) {
				json_str(j, NULL, fi->name);
			} else {
				snprintf(num, sizeof num, "0x%08x", h);
				json_str(j, NULL, num);
			}
		}
		json_arr_end(j);
		break;
	default:
		json_u64(j, "experimenter", p->experimenter.experimenter);
		json_u64(j, "exp_type", p->experimenter.exp_type);
		break;
	}
	json_obj_end(j);
}

void
ofctl_json_table_features(struct json *j, const struct ofp_table_features *t)
{
	json_obj_begin(j, NULL);
	json_u64(j, "table_id", t->table_id);
	json_str(j, "name", t->name);
	json_hex(j, "metadata_match", t->metadata_match);
	json_hex(j, "metadata_write", t->metadata_write);
	json_u64(j, "config", t->config);
	json_u64(j, "max_entries", t->max_entries);
	json_arr_begin(j, "properties");
	for (size_t i = 0; i < t->props.n; i++)
		feature_prop(j, &t->props.items[i]);
	json_arr_end(j);
	json_obj_end(j);
}

void
ofctl_json_match(struct ofctl *c, struct json *j, const char *k, const struct ofp_match *m)
{
	struct buf t = BUF_INITIALIZER;

	json_obj_begin(j, k);
	for (uint8_t f = 0; f < OFPXMT_OFB_N_FIELDS; f++) {
		const struct oxm_field_info *fi = oxm_field_info(f);
		if (!fi || !oxm_match_has(m, f))
			continue;
		buf_clear(&t);
		if (f == OFPXMT_OFB_IN_PORT && c && c->names &&
		    ofctl_port_name(c, get_be32(oxm_match_value(m, f)))) {
			buf_printf(&t, "%s", ofctl_port_name(c, get_be32(oxm_match_value(m, f))));
		} else {
			oxm_format_value(f, oxm_match_value(m, f),
					 (m->masked >> f) & 1 ? oxm_match_mask(m, f) : NULL, &t);
		}
		json_str(j, fi->name, buf_cstr(&t));
	}
	json_obj_end(j);
	buf_uninit(&t);
}

static void
flow_flags(struct json *j, uint16_t flags)
{
	static const char *const names[] = { "send_flow_rem", "check_overlap", "reset_counts",
					     "no_packet_counts", "no_byte_counts" };

	named_bits(j, "flags", flags, names, sizeof names / sizeof names[0]);
}

static void
instructions(struct ofctl *c, struct json *j, const char *k, const struct ofp_instruction_list *l)
{
	struct buf t = BUF_INITIALIZER;

	ofp_instructions_format(l, &t);
	if (c && c->names)
		ofctl_numbers_to_names(c, &t, 0);
	json_str(j, k, buf_cstr(&t));
	buf_uninit(&t);
}

void
ofctl_json_flow_stats(struct ofctl *c, struct json *j, const struct ofp_flow_stats *f)
{
	json_obj_begin(j, NULL);
	json_u64(j, "table_id", f->table_id);
	json_u64(j, "priority", f->priority);
	json_hex(j, "cookie", f->cookie);
	if (!c->no_stats) {
		json_duration(j, "duration", f->duration_sec, f->duration_nsec);
		json_counter(j, "n_packets", f->packet_count);
		json_counter(j, "n_bytes", f->byte_count);
	}
	json_u64(j, "idle_timeout", f->idle_timeout);
	json_u64(j, "hard_timeout", f->hard_timeout);
	flow_flags(j, f->flags);
	ofctl_json_match(c, j, "match", &f->match);
	instructions(c, j, "actions", &f->insts);
	json_obj_end(j);
}

void
ofctl_json_aggregate(struct json *j, const struct ofp_aggregate_stats_reply *a)
{
	json_u64(j, "packet_count", a->packet_count);
	json_u64(j, "byte_count", a->byte_count);
	json_u64(j, "flow_count", a->flow_count);
}

static void
group_type(struct json *j, const char *k, uint8_t type)
{
	const char *n = ofp_group_type_name(type);

	if (n)
		json_str(j, k, n);
	else
		json_u64(j, k, type);
}

void
ofctl_json_group_desc(struct ofctl *c, struct json *j, const struct ofp_group_desc *g)
{
	struct buf t = BUF_INITIALIZER;

	json_obj_begin(j, NULL);
	json_u64(j, "group_id", g->group_id);
	group_type(j, "type", g->type);
	json_arr_begin(j, "buckets");
	for (size_t i = 0; i < g->buckets.n; i++) {
		const struct ofp_bucket *bk = &g->buckets.items[i];
		json_obj_begin(j, NULL);
		json_u64(j, "weight", bk->weight);
		if (bk->watch_port == OFPP_ANY)
			json_null(j, "watch_port");
		else
			port_value(c, j, "watch_port", bk->watch_port);
		if (bk->watch_group == OFPG_ANY)
			json_null(j, "watch_group");
		else
			json_u64(j, "watch_group", bk->watch_group);
		buf_clear(&t);
		ofp_actions_format(&bk->actions, &t);
		if (c->names)
			ofctl_numbers_to_names(c, &t, 0);
		json_str(j, "actions", buf_cstr(&t));
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	buf_uninit(&t);
}

void
ofctl_json_group_stats(struct json *j, const struct ofp_group_stats *g)
{
	json_obj_begin(j, NULL);
	json_u64(j, "group_id", g->group_id);
	json_u64(j, "ref_count", g->ref_count);
	json_counter(j, "packet_count", g->packet_count);
	json_counter(j, "byte_count", g->byte_count);
	json_duration(j, "duration", g->duration_sec, g->duration_nsec);
	json_arr_begin(j, "buckets");
	for (size_t i = 0; i < g->bucket_stats.n; i++) {
		json_obj_begin(j, NULL);
		json_counter(j, "packet_count", g->bucket_stats.items[i].packet_count);
		json_counter(j, "byte_count", g->bucket_stats.items[i].byte_count);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static const char *const group_type_names[] = { "all", "select", "indirect", "ff" };

static void
action_bits(struct json *j, const char *k, uint32_t v)
{
	json_arr_begin(j, k);
	for (uint16_t t = 0; t < 32; t++) {
		if (!(v & (1u << t)))
			continue;
		const char *n = ofp_action_type_name(t);
		if (n) {
			json_str(j, NULL, n);
		} else {
			char s[8];
			snprintf(s, sizeof s, "%u", t);
			json_str(j, NULL, s);
		}
	}
	json_arr_end(j);
}

void
ofctl_json_group_features(struct json *j, const struct ofp_group_features *g)
{
	static const char *const caps[] = { "select_weight", "select_liveness", "chaining",
					    "chaining_checks" };

	named_bits(j, "types", g->types, group_type_names, 4);
	named_bits(j, "capabilities", g->capabilities, caps, 4);
	json_obj_begin(j, "max_groups");
	for (int t = 0; t < 4; t++)
		json_u64(j, group_type_names[t], g->max_groups[t]);
	json_obj_end(j);
	json_obj_begin(j, "actions");
	for (int t = 0; t < 4; t++)
		action_bits(j, group_type_names[t], g->actions[t]);
	json_obj_end(j);
}

static const char *const meter_flag_names[] = { "kbps", "pktps", "burst", "stats" };

void
ofctl_json_meter_config(struct json *j, const struct ofp_meter_config *m)
{
	static const char *const band_names[] = { NULL, "drop", "dscp_remark" };

	json_obj_begin(j, NULL);
	json_u64(j, "meter_id", m->meter_id);
	named_bits(j, "flags", m->flags, meter_flag_names, 4);
	json_arr_begin(j, "bands");
	for (size_t i = 0; i < m->bands.n; i++) {
		const struct ofp_meter_band *bd = &m->bands.items[i];
		json_obj_begin(j, NULL);
		if (bd->type < 3 && band_names[bd->type])
			json_str(j, "type", band_names[bd->type]);
		else if (bd->type == OFPMBT_EXPERIMENTER)
			json_str(j, "type", "experimenter");
		else
			json_u64(j, "type", bd->type);
		json_u64(j, "rate", bd->rate);
		json_u64(j, "burst_size", bd->burst_size);
		if (bd->type == OFPMBT_DSCP_REMARK)
			json_u64(j, "prec_level", bd->prec_level);
		if (bd->type == OFPMBT_EXPERIMENTER)
			json_u64(j, "experimenter", bd->experimenter);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

void
ofctl_json_meter_stats(struct json *j, const struct ofp_meter_stats *m)
{
	json_obj_begin(j, NULL);
	json_u64(j, "meter_id", m->meter_id);
	json_u64(j, "flow_count", m->flow_count);
	json_counter(j, "packet_in_count", m->packet_in_count);
	json_counter(j, "byte_in_count", m->byte_in_count);
	json_duration(j, "duration", m->duration_sec, m->duration_nsec);
	json_arr_begin(j, "bands");
	for (size_t i = 0; i < m->band_stats.n; i++) {
		json_obj_begin(j, NULL);
		json_counter(j, "packet_count", m->band_stats.items[i].packet_band_count);
		json_counter(j, "byte_count", m->band_stats.items[i].byte_band_count);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

void
ofctl_json_meter_features(struct json *j, const struct ofp_meter_features *m)
{
	static const char *const band_names[] = { NULL, "drop", "dscp_remark" };

	json_u64(j, "max_meter", m->max_meter);
	named_bits(j, "band_types", m->band_types, band_names, 3);
	named_bits(j, "capabilities", m->capabilities, meter_flag_names, 4);
	json_u64(j, "max_bands", m->max_bands);
	json_u64(j, "max_color", m->max_color);
}

void
ofctl_json_role(struct json *j, const struct ofp_role *r)
{
	const char *n = ofp_role_name(r->role);

	if (n)
		json_str(j, "role", n);
	else
		json_u64(j, "role", r->role);
	json_u64(j, "generation_id", r->generation_id);
}

static void
hex_data(struct json *j, const char *k, const uint8_t *p, size_t n)
{
	struct buf t = BUF_INITIALIZER;

	for (size_t i = 0; i < n; i++)
		buf_printf(&t, "%02x", p[i]);
	json_str(j, k, buf_cstr(&t));
	buf_uninit(&t);
}

void
ofctl_json_message(struct ofctl *c, struct json *j, const uint8_t *msg, size_t len)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf t = BUF_INITIALIZER;
	struct ofp_message m;
	struct ofp_err err;
	const char *name;

	json_obj_begin(j, NULL);
	if (len < 8) {
		json_str(j, "type", "?");
		json_obj_end(j);
		return;
	}
	name = ofp_msg_type_name(msg[1]);
	if (name)
		json_str(j, "type", name);
	else
		json_u64(j, "type", msg[1]);
	json_u64(j, "xid", get_be32(msg + 4));
	if (ofp_message_decode(msg, len, &a, &m, &err)) {
		ofp_error_format(&err, &t);
		json_str(j, "decode_error", buf_cstr(&t));
		hex_data(j, "data", msg, len);
		goto out;
	}
	switch (m.h.type) {
	case OFPT_PACKET_IN: {
		const struct ofp_packet_in *pi = &m.packet_in;
		const char *r = ofp_packet_in_reason_name(pi->reason);
		if (r)
			json_str(j, "reason", r);
		else
			json_u64(j, "reason", pi->reason);
		json_u64(j, "table_id", pi->table_id);
		json_hex(j, "cookie", pi->cookie);
		json_u64(j, "total_len", pi->total_len);
		if (pi->buffer_id == OFP_NO_BUFFER)
			json_null(j, "buffer_id");
		else
			json_u64(j, "buffer_id", pi->buffer_id);
		ofctl_json_match(c, j, "match", &pi->match);
		hex_data(j, "packet", pi->data.data, pi->data.len);
		break;
	}
	case OFPT_FLOW_REMOVED: {
		const struct ofp_flow_removed *fr = &m.flow_removed;
		const char *r = ofp_flow_removed_reason_name(fr->reason);
		if (r)
			json_str(j, "reason", r);
		else
			json_u64(j, "reason", fr->reason);
		json_u64(j, "table_id", fr->table_id);
		json_u64(j, "priority", fr->priority);
		json_hex(j, "cookie", fr->cookie);
		json_duration(j, "duration", fr->duration_sec, fr->duration_nsec);
		json_u64(j, "idle_timeout", fr->idle_timeout);
		json_u64(j, "hard_timeout", fr->hard_timeout);
		json_counter(j, "packet_count", fr->packet_count);
		json_counter(j, "byte_count", fr->byte_count);
		ofctl_json_match(c, j, "match", &fr->match);
		break;
	}
	case OFPT_PORT_STATUS: {
		const char *r = ofp_port_reason_name(m.port_status.reason);
		if (r)
			json_str(j, "reason", r);
		else
			json_u64(j, "reason", m.port_status.reason);
		ofctl_json_port_desc(c, j, "port", &m.port_status.desc);
		break;
	}
	default:
		break;
	}
	buf_clear(&t);
	ofp_message_format(&m, &t);
	json_str(j, "text", buf_cstr(&t));
out:
	json_obj_end(j);
	buf_uninit(&t);
	arena_free(&a);
}

/* ---- JSON reading (set-table-features) ---- */

struct jparse {
	const char *p;
	struct arena *a;
	const char *what; /* the first syntax error */
};

static void
jskip(struct jparse *x)
{
	while (*x->p == ' ' || *x->p == '\t' || *x->p == '\n' || *x->p == '\r')
		x->p++;
}

static int
jfail(struct jparse *x, const char *what)
{
	if (!x->what)
		x->what = what;
	return -EINVAL;
}

static struct jval *
jnew(struct jparse *x, enum jtype t)
{
	struct jval *v = arena_calloc(x->a, 1, sizeof *v);

	if (v)
		v->type = t;
	return v;
}

/* A string without escapes other than \" \\ \/ \n \t and \u00XX (what json_str writes). */
static int
jstring(struct jparse *x, const char **out)
{
	struct buf s = BUF_INITIALIZER;
	int r = 0;

	x->p++; /* '"' */
	while (*x->p && *x->p != '"') {
		char ch = *x->p++;

		if (ch == '\\') {
			if (!*x->p) {
				r = jfail(x, "unterminated string");
				break;
			}
			ch = *x->p++;
			if (ch == 'n')
				ch = '\n';
			else if (ch == 't')
				ch = '\t';
			else if (ch == 'u') {
				unsigned u;

				if (!isxdigit((unsigned char)x->p[0]) ||
				    !isxdigit((unsigned char)x->p[1]) ||
				    !isxdigit((unsigned char)x->p[2]) ||
				    !isxdigit((unsigned char)x->p[3]) ||
				    sscanf(x->p, "%4x", &u) != 1 || u > 0xff) {
					r = jfail(x, "unsupported \\u escape");
					break;
				}
				ch = (char)u;
				x->p += 4;
			} else if (ch != '"' && ch != '\\' && ch != '/') {
				r = jfail(x, "bad escape");
				break;
			}
		}
		buf_put_u8(&s, (uint8_t)ch);
	}
	if (!r && *x->p != '"')
		r = jfail(x, "unterminated string");
	if (!r) {
		x->p++;
		buf_put_u8(&s, 0);
		*out = buf_error(&s) ? NULL : arena_memdup(x->a, s.data, s.size);
		if (!*out)
			r = -ENOMEM;
	}
	buf_uninit(&s);
	return r;
}

static int jvalue(struct jparse *x, struct jval **out, int depth);

static int
jcontainer(struct jparse *x, struct jval *v, int depth)
{
	char close = v->type == JSON_OBJECT ? '}' : ']';
	struct jval **tail = &v->child;
	int r;

	x->p++;
	jskip(x);
	if (*x->p == close) {
		x->p++;
		return 0;
	}
	for (;;) {
		const char *key = NULL;
		struct jval *item;

		jskip(x);
		if (v->type == JSON_OBJECT) {
			if (*x->p != '"')
				return jfail(x, "expected a key");
			r = jstring(x, &key);
			if (r)
				return r;
			jskip(x);
			if (*x->p++ != ':')
				return jfail(x, "expected ':'");
		}
		r = jvalue(x, &item, depth + 1);
		if (r)
			return r;
		item->key = key;
		*tail = item;
		tail = &item->next;
		v->n++;
		jskip(x);
		if (*x->p == ',') {
			x->p++;
			continue;
		}
		if (*x->p != close)
			return jfail(x, "expected ',' or a closing bracket");
		x->p++;
		return 0;
	}
}

static int
jvalue(struct jparse *x, struct jval **out, int depth)
{
	struct jval *v;
	const char *start;

	if (depth > 32)
		return jfail(x, "nested too deeply");
	jskip(x);
	switch (*x->p) {
	case '{':
	case '[':
		v = jnew(x, *x->p == '{' ? JSON_OBJECT : JSON_ARRAY);
		*out = v;
		return v ? jcontainer(x, v, depth) : -ENOMEM;
	case '"':
		v = jnew(x, JSON_STRING);
		*out = v;
		return v ? jstring(x, &v->s) : -ENOMEM;
	default:
		start = x->p;
		while (*x->p && (isalnum((unsigned char)*x->p) || strchr("+-.", *x->p)))
			x->p++;
		if (x->p == start)
			return jfail(x, "unexpected character");
		v = jnew(x, JSON_SCALAR); /* number, true, false, null: kept as text */
		if (!v || !(v->s = arena_memdup(x->a, start, (size_t)(x->p - start) + 1)))
			return -ENOMEM;
		((char *)v->s)[x->p - start] = '\0';
		*out = v;
		return 0;
	}
}

int
json_parse(const char *text, struct arena *a, struct jval **out, char *err, size_t errlen)
{
	struct jparse x = { text, a, NULL };
	int r;

	r = jvalue(&x, out, 0);
	jskip(&x);
	if (!r && *x.p)
		r = jfail(&x, "text after the value");
	if (r == -EINVAL)
		snprintf(err, errlen, "JSON: %s at offset %td", x.what, x.p - text);
	else if (r)
		snprintf(err, errlen, "%s", strerror(-r));
	return r;
}

const struct jval *
json_get(const struct jval *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (const struct jval *v = obj->child; v; v = v->next)
		if (!strcmp(v->key, key))
			return v;
	return NULL;
}

/* ---- table features from the JSON that ofctl_json_table_features() writes ---- */

static int __attribute__((format(printf, 4, 5)))
tf_fail(char *err, size_t errlen, unsigned table, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "table %u: %s", table, msg);
	return -EINVAL;
}

static bool
number(const struct jval *v, uint64_t max, uint64_t *out)
{
	const char *s = v ? v->s : NULL;
	char *end;

	if (!s || (v->type != JSON_SCALAR && v->type != JSON_STRING) || !*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return !errno && !*end && *out <= max;
}

static int
id_by_name(const char *s, bool insts, uint16_t *out)
{
	uint64_t n;
	struct jval v = { .type = JSON_STRING, .s = s };

	for (unsigned t = 0; t < 32; t++) {
		const char *name = insts ? (t < sizeof instruction_names / sizeof *instruction_names
						    ? instruction_names[t]
						    : NULL)
					 : ofp_action_type_name((uint16_t)t);
		if (name && !strcmp(name, s)) {
			*out = (uint16_t)t;
			return 0;
		}
	}
	if (!number(&v, UINT16_MAX, &n))
		return -EINVAL;
	*out = (uint16_t)n;
	return 0;
}

/* "eth_dst" (exact), "eth_dst/mask" (hasmask), or a raw "0x80000606" header. */
static int
oxm_by_name(const char *s, uint32_t *out)
{
	char name[64];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	const struct oxm_field_info *fi;
	struct jval v = { .type = JSON_STRING, .s = s };
	uint64_t n;

	if (len < sizeof name) {
		memcpy(name, s, len);
		name[len] = '\0';
		fi = oxm_field_by_name(name);
		if (fi && (!slash || !strcmp(slash, "/mask"))) {
			bool m = slash != NULL;

			*out = OXM_HEADER(OFPXMC_OPENFLOW_BASIC, fi->field, m,
					  m ? 2 * fi->len : fi->len);
			return 0;
		}
	}
	if (!number(&v, UINT32_MAX, &n))
		return -EINVAL;
	*out = (uint32_t)n;
	return 0;
}

static uint16_t
prop_type_by_name(const char *s)
{
	for (unsigned t = 0; t < 16; t++)
		if (ofp_table_feature_prop_name((uint16_t)t) &&
		    !strcmp(ofp_table_feature_prop_name((uint16_t)t), s))
			return (uint16_t)t;
	if (!strcmp(s, ofp_table_feature_prop_name(OFPTFPT_EXPERIMENTER)))
		return OFPTFPT_EXPERIMENTER;
	if (!strcmp(s, ofp_table_feature_prop_name(OFPTFPT_EXPERIMENTER_MISS)))
		return OFPTFPT_EXPERIMENTER_MISS;
	return UINT16_MAX;
}

static int
feature_prop_from_json(const struct jval *jp, unsigned table, struct arena *a,
		       struct ofp_table_feature_prop *p, char *err, size_t errlen)
{
	const struct jval *jt = json_get(jp, "type"), *list;
	uint64_t n;

	memset(p, 0, sizeof *p);
	if (!jt || jt->type != JSON_STRING)
		return tf_fail(err, errlen, table, "a property without a \"type\"");
	p->type = prop_type_by_name(jt->s);
	if (p->type == UINT16_MAX) {
		if (!number(jt, UINT16_MAX - 1, &n))
			return tf_fail(err, errlen, table, "unknown property type \"%s\"", jt->s);
		p->type = (uint16_t)n;
	}
	switch (p->type) {
	case OFPTFPT_INSTRUCTIONS:
	case OFPTFPT_INSTRUCTIONS_MISS:
	case OFPTFPT_WRITE_ACTIONS:
	case OFPTFPT_WRITE_ACTIONS_MISS:
	case OFPTFPT_APPLY_ACTIONS:
	case OFPTFPT_APPLY_ACTIONS_MISS: {
		bool insts = p->type <= OFPTFPT_INSTRUCTIONS_MISS;

		list = json_get(jp, insts ? "instructions" : "actions");
		if (!list || list->type != JSON_ARRAY)
			return tf_fail(err, errlen, table, "%s: no list", jt->s);
		p->ids.items = arena_calloc(a, list->n + 1, sizeof *p->ids.items);
		if (!p->ids.items)
			return -ENOMEM;
		for (const struct jval *v = list->child; v; v = v->next) {
			struct ofp_table_feature_id *id = &p->ids.items[p->ids.n++];

			if (v->type != JSON_STRING || id_by_name(v->s, insts, &id->type))
				return tf_fail(err, errlen, table, "unknown id \"%s\"",
					       v->s ? v->s : "?");
		}
		break;
	}
	case OFPTFPT_NEXT_TABLES:
	case OFPTFPT_NEXT_TABLES_MISS:
		list = json_get(jp, "tables");
		if (!list || list->type != JSON_ARRAY)
			return tf_fail(err, errlen, table, "%s: no list", jt->s);
		p->tables.items = arena_calloc(a, list->n + 1, 1);
		if (!p->tables.items)
			return -ENOMEM;
		for (const struct jval *v = list->child; v; v = v->next) {
			if (!number(v, UINT8_MAX, &n))
				return tf_fail(err, errlen, table, "bad table id \"%s\"",
					       v->s ? v->s : "?");
			p->tables.items[p->tables.n++] = (uint8_t)n;
		}
		break;
	case OFPTFPT_EXPERIMENTER:
	case OFPTFPT_EXPERIMENTER_MISS:
		if (number(json_get(jp, "experimenter"), UINT32_MAX, &n))
			p->experimenter.experimenter = (uint32_t)n;
		if (number(json_get(jp, "exp_type"), UINT32_MAX, &n))
			p->experimenter.exp_type = (uint32_t)n;
		break;
	default:
		list = json_get(jp, "fields");
		if (!list || list->type != JSON_ARRAY)
			return tf_fail(err, errlen, table, "%s: no list", jt->s);
		p->oxms.items = arena_calloc(a, list->n + 1, sizeof *p->oxms.items);
		if (!p->oxms.items)
			return -ENOMEM;
		for (const struct jval *v = list->child; v; v = v->next) {
			struct ofp_table_feature_oxm *o = &p->oxms.items[p->oxms.n++];

			if (v->type != JSON_STRING || oxm_by_name(v->s, &o->header))
				return tf_fail(err, errlen, table, "unknown field \"%s\"",
					       v->s ? v->s : "?");
		}
		break;
	}
	return 0;
}

int
ofctl_table_features_from_json(const struct jval *root, struct arena *a,
			       struct ofp_table_features **out, size_t *n_out, char *err,
			       size_t errlen)
{
	const struct jval *tables = json_get(root, "tables");
	struct ofp_table_features *v;
	size_t n = 0;
	int r;

	if (!tables || tables->type != JSON_ARRAY || !tables->n) {
		snprintf(err, errlen, "expected {\"tables\": [...]} with at least one table");
		return -EINVAL;
	}
	v = arena_calloc(a, tables->n, sizeof *v);
	if (!v)
		return -ENOMEM;
	for (const struct jval *jt = tables->child; jt; jt = jt->next, n++) {
		struct ofp_table_features *t = &v[n];
		const struct jval *name = json_get(jt, "name"), *props = json_get(jt, "properties");
		uint64_t x;

		if (!number(json_get(jt, "table_id"), UINT8_MAX, &x)) {
			snprintf(err, errlen, "entry %zu: no valid \"table_id\"", n);
			return -EINVAL;
		}
		t->table_id = (uint8_t)x;
		if (name && name->type == JSON_STRING)
			snprintf(t->name, sizeof t->name, "%s", name->s);
		else
			snprintf(t->name, sizeof t->name, "table%u", t->table_id);
		t->metadata_match = number(json_get(jt, "metadata_match"), UINT64_MAX, &x) ? x : 0;
		t->metadata_write = number(json_get(jt, "metadata_write"), UINT64_MAX, &x) ? x : 0;
		t->config = number(json_get(jt, "config"), UINT32_MAX, &x) ? (uint32_t)x : 0;
		if (!number(json_get(jt, "max_entries"), UINT32_MAX, &x))
			return tf_fail(err, errlen, t->table_id, "no valid \"max_entries\"");
		t->max_entries = (uint32_t)x;
		if (props && props->type != JSON_ARRAY)
			return tf_fail(err, errlen, t->table_id, "\"properties\" is not a list");
		if (!props)
			continue;
		t->props.items = arena_calloc(a, props->n + 1, sizeof *t->props.items);
		if (!t->props.items)
			return -ENOMEM;
		for (const struct jval *jp = props->child; jp; jp = jp->next) {
			r = feature_prop_from_json(jp, t->table_id, a, &t->props.items[t->props.n],
						   err, errlen);
			if (r)
				return r;
			t->props.n++;
		}
	}
	*out = v;
	*n_out = n;
	return 0;
}
