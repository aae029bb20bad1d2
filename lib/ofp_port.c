/* Port description, PORT_STATUS, PORT_MOD, port and queue statistics; see ofp_port.h.
 * Fixed-size bodies only: every decoder pulls a known number of bytes through one cursor
 * and nothing is allocated. Port numbers print through ofp_port_format() (ofp_action.c). */
#include "ofp_port.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "ofp_action.h"
#include "ofp_error.h"
#include "ofp_msg.h"
#include "util.h"

struct bit_name {
	uint32_t bit;
	const char *name;
};

/* Names as ovs-ofctl prints them. */
static const struct bit_name config_names[] = {
	{ OFPPC_PORT_DOWN, "PORT_DOWN" },
	{ OFPPC_NO_RECV, "NO_RECV" },
	{ OFPPC_NO_FWD, "NO_FWD" },
	{ OFPPC_NO_PACKET_IN, "NO_PACKET_IN" },
};

static const struct bit_name state_names[] = {
	{ OFPPS_LINK_DOWN, "LINK_DOWN" },
	{ OFPPS_BLOCKED, "BLOCKED" },
	{ OFPPS_LIVE, "LIVE" },
};

static const struct bit_name feature_names[] = {
	{ OFPPF_10MB_HD, "10MB-HD" },	{ OFPPF_10MB_FD, "10MB-FD" },
	{ OFPPF_100MB_HD, "100MB-HD" }, { OFPPF_100MB_FD, "100MB-FD" },
	{ OFPPF_1GB_HD, "1GB-HD" },	{ OFPPF_1GB_FD, "1GB-FD" },
	{ OFPPF_10GB_FD, "10GB-FD" },	{ OFPPF_40GB_FD, "40GB-FD" },
	{ OFPPF_100GB_FD, "100GB-FD" }, { OFPPF_1TB_FD, "1TB-FD" },
	{ OFPPF_OTHER, "OTHER" },	{ OFPPF_COPPER, "COPPER" },
	{ OFPPF_FIBER, "FIBER" },	{ OFPPF_AUTONEG, "AUTO_NEG" },
	{ OFPPF_PAUSE, "AUTO_PAUSE" },	{ OFPPF_PAUSE_ASYM, "AUTO_PAUSE_ASYM" },
};

static const char *const reason_names[] = {
	[OFPPR_ADD] = "ADD",
	[OFPPR_DELETE] = "DEL",
	[OFPPR_MODIFY] = "MOD",
};

/* mod-port words: config bits set and cleared by each. */
struct port_word {
	const char *word;
	uint32_t bit;
	bool set;
};

static const struct port_word port_words[] = {
	{ "up", OFPPC_PORT_DOWN, false },	    { "down", OFPPC_PORT_DOWN, true },
	{ "receive", OFPPC_NO_RECV, false },	    { "no-receive", OFPPC_NO_RECV, true },
	{ "forward", OFPPC_NO_FWD, false },	    { "no-forward", OFPPC_NO_FWD, true },
	{ "packet-in", OFPPC_NO_PACKET_IN, false }, { "no-packet-in", OFPPC_NO_PACKET_IN, true },
};

/* OpenFlow 1.0 words whose bits OpenFlow 1.3 removed. */
static const char *const of10_port_words[] = {
	"stp", "no-stp", "receive-stp", "no-receive-stp", "flood", "no-flood",
};

static void
format_bits(const struct bit_name *names, size_t n, uint32_t bits, struct buf *b)
{
	const char *sep = "";

	if (!bits) {
		buf_printf(b, "0");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!(bits & names[i].bit))
			continue;
		buf_printf(b, "%s%s", sep, names[i].name);
		bits &= ~names[i].bit;
		sep = " ";
	}
	if (bits)
		buf_printf(b, "%s0x%" PRIx32, sep, bits);
}

/* A port number a request may name: a physical port, LOCAL, or (any_ok) ANY. */
static bool
port_no_valid(uint32_t port, bool any_ok)
{
	if (port == OFPP_ANY)
		return any_ok;
	return port != 0 && (port <= OFPP_MAX || port == OFPP_LOCAL);
}

static void
format_mac(const uint8_t *m, struct buf *b)
{
	buf_printf(b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* ovs-ofctl's duration: seconds, then the nanoseconds with trailing zero groups cut. */
static void
format_duration(uint32_t sec, uint32_t nsec, struct buf *b)
{
	char frac[16];
	size_t n;

	buf_printf(b, "%" PRIu32, sec);
	if (nsec) {
		n = (size_t)snprintf(frac, sizeof frac, "%09" PRIu32, nsec);
		while (n > 3 && !strcmp(frac + n - 3, "000"))
			frac[n -= 3] = '\0';
		buf_printf(b, ".%s", frac);
	}
	buf_printf(b, "s");
}

/* A counter, or "?" when the switch marks it unavailable (all ones). */
static void
format_counter(const char *name, uint64_t v, struct buf *b)
{
	if (v == UINT64_MAX)
		buf_printf(b, "%s=?", name);
	else
		buf_printf(b, "%s=%" PRIu64, name, v);
}

static int
bad_len(struct ofp_err *err)
{
	return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
}

void
ofp_port_config_format(uint32_t config, struct buf *b)
{
	format_bits(config_names, ARRAY_SIZE(config_names), config, b);
}

void
ofp_port_state_format(uint32_t state, struct buf *b)
{
	format_bits(state_names, ARRAY_SIZE(state_names), state, b);
}

void
ofp_port_features_format(uint32_t features, struct buf *b)
{
	format_bits(feature_names, ARRAY_SIZE(feature_names), features, b);
}

/* ---- struct ofp_port ---- */

int
ofp_port_desc_decode(struct buf_cursor *c, struct arena *a, struct ofp_port_desc *out,
		     struct ofp_err *err)
{
	const uint8_t *p = buf_pull(c, OFP_PORT_LEN);

	(void)a;
	if (!p)
		return bad_len(err);
	memset(out, 0, sizeof *out);
	out->port_no = get_be32(p);
	memcpy(out->hw_addr, p + 8, OFP_ETH_ALEN);
	memcpy(out->name, p + 16, OFP_MAX_PORT_NAME_LEN);
	/* The name is NUL-terminated on the wire: a peer that fills all 16 bytes loses the
	 * last, exactly as our encoder would write it, so decode and encode agree. */
	out->name[strnlen(out->name, OFP_MAX_PORT_NAME_LEN - 1)] = '\0';
	out->config = get_be32(p + 32);
	out->state = get_be32(p + 36);
	out->curr = get_be32(p + 40);
	out->advertised = get_be32(p + 44);
	out->supported = get_be32(p + 48);
	out->peer = get_be32(p + 52);
	out->curr_speed = get_be32(p + 56);
	out->max_speed = get_be32(p + 60);
	return 0;
}

void
ofp_port_desc_encode(const struct ofp_port_desc *in, struct buf *b)
{
	size_t name_len = strnlen(in->name, OFP_MAX_PORT_NAME_LEN - 1);

	buf_put_be32(b, in->port_no);
	buf_put_zeros(b, 4);
	buf_put(b, in->hw_addr, OFP_ETH_ALEN);
	buf_put_zeros(b, 2);
	buf_put(b, in->name, name_len);
	buf_put_zeros(b, OFP_MAX_PORT_NAME_LEN - name_len);
	buf_put_be32(b, in->config);
	buf_put_be32(b, in->state);
	buf_put_be32(b, in->curr);
	buf_put_be32(b, in->advertised);
	buf_put_be32(b, in->supported);
	buf_put_be32(b, in->peer);
	buf_put_be32(b, in->curr_speed);
	buf_put_be32(b, in->max_speed);
}

void
ofp_port_desc_format(const struct ofp_port_desc *in, struct buf *b)
{
	const struct {
		const char *label;
		uint32_t bits;
	} features[] = {
		{ "current:    ", in->curr },
		{ "advertised: ", in->advertised },
		{ "supported:  ", in->supported },
		{ "peer:       ", in->peer },
	};

	buf_printf(b, " ");
	ofp_port_format(in->port_no, b);
	buf_printf(b, "(%s): addr:", in->name);
	format_mac(in->hw_addr, b);
	buf_printf(b, "\n     config:     ");
	ofp_port_config_format(in->config, b);
	buf_printf(b, "\n     state:      ");
	ofp_port_state_format(in->state, b);
	buf_printf(b, "\n");
	for (size_t i = 0; i < ARRAY_SIZE(features); i++) {
		if (!features[i].bits)
			continue;
		buf_printf(b, "     %s", features[i].label);
		ofp_port_features_format(features[i].bits, b);
		buf_printf(b, "\n");
	}
	buf_printf(b, "     speed: %" PRIu32 " Mbps now, %" PRIu32 " Mbps max\n",
		   in->curr_speed / 1000, in->max_speed / 1000);
}

/* ---- OFPT_PORT_STATUS ---- */

const char *
ofp_port_reason_name(uint8_t reason)
{
	return reason < ARRAY_SIZE(reason_names) ? reason_names[reason] : NULL;
}

int
ofp_port_status_decode(const void *msg, size_t len, struct arena *a, struct ofp_port_status *out,
		       struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(msg, len);
	uint8_t reason;

	if (len != OFP_PORT_STATUS_LEN || !buf_pull(&c, OFP_HEADER_LEN) ||
	    !buf_pull_u8(&c, &reason) || !buf_pull(&c, 7))
		return bad_len(err);
	memset(out, 0, sizeof *out);
	out->reason = reason;
	return ofp_port_desc_decode(&c, a, &out->desc, err);
}

int
ofp_port_status_encode(const struct ofp_port_status *in, uint32_t xid, struct buf *b)
{
	size_t start = ofp_msg_start(b, OFPT_PORT_STATUS, xid);

	buf_put_u8(b, in->reason);
	buf_put_zeros(b, 7);
	ofp_port_desc_encode(&in->desc, b);
	return ofp_msg_finish(b, start);
}

void
ofp_port_status_format(const struct ofp_port_status *in, struct buf *b)
{
	const char *name = ofp_port_reason_name(in->reason);

	if (name)
		buf_printf(b, "%s:", name);
	else
		buf_printf(b, "reason=%u:", in->reason);
	ofp_port_desc_format(&in->desc, b);
}

/* ---- OFPT_PORT_MOD ---- */

int
ofp_port_mod_decode(const void *msg, size_t len, struct arena *a, struct ofp_port_mod *out,
		    struct ofp_err *err)
{
	const uint8_t *p = msg;

	(void)a;
	if (len != OFP_PORT_MOD_LEN)
		return bad_len(err);
	memset(out, 0, sizeof *out);
	out->port_no = get_be32(p + 8);
	memcpy(out->hw_addr, p + 16, OFP_ETH_ALEN);
	out->config = get_be32(p + 24);
	out->mask = get_be32(p + 28);
	out->advertise = get_be32(p + 32);
	if (!port_no_valid(out->port_no, false))
		return ofp_err_set(err, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT);
	if ((out->config | out->mask) & ~(uint32_t)OFP_PORT_CONFIG_ALL)
		return ofp_err_set(err, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_CONFIG);
	if (out->advertise & ~(uint32_t)OFP_PORT_FEATURES_ALL)
		return ofp_err_set(err, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_ADVERTISE);
	return 0;
}

int
ofp_port_mod_encode(const struct ofp_port_mod *in, uint32_t xid, struct buf *b)
{
	size_t start = ofp_msg_start(b, OFPT_PORT_MOD, xid);

	buf_put_be32(b, in->port_no);
	buf_put_zeros(b, 4);
	buf_put(b, in->hw_addr, OFP_ETH_ALEN);
	buf_put_zeros(b, 2);
	buf_put_be32(b, in->config);
	buf_put_be32(b, in->mask);
	buf_put_be32(b, in->advertise);
	buf_put_zeros(b, 4);
	return ofp_msg_finish(b, start);
}

void
ofp_port_mod_format(const struct ofp_port_mod *in, struct buf *b)
{
	buf_printf(b, "port: ");
	ofp_port_format(in->port_no, b);
	buf_printf(b, ": addr:");
	format_mac(in->hw_addr, b);
	buf_printf(b, "\n     config: ");
	ofp_port_config_format(in->config, b);
	buf_printf(b, "\n     mask:   ");
	ofp_port_config_format(in->mask, b);
	buf_printf(b, "\n     advertise: ");
	if (in->advertise)
		ofp_port_features_format(in->advertise, b);
	else
		buf_printf(b, "UNCHANGED");
	buf_printf(b, "\n");
}

int
ofp_port_mod_parse_action(const char *word, uint32_t *config, uint32_t *mask)
{
	for (size_t i = 0; i < ARRAY_SIZE(port_words); i++) {
		if (strcasecmp(word, port_words[i].word))
			continue;
		*mask |= port_words[i].bit;
		if (port_words[i].set)
			*config |= port_words[i].bit;
		else
			*config &= ~port_words[i].bit;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(of10_port_words); i++)
		if (!strcasecmp(word, of10_port_words[i]))
			return -EOPNOTSUPP;
	return -EINVAL;
}

/* ---- OFPMP_PORT_STATS ---- */

int
ofp_port_stats_request_decode(struct buf_cursor *c, struct arena *a,
			      struct ofp_port_stats_request *out, struct ofp_err *err)
{
	const uint8_t *p = buf_pull(c, OFP_PORT_STATS_REQUEST_LEN);

	(void)a;
	if (!p)
		return bad_len(err);
	out->port_no = get_be32(p);
	if (!port_no_valid(out->port_no, true))
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_PORT);
	return 0;
}

void
ofp_port_stats_request_encode(const struct ofp_port_stats_request *in, struct buf *b)
{
	buf_put_be32(b, in->port_no);
	buf_put_zeros(b, 4);
}

void
ofp_port_stats_request_format(const struct ofp_port_stats_request *in, struct buf *b)
{
	buf_printf(b, " port_no=");
	ofp_port_format(in->port_no, b);
}

int
ofp_port_stats_decode(struct buf_cursor *c, struct arena *a, struct ofp_port_stats *out,
		      struct ofp_err *err)
{
	const uint8_t *p = buf_pull(c, OFP_PORT_STATS_LEN);
	uint64_t *counters[] = {
		&out->rx_packets,   &out->tx_packets,  &out->rx_bytes,	 &out->tx_bytes,
		&out->rx_dropped,   &out->tx_dropped,  &out->rx_errors,	 &out->tx_errors,
		&out->rx_frame_err, &out->rx_over_err, &out->rx_crc_err, &out->collisions,
	};

	(void)a;
	if (!p)
		return bad_len(err);
	out->port_no = get_be32(p);
	for (size_t i = 0; i < ARRAY_SIZE(counters); i++)
		*counters[i] = get_be64(p + 8 + 8 * i);
	out->duration_sec = get_be32(p + 104);
	out->duration_nsec = get_be32(p + 108);
	return 0;
}

void
ofp_port_stats_encode(const struct ofp_port_stats *in, struct buf *b)
{
	const uint64_t counters[] = {
		in->rx_packets,	  in->tx_packets,  in->rx_bytes,   in->tx_bytes,
		in->rx_dropped,	  in->tx_dropped,  in->rx_errors,  in->tx_errors,
		in->rx_frame_err, in->rx_over_err, in->rx_crc_err, in->collisions,
	};

	buf_put_be32(b, in->port_no);
	buf_put_zeros(b, 4);
	for (size_t i = 0; i < ARRAY_SIZE(counters); i++)
		buf_put_be64(b, counters[i]);
	buf_put_be32(b, in->duration_sec);
	buf_put_be32(b, in->duration_nsec);
}

void
ofp_port_stats_format(const struct ofp_port_stats *in, struct buf *b)
{
	struct buf port = BUF_INITIALIZER;

	ofp_port_format(in->port_no, &port);
	buf_printf(b, "  port %2s: rx ", buf_cstr(&port));
	buf_uninit(&port);
	format_counter("pkts", in->rx_packets, b);
	format_counter(", bytes", in->rx_bytes, b);
	format_counter(", drop", in->rx_dropped, b);
	format_counter(", errs", in->rx_errors, b);
	format_counter(", frame", in->rx_frame_err, b);
	format_counter(", over", in->rx_over_err, b);
	format_counter(", crc", in->rx_crc_err, b);
	buf_printf(b, "\n           tx ");
	format_counter("pkts", in->tx_packets, b);
	format_counter(", bytes", in->tx_bytes, b);
	format_counter(", drop", in->tx_dropped, b);
	format_counter(", errs", in->tx_errors, b);
	format_counter(", coll", in->collisions, b);
	buf_printf(b, "\n");
	if (in->duration_sec != UINT32_MAX) {
		buf_printf(b, "           duration=");
		format_duration(in->duration_sec, in->duration_nsec, b);
		buf_printf(b, "\n");
	}
}

/* ---- OFPMP_QUEUE ---- */

int
ofp_queue_stats_request_decode(struct buf_cursor *c, struct arena *a,
			       struct ofp_queue_stats_request *out, struct ofp_err *err)
{
	const uint8_t *p = buf_pull(c, OFP_QUEUE_STATS_REQUEST_LEN);

	(void)a;
	if (!p)
		return bad_len(err);
	out->port_no = get_be32(p);
	out->queue_id = get_be32(p + 4);
	if (!port_no_valid(out->port_no, true))
		return ofp_err_set(err, OFPET_QUEUE_OP_FAILED, OFPQOFC_BAD_PORT);
	return 0;
}

void
ofp_queue_stats_request_encode(const struct ofp_queue_stats_request *in, struct buf *b)
{
	buf_put_be32(b, in->port_no);
	buf_put_be32(b, in->queue_id);
}

static void
format_queue_id(uint32_t queue_id, struct buf *b)
{
	if (queue_id == OFPQ_ALL)
		buf_printf(b, "ALL");
	else
		buf_printf(b, "%" PRIu32, queue_id);
}

void
ofp_queue_stats_request_format(const struct ofp_queue_stats_request *in, struct buf *b)
{
	buf_printf(b, " port=");
	ofp_port_format(in->port_no, b);
	buf_printf(b, " queue=");
	format_queue_id(in->queue_id, b);
}

int
ofp_queue_stats_decode(struct buf_cursor *c, struct arena *a, struct ofp_queue_stats *out,
		       struct ofp_err *err)
{
	const uint8_t *p = buf_pull(c, OFP_QUEUE_STATS_LEN);

	(void)a;
	if (!p)
		return bad_len(err);
	out->port_no = get_be32(p);
	out->queue_id = get_be32(p + 4);
	out->tx_bytes = get_be64(p + 8);
	out->tx_packets = get_be64(p + 16);
	out->tx_errors = get_be64(p + 24);
	out->duration_sec = get_be32(p + 32);
	out->duration_nsec = get_be32(p + 36);
	return 0;
}

void
ofp_queue_stats_encode(const struct ofp_queue_stats *in, struct buf *b)
{
	buf_put_be32(b, in->port_no);
	buf_put_be32(b, in->queue_id);
	buf_put_be64(b, in->tx_bytes);
	buf_put_be64(b, in->tx_packets);
	buf_put_be64(b, in->tx_errors);
	buf_put_be32(b, in->duration_sec);
	buf_put_be32(b, in->duration_nsec);
}

void
ofp_queue_stats_format(const struct ofp_queue_stats *in, struct buf *b)
{
	buf_printf(b, "  port ");
	ofp_port_format(in->port_no, b);
	buf_printf(b, " queue ");
	format_queue_id(in->queue_id, b);
	buf_printf(b, ": ");
	format_counter("bytes", in->tx_bytes, b);
	format_counter(", pkts", in->tx_packets, b);
	format_counter(", errors", in->tx_errors, b);
	buf_printf(b, ", duration=");
	if (in->duration_sec == UINT32_MAX)
		buf_printf(b, "?");
	else
		format_duration(in->duration_sec, in->duration_nsec, b);
	buf_printf(b, "\n");
}
