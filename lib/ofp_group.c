/* Groups: OFPT_GROUP_MOD, bucket lists, and the OFPMP_GROUP / GROUP_DESC /
 * GROUP_FEATURES bodies; see ofp_group.h. Bucket actions go through ofp_action.c. */
#include "ofp_group.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_msg.h"
#include "util.h"

static const char *const group_type_names[] = {
	[OFPGT_ALL] = "all",
	[OFPGT_SELECT] = "select",
	[OFPGT_INDIRECT] = "indirect",
	[OFPGT_FF] = "ff",
};

static const char *const group_command_names[] = {
	[OFPGC_ADD] = "ADD",
	[OFPGC_MODIFY] = "MOD",
	[OFPGC_DELETE] = "DEL",
};

static const char *const group_capability_names[] = {
	"weight",
	"liveness",
	"chaining",
	"chaining_checks",
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
	[OFPAT_SET_NW_TTL] = "set_nw_ttl",
	[OFPAT_DEC_NW_TTL] = "dec_nw_ttl",
	[OFPAT_SET_FIELD] = "set_field",
	[OFPAT_PUSH_PBB] = "push_pbb",
	[OFPAT_POP_PBB] = "pop_pbb",
};

const char *
ofp_group_type_name(uint8_t type)
{
	return type < ARRAY_SIZE(group_type_names) ? group_type_names[type] : NULL;
}

static void
group_id_format(uint32_t id, struct buf *b)
{
	if (id == OFPG_ALL)
		buf_printf(b, "ALL");
	else if (id == OFPG_ANY)
		buf_printf(b, "ANY");
	else
		buf_printf(b, "%" PRIu32, id);
}

/* A watch port is a real port, a reserved port the spec defines, or ANY (none). */
static int
watch_port_ok(uint32_t port)
{
	return (port != 0 && port <= OFPP_MAX) || port >= OFPP_IN_PORT;
}

static int
watch_group_ok(uint32_t group)
{
	return group <= OFPG_MAX || group == OFPG_ANY;
}

/* Checks one bucket's fixed part (at p, len bytes available from p) for a group of the
 * given type and returns its length, or -EPROTO. */
static int
bucket_check(const uint8_t *p, size_t left, uint8_t group_type, struct ofp_err *err)
{
	uint16_t blen = get_be16(p);
	uint16_t weight = get_be16(p + 2);
	uint32_t watch_port = get_be32(p + 4);
	uint32_t watch_group = get_be32(p + 8);

	if (blen < OFP_BUCKET_LEN || blen > left || blen % 8)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET);
	if (weight && group_type != OFPGT_SELECT)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET);
	if (!watch_port_ok(watch_port) || !watch_group_ok(watch_group))
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_WATCH);
	if (group_type == OFPGT_FF && watch_port == OFPP_ANY && watch_group == OFPG_ANY)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_WATCH);
	return blen;
}

/* Decodes buckets with ofp_actions_decode_opts() options (a client reading a switch's
 * groups keeps experimenter actions). */
static int
buckets_decode(const void *p, size_t len, uint8_t group_type, unsigned opts, struct arena *a,
	       struct ofp_bucket_list *out, struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(p, len);
	size_t n = 0;

	out->items = NULL;
	out->n = 0;
	/* First pass: lengths and fixed fields, so the array is sized once. */
	while (c.left) {
		const uint8_t *h = buf_at(&c, 0, OFP_BUCKET_LEN);
		int blen;

		if (!h)
			return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET);
		blen = bucket_check(h, c.left, group_type, err);
		if (blen < 0)
			return blen;
		buf_pull(&c, (size_t)blen);
		n++;
	}
	if (!n)
		return 0;
	out->items = arena_calloc(a, n, sizeof *out->items);
	if (!out->items)
		return -ENOMEM;

	c = buf_cursor(p, len);
	for (size_t i = 0; i < n; i++) {
		struct ofp_bucket *bk = &out->items[i];
		const uint8_t *h = buf_pull(&c, OFP_BUCKET_LEN);
		uint16_t blen = get_be16(h);
		const uint8_t *acts = buf_pull(&c, blen - OFP_BUCKET_LEN);
		int ret;

		bk->weight = get_be16(h + 2);
		bk->watch_port = get_be32(h + 4);
		bk->watch_group = get_be32(h + 8);
		ret = ofp_actions_decode_opts(acts, blen - OFP_BUCKET_LEN, opts, a, &bk->actions,
					      err);
		if (ret)
			return ret;
	}
	out->n = n;
	return 0;
}

int
ofp_buckets_decode(const void *p, size_t len, uint8_t group_type, struct arena *a,
		   struct ofp_bucket_list *out, struct ofp_err *err)
{
	return buckets_decode(p, len, group_type, 0, a, out, err);
}

void
ofp_buckets_encode(const struct ofp_bucket_list *l, struct buf *b)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct ofp_bucket *bk = &l->items[i];
		size_t start = b->size;

		buf_put_be16(b, 0);
		buf_put_be16(b, bk->weight);
		buf_put_be32(b, bk->watch_port);
		buf_put_be32(b, bk->watch_group);
		buf_put_zeros(b, 4);
		ofp_actions_encode(&bk->actions, b);
		buf_set_be16(b, start, (uint16_t)(b->size - start));
	}
}

/* ovs-ofctl's bucket weight when none is given: 1 in select groups, else 0. */
static uint16_t
default_weight(uint8_t group_type)
{
	return group_type == OFPGT_SELECT;
}

void
ofp_buckets_format(const struct ofp_bucket_list *l, uint8_t group_type, struct buf *b)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct ofp_bucket *bk = &l->items[i];

		buf_printf(b, ",bucket=");
		if (bk->weight != default_weight(group_type))
			buf_printf(b, "weight:%" PRIu16 ",", bk->weight);
		if (bk->watch_port != OFPP_ANY) {
			buf_printf(b, "watch_port:");
			ofp_port_format(bk->watch_port, b);
			buf_printf(b, ",");
		}
		if (bk->watch_group != OFPG_ANY)
			buf_printf(b, "watch_group:%" PRIu32 ",", bk->watch_group);
		buf_printf(b, "actions=");
		ofp_actions_format(&bk->actions, b);
	}
}

static int
group_id_valid(uint16_t command, uint32_t id)
{
	return id <= OFPG_MAX || (command == OFPGC_DELETE && id == OFPG_ALL);
}

int
ofp_group_mod_decode(const void *msg, size_t len, struct arena *a, struct ofp_group_mod *out,
		     struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(msg, len);
	const uint8_t *p = buf_pull(&c, OFP_GROUP_MOD_LEN);
	int ret;

	memset(out, 0, sizeof *out);
	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	out->command = get_be16(p + 8);
	out->type = p[10];
	out->group_id = get_be32(p + 12);
	if (out->command > OFPGC_DELETE)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_COMMAND);
	if (out->type > OFPGT_FF)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_TYPE);
	if (!group_id_valid(out->command, out->group_id))
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_INVALID_GROUP);
	ret = ofp_buckets_decode(c.p, c.left, out->type, a, &out->buckets, err);
	if (ret)
		return ret;
	if (out->type == OFPGT_INDIRECT && out->command != OFPGC_DELETE && out->buckets.n != 1)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_INVALID_GROUP);
	return 0;
}

int
ofp_group_mod_encode(const struct ofp_group_mod *in, uint32_t xid, struct buf *b)
{
	size_t start = ofp_msg_start(b, OFPT_GROUP_MOD, xid);

	buf_put_be16(b, in->command);
	buf_put_u8(b, in->type);
	buf_put_u8(b, 0);
	buf_put_be32(b, in->group_id);
	ofp_buckets_encode(&in->buckets, b);
	return ofp_msg_finish(b, start);
}

static void
group_type_format(uint8_t type, struct buf *b)
{
	const char *name = ofp_group_type_name(type);

	if (name)
		buf_printf(b, "%s", name);
	else
		buf_printf(b, "%" PRIu8, type);
}

void
ofp_group_mod_format(const struct ofp_group_mod *in, struct buf *b)
{
	if (in->command < ARRAY_SIZE(group_command_names))
		buf_printf(b, "%s group_id=", group_command_names[in->command]);
	else
		buf_printf(b, "cmd:%" PRIu16 " group_id=", in->command);
	group_id_format(in->group_id, b);
	buf_printf(b, ",type=");
	group_type_format(in->type, b);
	ofp_buckets_format(&in->buckets, in->type, b);
}

/* ---- ovs-ofctl group text ---- */

static void
set_err(char *errbuf, size_t errlen, const char *what, const char *tok)
{
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s: %s", what, tok);
}

/* Splits the next token off *s at a comma or white space outside parentheses and
 * NUL-terminates it in place. NULL at the end. */
static char *
next_token(char **s)
{
	char *p = *s, *tok;
	int depth = 0;

	while (*p == ',' || *p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p) {
		*s = p;
		return NULL;
	}
	tok = p;
	for (; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth)
			depth--;
		else if (!depth && (*p == ',' || *p == ' ' || *p == '\t' || *p == '\n'))
			break;
	}
	if (*p)
		*p++ = '\0';
	*s = p;
	return tok;
}

/* Splits "key=value" or "key:value" in place; *value is NULL when there is none.
 * Returns the separator (to put back with unsplit_kv), or 0. */
static char
split_kv(char *tok, char **value)
{
	size_t n = strcspn(tok, "=:");
	char sep = tok[n];

	*value = NULL;
	if (sep) {
		tok[n] = '\0';
		*value = tok + n + 1;
	}
	return sep;
}

static void
unsplit_kv(char *value, char sep)
{
	if (value)
		value[-1] = sep;
}

static int
parse_u32(const char *s, uint32_t max, uint32_t *v)
{
	char *end;
	unsigned long long x;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end || x > max)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

static int
parse_group_id(const char *s, uint32_t *id)
{
	if (s && !strcasecmp(s, "all")) {
		*id = OFPG_ALL;
		return 0;
	}
	if (s && !strcasecmp(s, "any")) {
		*id = OFPG_ANY;
		return 0;
	}
	return parse_u32(s, UINT32_MAX, id);
}

static int
parse_group_type(const char *s, uint8_t *type)
{
	if (!s)
		return -EINVAL;
	if (!strcasecmp(s, "fast_failover")) {
		*type = OFPGT_FF;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(group_type_names); i++) {
		if (!strcasecmp(s, group_type_names[i])) {
			*type = (uint8_t)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Finds the next "bucket=" or "bucket:" that starts a token at or after s. */
static char *
find_bucket(char *s)
{
	for (char *p = s; (p = strcasestr(p, "bucket")) != NULL; p++) {
		if ((p == s || p[-1] == ',' || p[-1] == ' ' || p[-1] == '\t') &&
		    (p[6] == '=' || p[6] == ':'))
			return p;
	}
	return NULL;
}

/* Parses one bucket's text (after "bucket="), NUL-terminated in place. */
static int
parse_bucket(char *s, uint8_t group_type, struct arena *a, struct ofp_bucket *bk, char *errbuf,
	     size_t errlen)
{
	struct buf acts = BUF_INITIALIZER;
	char *tok, *value;
	int ret = 0;

	bk->weight = default_weight(group_type);
	bk->watch_port = OFPP_ANY;
	bk->watch_group = OFPG_ANY;
	buf_printf(&acts, "%s", "");
	while ((tok = next_token(&s)) != NULL) {
		char sep = split_kv(tok, &value);

		if (!strcasecmp(tok, "weight")) {
			uint32_t w;

			if (parse_u32(value, UINT16_MAX, &w))
				goto bad;
			bk->weight = (uint16_t)w;
		} else if (!strcasecmp(tok, "watch_port")) {
			if (!value || ofp_port_parse(value, &bk->watch_port))
				goto bad;
		} else if (!strcasecmp(tok, "watch_group")) {
			if (parse_group_id(value, &bk->watch_group))
				goto bad;
		} else if (!strcasecmp(tok, "actions")) {
			/* The rest of the bucket: this token's value and what follows. */
			if (value && *value)
				buf_printf(&acts, "%s%s", acts.size ? "," : "", value);
			if (*s)
				buf_printf(&acts, "%s%s", acts.size ? "," : "", s);
			break;
		} else {
			/* Not a bucket key: an action, put back together. */
			unsplit_kv(value, sep);
			buf_printf(&acts, "%s%s", acts.size ? "," : "", tok);
		}
		continue;
bad:
		unsplit_kv(value, sep);
		set_err(errbuf, errlen, "bad bucket parameter", tok);
		ret = -EINVAL;
		goto out;
	}
	/* Trim separators the tail may carry. */
	while (acts.size && strchr(", \t\n", acts.data[acts.size - 1]))
		buf_truncate(&acts, acts.size - 1);
	if (buf_error(&acts)) {
		ret = -ENOMEM;
		goto out;
	}
	ret = ofp_actions_parse(buf_cstr(&acts), a, &bk->actions, errbuf, errlen);
out:
	buf_uninit(&acts);
	return ret;
}

int
ofp_group_mod_parse(const char *text, uint16_t command, struct arena *a, struct ofp_group_mod *out,
		    char *errbuf, size_t errlen)
{
	char *copy = pfs_strdup(text), *head, *bk, *tok, *value;
	bool have_id = false, have_type = false;
	size_t n = 0;
	int ret = 0;

	memset(out, 0, sizeof *out);
	out->command = command;
	out->group_id = OFPG_ALL;
	out->type = OFPGT_ALL;
	if (!copy)
		return -ENOMEM;
	for (char *p = copy; (p = find_bucket(p)) != NULL; p++)
		n++;
	if (n) {
		out->buckets.items = arena_calloc(a, n, sizeof *out->buckets.items);
		if (!out->buckets.items) {
			ret = -ENOMEM;
			goto out;
		}
	}

	head = copy;
	bk = find_bucket(copy);
	if (bk)
		*bk = '\0';
	while ((tok = next_token(&head)) != NULL) {
		char sep = split_kv(tok, &value);

		if (!strcasecmp(tok, "group_id")) {
			if (parse_group_id(value, &out->group_id))
				goto bad;
			have_id = true;
		} else if (!strcasecmp(tok, "type")) {
			if (parse_group_type(value, &out->type))
				goto bad;
			have_type = true;
		} else {
			goto bad;
		}
		continue;
bad:
		unsplit_kv(value, sep);
		set_err(errbuf, errlen, "bad group parameter", tok);
		ret = -EINVAL;
		goto out;
	}

	for (size_t i = 0; i < n; i++) {
		char *body = bk + 7, *next = find_bucket(body);

		if (next)
			*next = '\0';
		ret = parse_bucket(body, out->type, a, &out->buckets.items[i], errbuf, errlen);
		if (ret)
			goto out;
		out->buckets.n++;
		bk = next;
	}

	if (command != OFPGC_DELETE && (!have_id || !have_type)) {
		set_err(errbuf, errlen, "missing", have_id ? "type" : "group_id");
		ret = -EINVAL;
	}
out:
	free(copy);
	return ret;
}

/* ---- OFPMP_GROUP ---- */

int
ofp_group_stats_request_decode(struct buf_cursor *c, struct arena *a,
			       struct ofp_group_stats_request *out, struct ofp_err *err)
{
	const uint8_t *p = buf_pull(c, OFP_GROUP_STATS_REQUEST_LEN);

	(void)a;
	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	out->group_id = get_be32(p);
	return 0;
}

void
ofp_group_stats_request_encode(const struct ofp_group_stats_request *in, struct buf *b)
{
	buf_put_be32(b, in->group_id);
	buf_put_zeros(b, 4);
}

void
ofp_group_stats_request_format(const struct ofp_group_stats_request *in, struct buf *b)
{
	buf_printf(b, "group_id=");
	group_id_format(in->group_id, b);
}

static void
duration_format(uint32_t sec, uint32_t nsec, struct buf *b)
{
	buf_printf(b, "%" PRIu32 ".%03" PRIu32 "s", sec, nsec / 1000000);
}

int
ofp_group_stats_decode(struct buf_cursor *c, struct arena *a, struct ofp_group_stats *out,
		       struct ofp_err *err)
{
	const uint8_t *p = buf_at(c, 0, OFP_GROUP_STATS_LEN);
	uint16_t elen;
	size_t n;

	memset(out, 0, sizeof *out);
	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	elen = get_be16(p);
	if (elen < OFP_GROUP_STATS_LEN || elen > c->left ||
	    (elen - OFP_GROUP_STATS_LEN) % OFP_BUCKET_COUNTER_LEN)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	out->group_id = get_be32(p + 4);
	out->ref_count = get_be32(p + 8);
	out->packet_count = get_be64(p + 16);
	out->byte_count = get_be64(p + 24);
	out->duration_sec = get_be32(p + 32);
	out->duration_nsec = get_be32(p + 36);
	n = (elen - OFP_GROUP_STATS_LEN) / OFP_BUCKET_COUNTER_LEN;
	if (n) {
		out->bucket_stats.items = arena_calloc(a, n, sizeof *out->bucket_stats.items);
		if (!out->bucket_stats.items)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *q = p + OFP_GROUP_STATS_LEN + i * OFP_BUCKET_COUNTER_LEN;

		out->bucket_stats.items[i].packet_count = get_be64(q);
		out->bucket_stats.items[i].byte_count = get_be64(q + 8);
	}
	out->bucket_stats.n = n;
	buf_pull(c, elen);
	return 0;
}

void
ofp_group_stats_encode(const struct ofp_group_stats *in, struct buf *b)
{
	size_t start = b->size;

	buf_put_be16(b, 0);
	buf_put_zeros(b, 2);
	buf_put_be32(b, in->group_id);
	buf_put_be32(b, in->ref_count);
	buf_put_zeros(b, 4);
	buf_put_be64(b, in->packet_count);
	buf_put_be64(b, in->byte_count);
	buf_put_be32(b, in->duration_sec);
	buf_put_be32(b, in->duration_nsec);
	for (size_t i = 0; i < in->bucket_stats.n; i++) {
		buf_put_be64(b, in->bucket_stats.items[i].packet_count);
		buf_put_be64(b, in->bucket_stats.items[i].byte_count);
	}
	buf_set_be16(b, start, (uint16_t)(b->size - start));
}

void
ofp_group_stats_format(const struct ofp_group_stats *in, struct buf *b)
{
	buf_printf(b, " group_id=");
	group_id_format(in->group_id, b);
	buf_printf(b, ",duration=");
	duration_format(in->duration_sec, in->duration_nsec, b);
	buf_printf(b, ",ref_count=%" PRIu32 ",packet_count=%" PRIu64 ",byte_count=%" PRIu64,
		   in->ref_count, in->packet_count, in->byte_count);
	for (size_t i = 0; i < in->bucket_stats.n; i++)
		buf_printf(b, ",bucket%zu:packet_count=%" PRIu64 ",byte_count=%" PRIu64, i,
			   in->bucket_stats.items[i].packet_count,
			   in->bucket_stats.items[i].byte_count);
}

/* ---- OFPMP_GROUP_DESC ---- */

int
ofp_group_desc_decode(struct buf_cursor *c, struct arena *a, struct ofp_group_desc *out,
		      struct ofp_err *err)
{
	const uint8_t *p = buf_at(c, 0, OFP_GROUP_DESC_LEN);
	uint16_t elen;
	int ret;

	memset(out, 0, sizeof *out);
	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	elen = get_be16(p);
	if (elen < OFP_GROUP_DESC_LEN || elen > c->left)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	out->type = p[2];
	out->group_id = get_be32(p + 4);
	ret = buckets_decode(p + OFP_GROUP_DESC_LEN, elen - OFP_GROUP_DESC_LEN, out->type,
			     OFP_ACTIONS_KEEP_EXPERIMENTER, a, &out->buckets, err);
	if (ret)
		return ret;
	buf_pull(c, elen);
	return 0;
}

void
ofp_group_desc_encode(const struct ofp_group_desc *in, struct buf *b)
{
	size_t start = b->size;

	buf_put_be16(b, 0);
	buf_put_u8(b, in->type);
	buf_put_u8(b, 0);
	buf_put_be32(b, in->group_id);
	ofp_buckets_encode(&in->buckets, b);
	buf_set_be16(b, start, (uint16_t)(b->size - start));
}

void
ofp_group_desc_format(const struct ofp_group_desc *in, struct buf *b)
{
	buf_printf(b, " group_id=");
	group_id_format(in->group_id, b);
	buf_printf(b, ",type=");
	group_type_format(in->type, b);
	ofp_buckets_format(&in->buckets, in->type, b);
}

/* ---- OFPMP_GROUP_FEATURES ---- */

int
ofp_group_features_decode(struct buf_cursor *c, struct arena *a, struct ofp_group_features *out,
			  struct ofp_err *err)
{
	const uint8_t *p = buf_pull(c, OFP_GROUP_FEATURES_LEN);

	(void)a;
	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	out->types = get_be32(p);
	out->capabilities = get_be32(p + 4);
	for (int i = 0; i < 4; i++) {
		out->max_groups[i] = get_be32(p + 8 + 4 * i);
		out->actions[i] = get_be32(p + 24 + 4 * i);
	}
	return 0;
}

void
ofp_group_features_encode(const struct ofp_group_features *in, struct buf *b)
{
	buf_put_be32(b, in->types);
	buf_put_be32(b, in->capabilities);
	for (int i = 0; i < 4; i++)
		buf_put_be32(b, in->max_groups[i]);
	for (int i = 0; i < 4; i++)
		buf_put_be32(b, in->actions[i]);
}

void
ofp_group_features_format(const struct ofp_group_features *in, struct buf *b)
{
	static const char *const long_type_names[] = { "all", "select", "indirect",
						       "fast_failover" };

	buf_printf(b, " Group table:\n    Types: ");
	for (int i = 0; i < 4; i++)
		if (in->types & (1u << i))
			buf_printf(b, " %s", long_type_names[i]);
	buf_printf(b, "\n    Capabilities: ");
	for (size_t i = 0; i < ARRAY_SIZE(group_capability_names); i++)
		if (in->capabilities & (1u << i))
			buf_printf(b, " %s", group_capability_names[i]);
	buf_printf(b, "\n");
	for (int i = 0; i < 4; i++) {
		if (!(in->types & (1u << i)))
			continue;
		buf_printf(b, "    %s group:\n       max_groups=%#" PRIx32 "\n       actions:",
			   long_type_names[i], in->max_groups[i]);
		for (size_t t = 0; t < ARRAY_SIZE(action_names); t++)
			if (action_names[t] && (in->actions[i] & (1u << t)))
				buf_printf(b, " %s", action_names[t]);
		buf_printf(b, "\n");
	}
}
