/* The datapath core's internal contract: the structures shared by datapath.c (public API,
 * bridges, flows, commit/sync, upcalls, packet-out), dp_port.c (ethdev setup, link,
 * stats), dp_worker.c (lcore loop, rx bursts, tx buffers, idle back-off, RCU quiescence),
 * dp_pipeline.c (tables, goto, action set, outputs, counters), dp_cache.c (per-worker
 * microflow cache), dp_normal.c (MAC learning) and dp_defer.c (deferred free on QSBR).
 * Not for ofproto: it includes datapath.h only.
 *
 * Threads: the control thread (main lcore) is the only writer of every structure here
 * except the per-worker parts (struct dp_worker, the per-worker counter slots, the MAC
 * table's learned entries). Workers read shared structures without locks: pointers they
 * follow are published with release stores and retired memory is freed through
 * dp_defer_get() after an RCU grace period.
 *
 * Neighbours: dp_cls.h (classifier), dp_key.h (flow key), dp_prog.h (compiled programs,
 * action execution), DPDK ethdev/mempool/ring/rcu. */
#ifndef PFS_DP_CORE_H
#define PFS_DP_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_epoll.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include "datapath.h"
#include "dp_cls.h"
#include "dp_defer.h"
#include "dp_key.h"
#include "dp_pool.h"
#include "dp_prog.h"
#include "dp_shape.h"

#define DP_BURST 32 /* rx burst */
_Static_assert(DP_BURST < (2 << (DP_BURST_HIST_N - 1)), "burst_hist buckets cover DP_BURST");
#define DP_MAX_WORKERS 64	 /* worker lcores */
#define DP_TXBUF 64		 /* per-port tx buffer; flushed when full and per burst */
#define DP_OFPORT_FAST 1024	 /* ofports below this resolve through an array */
#define DP_BRIDGE_MAX_PORTS 1024 /* ports per bridge (MAC table slot index) */
#define DP_INJECT_RING_SIZE 1024 /* packet-out ring per worker */
#define DP_SYNC_TIMEOUT_NS 2000000000ull
/* dp_stop(): how long workers get to return, and how often one still out is interrupted
 * with DP_WAKE_SIGNAL (a PMD may block in a syscall: net_af_packet's tx waits in
 * poll() without a timeout for a free ring frame while its socket's send buffer is
 * full, which a congested or paused egress can leave so indefinitely). */
#define DP_STOP_TIMEOUT_NS 2000000000ull
#define DP_STOP_WAKE_NS 10000000ull
#define DP_WAKE_SIGNAL (SIGRTMIN + 4)
#define DP_POOL_NAME "dp_mbufs"
#define DP_RULE_PROG_INLINE 96 /* program bytes a rule holds inline: 7 ops */

/* ---- Drop reasons ------------------------------------------------------------------- */

/* Every packet the datapath discards is counted under one of these (per worker). The
 * first ones are the core's; the packet parser's own reasons (dp_key_extract) and the
 * action executor's are counted in dp_worker.drops_key[]. */
#define DP_CORE_DROPS(X)                                                                           \
	X(TABLE_MISS, "table_miss")		 /* no rule matched, no table-miss rule */         \
	X(RX_PORT_DOWN, "rx_port_down")		 /* received on a PORT_DOWN port */                \
	X(RX_NO_RECV, "rx_no_recv")		 /* received on a NO_RECV port */                  \
	X(TX_PORT_DOWN, "tx_port_down")		 /* output to a PORT_DOWN port */                  \
	X(TX_NO_FWD, "tx_no_fwd")		 /* output to a NO_FWD port */                     \
	X(TX_NO_PORT, "tx_no_port")		 /* output to a port number not on the bridge */   \
	X(TX_IN_PORT, "tx_to_in_port")		 /* output:N where N is the ingress port */        \
	X(TX_RING_FULL, "tx_full")		 /* device tx queue full */                        \
	X(TX_MULTISEG, "tx_multiseg")		 /* multi-segment frame, port cannot send */       \
	X(TX_LOCAL, "tx_local")			 /* output to LOCAL (no local port) */             \
	X(TX_TABLE, "tx_table_in_flow")		 /* output to TABLE outside packet-out */          \
	X(TX_BAD_PORT, "tx_bad_port")		 /* ANY or another unusable reserved port */       \
	X(NO_MBUF, "no_mbuf")			 /* mbuf pool empty (copy for output) */           \
	X(UPCALL_RING_FULL, "upcall_ring_full")	 /* miss ring to the control thread full */        \
	X(NO_PACKET_IN, "no_packet_in")		 /* upcall from a NO_PACKET_IN port */             \
	X(GROUP, "group_missing")		 /* group action: no such group */                 \
	X(GROUP_DEPTH, "group_depth")		 /* group chain deeper than DP_GROUP_MAX_DEPTH */  \
	X(GROUP_NO_LIVE, "group_no_live_bucket") /* FF: none live; select: no weight */            \
	X(GROUP_BUDGET, "group_budget")		 /* bucket over the per-packet group budget */     \
	X(NORMAL_SAME_PORT, "normal_same_port")	 /* NORMAL: destination is the ingress */          \
	X(EXEC, "exec_error")			 /* action executor refused the packet */          \
	X(BRIDGE_GONE, "bridge_gone")		 /* packet-out for a destroyed bridge */           \
	X(CONTROLLER_METER, "controller_meter")	 /* upcall over the OFPM_CONTROLLER meter */       \
	X(UPCALL_SHARE, "upcall_share")		 /* bridge holds its share of the miss ring */

enum dp_core_drop {
#define DP_CORE_DROP_ENUM(NAME, STR) DP_DROP_CORE_##NAME,
	DP_CORE_DROPS(DP_CORE_DROP_ENUM)
#undef DP_CORE_DROP_ENUM
		DP_DROP_CORE_N
};

#define DP_KEY_DROP_SLOTS 64 /* >= DP_DROP_N: the parser's/executor's reasons (dp_key.h) */

/* ---- Ports -------------------------------------------------------------------------- */

struct dp_port_wstats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, rx_dropped, tx_dropped;
} __rte_cache_aligned;

struct dp_port {
	struct dp_bridge *br;
	char name[OFP_MAX_PORT_NAME_LEN + 1];
	uint32_t ofport;
	uint16_t port_id; /* ethdev */
	uint16_t slot;	  /* index in br->slots (MAC table value) */
	uint16_t n_rxq, n_txq;
	bool probed;	  /* probed by dp_port_add: removed by dp_port_del */
	bool tx_shared;	  /* fewer tx queues than workers: tx_lock[queue] at flush */
	bool tx_multiseg; /* the device sends chained mbufs */
	uint32_t config;  /* OFPPC_*, read by workers (relaxed) */
	uint32_t state;	  /* OFPPS_*, read by workers (relaxed) */
	uint8_t hw_addr[6];
	uint32_t curr, advertised, supported, peer, curr_speed, max_speed;
	uint32_t mtu;
	/* Kernel interface behind an af_packet/pcap vdev ("iface=" in its devargs), or "":
	 * those PMDs never report link changes, so the link is read from the kernel too. */
	char kernel_iface[IF_NAMESIZE];
	uint64_t added_ns;
	char *devargs;		   /* as given to dp_port_add (telemetry) */
	rte_spinlock_t *tx_lock;   /* [n_txq] when tx_shared */
	struct dp_port_wstats *ws; /* [n_workers] */
	uint16_t n_rxdesc;	   /* rx ring size: bounds an idle worker's sleep */
	bool rx_intr;		   /* configured with rx interrupts (intr_conf.rxq) */
	/* Per rx queue: the worker polling it, and the worker whose epoll fd holds its
	 * interrupt; -1 for none (control thread's view). */
	int16_t owner[DP_MAX_WORKERS];
	int16_t intr_owner[DP_MAX_WORKERS];
};

/* dp_port.c: device side. */
/* Probes/adopts devargs, configures n_workers' queues, starts it. Fills port's device
 * fields. 0, -ENODEV, -EBUSY (device already used by a port), -EINVAL, -ENOMEM. */
int dp_port_dev_open(struct dp_port *port, const char *devargs);
/* Stops and closes (and removes, if probed) the device. */
void dp_port_dev_close(struct dp_port *port);
/* Refreshes state/curr/speeds from the link; true if state or curr changed. */
bool dp_port_dev_poll(struct dp_port *port);
/* Sets the device link up or down (ignored where the PMD cannot). */
void dp_port_dev_set_link(struct dp_port *port, bool up);
/* Device counters merged with the workers' software counters. */
void dp_port_dev_stats(const struct dp_port *port, struct dp_port_stats *st);

/* ---- Flows -------------------------------------------------------------------------- */

struct dp_flow_wstats {
	uint64_t packets, bytes, used_tsc;
} __rte_cache_aligned;

/* What the pipeline needs to know about an apply-actions list beyond running it. */
struct dp_prog_summary {
	uint16_t n_out;	      /* output actions */
	bool last_is_output;  /* the list ends with an output: it may take the original mbuf */
	bool reparses;	      /* pops a header or rewrites eth_type/ip_proto/icmpv6_type: the
			       * key afterwards depends on bytes the ingress key does not hold */
	bool key_free;	      /* runs without reading or writing the flow key (outputs to
			       * ports, set_queue, clear, goto): a microflow-cache hit on it
			       * never builds the full key */
	uint32_t direct_port; /* the whole program is output:N to a standard port (no other
			       * instruction): N, run without the action interpreter; else 0 */
};

/* One version of a flow's forwarding state, immutable once inserted. dp_flow_modify()
 * replaces it (new rule inserted, old removed, at the same version).
 *
 * Layout: a worker that finds the rule in a table (the classifier hands back &cls) reads
 * only its first two cache lines: the counters' address, the summary, the flags and the
 * program (inline when it fits). A table of 100k rules keeps each rule out of the caches
 * between two packets, so every further line a lookup touches is one more miss (S2 100k:
 * the summary on the 7th line and the counters behind the flow cost two). The match and
 * what only the control thread reads come after. */
struct dp_rule {
	struct dp_flow_wstats *ws; /* the flow's per-worker counters (flow->ws) */
	struct dp_prog *prog;
	struct dp_prog_summary sum;
	uint8_t table_id;
	bool table_miss;    /* priority 0, empty match: CONTROLLER reports NO_MATCH */
	bool count_packets; /* !OFPFF_NO_PKT_COUNTS */
	bool count_bytes;   /* !OFPFF_NO_BYT_COUNTS */
	/* prog itself when it fits (most rules: a few actions), next to what the worker
	 * reads before it; else prog is its own allocation. */
	uint64_t prog_buf[DP_RULE_PROG_INLINE / 8];
	struct dp_cls_rule cls;
	struct dp_flow *flow;
	uint64_t cookie;
	bool free_flow; /* retired with its flow: free the flow with it */
	struct dp_rule *retired_next;
};
_Static_assert(offsetof(struct dp_rule, prog_buf) + DP_RULE_PROG_INLINE <= 2 * RTE_CACHE_LINE_SIZE,
	       "a rule's hot part is its first two cache lines");

/* A rule in its dp_cls_rule's owner words, which an exact shape's slots copy
 * (dp_shape.h): tag, its direct port (sum.direct_port: output to one port and nothing
 * else; 0: not direct); aux, its counters' address with count_packets and count_bytes
 * in the two low bits, which the address leaves clear. A miss on a big table then
 * forwards and counts without reading the rule. */
#define DP_RULE_AUX_PACKETS 0x1u
#define DP_RULE_AUX_BYTES 0x2u
static inline void
dp_rule_set_aux(struct dp_rule *r)
{
	_Static_assert(_Alignof(struct dp_flow_wstats) >= 4, "two flag bits under ws's address");
	r->cls.tag = r->sum.direct_port;
	r->cls.aux = (uintptr_t)r->ws | (r->count_packets ? DP_RULE_AUX_PACKETS : 0) |
		     (r->count_bytes ? DP_RULE_AUX_BYTES : 0);
}

/* The counters aux (dp_rule_set_aux()) holds. */
static inline struct dp_flow_wstats *
dp_rule_aux_ws(uint64_t aux)
{
	return (struct dp_flow_wstats *)(uintptr_t)(aux & ~(uint64_t)3);
}

struct dp_flow {
	struct dp_bridge *br;
	struct dp_rule *rule; /* current rule (control thread's view) */
	uint8_t table_id;
	uint16_t priority;
	uint64_t cookie;
	uint16_t flags;
	bool removed;
	TAILQ_ENTRY(dp_flow) node;
	TAILQ_ENTRY(dp_flow) tnode; /* in its table's list (struct dp_table_ctl) */
	struct dp_flow_wstats *ws;  /* [n_workers], in the same pool block, after the flow */
};

/* ---- Bridges ------------------------------------------------------------------------ */

struct dp_table_wstats {
	uint64_t lookups, matched;
};

/* Ports of a bridge in ofport order; immutable once published (replaced whole). */
struct dp_portmap {
	unsigned n;
	struct dp_port *ports[];
};

struct dp_normal;

TAILQ_HEAD(dp_flow_list, dp_flow);

/* A table's flows and the bookkeeping of its shape (control thread only). A table that
 * changed gets a new shape, or none (generic), published with the version that changes
 * it; rebuilding costs O(rules), so a big table churned by single flow-mods is rebuilt
 * only once its changes since the last build reach DP_SHAPE_REBUILD_CHANGES times its
 * number of rules, or DP_SHAPE_REBUILD_MS and DP_SHAPE_REBUILD_X times the last build's
 * time passed, and stays generic in between (amortised: a quarter of a rule compiled per
 * change, and about 2% of the control thread's time). */
#define DP_SHAPE_SMALL 64	   /* tables up to this many rules are rebuilt at every change */
#define DP_SHAPE_REBUILD_CHANGES 4 /* see above */
#define DP_SHAPE_REBUILD_MS 100	   /* see above */
#define DP_SHAPE_REBUILD_X 50	   /* see above */
#define DP_SHAPE_MAX_RULES 262144  /* bigger tables stay generic (dp_cls) */
struct dp_table_ctl {
	struct dp_flow_list flows;
	unsigned n_flows;
	unsigned pending; /* changes since the shape was last built */
	bool dirty;	  /* the published shape (or none) does not reflect the rules */
	uint64_t built_tsc;
	uint64_t build_tsc; /* how long the last build took */
};

/* One bridge's upcalls in one worker's miss ring: enq - deq are in flight. Each count has
 * one writer (the worker, the control thread) and its own cache line. */
struct dp_upcall_acct {
	uint64_t enq;
	uint64_t deq __rte_cache_aligned;
} __rte_cache_aligned;

struct dp_bridge {
	char name[64];
	uint64_t uid;	  /* never reused: the microflow cache compares it */
	uint64_t version; /* published rule-set version (release store / acquire load) */
	bool normal_mode; /* published with the version */
	bool normal_staged;
	bool staged;		/* flow changes since the last commit */
	uint32_t n_adds;	/* flows added (wraps): paces dp_defer_reclaim() */
	bool ttl_to_controller; /* invalid-TTL packets go to the controller */
	uint64_t datapath_id;	/* dp_bridge_set_identity (telemetry) */
	char fail_mode[16];
	struct dp_cls *tables; /* [DP_N_TABLES] */
	/* Per table, its compiled shape (dp_shape.h) valid from shape->version on, or NULL
	 * (the classifier): release store at dp_commit, before the version. */
	struct dp_shape *shapes[DP_N_TABLES];
	struct dp_table_ctl *tctl;	 /* [DP_N_TABLES] */
	uint8_t shape_kind[DP_N_TABLES]; /* enum dp_shape_kind of shapes[] (for readers that
					  * are not workers: telemetry, atomic) */
	struct dp_port *by_ofport[DP_OFPORT_FAST];
	struct dp_port *local; /* the OFPP_LOCAL port, or NULL (release store) */
	struct dp_port *slots[DP_BRIDGE_MAX_PORTS];
	struct dp_portmap *pmap;
	struct dp_table_wstats *tstats; /* [n_workers * DP_N_TABLES] */
	struct dp_normal *mac;
	struct dp_flow_list flows;
	struct dp_rule *retired;     /* rules to free once the next commit is old enough */
	uint64_t purge_dirty[4];     /* tables with removals not yet purged */
	uint64_t shape_dirty[4];     /* tables whose shape is to be refreshed (tctl[].dirty) */
	struct dp_gm *gm;	     /* groups and meters, control view (dp_group.h) */
	struct dp_idmap *groups_pub; /* groups the workers see (release store) */
	struct dp_idmap *meters_pub; /* meters the workers see (release store) */
	/* struct dp_flow with its per-worker counters in one block, and struct dp_rule:
	 * fixed sizes, allocated and freed by the control thread only (dp_pool.h). */
	struct dp_pool flow_pool;
	struct dp_pool rule_pool;
	TAILQ_ENTRY(dp_bridge) node;
	struct dp_upcall_acct *upcall_acct; /* [n_workers] */
};

static inline struct dp_table_wstats *
dp_bridge_tstats(struct dp_bridge *br, unsigned worker, unsigned table)
{
	return &br->tstats[worker * DP_N_TABLES + table];
}

/* True for the numbers a port of a bridge may have: 1..OFPP_MAX, or OFPP_LOCAL for the
 * bridge's own (host) port. */
static inline bool
dp_ofport_valid(uint32_t ofport)
{
	return (ofport >= 1 && ofport <= OFPP_MAX) || ofport == OFPP_LOCAL;
}

/* Resolves a port number on br (worker side): a standard port, or OFPP_LOCAL. */
static inline struct dp_port *
dp_bridge_port(const struct dp_bridge *br, uint32_t ofport)
{
	if (likely(ofport < DP_OFPORT_FAST))
		return __atomic_load_n(&br->by_ofport[ofport], __ATOMIC_ACQUIRE);
	if (ofport == OFPP_LOCAL)
		return __atomic_load_n(&br->local, __ATOMIC_ACQUIRE);
	const struct dp_portmap *pm = __atomic_load_n(&br->pmap, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; pm && i < pm->n; i++)
		if (pm->ports[i]->ofport == ofport)
			return pm->ports[i];
	return NULL;
}

/* ---- Workers ------------------------------------------------------------------------ */

struct dp_rxq_ref {
	struct dp_port *port;
	uint16_t port_id, queue;
	bool intr; /* its interrupt is registered in the worker's epoll fd */
};

/* A worker's rx queues; immutable once published (replaced whole). */
struct dp_pollset {
	unsigned n;
	bool all_intr;	       /* n > 0 and every queue has its interrupt: idle = block */
	uint64_t sleep_max_ns; /* longest idle sleep: half the time the smallest rx ring
				* takes to fill at its port's link speed, <= idle_sleep_us */
	struct dp_rxq_ref q[];
};

struct dp_txbuf {
	struct dp_port *port;
	uint16_t n;
	struct rte_mbuf *pkts[DP_TXBUF];
};

struct dp_cache;
struct dp_cache_entry;

struct dp_worker {
	unsigned id;	/* 0..n_workers-1: counter slot, RCU thread id */
	unsigned lcore; /* EAL lcore */
	bool stop;
	bool running;
	pthread_t thread; /* its lcore's thread, for DP_WAKE_SIGNAL; set before running */
	struct dp_pollset *polls;
	struct rte_ring *miss;	 /* SP/SC: upcall mbufs to the control thread */
	struct rte_ring *inject; /* MP/SC: packet-out mbufs from the control thread */
	struct rte_ring *done;	 /* SP/SC: executed packet-out programs back for freeing */
	struct dp_cache *cache;	 /* NULL when the microflow cache is off */
	uint64_t burst_tsc;	 /* rte_rdtsc() at the start of the current burst */
	uint64_t drops_core[DP_DROP_CORE_N];
	uint64_t drops_key[DP_KEY_DROP_SLOTS];
	uint64_t cache_hits, cache_misses, cache_skipped;
	bool upcall_queued; /* an upcall went into `miss` this loop: dp_upcall_kick() */
	uint64_t idle_sleeps, n_polls, busy_polls;
	/* TSC cycles spent in loops that moved packets, and in the rest (empty polls,
	 * sleeps, interrupt waits); of the latter, cycles asleep or blocked. */
	uint64_t busy_cycles, idle_cycles, rest_cycles;
	uint64_t intr_waits;		  /* times it blocked on rx interrupts */
	unsigned n_queues, n_intr_queues; /* in its poll set (control thread's copy) */
	int epfd;     /* epoll: its queues' rx interrupts and kick_fd; -1 if none */
	int kick_fd;  /* eventfd: the control thread wakes it out of epoll */
	bool blocked; /* in epoll: a packet-out, a new poll set or stop kicks it */
	struct rte_epoll_event kick_ev;
	uint64_t mac_learn_port_limit, mac_learn_bucket_full; /* dp_normal_learn refusals */
	uint64_t burst_hist[DP_BURST_HIST_N]; /* non-empty rx bursts by log2 of their size */
	uint64_t rx_packets;
	/* Microflow-cache counts (dp_cache.h): the last dp_g.flush_seq this worker
	 * attributed its cache for (release store), whether it rests (its cache attributed
	 * before it went: a flush need not wait for it), and when it last attributed. */
	uint64_t flush_seen;
	bool resting;
	uint64_t flush_tsc;
	uint16_t n_dirty;
	uint16_t dirty[RTE_MAX_ETHPORTS];
	struct dp_txbuf tx[RTE_MAX_ETHPORTS];
} __rte_cache_aligned;

/* Per-packet private area of every mbuf in the pool (upcall and inject metadata). */
struct dp_mbuf_meta {
	struct dp_bridge *br;
	uint64_t cookie;
	uint64_t metadata;
	uint64_t tunnel_id;
	struct dp_prog *prog;	    /* inject: the packet-out program */
	struct dp_prog_summary sum; /* inject: its summary */
	uint64_t br_uid;	    /* inject: the bridge it was meant for */
	uint32_t in_port;
	uint32_t total_len;
	uint16_t max_len;
	uint8_t reason;
	uint8_t table_id;
};

static inline struct dp_mbuf_meta *
dp_mbuf_meta(struct rte_mbuf *m)
{
	return (struct dp_mbuf_meta *)rte_mbuf_to_priv(m);
}

/* ---- Global state ------------------------------------------------------------------- */

TAILQ_HEAD(dp_bridge_list, dp_bridge);

struct dp_global {
	struct dp_params params;
	bool initialised, running;
	/* A worker did not stop (dp_stop() timed out): it may still read anything, so
	 * nothing the datapath shares with workers is freed any more. */
	bool worker_stuck;
	bool drain_on_stop;   /* dp_stop_drained(): workers empty their rx queues first */
	bool pdump;	      /* rte_pdump_init() done: dpdk-dumpcap can capture */
	bool consolidated;    /* every rx queue is polled by worker 0 (dp_set_consolidated) */
	uint64_t balance_tsc; /* last dp_power_run() decision */
	uint64_t balance_busy[DP_MAX_WORKERS];	/* busy_cycles then */
	uint64_t balance_total[DP_MAX_WORKERS]; /* busy + idle cycles then */
	unsigned balance_low;			/* periods in a row under the low mark */
	unsigned n_workers;
	struct rte_mempool *pool;
	struct dp_worker *workers[DP_MAX_WORKERS];
	struct dp_port *ports[RTE_MAX_ETHPORTS]; /* by ethdev port id */
	struct dp_bridge_list bridges;
	uint64_t next_bridge_uid;
	uint64_t tsc_hz, tsc0, mono0_ns;
	uint64_t upcall_dropped_ctl; /* control-side losses (pool empty while copying...) */
	int upcall_efd;		     /* eventfd: upcalls queued while the control thread waits */
	bool upcall_waiting;	     /* the control thread sleeps until upcall_efd (atomic) */
	unsigned upcall_rr;	     /* round robin over miss rings */
	/* Slots of a worker's miss ring one bridge may hold: the capacity over the number of
	 * bridges, so that no bridge can fill the ring the others need (atomic). */
	uint32_t upcall_share;
	/* Stats flush requests (dp_stats_flush) and commits bump it; a worker attributes
	 * its microflow cache's counts when it sees a new value, at the end of its loop. */
	uint64_t flush_seq;
	uint64_t flush_rx;     /* workers' rx_packets summed when the last flush began */
	unsigned stats_batch;  /* dp_stats_batch(): flushed once for the whole batch */
	bool stats_batch_done; /* the batch's flush happened */
};

extern struct dp_global dp_g;

/* Control-path logging (never per packet): type "pfs.datapath". */
extern int dp_logtype;
#define DP_LOG(level, ...) rte_log(RTE_LOG_##level, dp_logtype, "datapath: " __VA_ARGS__)

static inline void
dp_worker_drop(struct dp_worker *w, enum dp_core_drop r, struct rte_mbuf *m)
{
	w->drops_core[r]++;
	if (m)
		rte_pktmbuf_free(m);
}

/* dp_worker.c */
/* The lcore main loop (rte_eal_remote_launch argument: struct dp_worker *). */
int dp_worker_main(void *arg);
/* Sends tb's packets (their port's tx counters). */
void dp_worker_flush_one(struct dp_worker *w, struct dp_txbuf *tb);
/* Queues m for transmission on port (taking ownership); flushed per burst, and when a
 * port's buffer is full. Inline: the hit path queues most packets straight here. */
static inline void
dp_worker_tx(struct dp_worker *w, struct dp_port *port, struct rte_mbuf *m)
{
	struct dp_txbuf *tb = &w->tx[port->port_id];

	if (unlikely(m->nb_segs > 1 && !port->tx_multiseg)) {
		port->ws[w->id].tx_dropped++;
		dp_worker_drop(w, DP_DROP_CORE_TX_MULTISEG, m);
		return;
	}
	if (!tb->port) {
		tb->port = port;
		w->dirty[w->n_dirty++] = port->port_id;
	}
	tb->pkts[tb->n++] = m;
	if (unlikely(tb->n == DP_TXBUF))
		dp_worker_flush_one(w, tb);
}
/* Sends every buffered packet. */
void dp_worker_flush(struct dp_worker *w);
/* Wakes w if it blocks on rx interrupts, after the caller gave it work (a packet-out, a
 * new poll set, stop). Control thread. */
void dp_worker_kick(struct dp_worker *w);
/* Half the time port's rx ring takes to fill with minimum-size frames at its link speed
 * (or idle_link_speed_mbps where set), in ns. */
uint64_t dp_port_rx_fill_ns(const struct dp_port *port);

/* Wakes the control thread if it announced it waits for upcalls (dp_upcall_wait_begin):
 * one eventfd write per wait, so at most one syscall per control-thread sleep, never one
 * per packet while upcalls stream. Called by a worker after queueing upcalls. */
void dp_upcall_kick(void);

/* datapath.c */
/* Copies data into a fresh mbuf chain from the pool. NULL if the pool is short. */
struct rte_mbuf *dp_mbuf_from(const void *data, size_t len);
/* "table_miss" for DP_DROP_CORE_TABLE_MISS; "unknown" out of range. */
const char *dp_core_drop_name(unsigned reason);

/* dp_pipeline.c */
/* Processes n packets received on port (owns them). */
void dp_pipeline_rx(struct dp_worker *w, struct dp_port *port, struct rte_mbuf **pkts, unsigned n);
/* Executes one packet-out (owns m; meta holds bridge, in_port, program). */
void dp_pipeline_inject(struct dp_worker *w, struct rte_mbuf *m);
/* Attributes a microflow-cache entry's counts to the rules and tables of its path
 * (aux: the worker owning the cache; dp_cache_attr_fn). */
void dp_pipeline_attribute(void *aux, struct dp_cache_entry *e);
/* Attributes w's cache counts (on w) and acknowledges flush request seq. */
void dp_worker_flush_stats(struct dp_worker *w, uint64_t seq);
/* Summarises prog's apply-actions list (control thread, at compile time). */
void dp_pipeline_summarise(const struct dp_prog *prog, struct dp_prog_summary *sum);

/* dp_telemetry.c: the /pfswitch/... telemetry commands. They run on the EAL's telemetry
 * thread and read bridges and ports under dp_tel_lock(), which the control thread holds
 * while it links, unlinks or frees a bridge, a port or the workers. */
void dp_telemetry_init(void);
struct rte_tel_data;
/* /pfswitch/workers (datapath.c owns the workers); called under dp_tel_lock(). */
int dp_tel_workers(const char *params, struct rte_tel_data *d);
void dp_tel_lock(void);
void dp_tel_unlock(void);
/* Per-worker drop counts (worker < n_workers), as dp_drop_stats() for that worker. */
unsigned dp_drop_stats_worker(unsigned worker, struct dp_drop_stat *out, unsigned n);

/* dp_defer.c */
int dp_defer_init(unsigned max_threads);
struct dp_defer *dp_defer_get(void);
struct rte_rcu_qsbr *dp_defer_qsbr(void);
/* Runs every deferred call whose grace period is over; returns how many ran. */
unsigned dp_defer_reclaim(void);
/* Waits until every online worker passed a quiescent state after the call (at most
 * timeout_ns), then reclaims. 0 or -ETIMEDOUT. */
int dp_defer_sync(uint64_t timeout_ns);
/* Runs everything still queued (workers stopped) and frees the QSBR variable. */
void dp_defer_fini(void);

/* Monotonic ns of a TSC value (counters' last-used times). */
uint64_t dp_tsc_to_ns(uint64_t tsc);

#endif /* PFS_DP_CORE_H */
