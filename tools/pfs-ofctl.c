/* pfs-ofctl: the ofctl-style command line tool that inspects and programs any
 * OpenFlow 1.3 switch (pfswitchd first, Open vSwitch or any other too) over its
 * management socket or TCP. Command names, flow syntax and output follow ovs-ofctl so
 * that habits and scripts carry over; --json gives every dump a stable schema.
 *
 * This file holds main(), the option parser, the command table and the commands. The
 * JSON renderers are in ofctl_json.c, flow sets (diff/replace/sort) in ofctl_flows.c.
 * The wire is lib/vconn.h; every message is built and read by the lib/ofp_* codecs. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ofctl.h"
#include "oxm.h"
#include "pfs_config.h"
#include "stream_tls.h"
#include "util.h"

#define DEFAULT_RUNDIR "/run/pfswitch"

static const char *program = "pfs-ofctl";

void
ofctl_fatal(int code, const char *fmt, ...)
{
	va_list args;

	fflush(stdout);
	fprintf(stderr, "%s: ", program);
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
	exit(code);
}

void
ofctl_fatal_vconn(struct ofctl *c, int err, const char *what)
{
	const char *t = c->target;

	switch (err) {
	case -EPROTO:
		if (c->vc && c->vc->error_text[0])
			ofctl_fatal(OFCTL_EXIT_REFUSED, "%s: %s failed: %s", t, what,
				    c->vc->error_text);
		ofctl_fatal(OFCTL_EXIT_REFUSED, "%s: %s failed: protocol error", t, what);
	case -ETIMEDOUT:
		ofctl_fatal(OFCTL_EXIT_UNREACHABLE, "%s: %s: timed out waiting for the switch", t,
			    what);
	case -ECONNRESET:
	case -EPIPE:
		ofctl_fatal(OFCTL_EXIT_UNREACHABLE, "%s: %s: connection closed by the switch", t,
			    what);
	default:
		ofctl_fatal(OFCTL_EXIT_UNREACHABLE, "%s: %s: %s", t, what, strerror(-err));
	}
}

/* Resolves SWITCH: "tcp:...", "ssl:..." and "unix:..." as they are, anything else is a bridge
 * name whose management socket is RUNDIR/NAME.mgmt. */
static void
resolve_target(struct ofctl *c, const char *arg, const char *suffix, char *out, size_t len)
{
	if (strchr(arg, ':')) {
		snprintf(out, len, "%s", arg);
		return;
	}
	if (!*arg || strchr(arg, '/'))
		ofctl_fatal(OFCTL_EXIT_USAGE,
			    "\"%s\": expected a bridge name, unix:PATH, tcp:IP[:PORT] or "
			    "ssl:IP[:PORT]",
			    arg);
	snprintf(out, len, "unix:%s/%s.%s", c->rundir, arg, suffix);
}

static int
timeout_ms(const struct ofctl *c)
{
	return c->timeout_s >= 0 ? c->timeout_s * 1000 : VCONN_TIMEOUT_DEFAULT_MS;
}

/* The TLS context for ssl: targets, made once from the three options. */
static struct stream_tls_ctx *
tls_ctx(struct ofctl *c)
{
	struct stream_tls_config tc = {
		.private_key = c->private_key,
		.certificate = c->certificate,
		.ca_cert = c->ca_cert,
		.verify_peer = true,
	};
	char err[512];

	if (c->tls)
		return c->tls;
	if (!c->private_key || !c->certificate || !c->ca_cert)
		ofctl_fatal(OFCTL_EXIT_USAGE,
			    "ssl: needs --private-key, --certificate and --ca-cert");
	if (stream_tls_ctx_create(&tc, &c->tls, err, sizeof err))
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s", err);
	return c->tls;
}

static struct vconn *
open_target(struct ofctl *c, const char *name)
{
	struct stream_tls_ctx *tls = !strncmp(name, "ssl:", 4) ? tls_ctx(c) : NULL;
	char err[512];
	struct vconn *vc;
	int rc = vconn_open_tls(name, tls, timeout_ms(c), &vc, err, sizeof err);

	if (rc == -EINVAL || rc == -EPROTONOSUPPORT)
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s", err);
	if (rc == -EPROTO)
		ofctl_fatal(OFCTL_EXIT_REFUSED, "%s: %s", c->target, err);
	if (rc)
		ofctl_fatal(OFCTL_EXIT_UNREACHABLE, "%s: %s", c->target, err);
	if (c->timeout_s >= 0)
		vconn_set_deadline(vc, c->timeout_s * 1000);
	return vc;
}

struct vconn *
ofctl_connect(struct ofctl *c)
{
	if (!c->vc) {
		if (!c->target)
			ofctl_fatal(OFCTL_EXIT_USAGE, "no switch to connect to");
		c->vc = open_target(c, c->target_name);
	}
	return c->vc;
}

/* ---- requests ---- */

static uint32_t
msg_xid(const struct buf *b)
{
	return b->size >= 8 ? get_be32(b->data + 4) : 0;
}

static void
check_encode(int err, const char *what)
{
	if (err == -EMSGSIZE)
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s does not fit one OpenFlow message", what);
	if (err)
		ofctl_fatal(OFCTL_EXIT_USAGE, "cannot encode %s: %s", what, strerror(-err));
}

/* Sends a one-message request and returns its reply in reply. */
static void
transact(struct ofctl *c, const struct buf *req, struct buf *reply, const char *what)
{
	int err = vconn_transact(ofctl_connect(c), req, reply);

	if (err)
		ofctl_fatal_vconn(c, err, what);
}

static const char *
ovs_mp_name(uint16_t type)
{
	static const char *const names[] = {
		[OFPMP_DESC] = "DESC",
		[OFPMP_FLOW] = "FLOW",
		[OFPMP_AGGREGATE] = "AGGREGATE",
		[OFPMP_TABLE] = "TABLE",
		[OFPMP_PORT_STATS] = "PORT",
		[OFPMP_QUEUE] = "QUEUE",
		[OFPMP_GROUP] = "GROUP",
		[OFPMP_GROUP_DESC] = "GROUP_DESC",
		[OFPMP_GROUP_FEATURES] = "GROUP_FEATURES",
		[OFPMP_METER] = "METER",
		[OFPMP_METER_CONFIG] = "METER_CONFIG",
		[OFPMP_METER_FEATURES] = "METER_FEATURES",
		[OFPMP_TABLE_FEATURES] = "TABLE_FEATURES",
		[OFPMP_PORT_DESC] = "PORT_DESC",
	};

	return type < ARRAY_SIZE(names) && names[type] ? names[type] : "UNKNOWN";
}

uint32_t
ofctl_dump(struct ofctl *c, const struct ofp_multipart_request *r, struct arena *a,
	   struct ofp_multipart_reply *rep)
{
	struct vconn *vc = ofctl_connect(c);
	struct buf req = BUF_INITIALIZER, body = BUF_INITIALIZER;
	uint32_t xid = vconn_next_xid(vc);
	struct ofp_err perr;
	char what[64];
	uint16_t type;
	int err;

	snprintf(what, sizeof what, "OFPST_%s request", ovs_mp_name(r->type));
	check_encode(ofp_multipart_request_encode(r, xid, &req), what);
	err = vconn_dump(vc, &req, &type, &body);
	if (err)
		ofctl_fatal_vconn(c, err, what);
	if (ofp_multipart_reply_body_decode(type, 0, body.data, body.size, a, rep, &perr)) {
		struct buf t = BUF_INITIALIZER;
		ofp_error_format(&perr, &t);
		ofctl_fatal(OFCTL_EXIT_REFUSED, "%s: cannot decode the OFPST_%s reply: %s",
			    c->target, ovs_mp_name(type), buf_cstr(&t));
	}
	buf_uninit(&req);
	buf_uninit(&body);
	return xid;
}

static void
mp_header(struct buf *out, uint16_t type, uint32_t xid)
{
	buf_printf(out, "OFPST_%s reply (OF1.3) (xid=0x%" PRIx32 "):", ovs_mp_name(type), xid);
}

struct barrier_ctx {
	struct ofctl *c;
	uint32_t first_xid;
	size_t n;
	const char *what, *file;
	const unsigned *lines;
	struct buf msg;
	int n_errors;
};

static void
on_batch_error(void *aux, uint32_t xid, const struct ofp_err *err, const char *text)
{
	struct barrier_ctx *bc = aux;

	(void)err;
	if (bc->n_errors++)
		return; /* the first error is the one reported */
	if (bc->lines && xid - bc->first_xid < bc->n && bc->lines[xid - bc->first_xid])
		buf_printf(&bc->msg, "%s:%u: switch refused the flow: %s", bc->file,
			   bc->lines[xid - bc->first_xid], text);
	else
		buf_printf(&bc->msg, "%s: %s refused: %s", bc->c->target, bc->what, text);
}

void
ofctl_send_and_barrier(struct ofctl *c, const struct buf *msgs, size_t n, uint32_t first_xid,
		       const char *what, const char *file, const unsigned *lines)
{
	struct vconn *vc = ofctl_connect(c);
	struct barrier_ctx bc = { c, first_xid, n, what, file, lines, BUF_INITIALIZER, 0 };
	size_t ofs = 0, sent = 0;
	int err;

	while (ofs < msgs->size) {
		size_t len = get_be16(msgs->data + ofs + 2);
		err = vconn_send(vc, msgs->data + ofs, len);
		if (err)
			ofctl_fatal_vconn(c, err, what);
		ofs += len;
		if (++sent % 1000 == 0 || ofs == msgs->size) {
			err = vconn_barrier(vc, on_batch_error, &bc);
			if (err == -EPROTO && bc.n_errors) {
				if (bc.n_errors > 1)
					buf_printf(&bc.msg, " (and %d more errors)",
						   bc.n_errors - 1);
				ofctl_fatal(OFCTL_EXIT_REFUSED, "%s", buf_cstr(&bc.msg));
			}
			if (err)
				ofctl_fatal_vconn(c, err, what);
		}
	}
	buf_uninit(&bc.msg);
}

/* One request that answers nothing on success, then a barrier. */
static void
send_one(struct ofctl *c, const struct buf *msg, const char *what)
{
	ofctl_send_and_barrier(c, msg, 1, msg_xid(msg), what, NULL, NULL);
}

/* ---- port names ---- */

void
ofctl_load_ports(struct ofctl *c)
{
	struct ofp_multipart_request r = { .type = OFPMP_PORT_DESC };
	struct ofp_multipart_reply rep;
	struct arena a = ARENA_INITIALIZER;

	if (c->ports_loaded)
		return;
	c->ports_loaded = true;
	ofctl_dump(c, &r, &a, &rep);
	c->ports = pfs_calloc(rep.port_desc.n ? rep.port_desc.n : 1, sizeof *c->ports);
	if (!c->ports)
		ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
	for (size_t i = 0; i < rep.port_desc.n; i++) {
		c->ports[i].port_no = rep.port_desc.items[i].port_no;
		snprintf(c->ports[i].name, sizeof c->ports[i].name, "%s",
			 rep.port_desc.items[i].name);
	}
	c->n_ports = rep.port_desc.n;
	arena_free(&a);
}

const char *
ofctl_port_name(struct ofctl *c, uint32_t port_no)
{
	if (!c->target)
		return NULL;
	ofctl_load_ports(c);
	for (size_t i = 0; i < c->n_ports; i++)
		if (c->ports[i].port_no == port_no && c->ports[i].name[0])
			return c->ports[i].name;
	return NULL;
}

static bool
port_by_name(struct ofctl *c, const char *name, size_t n, uint32_t *port)
{
	ofctl_load_ports(c);
	for (size_t i = 0; i < c->n_ports; i++) {
		if (strlen(c->ports[i].name) == n && !strncmp(c->ports[i].name, name, n)) {
			*port = c->ports[i].port_no;
			return true;
		}
	}
	return false;
}

static const char *const port_keys[] = { "in_port=",  "output:",     "output=",
					 "out_port=", "watch_port:", "watch_port=" };

static bool
is_word_start(const char *text, const char *p)
{
	return p == text || strchr(", \t(=", p[-1]);
}

char *
ofctl_names_to_numbers(struct ofctl *c, const char *text)
{
	struct buf out = BUF_INITIALIZER;
	const char *p = text;
	char *s;

	while (*p) {
		size_t klen = 0;
		for (size_t k = 0; k < ARRAY_SIZE(port_keys); k++) {
			size_t l = strlen(port_keys[k]);
			if (!strncmp(p, port_keys[k], l) && is_word_start(text, p)) {
				klen = l;
				break;
			}
		}
		if (!klen) {
			buf_put_u8(&out, (uint8_t)*p++);
			continue;
		}
		buf_put(&out, p, klen);
		p += klen;
		bool quoted = *p == '"';
		const char *v = p + quoted;
		size_t n = quoted ? strcspn(v, "\"") : strcspn(v, ", \t)");
		char word[64];
		uint32_t port;
		snprintf(word, sizeof word, "%.*s", (int)PFS_MIN(n, sizeof word - 1), v);
		if (c->target && n && n < sizeof word && ofp_port_parse(word, &port) &&
		    port_by_name(c, v, n, &port)) {
			buf_printf(&out, "%" PRIu32, port);
			p = v + n + (quoted && v[n] == '"');
		}
	}
	s = pfs_strdup(buf_cstr(&out));
	buf_uninit(&out);
	if (!s)
		ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
	return s;
}

void
ofctl_numbers_to_names(struct ofctl *c, struct buf *b, size_t start)
{
	static const char *const keys[] = { "in_port=", "output:", "watch_port:", "port " };
	struct buf out = BUF_INITIALIZER;
	const char *text = buf_cstr(b) + start;
	const char *p = text;

	while (*p) {
		size_t klen = 0;
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			size_t l = strlen(keys[k]);
			if (!strncmp(p, keys[k], l) && is_word_start(text, p)) {
				klen = l;
				break;
			}
		}
		if (!klen) {
			buf_put_u8(&out, (uint8_t)*p++);
			continue;
		}
		buf_put(&out, p, klen);
		p += klen;
		size_t sp = strspn(p, " ");
		buf_put(&out, p, sp);
		p += sp;
		size_t n = strspn(p, "0123456789");
		const char *name = NULL;
		if (n && n < 11)
			name = ofctl_port_name(c, (uint32_t)strtoul(p, NULL, 10));
		if (name) {
			buf_printf(&out, "%s", name);
			p += n;
		}
	}
	buf_truncate(b, start);
	buf_printf(b, "%s", buf_cstr(&out));
	buf_uninit(&out);
}

/* ---- output ---- */

static void
emit(struct buf *out)
{
	if (buf_error(out))
		ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
	fputs(buf_cstr(out), stdout);
	buf_clear(out);
}

static void
json_emit(struct buf *out)
{
	buf_printf(out, "\n");
	emit(out);
}

/* Ends the text with a newline if it does not have one. */
static void
end_line(struct buf *out)
{
	if (out->size && out->data[out->size - 1] != '\n')
		buf_printf(out, "\n");
}

/* With --names, rewrites the port numbers of the text from start on; then a newline. */
static void
names_and_newline(struct ofctl *c, struct buf *out, size_t start)
{
	if (c->names)
		ofctl_numbers_to_names(c, out, start);
	buf_printf(out, "\n");
}

/* How one reply prints. --json: one object whose members json() writes, inside an
 * array member named array when that is set. Text: the reply header
 * "NAME (OF1.3) (xid=0x..):", then sep, then what text() writes; no header when sep is
 * NULL. rep is the decoded reply (a struct ofp_multipart_reply for a dump). */
typedef void view_json_fn(struct ofctl *c, struct json *j, const void *rep);
typedef void view_text_fn(struct ofctl *c, struct buf *out, const void *rep);

struct view {
	const char *array;
	view_json_fn *json;
	const char *sep;
	view_text_fn *text;
};

static void
print_view(struct ofctl *c, const struct view *v, const char *name, uint32_t xid, const void *rep)
{
	struct buf out = BUF_INITIALIZER;
	struct json j;

	if (c->json) {
		json_init(&j, &out);
		json_obj_begin(&j, NULL);
		if (v->array)
			json_arr_begin(&j, v->array);
		v->json(c, &j, rep);
		if (v->array)
			json_arr_end(&j);
		json_obj_end(&j);
		json_emit(&out);
	} else {
		if (v->sep)
			buf_printf(&out, "%s (OF1.3) (xid=0x%" PRIx32 "):%s", name, xid, v->sep);
		v->text(c, &out, rep);
		emit(&out);
	}
	buf_uninit(&out);
}

/* print_view for a multipart reply of the given type. */
static void
print_mp(struct ofctl *c, const struct view *v, uint16_t type, uint32_t xid,
	 const struct ofp_multipart_reply *rep)
{
	char name[48];

	snprintf(name, sizeof name, "OFPST_%s reply", ovs_mp_name(type));
	print_view(c, v, name, xid, rep);
}

/* Sends the multipart request r, collects the whole reply and prints it as v says. */
static void
dump_print(struct ofctl *c, const struct ofp_multipart_request *r, const struct view *v)
{
	struct ofp_multipart_reply rep;
	struct arena a = ARENA_INITIALIZER;
	uint32_t xid = ofctl_dump(c, r, &a, &rep);

	print_mp(c, v, r->type, xid, &rep);
	arena_free(&a);
}

/* ---- argument helpers ---- */

static uint32_t
parse_u32(const char *what, const char *s, uint32_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (!*s || *end || errno || v > max || *s == '-')
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s: \"%s\" is not a number from 0 to %" PRIu32, what,
			    s, max);
	return (uint32_t)v;
}

static uint32_t
parse_port_arg(struct ofctl *c, const char *s)
{
	uint32_t port;

	if (!ofp_port_parse(s, &port))
		return port;
	if (port_by_name(c, s, strlen(s), &port))
		return port;
	ofctl_fatal(OFCTL_EXIT_USAGE,
		    "\"%s\": no such port (a number, a reserved name or a port "
		    "name)",
		    s);
}

/* "1", "group_id=1", "all" -> id; keyword is "group_id" or "meter" (which also takes the
 * reserved meters' names, "controller" and "slowpath", as add-meter does). */
static uint32_t
parse_id_arg(const char *s, const char *keyword, uint32_t all)
{
	size_t kl = strlen(keyword);

	if (!strncmp(s, keyword, kl) && (s[kl] == '=' || s[kl] == ':'))
		s += kl + 1;
	if (!strcasecmp(s, "all"))
		return all;
	if (!strcmp(keyword, "meter") && !strcasecmp(s, "controller"))
		return OFPM_CONTROLLER;
	if (!strcmp(keyword, "meter") && !strcasecmp(s, "slowpath"))
		return OFPM_SLOWPATH;
	return parse_u32(keyword, s, UINT32_MAX);
}

/* True if the flow text names a table ("table=N" as a whole token). */
static bool
has_table(const char *text)
{
	for (const char *p = text; (p = strstr(p, "table")); p += 5) {
		if ((p == text || strchr(", \t", p[-1])) && (p[5] == '=' || p[5] == ':'))
			return true;
	}
	return false;
}

/* The whole content of a file ("-" = stdin), NUL-terminated. */
static struct buf
read_file_lines(const char *file)
{
	struct buf all = BUF_INITIALIZER;
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char chunk[4096];
	size_t n;

	if (!f)
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s: %s", file, strerror(errno));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_put(&all, chunk, n);
	if (ferror(f))
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s: read error", file);
	if (f != stdin)
		fclose(f);
	buf_printf(&all, "%s", "");
	return all;
}

/* ---- commands ---- */

/* What a command's first argument names: a switch connected to on first use (the
 * default), a bridge whose snoop socket the command opens itself, or nothing. */
enum cmd_target { TARGET_SWITCH, TARGET_BRIDGE, TARGET_NONE };

/* One command: its name, how many arguments it takes after its name, its handler and
 * the usage line --help prints. */
struct cmd {
	const char *name;
	int min_args, max_args; /* after the command name, SWITCH included */
	void (*run)(struct ofctl *c, int argc, char *argv[]);
	const char *usage;
	enum cmd_target target;
};

static int
port_cmp(const void *a, const void *b)
{
	const struct ofp_port_desc *x = a, *y = b;

	return x->port_no < y->port_no ? -1 : x->port_no > y->port_no;
}

/* ovs-ofctl lists port descriptions by number (LOCAL last). */
static void
sort_ports(struct ofp_port_desc *items, size_t n)
{
	if (n > 1)
		qsort(items, n, sizeof *items, port_cmp);
}

static void
cmd_show(struct ofctl *c, int argc, char *argv[])
{
	struct buf req = BUF_INITIALIZER, rep = BUF_INITIALIZER, out = BUF_INITIALIZER;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_switch_features f;
	struct ofp_switch_config cfg;
	struct ofp_multipart_request r = { .type = OFPMP_PORT_DESC };
	struct ofp_multipart_reply pd;
	struct ofp_err perr;
	struct vconn *vc = ofctl_connect(c);
	uint32_t fx, px, cx;
	struct json j;

	(void)argc;
	(void)argv;
	fx = vconn_next_xid(vc);
	check_encode(ofp_empty_encode(OFPT_FEATURES_REQUEST, fx, &req), "features request");
	transact(c, &req, &rep, "features request");
	if (ofp_features_reply_decode(rep.data, rep.size, &a, &f, &perr))
		ofctl_fatal(OFCTL_EXIT_REFUSED, "%s: malformed FEATURES_REPLY", c->target);
	px = ofctl_dump(c, &r, &a, &pd);
	sort_ports(pd.port_desc.items, pd.port_desc.n);
	buf_clear(&req);
	cx = vconn_next_xid(vc);
	check_encode(ofp_empty_encode(OFPT_GET_CONFIG_REQUEST, cx, &req), "config request");
	transact(c, &req, &rep, "get-config request");
	if (ofp_switch_config_decode(rep.data, rep.size, &a, &cfg, &perr))
		ofctl_fatal(OFCTL_EXIT_REFUSED, "%s: malformed GET_CONFIG_REPLY", c->target);
	if (c->json) {
		json_init(&j, &out);
		json_obj_begin(&j, NULL);
		ofctl_json_features(&j, &f);
		json_arr_begin(&j, "ports");
		for (size_t i = 0; i < pd.port_desc.n; i++)
			ofctl_json_port_desc(c, &j, NULL, &pd.port_desc.items[i]);
		json_arr_end(&j);
		json_obj_begin(&j, "config");
		ofctl_json_config(&j, &cfg);
		json_obj_end(&j);
		json_obj_end(&j);
		json_emit(&out);
	} else {
		buf_printf(&out, "OFPT_FEATURES_REPLY (OF1.3) (xid=0x%" PRIx32 "): ", fx);
		ofp_features_reply_format(&f, &out);
		buf_printf(&out, "\n");
		mp_header(&out, OFPMP_PORT_DESC, px);
		buf_printf(&out, "\n");
		for (size_t i = 0; i < pd.port_desc.n; i++)
			ofp_port_desc_format(&pd.port_desc.items[i], &out);
		buf_printf(&out, "OFPT_GET_CONFIG_REPLY (OF1.3) (xid=0x%" PRIx32 "): ", cx);
		ofp_switch_config_format(&cfg, &out);
		buf_printf(&out, "\n");
		emit(&out);
	}
	buf_uninit(&req);
	buf_uninit(&rep);
	buf_uninit(&out);
	arena_free(&a);
}

static void
json_desc(struct ofctl *c, struct json *j, const void *rep)
{
	(void)c;
	ofctl_json_desc(j, &((const struct ofp_multipart_reply *)rep)->desc);
}

static void
text_desc(struct ofctl *c, struct buf *out, const void *rep)
{
	(void)c;
	ofp_desc_format(&((const struct ofp_multipart_reply *)rep)->desc, out);
	buf_printf(out, "\n");
}

static void
cmd_dump_desc(struct ofctl *c, int argc, char *argv[])
{
	static const struct view v = { NULL, json_desc, "\n", text_desc };
	struct ofp_multipart_request r = { .type = OFPMP_DESC };

	(void)argc;
	(void)argv;
	dump_print(c, &r, &v);
}

static bool
same_table_stats(const struct ofp_table_stats *a, const struct ofp_table_stats *b)
{
	return a->active_count == b->active_count && a->lookup_count == b->lookup_count &&
	       a->matched_count == b->matched_count;
}

static void
json_tables(struct ofctl *c, struct json *j, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	(void)c;
	for (size_t i = 0; i < r->table.n; i++)
		ofctl_json_table_stats(j, &r->table.items[i]);
}

static void
text_tables(struct ofctl *c, struct buf *out, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;
	const struct ofp_table_stats *t = r->table.items;

	(void)c;
	/* Runs of tables with the same counters as the one before are shown as "ditto",
	 * as ovs-ofctl does for its 254 mostly empty tables. */
	for (size_t i = 0; i < r->table.n;) {
		size_t k = i + 1;
		if (i) {
			while (k < r->table.n && same_table_stats(&t[k], &t[i - 1]))
				k++;
		}
		if (i && same_table_stats(&t[i], &t[i - 1]) && k - i > 1) {
			buf_printf(out, "  tables %u...%u: ditto\n", t[i].table_id,
				   t[k - 1].table_id);
			i = k;
			continue;
		}
		ofp_table_stats_format(&t[i], out);
		if (i + 1 < r->table.n)
			buf_printf(out, "\n");
		i++;
	}
}

static void
cmd_dump_tables(struct ofctl *c, int argc, char *argv[])
{
	static const struct view v = { "tables", json_tables, "\n", text_tables };
	struct ofp_multipart_request r = { .type = OFPMP_TABLE };

	(void)argc;
	(void)argv;
	dump_print(c, &r, &v);
}

static void
json_table_features(struct ofctl *c, struct json *j, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	(void)c;
	for (size_t i = 0; i < r->table_features.n; i++)
		ofctl_json_table_features(j, &r->table_features.items[i]);
}

static void
text_table_features(struct ofctl *c, struct buf *out, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	(void)c;
	for (size_t i = 0; i < r->table_features.n; i++)
		ofp_table_features_format(&r->table_features.items[i], out);
}

static const struct view table_features_view = { "tables", json_table_features, "\n",
						 text_table_features };

static void
cmd_dump_table_features(struct ofctl *c, int argc, char *argv[])
{
	struct ofp_multipart_request r = { .type = OFPMP_TABLE_FEATURES };

	(void)argc;
	(void)argv;
	dump_print(c, &r, &table_features_view);
}

/* set-table-features SWITCH FILE: FILE ("-" = stdin) holds the JSON that
 * --json dump-table-features prints; the switch's reply is printed as dump-table-features
 * prints it. */
static void
cmd_set_table_features(struct ofctl *c, int argc, char *argv[])
{
	struct ofp_multipart_request r = { .type = OFPMP_TABLE_FEATURES };
	struct arena a = ARENA_INITIALIZER;
	struct buf text;
	struct jval *root;
	char err[256];

	(void)argc;
	text = read_file_lines(argv[1]);
	if (json_parse(buf_cstr(&text), &a, &root, err, sizeof err) ||
	    ofctl_table_features_from_json(root, &a, &r.table_features.items, &r.table_features.n,
					   err, sizeof err))
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s: %s", argv[1], err);
	buf_uninit(&text);
	dump_print(c, &r, &table_features_view);
	arena_free(&a);
}

static void
parse_stats_request(struct ofctl *c, const char *text, struct ofp_flow_stats_request *fr)
{
	char err[256];
	char *t = ofctl_names_to_numbers(c, text ? text : "");
	int rc = ofp_flow_stats_request_parse(t, fr, err, sizeof err);

	free(t);
	if (rc)
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s", err);
}

static void
json_flows(struct ofctl *c, struct json *j, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	for (size_t i = 0; i < r->flow.n; i++)
		ofctl_json_flow_stats(c, j, &r->flow.items[i]);
}

static void
text_flows(struct ofctl *c, struct buf *out, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	for (size_t i = 0; i < r->flow.n; i++) {
		size_t start = out->size;
		ofp_flow_stats_format_ex(&r->flow.items[i], c->no_stats ? OFP_FLOW_FMT_NO_STATS : 0,
					 out);
		names_and_newline(c, out, start);
		if (out->size > (1u << 20))
			emit(out);
	}
}

static void
cmd_dump_flows(struct ofctl *c, int argc, char *argv[])
{
	/* ovs-ofctl leaves the reply header out when it sorts or hides statistics. */
	static const struct view v = { "flows", json_flows, "\n", text_flows };
	static const struct view bare = { "flows", json_flows, NULL, text_flows };
	struct ofp_multipart_request r = { .type = OFPMP_FLOW };
	struct ofp_multipart_reply rep;
	struct arena a = ARENA_INITIALIZER;
	uint32_t xid;

	parse_stats_request(c, argc > 1 ? argv[1] : NULL, &r.flow);
	xid = ofctl_dump(c, &r, &a, &rep);
	if (c->n_sorts)
		ofctl_sort_flow_stats(c, rep.flow.items, rep.flow.n);
	print_mp(c, c->n_sorts || c->no_stats ? &bare : &v, r.type, xid, &rep);
	arena_free(&a);
}

static void
json_aggregate(struct ofctl *c, struct json *j, const void *rep)
{
	(void)c;
	ofctl_json_aggregate(j, &((const struct ofp_multipart_reply *)rep)->aggregate);
}

static void
text_aggregate(struct ofctl *c, struct buf *out, const void *rep)
{
	(void)c;
	ofp_aggregate_stats_reply_format(&((const struct ofp_multipart_reply *)rep)->aggregate,
					 out);
	buf_printf(out, "\n");
}

static void
cmd_dump_aggregate(struct ofctl *c, int argc, char *argv[])
{
	static const struct view v = { NULL, json_aggregate, " ", text_aggregate };
	struct ofp_multipart_request r = { .type = OFPMP_AGGREGATE };

	parse_stats_request(c, argc > 1 ? argv[1] : NULL, &r.flow);
	dump_print(c, &r, &v);
}

/* Parses one flow_mod line for add/mod/del with the options' strictness. */
static void
parse_flow_mod(struct ofctl *c, const char *text, uint8_t command, struct arena *a,
	       struct ofp_flow_mod *fm, const char *file, unsigned line)
{
	char err[256];
	char *t = ofctl_names_to_numbers(c, text);

	if (ofp_flow_mod_parse(t, command, a, fm, err, sizeof err)) {
		free(t);
		if (file)
			ofctl_fatal(OFCTL_EXIT_USAGE, "%s:%u: %s", file, line, err);
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s", err);
	}
	/* Without table=, deletes apply to every table (as ovs-ofctl sends them). */
	if ((command == OFPFC_DELETE || command == OFPFC_DELETE_STRICT) && !has_table(t))
		fm->table_id = OFPTT_ALL;
	free(t);
}

static void
flow_mod_cmd(struct ofctl *c, const char *text, uint8_t command, const char *what)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf msg = BUF_INITIALIZER;
	struct ofp_flow_mod fm;
	uint32_t xid;

	parse_flow_mod(c, text, command, &a, &fm, NULL, 0);
	xid = vconn_next_xid(ofctl_connect(c));
	check_encode(ofp_flow_mod_encode(&fm, xid, &msg), "the flow_mod");
	send_one(c, &msg, what);
	buf_uninit(&msg);
	arena_free(&a);
}

static void
cmd_add_flow(struct ofctl *c, int argc, char *argv[])
{
	(void)argc;
	flow_mod_cmd(c, argv[1], OFPFC_ADD, "flow_mod (add)");
}

static void
cmd_mod_flows(struct ofctl *c, int argc, char *argv[])
{
	(void)argc;
	flow_mod_cmd(c, argv[1], c->strict ? OFPFC_MODIFY_STRICT : OFPFC_MODIFY,
		     "flow_mod (modify)");
}

static void
cmd_del_flows(struct ofctl *c, int argc, char *argv[])
{
	flow_mod_cmd(c, argc > 1 ? argv[1] : "", c->strict ? OFPFC_DELETE_STRICT : OFPFC_DELETE,
		     "flow_mod (delete)");
}

/* add-flows: one flow per line; a line may start with add, modify, modify_strict,
 * delete or delete_strict (as in ovs-ofctl). */
static void
cmd_add_flows(struct ofctl *c, int argc, char *argv[])
{
	static const struct {
		const char *word;
		uint8_t command;
	} words[] = {
		{ "add", OFPFC_ADD },
		{ "modify", OFPFC_MODIFY },
		{ "mod", OFPFC_MODIFY },
		{ "modify_strict", OFPFC_MODIFY_STRICT },
		{ "delete", OFPFC_DELETE },
		{ "del", OFPFC_DELETE },
		{ "delete_strict", OFPFC_DELETE_STRICT },
	};
	struct buf all = read_file_lines(argv[1]), msgs = BUF_INITIALIZER;
	struct arena a = ARENA_INITIALIZER;
	unsigned *lines = NULL, line = 0;
	size_t n = 0, alloc = 0;
	uint32_t first_xid = 0;
	char *l;
	struct vconn *vc = ofctl_connect(c);

	(void)argc;
	/* strtok_r would merge empty lines and lose numbering: split by hand. */
	for (char *p = (char *)buf_cstr(&all); p && *p; p = l) {
		char *nl = strchr(p, '\n');
		l = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		line++;
		char *hash = strchr(p, '#');
		if (hash)
			*hash = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			continue;
		uint8_t command = OFPFC_ADD;
		for (size_t w = 0; w < ARRAY_SIZE(words); w++) {
			size_t wl = strlen(words[w].word);
			if (!strncmp(p, words[w].word, wl) && (isspace((unsigned char)p[wl]))) {
				command = words[w].command;
				p += wl;
				break;
			}
		}
		struct ofp_flow_mod fm;
		parse_flow_mod(c, p, command, &a, &fm, argv[1], line);
		uint32_t xid = vconn_next_xid(vc);
		if (!n)
			first_xid = xid;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			lines = pfs_realloc(lines, alloc * sizeof *lines);
			if (!lines)
				ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
		}
		lines[n++] = line;
		check_encode(ofp_flow_mod_encode(&fm, xid, &msgs), "a flow_mod");
	}
	if (n)
		ofctl_send_and_barrier(c, &msgs, n, first_xid, "add-flows", argv[1], lines);
	free(lines);
	buf_uninit(&all);
	buf_uninit(&msgs);
	arena_free(&a);
}

/* diff-flows and replace-flows sources: "a name that starts with / or . is a file, one
 * with : is a switch, otherwise a file if it exists" (ovs-ofctl's rule). */
static bool
is_file(const char *s)
{
	struct stat st;

	if (!strcmp(s, "-") || *s == '/' || *s == '.')
		return true;
	if (strchr(s, ':'))
		return false;
	return !stat(s, &st);
}

static void
read_source(struct ofctl *c, const char *src, struct ofctl_flow_set *s)
{
	if (is_file(src)) {
		ofctl_flows_from_file(c, src, s);
		return;
	}
	struct ofctl sub = *c;
	sub.vc = NULL;
	sub.target = src;
	sub.ports_loaded = false;
	sub.ports = NULL;
	resolve_target(c, src, "mgmt", sub.target_name, sizeof sub.target_name);
	ofctl_flows_from_switch(&sub, s);
	vconn_close(sub.vc);
	free(sub.ports);
}

static void
cmd_diff_flows(struct ofctl *c, int argc, char *argv[])
{
	struct ofctl_flow_set a, b;
	size_t n;

	(void)argc;
	ofctl_flow_set_init(&a);
	ofctl_flow_set_init(&b);
	c->target = NULL; /* port names in files need a switch; sources bring their own */
	read_source(c, argv[0], &a);
	read_source(c, argv[1], &b);
	n = ofctl_flows_diff(c, &a, &b);
	ofctl_flow_set_uninit(&a);
	ofctl_flow_set_uninit(&b);
	fflush(stdout);
	exit(n ? OFCTL_EXIT_DIFFERENT : OFCTL_EXIT_OK);
}

static void
cmd_replace_flows(struct ofctl *c, int argc, char *argv[])
{
	struct ofctl_flow_set cur, want;

	(void)argc;
	ofctl_flow_set_init(&cur);
	ofctl_flow_set_init(&want);
	ofctl_flows_from_file(c, argv[1], &want);
	ofctl_flows_from_switch(c, &cur);
	ofctl_flows_replace(c, &cur, &want);
	ofctl_flow_set_uninit(&cur);
	ofctl_flow_set_uninit(&want);
}

static void
json_port_stats(struct ofctl *c, struct json *j, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	for (size_t i = 0; i < r->port_stats.n; i++)
		ofctl_json_port_stats(c, j, &r->port_stats.items[i]);
}

static void
text_port_stats(struct ofctl *c, struct buf *out, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	buf_printf(out, " %zu ports\n", r->port_stats.n);
	for (size_t i = 0; i < r->port_stats.n; i++) {
		size_t start = out->size;
		ofp_port_stats_format(&r->port_stats.items[i], out);
		if (c->names)
			ofctl_numbers_to_names(c, out, start);
	}
}

static void
cmd_dump_ports(struct ofctl *c, int argc, char *argv[])
{
	static const struct view v = { "ports", json_port_stats, "", text_port_stats };
	struct ofp_multipart_request r = { .type = OFPMP_PORT_STATS };

	r.port_stats.port_no = argc > 1 ? parse_port_arg(c, argv[1]) : OFPP_ANY;
	dump_print(c, &r, &v);
}

static void
json_port_desc(struct ofctl *c, struct json *j, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	for (size_t i = 0; i < r->port_desc.n; i++)
		ofctl_json_port_desc(c, j, NULL, &r->port_desc.items[i]);
}

static void
text_port_desc(struct ofctl *c, struct buf *out, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	(void)c;
	for (size_t i = 0; i < r->port_desc.n; i++)
		ofp_port_desc_format(&r->port_desc.items[i], out);
}

static void
cmd_dump_ports_desc(struct ofctl *c, int argc, char *argv[])
{
	static const struct view v = { "ports", json_port_desc, "\n", text_port_desc };
	struct ofp_multipart_request r = { .type = OFPMP_PORT_DESC };
	struct ofp_multipart_reply rep;
	struct arena a = ARENA_INITIALIZER;
	uint32_t xid, only = argc > 1 ? parse_port_arg(c, argv[1]) : OFPP_ANY;
	size_t n = 0;

	xid = ofctl_dump(c, &r, &a, &rep);
	sort_ports(rep.port_desc.items, rep.port_desc.n);
	for (size_t i = 0; i < rep.port_desc.n; i++)
		if (only == OFPP_ANY || rep.port_desc.items[i].port_no == only)
			rep.port_desc.items[n++] = rep.port_desc.items[i];
	rep.port_desc.n = n;
	print_mp(c, &v, r.type, xid, &rep);
	arena_free(&a);
}

static void
cmd_mod_port(struct ofctl *c, int argc, char *argv[])
{
	struct ofp_multipart_request r = { .type = OFPMP_PORT_DESC };
	struct ofp_multipart_reply rep;
	struct arena a = ARENA_INITIALIZER;
	struct buf msg = BUF_INITIALIZER;
	struct ofp_port_mod pm;
	const struct ofp_port_desc *p = NULL;
	uint32_t port;

	/* The port is looked up for its hw_addr, which PORT_MOD must carry. */
	ofctl_dump(c, &r, &a, &rep);
	c->ports_loaded = false;
	port = parse_port_arg(c, argv[1]);
	for (size_t i = 0; i < rep.port_desc.n; i++)
		if (rep.port_desc.items[i].port_no == port)
			p = &rep.port_desc.items[i];
	if (!p)
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s: no port \"%s\" on the switch", c->target,
			    argv[1]);
	memset(&pm, 0, sizeof pm);
	pm.port_no = p->port_no;
	memcpy(pm.hw_addr, p->hw_addr, sizeof pm.hw_addr);
	for (int i = 2; i < argc; i++) {
		int err = ofp_port_mod_parse_action(argv[i], &pm.config, &pm.mask);
		if (err == -EOPNOTSUPP)
			ofctl_fatal(OFCTL_EXIT_USAGE,
				    "\"%s\": OpenFlow 1.3 has no port flag for this (its STP and "
				    "flooding bits were removed in 1.1)",
				    argv[i]);
		if (err)
			ofctl_fatal(OFCTL_EXIT_USAGE,
				    "\"%s\": unknown mod-port action (up, down, receive, "
				    "no-receive, forward, no-forward, packet-in, no-packet-in)",
				    argv[i]);
	}
	check_encode(ofp_port_mod_encode(&pm, vconn_next_xid(ofctl_connect(c)), &msg), "port_mod");
	send_one(c, &msg, "port_mod");
	buf_uninit(&msg);
	arena_free(&a);
}

static void
get_config(struct ofctl *c, struct ofp_switch_config *cfg, uint32_t *xid)
{
	struct buf req = BUF_INITIALIZER, rep = BUF_INITIALIZER;
	struct ofp_err perr;

	*xid = vconn_next_xid(ofctl_connect(c));
	check_encode(ofp_empty_encode(OFPT_GET_CONFIG_REQUEST, *xid, &req), "config request");
	transact(c, &req, &rep, "get-config request");
	if (ofp_switch_config_decode(rep.data, rep.size, NULL, cfg, &perr))
		ofctl_fatal(OFCTL_EXIT_REFUSED, "%s: malformed GET_CONFIG_REPLY", c->target);
	buf_uninit(&req);
	buf_uninit(&rep);
}

static void
json_config(struct ofctl *c, struct json *j, const void *cfg)
{
	(void)c;
	ofctl_json_config(j, cfg);
}

static void
text_config(struct ofctl *c, struct buf *out, const void *cfg)
{
	(void)c;
	ofp_switch_config_format(cfg, out);
	buf_printf(out, "\n");
}

static void
cmd_get_config(struct ofctl *c, int argc, char *argv[])
{
	static const struct view v = { NULL, json_config, " ", text_config };
	struct ofp_switch_config cfg;
	uint32_t xid;

	(void)argc;
	(void)argv;
	get_config(c, &cfg, &xid);
	print_view(c, &v, "OFPT_GET_CONFIG_REPLY", xid, &cfg);
}

static const char *const frag_names[] = { "normal", "drop", "reasm" };

static uint16_t
parse_frags(const char *s)
{
	for (uint16_t i = 0; i < ARRAY_SIZE(frag_names); i++)
		if (!strcmp(s, frag_names[i]))
			return i;
	ofctl_fatal(OFCTL_EXIT_USAGE, "\"%s\": frags must be normal, drop or reasm", s);
}

static void
set_config(struct ofctl *c, const struct ofp_switch_config *cfg)
{
	struct buf msg = BUF_INITIALIZER;

	check_encode(ofp_set_config_encode(cfg, vconn_next_xid(ofctl_connect(c)), &msg),
		     "set_config");
	send_one(c, &msg, "set_config");
	buf_uninit(&msg);
}

static void
cmd_set_config(struct ofctl *c, int argc, char *argv[])
{
	struct ofp_switch_config cfg;
	uint32_t xid;

	get_config(c, &cfg, &xid);
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "frags=", 6))
			cfg.flags = (uint16_t)((cfg.flags & ~OFPC_FRAG_MASK) |
					       parse_frags(argv[i] + 6));
		else if (!strncmp(argv[i], "miss_send_len=", 14))
			cfg.miss_send_len = (uint16_t)(!strcasecmp(argv[i] + 14, "no_buffer")
							       ? 0xffff
							       : parse_u32("miss_send_len",
									   argv[i] + 14, 0xffff));
		else
			ofctl_fatal(OFCTL_EXIT_USAGE,
				    "\"%s\": expected frags=normal|drop|reasm or miss_send_len=N",
				    argv[i]);
	}
	set_config(c, &cfg);
}

static void
cmd_get_frags(struct ofctl *c, int argc, char *argv[])
{
	struct ofp_switch_config cfg;
	uint32_t xid;

	(void)argc;
	(void)argv;
	get_config(c, &cfg, &xid);
	printf("%s\n",
	       (cfg.flags & OFPC_FRAG_MASK) < 3 ? frag_names[cfg.flags & OFPC_FRAG_MASK] : "0x3");
}

static void
cmd_set_frags(struct ofctl *c, int argc, char *argv[])
{
	struct ofp_switch_config cfg;
	uint32_t xid;

	(void)argc;
	get_config(c, &cfg, &xid);
	cfg.flags = (uint16_t)((cfg.flags & ~OFPC_FRAG_MASK) | parse_frags(argv[1]));
	set_config(c, &cfg);
}

/* ---- groups ---- */

static void
group_mod_cmd(struct ofctl *c, const char *text, uint16_t command, const char *what)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf msg = BUF_INITIALIZER;
	struct ofp_group_mod gm;
	char err[256];
	char *t = ofctl_names_to_numbers(c, text);
	int rc = ofp_group_mod_parse(t, command, &a, &gm, err, sizeof err);

	free(t);
	if (rc) {
		arena_free(&a);
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s", err);
	}
	check_encode(ofp_group_mod_encode(&gm, vconn_next_xid(ofctl_connect(c)), &msg), what);
	send_one(c, &msg, what);
	buf_uninit(&msg);
	arena_free(&a);
}

static void
cmd_add_group(struct ofctl *c, int argc, char *argv[])
{
	(void)argc;
	group_mod_cmd(c, argv[1], OFPGC_ADD, "group_mod (add)");
}

static void
cmd_mod_group(struct ofctl *c, int argc, char *argv[])
{
	(void)argc;
	group_mod_cmd(c, argv[1], OFPGC_MODIFY, "group_mod (modify)");
}

static void
cmd_del_groups(struct ofctl *c, int argc, char *argv[])
{
	group_mod_cmd(c, argc > 1 ? argv[1] : "group_id=all", OFPGC_DELETE, "group_mod (delete)");
}

static void
json_group_desc(struct ofctl *c, struct json *j, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	for (size_t i = 0; i < r->group_desc.n; i++)
		ofctl_json_group_desc(c, j, &r->group_desc.items[i]);
}

static void
text_group_desc(struct ofctl *c, struct buf *out, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	for (size_t i = 0; i < r->group_desc.n; i++) {
		size_t start = out->size;
		ofp_group_desc_format(&r->group_desc.items[i], out);
		names_and_newline(c, out, start);
	}
}

static void
cmd_dump_groups(struct ofctl *c, int argc, char *argv[])
{
	static const struct view v = { "groups", json_group_desc, "\n", text_group_desc };
	struct ofp_multipart_request r = { .type = OFPMP_GROUP_DESC };
	struct ofp_multipart_reply rep;
	struct arena a = ARENA_INITIALIZER;
	uint32_t xid, only = argc > 1 ? parse_id_arg(argv[1], "group_id", OFPG_ALL) : OFPG_ALL;
	size_t n = 0;

	xid = ofctl_dump(c, &r, &a, &rep);
	/* OpenFlow 1.3 has no group filter for GROUP_DESC: filter here, as ovs-ofctl. */
	for (size_t i = 0; i < rep.group_desc.n; i++)
		if (only == OFPG_ALL || rep.group_desc.items[i].group_id == only)
			rep.group_desc.items[n++] = rep.group_desc.items[i];
	rep.group_desc.n = n;
	print_mp(c, &v, r.type, xid, &rep);
	arena_free(&a);
}

static void
json_group_stats(struct ofctl *c, struct json *j, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	(void)c;
	for (size_t i = 0; i < r->group.n; i++)
		ofctl_json_group_stats(j, &r->group.items[i]);
}

static void
text_group_stats(struct ofctl *c, struct buf *out, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	(void)c;
	for (size_t i = 0; i < r->group.n; i++) {
		ofp_group_stats_format(&r->group.items[i], out);
		buf_printf(out, "\n");
	}
}

static void
cmd_dump_group_stats(struct ofctl *c, int argc, char *argv[])
{
	static const struct view v = { "groups", json_group_stats, "\n", text_group_stats };
	struct ofp_multipart_request r = { .type = OFPMP_GROUP };

	r.group.group_id = argc > 1 ? parse_id_arg(argv[1], "group_id", OFPG_ALL) : OFPG_ALL;
	dump_print(c, &r, &v);
}

static void
json_group_features(struct ofctl *c, struct json *j, const void *rep)
{
	(void)c;
	ofctl_json_group_features(j, &((const struct ofp_multipart_reply *)rep)->group_features);
}

static void
text_group_features(struct ofctl *c, struct buf *out, const void *rep)
{
	(void)c;
	ofp_group_features_format(&((const struct ofp_multipart_reply *)rep)->group_features, out);
	end_line(out);
}

static void
cmd_dump_group_features(struct ofctl *c, int argc, char *argv[])
{
	static const struct view v = { NULL, json_group_features, "\n", text_group_features };
	struct ofp_multipart_request r = { .type = OFPMP_GROUP_FEATURES };

	(void)argc;
	(void)argv;
	dump_print(c, &r, &v);
}

/* ---- meters ---- */

static void
meter_mod_cmd(struct ofctl *c, const char *text, uint16_t command, const char *what)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf msg = BUF_INITIALIZER;
	struct ofp_meter_mod mm;
	char err[256];

	if (ofp_meter_mod_parse(text, command, &a, &mm, err, sizeof err))
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s", err);
	check_encode(ofp_meter_mod_encode(&mm, vconn_next_xid(ofctl_connect(c)), &msg), what);
	send_one(c, &msg, what);
	buf_uninit(&msg);
	arena_free(&a);
}

static void
cmd_add_meter(struct ofctl *c, int argc, char *argv[])
{
	(void)argc;
	meter_mod_cmd(c, argv[1], OFPMC_ADD, "meter_mod (add)");
}

static void
cmd_mod_meter(struct ofctl *c, int argc, char *argv[])
{
	(void)argc;
	meter_mod_cmd(c, argv[1], OFPMC_MODIFY, "meter_mod (modify)");
}

static void
cmd_del_meters(struct ofctl *c, int argc, char *argv[])
{
	meter_mod_cmd(c, argc > 1 ? argv[1] : "meter=all", OFPMC_DELETE, "meter_mod (delete)");
}

static void
json_meters(struct ofctl *c, struct json *j, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	(void)c;
	for (size_t i = 0; i < r->meter_config.n; i++)
		ofctl_json_meter_config(j, &r->meter_config.items[i]);
}

static void
text_meters(struct ofctl *c, struct buf *out, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	(void)c;
	for (size_t i = 0; i < r->meter_config.n; i++) {
		if (i)
			buf_printf(out, "\n"); /* ovs-ofctl's blank line between meters */
		ofp_meter_config_format(&r->meter_config.items[i], out);
		buf_printf(out, "\n");
	}
}

static void
json_meter_stats(struct ofctl *c, struct json *j, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	(void)c;
	for (size_t i = 0; i < r->meter.n; i++)
		ofctl_json_meter_stats(j, &r->meter.items[i]);
}

static void
text_meter_stats(struct ofctl *c, struct buf *out, const void *rep)
{
	const struct ofp_multipart_reply *r = rep;

	(void)c;
	for (size_t i = 0; i < r->meter.n; i++) {
		if (i)
			buf_printf(out, "\n");
		ofp_meter_stats_format(&r->meter.items[i], out);
		buf_printf(out, "\n");
	}
}

static void
cmd_dump_meters(struct ofctl *c, int argc, char *argv[])
{
	static const struct view v = { "meters", json_meters, "\n", text_meters };
	struct ofp_multipart_request r = { .type = OFPMP_METER_CONFIG };

	r.meter.meter_id = argc > 1 ? parse_id_arg(argv[1], "meter", OFPM_ALL) : OFPM_ALL;
	dump_print(c, &r, &v);
}

static void
cmd_meter_stats(struct ofctl *c, int argc, char *argv[])
{
	static const struct view v = { "meters", json_meter_stats, "\n", text_meter_stats };
	struct ofp_multipart_request r = { .type = OFPMP_METER };

	r.meter.meter_id = argc > 1 ? parse_id_arg(argv[1], "meter", OFPM_ALL) : OFPM_ALL;
	dump_print(c, &r, &v);
}

static void
json_meter_features(struct ofctl *c, struct json *j, const void *rep)
{
	(void)c;
	ofctl_json_meter_features(j, &((const struct ofp_multipart_reply *)rep)->meter_features);
}

static void
text_meter_features(struct ofctl *c, struct buf *out, const void *rep)
{
	(void)c;
	ofp_meter_features_format(&((const struct ofp_multipart_reply *)rep)->meter_features, out);
	end_line(out);
}

static void
cmd_meter_features(struct ofctl *c, int argc, char *argv[])
{
	static const struct view v = { NULL, json_meter_features, "\n", text_meter_features };
	struct ofp_multipart_request r = { .type = OFPMP_METER_FEATURES };

	(void)argc;
	(void)argv;
	dump_print(c, &r, &v);
}

/* ---- packet-out ---- */

static int
hex_value(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

void
ofctl_parse_hex(const char *s, struct arena *a, const uint8_t **data, size_t *len)
{
	size_t n = strlen(s), k = 0;
	uint8_t *p = arena_alloc(a, n / 2 + 1);

	if (!p)
		ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
	while (*s) {
		if (isspace((unsigned char)*s) || strchr(":.", *s)) {
			s++;
			continue;
		}
		int hi = hex_value(s[0]), lo = s[1] ? hex_value(s[1]) : -1;
		if (hi < 0 || lo < 0)
			ofctl_fatal(OFCTL_EXIT_USAGE, "packet: \"%.8s\" is not hex", s);
		p[k++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	*data = p;
	*len = k;
}

static void
cmd_packet_out(struct ofctl *c, int argc, char *argv[])
{
	struct arena a = ARENA_INITIALIZER;
	struct buf msg = BUF_INITIALIZER;
	struct ofp_packet_out po;
	char err[256];
	char *text = NULL;

	memset(&po, 0, sizeof po);
	po.buffer_id = OFP_NO_BUFFER;
	po.in_port = OFPP_CONTROLLER;
	if (argc == 2) {
		/* "in_port=1 packet=<hex> actions=..." (keys in any order, actions last). */
		text = ofctl_names_to_numbers(c, argv[1]);
		char *acts = strstr(text, "actions=");
		if (!acts)
			ofctl_fatal(OFCTL_EXIT_USAGE, "packet-out: \"actions=\" is missing");
		*acts = '\0';
		acts += strlen("actions=");
		for (char *save = NULL, *tok = strtok_r(text, ", \t", &save); tok;
		     tok = strtok_r(NULL, ", \t", &save)) {
			if (!strncmp(tok, "in_port=", 8))
				po.in_port = parse_port_arg(c, tok + 8);
			else if (!strncmp(tok, "packet=", 7))
				ofctl_parse_hex(tok + 7, &a, &po.data.data, &po.data.len);
			else if (!strncmp(tok, "buffer_id=", 10))
				po.buffer_id = parse_u32("buffer_id", tok + 10, UINT32_MAX);
			else
				ofctl_fatal(OFCTL_EXIT_USAGE, "packet-out: unknown key \"%s\"",
					    tok);
		}
		if (ofp_actions_parse(acts, &a, &po.actions, err, sizeof err))
			ofctl_fatal(OFCTL_EXIT_USAGE, "%s", err);
	} else {
		/* Old form: IN_PORT ACTIONS PACKET... */
		po.in_port = parse_port_arg(c, argv[1]);
		char *acts = ofctl_names_to_numbers(c, argv[2]);
		if (ofp_actions_parse(acts, &a, &po.actions, err, sizeof err))
			ofctl_fatal(OFCTL_EXIT_USAGE, "%s", err);
		free(acts);
		if (argc > 3)
			ofctl_parse_hex(argv[3], &a, &po.data.data, &po.data.len);
	}
	if (po.buffer_id == OFP_NO_BUFFER && !po.data.len)
		ofctl_fatal(OFCTL_EXIT_USAGE, "packet-out: no packet= given");
	check_encode(ofp_packet_out_encode(&po, vconn_next_xid(ofctl_connect(c)), &msg),
		     "packet_out");
	send_one(c, &msg, "packet_out");
	free(text);
	buf_uninit(&msg);
	arena_free(&a);
}

/* ---- monitor, snoop, probe, role ---- */

static void
print_message(struct ofctl *c, const uint8_t *msg, size_t len)
{
	struct buf out = BUF_INITIALIZER;

	if (c->json) {
		struct json j;
		json_init(&j, &out);
		ofctl_json_message(c, &j, msg, len);
		buf_printf(&out, "\n");
	} else {
		ofp_message_print(msg, len, &out);
		if (c->names)
			ofctl_numbers_to_names(c, &out, 0);
		if (!out.size || out.data[out.size - 1] != '\n')
			buf_printf(&out, "\n");
	}
	emit(&out);
	buf_uninit(&out);
	fflush(stdout);
}

/* Prints every message until --max messages, --timeout or the connection ends. */
static void
watch(struct ofctl *c, struct vconn *vc, bool any_version)
{
	long n = 0;

	vc->timeout_ms = -1; /* only the deadline ends a quiet wait */
	while (c->max_msgs < 0 || n < c->max_msgs) {
		const uint8_t *msg;
		size_t len;
		int err = vconn_recv(vc, &msg, &len);
		if (err == -EPROTO && any_version) {
			printf("(OpenFlow version 0x%02x message, type %u, %zu bytes)\n", msg[0],
			       msg[1], len);
			fflush(stdout);
			n++;
			continue;
		}
		if (err == -ETIMEDOUT && c->timeout_s >= 0)
			return; /* --timeout: a normal end */
		if (err)
			ofctl_fatal_vconn(c, err, "monitor");
		print_message(c, msg, len);
		n++;
	}
}

static void
cmd_monitor(struct ofctl *c, int argc, char *argv[])
{
	struct vconn *vc = ofctl_connect(c);

	if (argc > 1) {
		/* As ovs-ofctl: a miss length asks the switch for packet-ins on this
		 * connection (switches do not send async messages to a management client
		 * that asked for none). */
		struct ofp_switch_config cfg;
		uint32_t xid;
		get_config(c, &cfg, &xid);
		cfg.miss_send_len = (uint16_t)parse_u32("miss-len", argv[1], 0xffff);
		set_config(c, &cfg);
	}
	watch(c, vc, false);
}

static void
cmd_snoop(struct ofctl *c, int argc, char *argv[])
{
	struct vconn *vc;

	(void)argc;
	resolve_target(c, argv[0], "snoop", c->target_name, sizeof c->target_name);
	vc = ofctl_connect(c);
	/* Every message on the snoop socket is a mirrored copy of a controller connection:
	 * the switch's echo requests to a controller are shown, not answered. */
	vc->echo_passthrough = true;
	watch(c, vc, true);
}

static void
cmd_probe(struct ofctl *c, int argc, char *argv[])
{
	struct buf req = BUF_INITIALIZER, rep = BUF_INITIALIZER, out = BUF_INITIALIZER;
	struct ofp_echo e = { { (const uint8_t *)"pfs-ofctl probe", 15 } };
	struct timespec t0, t1;
	double ms;

	(void)argc;
	(void)argv;
	check_encode(ofp_echo_request_encode(&e, vconn_next_xid(ofctl_connect(c)), &req),
		     "echo request");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	transact(c, &req, &rep, "echo request");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rep.size < 8 || rep.data[1] != OFPT_ECHO_REPLY)
		ofctl_fatal(OFCTL_EXIT_REFUSED, "%s: echo request answered by message type %u",
			    c->target, rep.size >= 8 ? rep.data[1] : 0);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (c->json) {
		struct json j;
		json_init(&j, &out);
		json_obj_begin(&j, NULL);
		json_bool(&j, "alive", true);
		json_u64(&j, "rtt_us", (uint64_t)(ms * 1000));
		json_obj_end(&j);
		json_emit(&out);
	}
	buf_uninit(&req);
	buf_uninit(&rep);
	buf_uninit(&out);
}

static void
json_role(struct ofctl *c, struct json *j, const void *role)
{
	(void)c;
	ofctl_json_role(j, role);
}

static void
text_role(struct ofctl *c, struct buf *out, const void *role)
{
	(void)c;
	ofp_role_format(role, out);
	buf_printf(out, "\n");
}

static void
cmd_role(struct ofctl *c, int argc, char *argv[])
{
	static const char *const roles[] = { "nochange", "equal", "master", "slave" };
	static const struct view v = { NULL, json_role, " ", text_role };
	struct buf req = BUF_INITIALIZER, rep = BUF_INITIALIZER;
	struct ofp_role r = { OFPCR_ROLE_NOCHANGE, 0 }, got;
	struct ofp_err perr;
	uint32_t xid;
	size_t i;

	if (argc > 1) {
		for (i = 0; i < ARRAY_SIZE(roles); i++)
			if (!strcasecmp(argv[1], roles[i]))
				break;
		if (i == ARRAY_SIZE(roles))
			ofctl_fatal(OFCTL_EXIT_USAGE,
				    "\"%s\": role must be nochange, equal, master or slave",
				    argv[1]);
		r.role = (uint32_t)i;
	}
	if (argc > 2) {
		char *end;
		errno = 0;
		r.generation_id = strtoull(argv[2], &end, 0);
		if (*end || errno || argv[2][0] == '-')
			ofctl_fatal(OFCTL_EXIT_USAGE, "\"%s\": generation id must be a number",
				    argv[2]);
	}
	xid = vconn_next_xid(ofctl_connect(c));
	check_encode(ofp_role_request_encode(&r, xid, &req), "role request");
	transact(c, &req, &rep, "role request");
	if (ofp_role_decode(rep.data, rep.size, NULL, &got, &perr))
		ofctl_fatal(OFCTL_EXIT_REFUSED, "%s: malformed ROLE_REPLY", c->target);
	print_view(c, &v, "OFPT_ROLE_REPLY", xid, &got);
	buf_uninit(&req);
	buf_uninit(&rep);
}

static const struct cmd commands[] = {
	{ "show", 1, 1, cmd_show, "SWITCH" },
	{ "dump-desc", 1, 1, cmd_dump_desc, "SWITCH" },
	{ "dump-tables", 1, 1, cmd_dump_tables, "SWITCH" },
	{ "dump-table-features", 1, 1, cmd_dump_table_features, "SWITCH" },
	{ "set-table-features", 2, 2, cmd_set_table_features, "SWITCH FILE" },
	{ "dump-flows", 1, 2, cmd_dump_flows, "SWITCH [FLOW]" },
	{ "dump-aggregate", 1, 2, cmd_dump_aggregate, "SWITCH [FLOW]" },
	{ "add-flow", 2, 2, cmd_add_flow, "SWITCH FLOW" },
	{ "add-flows", 2, 2, cmd_add_flows, "SWITCH FILE|-" },
	{ "mod-flows", 2, 2, cmd_mod_flows, "SWITCH FLOW" },
	{ "del-flows", 1, 2, cmd_del_flows, "SWITCH [FLOW]" },
	{ "replace-flows", 2, 2, cmd_replace_flows, "SWITCH FILE|-" },
	{ "diff-flows", 2, 2, cmd_diff_flows, "SOURCE1 SOURCE2", TARGET_NONE },
	{ "dump-ports", 1, 2, cmd_dump_ports, "SWITCH [PORT]" },
	{ "dump-ports-desc", 1, 2, cmd_dump_ports_desc, "SWITCH [PORT]" },
	{ "mod-port", 3, 16, cmd_mod_port, "SWITCH PORT ACTION..." },
	{ "get-config", 1, 1, cmd_get_config, "SWITCH" },
	{ "set-config", 2, 3, cmd_set_config, "SWITCH [frags=MODE] [miss_send_len=N]" },
	{ "get-frags", 1, 1, cmd_get_frags, "SWITCH" },
	{ "set-frags", 2, 2, cmd_set_frags, "SWITCH normal|drop|reasm" },
	{ "add-group", 2, 2, cmd_add_group, "SWITCH GROUP" },
	{ "mod-group", 2, 2, cmd_mod_group, "SWITCH GROUP" },
	{ "del-groups", 1, 2, cmd_del_groups, "SWITCH [GROUP]" },
	{ "dump-groups", 1, 2, cmd_dump_groups, "SWITCH [GROUP_ID]" },
	{ "dump-group-stats", 1, 2, cmd_dump_group_stats, "SWITCH [GROUP_ID]" },
	{ "dump-group-features", 1, 1, cmd_dump_group_features, "SWITCH" },
	{ "add-meter", 2, 2, cmd_add_meter, "SWITCH METER" },
	{ "mod-meter", 2, 2, cmd_mod_meter, "SWITCH METER" },
	{ "del-meters", 1, 2, cmd_del_meters, "SWITCH [METER]" },
	{ "dump-meters", 1, 2, cmd_dump_meters, "SWITCH [METER_ID]" },
	{ "meter-stats", 1, 2, cmd_meter_stats, "SWITCH [METER_ID]" },
	{ "meter-features", 1, 1, cmd_meter_features, "SWITCH" },
	{ "packet-out", 2, 4, cmd_packet_out, "SWITCH \"in_port=P packet=HEX actions=A\"" },
	{ "monitor", 1, 2, cmd_monitor, "SWITCH [MISS_LEN]" },
	{ "snoop", 1, 1, cmd_snoop, "BRIDGE", TARGET_BRIDGE },
	{ "probe", 1, 1, cmd_probe, "SWITCH" },
	{ "role", 1, 3, cmd_role, "SWITCH [nochange|equal|master|slave [GENERATION_ID]]" },
	{ "save", 2, 2, ofctl_cmd_save, "SWITCH FILE" },
	{ "restore", 2, 2, ofctl_cmd_restore, "SWITCH FILE" },
	{ "trace", 2, 2, ofctl_cmd_trace, "SWITCH \"in_port=P,FLOW\"|\"in_port=P packet=HEX\"" },
	{ "top", 1, 1, ofctl_top, "SWITCH [--sort=packets|bytes] [--count=N] [--interval=SECS]" },
	{ "show-pipeline", 1, 1, ofctl_show_pipeline, "SWITCH [--dot|--svg]" },
};

static void
usage(FILE *f)
{
	fprintf(f,
		"%s: OpenFlow 1.3 switch management utility\n"
		"usage: %s [OPTIONS] COMMAND ARG...\n"
		"SWITCH is a bridge name (its RUNDIR/BRIDGE.mgmt socket), unix:PATH, "
		"tcp:IP[:PORT] or\nssl:IP[:PORT] (port 6653 by default).\n\nCommands:\n",
		program, program);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-20s %s\n", commands[i].name, commands[i].usage);
	fprintf(f,
		"\nOptions:\n"
		"  --strict             mod-flows/del-flows match priority and match exactly\n"
		"  --names, --no-names  show port names in flows and port stats\n"
		"  --no-stats           dump-flows without statistics\n"
		"  --sort[=FIELD], --rsort[=FIELD]  sort dump-flows (priority, n_packets, "
		"n_bytes,\n"
		"                       duration, cookie, table, idle_timeout, hard_timeout, "
		"any match field)\n"
		"  --json               JSON output (see pfs-ofctl(8))\n"
		"  --readd              replace-flows re-adds unchanged flows too\n"
		"  --rundir=DIR         bridge sockets directory (default $PFSWITCH_RUNDIR "
		"or " DEFAULT_RUNDIR ")\n"
		"  -t, --timeout=SECS   give up (monitor, snoop: stop) after SECS seconds\n"
		"  -p, --private-key=FILE  ssl: this client's private key (PEM)\n"
		"  -c, --certificate=FILE  ssl: this client's certificate (PEM)\n"
		"  -C, --ca-cert=FILE   ssl: the CA certificate the switch's must chain to\n"
		"  --max=N              monitor, snoop: stop after N messages\n"
		"  --interval=SECS      top: seconds between frames (default 1)\n"
		"  --count=N            top: rows of flows and of ports (default 10)\n"
		"  --once, --iterations=N  top: stop after 1 or N frames\n"
		"  --dot, --svg         show-pipeline: Graphviz text (default) or SVG (runs dot)\n"
		"  -O OpenFlow13        accepted for ovs-ofctl compatibility\n"
		"  -h, --help           this help;  -V, --version  the version\n"
		"\nExit status: 0 ok, 1 refused by the switch, 2 diff-flows found "
		"differences,\n3 switch unreachable or timed out, 4 bad usage or syntax.\n");
}

enum {
	OPT_STRICT = 256,
	OPT_NAMES,
	OPT_NO_NAMES,
	OPT_NO_STATS,
	OPT_SORT,
	OPT_RSORT,
	OPT_JSON,
	OPT_READD,
	OPT_RUNDIR,
	OPT_MAX,
	OPT_INTERVAL,
	OPT_COUNT,
	OPT_ONCE,
	OPT_ITERATIONS,
	OPT_DOT,
	OPT_SVG,
	OPT_PRIVATE_KEY = 'p',
	OPT_CERTIFICATE = 'c',
	OPT_CA_CERT = 'C',
};

/* --interval: seconds, 0.1 to a day. */
static double
parse_interval(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !(v >= 0.1 && v <= 86400))
		ofctl_fatal(OFCTL_EXIT_USAGE, "--interval=%s: expected seconds from 0.1 to 86400",
			    s);
	return v;
}

static void
add_sort(struct ofctl *c, const char *field, bool descending)
{
	if (c->n_sorts == OFCTL_MAX_SORTS)
		ofctl_fatal(OFCTL_EXIT_USAGE, "too many --sort/--rsort options");
	if (!field)
		field = "priority";
	/* top's sort keys, which mean the same counters for dump-flows */
	if (!strcmp(field, "packets") || !strcmp(field, "bytes"))
		field = field[0] == 'p' ? "n_packets" : "n_bytes";
	if (!ofctl_sort_field_valid(field))
		ofctl_fatal(OFCTL_EXIT_USAGE, "--%s=%s: unknown field",
			    descending ? "rsort" : "sort", field);
	c->sorts[c->n_sorts].field = field;
	c->sorts[c->n_sorts].descending = descending;
	c->n_sorts++;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "names", no_argument, NULL, OPT_NAMES },
		{ "no-names", no_argument, NULL, OPT_NO_NAMES },
		{ "no-stats", no_argument, NULL, OPT_NO_STATS },
		{ "sort", optional_argument, NULL, OPT_SORT },
		{ "rsort", optional_argument, NULL, OPT_RSORT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "readd", no_argument, NULL, OPT_READD },
		{ "rundir", required_argument, NULL, OPT_RUNDIR },
		{ "timeout", required_argument, NULL, 't' },
		{ "max", required_argument, NULL, OPT_MAX },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "iterations", required_argument, NULL, OPT_ITERATIONS },
		{ "dot", no_argument, NULL, OPT_DOT },
		{ "svg", no_argument, NULL, OPT_SVG },
		{ "private-key", required_argument, NULL, OPT_PRIVATE_KEY },
		{ "certificate", required_argument, NULL, OPT_CERTIFICATE },
		{ "ca-cert", required_argument, NULL, OPT_CA_CERT },
		{ "protocols", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ofctl c;
	const struct cmd *cmd = NULL;
	int opt, nargs;

	memset(&c, 0, sizeof c);
	c.timeout_s = -1;
	c.max_msgs = -1;
	c.interval_s = 1;
	c.count = 10;
	c.iterations = -1;
	c.rundir = getenv("PFSWITCH_RUNDIR");
	if (!c.rundir || !*c.rundir)
		c.rundir = DEFAULT_RUNDIR;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "t:O:p:c:C:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_STRICT:
			c.strict = true;
			break;
		case OPT_NAMES:
			c.names = true;
			break;
		case OPT_NO_NAMES:
			c.names = false;
			break;
		case OPT_NO_STATS:
			c.no_stats = true;
			break;
		case OPT_SORT:
		case OPT_RSORT:
			add_sort(&c, optarg, opt == OPT_RSORT);
			break;
		case OPT_JSON:
			c.json = true;
			break;
		case OPT_READD:
			c.readd = true;
			break;
		case OPT_RUNDIR:
			c.rundir = optarg;
			break;
		case 't':
			c.timeout_s = (int)parse_u32("--timeout", optarg, 86400 * 365);
			break;
		case OPT_MAX:
			c.max_msgs = (long)parse_u32("--max", optarg, UINT32_MAX);
			break;
		case OPT_INTERVAL:
			c.interval_s = parse_interval(optarg);
			break;
		case OPT_COUNT:
			c.count = (long)parse_u32("--count", optarg, UINT32_MAX);
			break;
		case OPT_ONCE:
			c.iterations = 1;
			break;
		case OPT_ITERATIONS:
			c.iterations = (long)parse_u32("--iterations", optarg, UINT32_MAX);
			break;
		case OPT_DOT:
		case OPT_SVG:
			c.svg = opt == OPT_SVG;
			break;
		case OPT_PRIVATE_KEY:
			c.private_key = optarg;
			break;
		case OPT_CERTIFICATE:
			c.certificate = optarg;
			break;
		case OPT_CA_CERT:
			c.ca_cert = optarg;
			break;
		case 'O':
			if (strcasecmp(optarg, "OpenFlow13") && strcmp(optarg, "0x04"))
				ofctl_fatal(OFCTL_EXIT_USAGE, "-O %s: only OpenFlow13 is supported",
					    optarg);
			break;
		case 'h':
			usage(stdout);
			return OFCTL_EXIT_OK;
		case 'V':
			printf("pfs-ofctl (pfswitch) %s\nOpenFlow versions 0x4:0x4\n", PFS_VERSION);
			return OFCTL_EXIT_OK;
		default:
			ofctl_fatal(OFCTL_EXIT_USAGE,
				    "unknown or incomplete option \"%s\" (try --help)",
				    argv[optind - 1]);
		}
	}
	if (optind >= argc)
		ofctl_fatal(OFCTL_EXIT_USAGE, "missing command name (try --help)");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[optind], commands[i].name))
			cmd = &commands[i];
	if (!cmd)
		ofctl_fatal(OFCTL_EXIT_USAGE, "unknown command \"%s\" (try --help)", argv[optind]);
	nargs = argc - optind - 1;
	if (nargs < cmd->min_args || nargs > cmd->max_args)
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s: expected %s", cmd->name, cmd->usage);
	if (cmd->target != TARGET_NONE)
		c.target = argv[optind + 1];
	if (cmd->target == TARGET_SWITCH)
		resolve_target(&c, c.target, "mgmt", c.target_name, sizeof c.target_name);
	cmd->run(&c, nargs, argv + optind + 1);
	fflush(stdout);
	vconn_close(c.vc);
	stream_tls_ctx_destroy(c.tls);
	free(c.ports);
	if (ferror(stdout))
		ofctl_fatal(OFCTL_EXIT_REFUSED, "error writing the output");
	return OFCTL_EXIT_OK;
}
