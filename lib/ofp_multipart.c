/* Multipart framing, the OFPMP_* body table, the splitting writer and the reassembler;
 * see ofp_multipart.h. Bodies are decoded by the entity files through the table. */
#include "ofp_multipart.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_msg.h"
#include "util.h"

#define MP_HEADER_LEN OFP_MULTIPART_REQUEST_LEN /* 16 for requests and replies alike */
#define MP_TYPE_OFS 8
#define MP_FLAGS_OFS 10

/* Uniform entry codecs over the entity files' typed ones. */
struct mp_body_ops {
	size_t size; /* sizeof the decoded entry */
	int (*decode)(struct buf_cursor *c, struct arena *a, void *out, struct ofp_err *err);
	void (*encode)(const void *in, struct buf *b);
	void (*format)(const void *in, struct buf *b);
};

#define MP_OPS(NAME)                                                                               \
	static int NAME##_dec(struct buf_cursor *c, struct arena *a, void *out,                    \
			      struct ofp_err *err)                                                 \
	{                                                                                          \
		return ofp_##NAME##_decode(c, a, out, err);                                        \
	}                                                                                          \
	static void NAME##_enc(const void *in, struct buf *b)                                      \
	{                                                                                          \
		ofp_##NAME##_encode(in, b);                                                        \
	}                                                                                          \
	static void NAME##_fmt(const void *in, struct buf *b)                                      \
	{                                                                                          \
		ofp_##NAME##_format(in, b);                                                        \
	}                                                                                          \
	static const struct mp_body_ops NAME##_ops = { sizeof(struct ofp_##NAME), NAME##_dec,      \
						       NAME##_enc, NAME##_fmt };

MP_OPS(flow_stats_request)
MP_OPS(port_stats_request)
MP_OPS(queue_stats_request)
MP_OPS(group_stats_request)
MP_OPS(meter_multipart_request)
MP_OPS(table_features)
MP_OPS(experimenter_multipart)
MP_OPS(desc)
MP_OPS(flow_stats)
MP_OPS(aggregate_stats_reply)
MP_OPS(table_stats)
MP_OPS(port_stats)
MP_OPS(queue_stats)
MP_OPS(group_stats)
MP_OPS(group_desc)
MP_OPS(group_features)
MP_OPS(meter_stats)
MP_OPS(meter_config)
MP_OPS(meter_features)
MP_OPS(port_desc)

enum body_kind {
	BODY_NONE, /* empty */
	BODY_ONE,  /* exactly one fixed body */
	BODY_LIST, /* zero or more entries */
};

struct mp_body {
	enum body_kind kind;
	const struct mp_body_ops *ops;
};

struct mp_type_info {
	const char *name;     /* OFPMP_ suffix */
	const char *ovs_name; /* as ovs-ofctl prints it after OFPST_ */
	struct mp_body req, rep;
};

#define NONE                                                                                       \
	{                                                                                          \
		BODY_NONE, NULL                                                                    \
	}
#define ONE(N)                                                                                     \
	{                                                                                          \
		BODY_ONE, &N##_ops                                                                 \
	}
#define LIST(N)                                                                                    \
	{                                                                                          \
		BODY_LIST, &N##_ops                                                                \
	}

static const struct mp_type_info mp_types[] = {
	[OFPMP_DESC] = { "DESC", "DESC", NONE, ONE(desc) },
	[OFPMP_FLOW] = { "FLOW", "FLOW", ONE(flow_stats_request), LIST(flow_stats) },
	[OFPMP_AGGREGATE] = { "AGGREGATE", "AGGREGATE", ONE(flow_stats_request),
			      ONE(aggregate_stats_reply) },
	[OFPMP_TABLE] = { "TABLE", "TABLE", NONE, LIST(table_stats) },
	[OFPMP_PORT_STATS] = { "PORT_STATS", "PORT", ONE(port_stats_request), LIST(port_stats) },
	[OFPMP_QUEUE] = { "QUEUE", "QUEUE", ONE(queue_stats_request), LIST(queue_stats) },
	[OFPMP_GROUP] = { "GROUP", "GROUP", ONE(group_stats_request), LIST(group_stats) },
	[OFPMP_GROUP_DESC] = { "GROUP_DESC", "GROUP_DESC", NONE, LIST(group_desc) },
	[OFPMP_GROUP_FEATURES] = { "GROUP_FEATURES", "GROUP_FEATURES", NONE, ONE(group_features) },
	[OFPMP_METER] = { "METER", "METER", ONE(meter_multipart_request), LIST(meter_stats) },
	[OFPMP_METER_CONFIG] = { "METER_CONFIG", "METER_CONFIG", ONE(meter_multipart_request),
				 LIST(meter_config) },
	[OFPMP_METER_FEATURES] = { "METER_FEATURES", "METER_FEATURES", NONE, ONE(meter_features) },
	[OFPMP_TABLE_FEATURES] = { "TABLE_FEATURES", "TABLE_FEATURES", LIST(table_features),
				   LIST(table_features) },
	[OFPMP_PORT_DESC] = { "PORT_DESC", "PORT_DESC", NONE, LIST(port_desc) },
};

static const struct mp_type_info mp_experimenter = { "EXPERIMENTER", "EXPERIMENTER",
						     ONE(experimenter_multipart),
						     ONE(experimenter_multipart) };

static const struct mp_type_info *
mp_lookup(uint16_t type)
{
	if (type == OFPMP_EXPERIMENTER)
		return &mp_experimenter;
	if (type < ARRAY_SIZE(mp_types) && mp_types[type].name)
		return &mp_types[type];
	return NULL;
}

const char *
ofp_multipart_type_name(uint16_t type)
{
	const struct mp_type_info *t = mp_lookup(type);

	return t ? t->name : NULL;
}

int
ofp_multipart_type_from_name(const char *name)
{
	if (!strncasecmp(name, "OFPMP_", 6))
		name += 6;
	if (!strcasecmp(name, mp_experimenter.name))
		return OFPMP_EXPERIMENTER;
	for (size_t i = 0; i < ARRAY_SIZE(mp_types); i++)
		if (mp_types[i].name && !strcasecmp(mp_types[i].name, name))
			return (int)i;
	return -1;
}

/* A list member of the unions, seen generically (same layout as every
 * struct { T *items; size_t n; }). */
struct mp_list {
	void *items;
	size_t n;
};

/* ---- experimenter body ---- */

int
ofp_experimenter_multipart_decode(struct buf_cursor *c, struct arena *a,
				  struct ofp_experimenter_multipart *out, struct ofp_err *err)
{
	const uint8_t *p = buf_pull(c, OFP_EXPERIMENTER_MULTIPART_HEADER_LEN);

	memset(out, 0, sizeof *out);
	if (!p)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	out->experimenter = get_be32(p);
	out->exp_type = get_be32(p + 4);
	out->data.len = c->left;
	if (c->left) {
		out->data.data = arena_memdup(a, buf_pull(c, c->left), out->data.len);
		if (!out->data.data)
			return -ENOMEM;
	}
	return 0;
}

void
ofp_experimenter_multipart_encode(const struct ofp_experimenter_multipart *in, struct buf *b)
{
	buf_put_be32(b, in->experimenter);
	buf_put_be32(b, in->exp_type);
	buf_put(b, in->data.data, in->data.len);
}

void
ofp_experimenter_multipart_format(const struct ofp_experimenter_multipart *in, struct buf *b)
{
	buf_printf(b, " experimenter=0x%08" PRIx32 " exp_type=%" PRIu32 " data_len=%zu",
		   in->experimenter, in->exp_type, in->data.len);
}

/* ---- body decode/encode/format over the table ---- */

/* Appends one decoded entry to a list that grows by doubling inside the arena. */
static void *
list_grow(struct arena *a, struct mp_list *l, size_t *cap, size_t size)
{
	if (l->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *items = arena_calloc(a, ncap, size);

		if (!items)
			return NULL;
		if (l->n)
			memcpy(items, l->items, l->n * size);
		l->items = items;
		*cap = ncap;
	}
	return (uint8_t *)l->items + l->n * size;
}

static int
body_decode(const struct mp_body *body, const void *p, size_t len, struct arena *a, void *dst,
	    struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(p, len);
	struct mp_list l = { NULL, 0 };
	size_t cap = 0;
	int ret = 0;

	switch (body->kind) {
	case BODY_NONE:
		break;
	case BODY_ONE:
		ret = body->ops->decode(&c, a, dst, err);
		break;
	case BODY_LIST:
		while (!ret && c.left) {
			void *e = list_grow(a, &l, &cap, body->ops->size);

			if (!e)
				return -ENOMEM;
			ret = body->ops->decode(&c, a, e, err);
			if (!ret)
				l.n++;
		}
		memcpy(dst, &l, sizeof l);
		break;
	}
	if (ret)
		return ret;
	if (c.left)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	return 0;
}

/* Streams the body's entries through a started writer. */
static int
body_encode(const struct mp_body *body, const void *src, struct ofp_mp_writer *w)
{
	struct mp_list l = { NULL, 0 };
	int ret = 0;

	switch (body->kind) {
	case BODY_NONE:
		break;
	case BODY_ONE:
		l.items = (void *)src;
		l.n = 1;
		break;
	case BODY_LIST:
		memcpy(&l, src, sizeof l);
		break;
	}
	for (size_t i = 0; i < l.n; i++) {
		size_t ofs = ofp_mp_writer_entry_begin(w);
		int r;

		body->ops->encode((const uint8_t *)l.items + i * body->ops->size, w->b);
		r = ofp_mp_writer_entry_end(w, ofs);
		if (r && !ret)
			ret = r;
	}
	return ret;
}

/* Appends entry text after a separator, trimming the entry's own leading and trailing
 * line breaks (and leading blanks when sep is a blank), so every entry of a list starts
 * on its own line. */
static void
entry_format(const struct mp_body_ops *ops, const void *e, const char *sep, struct buf *b)
{
	bool trim_blanks = !strcmp(sep, " ");
	struct buf t = BUF_INITIALIZER;
	const char *s;
	size_t n;

	ops->format(e, &t);
	s = buf_cstr(&t);
	while (*s == '\n' || (trim_blanks && *s == ' '))
		s++;
	n = strlen(s);
	while (n && s[n - 1] == '\n')
		n--;
	buf_printf(b, "%s%.*s", sep, (int)n, s);
	buf_uninit(&t);
}

static void
body_format(const struct mp_body *body, const void *src, const char *sep, struct buf *b)
{
	struct mp_list l = { NULL, 0 };

	switch (body->kind) {
	case BODY_NONE:
		return;
	case BODY_ONE:
		entry_format(body->ops, src, sep, b);
		return;
	case BODY_LIST:
		memcpy(&l, src, sizeof l);
		for (size_t i = 0; i < l.n; i++)
			entry_format(body->ops, (const uint8_t *)l.items + i * body->ops->size, sep,
				     b);
		return;
	}
}

/* ---- requests ---- */

int
ofp_multipart_request_body_decode(uint16_t type, uint16_t flags, const void *body, size_t len,
				  struct arena *a, struct ofp_multipart_request *out,
				  struct ofp_err *err)
{
	const struct mp_type_info *t = mp_lookup(type);

	memset(out, 0, sizeof *out);
	out->type = type;
	out->flags = flags;
	if (!t)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART);
	return body_decode(&t->req, body, len, a, &out->flow, err);
}

int
ofp_multipart_request_decode(const void *msg, size_t len, struct arena *a,
			     struct ofp_multipart_request *out, struct ofp_err *err)
{
	const uint8_t *p = msg;

	if (len < MP_HEADER_LEN) {
		memset(out, 0, sizeof *out);
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	}
	return ofp_multipart_request_body_decode(get_be16(p + MP_TYPE_OFS),
						 get_be16(p + MP_FLAGS_OFS), p + MP_HEADER_LEN,
						 len - MP_HEADER_LEN, a, out, err);
}

int
ofp_multipart_request_encode(const struct ofp_multipart_request *in, uint32_t xid, struct buf *b)
{
	const struct mp_type_info *t = mp_lookup(in->type);
	struct ofp_mp_writer w;
	int ret;

	if (!t)
		return -EINVAL;
	ofp_mp_writer_start_request(&w, b, in->type, xid);
	ofp_mp_writer_set_flags(&w, in->flags);
	ret = body_encode(&t->req, &in->flow, &w);
	if (ret && !w.error)
		w.error = ret;
	return ofp_mp_writer_finish(&w);
}

void
ofp_multipart_request_format(const struct ofp_multipart_request *in, struct buf *b)
{
	const struct mp_type_info *t = mp_lookup(in->type);

	if (!t) {
		buf_printf(b, "OFPST_type(%" PRIu16 ") request", in->type);
		return;
	}
	buf_printf(b, "OFPST_%s request", t->ovs_name);
	if (in->flags)
		buf_printf(b, " flags=0x%" PRIx16, in->flags);
	body_format(&t->req, &in->flow, t->req.kind == BODY_LIST ? "\n" : " ", b);
}

/* ---- replies ---- */

int
ofp_multipart_reply_body_decode(uint16_t type, uint16_t flags, const void *body, size_t len,
				struct arena *a, struct ofp_multipart_reply *out,
				struct ofp_err *err)
{
	const struct mp_type_info *t = mp_lookup(type);

	memset(out, 0, sizeof *out);
	out->type = type;
	out->flags = flags;
	if (!t)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART);
	return body_decode(&t->rep, body, len, a, &out->desc, err);
}

int
ofp_multipart_reply_decode(const void *msg, size_t len, struct arena *a,
			   struct ofp_multipart_reply *out, struct ofp_err *err)
{
	const uint8_t *p = msg;

	if (len < MP_HEADER_LEN) {
		memset(out, 0, sizeof *out);
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	}
	return ofp_multipart_reply_body_decode(get_be16(p + MP_TYPE_OFS),
					       get_be16(p + MP_FLAGS_OFS), p + MP_HEADER_LEN,
					       len - MP_HEADER_LEN, a, out, err);
}

int
ofp_multipart_reply_encode(const struct ofp_multipart_reply *in, uint32_t xid, struct buf *b)
{
	const struct mp_type_info *t = mp_lookup(in->type);
	struct ofp_mp_writer w;
	int ret;

	if (!t)
		return -EINVAL;
	ofp_mp_writer_start(&w, b, in->type, xid);
	ofp_mp_writer_set_flags(&w, in->flags);
	ret = body_encode(&t->rep, &in->desc, &w);
	if (ret && !w.error)
		w.error = ret;
	return ofp_mp_writer_finish(&w);
}

void
ofp_multipart_reply_format(const struct ofp_multipart_reply *in, struct buf *b)
{
	const struct mp_type_info *t = mp_lookup(in->type);

	if (!t) {
		buf_printf(b, "OFPST_type(%" PRIu16 ") reply", in->type);
		return;
	}
	buf_printf(b, "OFPST_%s reply", t->ovs_name);
	if (in->flags & OFPMPF_REPLY_MORE)
		buf_printf(b, " flags=[more]");
	buf_printf(b, ":");
	body_format(&t->rep, &in->desc, "\n", b);
}

size_t
ofp_multipart_reply_count(const struct ofp_multipart_reply *r)
{
	const struct mp_type_info *t = mp_lookup(r->type);
	struct mp_list l;

	if (!t)
		return 0;
	if (t->rep.kind != BODY_LIST)
		return t->rep.kind == BODY_ONE;
	memcpy(&l, &r->desc, sizeof l);
	return l.n;
}

/* ---- splitting writer ---- */

static void
writer_open(struct ofp_mp_writer *w)
{
	w->msg_start = ofp_msg_start(w->b, w->msg_type, w->xid);
	buf_put_be16(w->b, w->type);
	buf_put_be16(w->b, w->flags);
	buf_put_zeros(w->b, 4);
	w->n_msgs++;
}

static void
writer_init(struct ofp_mp_writer *w, struct buf *b, uint8_t msg_type, uint16_t type, uint32_t xid)
{
	memset(w, 0, sizeof *w);
	w->b = b;
	w->start = b->size;
	w->max_len = OFP_MAX_MSG_LEN;
	w->xid = xid;
	w->type = type;
	w->msg_type = msg_type;
	writer_open(w);
}

void
ofp_mp_writer_start(struct ofp_mp_writer *w, struct buf *b, uint16_t type, uint32_t xid)
{
	writer_init(w, b, OFPT_MULTIPART_REPLY, type, xid);
}

void
ofp_mp_writer_start_request(struct ofp_mp_writer *w, struct buf *b, uint16_t type, uint32_t xid)
{
	writer_init(w, b, OFPT_MULTIPART_REQUEST, type, xid);
}

void
ofp_mp_writer_set_flags(struct ofp_mp_writer *w, uint16_t flags)
{
	/* MORE here marks the sequence as a part of a longer one, so its last message
	 * keeps it too (REQ_MORE is the same bit). */
	w->flags = flags;
	buf_set_be16(w->b, w->msg_start + MP_FLAGS_OFS, w->flags);
}

size_t
ofp_mp_writer_entry_begin(struct ofp_mp_writer *w)
{
	return w->b->size;
}

int
ofp_mp_writer_entry_end(struct ofp_mp_writer *w, size_t ofs)
{
	struct buf *b = w->b;
	size_t elen;

	if (!w->error && buf_error(b))
		w->error = buf_error(b);
	if (w->error)
		return w->error;
	if (b->size - w->msg_start <= w->max_len)
		return 0;
	elen = b->size - ofs;
	if (elen > w->max_len - MP_HEADER_LEN) {
		buf_truncate(b, ofs);
		return -EMSGSIZE;
	}
	/* Close the current message before the entry, with the MORE flag... */
	buf_set_be16(b, w->msg_start + 2, (uint16_t)(ofs - w->msg_start));
	buf_set_be16(b, w->msg_start + MP_FLAGS_OFS, w->flags | OFPMPF_REPLY_MORE);
	/* ...and slide the entry up to make room for a new header in front of it. */
	buf_put_zeros(b, MP_HEADER_LEN);
	if (buf_error(b)) {
		w->error = buf_error(b);
		return w->error;
	}
	memmove(b->data + ofs + MP_HEADER_LEN, b->data + ofs, elen);
	b->data[ofs] = OFP13_VERSION;
	b->data[ofs + 1] = w->msg_type;
	put_be16(b->data + ofs + 2, 0);
	put_be32(b->data + ofs + 4, w->xid);
	put_be16(b->data + ofs + MP_TYPE_OFS, w->type);
	memset(b->data + ofs + MP_FLAGS_OFS, 0, MP_HEADER_LEN - MP_FLAGS_OFS);
	put_be16(b->data + ofs + MP_FLAGS_OFS, w->flags);
	w->msg_start = ofs;
	w->n_msgs++;
	return 0;
}

int
ofp_mp_writer_finish(struct ofp_mp_writer *w)
{
	struct buf *b = w->b;

	if (!w->error && buf_error(b))
		w->error = buf_error(b);
	if (w->error) {
		buf_truncate(b, w->start);
		return w->error;
	}
	buf_set_be16(b, w->msg_start + 2, (uint16_t)(b->size - w->msg_start));
	return 0;
}

/* ---- reassembly ---- */

struct ofp_mp_partial {
	struct ofp_mp_partial *next;
	uint32_t xid;
	uint8_t msg_type;
	uint16_t type;
	unsigned n_parts;
	size_t charged; /* bytes counted against max_bytes */
	uint8_t *data;
	size_t len, alloc;
};

static void
partial_free(struct ofp_mp_partial *p)
{
	if (p) {
		free(p->data);
		free(p);
	}
}

void
ofp_mp_assembler_init(struct ofp_multipart_assembler *as, size_t max_bytes, size_t max_pending)
{
	memset(as, 0, sizeof *as);
	as->max_bytes = max_bytes ? max_bytes : OFP_MP_ASSEMBLER_MAX_BYTES_DEFAULT;
	as->max_pending = max_pending ? max_pending : OFP_MP_ASSEMBLER_MAX_PENDING_DEFAULT;
}

void
ofp_mp_assembler_uninit(struct ofp_multipart_assembler *as)
{
	if (!as)
		return;
	while (as->pending) {
		struct ofp_mp_partial *p = as->pending;

		as->pending = p->next;
		partial_free(p);
	}
	as->n_pending = 0;
	partial_free(as->done);
	as->done = NULL;
}

/* Unlinks the partial for (xid, msg_type) and returns it, or NULL. */
static struct ofp_mp_partial *
partial_take(struct ofp_multipart_assembler *as, uint32_t xid, uint8_t msg_type)
{
	for (struct ofp_mp_partial **pp = &as->pending; *pp; pp = &(*pp)->next) {
		struct ofp_mp_partial *p = *pp;

		if (p->xid == xid && p->msg_type == msg_type) {
			*pp = p->next;
			as->n_pending--;
			return p;
		}
	}
	return NULL;
}

void
ofp_mp_assembler_drop(struct ofp_multipart_assembler *as, uint32_t xid)
{
	partial_free(partial_take(as, xid, OFPT_MULTIPART_REQUEST));
	partial_free(partial_take(as, xid, OFPT_MULTIPART_REPLY));
}

static int
partial_append(struct ofp_mp_partial *p, const uint8_t *body, size_t len)
{
	if (p->len + len > p->alloc) {
		size_t nalloc = PFS_MAX(p->alloc * 2, p->len + len);
		uint8_t *d = pfs_realloc(p->data, nalloc ? nalloc : 1);

		if (!d)
			return -ENOMEM;
		p->data = d;
		p->alloc = nalloc;
	}
	if (len)
		memcpy(p->data + p->len, body, len);
	p->len += len;
	return 0;
}

int
ofp_mp_assembler_add(struct ofp_multipart_assembler *as, const void *msg, size_t len,
		     struct ofp_mp_assembled *out, struct ofp_err *err)
{
	const uint8_t *m = msg;
	struct ofp_mp_partial *p;
	uint16_t type, flags;
	uint8_t msg_type;
	size_t blen;

	partial_free(as->done);
	as->done = NULL;
	memset(out, 0, sizeof *out);
	if (len < MP_HEADER_LEN || (m[1] != OFPT_MULTIPART_REQUEST && m[1] != OFPT_MULTIPART_REPLY))
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	msg_type = m[1];
	type = get_be16(m + MP_TYPE_OFS);
	flags = get_be16(m + MP_FLAGS_OFS);
	blen = len - MP_HEADER_LEN;

	p = partial_take(as, get_be32(m + 4), msg_type);
	if (!p && !(flags & OFPMPF_REQ_MORE)) {
		out->msg_type = msg_type;
		out->type = type;
		out->xid = get_be32(m + 4);
		out->n_parts = 1;
		out->body = m + MP_HEADER_LEN;
		out->len = blen;
		return 1;
	}
	if (!p) {
		if (as->n_pending >= as->max_pending)
			return ofp_err_set(err, OFPET_BAD_REQUEST,
					   OFPBRC_MULTIPART_BUFFER_OVERFLOW);
		p = pfs_calloc(1, sizeof *p);
		if (!p)
			return -ENOMEM;
		p->xid = get_be32(m + 4);
		p->msg_type = msg_type;
		p->type = type;
	}
	if (p->type != type) {
		partial_free(p);
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART);
	}
	if (p->charged + MP_HEADER_LEN + blen > as->max_bytes) {
		partial_free(p);
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_MULTIPART_BUFFER_OVERFLOW);
	}
	if (partial_append(p, m + MP_HEADER_LEN, blen)) {
		partial_free(p);
		return -ENOMEM;
	}
	p->charged += MP_HEADER_LEN + blen;
	p->n_parts++;
	if (flags & OFPMPF_REQ_MORE) {
		p->next = as->pending;
		as->pending = p;
		as->n_pending++;
		return 0;
	}
	as->done = p;
	out->msg_type = p->msg_type;
	out->type = p->type;
	out->xid = p->xid;
	out->n_parts = p->n_parts;
	out->body = p->data;
	out->len = p->len;
	return 1;
}
