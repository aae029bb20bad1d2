/* The datapath's public contract: the one header ofproto (and tests) include.
 *
 * Everything per packet lives behind it: EAL and mempools, DPDK ports, worker lcores,
 * the OpenFlow table pipeline (classifiers, compiled action programs, the per-worker
 * microflow cache), MAC learning for NORMAL, miss rings to the control thread, the
 * packet-out inject path, and per-worker counters.
 *
 * Threading: every function here is called from the control thread (the main lcore)
 * only, which is the single writer of all datapath state. Workers read that state
 * without locks. Flow changes are staged and become visible to the workers together at
 * dp_commit(): every packet is processed entirely by the rule set before or entirely by
 * the one after (make-before-break). Objects a commit retires are freed only after every
 * worker has passed a quiescent state (rte_rcu_qsbr).
 *
 * Errors: negative errno; where an OpenFlow request can be refused for OpenFlow reasons
 * (a table full, an unsupported action), the function also fills a struct ofp_err. */
#ifndef PFS_DATAPATH_H
#define PFS_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofp_action.h"
#include "ofp_error.h"
#include "ofp_instruction.h"
#include "oxm.h"

struct dp_bridge;
struct dp_port;
struct dp_flow;

#define DP_N_TABLES 255	      /* OpenFlow tables 0..254 on every bridge */
#define DP_MAX_FRAME_LEN 9216 /* largest frame a port accepts (jumbo 9000 + headers) */

/* ---- Lifecycle ---------------------------------------------------------------------- */

struct dp_params {
	unsigned n_workers;	      /* worker lcores (>= 1); the main lcore runs ofproto */
	unsigned n_mbufs;	      /* mbuf pool size; 0 = default (16383) */
	unsigned miss_ring_size;      /* per-worker ring to the control thread; 0 = 1024 */
	unsigned max_masks_per_table; /* tuple-space cap; 0 = default (512) */
	bool microflow_cache;	      /* per-worker exact-match cache in front of the tables */
	/* Idle back-off: after this many empty polls a worker rests: it blocks on rx
	 * interrupts when every queue it polls has them (rx_interrupts), else it sleeps,
	 * each sleep at most idle_sleep_us and at most half the time its smallest rx ring
	 * takes to fill at the port's link speed, so a sleep cannot overflow a ring. Back
	 * to polling at the first packet. 0 in either disables resting (busy polling). */
	unsigned idle_polls_before_sleep;
	unsigned idle_sleep_us;
	/* Group bucket runs (packet copies) one packet may cause, chains included; past it
	 * the rest is dropped as DP_DROP_CORE_GROUP_BUDGET. 0 = default (256). */
	unsigned group_budget;
	/* The link speed that bound assumes for every port, Mbit/s; 0 = each port's own
	 * (10000 where it reports none). */
	unsigned idle_link_speed_mbps;
	bool rx_interrupts;	 /* configure ports with rx interrupts where they can */
	unsigned timer_slack_ns; /* workers' timer slack (PR_SET_TIMERSLACK); 0 = the
				  * kernel's default (50 us) */
	/* Load-driven consolidation (dp_power_run): queues gather on worker 0 when all
	 * workers together are busy less than consolidate_below_pct of one core for 1 s,
	 * and spread back when worker 0 is busy more than consolidate_above_pct. */
	bool consolidate;
	unsigned consolidate_below_pct; /* 0 = 10 */
	unsigned consolidate_above_pct; /* 0 = 50 */
	/* MAC learning (NORMAL, standalone) of every bridge: entries, aging in seconds,
	 * most addresses learned per port (0 = no limit); 0 = defaults (8192, 300). */
	unsigned mac_table_size;
	unsigned mac_aging_s;
	unsigned mac_max_per_port;
};

/* Fills *p with the defaults above (1 worker, cache on, back-off on). */
void dp_params_default(struct dp_params *p);
/* Initialises the EAL with argv (as rte_eal_init) and the datapath with *p; needs
 * 1 + p->n_workers lcores. Returns the number of argv entries the EAL consumed, or a
 * negative errno (-EINVAL bad arguments or too few lcores, -ENOMEM, ...). Call once. */
int dp_init(int argc, char **argv, const struct dp_params *p);
/* Launches the workers on their lcores. 0 or negative errno. */
int dp_start(void);
/* Stops the workers (they finish their burst, flush tx and return) and waits for them,
 * at most 2 s: a worker blocked in a PMD's syscall (net_af_packet's tx waits for a free
 * ring frame without a timeout) is interrupted with a signal (SIGRTMIN + 4, which the
 * datapath handles) every 10 ms. 0, or -ETIMEDOUT if a worker is still running: it is
 * left so, and dp_bridge_destroy() and dp_fini() then free nothing (the process should
 * exit with the memory mapped). */
int dp_stop(void);
/* Discards what waits in every port's rx queues while the workers are stopped (a
 * process taking over from another, handover.h: what its ports received so far the other
 * process forwarded already). Returns the packets discarded, or -EBUSY while the
 * workers run. */
long dp_flush_rx(void);
/* dp_stop(), but each worker first polls its rx queues until a round finds them all
 * empty (at most 100 ms): what the ports received before the call is forwarded, not left
 * in the queues (a process handing over to another, handover.h). Same returns. */
int dp_stop_drained(void);
/* Frees every bridge, port and pool and cleans up the EAL. After dp_stop(). */
void dp_fini(void);

/* ---- Bridges ------------------------------------------------------------------------ */

/* Creates an empty bridge: 255 empty tables (table-miss = drop), no ports. 0, -EEXIST
 * (name in use), -ENOMEM. */
int dp_bridge_create(const char *name, struct dp_bridge **out);
/* Removes a bridge with its ports, flows and learned MACs. NULL-safe. */
void dp_bridge_destroy(struct dp_bridge *br);
/* While on, every packet of the bridge is forwarded by NORMAL (MAC learning and
 * flooding) and the flow tables are bypassed, though kept: standalone fail mode with no
 * controller connected. Takes effect at the next dp_commit(). */
void dp_bridge_set_normal_mode(struct dp_bridge *br, bool on);

/* Housekeeping, about once a second: forgets a slice of the expired learned MAC
 * addresses, so ports at their learning limit can learn again as theirs age out, and,
 * when nothing is staged, compiles the shapes of tables whose rebuild was put off while
 * flow-mods came in. */
void dp_bridge_run(struct dp_bridge *br);

/* One learned MAC address (NORMAL, standalone): the port it was last seen on and how
 * long ago. Learning ignores VLANs. */
struct dp_mac_entry {
	uint8_t mac[6];
	uint32_t ofport;
	uint32_t age_s;
};
/* The bridge's live learned addresses: fills up to n entries of out (may be NULL with n
 * 0) and returns how many there are (control thread). */
unsigned dp_mac_dump(const struct dp_bridge *br, struct dp_mac_entry *out, unsigned n);
/* Learns mac on ofport as last seen age_s seconds ago (restoring a saved table). 0;
 * -ENOENT (no such port), -EINVAL (not a unicast address), -ENOSPC (the port's limit),
 * -EBUSY (its bucket is full of live entries); an age past the aging time is 0 and
 * nothing is learned. */
int dp_mac_learn(struct dp_bridge *br, const uint8_t *mac, uint32_t ofport, uint32_t age_s);

/* ---- Ports -------------------------------------------------------------------------- */

struct dp_port_info {
	char name[OFP_MAX_PORT_NAME_LEN + 1];
	uint32_t ofport;
	uint8_t hw_addr[6];
	uint32_t config;			    /* OFPPC_* */
	uint32_t state;				    /* OFPPS_* (LINK_DOWN, LIVE) */
	uint32_t curr, advertised, supported, peer; /* OFPPF_* */
	uint32_t curr_speed, max_speed;		    /* kbps */
};

struct dp_port_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_dropped, tx_dropped, rx_errors, tx_errors;
	uint64_t rx_frame_err, rx_over_err, rx_crc_err, collisions;
	uint64_t duration_ns; /* since the port was added */
};

/* One extended statistic of a port's PMD (rte_eth_xstats_get): name as the driver gives
 * it ("rx_good_packets", "rx_q0_bytes", ...). */
struct dp_port_xstat {
	char name[64];
	uint64_t value;
};
/* Fills up to n of port's PMD extended statistics and returns how many the PMD has
 * (call with n = 0 to size the array), or a negative errno from the PMD. Reads the
 * device's counters: call from the control thread, not per packet. */
int dp_port_get_xstats(const struct dp_port *port, struct dp_port_xstat *out, unsigned n);

/* Probes devargs (a PCI address or a vdev such as "net_af_packet0,iface=veth0"),
 * configures one rx queue per worker where the device has them (else one, polled by one
 * worker) and one tx queue per worker, starts it and binds it to OpenFlow port number
 * ofport (1..OFPP_MAX, or OFPP_LOCAL for the bridge's own port) on br under name. 0, -EEXIST
 * (ofport or name in use), -ENODEV (probe failed), -EINVAL, -ENOMEM. */
int dp_port_add(struct dp_bridge *br, const char *name, const char *devargs, uint32_t ofport,
		struct dp_port **out);
/* The LOCAL port (the host's own, as Open vSwitch's bridge-internal port) is a port
 * like the others once added: output:LOCAL reaches it, its frames carry in_port=LOCAL,
 * NORMAL learns it, and FLOOD and ALL include it (as Open vSwitch does; OpenFlow 1.3
 * names only standard ports for ALL, but a host that cannot receive broadcasts, ARP
 * included, could not use the bridge). Without one, output:LOCAL drops (tx_local). */
/* Stops, closes and detaches the port; its flows stay (their output actions drop). */
void dp_port_del(struct dp_port *port);
/* The port with this OpenFlow number on br, or NULL. */
struct dp_port *dp_port_find(const struct dp_bridge *br, uint32_t ofport);
/* Calls cb for every port of br in ofport order. */
void dp_port_foreach(const struct dp_bridge *br, void (*cb)(struct dp_port *, void *), void *aux);
void dp_port_get_info(const struct dp_port *port, struct dp_port_info *info);
void dp_port_get_stats(const struct dp_port *port, struct dp_port_stats *st);
/* Applies OFPPC_PORT_DOWN, NO_RECV, NO_FWD, NO_PACKET_IN under mask. PORT_DOWN also sets
 * the device link down. 0 or negative errno. */
int dp_port_set_config(struct dp_port *port, uint32_t config, uint32_t mask);
/* Re-reads link states; returns true if any port of br changed (info then differs). */
bool dp_port_poll_changes(struct dp_bridge *br);
/* Sets the device's link up again unless the port is configured down: after another
 * process that shared the device (pfswitchd --takeover) closed it and, doing so, took
 * the kernel interface down (net_tap does). 0 or -EINVAL. */
int dp_port_relink(struct dp_port *port);

/* ---- Flows -------------------------------------------------------------------------- */

/* An OpenFlow rule as the datapath executes it. ofproto keeps the rule's full OpenFlow
 * identity; the datapath keeps what forwarding needs. match and insts are copied. */
struct dp_flow_spec {
	uint8_t table_id;
	uint16_t priority;
	uint64_t cookie; /* reported in packet-ins from this rule */
	uint16_t flags;	 /* OFPFF_NO_PKT_COUNTS / OFPFF_NO_BYT_COUNTS honoured */
	const struct ofp_match *match;
	const struct ofp_instruction_list *insts;
};

/* Compiles and stages a rule (visible at the next dp_commit()). ofproto has already
 * decided overlap and replacement; the datapath never merges rules. 0; -ENOSPC with
 * FLOW_MOD_FAILED/TABLE_FULL (table or mask cap full); -EOPNOTSUPP with the specific
 * BAD_ACTION/BAD_INSTRUCTION error for something it cannot execute; -ENOMEM. */
int dp_flow_add(struct dp_bridge *br, const struct dp_flow_spec *spec, struct dp_flow **out,
		struct ofp_err *err);
/* Stages new instructions for an existing rule; counters are kept. Same errors. */
int dp_flow_modify(struct dp_bridge *br, struct dp_flow *flow,
		   const struct ofp_instruction_list *insts, struct ofp_err *err);
/* Stages the rule's removal; the handle must not be used after the next dp_commit(). */
void dp_flow_remove(struct dp_bridge *br, struct dp_flow *flow);
/* Counters summed over workers, and the time it last matched a packet (ns on the
 * CLOCK_MONOTONIC scale; 0 if never). Exact: counts the workers' microflow caches hold
 * are attributed first (dp_stats_flush()). */
void dp_flow_get_stats(const struct dp_flow *flow, uint64_t *packets, uint64_t *bytes,
		       uint64_t *last_used_ns);
/* How table_id's lookups run as of the last dp_commit() (the compiled shape, see
 * dp_shape.h): "empty", "skip" (one match-all rule), "in_port" (an array by in_port),
 * "in_port_vlan" (an array by in_port of VLAN ids), "exact" (one hash: the rules share a
 * mask) or "generic" (the classifier). Control thread (or under the telemetry lock). */
const char *dp_table_shape(const struct dp_bridge *br, uint8_t table_id);
/* Table lookup and match counters summed over workers. */
void dp_table_get_stats(const struct dp_bridge *br, uint8_t table_id, uint64_t *lookups,
			uint64_t *matched);

/* Has every running worker attribute the counts its microflow cache holds (packets of
 * cached paths are counted per cache entry and attributed to rules, tables and groups
 * off the per-packet path), so that counters read afterwards include every packet
 * processed before the call. Bounded wait (idle workers attributed theirs before they
 * rested and are not waited for); nothing to do when no packet arrived since the last
 * flush. The stats getters call it; 0 or -ETIMEDOUT. */
int dp_stats_flush(void);
/* Between dp_stats_batch(true) and dp_stats_batch(false), the stats getters flush only
 * once (the first): for a scan reading many flows' counters (idle timeouts). */
void dp_stats_batch(bool on);

/* Publishes everything staged on br since the last commit as one new version. Workers
 * pick it up at their next burst. 0 or -ENOMEM. */
int dp_commit(struct dp_bridge *br);
/* Returns once every worker has started a burst after the last dp_commit() of every
 * bridge (so nothing processes packets with an older rule set), and frees retired
 * objects. Bounded wait; idle (sleeping) workers do not hold it up. Use it before a
 * BARRIER_REPLY. 0, or -ETIMEDOUT if a worker is stuck. */
int dp_sync(void);

/* ---- Control-path packets ------------------------------------------------------------ */

/* Values are the OFPR_* reasons. As OF1.3 says, output to CONTROLLER from a table-miss
 * entry (priority 0, empty match) reports NO_MATCH; from any other rule, ACTION. */
enum dp_upcall_reason {
	DP_UPCALL_NO_MATCH = 0,
	DP_UPCALL_ACTION = 1,
	DP_UPCALL_INVALID_TTL = 2,
};

/* A packet for the controller. data holds the first len bytes of the frame (len <=
 * max_len requested by the action, or the whole frame); total_len is the frame size. */
struct dp_upcall {
	struct dp_bridge *br;
	uint32_t in_port;
	uint8_t reason;	  /* enum dp_upcall_reason */
	uint8_t table_id; /* table of the rule that sent it */
	uint64_t cookie;  /* that rule's cookie (0xffffffffffffffff for a bare table miss) */
	uint64_t metadata;
	uint64_t tunnel_id;
	uint16_t max_len; /* OFPCML_NO_BUFFER or the action's max_len */
	uint32_t total_len;
	uint16_t len;
	uint8_t data[DP_MAX_FRAME_LEN];
};

/* Takes up to n waiting upcalls from the workers' miss rings (copying the frames and
 * freeing the mbufs). Returns how many were filled (0 if none). Never blocks.
 * The miss rings are shared by the bridges, each of which may hold at most its share of
 * a ring (capacity / number of bridges); an upcall beyond it is dropped in the worker
 * (counted as "upcall_share"), so a bridge whose upcalls pile up leaves the others room. */
unsigned dp_upcall_recv(struct dp_upcall *ups, unsigned n);
/* An eventfd that turns readable when a worker queues an upcall after
 * dp_upcall_wait_begin(), so the control thread can sleep in epoll instead of polling
 * the miss rings; read it (8 bytes) to clear it. -1 before dp_init(). */
int dp_upcall_fd(void);
/* Call right before sleeping on dp_upcall_fd(). True if upcalls are already waiting (do
 * not sleep then); either way the next upcall queued makes the fd readable. */
bool dp_upcall_wait_begin(void);
/* Drops counted per reason: miss ring full, and so on; for telemetry. */
uint64_t dp_upcall_dropped(void);

/* Executes a PACKET_OUT: the frame (len bytes, copied) enters br as if received on
 * in_port (OFPP_CONTROLLER or OFPP_ANY for none) and the actions run on it; output to
 * OFPP_TABLE sends it through the pipeline from table 0. The packet is handed to a worker
 * and leaves in order with that worker's traffic. 0; -EINVAL with BAD_REQUEST/BAD_PORT or
 * BAD_ACTION errors; -ENOBUFS if no mbuf or the inject ring is full; -EMSGSIZE for a frame
 * over DP_MAX_FRAME_LEN. */
int dp_packet_out(struct dp_bridge *br, uint32_t in_port, const struct ofp_action_list *actions,
		  const void *data, size_t len, struct ofp_err *err);

/* ---- Additions by the datapath core (telemetry, tests, switch config) ----------------- */

/* OFPC_INVALID_TTL_TO_CONTROLLER: while on, a packet whose TTL a dec_ttl action finds 0 or
 * 1 is sent to the controller with reason DP_UPCALL_INVALID_TTL (it is dropped either
 * way, and counted). Off by default. Takes effect at once. */
void dp_bridge_set_invalid_ttl_to_controller(struct dp_bridge *br, bool on);

/* What the datapath shows of br in telemetry (/pfswitch/bridges): its OpenFlow datapath
 * id and fail mode ("secure", "standalone"; copied, truncated to 15 characters). */
void dp_bridge_set_identity(struct dp_bridge *br, uint64_t datapath_id, const char *fail_mode);

/* One drop reason and its count summed over the workers. */
struct dp_drop_stat {
	const char *name; /* "table_miss", "ipv4_truncated", "tx_full", ... (static) */
	uint64_t count;
};
/* Fills up to n entries, one per drop reason, and returns how many reasons there are
 * (call with n = 0 to size the array). */
unsigned dp_drop_stats(struct dp_drop_stat *out, unsigned n);

#define DP_BURST_HIST_N 6 /* log2 buckets of 1..32 packets */

/* Worker counters summed over the workers (microflow cache and idle back-off). Cycles
 * are TSC cycles (tsc_hz per second): busy_cycles in loops that moved packets,
 * idle_cycles in the rest (empty polls and resting), rest_cycles the part of those
 * asleep or blocked on rx interrupts. */
struct dp_worker_stats {
	uint64_t cache_hits, cache_misses, cache_inserts, cache_skipped, cache_refused;
	uint64_t polls, busy_polls, idle_sleeps, intr_waits;
	uint64_t busy_cycles, idle_cycles, rest_cycles, tsc_hz;
	unsigned lcore;			  /* per-worker figures only */
	unsigned n_queues, n_intr_queues; /* rx queues it polls, with interrupts */
	/* MAC learning refused: the port holds mac_max_per_port addresses; the bucket holds
	 * only live addresses. The frames are forwarded (flooded if unknown) anyway. */
	uint64_t mac_learn_port_limit, mac_learn_bucket_full;
	/* Non-empty rx bursts by size: burst_hist[i] counts bursts of 2^i .. 2^(i+1)-1
	 * packets (the last bucket: DP_BURST, 32); rx_packets is their sum. */
	uint64_t burst_hist[DP_BURST_HIST_N];
	uint64_t rx_packets;
};
void dp_get_worker_stats(struct dp_worker_stats *st);
/* While on, worker 0 polls every rx queue and the other workers rest (blocked on their
 * kick fd, no CPU). A queue changes hands without loss and without reordering within a
 * flow: its old owner stops polling it and flushes what it took before the new owner
 * polls it. No-op with one worker. 0 or -ENOMEM. */
int dp_set_consolidated(bool on);
bool dp_is_consolidated(void);
/* Load-driven consolidation, when params.consolidate is on: call it from the control
 * thread's loop (decisions are taken every 100 ms). Returns 1 if it moved queues, 0 if
 * not, or a negative errno. */
int dp_power_run(void);

/* The number of workers. */
unsigned dp_worker_count(void);
/* The same counters for worker id alone. 0 or -ENOENT (no such worker). */
int dp_worker_get_stats(unsigned id, struct dp_worker_stats *st);

/* mbufs of the datapath's pool ("dp_mbufs") currently allocated, for leak checks: after
 * traffic stops and tx queues drain it returns to its value before the traffic. mbufs
 * in the per-lcore caches count as free. */
unsigned dp_mbuf_in_use(void);
/* The pool's size in mbufs ([dpdk] n_mbufs, or its default); 0 before dp_init(). */
unsigned dp_mbuf_pool_size(void);

/* ---- Groups and meters (dp_group.c, dp_meter.c) -------------------------------------- */

#define DP_GROUP_MAX_BUCKETS 64	    /* buckets per group */
#define DP_GROUP_MAX_GROUPS 65536   /* groups per bridge */
#define DP_GROUP_MAX_DEPTH 8	    /* group chaining: a packet passes at most this many */
#define DP_GROUP_DEFAULT_BUDGET 256 /* dp_params.group_budget default */
#define DP_METER_MAX_BANDS 8	    /* bands per meter */
#define DP_METER_MAX_METERS 65536   /* meters per bridge */

struct dp_bucket_spec {
	uint16_t weight;		       /* select groups: relative share (0: never chosen) */
	uint32_t watch_port;		       /* fast-failover: OFPP_ANY for none */
	uint32_t watch_group;		       /* fast-failover: OFPG_ANY for none */
	const struct ofp_action_list *actions; /* run as an action set (spec 5.6.1) */
};

struct dp_group_spec {
	uint32_t group_id; /* 0..OFPG_MAX */
	uint8_t type;	   /* OFPGT_ALL, SELECT, INDIRECT, FF */
	unsigned n_buckets;
	const struct dp_bucket_spec *buckets;
};

/* Compiles and stages a group (visible at the next dp_commit()). ofproto has validated
 * the OpenFlow rules (ids, chaining loops, watch values); the datapath refuses what it
 * cannot run. ALL runs every bucket on its own copy of the packet; SELECT one bucket
 * chosen by a hash of the packet's L2/L3/L4 addresses (a flow sticks to its bucket),
 * in proportion to the weights; INDIRECT its one bucket; FF the first live bucket (its
 * watch port exists, its link is up and it is not PORT_DOWN; its watch group is live),
 * evaluated per packet. 0; -EEXIST (id in use); -ENOSPC with GROUP_MOD_FAILED/
 * OUT_OF_GROUPS (DP_GROUP_MAX_GROUPS) or OUT_OF_BUCKETS (> DP_GROUP_MAX_BUCKETS);
 * -EINVAL with GROUP_MOD_FAILED/BAD_TYPE or INVALID_GROUP; -EOPNOTSUPP with the
 * BAD_ACTION error of a bucket's actions; -ENOMEM. */
int dp_group_add(struct dp_bridge *br, const struct dp_group_spec *spec, struct ofp_err *err);
/* Replaces an existing group's type and buckets (staged). The group's packet and byte
 * counters are kept, the bucket counters restart. 0, -ENOENT (GROUP_MOD_FAILED/
 * UNKNOWN_GROUP), or dp_group_add()'s errors. */
int dp_group_modify(struct dp_bridge *br, const struct dp_group_spec *spec, struct ofp_err *err);
/* Stages the removal of group_id (OFPG_ALL: every group). 0 or -ENOENT. Flows that still
 * use it drop what they send to it (counted as group_missing). */
int dp_group_delete(struct dp_bridge *br, uint32_t group_id);

struct dp_group_stats {
	uint64_t packets, bytes;
	uint64_t duration_ns; /* since the group was added */
	unsigned n_buckets;
	uint64_t bucket_packets[DP_GROUP_MAX_BUCKETS];
	uint64_t bucket_bytes[DP_GROUP_MAX_BUCKETS];
};
/* Counters of a group as staged (summed over the workers). 0 or -ENOENT. */
int dp_group_get_stats(const struct dp_bridge *br, uint32_t group_id, struct dp_group_stats *st);

struct dp_meter_band_spec {
	uint16_t type;	     /* OFPMBT_DROP or OFPMBT_DSCP_REMARK */
	uint32_t rate;	     /* kb/s or packets/s as the meter's flags say */
	uint32_t burst_size; /* kilobits or packets; used with OFPMF_BURST */
	uint8_t prec_level;  /* DSCP_REMARK: drop precedence levels to add */
};

struct dp_meter_spec {
	uint32_t meter_id; /* 1..OFPM_MAX (or OFPM_SLOWPATH/CONTROLLER) */
	uint16_t flags;	   /* OFPMF_KBPS or OFPMF_PKTPS, BURST, STATS */
	unsigned n_bands;
	const struct dp_meter_band_spec *bands;
};

/* Stages a meter. Each band is one token bucket shared by every worker (exact rate
 * whatever the number of workers: a lock-free compare-and-swap per packet and band). A
 * packet is measured against every band; the band of highest rate that the packet
 * exceeds applies: DROP drops it (counted as "meter"), DSCP_REMARK raises the IP DSCP
 * drop precedence by prec_level. Without OFPMF_BURST the burst is 100 ms of the rate.
 * Meter OFPM_CONTROLLER measures every packet sent to the controller (output:CONTROLLER,
 * table-miss, invalid TTL): a DROP band drops it (counted as "controller_meter").
 * 0; -EEXIST; -ENOSPC with METER_MOD_FAILED/OUT_OF_METERS or OUT_OF_BANDS; -EINVAL with
 * METER_MOD_FAILED/BAD_RATE, BAD_BAND, BAD_FLAGS or INVALID_METER; -ENOMEM. */
int dp_meter_add(struct dp_bridge *br, const struct dp_meter_spec *spec, struct ofp_err *err);
/* Replaces a meter's bands (staged); packet counters are kept. 0, -ENOENT (METER_MOD_
 * FAILED/UNKNOWN_METER), or dp_meter_add()'s errors. */
int dp_meter_modify(struct dp_bridge *br, const struct dp_meter_spec *spec, struct ofp_err *err);
/* Stages the removal of meter_id (OFPM_ALL: every meter). 0 or -ENOENT. */
int dp_meter_delete(struct dp_bridge *br, uint32_t meter_id);

struct dp_meter_stats {
	uint64_t packets, bytes; /* entering the meter */
	uint64_t duration_ns;
	unsigned n_bands;
	uint64_t band_packets[DP_METER_MAX_BANDS]; /* in the order the bands were given */
	uint64_t band_bytes[DP_METER_MAX_BANDS];
};
/* Counters of a meter as staged (summed over the workers). 0 or -ENOENT. */
int dp_meter_get_stats(const struct dp_bridge *br, uint32_t meter_id, struct dp_meter_stats *st);

/* ---- Tracing (pfs-ofctl trace) --------------------------------------------------------- */

#define DP_TRACE_MAX_EVENTS 128 /* events one trace records; the rest is dropped (truncated) */
#define DP_TRACE_MAX_SET 16	/* actions an action-set event lists */

enum dp_trace_kind {
	DP_TRACE_TABLE,	     /* table_id: the rule hit (flow, priority, cookie) */
	DP_TRACE_MISS,	     /* table_id: no rule matched */
	DP_TRACE_METER,	     /* id: the meter; arg: the band that applies (-1: none), drop */
	DP_TRACE_ACTION_SET, /* actions[n_actions]: the action set as it starts to run */
	DP_TRACE_GROUP,	     /* id: the group, group_type; arg: the bucket run (-1: none) */
	DP_TRACE_OUTPUT,     /* id: the port (standard or reserved), max_len */
	DP_TRACE_DROP,	     /* reason: the drop counter the packet went to (static name) */
};

/* One step of a traced packet. depth counts the group buckets it runs in. */
struct dp_trace_event {
	uint8_t kind; /* enum dp_trace_kind */
	uint8_t depth;
	uint8_t table_id;
	uint8_t group_type;
	bool drop;		    /* METER: the band drops the packet */
	uint8_t n_actions;	    /* ACTION_SET */
	uint16_t priority;	    /* TABLE */
	uint16_t max_len;	    /* OUTPUT */
	uint32_t id;		    /* METER, GROUP, OUTPUT */
	int32_t arg;		    /* METER, GROUP */
	uint64_t cookie;	    /* TABLE */
	const struct dp_flow *flow; /* TABLE: the rule's handle, as dp_flow_add() gave it */
	const char *reason;	    /* DROP */
	struct ofp_action actions[DP_TRACE_MAX_SET];
};

struct dp_trace {
	unsigned n_events;
	bool truncated; /* more happened than DP_TRACE_MAX_EVENTS */
	struct dp_trace_event events[DP_TRACE_MAX_EVENTS];
};

/* Runs the len-byte frame through br's pipeline as if received on in_port (a port
 * number of br, or OFPP_LOCAL/OFPP_CONTROLLER/OFPP_ANY for none), on the control thread,
 * against the published rule set and bypassing the microflow cache, and records into *t
 * what the pipeline's own code does: tables and rules, meters, groups and buckets, the
 * action set and outputs. Nothing is sent, learned or counted: outputs are recorded
 * only, rule/table/group/meter/port counters are left alone, meters are asked without
 * taking tokens (a band applies only if the meter is over its rate already). In NORMAL
 * mode (standalone, no controller) the trace is one NORMAL output. 0; -EINVAL (len 0 or
 * over DP_MAX_FRAME_LEN); -ENOBUFS (no mbuf); -ENOMEM. */
int dp_trace(struct dp_bridge *br, uint32_t in_port, const void *data, size_t len,
	     struct dp_trace *t);

#endif /* PFS_DATAPATH_H */
