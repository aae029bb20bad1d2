/* Meters: OFPT_METER_MOD, meter band lists, and the OFPMP_METER / METER_CONFIG /
 * METER_FEATURES bodies; see ofp_meter.h. */
#include "ofp_meter.h"

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

#define METER_FLAGS_ALL (OFPMF_KBPS | OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS)
#define DSCP_PREC_LEVEL_MAX 63

static const char *const meter_command_names[] = {
	[OFPMC_ADD] = "ADD",
	[OFPMC_MODIFY] = "MOD",
	[OFPMC_DELETE] = "DEL",
};

/* Flag bit i's word, in ovs-ofctl's spelling. */
static const char *const meter_flag_names[] = { "kbps", "pktps", "burst", "stats" };

struct band_type_info {
	uint16_t type;
	const char *name;
	uint16_t len; /* exact wire length; 0 for "at least 16, multiple of 8" */
};

static const struct band_type_info band_types[] = {
	{ OFPMBT_DROP, "drop", OFP_METER_BAND_DROP_LEN },
	{ OFPMBT_DSCP_REMARK, "dscp_remark", OFP_METER_BAND_DSCP_REMARK_LEN },
	{ OFPMBT_EXPERIMENTER, "experimenter", 0 },
};

static const struct band_type_info *
band_type_lookup(uint16_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(band_types); i++)
		if (band_types[i].type == type)
			return &band_types[i];
	return NULL;
}

static void
meter_id_format(uint32_t id, struct buf *b)
{
	if (id == OFPM_ALL)
		buf_printf(b, "all");
	else if (id == OFPM_CONTROLLER)
		buf_printf(b, "controller");
	else if (id == OFPM_SLOWPATH)
		buf_printf(b, "slowpath");
	else
		buf_printf(b, "%" PRIu32, id);
}

void
ofp_meter_flags_format(uint16_t flags, struct buf *b)
{
	for (size_t i = 0; i < ARRAY_SIZE(meter_flag_names); i++)
		if (flags & (1u << i))
			buf_printf(b, " %s", meter_flag_names[i]);
	if (flags & ~METER_FLAGS_ALL)
		buf_printf(b, " 0x%" PRIx16, (uint16_t)(flags & ~METER_FLAGS_ALL));
}

/* Checks one band at p (left bytes available) and returns its length or -EPROTO. */
static int
band_check(const uint8_t *p, size_t left, struct ofp_err *err)
{
	uint16_t type = get_be16(p), blen = get_be16(p + 2);
	const struct band_type_info *t = band_type_lookup(type);

	if (!t)
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND);
	if (blen < OFP_METER_BAND_DROP_LEN || blen > left || (t->len && blen != t->len) || blen % 8)
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND);
	if (!get_be32(p + 4))
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_RATE);
	if (type == OFPMBT_DSCP_REMARK && p[12] > DSCP_PREC_LEVEL_MAX)
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND_VALUE);
	return blen;
}

int
ofp_meter_bands_decode(const void *p, size_t len, struct arena *a, struct ofp_meter_band_list *out,
		       struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(p, len);
	size_t n = 0;

	out->items = NULL;
	out->n = 0;
	while (c.left) {
		const uint8_t *h = buf_at(&c, 0, OFP_METER_BAND_DROP_LEN);
		int blen;

		if (!h)
			return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND);
		blen = band_check(h, c.left, err);
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
		struct ofp_meter_band *bd = &out->items[i];
		uint16_t blen = get_be16((const uint8_t *)c.p + 2);
		const uint8_t *h = buf_pull(&c, blen);

		bd->type = get_be16(h);
		bd->rate = get_be32(h + 4);
		bd->burst_size = get_be32(h + 8);
		if (bd->type == OFPMBT_DSCP_REMARK)
			bd->prec_level = h[12];
		if (bd->type != OFPMBT_EXPERIMENTER)
			continue;
		bd->experimenter = get_be32(h + 12);
		bd->exp_data.len = blen - OFP_METER_BAND_EXPERIMENTER_LEN;
		if (!bd->exp_data.len)
			continue;
		bd->exp_data.data =
			arena_memdup(a, h + OFP_METER_BAND_EXPERIMENTER_LEN, bd->exp_data.len);
		if (!bd->exp_data.data)
			return -ENOMEM;
	}
	out->n = n;
	return 0;
}

void
ofp_meter_bands_encode(const struct ofp_meter_band_list *l, struct buf *b)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct ofp_meter_band *bd = &l->items[i];
		size_t start = b->size;

		buf_put_be16(b, bd->type);
		buf_put_be16(b, 0);
		buf_put_be32(b, bd->rate);
		buf_put_be32(b, bd->burst_size);
		if (bd->type == OFPMBT_DSCP_REMARK) {
			buf_put_u8(b, bd->prec_level);
			buf_put_zeros(b, 3);
		} else if (bd->type == OFPMBT_EXPERIMENTER) {
			buf_put_be32(b, bd->experimenter);
			buf_put(b, bd->exp_data.data, bd->exp_data.len);
			buf_pad_to(b, start, 8);
		} else {
			buf_put_zeros(b, 4);
		}
		buf_set_be16(b, start + 2, (uint16_t)(b->size - start));
	}
}

/* Bands as "type=drop rate=1000 burst_size=100", each preceded by sep. burst_size is
 * printed if the meter has OFPMF_BURST or the value is not zero. */
static void
bands_format(const struct ofp_meter_band_list *l, uint16_t flags, const char *sep, struct buf *b)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct ofp_meter_band *bd = &l->items[i];
		const struct band_type_info *t = band_type_lookup(bd->type);

		buf_printf(b, "%s", i ? sep : "");
		if (t)
			buf_printf(b, "type=%s", t->name);
		else
			buf_printf(b, "type=%" PRIu16, bd->type);
		buf_printf(b, " rate=%" PRIu32, bd->rate);
		if ((flags & OFPMF_BURST) || bd->burst_size)
			buf_printf(b, " burst_size=%" PRIu32, bd->burst_size);
		if (bd->type == OFPMBT_DSCP_REMARK)
			buf_printf(b, " prec_level=%" PRIu8, bd->prec_level);
		if (bd->type == OFPMBT_EXPERIMENTER)
			buf_printf(b, " experimenter=0x%" PRIx32, bd->experimenter);
	}
}

void
ofp_meter_bands_format(const struct ofp_meter_band_list *l, struct buf *b)
{
	bands_format(l, 0, " ", b);
}

static bool
meter_id_valid(uint16_t command, uint32_t id)
{
	if (id == 0)
		return false;
	if (id <= OFPM_MAX || id == OFPM_SLOWPATH || id == OFPM_CONTROLLER)
		return true;
	return id == OFPM_ALL && command == OFPMC_DELETE;
}

int
ofp_meter_mod_decode(const void *msg, size_t len, struct arena *a, struct ofp_meter_mod *out,
		     struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(msg, len);
	const uint8_t *p = buf_pull(&c, OFP_METER_MOD_LEN);

	memset(out, 0, sizeof *out);
	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	out->command = get_be16(p + 8);
	out->flags = get_be16(p + 10);
	out->meter_id = get_be32(p + 12);
	if (out->command > OFPMC_DELETE)
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_COMMAND);
	if ((out->flags & ~METER_FLAGS_ALL) ||
	    ((out->flags & OFPMF_KBPS) && (out->flags & OFPMF_PKTPS)))
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_FLAGS);
	if (!meter_id_valid(out->command, out->meter_id))
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_INVALID_METER);
	return ofp_meter_bands_decode(c.p, c.left, a, &out->bands, err);
}

int
ofp_meter_mod_encode(const struct ofp_meter_mod *in, uint32_t xid, struct buf *b)
{
	size_t start = ofp_msg_start(b, OFPT_METER_MOD, xid);

	buf_put_be16(b, in->command);
	buf_put_be16(b, in->flags);
	buf_put_be32(b, in->meter_id);
	ofp_meter_bands_encode(&in->bands, b);
	return ofp_msg_finish(b, start);
}

void
ofp_meter_mod_format(const struct ofp_meter_mod *in, struct buf *b)
{
	if (in->command < ARRAY_SIZE(meter_command_names))
		buf_printf(b, "%s meter=", meter_command_names[in->command]);
	else
		buf_printf(b, "cmd:%" PRIu16 " meter=", in->command);
	meter_id_format(in->meter_id, b);
	ofp_meter_flags_format(in->flags, b);
	buf_printf(b, " bands=");
	bands_format(&in->bands, in->flags, " ", b);
}

/* ---- ovs-ofctl meter text ---- */

static void
set_err(char *errbuf, size_t errlen, const char *what, const char *tok)
{
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s: %s", what, tok);
}

static bool
is_sep(char ch)
{
	return ch == ',' || ch == ' ' || ch == '\t' || ch == '\n';
}

/* Splits the next token at a comma or white space, NUL-terminated in place. */
static char *
next_token(char **s)
{
	char *p = *s, *tok;

	while (is_sep(*p))
		p++;
	if (!*p) {
		*s = p;
		return NULL;
	}
	tok = p;
	while (*p && !is_sep(*p))
		p++;
	if (*p)
		*p++ = '\0';
	*s = p;
	return tok;
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
parse_meter_id(const char *s, uint32_t *id)
{
	if (s && !strcasecmp(s, "all"))
		*id = OFPM_ALL;
	else if (s && !strcasecmp(s, "controller"))
		*id = OFPM_CONTROLLER;
	else if (s && !strcasecmp(s, "slowpath"))
		*id = OFPM_SLOWPATH;
	else
		return parse_u32(s, UINT32_MAX, id);
	return 0;
}

/* Counts "type" substrings, an upper bound on the bands. */
static size_t
count_bands(const char *s)
{
	size_t n = 0;

	for (const char *p = s; (p = strcasestr(p, "type")) != NULL; p++)
		n++;
	return n;
}

/* Applies one key=value token to the band being parsed. */
static int
parse_band_key(const char *key, const char *value, struct ofp_meter_band *bd)
{
	uint32_t v;

	if (!strcasecmp(key, "rate"))
		return parse_u32(value, UINT32_MAX, &bd->rate);
	if (!strcasecmp(key, "burst_size"))
		return parse_u32(value, UINT32_MAX, &bd->burst_size);
	if (!strcasecmp(key, "experimenter"))
		return parse_u32(value, UINT32_MAX, &bd->experimenter);
	if (!strcasecmp(key, "prec_level")) {
		if (parse_u32(value, UINT8_MAX, &v))
			return -EINVAL;
		bd->prec_level = (uint8_t)v;
		return 0;
	}
	return -EINVAL;
}

static int
parse_band_type(const char *value, uint16_t *type)
{
	for (size_t i = 0; value && i < ARRAY_SIZE(band_types); i++) {
		if (!strcasecmp(value, band_types[i].name)) {
			*type = band_types[i].type;
			return 0;
		}
	}
	return -EINVAL;
}

int
ofp_meter_mod_parse(const char *text, uint16_t command, struct arena *a, struct ofp_meter_mod *out,
		    char *errbuf, size_t errlen)
{
	char *copy = pfs_strdup(text), *s = copy, *tok;
	struct ofp_meter_band *bd = NULL;
	bool have_id = false, in_bands = false;
	size_t max_bands;
	int ret = 0;

	memset(out, 0, sizeof *out);
	out->command = command;
	out->meter_id = OFPM_ALL;
	if (!copy)
		return -ENOMEM;
	max_bands = count_bands(copy);
	if (max_bands) {
		out->bands.items = arena_calloc(a, max_bands, sizeof *out->bands.items);
		if (!out->bands.items) {
			ret = -ENOMEM;
			goto out;
		}
	}
	while ((tok = next_token(&s)) != NULL) {
		char *key = tok, *value = NULL;
		size_t n = strcspn(tok, "=:");

		if (tok[n]) {
			tok[n] = '\0';
			value = tok + n + 1;
		}
		if (!strcasecmp(key, "bands")) {
			in_bands = true;
			if (!value || !*value)
				continue;
			/* "bands=type=drop": the value is the first band's token. */
			key = value;
			n = strcspn(key, "=:");
			value = NULL;
			if (key[n]) {
				key[n] = '\0';
				value = key + n + 1;
			}
		}
		if (in_bands && !strcasecmp(key, "type")) {
			bd = &out->bands.items[out->bands.n++];
			if (parse_band_type(value, &bd->type))
				goto bad;
			continue;
		}
		if (in_bands && bd) {
			if (parse_band_key(key, value, bd))
				goto bad;
			continue;
		}
		if (in_bands)
			goto bad;
		if (!strcasecmp(key, "meter") || !strcasecmp(key, "meter_id")) {
			if (parse_meter_id(value, &out->meter_id))
				goto bad;
			have_id = true;
			continue;
		}
		for (size_t i = 0; !value && i < ARRAY_SIZE(meter_flag_names); i++) {
			if (!strcasecmp(key, meter_flag_names[i])) {
				out->flags |= (uint16_t)(1u << i);
				goto next;
			}
		}
		goto bad;
next:
		continue;
bad:
		set_err(errbuf, errlen, "bad meter parameter", key);
		ret = -EINVAL;
		goto out;
	}
	if (command != OFPMC_DELETE && !have_id) {
		set_err(errbuf, errlen, "missing", "meter");
		ret = -EINVAL;
	}
out:
	free(copy);
	return ret;
}

/* ---- OFPMP_METER / OFPMP_METER_CONFIG request ---- */

int
ofp_meter_multipart_request_decode(struct buf_cursor *c, struct arena *a,
				   struct ofp_meter_multipart_request *out, struct ofp_err *err)
{
	const uint8_t *p = buf_pull(c, OFP_METER_MULTIPART_REQUEST_LEN);

	(void)a;
	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	out->meter_id = get_be32(p);
	return 0;
}

void
ofp_meter_multipart_request_encode(const struct ofp_meter_multipart_request *in, struct buf *b)
{
	buf_put_be32(b, in->meter_id);
	buf_put_zeros(b, 4);
}

void
ofp_meter_multipart_request_format(const struct ofp_meter_multipart_request *in, struct buf *b)
{
	buf_printf(b, "meter=");
	meter_id_format(in->meter_id, b);
}

/* ---- OFPMP_METER reply entry ---- */

/* ovs-ofctl's duration: seconds, then nanoseconds without trailing zeros. */
static void
duration_format(uint32_t sec, uint32_t nsec, struct buf *b)
{
	char frac[16];
	size_t n;

	buf_printf(b, "%" PRIu32, sec);
	if (nsec) {
		snprintf(frac, sizeof frac, "%09" PRIu32, nsec % 1000000000u);
		for (n = strlen(frac); n > 1 && frac[n - 1] == '0'; n--)
			frac[n - 1] = '\0';
		buf_printf(b, ".%s", frac);
	}
	buf_printf(b, "s");
}

int
ofp_meter_stats_decode(struct buf_cursor *c, struct arena *a, struct ofp_meter_stats *out,
		       struct ofp_err *err)
{
	const uint8_t *p = buf_at(c, 0, OFP_METER_STATS_LEN);
	uint16_t elen;
	size_t n;

	memset(out, 0, sizeof *out);
	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	elen = get_be16(p + 4);
	if (elen < OFP_METER_STATS_LEN || elen > c->left ||
	    (elen - OFP_METER_STATS_LEN) % OFP_METER_BAND_STATS_LEN)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	out->meter_id = get_be32(p);
	out->flow_count = get_be32(p + 12);
	out->packet_in_count = get_be64(p + 16);
	out->byte_in_count = get_be64(p + 24);
	out->duration_sec = get_be32(p + 32);
	out->duration_nsec = get_be32(p + 36);
	n = (elen - OFP_METER_STATS_LEN) / OFP_METER_BAND_STATS_LEN;
	if (n) {
		out->band_stats.items = arena_calloc(a, n, sizeof *out->band_stats.items);
		if (!out->band_stats.items)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *q = p + OFP_METER_STATS_LEN + i * OFP_METER_BAND_STATS_LEN;

		out->band_stats.items[i].packet_band_count = get_be64(q);
		out->band_stats.items[i].byte_band_count = get_be64(q + 8);
	}
	out->band_stats.n = n;
	buf_pull(c, elen);
	return 0;
}

void
ofp_meter_stats_encode(const struct ofp_meter_stats *in, struct buf *b)
{
	size_t start = b->size;

	buf_put_be32(b, in->meter_id);
	buf_put_be16(b, 0);
	buf_put_zeros(b, 6);
	buf_put_be32(b, in->flow_count);
	buf_put_be64(b, in->packet_in_count);
	buf_put_be64(b, in->byte_in_count);
	buf_put_be32(b, in->duration_sec);
	buf_put_be32(b, in->duration_nsec);
	for (size_t i = 0; i < in->band_stats.n; i++) {
		buf_put_be64(b, in->band_stats.items[i].packet_band_count);
		buf_put_be64(b, in->band_stats.items[i].byte_band_count);
	}
	buf_set_be16(b, start + 4, (uint16_t)(b->size - start));
}

void
ofp_meter_stats_format(const struct ofp_meter_stats *in, struct buf *b)
{
	buf_printf(b, "meter:");
	meter_id_format(in->meter_id, b);
	buf_printf(b,
		   " flow_count:%" PRIu32 " packet_in_count:%" PRIu64 " byte_in_count:%" PRIu64
		   " duration:",
		   in->flow_count, in->packet_in_count, in->byte_in_count);
	duration_format(in->duration_sec, in->duration_nsec, b);
	buf_printf(b, " bands:");
	for (size_t i = 0; i < in->band_stats.n; i++)
		buf_printf(b, "\n%zu: packet_count:%" PRIu64 " byte_count:%" PRIu64, i,
			   in->band_stats.items[i].packet_band_count,
			   in->band_stats.items[i].byte_band_count);
}

/* ---- OFPMP_METER_CONFIG reply entry ---- */

int
ofp_meter_config_decode(struct buf_cursor *c, struct arena *a, struct ofp_meter_config *out,
			struct ofp_err *err)
{
	const uint8_t *p = buf_at(c, 0, OFP_METER_CONFIG_LEN);
	uint16_t elen;
	int ret;

	memset(out, 0, sizeof *out);
	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	elen = get_be16(p);
	if (elen < OFP_METER_CONFIG_LEN || elen > c->left)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	out->flags = get_be16(p + 2);
	out->meter_id = get_be32(p + 4);
	ret = ofp_meter_bands_decode(p + OFP_METER_CONFIG_LEN, elen - OFP_METER_CONFIG_LEN, a,
				     &out->bands, err);
	if (ret)
		return ret;
	buf_pull(c, elen);
	return 0;
}

void
ofp_meter_config_encode(const struct ofp_meter_config *in, struct buf *b)
{
	size_t start = b->size;

	buf_put_be16(b, 0);
	buf_put_be16(b, in->flags);
	buf_put_be32(b, in->meter_id);
	ofp_meter_bands_encode(&in->bands, b);
	buf_set_be16(b, start, (uint16_t)(b->size - start));
}

void
ofp_meter_config_format(const struct ofp_meter_config *in, struct buf *b)
{
	buf_printf(b, "meter=");
	meter_id_format(in->meter_id, b);
	ofp_meter_flags_format(in->flags, b);
	buf_printf(b, " bands=\n");
	bands_format(&in->bands, in->flags, "\n", b);
}

/* ---- OFPMP_METER_FEATURES ---- */

int
ofp_meter_features_decode(struct buf_cursor *c, struct arena *a, struct ofp_meter_features *out,
			  struct ofp_err *err)
{
	const uint8_t *p = buf_pull(c, OFP_METER_FEATURES_LEN);

	(void)a;
	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	out->max_meter = get_be32(p);
	out->band_types = get_be32(p + 4);
	out->capabilities = get_be32(p + 8);
	out->max_bands = p[12];
	out->max_color = p[13];
	return 0;
}

void
ofp_meter_features_encode(const struct ofp_meter_features *in, struct buf *b)
{
	buf_put_be32(b, in->max_meter);
	buf_put_be32(b, in->band_types);
	buf_put_be32(b, in->capabilities);
	buf_put_u8(b, in->max_bands);
	buf_put_u8(b, in->max_color);
	buf_put_zeros(b, 2);
}

void
ofp_meter_features_format(const struct ofp_meter_features *in, struct buf *b)
{
	buf_printf(b, "max_meter:%" PRIu32 " max_bands:%" PRIu8 " max_color:%" PRIu8 "\n",
		   in->max_meter, in->max_bands, in->max_color);
	buf_printf(b, "band_types:");
	for (size_t i = 0; i < ARRAY_SIZE(band_types); i++)
		if (band_types[i].type < 32 && (in->band_types & (1u << band_types[i].type)))
			buf_printf(b, " %s", band_types[i].name);
	buf_printf(b, "\ncapabilities:");
	ofp_meter_flags_format((uint16_t)in->capabilities, b);
}
