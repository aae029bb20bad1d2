/* OpenFlow 1.3 port entities: the port description (struct ofp_port on the wire, also the
 * OFPMP_PORT_DESC reply entry), PORT_STATUS, PORT_MOD, and the port and queue statistics
 * multipart bodies (request and reply entry), with decode/encode/format side by side and
 * ovs-ofctl style text ("show" port lines, "dump-ports", "dump-queue-stats", "mod-port").
 *
 * Naming: the decoded port description is struct ofp_port_desc and its functions are
 * ofp_port_desc_*, because ofp_port_format()/ofp_port_parse() already name the port
 * *number* text helpers in ofp_action.h.
 *
 * Checks done here are the ones the bytes alone allow; whether a port or queue exists,
 * and whether a PORT_MOD hw_addr matches the port (OFPPMFC_BAD_HW_ADDR), is ofproto's job.
 * Uses buf.h, arena.h, ofp_error.h, ofp_msg.h and ofp_port_format() from ofp_action.h. */
#ifndef PFS_OFP_PORT_H
#define PFS_OFP_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openflow.h"

struct arena;
struct buf;
struct buf_cursor;
struct ofp_err;

/* OFPPC_* bits defined by OpenFlow 1.3. */
#define OFP_PORT_CONFIG_ALL (OFPPC_PORT_DOWN | OFPPC_NO_RECV | OFPPC_NO_FWD | OFPPC_NO_PACKET_IN)
/* OFPPS_* bits defined by OpenFlow 1.3. */
#define OFP_PORT_STATE_ALL (OFPPS_LINK_DOWN | OFPPS_BLOCKED | OFPPS_LIVE)
/* OFPPF_* bits defined by OpenFlow 1.3. */
#define OFP_PORT_FEATURES_ALL 0xffffu

/* struct ofp_port: 64 bytes on the wire. */
struct ofp_port_desc {
	uint32_t port_no;
	uint8_t hw_addr[OFP_ETH_ALEN];
	char name[OFP_MAX_PORT_NAME_LEN + 1]; /* NUL-terminated */
	uint32_t config;		      /* OFPPC_* */
	uint32_t state;			      /* OFPPS_* */
	uint32_t curr;			      /* OFPPF_* */
	uint32_t advertised;
	uint32_t supported;
	uint32_t peer;
	uint32_t curr_speed; /* kbps */
	uint32_t max_speed;  /* kbps */
};

/* Pulls one 64-byte struct ofp_port. The name is NUL-terminated on the wire: one that fills
 * all 16 bytes keeps 15, as the encoder would write it;
 * values are taken as they are (a switch's report). 0, or -EPROTO with
 * OFPET_BAD_REQUEST/OFPBRC_BAD_LEN if c holds fewer than 64 bytes. a is unused. */
int ofp_port_desc_decode(struct buf_cursor *c, struct arena *a, struct ofp_port_desc *out,
			 struct ofp_err *err);
/* Appends the 64-byte wire form; the name is cut to 15 bytes so it stays NUL-terminated. */
void ofp_port_desc_encode(const struct ofp_port_desc *in, struct buf *b);
/* Appends ovs-ofctl "show" lines for the port, each ending in '\n':
 * " 1(veth0): addr:aa:bb:cc:dd:ee:ff\n     config:     0\n     state:      LIVE\n"
 * then current/advertised/supported/peer feature lines where non-zero, then
 * "     speed: 10000 Mbps now, 10000 Mbps max\n". */
void ofp_port_desc_format(const struct ofp_port_desc *in, struct buf *b);

/* Appends the names of the OFPPC_* / OFPPS_* / OFPPF_* bits, space-separated ("0" for none,
 * "0x..." for undefined bits), as in ovs-ofctl show. */
void ofp_port_config_format(uint32_t config, struct buf *b);
void ofp_port_state_format(uint32_t state, struct buf *b);
void ofp_port_features_format(uint32_t features, struct buf *b);

/* OFPT_PORT_STATUS (80 bytes). */
struct ofp_port_status {
	uint8_t reason; /* OFPPR_* */
	struct ofp_port_desc desc;
};

/* Decodes a whole PORT_STATUS. Strict on length (exactly 80 bytes, else
 * OFPET_BAD_REQUEST/OFPBRC_BAD_LEN), lenient on values (a switch's report: an unknown
 * reason is kept and printed as a number). 0 or -EPROTO. a is unused. */
int ofp_port_status_decode(const void *msg, size_t len, struct arena *a,
			   struct ofp_port_status *out, struct ofp_err *err);
/* Appends a complete PORT_STATUS. 0 or -ENOMEM. */
int ofp_port_status_encode(const struct ofp_port_status *in, uint32_t xid, struct buf *b);
/* "ADD: 1(veth0): addr:...\n     config: ...": reason, then the port's show lines. */
void ofp_port_status_format(const struct ofp_port_status *in, struct buf *b);
/* "ADD", "DEL", "MOD" (as ovs-ofctl prints them); NULL for an unknown reason. */
const char *ofp_port_reason_name(uint8_t reason);

/* OFPT_PORT_MOD (40 bytes). */
struct ofp_port_mod {
	uint32_t port_no;
	uint8_t hw_addr[OFP_ETH_ALEN];
	uint32_t config;    /* OFPPC_* values to set */
	uint32_t mask;	    /* OFPPC_* bits to change */
	uint32_t advertise; /* OFPPF_*; 0 leaves advertisement unchanged */
};

/* Decodes a whole PORT_MOD: length exactly 40 (OFPET_BAD_REQUEST/OFPBRC_BAD_LEN); port_no
 * 0 or above OFPP_MAX other than OFPP_LOCAL (OFPET_PORT_MOD_FAILED/OFPPMFC_BAD_PORT);
 * config or mask bits outside OFP_PORT_CONFIG_ALL (OFPPMFC_BAD_CONFIG); advertise bits
 * outside OFP_PORT_FEATURES_ALL (OFPPMFC_BAD_ADVERTISE). Existence of the port and the
 * hw_addr check (OFPPMFC_BAD_PORT, OFPPMFC_BAD_HW_ADDR) are left to ofproto. 0 or -EPROTO.
 * a is unused. */
int ofp_port_mod_decode(const void *msg, size_t len, struct arena *a, struct ofp_port_mod *out,
			struct ofp_err *err);
/* Appends a complete PORT_MOD, values as given (no validation). 0 or -ENOMEM. */
int ofp_port_mod_encode(const struct ofp_port_mod *in, uint32_t xid, struct buf *b);
/* "port: 1: addr:aa:bb:cc:dd:ee:ff\n     config: PORT_DOWN\n     mask:   PORT_DOWN\n
 *  advertise: UNCHANGED\n" (ovs-ofctl ofp-print shape). */
void ofp_port_mod_format(const struct ofp_port_mod *in, struct buf *b);
/* Applies one ovs-ofctl mod-port word to *config and *mask: up, down, receive, no-receive,
 * forward, no-forward, packet-in, no-packet-in (any case). 0; -EOPNOTSUPP for stp,
 * no-stp, receive-stp, no-receive-stp, flood and no-flood, which have no OpenFlow 1.3 bit
 * (ovs-ofctl drops them silently for OF1.1+; we refuse instead); -EINVAL for an
 * unknown word. */
int ofp_port_mod_parse_action(const char *word, uint32_t *config, uint32_t *mask);

/* OFPMP_PORT_STATS request body (8 bytes). */
struct ofp_port_stats_request {
	uint32_t port_no; /* OFPP_ANY for all ports */
};

/* Pulls the 8-byte request body (the caller checks that nothing follows). Fewer than 8
 * bytes: OFPET_BAD_REQUEST/OFPBRC_BAD_LEN; port_no 0, or above OFPP_MAX other than
 * OFPP_LOCAL and OFPP_ANY: OFPET_BAD_REQUEST/OFPBRC_BAD_PORT. 0 or -EPROTO. */
int ofp_port_stats_request_decode(struct buf_cursor *c, struct arena *a,
				  struct ofp_port_stats_request *out, struct ofp_err *err);
void ofp_port_stats_request_encode(const struct ofp_port_stats_request *in, struct buf *b);
/* " port_no=1" / " port_no=ANY" as ovs-ofctl ofp-print. */
void ofp_port_stats_request_format(const struct ofp_port_stats_request *in, struct buf *b);

/* struct ofp_port_stats (112 bytes). All-ones counters mean "not available". */
struct ofp_port_stats {
	uint32_t port_no;
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint64_t rx_dropped;
	uint64_t tx_dropped;
	uint64_t rx_errors;
	uint64_t tx_errors;
	uint64_t rx_frame_err;
	uint64_t rx_over_err;
	uint64_t rx_crc_err;
	uint64_t collisions;
	uint32_t duration_sec;
	uint32_t duration_nsec;
};

/* Pulls one 112-byte entry. 0, or -EPROTO (OFPET_BAD_REQUEST/OFPBRC_BAD_LEN) if short. */
int ofp_port_stats_decode(struct buf_cursor *c, struct arena *a, struct ofp_port_stats *out,
			  struct ofp_err *err);
void ofp_port_stats_encode(const struct ofp_port_stats *in, struct buf *b);
/* ovs-ofctl dump-ports lines ("?" for an unavailable counter), each ending in '\n':
 * "  port  1: rx pkts=1, bytes=2, drop=3, errs=4, frame=5, over=6, crc=7\n"
 * "           tx pkts=8, bytes=9, drop=10, errs=11, coll=12\n"
 * "           duration=3.500s\n" */
void ofp_port_stats_format(const struct ofp_port_stats *in, struct buf *b);

/* OFPMP_QUEUE request body (8 bytes). */
struct ofp_queue_stats_request {
	uint32_t port_no;  /* OFPP_ANY for all ports */
	uint32_t queue_id; /* OFPQ_ALL for all queues */
};

/* Pulls the 8-byte request body. Fewer than 8 bytes: OFPET_BAD_REQUEST/OFPBRC_BAD_LEN;
 * port_no 0, or above OFPP_MAX other than OFPP_LOCAL and OFPP_ANY:
 * OFPET_QUEUE_OP_FAILED/OFPQOFC_BAD_PORT. 0 or -EPROTO. */
int ofp_queue_stats_request_decode(struct buf_cursor *c, struct arena *a,
				   struct ofp_queue_stats_request *out, struct ofp_err *err);
void ofp_queue_stats_request_encode(const struct ofp_queue_stats_request *in, struct buf *b);
/* " port=1 queue=ALL" as ovs-ofctl ofp-print. */
void ofp_queue_stats_request_format(const struct ofp_queue_stats_request *in, struct buf *b);

/* struct ofp_queue_stats (40 bytes). */
struct ofp_queue_stats {
	uint32_t port_no;
	uint32_t queue_id;
	uint64_t tx_bytes;
	uint64_t tx_packets;
	uint64_t tx_errors;
	uint32_t duration_sec;
	uint32_t duration_nsec;
};

/* Pulls one 40-byte entry. 0, or -EPROTO (OFPET_BAD_REQUEST/OFPBRC_BAD_LEN) if short. */
int ofp_queue_stats_decode(struct buf_cursor *c, struct arena *a, struct ofp_queue_stats *out,
			   struct ofp_err *err);
void ofp_queue_stats_encode(const struct ofp_queue_stats *in, struct buf *b);
/* "  port 1 queue 0: bytes=1, pkts=2, errors=3, duration=4.000s\n" (ovs-ofctl
 * dump-queue-stats). */
void ofp_queue_stats_format(const struct ofp_queue_stats *in, struct buf *b);

#endif /* PFS_OFP_PORT_H */
