/* The pfswitch state format (state_fmt.h): writer, whole-state check, record reader,
 * group dependency order, CRC-32, atomic file write. */
#include "state_fmt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "ofp_group.h"
#include "ofp_msg.h"
#include "ofp_trace.h"
#include "openflow.h"

#define EXP_HDR_LEN 16u /* ofp_header, experimenter, exp_type */
#define MAX_FILE_LEN (1ull << 30)

/* Fixed body lengths of the experimenter records (0: variable, checked by its parser). */
static const struct {
	const char *name;
	size_t min_body;
} rec_info[] = {
	[STATE_REC_NONE] = { "NONE", 0 },
	[STATE_REC_GROUP_MOD] = { "GROUP_MOD", 0 },
	[STATE_REC_METER_MOD] = { "METER_MOD", 0 },
	[STATE_REC_FLOW_MOD] = { "FLOW_MOD", 0 },
	[STATE_REC_BRIDGE] = { "BRIDGE", 16 },
	[STATE_REC_FLOW] = { "FLOW", 40 },
	[STATE_REC_GROUP] = { "GROUP", 32 },
	[STATE_REC_METER] = { "METER", 32 },
	[STATE_REC_PORT] = { "PORT", 8 + STATE_PORT_NAME_LEN },
	[STATE_REC_MAC] = { "MAC", 20 },
	[STATE_REC_CONTROLLERS] = { "CONTROLLERS", 16 },
	[STATE_REC_END] = { "END", 8 },
};

const char *
state_rec_name(enum state_rec_type type)
{
	if ((unsigned)type >= sizeof(rec_info) / sizeof(rec_info[0]))
		return "?";
	return rec_info[type].name;
}

uint32_t
state_crc32(uint32_t crc, const void *p, size_t n)
{
	static uint32_t table[256];
	static int ready;
	const uint8_t *b = p;

	if (!ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
		ready = 1;
	}
	crc = ~crc;
	while (n--)
		crc = table[(crc ^ *b++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ---- Writing ------------------------------------------------------------------------ */

void
state_write_header(struct buf *b)
{
	buf_put(b, STATE_FMT_MAGIC, 8);
	buf_put_be32(b, STATE_FMT_VERSION);
	buf_put_be32(b, STATE_HEADER_LEN);
}

static size_t
exp_start(struct buf *b, enum state_rec_type type)
{
	size_t start = ofp_msg_start(b, OFPT_EXPERIMENTER, 0);

	buf_put_be32(b, PFS_EXPERIMENTER_ID);
	buf_put_be32(b, STATE_EXP_BASE + (uint32_t)(type - STATE_REC_BRIDGE));
	return start;
}

static void
put_padded_string(struct buf *b, const char *s, size_t max)
{
	size_t n = strnlen(s, max), start = b->size;

	buf_put(b, s, n);
	buf_put_u8(b, 0);
	buf_pad_to(b, start, 8);
}

void
state_write_bridge(struct buf *b, const struct state_bridge *sb)
{
	size_t start = exp_start(b, STATE_REC_BRIDGE);

	buf_put_be64(b, sb->datapath_id);
	buf_put_be64(b, sb->saved_unix_ns);
	put_padded_string(b, sb->name, STATE_NAME_MAX);
	ofp_msg_finish(b, start);
}

int
state_write_msg(struct buf *b, const void *msg, size_t len)
{
	struct ofp_header_info h;

	if (!ofp_header_peek(msg, len, &h) || h.length != len ||
	    (h.type != OFPT_FLOW_MOD && h.type != OFPT_GROUP_MOD && h.type != OFPT_METER_MOD))
		return -EINVAL;
	buf_put(b, msg, len);
	return 0;
}

void
state_write_flow(struct buf *b, const struct state_flow *f)
{
	size_t start = exp_start(b, STATE_REC_FLOW);

	buf_put_be64(b, f->packets);
	buf_put_be64(b, f->bytes);
	buf_put_be64(b, f->duration_ns);
	buf_put_be32(b, f->idle_remaining_ms);
	buf_put_be32(b, f->hard_remaining_ms);
	buf_put_be32(b, f->flags);
	buf_put_be32(b, 0);
	ofp_msg_finish(b, start);
}

static void
write_counters(struct buf *b, enum state_rec_type type, const struct state_counters *c)
{
	size_t start = exp_start(b, type);
	uint32_t n = c->n < STATE_MAX_COUNTERS ? c->n : STATE_MAX_COUNTERS;

	buf_put_be32(b, c->id);
	buf_put_be32(b, n);
	buf_put_be64(b, c->packets);
	buf_put_be64(b, c->bytes);
	buf_put_be64(b, c->duration_ns);
	for (uint32_t i = 0; i < n; i++) {
		buf_put_be64(b, c->sub_packets[i]);
		buf_put_be64(b, c->sub_bytes[i]);
	}
	ofp_msg_finish(b, start);
}

void
state_write_group(struct buf *b, const struct state_counters *c)
{
	write_counters(b, STATE_REC_GROUP, c);
}

void
state_write_meter(struct buf *b, const struct state_counters *c)
{
	write_counters(b, STATE_REC_METER, c);
}

void
state_write_port(struct buf *b, const struct state_port *p)
{
	size_t start = exp_start(b, STATE_REC_PORT);
	char name[STATE_PORT_NAME_LEN] = { 0 };

	buf_put_be32(b, p->ofport);
	buf_put_be32(b, 0);
	memcpy(name, p->name, strnlen(p->name, STATE_PORT_NAME_LEN));
	buf_put(b, name, sizeof(name));
	for (unsigned i = 0; p->has_counters && i < STATE_PORT_N_COUNTERS; i++)
		buf_put_be64(b, p->counters[i]);
	ofp_msg_finish(b, start);
}

void
state_write_mac(struct buf *b, const struct state_mac *m)
{
	size_t start = exp_start(b, STATE_REC_MAC);

	buf_put_be32(b, m->ofport);
	buf_put_be16(b, m->vlan);
	buf_put(b, m->mac, 6);
	buf_put_be32(b, m->age_s);
	buf_put_be32(b, 0);
	ofp_msg_finish(b, start);
}

void
state_write_controllers(struct buf *b, uint64_t generation_id, bool generation_defined,
			const struct state_controller *c, size_t n)
{
	size_t start = exp_start(b, STATE_REC_CONTROLLERS);

	buf_put_be64(b, generation_id);
	buf_put_be32(b, generation_defined ? 1 : 0);
	buf_put_be32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		size_t tl = strnlen(c[i].target, STATE_TARGET_MAX), ts;

		buf_put_be32(b, c[i].role);
		buf_put_be16(b, (uint16_t)tl);
		buf_put_be16(b, 0);
		ts = b->size;
		buf_put(b, c[i].target, tl);
		buf_pad_to(b, ts, 8);
	}
	ofp_msg_finish(b, start);
}

int
state_write_end(struct buf *b)
{
	uint32_t n = 0;
	size_t ofs, start;

	if (buf_error(b) || b->size < STATE_HEADER_LEN)
		return buf_error(b) ? buf_error(b) : -EINVAL;
	/* Count the records written so far (the writer keeps no state of its own). */
	ofs = get_be32(b->data + 12);
	while (ofs + 8 <= b->size) {
		uint16_t l = get_be16(b->data + ofs + 2);

		if (l < 8)
			break;
		ofs += l;
		n++;
	}
	start = exp_start(b, STATE_REC_END);
	buf_put_be32(b, n);
	ofp_msg_finish(b, start);
	buf_put_be32(b, 0);
	buf_set_be16(b, start + 2, (uint16_t)(b->size - start));
	/* The CRC covers everything before it, the END record's own fields included. */
	if (!buf_error(b))
		buf_set_be32(b, b->size - 4, state_crc32(0, b->data, b->size - 4));
	return buf_error(b);
}

/* ---- Reading ------------------------------------------------------------------------ */

/* Classifies the record at p (len bytes, framing checked): its type, or STATE_REC_NONE
 * for an unknown optional record; -1 for an unknown mandatory one. */
static int
classify(const uint8_t *p, size_t len)
{
	uint32_t exp_type;

	switch (p[1]) {
	case OFPT_GROUP_MOD:
		return STATE_REC_GROUP_MOD;
	case OFPT_METER_MOD:
		return STATE_REC_METER_MOD;
	case OFPT_FLOW_MOD:
		return STATE_REC_FLOW_MOD;
	case OFPT_EXPERIMENTER:
		break;
	default:
		return -1;
	}
	if (len < EXP_HDR_LEN || get_be32(p + 8) != PFS_EXPERIMENTER_ID)
		return -1;
	exp_type = get_be32(p + 12);
	if (exp_type >= STATE_EXP_BASE &&
	    exp_type <= STATE_EXP_BASE + (STATE_REC_END - STATE_REC_BRIDGE))
		return STATE_REC_BRIDGE + (int)(exp_type - STATE_EXP_BASE);
	return (exp_type & STATE_REC_OPTIONAL) ? STATE_REC_NONE : -1;
}

static void
get_string(const uint8_t *p, size_t avail, char *out, size_t max)
{
	size_t n = strnlen((const char *)p, avail < max ? avail : max);

	memcpy(out, p, n);
	out[n] = '\0';
}

/* Decodes the experimenter body of rec (type set, msg/len the record). 0 or -EINVAL with
 * a reason in why. */
static int
parse_body(struct state_rec *rec, const char **why)
{
	const uint8_t *p = rec->msg + EXP_HDR_LEN;
	size_t n;

	if (rec->type < STATE_REC_BRIDGE)
		return 0;
	n = rec->len - EXP_HDR_LEN;
	if (n < rec_info[rec->type].min_body) {
		*why = "record too short";
		return -EINVAL;
	}
	switch (rec->type) {
	case STATE_REC_BRIDGE:
		rec->u.bridge.datapath_id = get_be64(p);
		rec->u.bridge.saved_unix_ns = get_be64(p + 8);
		get_string(p + 16, n - 16, rec->u.bridge.name, STATE_NAME_MAX);
		if (!rec->u.bridge.name[0]) {
			*why = "bridge without a name";
			return -EINVAL;
		}
		break;
	case STATE_REC_FLOW:
		rec->u.flow.packets = get_be64(p);
		rec->u.flow.bytes = get_be64(p + 8);
		rec->u.flow.duration_ns = get_be64(p + 16);
		rec->u.flow.idle_remaining_ms = get_be32(p + 24);
		rec->u.flow.hard_remaining_ms = get_be32(p + 28);
		rec->u.flow.flags = get_be32(p + 32);
		break;
	case STATE_REC_GROUP:
	case STATE_REC_METER: {
		struct state_counters *c = &rec->u.counters;

		c->id = get_be32(p);
		c->n = get_be32(p + 4);
		if (c->n > STATE_MAX_COUNTERS || n < 32 + (size_t)c->n * 16) {
			*why = "bad bucket/band count";
			return -EINVAL;
		}
		c->packets = get_be64(p + 8);
		c->bytes = get_be64(p + 16);
		c->duration_ns = get_be64(p + 24);
		for (uint32_t i = 0; i < c->n; i++) {
			c->sub_packets[i] = get_be64(p + 32 + i * 16);
			c->sub_bytes[i] = get_be64(p + 40 + i * 16);
		}
		break;
	}
	case STATE_REC_PORT:
		rec->u.port.ofport = get_be32(p);
		get_string(p + 8, STATE_PORT_NAME_LEN, rec->u.port.name, STATE_PORT_NAME_LEN);
		if (n >= 8 + STATE_PORT_NAME_LEN + 8 * STATE_PORT_N_COUNTERS) {
			rec->u.port.has_counters = true;
			for (unsigned i = 0; i < STATE_PORT_N_COUNTERS; i++)
				rec->u.port.counters[i] =
					get_be64(p + 8 + STATE_PORT_NAME_LEN + 8 * i);
		}
		break;
	case STATE_REC_MAC:
		rec->u.mac.ofport = get_be32(p);
		rec->u.mac.vlan = get_be16(p + 4);
		memcpy(rec->u.mac.mac, p + 6, 6);
		rec->u.mac.age_s = get_be32(p + 12);
		break;
	case STATE_REC_CONTROLLERS: {
		size_t ofs = 16;

		rec->u.controllers.generation_id = get_be64(p);
		rec->u.controllers.generation_defined = get_be32(p + 8) & 1;
		rec->u.controllers.n = get_be32(p + 12);
		for (uint32_t i = 0; i < rec->u.controllers.n; i++) {
			size_t tl;

			if (ofs + 8 > n) {
				*why = "controller entry past the record";
				return -EINVAL;
			}
			tl = get_be16(p + ofs + 4);
			if (tl > STATE_TARGET_MAX || ofs + 8 + ((tl + 7) & ~(size_t)7) > n) {
				*why = "controller target past the record";
				return -EINVAL;
			}
			ofs += 8 + ((tl + 7) & ~(size_t)7);
		}
		break;
	}
	default:
		break;
	}
	return 0;
}

int
state_read_begin(struct state_reader *r, const void *data, size_t len, char *errbuf, size_t errlen)
{
	const uint8_t *d = data;
	uint32_t version, hlen, n = 0;
	size_t ofs;

	memset(r, 0, sizeof(*r));
	if (len < STATE_HEADER_LEN || memcmp(d, STATE_FMT_MAGIC, 8)) {
		snprintf(errbuf, errlen, "not a pfswitch state (no %s header)", STATE_FMT_MAGIC);
		return -EINVAL;
	}
	version = get_be32(d + 8);
	hlen = get_be32(d + 12);
	if (version == 0 || version > STATE_FMT_VERSION) {
		snprintf(errbuf, errlen,
			 "state format version %u is not supported (this pfswitch reads versions "
			 "1 to %u)",
			 version, STATE_FMT_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (hlen < STATE_HEADER_LEN || hlen > len) {
		snprintf(errbuf, errlen, "damaged header (header length %u)", hlen);
		return -EINVAL;
	}
	for (ofs = hlen;;) {
		struct state_rec rec;
		const char *why = NULL;
		uint16_t l;
		int t;

		if (ofs == len) {
			snprintf(errbuf, errlen, "truncated: no END record after %u records", n);
			return -EINVAL;
		}
		if (len - ofs < 8 || (l = get_be16(d + ofs + 2)) < 8 || l > len - ofs) {
			snprintf(errbuf, errlen, "truncated or damaged record at byte %zu", ofs);
			return -EINVAL;
		}
		if (d[ofs] != OFP13_VERSION) {
			snprintf(errbuf, errlen, "damaged record at byte %zu (version 0x%02x)", ofs,
				 d[ofs]);
			return -EINVAL;
		}
		t = classify(d + ofs, l);
		if (t < 0) {
			snprintf(errbuf, errlen, "unknown record (type %u) at byte %zu", d[ofs + 1],
				 ofs);
			return -EINVAL;
		}
		memset(&rec, 0, sizeof(rec));
		rec.type = (enum state_rec_type)t;
		rec.msg = d + ofs;
		rec.len = l;
		if (t != STATE_REC_NONE && t < STATE_REC_BRIDGE &&
		    l < ofp_msg_min_len(d[ofs + 1])) {
			snprintf(errbuf, errlen, "%s record at byte %zu is too short",
				 state_rec_name(rec.type), ofs);
			return -EINVAL;
		}
		if (t != STATE_REC_NONE && parse_body(&rec, &why)) {
			snprintf(errbuf, errlen, "%s record at byte %zu: %s",
				 state_rec_name(rec.type), ofs, why);
			return -EINVAL;
		}
		if (t == STATE_REC_END) {
			const uint8_t *p = d + ofs + EXP_HDR_LEN;

			if (ofs + l != len) {
				snprintf(errbuf, errlen, "%zu bytes after the END record",
					 len - ofs - l);
				return -EINVAL;
			}
			if (get_be32(p) != n) {
				snprintf(errbuf, errlen,
					 "damaged: END record counts %u records, found %u",
					 get_be32(p), n);
				return -EINVAL;
			}
			if (l != EXP_HDR_LEN + 8 ||
			    get_be32(p + 4) != state_crc32(0, d, ofs + l - 4)) {
				snprintf(errbuf, errlen, "damaged: checksum mismatch");
				return -EINVAL;
			}
			break;
		}
		ofs += l;
		n++;
	}
	r->data = d;
	r->len = len;
	r->ofs = hlen;
	r->version = version;
	r->n_records = n;
	return 0;
}

int
state_read_next(struct state_reader *r, struct state_rec *rec)
{
	while (r->ofs + 8 <= r->len) {
		uint16_t l = get_be16(r->data + r->ofs + 2);
		const char *why;
		int t = classify(r->data + r->ofs, l);

		memset(rec, 0, sizeof(*rec));
		rec->type = t < 0 ? STATE_REC_NONE : (enum state_rec_type)t;
		rec->msg = r->data + r->ofs;
		rec->len = l;
		r->ofs += l;
		if (rec->type == STATE_REC_END) {
			r->ofs = r->len;
			return 0;
		}
		if (rec->type == STATE_REC_NONE)
			continue;
		if (parse_body(rec, &why))
			continue; /* cannot happen after state_read_begin() */
		return 1;
	}
	return 0;
}

void
state_rec_controller(const struct state_rec *rec, uint32_t i, struct state_controller *c)
{
	const uint8_t *p = rec->msg + EXP_HDR_LEN;
	size_t ofs = 16;

	memset(c, 0, sizeof(*c));
	for (uint32_t k = 0; k < rec->u.controllers.n; k++) {
		size_t tl = get_be16(p + ofs + 4);

		if (k == i) {
			c->role = get_be32(p + ofs);
			memcpy(c->target, p + ofs + 8, tl);
			c->target[tl] = '\0';
			return;
		}
		ofs += 8 + ((tl + 7) & ~(size_t)7);
	}
}

/* ---- Helpers ------------------------------------------------------------------------ */

/* True if group a sends to or watches group id. */
static bool
group_refers(const struct ofp_group_mod *a, uint32_t id)
{
	for (size_t i = 0; i < a->buckets.n; i++) {
		const struct ofp_bucket *bk = &a->buckets.items[i];

		if (bk->watch_group == id)
			return true;
		for (size_t j = 0; j < bk->actions.n; j++)
			if (bk->actions.actions[j].type == OFPAT_GROUP &&
			    bk->actions.actions[j].group_id == id)
				return true;
	}
	return false;
}

int
state_order_groups(struct ofp_group_mod *gms, size_t n)
{
	/* Selection: move to position k a group none of whose references is still among
	 * positions k..n-1. Quadratic in groups times buckets; states hold few groups. */
	for (size_t k = 0; k < n; k++) {
		size_t pick = n;

		for (size_t i = k; i < n && pick == n; i++) {
			bool ready = true;

			for (size_t j = k; j < n && ready; j++)
				if (j != i && group_refers(&gms[i], gms[j].group_id))
					ready = false;
			if (ready)
				pick = i;
		}
		if (pick == n)
			return -ELOOP;
		if (pick != k) {
			struct ofp_group_mod t = gms[k];

			gms[k] = gms[pick];
			gms[pick] = t;
		}
	}
	return 0;
}

int
state_file_read(const char *path, uint8_t **data, size_t *len)
{
	struct stat st;
	uint8_t *d;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		r = -errno;
		goto out;
	}
	if ((unsigned long long)st.st_size > MAX_FILE_LEN) {
		r = -EFBIG;
		goto out;
	}
	d = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!d) {
		r = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, d + got, (size_t)st.st_size - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r = k < 0 ? -errno : -EIO;
			free(d);
			goto out;
		}
		got += (size_t)k;
	}
	*data = d;
	*len = got;
	r = 0;
out:
	close(fd);
	return r;
}

int
state_file_write(const char *path, const void *data, size_t len)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const uint8_t *p = data;
	char *slash;
	int fd, r = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t k = write(fd, p, len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r = k < 0 ? -errno : -EIO;
			break;
		}
		p += k;
		len -= (size_t)k;
	}
	if (!r && fsync(fd))
		r = -errno;
	if (close(fd) && !r)
		r = -errno;
	if (!r && rename(tmp, path))
		r = -errno;
	if (r) {
		unlink(tmp);
		return r;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}
