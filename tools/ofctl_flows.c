/* pfs-ofctl flow tables: flows read from a file or dumped from a switch, compared by
 * identity (table, priority, match) and version (cookie, timeouts, persistent flags,
 * instructions) for diff-flows and replace-flows; and the --sort/--rsort ordering of
 * dump-flows. Flow text goes through ofp_flow_mod_parse(), the wire through vconn. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofctl.h"
#include "oxm.h"
#include "util.h"

/* Flags that stay with a flow and that a switch reports in flow stats; check_overlap
 * and reset_counts only act when a flow_mod is applied. */
#define PERSISTENT_FLAGS (OFPFF_SEND_FLOW_REM | OFPFF_NO_PKT_COUNTS | OFPFF_NO_BYT_COUNTS)

void
ofctl_flow_set_init(struct ofctl_flow_set *s)
{
	memset(s, 0, sizeof *s);
}

void
ofctl_flow_set_uninit(struct ofctl_flow_set *s)
{
	arena_free(&s->arena);
	free(s->flows);
	memset(s, 0, sizeof *s);
}

static struct ofctl_flow *
flow_add(struct ofctl_flow_set *s)
{
	if (s->n == s->alloc) {
		size_t na = s->alloc ? 2 * s->alloc : 64;
		struct ofctl_flow *nf = pfs_realloc(s->flows, na * sizeof *nf);
		if (!nf)
			ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
		s->flows = nf;
		s->alloc = na;
	}
	memset(&s->flows[s->n], 0, sizeof s->flows[0]);
	return &s->flows[s->n++];
}

/* Reads one logical line: '#' starts a comment, a trailing backslash continues the
 * line. Returns false at end of file. *lineno is the number of the first physical line. */
static bool
read_line(FILE *f, struct buf *line, unsigned *counter, unsigned *lineno)
{
	char chunk[4096];
	bool any = false;

	buf_clear(line);
	*lineno = *counter + 1;
	while (fgets(chunk, sizeof chunk, f)) {
		size_t n = strlen(chunk);
		bool eol = n && chunk[n - 1] == '\n';
		any = true;
		if (eol) {
			chunk[--n] = '\0';
			++*counter;
		}
		if (n && chunk[n - 1] == '\r')
			chunk[--n] = '\0';
		if (eol && n && chunk[n - 1] == '\\') {
			chunk[n - 1] = ' ';
			buf_printf(line, "%s", chunk);
			continue;
		}
		buf_printf(line, "%s", chunk);
		if (eol)
			break;
	}
	if (!any)
		return false;
	char *s = (char *)buf_cstr(line);
	char *hash = strchr(s, '#');
	if (hash)
		*hash = '\0';
	return true;
}

static bool
blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

void
ofctl_flows_from_file(struct ofctl *c, const char *file, struct ofctl_flow_set *s)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	struct buf line = BUF_INITIALIZER;
	unsigned counter = 0, lineno;
	char err[256];

	if (!f)
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s: %s", file, strerror(errno));
	while (read_line(f, &line, &counter, &lineno)) {
		struct ofp_flow_mod fm;
		char *text;

		if (blank(buf_cstr(&line)))
			continue;
		text = ofctl_names_to_numbers(c, buf_cstr(&line));
		if (ofp_flow_mod_parse(text, OFPFC_ADD, &s->arena, &fm, err, sizeof err))
			ofctl_fatal(OFCTL_EXIT_USAGE, "%s:%u: %s", file, lineno, err);
		free(text);
		struct ofctl_flow *fl = flow_add(s);
		fl->table_id = fm.table_id;
		fl->priority = fm.priority;
		fl->match = fm.match;
		fl->cookie = fm.cookie;
		fl->idle_timeout = fm.idle_timeout;
		fl->hard_timeout = fm.hard_timeout;
		fl->flags = fm.flags;
		fl->insts = fm.insts;
		fl->line = lineno;
	}
	if (f != stdin)
		fclose(f);
	buf_uninit(&line);
}

void
ofctl_flows_from_switch(struct ofctl *c, struct ofctl_flow_set *s)
{
	struct ofp_multipart_request r;
	struct ofp_multipart_reply rep;

	memset(&r, 0, sizeof r);
	r.type = OFPMP_FLOW;
	ofp_flow_stats_request_init(&r.flow);
	ofctl_dump(c, &r, &s->arena, &rep);
	for (size_t i = 0; i < rep.flow.n; i++) {
		const struct ofp_flow_stats *fs = &rep.flow.items[i];
		struct ofctl_flow *fl = flow_add(s);
		fl->table_id = fs->table_id;
		fl->priority = fs->priority;
		fl->match = fs->match;
		fl->cookie = fs->cookie;
		fl->idle_timeout = fs->idle_timeout;
		fl->hard_timeout = fs->hard_timeout;
		fl->flags = fs->flags;
		fl->insts = fs->insts;
	}
}

void
ofctl_flow_format(struct ofctl *c, const struct ofctl_flow *f, struct buf *b)
{
	size_t start = b->size;
	size_t id_start;

	if (f->table_id)
		buf_printf(b, "table=%u ", f->table_id);
	id_start = b->size;
	if (f->priority != OFP_DEFAULT_PRIORITY)
		buf_printf(b, "priority=%u", f->priority);
	if (f->match.n_fields) {
		if (b->size != id_start)
			buf_printf(b, ",");
		oxm_format(&f->match, b);
	}
	if (f->cookie)
		buf_printf(b, " cookie=0x%" PRIx64, f->cookie);
	if (f->idle_timeout)
		buf_printf(b, " idle_timeout=%u", f->idle_timeout);
	if (f->hard_timeout)
		buf_printf(b, " hard_timeout=%u", f->hard_timeout);
	if (f->flags & PERSISTENT_FLAGS) {
		buf_printf(b, " ");
		ofp_flow_flags_format(f->flags & PERSISTENT_FLAGS, b);
		if (b->size && b->data[b->size - 1] == ' ')
			buf_truncate(b, b->size - 1);
	}
	buf_printf(b, " actions=");
	ofp_instructions_format(&f->insts, b);
	/* A flow with default priority and an empty match starts with the space. */
	if (b->size > start && b->data[start] == ' ') {
		memmove(b->data + start, b->data + start + 1, b->size - start - 1);
		buf_truncate(b, b->size - 1);
	}
	if (c && c->names)
		ofctl_numbers_to_names(c, b, start);
}

static int
key_cmp(const struct ofctl_flow *a, const struct ofctl_flow *b)
{
	int d;

	if (a->table_id != b->table_id)
		return a->table_id < b->table_id ? -1 : 1;
	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	if (a->match.present != b->match.present)
		return a->match.present < b->match.present ? -1 : 1;
	/* Absent fields are zero and values are stored masked: bytes compare exactly. */
	d = memcmp(&a->match.value, &b->match.value, sizeof a->match.value);
	if (d)
		return d;
	return memcmp(&a->match.mask, &b->match.mask, sizeof a->match.mask);
}

static int
key_qsort(const void *a, const void *b)
{
	const struct ofctl_flow *const *x = a, *const *y = b;
	int d = key_cmp(*x, *y);

	if (d)
		return d;
	return *x < *y ? -1 : *x > *y; /* duplicates in a file: keep their order */
}

static bool
same_version(const struct ofctl_flow *a, const struct ofctl_flow *b)
{
	return a->cookie == b->cookie && a->idle_timeout == b->idle_timeout &&
	       a->hard_timeout == b->hard_timeout &&
	       (a->flags & PERSISTENT_FLAGS) == (b->flags & PERSISTENT_FLAGS) &&
	       ofp_instructions_equal(&a->insts, &b->insts);
}

/* Sorted pointers to the flows of s; for duplicate keys only the last one counts, as
 * when the flows are added to a switch one after the other. */
static const struct ofctl_flow **
sorted(const struct ofctl_flow_set *s, size_t *n)
{
	const struct ofctl_flow **v = pfs_calloc(s->n ? s->n : 1, sizeof *v);
	size_t k = 0;

	if (!v)
		ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
	for (size_t i = 0; i < s->n; i++)
		v[i] = &s->flows[i];
	qsort(v, s->n, sizeof *v, key_qsort);
	for (size_t i = 0; i < s->n; i++) {
		if (k && !key_cmp(v[k - 1], v[i]))
			v[k - 1] = v[i];
		else
			v[k++] = v[i];
	}
	*n = k;
	return v;
}

/* Walks both sorted sets in key order; cb gets (old, new) with either NULL. */
static size_t
merge(struct ofctl *c, const struct ofctl_flow_set *a, const struct ofctl_flow_set *b,
      void (*cb)(struct ofctl *, const struct ofctl_flow *, const struct ofctl_flow *, void *),
      void *aux, bool all)
{
	size_t na, nb, i = 0, k = 0, n = 0;
	const struct ofctl_flow **va = sorted(a, &na), **vb = sorted(b, &nb);

	while (i < na || k < nb) {
		int d = i == na ? 1 : k == nb ? -1 : key_cmp(va[i], vb[k]);
		const struct ofctl_flow *x = d <= 0 ? va[i] : NULL;
		const struct ofctl_flow *y = d >= 0 ? vb[k] : NULL;
		if (d <= 0)
			i++;
		if (d >= 0)
			k++;
		if (x && y && same_version(x, y) && !all)
			continue;
		cb(c, x, y, aux);
		n++;
	}
	free(va);
	free(vb);
	return n;
}

static void
print_diff(struct ofctl *c, const struct ofctl_flow *x, const struct ofctl_flow *y, void *aux)
{
	struct buf b = BUF_INITIALIZER;

	(void)aux;
	if (x) {
		buf_printf(&b, "-");
		ofctl_flow_format(c, x, &b);
		buf_printf(&b, "\n");
	}
	if (y) {
		buf_printf(&b, "+");
		ofctl_flow_format(c, y, &b);
		buf_printf(&b, "\n");
	}
	fputs(buf_cstr(&b), stdout);
	buf_uninit(&b);
}

size_t
ofctl_flows_diff(struct ofctl *c, const struct ofctl_flow_set *a, const struct ofctl_flow_set *b)
{
	return merge(c, a, b, print_diff, NULL, false);
}

struct replace {
	struct buf msgs;
	size_t n;
	uint32_t first_xid;
	unsigned *lines;
	size_t lines_alloc;
};

static void
queue_mod(struct ofctl *c, const struct ofctl_flow *cur, const struct ofctl_flow *want, void *aux)
{
	struct replace *r = aux;
	struct ofp_flow_mod fm;
	const struct ofctl_flow *f = want ? want : cur;
	uint32_t xid = vconn_next_xid(ofctl_connect(c));

	if (want && cur && same_version(cur, want) && !c->readd)
		return;
	ofp_flow_mod_init(&fm, want ? OFPFC_ADD : OFPFC_DELETE_STRICT);
	fm.table_id = f->table_id;
	fm.priority = f->priority;
	fm.match = f->match;
	if (want) {
		fm.cookie = f->cookie;
		fm.idle_timeout = f->idle_timeout;
		fm.hard_timeout = f->hard_timeout;
		fm.flags = f->flags;
		fm.insts = f->insts;
	}
	if (!r->n)
		r->first_xid = xid;
	if (r->n == r->lines_alloc) {
		r->lines_alloc = r->lines_alloc ? 2 * r->lines_alloc : 64;
		r->lines = pfs_realloc(r->lines, r->lines_alloc * sizeof *r->lines);
		if (!r->lines)
			ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
	}
	r->lines[r->n++] = want ? want->line : 0;
	if (ofp_flow_mod_encode(&fm, xid, &r->msgs))
		ofctl_fatal(OFCTL_EXIT_USAGE, "flow too long to encode");
}

size_t
ofctl_flows_replace(struct ofctl *c, const struct ofctl_flow_set *cur,
		    const struct ofctl_flow_set *want)
{
	struct replace r = { .msgs = BUF_INITIALIZER };

	merge(c, cur, want, queue_mod, &r, c->readd);
	if (r.n)
		ofctl_send_and_barrier(c, &r.msgs, r.n, r.first_xid, "replace-flows", "flow file",
				       r.lines);
	buf_uninit(&r.msgs);
	free(r.lines);
	return r.n;
}

/* ---- --sort / --rsort ---- */

enum sort_kind {
	SORT_PRIORITY,
	SORT_TABLE,
	SORT_COOKIE,
	SORT_PACKETS,
	SORT_BYTES,
	SORT_DURATION,
	SORT_IDLE,
	SORT_HARD,
	SORT_FIELD
};

static const struct {
	const char *name;
	enum sort_kind kind;
} sort_names[] = {
	{ "priority", SORT_PRIORITY }, { "table", SORT_TABLE },	      { "table_id", SORT_TABLE },
	{ "cookie", SORT_COOKIE },     { "n_packets", SORT_PACKETS }, { "n_bytes", SORT_BYTES },
	{ "duration", SORT_DURATION }, { "idle_timeout", SORT_IDLE }, { "hard_timeout", SORT_HARD },
};

static int
sort_kind(const char *field, uint8_t *oxm)
{
	const struct oxm_field_info *fi;

	for (size_t i = 0; i < ARRAY_SIZE(sort_names); i++)
		if (!strcmp(field, sort_names[i].name))
			return (int)sort_names[i].kind;
	fi = oxm_field_by_name(field);
	if (!fi)
		return -1;
	*oxm = fi->field;
	return SORT_FIELD;
}

bool
ofctl_sort_field_valid(const char *field)
{
	uint8_t f;

	return sort_kind(field, &f) >= 0;
}

static int
u64_cmp(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

struct sort_ctx {
	struct ofctl *c;
	const struct ofp_flow_stats *items;
	int kinds[OFCTL_MAX_SORTS];
	uint8_t fields[OFCTL_MAX_SORTS];
};

static int
sort_cmp(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *s = arg;
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const struct ofp_flow_stats *a = &s->items[ia], *b = &s->items[ib];

	for (size_t k = 0; k < s->c->n_sorts; k++) {
		int d = 0;
		switch (s->kinds[k]) {
		case SORT_PRIORITY:
			d = u64_cmp(a->priority, b->priority);
			break;
		case SORT_TABLE:
			d = u64_cmp(a->table_id, b->table_id);
			break;
		case SORT_COOKIE:
			d = u64_cmp(a->cookie, b->cookie);
			break;
		case SORT_PACKETS:
			d = u64_cmp(a->packet_count, b->packet_count);
			break;
		case SORT_BYTES:
			d = u64_cmp(a->byte_count, b->byte_count);
			break;
		case SORT_DURATION:
			d = u64_cmp((uint64_t)a->duration_sec * 1000000000u + a->duration_nsec,
				    (uint64_t)b->duration_sec * 1000000000u + b->duration_nsec);
			break;
		case SORT_IDLE:
			d = u64_cmp(a->idle_timeout, b->idle_timeout);
			break;
		case SORT_HARD:
			d = u64_cmp(a->hard_timeout, b->hard_timeout);
			break;
		default: {
			uint8_t f = s->fields[k];
			bool ha = oxm_match_has(&a->match, f), hb = oxm_match_has(&b->match, f);
			/* Flows without the field go last in either direction. */
			if (ha != hb)
				return ha ? -1 : 1;
			if (!ha)
				break;
			size_t len = oxm_field_info(f)->len;
			d = memcmp(oxm_match_value(&a->match, f), oxm_match_value(&b->match, f),
				   len);
			if (!d)
				d = memcmp(oxm_match_mask(&b->match, f),
					   oxm_match_mask(&a->match, f), len);
			break;
		}
		}
		if (d)
			return s->c->sorts[k].descending ? -d : d;
	}
	/* Ties: higher priority first, as ovs-ofctl, then the switch's order. */
	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

void
ofctl_sort_flow_stats(struct ofctl *c, struct ofp_flow_stats *items, size_t n)
{
	struct sort_ctx s = { .c = c, .items = items };
	struct ofp_flow_stats *copy;
	size_t *idx;

	for (size_t k = 0; k < c->n_sorts; k++) {
		s.kinds[k] = sort_kind(c->sorts[k].field, &s.fields[k]);
		if (s.kinds[k] < 0)
			ofctl_fatal(OFCTL_EXIT_USAGE, "--sort: unknown field \"%s\"",
				    c->sorts[k].field);
	}
	if (n < 2)
		return;
	idx = pfs_calloc(n, sizeof *idx);
	copy = pfs_calloc(n, sizeof *copy);
	if (!idx || !copy)
		ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof *idx, sort_cmp, &s);
	for (size_t i = 0; i < n; i++)
		copy[i] = items[idx[i]];
	memcpy(items, copy, n * sizeof *items);
	free(idx);
	free(copy);
}
