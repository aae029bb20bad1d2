/* OpenFlow 1.3 instructions (spec 7.2.4): wire decode with validation, encode, the
 * check of their action lists against a match, and ovs-ofctl text; see
 * ofp_instruction.h. Action lists inside go through lib/ofp_action.c. */
#include "ofp_instruction.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "util.h"

struct inst_type {
	const char *text; /* ovs-ofctl keyword */
	uint16_t len;	  /* fixed wire length; 0 for variable */
	uint8_t rank;	  /* position in text (and parsed wire) order */
};

static const struct inst_type inst_types[OFPIT_METER + 1] = {
	[OFPIT_GOTO_TABLE] = { "goto_table", OFP_INSTRUCTION_GOTO_TABLE_LEN, 5 },
	[OFPIT_WRITE_METADATA] = { "write_metadata", OFP_INSTRUCTION_WRITE_METADATA_LEN, 4 },
	[OFPIT_WRITE_ACTIONS] = { "write_actions", 0, 3 },
	[OFPIT_APPLY_ACTIONS] = { "apply_actions", 0, 1 },
	[OFPIT_CLEAR_ACTIONS] = { "clear_actions", OFP_INSTRUCTION_ACTIONS_LEN, 2 },
	[OFPIT_METER] = { "meter", OFP_INSTRUCTION_METER_LEN, 0 },
};

static const struct inst_type experimenter_inst = { "experimenter_inst", 0, 6 };

#define N_RANKS 7

static const struct inst_type *
inst_info(uint16_t type)
{
	if (type == OFPIT_EXPERIMENTER)
		return &experimenter_inst;
	if (type < ARRAY_SIZE(inst_types) && inst_types[type].text)
		return &inst_types[type];
	return NULL;
}

/* Walks the instruction headers: each at least 8 bytes, a multiple of 8, inside len. */
static int
count_insts(const uint8_t *p, size_t len, size_t *n, struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(p, len);

	*n = 0;
	while (c.left) {
		const uint8_t *h = buf_at(&c, 0, OFP_INSTRUCTION_HEADER_LEN);
		uint16_t ilen = h ? get_be16(h + 2) : 0;

		if (!h || ilen < 8 || ilen % 8 || !buf_pull(&c, ilen))
			return ofp_err_set(err, OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
		(*n)++;
	}
	return 0;
}

/* Decodes one instruction of len bytes at p; *seen collects the types met so far. */
static int
inst_decode(const uint8_t *p, size_t len, unsigned opts, uint32_t *seen, struct arena *a,
	    struct ofp_instruction *in, struct ofp_err *err)
{
	uint16_t type = get_be16(p);
	const struct inst_type *t = inst_info(type);

	if (!t)
		return ofp_err_set(err, OFPET_BAD_INSTRUCTION, OFPBIC_UNKNOWN_INST);
	if (t->len && len != t->len)
		return ofp_err_set(err, OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
	if (type == OFPIT_EXPERIMENTER && !(opts & OFP_ACTIONS_KEEP_EXPERIMENTER))
		return ofp_err_set(err, OFPET_BAD_INSTRUCTION, OFPBIC_BAD_EXPERIMENTER);
	if (type != OFPIT_EXPERIMENTER && (*seen >> type) & 1)
		return ofp_err_set(err, OFPET_BAD_INSTRUCTION, OFPBIC_DUP_INST);
	*seen |= 1u << (type & 31);
	in->type = type;
	switch (type) {
	case OFPIT_GOTO_TABLE:
		in->table_id = p[4];
		if (in->table_id > OFPTT_MAX)
			return ofp_err_set(err, OFPET_BAD_INSTRUCTION, OFPBIC_BAD_TABLE_ID);
		return 0;
	case OFPIT_WRITE_METADATA:
		in->write_metadata.metadata = get_be64(p + 8);
		in->write_metadata.mask = get_be64(p + 16);
		return 0;
	case OFPIT_WRITE_ACTIONS:
	case OFPIT_APPLY_ACTIONS:
		return ofp_actions_decode_opts(p + 8, len - 8, opts, a, &in->actions, err);
	case OFPIT_METER:
		in->meter_id = get_be32(p + 4);
		return 0;
	case OFPIT_EXPERIMENTER:
		in->experimenter.experimenter = get_be32(p + 4);
		in->experimenter.len = (uint16_t)(len - 8);
		if (len > 8) {
			in->experimenter.data = arena_memdup(a, p + 8, len - 8);
			if (!in->experimenter.data)
				return -ENOMEM;
		}
		return 0;
	default: /* CLEAR_ACTIONS: nothing but its fixed 8 bytes */
		return 0;
	}
}

int
ofp_instructions_decode_opts(const void *p, size_t len, unsigned opts, struct arena *a,
			     struct ofp_instruction_list *out, struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(p, len);
	uint32_t seen = 0;
	size_t n;
	int r;

	out->insts = NULL;
	out->n = 0;
	r = count_insts(p, len, &n, err);
	if (r || !n)
		return r;
	out->insts = arena_calloc(a, n, sizeof *out->insts);
	if (!out->insts)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint16_t ilen = get_be16((const uint8_t *)buf_at(&c, 0, 4) + 2);

		r = inst_decode(buf_pull(&c, ilen), ilen, opts, &seen, a, &out->insts[i], err);
		if (r)
			return r;
	}
	out->n = n;
	return 0;
}

int
ofp_instructions_decode(const void *p, size_t len, struct arena *a,
			struct ofp_instruction_list *out, struct ofp_err *err)
{
	return ofp_instructions_decode_opts(p, len, 0, a, out, err);
}

static void
inst_encode(const struct ofp_instruction *in, struct buf *b)
{
	size_t start = b->size;

	buf_put_be16(b, in->type);
	buf_put_be16(b, 0); /* patched below */
	switch (in->type) {
	case OFPIT_GOTO_TABLE:
		buf_put_u8(b, in->table_id);
		buf_put_zeros(b, 3);
		break;
	case OFPIT_WRITE_METADATA:
		buf_put_zeros(b, 4);
		buf_put_be64(b, in->write_metadata.metadata);
		buf_put_be64(b, in->write_metadata.mask);
		break;
	case OFPIT_WRITE_ACTIONS:
	case OFPIT_APPLY_ACTIONS:
		buf_put_zeros(b, 4);
		ofp_actions_encode(&in->actions, b);
		break;
	case OFPIT_METER:
		buf_put_be32(b, in->meter_id);
		break;
	case OFPIT_EXPERIMENTER:
		buf_put_be32(b, in->experimenter.experimenter);
		if (in->experimenter.len)
			buf_put(b, in->experimenter.data, in->experimenter.len);
		buf_pad_to(b, start, 8);
		break;
	default: /* CLEAR_ACTIONS */
		buf_put_zeros(b, 4);
		break;
	}
	buf_set_be16(b, start + 2, (uint16_t)(b->size - start));
}

void
ofp_instructions_encode(const struct ofp_instruction_list *l, struct buf *b)
{
	for (size_t i = 0; i < l->n; i++)
		inst_encode(&l->insts[i], b);
}

const struct ofp_instruction *
ofp_instructions_find(const struct ofp_instruction_list *l, uint16_t type)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->insts[i].type == type)
			return &l->insts[i];
	return NULL;
}

static bool
inst_equal(const struct ofp_instruction *x, const struct ofp_instruction *y)
{
	if (x->type != y->type)
		return false;
	switch (x->type) {
	case OFPIT_GOTO_TABLE:
		return x->table_id == y->table_id;
	case OFPIT_WRITE_METADATA:
		return x->write_metadata.metadata == y->write_metadata.metadata &&
		       x->write_metadata.mask == y->write_metadata.mask;
	case OFPIT_WRITE_ACTIONS:
	case OFPIT_APPLY_ACTIONS:
		return ofp_actions_equal(&x->actions, &y->actions);
	case OFPIT_METER:
		return x->meter_id == y->meter_id;
	case OFPIT_EXPERIMENTER:
		return x->experimenter.experimenter == y->experimenter.experimenter &&
		       x->experimenter.len == y->experimenter.len &&
		       (!x->experimenter.len ||
			!memcmp(x->experimenter.data, y->experimenter.data, x->experimenter.len));
	default:
		return true;
	}
}

bool
ofp_instructions_equal(const struct ofp_instruction_list *a, const struct ofp_instruction_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!inst_equal(&a->insts[i], &b->insts[i]))
			return false;
	return true;
}

int
ofp_instructions_check(const struct ofp_instruction_list *l, const struct ofp_match *m,
		       struct ofp_err *err)
{
	const struct ofp_instruction *apply = ofp_instructions_find(l, OFPIT_APPLY_ACTIONS);
	const struct ofp_instruction *write = ofp_instructions_find(l, OFPIT_WRITE_ACTIONS);
	struct ofp_action_hdrs h;
	int r;

	/* Apply-actions run first and change the packet the action set then sees. */
	ofp_action_hdrs_init(&h, m);
	if (apply) {
		r = ofp_actions_check_hdrs(&apply->actions, false, &h, err);
		if (r)
			return r;
	}
	return write ? ofp_actions_check_hdrs(&write->actions, true, &h, err) : 0;
}

/* ---- Text. ---- */

static void
inst_format(const struct ofp_instruction *in, struct buf *b)
{
	switch (in->type) {
	case OFPIT_GOTO_TABLE:
		buf_printf(b, "goto_table:%u", in->table_id);
		break;
	case OFPIT_WRITE_METADATA:
		buf_printf(b, "write_metadata:%#" PRIx64, in->write_metadata.metadata);
		if (in->write_metadata.mask != UINT64_MAX)
			buf_printf(b, "/%#" PRIx64, in->write_metadata.mask);
		break;
	case OFPIT_WRITE_ACTIONS:
		buf_printf(b, "write_actions(");
		ofp_actions_format(&in->actions, b);
		buf_printf(b, ")");
		break;
	case OFPIT_APPLY_ACTIONS:
		ofp_actions_format(&in->actions, b);
		break;
	case OFPIT_CLEAR_ACTIONS:
		buf_printf(b, "clear_actions");
		break;
	case OFPIT_METER:
		buf_printf(b, "meter:%" PRIu32, in->meter_id);
		break;
	case OFPIT_EXPERIMENTER:
		buf_printf(b, "experimenter_inst(%#" PRIx32 ",", in->experimenter.experimenter);
		for (size_t i = 0; i < in->experimenter.len; i++)
			buf_printf(b, "%02x", in->experimenter.data[i]);
		buf_printf(b, ")");
		break;
	default:
		buf_printf(b, "unknown_instruction(%#x)", in->type);
		break;
	}
}

void
ofp_instructions_format(const struct ofp_instruction_list *l, struct buf *b)
{
	bool any = false;

	for (unsigned rank = 0; rank < N_RANKS; rank++) {
		for (size_t i = 0; i < l->n; i++) {
			const struct ofp_instruction *in = &l->insts[i];
			const struct inst_type *t = inst_info(in->type);

			if ((t ? t->rank : N_RANKS - 1) != rank)
				continue;
			/* An empty apply_actions says nothing next to other instructions. */
			if (in->type == OFPIT_APPLY_ACTIONS && !in->actions.n)
				continue;
			if (any)
				buf_printf(b, ",");
			inst_format(in, b);
			any = true;
		}
	}
	if (!any)
		buf_printf(b, "drop");
}

static int
fail(char *errbuf, size_t errlen, const char *token, const char *reason)
{
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s: %s", token, reason);
	return -EINVAL;
}

/* Copies token t into out (size n >= 1), cut to fit, for error messages. */
static void
copy_token(char *out, size_t n, const char *t)
{
	size_t len = PFS_MIN(strlen(t), n - 1);

	memcpy(out, t, len);
	out[len] = '\0';
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Splits s at top-level commas in place (pieces separated by NULs); the number of
 * pieces, or -1 for unbalanced parentheses. */
static int
split_commas(char *s)
{
	int depth = 0, n = 1;

	for (; *s; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')' && --depth < 0)
			return -1;
		else if (*s == ',' && !depth) {
			*s = '\0';
			n++;
		}
	}
	return depth ? -1 : n;
}

static int
parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end || *v > max ? -EINVAL : 0;
}

/* If tok is "word(...)", returns the text inside the parentheses (NUL-terminated in
 * place); NULL otherwise. */
static char *
paren_arg(char *tok, const char *word)
{
	size_t n = strlen(word), len = strlen(tok);

	if (strncmp(tok, word, n) || tok[n] != '(' || tok[len - 1] != ')')
		return NULL;
	tok[len - 1] = '\0';
	return tok + n + 1;
}

/* Parses one instruction token other than a bare action into in. 1 if tok is not an
 * instruction keyword, 0 on success, or a negative errno. */
static int
parse_inst(char *tok, struct arena *a, struct ofp_instruction *in, char *errbuf, size_t errlen)
{
	char msg[80];
	uint64_t v, m = UINT64_MAX;
	char *arg, *slash;

	copy_token(msg, sizeof msg, tok);
	if (!strcmp(tok, "clear_actions")) {
		in->type = OFPIT_CLEAR_ACTIONS;
		return 0;
	}
	if (!strncmp(tok, "meter:", 6)) {
		in->type = OFPIT_METER;
		if (parse_u64(tok + 6, UINT32_MAX, &v))
			return fail(errbuf, errlen, msg, "bad meter id");
		in->meter_id = (uint32_t)v;
		return 0;
	}
	if (!strncmp(tok, "goto_table:", 11)) {
		in->type = OFPIT_GOTO_TABLE;
		if (parse_u64(tok + 11, OFPTT_MAX, &v))
			return fail(errbuf, errlen, msg, "bad table id");
		in->table_id = (uint8_t)v;
		return 0;
	}
	if (!strncmp(tok, "write_metadata:", 15)) {
		in->type = OFPIT_WRITE_METADATA;
		slash = strchr(tok, '/');
		if (slash)
			*slash = '\0';
		if (parse_u64(tok + 15, UINT64_MAX, &v) ||
		    (slash && parse_u64(slash + 1, UINT64_MAX, &m)))
			return fail(errbuf, errlen, msg, "bad metadata");
		in->write_metadata.metadata = v;
		in->write_metadata.mask = m;
		return 0;
	}
	if ((arg = paren_arg(tok, "write_actions")) || (arg = paren_arg(tok, "apply_actions"))) {
		in->type = tok[0] == 'w' ? OFPIT_WRITE_ACTIONS : OFPIT_APPLY_ACTIONS;
		return ofp_actions_parse(arg, a, &in->actions, errbuf, errlen);
	}
	if ((arg = paren_arg(tok, "experimenter_inst"))) {
		struct ofp_action_list l;
		char *text = pfs_malloc(strlen(arg) + 32);
		int r;

		/* Same "ID,HEX" syntax as the experimenter action. */
		if (!text)
			return -ENOMEM;
		snprintf(text, strlen(arg) + 32, "experimenter(%s)", arg);
		r = ofp_actions_parse(text, a, &l, errbuf, errlen);
		free(text);
		if (r)
			return r;
		in->type = OFPIT_EXPERIMENTER;
		in->experimenter.experimenter = l.actions[0].experimenter.experimenter;
		in->experimenter.len = l.actions[0].experimenter.len;
		in->experimenter.data = l.actions[0].experimenter.data;
		return 0;
	}
	return 1;
}

/* Parses into in the instructions of text; *n_out is the count. apply collects bare
 * action tokens, joined with commas. */
static int
parse_all(char *s, int n, struct arena *a, struct ofp_instruction *insts, size_t *n_out,
	  struct buf *apply, bool *have_apply, char *errbuf, size_t errlen)
{
	uint32_t seen = 0;
	size_t k = 0;

	for (int i = 0; i < n; i++) {
		char *next = s + strlen(s) + 1; /* before s is cut up in place */
		char *tok = trim(s);
		int r;

		s = next;
		if (!*tok)
			return fail(errbuf, errlen, "actions", "empty instruction");
		if (!strcasecmp(tok, "drop"))
			return fail(errbuf, errlen, tok, "drop must not be combined with others");
		r = parse_inst(tok, a, &insts[k], errbuf, errlen);
		if (r < 0)
			return r;
		if (r == 1) {
			buf_printf(apply, "%s%s", apply->size ? "," : "", tok);
			*have_apply = true;
			continue;
		}
		if (insts[k].type != OFPIT_EXPERIMENTER && (seen >> insts[k].type) & 1)
			return fail(errbuf, errlen, tok, "instruction given twice");
		seen |= 1u << (insts[k].type & 31);
		k++;
	}
	if (*have_apply && (seen >> OFPIT_APPLY_ACTIONS) & 1)
		return fail(errbuf, errlen, "apply_actions", "given twice (bare actions too)");
	*n_out = k;
	return buf_error(apply);
}

int
ofp_instructions_parse(const char *text, struct arena *a, struct ofp_instruction_list *out,
		       char *errbuf, size_t errlen)
{
	struct buf apply = BUF_INITIALIZER;
	struct ofp_instruction *tmp;
	bool have_apply = false;
	char *s = pfs_strdup(text), *p;
	size_t k = 0;
	int n, r = 0;

	out->insts = NULL;
	out->n = 0;
	if (!s)
		return -ENOMEM;
	p = trim(s);
	if (!*p || !strcasecmp(p, "drop"))
		goto out;
	n = split_commas(p);
	if (n < 0) {
		r = fail(errbuf, errlen, text, "unbalanced parentheses");
		goto out;
	}
	/* One slot per token plus one for the bare actions' apply_actions. */
	tmp = arena_calloc(a, (size_t)n + 1, sizeof *tmp);
	if (!tmp) {
		r = -ENOMEM;
		goto out;
	}
	r = parse_all(p, n, a, tmp, &k, &apply, &have_apply, errbuf, errlen);
	if (r)
		goto out;
	if (have_apply) {
		tmp[k].type = OFPIT_APPLY_ACTIONS;
		r = ofp_actions_parse(buf_cstr(&apply), a, &tmp[k].actions, errbuf, errlen);
		if (r)
			goto out;
		k++;
	}
	/* Build the list in ovs-ofctl's order, which is also the order it sends. */
	out->insts = arena_calloc(a, k ? k : 1, sizeof *out->insts);
	if (!out->insts) {
		r = -ENOMEM;
		goto out;
	}
	for (unsigned rank = 0; rank < N_RANKS; rank++)
		for (size_t i = 0; i < k; i++)
			if (inst_info(tmp[i].type)->rank == rank)
				out->insts[out->n++] = tmp[i];
out:
	buf_uninit(&apply);
	free(s);
	if (r) {
		out->insts = NULL;
		out->n = 0;
	}
	return r;
}
