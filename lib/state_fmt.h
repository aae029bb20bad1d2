/* The pfswitch state format: what a bridge holds that a controller installed or the
 * switch learned (flows, groups, meters with their counters and remaining timeouts,
 * learned MACs, port numbers, controller roles), as pfswitchd writes it on SIGTERM and
 * reads it back on start (state_file), as `pfs-ofctl save/restore` write and read it
 * through OpenFlow, and as a live handover between two processes would carry it.
 *
 * A state is a byte string:
 *   file header, 16 bytes: magic "PFSSTATE", version u32, header length u32 (>= 16; a
 *     later version may put more there, an older reader skips it);
 *   records, each a complete OpenFlow 1.3 message (ofp_header version 4, length
 *     covering the record, xid 0):
 *     OFPT_GROUP_MOD (ADD), OFPT_METER_MOD (ADD), OFPT_FLOW_MOD (ADD): the entries as
 *       a switch would be given them, so any OpenFlow 1.3 switch can be loaded from them;
 *     OFPT_EXPERIMENTER, experimenter PFS_EXPERIMENTER_ID, exp_type STATE_REC_*: what an
 *       OpenFlow mod cannot carry (bodies below, big endian);
 *   the STATE_REC_END record last: record count and a CRC-32 of every byte before the CRC
 *     (from the file header to the END record's count), so a
 *     truncated or damaged state is refused as a whole before any of it is applied.
 * Records of one bridge follow its STATE_REC_BRIDGE record, in dependency order: ports,
 * groups (a group after every group it sends to or watches), meters, flows (each
 * STATE_REC_FLOW right after its FLOW_MOD), MACs, controllers.
 *
 * Versions: a reader takes every version from 1 to STATE_FMT_VERSION and refuses a newer
 * one (naming both). exp_types with bit STATE_REC_OPTIONAL set may be skipped by a reader
 * that does not know them; any other unknown record is refused.
 *
 * Experimenter record bodies (after the 16-byte experimenter header):
 *   BRIDGE  datapath_id u64, saved_unix_ns u64, name: NUL-padded to a multiple of 8
 *           (at most STATE_NAME_MAX bytes of name).
 *   FLOW    packets u64, bytes u64, duration_ns u64, idle_remaining_ms u32,
 *           hard_remaining_ms u32 (each 0 when the flow has no such timeout;
 *           STATE_REMAINING_FULL: unknown, the whole timeout), flags u32 (STATE_FLOW_*),
 *           pad u32.
 *   GROUP   group_id u32, n_buckets u32, packets u64, bytes u64, duration_ns u64, then
 *           n_buckets x (packets u64, bytes u64).
 *   METER   meter_id u32, n_bands u32, packets u64, bytes u64, duration_ns u64, then
 *           n_bands x (packets u64, bytes u64).
 *   PORT    ofport u32, pad u32, name[16] (NUL-padded), then (optional: absent in a
 *           24-byte body) the port's counters u64 each: rx_packets, tx_packets,
 *           rx_bytes, tx_bytes, rx_dropped, tx_dropped, rx_errors, tx_errors,
 *           rx_frame_err, rx_over_err, rx_crc_err, collisions, duration_ns.
 *   MAC     ofport u32, vlan u16, mac[6], age_s u32, pad u32.
 *   CONTROLLERS  generation_id u64, flags u32 (1: generation_id defined), n u32, then n x
 *           (role u32, target_len u16, pad u16, target NUL-padded to a multiple of 8).
 *   END     n_records u32 (records before it), crc32 u32 (of every byte before it).
 *
 * Pure logic on bytes (no DPDK, no I/O besides state_file_read/_write); ofproto/state.h
 * gathers and applies a switch's state, tools/pfs-ofctl.c builds one from OpenFlow stats.
 * Uses buf.h, ofp_trace.h's PFS_EXPERIMENTER_ID, ofp_group.h (dependency order). */
#ifndef PFS_STATE_FMT_H
#define PFS_STATE_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct ofp_group_mod;

#define STATE_FMT_MAGIC "PFSSTATE"
#define STATE_FMT_VERSION 1u
#define STATE_HEADER_LEN 16u
#define STATE_NAME_MAX 64u	/* bridge name bytes kept */
#define STATE_PORT_NAME_LEN 16u /* OFP_MAX_PORT_NAME_LEN */
#define STATE_TARGET_MAX 256u	/* controller target bytes kept */
#define STATE_MAX_COUNTERS 64u	/* buckets / bands per group / meter record */
#define STATE_REMAINING_FULL 0xffffffffu

#define STATE_REC_OPTIONAL 0x8000u
enum state_rec_type {
	STATE_REC_NONE = 0,
	/* OpenFlow mods (the ofp_header type) */
	STATE_REC_GROUP_MOD,
	STATE_REC_METER_MOD,
	STATE_REC_FLOW_MOD,
	/* experimenter records: exp_type = 0x100 + (type - STATE_REC_BRIDGE) */
	STATE_REC_BRIDGE,
	STATE_REC_FLOW,
	STATE_REC_GROUP,
	STATE_REC_METER,
	STATE_REC_PORT,
	STATE_REC_MAC,
	STATE_REC_CONTROLLERS,
	STATE_REC_END,
};
#define STATE_EXP_BASE 0x100u

/* STATE_REC_FLOW flags */
#define STATE_FLOW_IDLE_KNOWN 1u /* idle_remaining_ms is measured (not from OpenFlow stats) */

struct state_bridge {
	uint64_t datapath_id;
	uint64_t saved_unix_ns; /* CLOCK_REALTIME when written */
	char name[STATE_NAME_MAX + 1];
};

/* Counters and times of the FLOW_MOD right before it. */
struct state_flow {
	uint64_t packets, bytes;
	uint64_t duration_ns;
	uint32_t idle_remaining_ms, hard_remaining_ms;
	uint32_t flags; /* STATE_FLOW_* */
};

/* Counters of a group (buckets) or a meter (bands). */
struct state_counters {
	uint32_t id;
	uint32_t n; /* buckets / bands, <= STATE_MAX_COUNTERS */
	uint64_t packets, bytes;
	uint64_t duration_ns;
	uint64_t sub_packets[STATE_MAX_COUNTERS];
	uint64_t sub_bytes[STATE_MAX_COUNTERS];
};

/* A port's counters, in the order of the PORT record. */
#define STATE_PORT_N_COUNTERS 13
enum state_port_counter {
	STATE_PORT_RX_PACKETS,
	STATE_PORT_TX_PACKETS,
	STATE_PORT_RX_BYTES,
	STATE_PORT_TX_BYTES,
	STATE_PORT_RX_DROPPED,
	STATE_PORT_TX_DROPPED,
	STATE_PORT_RX_ERRORS,
	STATE_PORT_TX_ERRORS,
	STATE_PORT_RX_FRAME_ERR,
	STATE_PORT_RX_OVER_ERR,
	STATE_PORT_RX_CRC_ERR,
	STATE_PORT_COLLISIONS,
	STATE_PORT_DURATION_NS,
};

struct state_port {
	uint32_t ofport;
	char name[STATE_PORT_NAME_LEN + 1];
	bool has_counters; /* written: counters follow; read: the record had them */
	uint64_t counters[STATE_PORT_N_COUNTERS]; /* enum state_port_counter */
};

struct state_mac {
	uint32_t ofport;
	uint16_t vlan;
	uint8_t mac[6];
	uint32_t age_s;
};

struct state_controller {
	uint32_t role; /* OFPCR_ROLE_* */
	char target[STATE_TARGET_MAX + 1];
};

/* One record as read: type, the whole record's bytes (an OpenFlow message: decode a mod
 * with ofp_flow_mod_decode() etc.), and the decoded body of an experimenter record. */
struct state_rec {
	enum state_rec_type type;
	const uint8_t *msg;
	size_t len;
	union {
		struct state_bridge bridge;
		struct state_flow flow;
		struct state_counters counters; /* GROUP, METER */
		struct state_port port;
		struct state_mac mac;
		struct {
			uint64_t generation_id;
			bool generation_defined;
			uint32_t n; /* entries: state_rec_controller() */
		} controllers;
	} u;
};

/* ---- Writing ------------------------------------------------------------------------ */

/* Starts a state in b (appends the file header). */
void state_write_header(struct buf *b);
/* Appends a BRIDGE record: what follows, up to the next BRIDGE, is that bridge's. */
void state_write_bridge(struct buf *b, const struct state_bridge *sb);
/* Appends an OpenFlow message (a GROUP_MOD, METER_MOD or FLOW_MOD ADD) as a record. 0, or
 * -EINVAL if msg is not one of them or its header length differs from len. */
int state_write_msg(struct buf *b, const void *msg, size_t len);
void state_write_flow(struct buf *b, const struct state_flow *f);
void state_write_group(struct buf *b, const struct state_counters *c);
void state_write_meter(struct buf *b, const struct state_counters *c);
void state_write_port(struct buf *b, const struct state_port *p);
void state_write_mac(struct buf *b, const struct state_mac *m);
void state_write_controllers(struct buf *b, uint64_t generation_id, bool generation_defined,
			     const struct state_controller *c, size_t n);
/* Ends the state: appends the END record (count and CRC of everything before it). The
 * state is b->data[0..b->size). 0 or buf_error(b)'s -ENOMEM. */
int state_write_end(struct buf *b);

/* ---- Reading ------------------------------------------------------------------------ */

struct state_reader {
	const uint8_t *data;
	size_t len, ofs;
	uint32_t version;
	uint32_t n_records; /* from END */
};

/* Checks a whole state before anything is applied: magic, version (1..STATE_FMT_VERSION),
 * every record's framing and body, the END record's count and CRC, and that the END
 * record is last. 0, or -EINVAL (not a state, damaged, truncated, a record that does not
 * parse: errbuf says which and at which byte offset) or -EPROTONOSUPPORT (a newer or
 * unknown version: errbuf names it). */
int state_read_begin(struct state_reader *r, const void *data, size_t len, char *errbuf,
		     size_t errlen);
/* The next record (the END record is not returned; unknown optional records are
 * skipped). 1 with *rec filled, 0 at the end. Only after state_read_begin() succeeded;
 * then it cannot fail. */
int state_read_next(struct state_reader *r, struct state_rec *rec);
/* Entry i (< rec->u.controllers.n) of a CONTROLLERS record. */
void state_rec_controller(const struct state_rec *rec, uint32_t i, struct state_controller *c);
/* A name for a record type ("FLOW_MOD", "GROUP", ...), for messages. */
const char *state_rec_name(enum state_rec_type type);

/* ---- Helpers ------------------------------------------------------------------------ */

/* Sorts gms[0..n) (in place) so that every group comes after the groups its buckets send
 * to (group action) or watch. 0, or -ELOOP if the groups refer to each other in a cycle
 * (then the order is unspecified). */
int state_order_groups(struct ofp_group_mod *gms, size_t n);
/* CRC-32 (IEEE 802.3, as zlib's crc32()) of p[0..n) continuing from crc (0 to start). */
uint32_t state_crc32(uint32_t crc, const void *p, size_t n);

/* Reads a whole file into a malloc'd buffer (*data, *len; free() it). 0, -errno
 * (-ENOENT: no file), or -EFBIG over 1 GiB. */
int state_file_read(const char *path, uint8_t **data, size_t *len);
/* Writes data atomically: PATH.tmp written, fsync'd, renamed onto path, directory
 * fsync'd; mode 0600. 0 or -errno (the temporary file removed). */
int state_file_write(const char *path, const void *data, size_t len);

#endif /* PFS_STATE_FMT_H */
