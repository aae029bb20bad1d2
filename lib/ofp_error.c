/* OpenFlow error names from the X-macro table in ofp_error.h, and the OFPT_ERROR
 * message codec beside them (see ofp_error.h). Uses buf.h's cursor, arena.h for the
 * copied data and ofp_msg.h for framing and message type names. */
#include "ofp_error.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "ofp_bundle.h"
#include "ofp_msg.h"
#include "util.h"

struct error_type_name {
	uint16_t type;
	const char *name;
	const char *prefix;
};

static const struct error_type_name type_names[] = {
#define OFP_ERROR_TYPE_ROW(NAME, VALUE, PREFIX) { VALUE, #NAME, #PREFIX },
	OFP_ERROR_TYPES(OFP_ERROR_TYPE_ROW)
#undef OFP_ERROR_TYPE_ROW
};

struct error_code_name {
	uint16_t type;
	uint16_t code;
	const char *name;
};

static const struct error_code_name code_names[] = {
#define OFP_ERROR_CODE_ROW(TYPE, PREFIX, NAME, VALUE) { OFPET_##TYPE, VALUE, #NAME },
	OFP_ERROR_CODES(OFP_ERROR_CODE_ROW)
#undef OFP_ERROR_CODE_ROW
};

static const struct error_type_name *
find_type(uint16_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
		if (type_names[i].type == type)
			return &type_names[i];
	return NULL;
}

const char *
ofp_error_type_name(uint16_t type)
{
	const struct error_type_name *t = find_type(type);

	return t ? t->name : NULL;
}

const char *
ofp_error_code_name(uint16_t type, uint16_t code)
{
	for (size_t i = 0; i < ARRAY_SIZE(code_names); i++)
		if (code_names[i].type == type && code_names[i].code == code)
			return code_names[i].name;
	return NULL;
}

void
ofp_error_format(const struct ofp_err *err, struct buf *b)
{
	const struct error_type_name *t = find_type(err->type);
	const char *code = ofp_error_code_name(err->type, err->code);

	if (t)
		buf_printf(b, "OFPET_%s", t->name);
	else
		buf_printf(b, "type(%u)", err->type);
	if (t && code)
		buf_printf(b, "/%s_%s", t->prefix, code);
	else if (err->type == OFPET_EXPERIMENTER && ofp_bundle_err_name(err->code))
		buf_printf(b, "/OFPBFC_%s", ofp_bundle_err_name(err->code)); /* ONF's, bundles */
	else
		buf_printf(b, "/code(%u)", err->code);
}

int
ofp_error_from_names(const char *type, const char *code, struct ofp_err *err)
{
	const struct error_type_name *t = NULL;
	size_t plen;

	if (!strncasecmp(type, "OFPET_", 6))
		type += 6;
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
		if (!strcasecmp(type_names[i].name, type))
			t = &type_names[i];
	if (!t)
		return -ENOENT;
	plen = strlen(t->prefix);
	if (!strncasecmp(code, t->prefix, plen) && code[plen] == '_')
		code += plen + 1;
	for (size_t i = 0; i < ARRAY_SIZE(code_names); i++) {
		if (code_names[i].type == t->type && !strcasecmp(code_names[i].name, code)) {
			err->type = t->type;
			err->code = code_names[i].code;
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- OFPT_ERROR message ------------------------------------------------------------------ */

int
ofp_error_msg_decode(const void *msg, size_t len, struct arena *a, struct ofp_error_msg *out,
		     struct ofp_err *err)
{
	struct buf_cursor c =
		buf_cursor((const uint8_t *)msg + OFP_HEADER_LEN, len - OFP_HEADER_LEN);

	memset(out, 0, sizeof *out);
	if (!buf_pull_be16(&c, &out->type) || !buf_pull_be16(&c, &out->code))
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	if (out->type == OFPET_EXPERIMENTER && !buf_pull_be32(&c, &out->experimenter))
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	out->data.len = c.left;
	if (!c.left)
		return 0;
	out->data.data = arena_memdup(a, c.p, c.left);
	return out->data.data ? 0 : -ENOMEM;
}

int
ofp_error_msg_encode(const struct ofp_error_msg *in, uint32_t xid, struct buf *b)
{
	size_t start = ofp_msg_start(b, OFPT_ERROR, xid);

	buf_put_be16(b, in->type);
	buf_put_be16(b, in->code);
	if (in->type == OFPET_EXPERIMENTER)
		buf_put_be32(b, in->experimenter);
	buf_put(b, in->data.data, in->data.len);
	return ofp_msg_finish(b, start);
}

/* "OF1.3" for wire version 4. */
static void
version_format(uint8_t version, struct buf *b)
{
	if (version >= 1 && version <= 9)
		buf_printf(b, "OF1.%u", version - 1);
	else
		buf_printf(b, "OF 0x%02x", version);
}

void
ofp_error_msg_format(const struct ofp_error_msg *in, struct buf *b)
{
	const struct error_type_name *t = find_type(in->type);
	const char *code = ofp_error_code_name(in->type, in->code);
	struct ofp_header_info h;
	const char *name;

	if (in->type == OFPET_EXPERIMENTER && in->experimenter == ONF_EXPERIMENTER_ID &&
	    ofp_bundle_err_name(in->code))
		buf_printf(b, "OFPBFC_%s", ofp_bundle_err_name(in->code));
	else if (in->type == OFPET_EXPERIMENTER)
		buf_printf(b, "OFPET_EXPERIMENTER experimenter=0x%08" PRIx32 " exp_type=%u",
			   in->experimenter, in->code);
	else if (t && code)
		buf_printf(b, "%s_%s", t->prefix, code);
	else
		ofp_error_format(&(struct ofp_err){ in->type, in->code }, b);
	if (!in->data.len)
		return;
	buf_printf(b, "\n");
	if (in->type == OFPET_HELLO_FAILED) {
		for (size_t i = 0; i < in->data.len; i++) {
			uint8_t ch = in->data.data[i];

			if (isprint(ch))
				buf_printf(b, "%c", ch);
			else
				buf_printf(b, "\\x%02x", ch);
		}
		return;
	}
	if (!ofp_header_peek(in->data.data, in->data.len, &h)) {
		buf_printf(b, "(%zu bytes of a truncated header)", in->data.len);
		return;
	}
	name = ofp_msg_type_name(h.type);
	if (name)
		buf_printf(b, "OFPT_%s (", name);
	else
		buf_printf(b, "type %u (", h.type);
	version_format(h.version, b);
	buf_printf(b, ") (xid=0x%" PRIx32 "): %zu of %u bytes", h.xid, in->data.len, h.length);
}

int
ofp_error_reply(const struct ofp_err *err, const void *offending_msg, size_t len, struct buf *b)
{
	struct ofp_error_msg m = { .type = err->type, .code = err->code };
	struct ofp_header_info h = { 0 };
	char text[160];
	int n;

	if (len && !offending_msg)
		return -EINVAL;
	if (len)
		h.version = *(const uint8_t *)offending_msg;
	ofp_header_peek(offending_msg, len, &h);
	/* The only experimenter errors pfswitch sends are ONF ext 230's (bundles). */
	if (err->type == OFPET_EXPERIMENTER && ofp_bundle_err_name(err->code))
		m.experimenter = ONF_EXPERIMENTER_ID;
	if (err->type != OFPET_HELLO_FAILED) {
		m.data.data = offending_msg;
		m.data.len = PFS_MIN(len, (size_t)OFP_ERROR_REPLY_DATA_MAX);
		return ofp_error_msg_encode(&m, h.xid, b);
	}
	if (err->code == OFPHFC_INCOMPATIBLE)
		n = snprintf(text, sizeof text,
			     "pfswitch speaks OpenFlow 1.3 (wire version 0x%02x) only; the peer's "
			     "hello has version 0x%02x and no common version",
			     OFP13_VERSION, h.version);
	else
		n = snprintf(text, sizeof text, "hello refused: permission denied");
	m.data.data = (const uint8_t *)text;
	m.data.len = (size_t)n;
	return ofp_error_msg_encode(&m, h.xid, b);
}
