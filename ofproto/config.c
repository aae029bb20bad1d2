/* INI configuration for pfswitchd through libinih (see config.h). libinih calls us once
 * per "name = value"; to know line numbers (and to see sections that have no keys) we
 * feed it through our own line reader, which counts lines and tracks section headers.
 * Each key is described once in a table: its section kind, name and parser. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include <ini.h>
#include <unistd.h>

#include "openflow.h"
#include "stream.h"
#include "stream_tls.h"
#include "util.h"
#include "vlog.h"

enum section_kind {
	SEC_NONE, /* before any section header */
	SEC_DPDK,
	SEC_SWITCH,
	SEC_BRIDGE,
	SEC_PORT,
};

struct parse_state {
	struct config *cfg;
	const char *text; /* reader position */
	int line;	  /* line number of the line last handed to inih */
	enum section_kind sec;
	size_t idx;    /* bridge or port index for SEC_BRIDGE / SEC_PORT */
	uint64_t seen; /* keys seen in the current section (bit per table index) */
	int tls_line;  /* first ssl:/pssl: controller, 0 if none */
	int err_line;  /* first error, 0 if none */
	char err[256];
	bool nomem;
	int queue_line; /* last line of conn_queue_pause / _max / conn_async_max, 0 if none */
};

static void __attribute__((format(printf, 3, 4)))
fail(struct parse_state *st, int line, const char *fmt, ...)
{
	va_list ap;

	if (st->err_line)
		return;
	st->err_line = line > 0 ? line : 1;
	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
}

void
config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->workers = 1;
	cfg->log_level = VLOG_INFO;
	cfg->microflow_cache = true;
	cfg->idle_polls_before_sleep = 1000;
	cfg->idle_sleep_us = 100;
	cfg->conn.queue_pause = CONFIG_CONN_QUEUE_PAUSE_DEFAULT;
	cfg->conn.queue_max = CONFIG_CONN_QUEUE_MAX_DEFAULT;
	cfg->conn.async_max = CONFIG_CONN_ASYNC_MAX_DEFAULT;
	cfg->conn.stall_timeout_s = CONFIG_CONN_STALL_TIMEOUT_DEFAULT;
	cfg->conn.max_conns = CONFIG_MAX_CONNECTIONS_DEFAULT;
	cfg->conn.max_per_listener = CONFIG_MAX_PER_LISTENER_DEFAULT;
	cfg->conn.mp_timeout_s = CONFIG_MP_TIMEOUT_DEFAULT;
	cfg->conn.mp_max = CONFIG_MP_MAX_DEFAULT;
	cfg->conn.bundle_idle_timeout_s = CONFIG_BUNDLE_IDLE_TIMEOUT_DEFAULT;
	cfg->conn.bundle_max_open = CONFIG_BUNDLE_MAX_OPEN_DEFAULT;
	cfg->conn.bundle_max_msgs = CONFIG_BUNDLE_MAX_MSGS_DEFAULT;
	cfg->conn.bundle_max_bytes = CONFIG_BUNDLE_MAX_BYTES_DEFAULT;
	cfg->ssl_verify_peer = true;
	cfg->group_bucket_budget = 256;
	cfg->rx_interrupts = true;
	cfg->timer_slack_ns = 1000;
	cfg->consolidate_below_pct = 10;
	cfg->consolidate_above_pct = 50;
	cfg->mac_table_size = 8192;
	cfg->mac_aging_s = 300;
	cfg->mac_max_per_port = 1024;
}

static void
bridge_free(struct config_bridge *b)
{
	for (size_t i = 0; i < b->n_controllers; i++)
		free(b->controllers[i]);
	free(b->controllers);
	free(b->description);
}

void
config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_bridges; i++)
		bridge_free(&cfg->bridges[i]);
	for (size_t i = 0; i < cfg->n_ports; i++) {
		free(cfg->ports[i].devargs);
		free(cfg->ports[i].vhost_socket);
	}
	free(cfg->bridges);
	free(cfg->ports);
	free(cfg->eal);
	free(cfg->rundir);
	free(cfg->metrics);
	free(cfg->handover_socket);
	free(cfg->state_file);
	free(cfg->ssl_private_key);
	free(cfg->ssl_certificate);
	free(cfg->ssl_ca_cert);
	free(cfg->file);
	memset(cfg, 0, sizeof(*cfg));
}

const struct config_bridge *
config_find_bridge(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_bridges; i++)
		if (!strcmp(cfg->bridges[i].name, name))
			return &cfg->bridges[i];
	return NULL;
}

/* ---- Value parsers: 0 or -EINVAL with a reason in st ------------------------------- */

static int
parse_u64(struct parse_state *st, const char *name, const char *v, uint64_t min, uint64_t max,
	  uint64_t *out)
{
	char *end;
	unsigned long long x;

	errno = 0;
	if (!*v || *v == '-' || isspace((unsigned char)*v))
		goto bad;
	x = strtoull(v, &end, 0);
	if (errno || *end)
		goto bad;
	if (x < min || x > max) {
		fail(st, st->line, "%s: %s is out of range [%" PRIu64 ", %" PRIu64 "]", name, v,
		     min, max);
		return -EINVAL;
	}
	*out = x;
	return 0;
bad:
	fail(st, st->line, "%s: '%s' is not a number", name, v);
	return -EINVAL;
}

static int
parse_uint(struct parse_state *st, const char *name, const char *v, unsigned min, unsigned max,
	   unsigned *out)
{
	uint64_t x;
	int r = parse_u64(st, name, v, min, max, &x);

	if (!r)
		*out = (unsigned)x;
	return r;
}

static int
parse_bool(struct parse_state *st, const char *name, const char *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	fail(st, st->line, "%s: '%s' is not a boolean (true/false, yes/no, on/off, 1/0)", name, v);
	return -EINVAL;
}

static int
set_string(struct parse_state *st, char **dst, const char *v)
{
	char *s = strdup(v);

	if (!s) {
		st->nomem = true;
		return -ENOMEM;
	}
	free(*dst);
	*dst = s;
	return 0;
}

static bool
valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > CONFIG_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

/* ---- Keys ------------------------------------------------------------------------ */

#define KEY_REPEATABLE 1u

struct key_desc {
	enum section_kind sec;
	const char *name;
	unsigned flags;
	int (*set)(struct parse_state *st, const char *name, const char *v);
};

#define CUR_BRIDGE(st) (&(st)->cfg->bridges[(st)->idx])
#define CUR_PORT(st) (&(st)->cfg->ports[(st)->idx])

static int
k_eal(struct parse_state *st, const char *n, const char *v)
{
	(void)n;
	return set_string(st, &st->cfg->eal, v);
}

static int
k_n_mbufs(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 0, 1u << 30, &st->cfg->n_mbufs);
}

static int
k_miss_ring_size(struct parse_state *st, const char *n, const char *v)
{
	unsigned x;

	if (parse_uint(st, n, v, 0, 1u << 24, &x))
		return -EINVAL;
	if (x & (x - 1)) {
		fail(st, st->line, "%s: %u is not a power of two", n, x);
		return -EINVAL;
	}
	st->cfg->miss_ring_size = x;
	return 0;
}

static int
k_workers(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, 128, &st->cfg->workers);
}

static int
k_mac_table_size(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 16, 1u << 20, &st->cfg->mac_table_size);
}

static int
k_mac_aging(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, 1000000, &st->cfg->mac_aging_s);
}

static int
k_mac_max_per_port(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 0, 1u << 24, &st->cfg->mac_max_per_port);
}

static int
k_rundir(struct parse_state *st, const char *n, const char *v)
{
	if (v[0] != '/') {
		fail(st, st->line, "%s: '%s' is not an absolute path", n, v);
		return -EINVAL;
	}
	/* RUNDIR/BRIDGE.snoop must fit a unix socket path (108 bytes). */
	if (strlen(v) > 80) {
		fail(st, st->line, "%s: path longer than 80 bytes (unix socket paths are short)",
		     n);
		return -EINVAL;
	}
	return set_string(st, &st->cfg->rundir, v);
}

static int
k_handover(struct parse_state *st, const char *n, const char *v)
{
	if (v[0] != '/') {
		fail(st, st->line, "%s: '%s' is not an absolute path", n, v);
		return -EINVAL;
	}
	if (strlen(v) >= 108) {
		fail(st, st->line, "%s: path longer than 107 bytes (a unix socket path)", n);
		return -EINVAL;
	}
	return set_string(st, &st->cfg->handover_socket, v);
}

static int
k_state_file(struct parse_state *st, const char *n, const char *v)
{
	if (!strcmp(v, "off") || !strcmp(v, "none")) {
		free(st->cfg->state_file);
		st->cfg->state_file = NULL;
		return 0;
	}
	if (v[0] != '/') {
		fail(st, st->line, "%s: '%s' is not an absolute path (or off)", n, v);
		return -EINVAL;
	}
	if (strlen(v) > 4000) {
		fail(st, st->line, "%s: path longer than 4000 bytes", n);
		return -EINVAL;
	}
	return set_string(st, &st->cfg->state_file, v);
}

static int
k_metrics(struct parse_state *st, const char *n, const char *v)
{
	struct stream_addr addr;
	char why[160];

	if (!strcmp(v, "off") || !strcmp(v, "none")) {
		free(st->cfg->metrics);
		st->cfg->metrics = NULL;
		return 0;
	}
	if (stream_addr_parse(v, 0, &addr, why, sizeof(why))) {
		fail(st, st->line, "%s: %s", n, why);
		return -EINVAL;
	}
	if (addr.kind != STREAM_TCP && addr.kind != STREAM_UNIX) {
		fail(st, st->line, "%s: '%s' is not tcp:IP:PORT or unix:PATH", n, v);
		return -EINVAL;
	}
	return set_string(st, &st->cfg->metrics, v);
}

static int
k_log_level(struct parse_state *st, const char *n, const char *v)
{
	int l = vlog_level_from_name(v);

	if (l < 0) {
		fail(st, st->line, "%s: '%s' is not one of err, warn, info, dbg", n, v);
		return -EINVAL;
	}
	st->cfg->log_level = l;
	return 0;
}

static int
k_max_masks(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 0, 65536, &st->cfg->max_masks_per_table);
}

static int
k_cache(struct parse_state *st, const char *n, const char *v)
{
	return parse_bool(st, n, v, &st->cfg->microflow_cache);
}

static int
k_idle_polls(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 0, UINT_MAX, &st->cfg->idle_polls_before_sleep);
}

static int
k_idle_sleep(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 0, 1000000, &st->cfg->idle_sleep_us);
}

/* conn_queue_pause, conn_queue_max and conn_async_max are checked against each other
 * once the whole file is read (validate_queue_limits), so their order does not
 * matter. */
static int
k_queue_pause(struct parse_state *st, const char *n, const char *v)
{
	st->queue_line = st->line;
	return parse_uint(st, n, v, 4096, 1u << 30, &st->cfg->conn.queue_pause);
}

static int
k_queue_max(struct parse_state *st, const char *n, const char *v)
{
	st->queue_line = st->line;
	return parse_uint(st, n, v, 1u << 20, 1u << 30, &st->cfg->conn.queue_max);
}

static int
k_async_max(struct parse_state *st, const char *n, const char *v)
{
	st->queue_line = st->line;
	return parse_uint(st, n, v, 65536, 1u << 30, &st->cfg->conn.async_max);
}

static void
validate_queue_limits(struct parse_state *st)
{
	const struct config_conn_limits *l = &st->cfg->conn;

	if (l->queue_pause > l->queue_max / 2)
		fail(st, st->queue_line,
		     "conn_queue_pause (%u) must be at most half of conn_queue_max (%u)",
		     l->queue_pause, l->queue_max);
	else if (l->async_max > l->queue_max)
		fail(st, st->queue_line, "conn_async_max (%u) must be at most conn_queue_max (%u)",
		     l->async_max, l->queue_max);
}

static int
k_stall_timeout(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 0, 3600, &st->cfg->conn.stall_timeout_s);
}

static int
k_max_conns(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, 1000000, &st->cfg->conn.max_conns);
}

static int
k_max_per_listener(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, 1000000, &st->cfg->conn.max_per_listener);
}

static int
k_mp_timeout(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, 3600, &st->cfg->conn.mp_timeout_s);
}

static int
k_mp_max(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 65536, 1u << 30, &st->cfg->conn.mp_max);
}

static int
k_bundle_idle(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, 3600, &st->cfg->conn.bundle_idle_timeout_s);
}

static int
k_bundle_open(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, 1024, &st->cfg->conn.bundle_max_open);
}

static int
k_bundle_msgs(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, 10000000, &st->cfg->conn.bundle_max_msgs);
}

static int
k_bundle_bytes(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 65536, 1u << 30, &st->cfg->conn.bundle_max_bytes);
}

/* A PEM file for TLS: it must exist and be readable now (its content is checked once
 * every ssl_ key is known, in validate()). */
static int
set_tls_file(struct parse_state *st, const char *n, const char *v, char **dst)
{
	if (!*v) {
		fail(st, st->line, "%s: empty", n);
		return -EINVAL;
	}
	if (access(v, R_OK)) {
		fail(st, st->line, "%s: %s: %s", n, v, strerror(errno));
		return -EINVAL;
	}
	return set_string(st, dst, v);
}

static int
k_ssl_key(struct parse_state *st, const char *n, const char *v)
{
	return set_tls_file(st, n, v, &st->cfg->ssl_private_key);
}

static int
k_ssl_cert(struct parse_state *st, const char *n, const char *v)
{
	return set_tls_file(st, n, v, &st->cfg->ssl_certificate);
}

static int
k_ssl_ca(struct parse_state *st, const char *n, const char *v)
{
	return set_tls_file(st, n, v, &st->cfg->ssl_ca_cert);
}

static int
k_ssl_verify(struct parse_state *st, const char *n, const char *v)
{
	return parse_bool(st, n, v, &st->cfg->ssl_verify_peer);
}

static int
k_group_budget(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, 65536, &st->cfg->group_bucket_budget);
}

static int
k_idle_link(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 0, 1000000, &st->cfg->idle_link_speed_mbps);
}

static int
k_rx_intr(struct parse_state *st, const char *n, const char *v)
{
	return parse_bool(st, n, v, &st->cfg->rx_interrupts);
}

static int
k_timer_slack(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 0, 1000000000, &st->cfg->timer_slack_ns);
}

static int
k_consolidate(struct parse_state *st, const char *n, const char *v)
{
	return parse_bool(st, n, v, &st->cfg->consolidate);
}

static int
k_cons_below(struct parse_state *st, const char *n, const char *v)
{
	st->cfg->consolidate_pct_line = st->line;
	return parse_uint(st, n, v, 1, 100, &st->cfg->consolidate_below_pct);
}

static int
k_cons_above(struct parse_state *st, const char *n, const char *v)
{
	st->cfg->consolidate_pct_line = st->line;
	return parse_uint(st, n, v, 1, 100, &st->cfg->consolidate_above_pct);
}

static int
k_dpid(struct parse_state *st, const char *n, const char *v)
{
	uint64_t x;

	if (parse_u64(st, n, v, 0, UINT64_MAX, &x))
		return -EINVAL;
	CUR_BRIDGE(st)->datapath_id = x;
	CUR_BRIDGE(st)->datapath_id_set = true;
	return 0;
}

static int
k_fail_mode(struct parse_state *st, const char *n, const char *v)
{
	if (!strcasecmp(v, "standalone"))
		CUR_BRIDGE(st)->fail_mode = CONFIG_FAIL_STANDALONE;
	else if (!strcasecmp(v, "secure"))
		CUR_BRIDGE(st)->fail_mode = CONFIG_FAIL_SECURE;
	else {
		fail(st, st->line, "%s: '%s' is not standalone or secure", n, v);
		return -EINVAL;
	}
	return 0;
}

static int
k_controller(struct parse_state *st, const char *n, const char *v)
{
	struct config_bridge *b = CUR_BRIDGE(st);
	struct stream_addr addr;
	char why[160];
	char **c;
	int r;

	r = stream_addr_parse(v, OFP_TCP_PORT, &addr, why, sizeof(why));
	if (r) {
		fail(st, st->line, "%s: %s", n, why);
		return -EINVAL;
	}
	if (stream_addr_is_tls(&addr) && !st->tls_line)
		st->tls_line = st->line;
	if (addr.kind == STREAM_UNIX) {
		/* An active unix: controller would need a controller listening on a path;
		 * allowed, as Open vSwitch allows it. */
	}
	for (size_t i = 0; i < b->n_controllers; i++) {
		if (!strcmp(b->controllers[i], v)) {
			fail(st, st->line, "%s: '%s' is listed twice", n, v);
			return -EINVAL;
		}
	}
	c = realloc(b->controllers, (b->n_controllers + 1) * sizeof(*c));
	if (!c) {
		st->nomem = true;
		return -ENOMEM;
	}
	b->controllers = c;
	c[b->n_controllers] = strdup(v);
	if (!c[b->n_controllers]) {
		st->nomem = true;
		return -ENOMEM;
	}
	b->n_controllers++;
	return 0;
}

static int
k_probe(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 0, 3600, &CUR_BRIDGE(st)->inactivity_probe_s);
}

static int
k_backoff(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, 3600, &CUR_BRIDGE(st)->max_backoff_s);
}

static int
k_max_flows(struct parse_state *st, const char *n, const char *v)
{
	unsigned x;

	if (parse_uint(st, n, v, 1, 100000000, &x))
		return -EINVAL;
	CUR_BRIDGE(st)->max_flows = x;
	return 0;
}

static int
k_max_total_flows(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, 100000000, &CUR_BRIDGE(st)->max_total_flows);
}

static int
k_max_groups(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, CONFIG_MAX_GROUPS, &CUR_BRIDGE(st)->max_groups);
}

static int
k_max_meters(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, CONFIG_MAX_METERS, &CUR_BRIDGE(st)->max_meters);
}

static int
k_br_pin_rate(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 0, 10000000, &CUR_BRIDGE(st)->bridge_packet_in_rate);
}

static int
k_br_pin_burst(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, 10000000, &CUR_BRIDGE(st)->bridge_packet_in_burst);
}

static int
k_pin_rate(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 0, 10000000, &CUR_BRIDGE(st)->packet_in_rate);
}

static int
k_pin_burst(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, 10000000, &CUR_BRIDGE(st)->packet_in_burst);
}

static int
k_pin_queue_port(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, 65536, &CUR_BRIDGE(st)->packet_in_queue_per_port);
}

static int
k_pin_queue_total(struct parse_state *st, const char *n, const char *v)
{
	return parse_uint(st, n, v, 1, 1u << 20, &CUR_BRIDGE(st)->packet_in_queue_total);
}

static int
k_description(struct parse_state *st, const char *n, const char *v)
{
	if (strlen(v) > 255) {
		fail(st, st->line, "%s: longer than 255 bytes", n);
		return -EINVAL;
	}
	return set_string(st, &CUR_BRIDGE(st)->description, v);
}

static int
k_local_port(struct parse_state *st, const char *n, const char *v)
{
	return parse_bool(st, n, v, &CUR_BRIDGE(st)->local_port);
}

static int
k_local_port_name(struct parse_state *st, const char *n, const char *v)
{
	struct config_bridge *b = CUR_BRIDGE(st);

	if (!valid_name(v)) {
		fail(st, st->line,
		     "%s: '%s' is not a valid interface name (1-%d of A-Z a-z 0-9 _ . -)", n, v,
		     CONFIG_NAME_MAX);
		return -EINVAL;
	}
	snprintf(b->local_port_name, sizeof(b->local_port_name), "%s", v);
	b->local_port_name_line = st->line;
	return 0;
}

static int
k_port_bridge(struct parse_state *st, const char *n, const char *v)
{
	if (!valid_name(v)) {
		fail(st, st->line, "%s: '%s' is not a valid bridge name", n, v);
		return -EINVAL;
	}
	snprintf(CUR_PORT(st)->bridge, sizeof(CUR_PORT(st)->bridge), "%s", v);
	CUR_PORT(st)->bridge_line = st->line;
	return 0;
}

static int
k_ofport(struct parse_state *st, const char *n, const char *v)
{
	uint64_t x;

	if (parse_u64(st, n, v, 1, OFPP_MAX, &x))
		return -EINVAL;
	CUR_PORT(st)->ofport = (uint32_t)x;
	return 0;
}

static int
k_devargs(struct parse_state *st, const char *n, const char *v)
{
	if (!*v) {
		fail(st, st->line, "%s: empty", n);
		return -EINVAL;
	}
	return set_string(st, &CUR_PORT(st)->devargs, v);
}

static int
k_port_type(struct parse_state *st, const char *n, const char *v)
{
	if (!strcasecmp(v, "vhost"))
		CUR_PORT(st)->vhost = true;
	else if (!strcasecmp(v, "dpdk"))
		CUR_PORT(st)->vhost = false;
	else {
		fail(st, st->line, "%s: '%s' is not dpdk or vhost", n, v);
		return -EINVAL;
	}
	CUR_PORT(st)->type_line = st->line;
	return 0;
}

/* The vhost-user socket: an absolute path that fits a unix socket address and holds no
 * devargs separator. */
static int
k_vhost_socket(struct parse_state *st, const char *n, const char *v)
{
	struct config_port *p = CUR_PORT(st);

	if (v[0] != '/') {
		fail(st, st->line, "%s: '%s' is not an absolute path", n, v);
		return -EINVAL;
	}
	if (strlen(v) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		fail(st, st->line, "%s: longer than a unix socket path (%zu bytes)", n,
		     sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		return -EINVAL;
	}
	if (strpbrk(v, ", \t")) {
		fail(st, st->line, "%s: '%s' holds a comma or blank (devargs cannot carry it)", n,
		     v);
		return -EINVAL;
	}
	if (!p->vhost_line)
		p->vhost_line = st->line;
	return set_string(st, &p->vhost_socket, v);
}

static int
k_vhost_mode(struct parse_state *st, const char *n, const char *v)
{
	struct config_port *p = CUR_PORT(st);

	if (!strcasecmp(v, "client"))
		p->vhost_server = false;
	else if (!strcasecmp(v, "server"))
		p->vhost_server = true;
	else {
		fail(st, st->line, "%s: '%s' is not client or server", n, v);
		return -EINVAL;
	}
	if (!p->vhost_line)
		p->vhost_line = st->line;
	return 0;
}

static const struct key_desc keys[] = {
	{ SEC_DPDK, "eal", 0, k_eal },
	{ SEC_DPDK, "n_mbufs", 0, k_n_mbufs },
	{ SEC_DPDK, "miss_ring_size", 0, k_miss_ring_size },
	{ SEC_SWITCH, "workers", 0, k_workers },
	{ SEC_SWITCH, "rundir", 0, k_rundir },
	{ SEC_SWITCH, "log_level", 0, k_log_level },
	{ SEC_SWITCH, "max_masks_per_table", 0, k_max_masks },
	{ SEC_SWITCH, "microflow_cache", 0, k_cache },
	{ SEC_SWITCH, "idle_polls_before_sleep", 0, k_idle_polls },
	{ SEC_SWITCH, "idle_sleep_us", 0, k_idle_sleep },
	{ SEC_SWITCH, "conn_queue_pause", 0, k_queue_pause },
	{ SEC_SWITCH, "conn_queue_max", 0, k_queue_max },
	{ SEC_SWITCH, "conn_async_max", 0, k_async_max },
	{ SEC_SWITCH, "conn_stall_timeout", 0, k_stall_timeout },
	{ SEC_SWITCH, "max_connections", 0, k_max_conns },
	{ SEC_SWITCH, "max_connections_per_listener", 0, k_max_per_listener },
	{ SEC_SWITCH, "multipart_request_timeout", 0, k_mp_timeout },
	{ SEC_SWITCH, "multipart_request_max", 0, k_mp_max },
	{ SEC_SWITCH, "bundle_idle_timeout", 0, k_bundle_idle },
	{ SEC_SWITCH, "bundle_max_open", 0, k_bundle_open },
	{ SEC_SWITCH, "bundle_max_messages", 0, k_bundle_msgs },
	{ SEC_SWITCH, "bundle_max_bytes", 0, k_bundle_bytes },
	{ SEC_SWITCH, "ssl_private_key", 0, k_ssl_key },
	{ SEC_SWITCH, "ssl_certificate", 0, k_ssl_cert },
	{ SEC_SWITCH, "ssl_ca_cert", 0, k_ssl_ca },
	{ SEC_SWITCH, "ssl_verify_peer", 0, k_ssl_verify },
	{ SEC_SWITCH, "group_bucket_budget", 0, k_group_budget },
	{ SEC_SWITCH, "idle_link_speed_mbps", 0, k_idle_link },
	{ SEC_SWITCH, "rx_interrupts", 0, k_rx_intr },
	{ SEC_SWITCH, "timer_slack_ns", 0, k_timer_slack },
	{ SEC_SWITCH, "consolidate", 0, k_consolidate },
	{ SEC_SWITCH, "consolidate_below_pct", 0, k_cons_below },
	{ SEC_SWITCH, "consolidate_above_pct", 0, k_cons_above },
	{ SEC_SWITCH, "mac_table_size", 0, k_mac_table_size },
	{ SEC_SWITCH, "mac_aging", 0, k_mac_aging },
	{ SEC_SWITCH, "mac_max_per_port", 0, k_mac_max_per_port },
	{ SEC_SWITCH, "metrics", 0, k_metrics },
	{ SEC_SWITCH, "handover_socket", 0, k_handover },
	{ SEC_SWITCH, "state_file", 0, k_state_file },
	{ SEC_BRIDGE, "datapath_id", 0, k_dpid },
	{ SEC_BRIDGE, "fail_mode", 0, k_fail_mode },
	{ SEC_BRIDGE, "controller", KEY_REPEATABLE, k_controller },
	{ SEC_BRIDGE, "inactivity_probe", 0, k_probe },
	{ SEC_BRIDGE, "max_backoff", 0, k_backoff },
	{ SEC_BRIDGE, "max_flows", 0, k_max_flows },
	{ SEC_BRIDGE, "packet_in_rate", 0, k_pin_rate },
	{ SEC_BRIDGE, "packet_in_burst", 0, k_pin_burst },
	{ SEC_BRIDGE, "max_total_flows", 0, k_max_total_flows },
	{ SEC_BRIDGE, "max_groups", 0, k_max_groups },
	{ SEC_BRIDGE, "max_meters", 0, k_max_meters },
	{ SEC_BRIDGE, "bridge_packet_in_rate", 0, k_br_pin_rate },
	{ SEC_BRIDGE, "bridge_packet_in_burst", 0, k_br_pin_burst },
	{ SEC_BRIDGE, "packet_in_queue_per_port", 0, k_pin_queue_port },
	{ SEC_BRIDGE, "packet_in_queue_total", 0, k_pin_queue_total },
	{ SEC_BRIDGE, "description", 0, k_description },
	{ SEC_BRIDGE, "local_port", 0, k_local_port },
	{ SEC_BRIDGE, "local_port_name", 0, k_local_port_name },
	{ SEC_PORT, "bridge", 0, k_port_bridge },
	{ SEC_PORT, "ofport", 0, k_ofport },
	{ SEC_PORT, "devargs", 0, k_devargs },
	{ SEC_PORT, "type", 0, k_port_type },
	{ SEC_PORT, "vhost_socket", 0, k_vhost_socket },
	{ SEC_PORT, "vhost_mode", 0, k_vhost_mode },
};

static const char *
section_label(enum section_kind k)
{
	switch (k) {
	case SEC_DPDK:
		return "[dpdk]";
	case SEC_SWITCH:
		return "[switch]";
	case SEC_BRIDGE:
		return "[bridge NAME]";
	case SEC_PORT:
		return "[port NAME]";
	default:
		return "the top of the file (before any section)";
	}
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;

	(void)section;
	if (st->err_line || st->nomem)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct key_desc *k = &keys[i];

		if (k->sec != st->sec || strcmp(k->name, name))
			continue;
		if ((st->seen >> i) & 1 && !(k->flags & KEY_REPEATABLE)) {
			fail(st, st->line, "%s: given twice in this section", name);
			return 0;
		}
		st->seen |= 1ull << i;
		return k->set(st, name, value) ? 0 : 1;
	}
	if (st->sec == SEC_NONE)
		fail(st, st->line, "'%s' outside any section", name);
	else
		fail(st, st->line, "unknown key '%s' in %s", name, section_label(st->sec));
	return 0;
}

/* Called by the reader for each "[...]" line. */
static void
section_begin(struct parse_state *st, const char *p)
{
	struct config *cfg = st->cfg;
	char kind[32], name[64], extra[2];
	const char *end = strchr(p, ']');
	char inner[128];
	size_t n;
	int k;

	st->seen = 0;
	st->sec = SEC_NONE;
	if (!end) {
		fail(st, st->line, "section header without ']'");
		return;
	}
	n = (size_t)(end - p - 1);
	if (n >= sizeof(inner)) {
		fail(st, st->line, "section header too long");
		return;
	}
	memcpy(inner, p + 1, n);
	inner[n] = '\0';
	k = sscanf(inner, "%31s %63s %1s", kind, name, extra);
	if (k <= 0) {
		fail(st, st->line, "empty section name");
		return;
	}
	if (k == 3) {
		fail(st, st->line, "section [%s]: too many words", inner);
		return;
	}
	if (!strcmp(kind, "dpdk") || !strcmp(kind, "switch")) {
		if (k != 1) {
			fail(st, st->line, "section [%s] takes no name", kind);
			return;
		}
		st->sec = !strcmp(kind, "dpdk") ? SEC_DPDK : SEC_SWITCH;
		/* Repeating [dpdk] or [switch] is allowed; a key twice is not. */
		return;
	}
	if (strcmp(kind, "bridge") && strcmp(kind, "port")) {
		fail(st, st->line,
		     "unknown section [%s] (expected dpdk, switch, bridge NAME, port NAME)", inner);
		return;
	}
	if (k != 2) {
		fail(st, st->line, "section [%s] needs a name: [%s NAME]", kind, kind);
		return;
	}
	if (!valid_name(name)) {
		fail(st, st->line, "%s name '%s': 1 to %d characters of A-Z a-z 0-9 _ . -", kind,
		     name, CONFIG_NAME_MAX);
		return;
	}
	if (!strcmp(kind, "bridge")) {
		struct config_bridge *b;

		for (size_t i = 0; i < cfg->n_bridges; i++) {
			if (!strcmp(cfg->bridges[i].name, name)) {
				fail(st, st->line, "bridge %s already defined at line %d", name,
				     cfg->bridges[i].line);
				return;
			}
		}
		b = realloc(cfg->bridges, (cfg->n_bridges + 1) * sizeof(*b));
		if (!b) {
			st->nomem = true;
			return;
		}
		cfg->bridges = b;
		b = &b[cfg->n_bridges];
		memset(b, 0, sizeof(*b));
		snprintf(b->name, sizeof(b->name), "%.15s", name);
		b->line = st->line;
		b->fail_mode = CONFIG_FAIL_STANDALONE;
		b->inactivity_probe_s = 5;
		b->max_backoff_s = 8;
		b->max_flows = 1000000;
		b->packet_in_rate = 1000;
		b->packet_in_burst = 100;
		b->max_total_flows = 1000000;
		b->max_groups = CONFIG_MAX_GROUPS;
		b->max_meters = CONFIG_MAX_METERS;
		b->bridge_packet_in_rate = 10000;
		b->bridge_packet_in_burst = 1000;
		b->packet_in_queue_per_port = 64;
		b->packet_in_queue_total = 1024;
		st->idx = cfg->n_bridges++;
		st->sec = SEC_BRIDGE;
	} else {
		struct config_port *pt;

		for (size_t i = 0; i < cfg->n_ports; i++) {
			if (!strcmp(cfg->ports[i].name, name)) {
				fail(st, st->line, "port %s already defined at line %d", name,
				     cfg->ports[i].line);
				return;
			}
		}
		pt = realloc(cfg->ports, (cfg->n_ports + 1) * sizeof(*pt));
		if (!pt) {
			st->nomem = true;
			return;
		}
		cfg->ports = pt;
		pt = &pt[cfg->n_ports];
		memset(pt, 0, sizeof(*pt));
		snprintf(pt->name, sizeof(pt->name), "%.15s", name);
		pt->line = st->line;
		st->idx = cfg->n_ports++;
		st->sec = SEC_PORT;
	}
}

/* fgets()-like reader over st->text that numbers lines and spots section headers
 * (libinih only reports sections along with their keys, and gives no line numbers). */
static char *
reader(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	const char *p = st->text, *nl;
	size_t n;

	if (!*p)
		return NULL;
	nl = strchr(p, '\n');
	n = nl ? (size_t)(nl - p) + 1 : strlen(p);
	st->line++;
	if (n > (size_t)num - 1) {
		fail(st, st->line, "line longer than %d characters", num - 3);
		/* Hand inih an empty line and skip the rest. */
		str[0] = '\n';
		str[1] = '\0';
		st->text = p + n;
		return str;
	}
	memcpy(str, p, n);
	str[n] = '\0';
	st->text = p + n;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '[') /* as inih: a header is the first thing on its line */
		section_begin(st, p);
	return str;
}

/* ssl:/pssl: controllers need the three PEM files, and they must load together. */
static int
validate_tls(struct parse_state *st)
{
	struct config *cfg = st->cfg;
	struct stream_tls_config tc = {
		.private_key = cfg->ssl_private_key,
		.certificate = cfg->ssl_certificate,
		.ca_cert = cfg->ssl_ca_cert,
		.verify_peer = cfg->ssl_verify_peer,
	};
	struct stream_tls_ctx *ctx;
	char why[512];

	cfg->uses_tls = st->tls_line != 0;
	if (!cfg->uses_tls)
		return 0;
	if (!tc.private_key || !tc.certificate || !tc.ca_cert) {
		fail(st, st->tls_line,
		     "an ssl:/pssl: controller needs ssl_private_key, ssl_certificate and "
		     "ssl_ca_cert in [switch]");
		return -EINVAL;
	}
	if (stream_tls_ctx_create(&tc, &ctx, why, sizeof(why))) {
		fail(st, st->tls_line, "TLS for this controller: %s", why);
		return -EINVAL;
	}
	stream_tls_ctx_destroy(ctx);
	return 0;
}

/* A LOCAL port is a port named local_port_name and a kernel interface of that name:
 * neither may be another port's name or another bridge's LOCAL port's. */
static int
validate_local_ports(struct parse_state *st)
{
	const struct config *cfg = st->cfg;

	for (size_t i = 0; i < cfg->n_bridges; i++) {
		const struct config_bridge *b = &cfg->bridges[i];
		int line = b->local_port_name_line ? b->local_port_name_line : b->line;

		if (!b->local_port)
			continue;
		for (size_t j = 0; j < cfg->n_ports; j++) {
			if (!strcmp(cfg->ports[j].name, b->local_port_name)) {
				fail(st, line,
				     "bridge %s: local port name %s is taken by the port at line "
				     "%d",
				     b->name, b->local_port_name, cfg->ports[j].line);
				return -EINVAL;
			}
		}
		for (size_t j = 0; j < i; j++) {
			const struct config_bridge *o = &cfg->bridges[j];

			if (o->local_port && !strcmp(o->local_port_name, b->local_port_name)) {
				fail(st, line, "bridge %s: local port name %s is bridge %s's too",
				     b->name, b->local_port_name, o->name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* A type = vhost port: checks its keys and builds its devargs, pfswitch as the
 * vhost-user client by default (the VM's QEMU, or a container's virtio-user, keeps the
 * socket; the vhost library reconnects when either side restarts). vhost_* keys on
 * another type are refused. 0 or -EINVAL (-ENOMEM noted in st). */
static int
port_vhost_devargs(struct parse_state *st, struct config_port *p)
{
	char buf[64 + sizeof(((struct sockaddr_un *)0)->sun_path)];

	if (!p->vhost) {
		if (p->vhost_line) {
			fail(st, p->vhost_line, "port %s: vhost_* keys need 'type = vhost'",
			     p->name);
			return -EINVAL;
		}
		return 0;
	}
	if (p->devargs) {
		fail(st, p->type_line, "port %s: 'type = vhost' takes vhost_socket, not devargs",
		     p->name);
		return -EINVAL;
	}
	if (!p->vhost_socket) {
		fail(st, p->type_line, "port %s: 'type = vhost' needs 'vhost_socket'", p->name);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "net_vhost_%s,iface=%s%s", p->name, p->vhost_socket,
		 p->vhost_server ? "" : ",client=1");
	if (set_string(st, &p->devargs, buf) < 0)
		return -EINVAL;
	return 0;
}

static int
validate(struct parse_state *st)
{
	struct config *cfg = st->cfg;

	if (validate_tls(st))
		return -EINVAL;

	if (cfg->consolidate_below_pct >= cfg->consolidate_above_pct) {
		fail(st, cfg->consolidate_pct_line,
		     "consolidate_below_pct (%u) must be less than consolidate_above_pct (%u)",
		     cfg->consolidate_below_pct, cfg->consolidate_above_pct);
		return -EINVAL;
	}
	for (size_t i = 0; i < cfg->n_bridges; i++) {
		struct config_bridge *b = &cfg->bridges[i];

		if (!b->datapath_id_set)
			b->datapath_id = i + 1;
		if (!b->local_port_name_line)
			snprintf(b->local_port_name, sizeof(b->local_port_name), "%s", b->name);
		for (size_t j = 0; j < i; j++) {
			if (cfg->bridges[j].datapath_id == b->datapath_id) {
				fail(st, b->line,
				     "bridge %s: datapath_id 0x%016" PRIx64
				     " already used by bridge %s",
				     b->name, b->datapath_id, cfg->bridges[j].name);
				return -EINVAL;
			}
		}
	}
	for (size_t i = 0; i < cfg->n_ports; i++) {
		struct config_port *p = &cfg->ports[i];

		if (!p->bridge[0]) {
			fail(st, p->line, "port %s: 'bridge' is required", p->name);
			return -EINVAL;
		}
		if (!config_find_bridge(cfg, p->bridge)) {
			fail(st, p->bridge_line, "port %s: no [bridge %s] section", p->name,
			     p->bridge);
			return -EINVAL;
		}
		if (!p->ofport) {
			fail(st, p->line, "port %s: 'ofport' is required", p->name);
			return -EINVAL;
		}
		if (port_vhost_devargs(st, p) < 0)
			return -EINVAL;
		if (!p->devargs) {
			fail(st, p->line, "port %s: 'devargs' is required", p->name);
			return -EINVAL;
		}
		for (size_t j = 0; j < i; j++) {
			const struct config_port *q = &cfg->ports[j];

			if (!strcmp(q->bridge, p->bridge) && q->ofport == p->ofport) {
				fail(st, p->line,
				     "port %s: ofport %u on bridge %s already used by port %s",
				     p->name, p->ofport, p->bridge, q->name);
				return -EINVAL;
			}
			if (p->vhost_socket && q->vhost_socket &&
			    !strcmp(q->vhost_socket, p->vhost_socket)) {
				fail(st, p->vhost_line,
				     "port %s: vhost_socket already used by port %s", p->name,
				     q->name);
				return -EINVAL;
			}
			if (!strcmp(q->devargs, p->devargs)) {
				fail(st, p->line, "port %s: devargs already used by port %s",
				     p->name, q->name);
				return -EINVAL;
			}
		}
	}
	return validate_local_ports(st);
}

int
config_parse_string(const char *text, const char *name, struct config *cfg, char *errbuf,
		    size_t errlen)
{
	struct parse_state st;
	int r;

	config_init(cfg);
	memset(&st, 0, sizeof(st));
	st.cfg = cfg;
	st.text = text;
	cfg->file = strdup(name);
	if (!cfg->file)
		goto nomem;
	r = ini_parse_stream(reader, &st, handler, &st);
	if (st.nomem || r == -2)
		goto nomem;
	if (!st.err_line && r > 0)
		fail(&st, r, "syntax error (expected [section], name = value, or a comment)");
	if (!st.err_line)
		validate_queue_limits(&st);
	if (!st.err_line)
		validate(&st);
	if (!st.err_line && !cfg->rundir && !(cfg->rundir = strdup(CONFIG_RUNDIR_DEFAULT)))
		goto nomem;
	if (!st.err_line && !cfg->handover_socket &&
	    asprintf(&cfg->handover_socket, "%s/pfswitchd.handover", cfg->rundir) < 0) {
		cfg->handover_socket = NULL;
		goto nomem;
	}
	if (st.err_line) {
		snprintf(errbuf, errlen, "%s:%d: %s", name, st.err_line, st.err);
		return -EINVAL;
	}
	return 0;
nomem:
	snprintf(errbuf, errlen, "%s: out of memory", name);
	return -ENOMEM;
}

int
config_load(const char *path, struct config *cfg, char *errbuf, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t n = 0, alloc = 0;
	int r;

	config_init(cfg);
	if (!f) {
		r = -errno;
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return r;
	}
	for (;;) {
		size_t got;

		if (alloc - n < 4097) {
			char *t = realloc(text, alloc ? alloc * 2 : 8192);

			if (!t) {
				fclose(f);
				free(text);
				snprintf(errbuf, errlen, "%s: out of memory", path);
				return -ENOMEM;
			}
			text = t;
			alloc = alloc ? alloc * 2 : 8192;
		}
		got = fread(text + n, 1, alloc - n - 1, f);
		n += got;
		if (!got)
			break;
	}
	if (ferror(f)) {
		r = -EIO;
		snprintf(errbuf, errlen, "%s: read error", path);
		fclose(f);
		free(text);
		return r;
	}
	fclose(f);
	text[n] = '\0';
	if (memchr(text, '\0', n)) {
		snprintf(errbuf, errlen, "%s: contains a NUL byte (not a text file)", path);
		free(text);
		return -EINVAL;
	}
	r = config_parse_string(text, path, cfg, errbuf, errlen);
	free(text);
	return r;
}

static int
split_words(const char *s, char ***v, int *n)
{
	while (s && *s) {
		char word[1024];
		size_t len = 0;
		char q = 0;
		char **nv;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		while (*s && (q || !isspace((unsigned char)*s))) {
			if (!q && (*s == '"' || *s == '\'')) {
				q = *s++;
				continue;
			}
			if (q && *s == q) {
				q = 0;
				s++;
				continue;
			}
			if (len + 1 >= sizeof(word))
				return -EINVAL;
			word[len++] = *s++;
		}
		if (q)
			return -EINVAL;
		word[len] = '\0';
		nv = realloc(*v, (size_t)(*n + 2) * sizeof(char *));
		if (!nv)
			return -ENOMEM;
		*v = nv;
		if (!(nv[*n] = strdup(word)))
			return -ENOMEM;
		nv[++*n] = NULL;
	}
	return 0;
}

int
config_eal_argv(const struct config *cfg, const char *argv0, int n_extra, char **extra, int *argc,
		char ***argv)
{
	char **v = calloc(2, sizeof(char *));
	int n = 0, r;

	if (!v)
		return -ENOMEM;
	if (!(v[n++] = strdup(argv0))) {
		r = -ENOMEM;
		goto err;
	}
	r = split_words(cfg->eal, &v, &n);
	if (r)
		goto err;
	for (int i = 0; i < n_extra; i++) {
		char **nv = realloc(v, (size_t)(n + 2) * sizeof(char *));

		if (!nv) {
			r = -ENOMEM;
			goto err;
		}
		v = nv;
		if (!(v[n] = strdup(extra[i]))) {
			r = -ENOMEM;
			goto err;
		}
		v[++n] = NULL;
	}
	*argc = n;
	*argv = v;
	return 0;
err:
	config_free_argv(n, v);
	return r;
}

void
config_free_argv(int argc, char **argv)
{
	if (!argv)
		return;
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}
