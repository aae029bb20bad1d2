/* OpenFlow error names from the X-macro table in ofp_error.h. The OFPT_ERROR message
 * codec lives beside them (see ofp_error.h). */
#include "ofp_error.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
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
