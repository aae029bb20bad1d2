/* The datapath's public API (datapath.h): EAL and mbuf pool, worker lifecycle, bridges,
 * ports (binding ethdevs from dp_port.c to OpenFlow port numbers and to the workers' poll
 * sets), flows (compiled by dp_prog, staged in the dp_cls tables at version + 1),
 * commit/sync, upcalls from the miss rings and packet-outs through the inject ring,
 * counters and drop statistics.
 *
 * Versions and memory: a bridge's workers look up at br->version (loaded once per
 * burst). Changes are staged at br->version + 1 and published by dp_commit() with a
 * release store. What a commit retires (replaced or removed rules, their flows, purged
 * classifier nodes) is freed by a callback queued on the QSBR-backed struct dp_defer
 * (dp_defer.c), which runs once every worker has passed a quiescent state after the
 * commit. Poll sets and port maps are replaced whole and retired the same way.
 *
 * Control thread only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_pdump.h>
#include <rte_telemetry.h>

#include "dp_cache.h"
#include "dp_group.h"
#include "dp_core.h"
#include "dp_normal.h"
#include "util.h"

struct dp_global dp_g;
int dp_logtype;

#define DEFAULT_MBUFS 16383
#define DEFAULT_MISS_RING 1024
#define MBUF_CACHE 256

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t
dp_tsc_to_ns(uint64_t tsc)
{
	if (tsc <= dp_g.tsc0)
		return dp_g.mono0_ns;
	uint64_t d = tsc - dp_g.tsc0;

	return dp_g.mono0_ns + d / dp_g.tsc_hz * 1000000000ull +
	       d % dp_g.tsc_hz * 1000000000ull / dp_g.tsc_hz;
}

/* ---- Lifecycle ---------------------------------------------------------------------- */

void
dp_params_default(struct dp_params *p)
{
	memset(p, 0, sizeof(*p));
	p->n_workers = 1;
	p->n_mbufs = DEFAULT_MBUFS;
	p->miss_ring_size = DEFAULT_MISS_RING;
	p->max_masks_per_table = DP_CLS_DEFAULT_MAX_MASKS;
	p->microflow_cache = true;
	p->idle_polls_before_sleep = 1000;
	p->idle_sleep_us = 100;
	p->group_budget = DP_GROUP_DEFAULT_BUDGET;
	p->rx_interrupts = true;
	p->timer_slack_ns = 1000;
	p->mac_table_size = DP_NORMAL_DEFAULT_ENTRIES;
	p->mac_aging_s = DP_NORMAL_DEFAULT_AGING_S;
	p->mac_max_per_port = DP_NORMAL_DEFAULT_MAX_PER_PORT;
}

static void
drain_done(struct dp_worker *w)
{
	void *progs[64];
	unsigned n;

	while ((n = rte_ring_sc_dequeue_burst(w->done, progs, 64, NULL)) > 0)
		for (unsigned i = 0; i < n; i++)
			dp_prog_free(progs[i]);
}

static void
drain_done_all(void)
{
	for (unsigned i = 0; i < dp_g.n_workers; i++)
		drain_done(dp_g.workers[i]);
}

static struct dp_bridge *bridge_by_uid(const struct dp_bridge *ptr, uint64_t uid);

/* An upcall mbuf taken off w's miss ring: frees it, and gives its bridge's slot back. */
static void
upcall_done(struct dp_worker *w, struct rte_mbuf *m)
{
	struct dp_mbuf_meta *meta = dp_mbuf_meta(m);
	struct dp_bridge *br = bridge_by_uid(meta->br, meta->br_uid);

	if (br) {
		struct dp_upcall_acct *a = &br->upcall_acct[w->id];

		__atomic_store_n(&a->deq, a->deq + 1, __ATOMIC_RELAXED);
	}
	rte_pktmbuf_free(m);
}

/* Recomputes dp_g.upcall_share after a bridge came or went. */
static void
update_upcall_share(void)
{
	struct dp_bridge *br;
	unsigned n = 0, cap = dp_g.n_workers ? rte_ring_get_capacity(dp_g.workers[0]->miss) : 0;

	TAILQ_FOREACH(br, &dp_g.bridges, node)
	n++;
	__atomic_store_n(&dp_g.upcall_share, n ? RTE_MAX(cap / n, 1u) : cap, __ATOMIC_RELAXED);
}

/* Frees what sits in a stopped worker's rings. */
static void
drain_worker(struct dp_worker *w)
{
	struct rte_mbuf *m;

	while (rte_ring_sc_dequeue(w->inject, (void **)&m) == 0) {
		dp_prog_free(dp_mbuf_meta(m)->prog);
		rte_pktmbuf_free(m);
	}
	while (rte_ring_sc_dequeue(w->miss, (void **)&m) == 0)
		upcall_done(w, m);
	drain_done(w);
}

static void
worker_free(struct dp_worker *w)
{
	if (!w)
		return;
	if (w->inject && w->miss && w->done)
		drain_worker(w);
	rte_ring_free(w->miss);
	rte_ring_free(w->inject);
	rte_ring_free(w->done);
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->kick_fd >= 0)
		close(w->kick_fd);
	dp_cache_destroy(w->cache);
	rte_free(w->polls);
	rte_free(w);
}

static void
drain_kick(int fd, void *arg)
{
	uint64_t v;

	(void)arg;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		DP_LOG(ERR, "worker kick: %s\n", strerror(errno));
}

/* The worker's epoll fd (rx interrupts) with its kick eventfd in it. */
static int
worker_epoll(struct dp_worker *w)
{
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->epfd < 0 || w->kick_fd < 0)
		return -errno;
	w->kick_ev.epdata.event = EPOLLIN;
	w->kick_ev.epdata.cb_fun = drain_kick;
	return rte_epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->kick_fd, &w->kick_ev);
}

static int
worker_create(unsigned id, unsigned lcore)
{
	char name[RTE_RING_NAMESIZE];
	int socket = (int)rte_lcore_to_socket_id(lcore);
	struct dp_worker *w =
		rte_zmalloc_socket("dp_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);

	if (!w)
		return -ENOMEM;
	w->id = id;
	w->lcore = lcore;
	w->epfd = w->kick_fd = -1;
	if (dp_g.params.rx_interrupts && worker_epoll(w) < 0) {
		DP_LOG(ERR, "worker %u: epoll: %s\n", id, strerror(errno));
		worker_free(w);
		return -ENOMEM;
	}
	snprintf(name, sizeof(name), "dp_miss%u", id);
	w->miss = rte_ring_create(name, rte_align32pow2(dp_g.params.miss_ring_size), socket,
				  RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "dp_inject%u", id);
	w->inject = rte_ring_create(name, DP_INJECT_RING_SIZE, socket, RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "dp_done%u", id);
	w->done = rte_ring_create(name, DP_INJECT_RING_SIZE * 2, socket,
				  RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (dp_g.params.microflow_cache)
		w->cache = dp_cache_create(DP_CACHE_DEFAULT_ENTRIES, socket);
	if (w->cache)
		dp_cache_set_attr(w->cache, dp_pipeline_attribute, w);
	if (!w->miss || !w->inject || !w->done || (dp_g.params.microflow_cache && !w->cache)) {
		worker_free(w);
		return -ENOMEM;
	}
	dp_g.workers[id] = w;
	return 0;
}

static void on_wake_signal(int sig);

/* Packet capture (dpdk-dumpcap, dpdk-pdump) runs as a secondary process: it needs the
 * EAL's shared configuration, which --no-shconf and --in-memory turn off. */
static bool
eal_multiprocess(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--no-shconf") == 0 || strcmp(argv[i], "--in-memory") == 0)
			return false;
	return true;
}

static void
pdump_start(bool multiprocess)
{
	dp_g.pdump = false;
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return;
	if (!multiprocess) {
		DP_LOG(INFO, "packet capture off: the EAL runs with --no-shconf or --in-memory\n");
		return;
	}
	if (rte_pdump_init() < 0) {
		DP_LOG(WARNING, "packet capture off: rte_pdump_init: %s\n",
		       rte_strerror(rte_errno));
		return;
	}
	dp_g.pdump = true;
	DP_LOG(INFO, "packet capture on: dpdk-dumpcap may attach (runtime dir %s)\n",
	       rte_eal_get_runtime_dir());
}

static void
pdump_stop(void)
{
	if (dp_g.pdump)
		rte_pdump_uninit();
	dp_g.pdump = false;
}

int
dp_init(int argc, char **argv, const struct dp_params *p)
{
	int consumed, ret;
	bool multiprocess = eal_multiprocess(argc, argv);

	if (dp_g.initialised)
		return -EALREADY;
	if (!p || p->n_workers < 1 || p->n_workers > DP_MAX_WORKERS)
		return -EINVAL;
	memset(&dp_g, 0, sizeof(dp_g));
	dp_g.params = *p;
	if (!dp_g.params.n_mbufs)
		dp_g.params.n_mbufs = DEFAULT_MBUFS;
	if (!dp_g.params.miss_ring_size)
		dp_g.params.miss_ring_size = DEFAULT_MISS_RING;
	if (!dp_g.params.max_masks_per_table)
		dp_g.params.max_masks_per_table = DP_CLS_DEFAULT_MAX_MASKS;
	if (!dp_g.params.group_budget)
		dp_g.params.group_budget = DP_GROUP_DEFAULT_BUDGET;
	TAILQ_INIT(&dp_g.bridges);
	dp_g.upcall_efd = -1;

	consumed = rte_eal_init(argc, argv);
	if (consumed < 0)
		return rte_errno == ENOMEM ? -ENOMEM : -EINVAL;
	dp_logtype = rte_log_register_type_and_pick_level("pfs.datapath", RTE_LOG_INFO);
	if (dp_logtype < 0)
		dp_logtype = RTE_LOGTYPE_USER1;
	if (rte_lcore_count() < 1 + p->n_workers) {
		DP_LOG(ERR, "%u workers need %u lcores, EAL has %u\n", p->n_workers,
		       1 + p->n_workers, rte_lcore_count());
		ret = -EINVAL;
		goto fail;
	}
	dp_g.n_workers = p->n_workers;
	{
		/* No SA_RESTART: the signal is there to interrupt (dp_stop()). */
		struct sigaction sa = { .sa_handler = on_wake_signal };

		sigemptyset(&sa.sa_mask);
		if (sigaction(DP_WAKE_SIGNAL, &sa, NULL) < 0) {
			ret = -errno;
			DP_LOG(ERR, "worker wake-up signal: %s\n", strerror(errno));
			goto fail;
		}
	}
	dp_g.tsc_hz = rte_get_tsc_hz();
	dp_g.tsc0 = rte_rdtsc();
	dp_g.mono0_ns = mono_ns();

	unsigned cache = MBUF_CACHE;

	while (cache > 1 && cache * 3 / 2 > dp_g.params.n_mbufs)
		cache /= 2;
	dp_g.pool =
		rte_pktmbuf_pool_create(DP_POOL_NAME, dp_g.params.n_mbufs, cache,
					RTE_ALIGN(sizeof(struct dp_mbuf_meta), RTE_MBUF_PRIV_ALIGN),
					RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (!dp_g.pool) {
		DP_LOG(ERR, "mbuf pool of %u: %s\n", dp_g.params.n_mbufs, rte_strerror(rte_errno));
		ret = -ENOMEM;
		goto fail;
	}
	ret = dp_defer_init(dp_g.n_workers);
	if (ret < 0)
		goto fail;
	dp_g.upcall_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (dp_g.upcall_efd < 0) {
		ret = -errno;
		DP_LOG(ERR, "upcall eventfd: %s\n", strerror(errno));
		goto fail;
	}

	unsigned lcore, id = 0;

	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		if (id == dp_g.n_workers)
			break;
		ret = worker_create(id, lcore);
		if (ret < 0)
			goto fail;
		id++;
	}
	dp_telemetry_init();
	pdump_start(multiprocess);
	dp_g.initialised = true;
	return consumed;

fail:
	dp_tel_lock();
	for (unsigned i = 0; i < DP_MAX_WORKERS; i++) {
		worker_free(dp_g.workers[i]);
		dp_g.workers[i] = NULL;
	}
	dp_tel_unlock();
	dp_defer_fini();
	rte_mempool_free(dp_g.pool);
	dp_g.pool = NULL;
	if (dp_g.upcall_efd >= 0)
		close(dp_g.upcall_efd);
	dp_g.upcall_efd = -1;
	rte_eal_cleanup();
	return ret;
}

int
dp_start(void)
{
	if (!dp_g.initialised)
		return -EINVAL;
	if (dp_g.running)
		return 0;
	for (unsigned i = 0; i < dp_g.n_workers; i++) {
		struct dp_worker *w = dp_g.workers[i];
		int ret;

		__atomic_store_n(&w->stop, false, __ATOMIC_RELEASE);
		ret = rte_eal_remote_launch(dp_worker_main, w, w->lcore);
		if (ret < 0) {
			DP_LOG(ERR, "cannot launch worker %u on lcore %u: %s\n", i, w->lcore,
			       strerror(-ret));
			for (unsigned j = 0; j < i; j++) {
				__atomic_store_n(&dp_g.workers[j]->stop, true, __ATOMIC_RELEASE);
				rte_eal_wait_lcore(dp_g.workers[j]->lcore);
			}
			return ret;
		}
	}
	/* Registered with RCU before dp_start() returns: a dp_sync() right after waits. */
	for (unsigned i = 0; i < dp_g.n_workers; i++)
		while (!__atomic_load_n(&dp_g.workers[i]->running, __ATOMIC_ACQUIRE))
			rte_pause();
	dp_g.running = true;
	return 0;
}

/* DP_WAKE_SIGNAL's handler: the signal only has to interrupt the syscall a worker is
 * blocked in (EINTR), so that the PMD returns and the worker sees its stop flag. */
static void
on_wake_signal(int sig)
{
	(void)sig;
}

/* Interrupts every worker still running out of a blocking syscall. */
static void
wake_running_workers(void)
{
	for (unsigned i = 0; i < dp_g.n_workers; i++) {
		struct dp_worker *w = dp_g.workers[i];

		if (__atomic_load_n(&w->running, __ATOMIC_ACQUIRE))
			pthread_kill(w->thread, DP_WAKE_SIGNAL);
	}
}

int
dp_stop_drained(void)
{
	int r;

	dp_g.drain_on_stop = true;
	r = dp_stop();
	dp_g.drain_on_stop = false;
	return r;
}

int
dp_stop(void)
{
	uint64_t t0, next_wake;
	unsigned out;

	if (!dp_g.running)
		return dp_g.worker_stuck ? -ETIMEDOUT : 0;
	for (unsigned i = 0; i < dp_g.n_workers; i++) {
		__atomic_store_n(&dp_g.workers[i]->stop, true, __ATOMIC_RELEASE);
		dp_worker_kick(dp_g.workers[i]);
	}
	/* Bounded: a worker blocked in a PMD's syscall is interrupted every DP_STOP_WAKE_NS;
	 * one that is still out after DP_STOP_TIMEOUT_NS is left running. */
	t0 = mono_ns();
	next_wake = t0 + DP_STOP_WAKE_NS;
	for (;;) {
		uint64_t now = mono_ns();

		out = 0;
		for (unsigned i = 0; i < dp_g.n_workers; i++)
			out += __atomic_load_n(&dp_g.workers[i]->running, __ATOMIC_ACQUIRE);
		if (!out || now - t0 >= DP_STOP_TIMEOUT_NS)
			break;
		if (now >= next_wake) {
			wake_running_workers();
			next_wake = now + DP_STOP_WAKE_NS;
		}
		struct timespec ts = { 0, 100000 };

		nanosleep(&ts, NULL);
	}
	dp_g.running = false;
	if (out) {
		for (unsigned i = 0; i < dp_g.n_workers; i++)
			if (__atomic_load_n(&dp_g.workers[i]->running, __ATOMIC_ACQUIRE))
				DP_LOG(ERR,
				       "worker %u (lcore %u) did not stop within %llu s; left "
				       "running, the datapath's memory is not freed\n",
				       i, dp_g.workers[i]->lcore,
				       (unsigned long long)(DP_STOP_TIMEOUT_NS / 1000000000u));
		dp_g.worker_stuck = true;
		return -ETIMEDOUT;
	}
	for (unsigned i = 0; i < dp_g.n_workers; i++)
		rte_eal_wait_lcore(dp_g.workers[i]->lcore); /* returned: at once */
	/* Nobody reads now: run every deferred free. Packet-outs still queued run at the
	 * next dp_start(). */
	drain_done_all();
	dp_defer_reclaim();
	return 0;
}

long
dp_flush_rx(void)
{
	struct rte_mbuf *pkts[DP_BURST];
	struct dp_bridge *br;
	long n = 0;

	if (dp_g.running)
		return -EBUSY;
	TAILQ_FOREACH(br, &dp_g.bridges, node)
	{
		const struct dp_portmap *pm = br->pmap;

		for (unsigned i = 0; pm && i < pm->n; i++) {
			const struct dp_port *port = pm->ports[i];

			for (uint16_t q = 0; q < port->n_rxq; q++) {
				uint16_t got;

				/* Bounded: a queue refilled as fast as it is read is left. */
				for (unsigned k = 0; k < 1024; k++) {
					got = rte_eth_rx_burst(port->port_id, q, pkts, DP_BURST);
					rte_pktmbuf_free_bulk(pkts, got);
					n += got;
					if (got < DP_BURST)
						break;
				}
			}
		}
	}
	return n;
}

void
dp_fini(void)
{
	if (!dp_g.initialised)
		return;
	if (dp_stop() < 0) {
		/* A worker may still read any of it: the process exits with it mapped. */
		DP_LOG(ERR, "a worker is still running: datapath left as it is\n");
		dp_g.initialised = false;
		return;
	}
	while (!TAILQ_EMPTY(&dp_g.bridges))
		dp_bridge_destroy(TAILQ_FIRST(&dp_g.bridges));
	pdump_stop();
	dp_tel_lock();
	for (unsigned i = 0; i < DP_MAX_WORKERS; i++) {
		worker_free(dp_g.workers[i]);
		dp_g.workers[i] = NULL;
	}
	dp_tel_unlock();
	dp_defer_fini();
	rte_mempool_free(dp_g.pool);
	dp_g.pool = NULL;
	close(dp_g.upcall_efd);
	dp_g.upcall_efd = -1;
	dp_g.initialised = false;
	rte_eal_cleanup();
}

/* Waits for a grace period; a stuck worker is reported and waited for again: freeing
 * what it may read is never an option. */
static void
sync_hard(void)
{
	while (dp_defer_sync(DP_SYNC_TIMEOUT_NS) == -ETIMEDOUT) {
		DP_LOG(ERR, "a worker has not passed a quiescent state for 2 s; waiting\n");
		wake_running_workers(); /* out of a PMD's blocking syscall, if it is in one */
	}
}

/* ---- Poll sets and port maps -------------------------------------------------------- */

static void
free_rte(void *p)
{
	rte_free(p);
}

/* Moves the interrupt of port's rx queue q into worker w's epoll fd (w < 0: out of any).
 * True if it is there. */
static bool
move_intr(struct dp_port *port, uint16_t q, int w)
{
	int old = port->intr_owner[q];
	int ret;

	if (!port->rx_intr)
		return false;
	if (old == w)
		return w >= 0;
	if (old >= 0) {
		ret = rte_eth_dev_rx_intr_ctl_q(port->port_id, q, dp_g.workers[old]->epfd,
						RTE_INTR_EVENT_DEL, NULL);
		if (ret < 0)
			DP_LOG(NOTICE, "port %s: rx queue %u: interrupt off: %s\n", port->name, q,
			       strerror(-ret));
		port->intr_owner[q] = -1;
	}
	if (w < 0 || dp_g.workers[w]->epfd < 0)
		return false;
	/* A PMD without rx interrupts makes ethdev log an error ("Rx Intr handle unset"):
	 * not one here, where it only means the worker sleeps instead. */
	int logtype = rte_log_register("lib.ethdev");
	int level = logtype >= 0 ? rte_log_get_level((uint32_t)logtype) : -1;

	if (level >= 0)
		rte_log_set_level((uint32_t)logtype, RTE_LOG_CRIT);
	ret = rte_eth_dev_rx_intr_ctl_q(port->port_id, q, dp_g.workers[w]->epfd, RTE_INTR_EVENT_ADD,
					NULL);
	if (level >= 0)
		rte_log_set_level((uint32_t)logtype, (uint32_t)level);
	if (ret < 0) {
		/* The PMD has no rx interrupts (memif, af_packet, pcap, ring): the worker
		 * sleeps instead, bounded by the ring's fill time. */
		DP_LOG(INFO, "port %s: no rx interrupts (%s): idle workers sleep\n", port->name,
		       strerror(-ret));
		port->rx_intr = false;
		return false;
	}
	port->intr_owner[q] = (int16_t)w;
	return true;
}

static void
intr_release(struct dp_port *port)
{
	for (uint16_t q = 0; q < port->n_rxq; q++)
		move_intr(port, q, -1);
}

/* The worker that should poll rx queue q of ethdev pid: worker 0 while the queues are
 * consolidated, else its home worker. Homes go round-robin over the switch's rx queues
 * in ethdev order (not over ethdev ids, which have gaps where a device is not the
 * switch's or was removed), so single-queue ports (af_packet, pcap, memif, tap, vhost)
 * spread over the workers as evenly as RSS queues do. A port added or removed can move
 * other queues; publish_polls() hands them over without loss or reordering. */
static int
queue_owner(unsigned pid, unsigned q)
{
	unsigned k = q;

	if (dp_g.consolidated)
		return 0;
	for (unsigned i = 0; i < pid; i++)
		if (dp_g.ports[i])
			k += dp_g.ports[i]->n_rxq;
	return (int)(k % dp_g.n_workers);
}

/* Builds and publishes every worker's poll set. With detach, a queue that changes owner
 * is left out of every set (its old owner stops polling it); else each queue goes to
 * queue_owner(). */
static int
publish_sets(bool detach)
{
	struct dp_pollset *ps[DP_MAX_WORKERS] = { 0 };
	unsigned count[DP_MAX_WORKERS] = { 0 };

	for (unsigned pid = 0; pid < RTE_MAX_ETHPORTS; pid++) {
		struct dp_port *p = dp_g.ports[pid];

		for (unsigned q = 0; p && q < p->n_rxq; q++)
			count[queue_owner(pid, q)]++; /* an upper bound with detach */
	}
	for (unsigned w = 0; w < dp_g.n_workers; w++) {
		ps[w] = rte_zmalloc("dp_polls", sizeof(*ps[w]) + count[w] * sizeof(ps[w]->q[0]),
				    RTE_CACHE_LINE_SIZE);
		if (!ps[w]) {
			for (unsigned j = 0; j < w; j++)
				rte_free(ps[j]);
			return -ENOMEM;
		}
	}
	for (unsigned pid = 0; pid < RTE_MAX_ETHPORTS; pid++) {
		struct dp_port *p = dp_g.ports[pid];

		for (unsigned q = 0; p && q < p->n_rxq; q++) {
			int w = queue_owner(pid, q);

			if (detach && p->owner[q] >= 0 && p->owner[q] != w)
				w = -1;
			p->owner[q] = (int16_t)w;
			bool intr = move_intr(p, (uint16_t)q, w);

			if (w < 0)
				continue;
			struct dp_pollset *s = ps[w];

			s->q[s->n++] = (struct dp_rxq_ref){ p, (uint16_t)pid, (uint16_t)q, intr };
		}
	}
	for (unsigned w = 0; w < dp_g.n_workers; w++) {
		struct dp_worker *wk = dp_g.workers[w];
		struct dp_pollset *old = wk->polls;
		uint64_t max = (uint64_t)dp_g.params.idle_sleep_us * 1000;

		/* Nothing to poll: block on the kick fd alone when there is one. */
		ps[w]->all_intr = wk->epfd >= 0;
		for (unsigned i = 0; i < ps[w]->n; i++) {
			ps[w]->all_intr &= ps[w]->q[i].intr;
			max = PFS_MIN(max, dp_port_rx_fill_ns(ps[w]->q[i].port));
		}
		ps[w]->sleep_max_ns = PFS_MAX(max, 1000);
		wk->n_queues = ps[w]->n;
		wk->n_intr_queues = 0;
		for (unsigned i = 0; i < ps[w]->n; i++)
			wk->n_intr_queues += ps[w]->q[i].intr;
		if (!detach)
			DP_LOG(INFO,
			       "worker %u: %u rx queues, %u with interrupts; idle: %s (sleeps up "
			       "to %lu us)\n",
			       w, wk->n_queues, wk->n_intr_queues,
			       !ps[w]->all_intr ? "sleeps"
			       : ps[w]->n	? "blocks on interrupts"
						: "blocks (nothing to poll)",
			       (unsigned long)(ps[w]->sleep_max_ns / 1000));
		__atomic_store_n(&wk->polls, ps[w], __ATOMIC_RELEASE);
		dp_worker_kick(wk);
		if (old)
			dp_defer_call(dp_defer_get(), free_rte, old);
	}
	return 0;
}

/* Publishes the poll sets. A queue that moves to another worker is handed over in two
 * steps: its old owner's set without it is published first, and once that worker has
 * passed a quiescent state (it finished the burst it was taking from the queue and
 * flushed those packets to their tx queues; a resting worker holds none) the new owner
 * gets it. So no two workers ever poll one queue, and a flow's packets leave in order. */
static int
publish_polls(void)
{
	bool moves = false;

	for (unsigned pid = 0; pid < RTE_MAX_ETHPORTS; pid++) {
		struct dp_port *p = dp_g.ports[pid];

		for (unsigned q = 0; p && q < p->n_rxq; q++)
			moves |= p->owner[q] >= 0 && p->owner[q] != queue_owner(pid, q);
	}
	if (moves) {
		int ret = publish_sets(true);

		if (ret < 0)
			return ret;
		if (dp_g.running)
			sync_hard();
	}
	return publish_sets(false);
}

static int
publish_pmap(struct dp_bridge *br)
{
	unsigned n = 0;
	struct dp_portmap *pm, *old = br->pmap;

	for (unsigned s = 0; s < DP_BRIDGE_MAX_PORTS; s++)
		n += br->slots[s] != NULL;
	pm = rte_zmalloc("dp_pmap", sizeof(*pm) + n * sizeof(pm->ports[0]), RTE_CACHE_LINE_SIZE);
	if (!pm)
		return -ENOMEM;
	for (unsigned s = 0; s < DP_BRIDGE_MAX_PORTS; s++)
		if (br->slots[s])
			pm->ports[pm->n++] = br->slots[s];
	/* ofport order */
	for (unsigned i = 1; i < pm->n; i++)
		for (unsigned j = i; j > 0 && pm->ports[j - 1]->ofport > pm->ports[j]->ofport;
		     j--) {
			struct dp_port *t = pm->ports[j];

			pm->ports[j] = pm->ports[j - 1];
			pm->ports[j - 1] = t;
		}
	__atomic_store_n(&br->pmap, pm, __ATOMIC_RELEASE);
	if (old)
		dp_defer_call(dp_defer_get(), free_rte, old);
	return 0;
}

/* ---- Bridges ------------------------------------------------------------------------ */

static struct dp_bridge *
bridge_by_name(const char *name)
{
	struct dp_bridge *br;

	TAILQ_FOREACH(br, &dp_g.bridges, node)
	if (strcmp(br->name, name) == 0)
		return br;
	return NULL;
}

static struct dp_bridge *
bridge_by_uid(const struct dp_bridge *ptr, uint64_t uid)
{
	struct dp_bridge *br;

	TAILQ_FOREACH(br, &dp_g.bridges, node)
	if (br == ptr && br->uid == uid)
		return br;
	return NULL;
}

static void
bridge_free(struct dp_bridge *br)
{
	if (!br)
		return;
	if (br->tables) {
		for (unsigned t = 0; t < DP_N_TABLES; t++)
			dp_cls_destroy(&br->tables[t]);
		free(br->tables);
	}
	for (unsigned t = 0; t < DP_N_TABLES; t++)
		dp_shape_free(br->shapes[t]);
	free(br->tctl);
	dp_normal_destroy(br->mac);
	dp_gm_destroy(br);
	dp_pool_fini(&br->flow_pool);
	dp_pool_fini(&br->rule_pool);
	rte_free(br->tstats);
	rte_free(br->upcall_acct);
	rte_free(br->pmap);
	rte_free(br);
}

int
dp_bridge_create(const char *name, struct dp_bridge **out)
{
	struct dp_bridge *br;

	if (!dp_g.initialised || !name || !out || strlen(name) >= sizeof(br->name))
		return -EINVAL;
	if (bridge_by_name(name))
		return -EEXIST;
	br = rte_zmalloc("dp_bridge", sizeof(*br), RTE_CACHE_LINE_SIZE);
	if (!br)
		return -ENOMEM;
	snprintf(br->name, sizeof(br->name), "%s", name);
	br->uid = ++dp_g.next_bridge_uid;
	br->version = 1;
	TAILQ_INIT(&br->flows);
	/* Counter slots start on a cache line of their own: workers write them. */
	dp_pool_init(&br->flow_pool,
		     RTE_ALIGN_CEIL(sizeof(struct dp_flow), RTE_CACHE_LINE_SIZE) +
			     sizeof(struct dp_flow_wstats) * dp_g.n_workers,
		     RTE_CACHE_LINE_SIZE);
	dp_pool_init(&br->rule_pool, sizeof(struct dp_rule), RTE_CACHE_LINE_SIZE);
	br->tables = pfs_calloc(DP_N_TABLES, sizeof(struct dp_cls));
	br->tctl = pfs_calloc(DP_N_TABLES, sizeof(struct dp_table_ctl));
	br->tstats = rte_zmalloc("dp_tstats",
				 sizeof(struct dp_table_wstats) * DP_N_TABLES * dp_g.n_workers,
				 RTE_CACHE_LINE_SIZE);
	br->upcall_acct =
		rte_zmalloc("dp_upcall_acct", sizeof(struct dp_upcall_acct) * dp_g.n_workers,
			    RTE_CACHE_LINE_SIZE);
	br->mac = dp_normal_create(
		dp_g.params.mac_table_size ? dp_g.params.mac_table_size : DP_NORMAL_DEFAULT_ENTRIES,
		(dp_g.params.mac_aging_s ? dp_g.params.mac_aging_s : DP_NORMAL_DEFAULT_AGING_S) *
			dp_g.tsc_hz,
		dp_g.params.mac_max_per_port);
	if (!br->tables || !br->tctl || !br->tstats || !br->upcall_acct || !br->mac)
		goto nomem;
	for (unsigned t = 0; t < DP_N_TABLES; t++) {
		TAILQ_INIT(&br->tctl[t].flows);
		br->shape_kind[t] = DP_SHAPE_EMPTY; /* no shape needed: dp_cls is empty too */
	}
	for (unsigned t = 0; t < DP_N_TABLES; t++) {
		char tn[DP_CLS_NAME_LEN];

		snprintf(tn, sizeof(tn), "%.20s.t%u", name, t);
		if (dp_cls_init(&br->tables[t], tn, dp_g.params.max_masks_per_table,
				dp_defer_get()) < 0)
			goto nomem;
	}
	if (publish_pmap(br) < 0)
		goto nomem;
	dp_tel_lock();
	TAILQ_INSERT_TAIL(&dp_g.bridges, br, node);
	dp_tel_unlock();
	update_upcall_share();
	*out = br;
	return 0;

nomem:
	bridge_free(br);
	return -ENOMEM;
}

static void flow_free(struct dp_bridge *br, struct dp_flow *f);
static void rule_free(struct dp_bridge *br, struct dp_rule *r);

void
dp_bridge_destroy(struct dp_bridge *br)
{
	if (!br || dp_g.worker_stuck) /* a worker may still read it: never freed */
		return;
	/* Ports first: no new packets enter the bridge. */
	for (unsigned s = 0; s < DP_BRIDGE_MAX_PORTS; s++)
		if (br->slots[s])
			dp_port_del(br->slots[s]);
	/* Packet-outs for this bridge: run them (workers up) or drop them (workers down). */
	if (dp_g.running) {
		for (unsigned i = 0; i < dp_g.n_workers; i++)
			while (!rte_ring_empty(dp_g.workers[i]->inject))
				rte_pause();
	} else {
		for (unsigned i = 0; i < dp_g.n_workers; i++)
			drain_worker(dp_g.workers[i]);
	}
	/* Counts the workers' caches hold for its rules go to them first. */
	while (dp_stats_flush() == -ETIMEDOUT) {
		DP_LOG(ERR, "a worker has not attributed its cache for 2 s; waiting\n");
		wake_running_workers();
	}
	dp_tel_lock(); /* until freed: telemetry walks the list */
	TAILQ_REMOVE(&dp_g.bridges, br, node);
	update_upcall_share();
	/* Runs every deferred free queued so far, this bridge's included (retired rules
	 * take two grace periods). */
	sync_hard();
	sync_hard();
	/* The classifiers first: destroying one touches the rules still inserted. */
	for (unsigned t = 0; t < DP_N_TABLES; t++)
		dp_cls_destroy(&br->tables[t]);

	struct dp_flow *f;

	while ((f = TAILQ_FIRST(&br->flows)) != NULL) {
		TAILQ_REMOVE(&br->flows, f, node);
		rule_free(br, f->rule);
		flow_free(br, f);
	}
	for (struct dp_rule *r = br->retired, *n; r; r = n) {
		n = r->retired_next;
		struct dp_flow *rf = r->free_flow ? r->flow : NULL;

		rule_free(br, r);
		flow_free(br, rf);
	}
	bridge_free(br);
	dp_tel_unlock();
	dp_defer_reclaim();
}

void
dp_bridge_set_normal_mode(struct dp_bridge *br, bool on)
{
	br->normal_staged = on;
}

_Static_assert(DP_BRIDGE_MAX_PORTS <= DP_NORMAL_MAX_SLOTS, "MAC table counts every slot");

static void shape_refresh(struct dp_bridge *br, unsigned t, uint64_t version);

void
dp_bridge_run(struct dp_bridge *br)
{
	/* 64 Ki entries a call: a full round of the largest table takes ~16 calls. */
	dp_normal_sweep(br->mac, rte_rdtsc(), 1u << 16);
	/* Tables left generic by the rebuild pacing, once their flow-mods have stopped:
	 * with nothing staged, the rules are those of the published version, so a shape
	 * valid from that version on is right for every worker that uses it. */
	if (!br->staged)
		for (unsigned i = 0; i < 4; i++)
			for (uint64_t d = br->shape_dirty[i]; d; d &= d - 1)
				shape_refresh(br, i * 64 + (unsigned)__builtin_ctzll(d),
					      br->version);
}

struct mac_dump {
	const struct dp_bridge *br;
	struct dp_mac_entry *out;
	unsigned n, count;
	uint64_t hz;
};

static void
mac_dump_one(const uint8_t *mac, uint16_t slot, uint64_t age, void *aux)
{
	struct mac_dump *d = aux;
	const struct dp_port *p = slot < DP_BRIDGE_MAX_PORTS ? d->br->slots[slot] : NULL;

	if (!p)
		return;
	if (d->count < d->n) {
		struct dp_mac_entry *e = &d->out[d->count];

		memcpy(e->mac, mac, 6);
		e->ofport = p->ofport;
		e->age_s = (uint32_t)(age / d->hz);
	}
	d->count++;
}

unsigned
dp_mac_dump(const struct dp_bridge *br, struct dp_mac_entry *out, unsigned n)
{
	struct mac_dump d = { br, out, n, 0, dp_g.tsc_hz ? dp_g.tsc_hz : 1 };

	dp_normal_walk(br->mac, rte_rdtsc(), mac_dump_one, &d);
	return d.count;
}

int
dp_mac_learn(struct dp_bridge *br, const uint8_t *mac, uint32_t ofport, uint32_t age_s)
{
	uint64_t now = rte_rdtsc(), age = (uint64_t)age_s * dp_g.tsc_hz;
	uint64_t aging = (uint64_t)(dp_g.params.mac_aging_s ? dp_g.params.mac_aging_s
							    : DP_NORMAL_DEFAULT_AGING_S) *
			 dp_g.tsc_hz;

	if (mac[0] & 1)
		return -EINVAL;
	for (unsigned s = 0; s < DP_BRIDGE_MAX_PORTS; s++) {
		if (!br->slots[s] || br->slots[s]->ofport != ofport)
			continue;
		if (age >= aging || age >= now)
			return 0;
		return dp_normal_learn(br->mac, mac, (uint16_t)s, now - age);
	}
	return -ENOENT;
}

void
dp_bridge_set_identity(struct dp_bridge *br, uint64_t datapath_id, const char *fail_mode)
{
	dp_tel_lock();
	br->datapath_id = datapath_id;
	snprintf(br->fail_mode, sizeof(br->fail_mode), "%s", fail_mode ? fail_mode : "");
	dp_tel_unlock();
}

void
dp_bridge_set_invalid_ttl_to_controller(struct dp_bridge *br, bool on)
{
	__atomic_store_n(&br->ttl_to_controller, on, __ATOMIC_RELAXED);
}

/* ---- Ports -------------------------------------------------------------------------- */

int
dp_port_add(struct dp_bridge *br, const char *name, const char *devargs, uint32_t ofport,
	    struct dp_port **out)
{
	struct dp_port *p;
	int slot = -1, ret;

	if (!br || !name || !devargs || !*name || strlen(name) > OFP_MAX_PORT_NAME_LEN ||
	    !dp_ofport_valid(ofport))
		return -EINVAL;
	for (unsigned s = 0; s < DP_BRIDGE_MAX_PORTS; s++) {
		struct dp_port *q = br->slots[s];

		if (!q) {
			if (slot < 0)
				slot = (int)s;
			continue;
		}
		if (q->ofport == ofport || strcmp(q->name, name) == 0)
			return -EEXIST;
	}
	if (slot < 0)
		return -ENOSPC;
	p = rte_zmalloc("dp_port", sizeof(*p), RTE_CACHE_LINE_SIZE);
	if (!p)
		return -ENOMEM;
	p->ws = rte_zmalloc("dp_port_ws", sizeof(*p->ws) * dp_g.n_workers, RTE_CACHE_LINE_SIZE);
	p->devargs = strdup(devargs);
	if (!p->ws || !p->devargs) {
		free(p->devargs);
		rte_free(p->ws);
		rte_free(p);
		return -ENOMEM;
	}
	p->br = br;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ofport = ofport;
	p->slot = (uint16_t)slot;
	ret = dp_port_dev_open(p, devargs);
	if (ret < 0) {
		free(p->devargs);
		rte_free(p->ws);
		rte_free(p);
		return ret == -EBUSY ? -EEXIST : ret;
	}
	p->added_ns = mono_ns();
	dp_tel_lock();
	br->slots[slot] = p;
	dp_g.ports[p->port_id] = p;
	if (publish_pmap(br) < 0 || publish_polls() < 0) {
		br->slots[slot] = NULL;
		dp_g.ports[p->port_id] = NULL;
		publish_pmap(br);
		sync_hard();
		intr_release(p);
		dp_port_dev_close(p);
		dp_tel_unlock();
		free(p->devargs);
		rte_free(p->ws);
		rte_free(p);
		return -ENOMEM;
	}
	dp_tel_unlock();
	if (ofport < DP_OFPORT_FAST)
		__atomic_store_n(&br->by_ofport[ofport], p, __ATOMIC_RELEASE);
	else if (ofport == OFPP_LOCAL)
		__atomic_store_n(&br->local, p, __ATOMIC_RELEASE);
	dp_gm_liveness(br); /* buckets watching it */
	if (out)
		*out = p;
	return 0;
}

void
dp_port_del(struct dp_port *port)
{
	if (!port)
		return;
	struct dp_bridge *br = port->br;

	dp_tel_lock(); /* until freed: telemetry reads the bridge's slots */
	if (port->ofport < DP_OFPORT_FAST)
		__atomic_store_n(&br->by_ofport[port->ofport], NULL, __ATOMIC_RELEASE);
	else if (port->ofport == OFPP_LOCAL)
		__atomic_store_n(&br->local, NULL, __ATOMIC_RELEASE);
	br->slots[port->slot] = NULL;
	dp_g.ports[port->port_id] = NULL;
	if (publish_pmap(br) < 0 || publish_polls() < 0) {
		/* Cannot republish: stop everything from reaching the port the hard way. */
		__atomic_store_n(&port->config, port->config | OFPPC_PORT_DOWN | OFPPC_NO_FWD,
				 __ATOMIC_RELAXED);
		DP_LOG(ERR, "port %s: no memory to unpublish; port left down\n", port->name);
		dp_tel_unlock();
		return;
	}
	dp_gm_liveness(br); /* buckets watching it */
	sync_hard();	    /* no worker polls it, sends to it, or holds it */
	dp_normal_flush_slot(br->mac, port->slot);
	intr_release(port);
	dp_port_dev_close(port);
	free(port->devargs);
	rte_free(port->ws);
	rte_free(port);
	dp_tel_unlock();
}

struct dp_port *
dp_port_find(const struct dp_bridge *br, uint32_t ofport)
{
	if (!br || !dp_ofport_valid(ofport))
		return NULL;
	return dp_bridge_port(br, ofport);
}

void
dp_port_foreach(const struct dp_bridge *br, void (*cb)(struct dp_port *, void *), void *aux)
{
	const struct dp_portmap *pm = br->pmap;

	for (unsigned i = 0; pm && i < pm->n; i++)
		cb(pm->ports[i], aux);
}

void
dp_port_get_info(const struct dp_port *port, struct dp_port_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", port->name);
	info->ofport = port->ofport;
	memcpy(info->hw_addr, port->hw_addr, 6);
	info->config = port->config;
	info->state = port->state;
	info->curr = port->curr;
	info->advertised = port->advertised;
	info->supported = port->supported;
	info->peer = port->peer;
	info->curr_speed = port->curr_speed;
	info->max_speed = port->max_speed;
}

void
dp_port_get_stats(const struct dp_port *port, struct dp_port_stats *st)
{
	dp_port_dev_stats(port, st);
	st->duration_ns = mono_ns() - port->added_ns;
}

int
dp_port_set_config(struct dp_port *port, uint32_t config, uint32_t mask)
{
	const uint32_t known = OFPPC_PORT_DOWN | OFPPC_NO_RECV | OFPPC_NO_FWD | OFPPC_NO_PACKET_IN;

	if (!port || (mask & ~known))
		return -EINVAL;
	uint32_t old = port->config;
	uint32_t nc = (old & ~mask) | (config & mask);

	__atomic_store_n(&port->config, nc, __ATOMIC_RELAXED);
	if ((old ^ nc) & OFPPC_PORT_DOWN) {
		dp_port_dev_set_link(port, !(nc & OFPPC_PORT_DOWN));
		dp_port_dev_poll(port);
		dp_gm_liveness(port->br);
	}
	return 0;
}

int
dp_port_relink(struct dp_port *port)
{
	if (!port)
		return -EINVAL;
	if (!(__atomic_load_n(&port->config, __ATOMIC_RELAXED) & OFPPC_PORT_DOWN)) {
		dp_port_dev_set_link(port, true);
		dp_port_dev_poll(port);
		dp_gm_liveness(port->br);
	}
	return 0;
}

bool
dp_port_poll_changes(struct dp_bridge *br)
{
	bool changed = false;

	for (unsigned s = 0; s < DP_BRIDGE_MAX_PORTS; s++)
		if (br->slots[s])
			changed |= dp_port_dev_poll(br->slots[s]);
	if (changed)
		dp_gm_liveness(br);
	return changed;
}

/* ---- Flows -------------------------------------------------------------------------- */

static void
rule_free(struct dp_bridge *br, struct dp_rule *r)
{
	if (!r)
		return;
	if (r->prog != (struct dp_prog *)r->prog_buf)
		dp_prog_free(r->prog);
	dp_pool_free(&br->rule_pool, r);
}

static void
flow_free(struct dp_bridge *br, struct dp_flow *f)
{
	dp_pool_free(&br->flow_pool, f);
}

/* A zeroed flow whose ws points at its zeroed counter slots (same block). */
static struct dp_flow *
flow_alloc(struct dp_bridge *br)
{
	struct dp_flow *f = dp_pool_zalloc(&br->flow_pool);

	if (f)
		f->ws = (struct dp_flow_wstats *)((char *)f +
						  RTE_ALIGN_CEIL(sizeof(*f), RTE_CACHE_LINE_SIZE));
	return f;
}

static int
rule_new(struct dp_bridge *br, struct dp_flow *f, const struct ofp_instruction_list *insts,
	 struct dp_rule **out, struct ofp_err *err)
{
	struct dp_rule *r = dp_pool_zalloc(&br->rule_pool);
	int ret;

	if (!r)
		return -ENOMEM;
	ret = dp_prog_compile_in(insts, r->prog_buf, sizeof(r->prog_buf), &r->prog, err);
	if (ret < 0) {
		dp_pool_free(&br->rule_pool, r);
		return ret;
	}
	if ((r->prog->flags & DP_PROG_F_GOTO) && r->prog->goto_table <= f->table_id) {
		rule_free(br, r);
		ofp_err_set(err, OFPET_BAD_INSTRUCTION, OFPBIC_BAD_TABLE_ID);
		return -EOPNOTSUPP;
	}
	r->flow = f;
	r->ws = f->ws;
	r->cookie = f->cookie;
	r->table_id = f->table_id;
	r->count_packets = !(f->flags & OFPFF_NO_PKT_COUNTS);
	r->count_bytes = !(f->flags & OFPFF_NO_BYT_COUNTS);
	dp_pipeline_summarise(r->prog, &r->sum);
	dp_rule_set_aux(r);
	*out = r;
	return 0;
}

static void
mark_dirty(struct dp_bridge *br, unsigned table)
{
	br->purge_dirty[table / 64] |= 1ull << (table % 64);
}

/* A flow of table t was added (delta 1), modified (0) or removed (-1). */
static void
table_changed(struct dp_bridge *br, unsigned t, int delta)
{
	struct dp_table_ctl *tc = &br->tctl[t];

	tc->n_flows = (unsigned)((int)tc->n_flows + delta);
	tc->pending++;
	tc->dirty = true;
	br->shape_dirty[t / 64] |= 1ull << (t % 64);
}

static void
shape_free_cb(void *arg)
{
	dp_shape_free(arg);
}

/* Gives table t the shape of its rules as they are staged, to be valid from version on
 * (or none, when they fit no shape or a rebuild would cost too much now), and retires
 * the old one. Before the version is published. */
static void
shape_refresh(struct dp_bridge *br, unsigned t, uint64_t version)
{
	struct dp_table_ctl *tc = &br->tctl[t];
	struct dp_shape *old = br->shapes[t], *s = NULL;
	uint64_t now = rte_rdtsc();
	bool build = tc->n_flows <= DP_SHAPE_SMALL ||
		     tc->pending >= DP_SHAPE_REBUILD_CHANGES * tc->n_flows ||
		     now - tc->built_tsc >= PFS_MAX(dp_g.tsc_hz / 1000 * DP_SHAPE_REBUILD_MS,
						    DP_SHAPE_REBUILD_X * tc->build_tsc);

	if (tc->n_flows > DP_SHAPE_MAX_RULES)
		build = false;
	if (build) {
		const struct dp_cls_rule **rules =
			pfs_malloc(sizeof(*rules) * PFS_MAX(tc->n_flows, 1u));
		struct dp_flow *f;
		unsigned n = 0;

		/* Out of memory: generic (slower, still right) until a later commit retries. */
		if (rules) {
			TAILQ_FOREACH(f, &tc->flows, tnode)
			rules[n++] = &f->rule->cls;
			if (dp_shape_build(rules, n, version, &s) == 0) {
				tc->pending = 0;
				tc->dirty = false;
				br->shape_dirty[t / 64] &= ~(1ull << (t % 64));
			}
			free(rules);
		}
		tc->built_tsc = rte_rdtsc();
		tc->build_tsc = tc->built_tsc - now;
	}
	__atomic_store_n(&br->shape_kind[t], s ? s->kind : DP_SHAPE_GENERIC, __ATOMIC_RELAXED);
	if (!s && !old)
		return;
	__atomic_store_n(&br->shapes[t], s, __ATOMIC_RELEASE);
	if (old)
		dp_defer_call(dp_defer_get(), shape_free_cb, old);
}

static void
retire(struct dp_bridge *br, struct dp_rule *r, bool with_flow)
{
	r->free_flow = with_flow;
	r->retired_next = br->retired;
	br->retired = r;
}

int
dp_flow_add(struct dp_bridge *br, const struct dp_flow_spec *spec, struct dp_flow **out,
	    struct ofp_err *err)
{
	struct dp_flow *f;
	struct dp_rule *r;
	int ret;

	if (!br || !spec || !spec->match || !spec->insts || !out)
		return -EINVAL;
	if (spec->table_id >= DP_N_TABLES) {
		ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_TABLE_ID);
		return -EINVAL;
	}
	f = flow_alloc(br);
	if (!f)
		return -ENOMEM;
	f->br = br;
	f->table_id = spec->table_id;
	f->priority = spec->priority;
	f->cookie = spec->cookie;
	f->flags = spec->flags;
	ret = rule_new(br, f, spec->insts, &r, err);
	if (ret < 0) {
		flow_free(br, f);
		return ret;
	}
	memcpy(&r->cls.value.f, &spec->match->value, sizeof(r->cls.value.f));
	memcpy(&r->cls.mask.f, &spec->match->mask, sizeof(r->cls.mask.f));
	r->cls.priority = spec->priority;
	r->table_miss = spec->priority == 0 && spec->match->present == 0;
	ret = dp_cls_insert(&br->tables[spec->table_id], &r->cls, br->version + 1);
	if (ret < 0) {
		rule_free(br, r);
		flow_free(br, f);
		if (ret == -ENOSPC)
			ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_TABLE_FULL);
		return ret;
	}
	f->rule = r;
	br->staged = true;
	TAILQ_INSERT_TAIL(&br->flows, f, node);
	table_changed(br, spec->table_id, 1);
	TAILQ_INSERT_TAIL(&br->tctl[spec->table_id].flows, f, tnode);
	*out = f;
	/* A long batch (a bundle, a table load) runs no commit: free what earlier commits
	 * and hash table growth retired now and then, so memory stays bounded and is reused
	 * while the batch grows the tables. */
	if ((++br->n_adds & 4095) == 0)
		dp_defer_reclaim();
	return 0;
}

int
dp_flow_modify(struct dp_bridge *br, struct dp_flow *flow, const struct ofp_instruction_list *insts,
	       struct ofp_err *err)
{
	struct dp_rule *r, *old;
	int ret;

	if (!br || !flow || !insts || flow->removed)
		return -EINVAL;
	old = flow->rule;
	ret = rule_new(br, flow, insts, &r, err);
	if (ret < 0)
		return ret;
	r->cls.value = old->cls.value;
	r->cls.mask = old->cls.mask;
	r->cls.priority = old->cls.priority;
	r->table_miss = old->table_miss;
	/* Make before break: new inserted and old removed at the same version. */
	ret = dp_cls_insert(&br->tables[flow->table_id], &r->cls, br->version + 1);
	if (ret < 0) {
		rule_free(br, r);
		if (ret == -ENOSPC)
			ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_TABLE_FULL);
		return ret;
	}
	dp_cls_remove(&br->tables[flow->table_id], &old->cls, br->version + 1);
	mark_dirty(br, flow->table_id);
	retire(br, old, false);
	flow->rule = r;
	br->staged = true;
	table_changed(br, flow->table_id, 0);
	return 0;
}

void
dp_flow_remove(struct dp_bridge *br, struct dp_flow *flow)
{
	if (!br || !flow || flow->removed)
		return;
	dp_cls_remove(&br->tables[flow->table_id], &flow->rule->cls, br->version + 1);
	mark_dirty(br, flow->table_id);
	flow->removed = true;
	br->staged = true;
	TAILQ_REMOVE(&br->flows, flow, node);
	TAILQ_REMOVE(&br->tctl[flow->table_id].flows, flow, tnode);
	table_changed(br, flow->table_id, -1);
	retire(br, flow->rule, true);
}

/* ---- Statistics --------------------------------------------------------------------- */

int
dp_stats_flush(void)
{
	uint64_t rx = 0, seq, deadline;
	unsigned spins = 0;

	/* The telemetry thread reads table counters too: the shared fields are atomic. */
	if (!dp_g.initialised || !dp_g.running ||
	    (__atomic_load_n(&dp_g.stats_batch, __ATOMIC_RELAXED) &&
	     __atomic_load_n(&dp_g.stats_batch_done, __ATOMIC_RELAXED)))
		return 0;
	for (unsigned i = 0; i < dp_g.n_workers; i++)
		rx += __atomic_load_n(&dp_g.workers[i]->rx_packets, __ATOMIC_RELAXED);
	if (rx == __atomic_load_n(&dp_g.flush_rx, __ATOMIC_RELAXED))
		return 0; /* no packet since the last flush began: all attributed then */
	seq = __atomic_add_fetch(&dp_g.flush_seq, 1, __ATOMIC_SEQ_CST);
	deadline = rte_get_tsc_cycles() + DP_SYNC_TIMEOUT_NS / 1000 * (dp_g.tsc_hz / 1000000);
	for (unsigned i = 0; i < dp_g.n_workers; i++) {
		const struct dp_worker *w = dp_g.workers[i];

		while (__atomic_load_n(&w->flush_seen, __ATOMIC_ACQUIRE) < seq &&
		       !__atomic_load_n(&w->resting, __ATOMIC_SEQ_CST) &&
		       __atomic_load_n(&w->running, __ATOMIC_ACQUIRE)) {
			if (rte_get_tsc_cycles() > deadline) {
				/* The next call tries again. */
				__atomic_store_n(&dp_g.flush_rx, UINT64_MAX, __ATOMIC_RELAXED);
				return -ETIMEDOUT;
			}
			if (++spins < 1000) {
				rte_pause();
			} else {
				struct timespec ts = { 0, 10000 };

				nanosleep(&ts, NULL);
			}
		}
	}
	__atomic_store_n(&dp_g.flush_rx, rx, __ATOMIC_RELAXED);
	if (__atomic_load_n(&dp_g.stats_batch, __ATOMIC_RELAXED))
		__atomic_store_n(&dp_g.stats_batch_done, true, __ATOMIC_RELAXED);
	return 0;
}

void
dp_stats_batch(bool on)
{
	__atomic_store_n(&dp_g.stats_batch_done, false, __ATOMIC_RELAXED);
	__atomic_store_n(&dp_g.stats_batch, on, __ATOMIC_RELAXED);
}

void
dp_flow_get_stats(const struct dp_flow *flow, uint64_t *packets, uint64_t *bytes,
		  uint64_t *last_used_ns)
{
	uint64_t p = 0, b = 0, used = 0;

	(void)dp_stats_flush();

	for (unsigned w = 0; w < dp_g.n_workers; w++) {
		const struct dp_flow_wstats *s = &flow->ws[w];

		p += __atomic_load_n(&s->packets, __ATOMIC_RELAXED);
		b += __atomic_load_n(&s->bytes, __ATOMIC_RELAXED);
		used = PFS_MAX(used, __atomic_load_n(&s->used_tsc, __ATOMIC_RELAXED));
	}
	if (packets)
		*packets = p;
	if (bytes)
		*bytes = b;
	if (last_used_ns)
		*last_used_ns = used ? dp_tsc_to_ns(used) : 0;
}

const char *
dp_table_shape(const struct dp_bridge *br, uint8_t table_id)
{
	if (!br || table_id >= DP_N_TABLES)
		return dp_shape_kind_name(DP_SHAPE_GENERIC);
	return dp_shape_kind_name(__atomic_load_n(&br->shape_kind[table_id], __ATOMIC_RELAXED));
}

void
dp_table_get_stats(const struct dp_bridge *br, uint8_t table_id, uint64_t *lookups,
		   uint64_t *matched)
{
	uint64_t l = 0, m = 0;

	(void)dp_stats_flush();
	for (unsigned w = 0; table_id < DP_N_TABLES && w < dp_g.n_workers; w++) {
		const struct dp_table_wstats *s = &br->tstats[w * DP_N_TABLES + table_id];

		l += __atomic_load_n(&s->lookups, __ATOMIC_RELAXED);
		m += __atomic_load_n(&s->matched, __ATOMIC_RELAXED);
	}
	if (lookups)
		*lookups = l;
	if (matched)
		*matched = m;
}

/* ---- Commit and sync ---------------------------------------------------------------- */

/* Retired rules are freed after two grace periods: microflow-cache entries may hold
 * counts for them that their worker attributes (through the rule) when it sees the
 * commit's flush request, which it may do only after its first quiescent state past the
 * commit. */
struct retire_batch {
	struct dp_bridge *br; /* alive: dp_bridge_destroy() runs every batch first */
	bool second;	      /* in its second grace period */
	uint64_t version;     /* the version whose publication retired them */
	uint64_t dirty[4];
	struct dp_rule *rules;
};

static void
retire_batch_run(void *arg)
{
	struct retire_batch *b = arg;
	struct dp_flow *flows = NULL;

	if (!b->second && b->rules) {
		b->second = true;
		dp_defer_call(dp_defer_get(), retire_batch_run, b);
		return;
	}
	for (unsigned t = 0; t < DP_N_TABLES; t++)
		if (b->dirty[t / 64] >> (t % 64) & 1)
			dp_cls_purge(&b->br->tables[t], b->version);
	for (struct dp_rule *r = b->rules, *n; r; r = n) {
		n = r->retired_next;
		if (r->free_flow) { /* freed after every rule of the batch */
			r->flow->rule = (struct dp_rule *)flows;
			flows = r->flow;
		}
		rule_free(b->br, r);
	}
	while (flows) {
		struct dp_flow *n = (struct dp_flow *)flows->rule;

		flow_free(b->br, flows);
		flows = n;
	}
	free(b);
}

int
dp_commit(struct dp_bridge *br)
{
	struct retire_batch *b = NULL;

	if (!br)
		return -EINVAL;
	bool dirty =
		br->purge_dirty[0] | br->purge_dirty[1] | br->purge_dirty[2] | br->purge_dirty[3];

	drain_done_all();
	if (!br->staged && br->normal_staged == br->normal_mode) {
		dp_defer_reclaim();
		return 0; /* nothing to publish: keep the version (and every cache entry) */
	}
	if (dirty || br->retired) {
		b = pfs_malloc(sizeof(*b));
		if (!b)
			return -ENOMEM;
	}
	if (dp_gm_publish(br) < 0) { /* groups and meters: before the version */
		free(b);
		return -ENOMEM;
	}
	/* Shapes before the version: a worker that sees the version sees them. */
	for (unsigned i = 0; i < 4; i++)
		for (uint64_t d = br->shape_dirty[i]; d; d &= d - 1)
			shape_refresh(br, i * 64 + (unsigned)__builtin_ctzll(d), br->version + 1);
	/* normal_mode first: a worker that sees the new version sees it too. */
	__atomic_store_n(&br->normal_mode, br->normal_staged, __ATOMIC_RELAXED);
	__atomic_store_n(&br->version, br->version + 1, __ATOMIC_RELEASE);
	br->staged = false;
	if (b) {
		/* Workers attribute their caches' counts for the retired rules. */
		if (br->retired)
			__atomic_add_fetch(&dp_g.flush_seq, 1, __ATOMIC_SEQ_CST);
		b->br = br;
		b->second = false;
		b->version = br->version;
		memcpy(b->dirty, br->purge_dirty, sizeof(b->dirty));
		b->rules = br->retired;
		memset(br->purge_dirty, 0, sizeof(br->purge_dirty));
		br->retired = NULL;
		dp_defer_call(dp_defer_get(), retire_batch_run, b);
	}
	dp_defer_reclaim();
	return 0;
}

int
dp_sync(void)
{
	int ret = dp_defer_sync(DP_SYNC_TIMEOUT_NS);

	drain_done_all();
	return ret;
}

/* ---- Upcalls and packet-out ----------------------------------------------------------- */

unsigned
dp_upcall_recv(struct dp_upcall *ups, unsigned n)
{
	unsigned got = 0;

	if (!dp_g.initialised)
		return 0;
	for (unsigned k = 0; k < dp_g.n_workers && got < n; k++) {
		struct dp_worker *w = dp_g.workers[(dp_g.upcall_rr + k) % dp_g.n_workers];
		struct rte_mbuf *m;

		while (got < n && rte_ring_sc_dequeue(w->miss, (void **)&m) == 0) {
			struct dp_mbuf_meta *meta = dp_mbuf_meta(m);
			struct dp_upcall *u = &ups[got];
			struct dp_bridge *br = bridge_by_uid(meta->br, meta->br_uid);

			if (!br) { /* destroyed meanwhile */
				dp_g.upcall_dropped_ctl++;
				rte_pktmbuf_free(m);
				continue;
			}
			struct dp_upcall_acct *acct = &br->upcall_acct[w->id];

			__atomic_store_n(&acct->deq, acct->deq + 1, __ATOMIC_RELAXED);
			uint32_t len = rte_pktmbuf_pkt_len(m);

			if (meta->max_len != OFPCML_NO_BUFFER && len > meta->max_len)
				len = meta->max_len;
			if (len > DP_MAX_FRAME_LEN)
				len = DP_MAX_FRAME_LEN;
			u->br = br;
			u->in_port = meta->in_port;
			u->reason = meta->reason;
			u->table_id = meta->table_id;
			u->cookie = meta->cookie;
			u->metadata = meta->metadata;
			u->tunnel_id = meta->tunnel_id;
			u->max_len = meta->max_len;
			u->total_len = meta->total_len;
			u->len = (uint16_t)len;
			const void *d = rte_pktmbuf_read(m, 0, len, u->data);

			if (d != u->data)
				memcpy(u->data, d, len);
			rte_pktmbuf_free(m);
			got++;
		}
	}
	dp_g.upcall_rr++;
	return got;
}

int
dp_upcall_fd(void)
{
	return dp_g.initialised ? dp_g.upcall_efd : -1;
}

bool
dp_upcall_wait_begin(void)
{
	if (!dp_g.initialised)
		return false;
	/* Announce the wait, then look: a worker queues, then looks at the flag. With both
	 * fences, one of the two sees the other's write: no upcall sleeps unnoticed. */
	__atomic_store_n(&dp_g.upcall_waiting, true, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < dp_g.n_workers; i++)
		if (!rte_ring_empty(dp_g.workers[i]->miss))
			return true;
	return false;
}

void
dp_upcall_kick(void)
{
	uint64_t one = 1;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&dp_g.upcall_waiting, __ATOMIC_RELAXED) ||
	    !__atomic_exchange_n(&dp_g.upcall_waiting, false, __ATOMIC_ACQ_REL))
		return;
	if (write(dp_g.upcall_efd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is full, the fd is readable anyway. */
	}
}

uint64_t
dp_upcall_dropped(void)
{
	uint64_t n = dp_g.upcall_dropped_ctl;

	for (unsigned i = 0; i < dp_g.n_workers; i++)
		n += dp_g.workers[i]->drops_core[DP_DROP_CORE_UPCALL_RING_FULL];
	return n;
}

/* Copies data into a fresh mbuf chain from the pool. NULL if the pool is short. */
struct rte_mbuf *
dp_mbuf_from(const void *data, size_t len)
{
	struct rte_mbuf *head = rte_pktmbuf_alloc(dp_g.pool), *last = head;
	const uint8_t *src = data;

	if (!head)
		return NULL;
	for (;;) {
		size_t room = rte_pktmbuf_tailroom(last);
		size_t n = PFS_MIN(room, len);
		char *dst = rte_pktmbuf_append(last, (uint16_t)n);

		memcpy(dst, src, n);
		if (last != head) {
			head->pkt_len += (uint32_t)n;
		}
		src += n;
		len -= n;
		if (!len)
			return head;
		struct rte_mbuf *seg = rte_pktmbuf_alloc(dp_g.pool);

		if (!seg) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		last->next = seg;
		head->nb_segs++;
		last = seg;
	}
}

int
dp_packet_out(struct dp_bridge *br, uint32_t in_port, const struct ofp_action_list *actions,
	      const void *data, size_t len, struct ofp_err *err)
{
	struct dp_prog *prog;
	struct rte_mbuf *m;
	int ret;

	if (!br || !actions || (len && !data))
		return -EINVAL;
	if (len > DP_MAX_FRAME_LEN)
		return -EMSGSIZE;
	if (len < RTE_ETHER_HDR_LEN)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_PACKET), -EINVAL;
	if (in_port != OFPP_CONTROLLER && in_port != OFPP_ANY && in_port != OFPP_LOCAL &&
	    !dp_port_find(br, in_port))
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_PORT), -EINVAL;
	ret = dp_prog_compile_actions(actions, DP_PROG_PACKET_OUT, &prog, err);
	if (ret < 0)
		return ret == -EOPNOTSUPP ? -EINVAL : ret;
	drain_done_all();
	m = dp_mbuf_from(data, len);
	if (!m) {
		dp_prog_free(prog);
		return -ENOBUFS;
	}
	struct dp_mbuf_meta *meta = dp_mbuf_meta(m);

	memset(meta, 0, sizeof(*meta));
	meta->br = br;
	meta->br_uid = br->uid;
	meta->in_port = in_port;
	meta->prog = prog;
	dp_pipeline_summarise(prog, &meta->sum);
	/* One worker takes every packet-out: they leave in the order they were sent. */
	if (rte_ring_mp_enqueue(dp_g.workers[0]->inject, m) != 0) {
		rte_pktmbuf_free(m);
		dp_prog_free(prog);
		return -ENOBUFS;
	}
	dp_worker_kick(dp_g.workers[0]);
	return 0;
}

/* ---- Telemetry ------------------------------------------------------------------------ */

static const char *const core_drop_names[] = {
#define DP_CORE_DROP_NAME(NAME, STR) STR,
	DP_CORE_DROPS(DP_CORE_DROP_NAME)
#undef DP_CORE_DROP_NAME
};

const char *
dp_core_drop_name(unsigned reason)
{
	return reason < DP_DROP_CORE_N ? core_drop_names[reason] : "unknown";
}

/* Drop counts of workers [w0, w1). */
static unsigned
drop_stats(struct dp_drop_stat *out, unsigned n, unsigned w0, unsigned w1)
{
	unsigned k = 0;

	for (unsigned r = 1; r < DP_DROP_N; r++, k++) {
		if (k >= n)
			continue;
		out[k].name = dp_drop_reason_name(r);
		out[k].count = 0;
		for (unsigned w = w0; w < w1 && dp_g.workers[w]; w++)
			out[k].count += dp_g.workers[w]->drops_key[r];
	}
	for (unsigned r = 0; r < DP_DROP_CORE_N; r++, k++) {
		if (k >= n)
			continue;
		out[k].name = core_drop_names[r];
		out[k].count = 0;
		for (unsigned w = w0; w < w1 && dp_g.workers[w]; w++)
			out[k].count += dp_g.workers[w]->drops_core[r];
	}
	return k;
}

unsigned
dp_drop_stats(struct dp_drop_stat *out, unsigned n)
{
	return drop_stats(out, n, 0, dp_g.n_workers);
}

unsigned
dp_drop_stats_worker(unsigned worker, struct dp_drop_stat *out, unsigned n)
{
	return drop_stats(out, n, worker, worker < dp_g.n_workers ? worker + 1 : worker);
}

unsigned
dp_mbuf_in_use(void)
{
	return dp_g.pool ? rte_mempool_in_use_count(dp_g.pool) : 0;
}

static void
add_worker_stats(const struct dp_worker *w, struct dp_worker_stats *st)
{
	struct dp_cache_stats cs;

	if (w->cache) {
		dp_cache_get_stats(w->cache, &cs);
		st->cache_hits += cs.hits;
		st->cache_misses += cs.misses;
		st->cache_inserts += cs.inserts;
		st->cache_skipped += cs.skipped;
		st->cache_refused += cs.refused;
	}
	/* Plain reads of the worker's own counters: a figure may lag by one loop. */
	st->polls += w->n_polls;
	st->busy_polls += w->busy_polls;
	st->idle_sleeps += w->idle_sleeps;
	st->intr_waits += w->intr_waits;
	st->busy_cycles += w->busy_cycles;
	st->idle_cycles += w->idle_cycles;
	st->rest_cycles += w->rest_cycles;
	st->n_queues += w->n_queues;
	st->n_intr_queues += w->n_intr_queues;
	st->mac_learn_port_limit += w->mac_learn_port_limit;
	st->mac_learn_bucket_full += w->mac_learn_bucket_full;
	for (unsigned i = 0; i < DP_BURST_HIST_N; i++)
		st->burst_hist[i] += w->burst_hist[i];
	st->rx_packets += w->rx_packets;
	st->tsc_hz = dp_g.tsc_hz;
}

unsigned
dp_mbuf_pool_size(void)
{
	return dp_g.pool ? dp_g.pool->size : 0;
}

void
dp_get_worker_stats(struct dp_worker_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < dp_g.n_workers; i++)
		add_worker_stats(dp_g.workers[i], st);
}

int
dp_set_consolidated(bool on)
{
	if (!dp_g.initialised)
		return -EINVAL;
	if (dp_g.n_workers < 2 || dp_g.consolidated == on)
		return 0;
	dp_g.consolidated = on;
	int ret = publish_polls();

	if (ret < 0)
		dp_g.consolidated = !on;
	else
		DP_LOG(INFO, "%s rx queues\n", on ? "consolidated" : "spread");
	return ret;
}

bool
dp_is_consolidated(void)
{
	return dp_g.consolidated;
}

#define BALANCE_PERIOD_MS 100
#define BALANCE_LOW_PERIODS 10 /* consolidate after 1 s of low load */

int
dp_power_run(void)
{
	uint64_t now = rte_rdtsc(), busy[DP_MAX_WORKERS], total[DP_MAX_WORKERS];
	unsigned below = dp_g.params.consolidate_below_pct ?: 10;
	unsigned above = dp_g.params.consolidate_above_pct ?: 50;
	double sum = 0, keeper;

	if (!dp_g.running || !dp_g.params.consolidate || dp_g.n_workers < 2 ||
	    now - dp_g.balance_tsc < dp_g.tsc_hz / 1000 * BALANCE_PERIOD_MS)
		return 0;
	dp_g.balance_tsc = now;
	for (unsigned w = 0; w < dp_g.n_workers; w++) {
		const struct dp_worker *wk = dp_g.workers[w];
		uint64_t b = __atomic_load_n(&wk->busy_cycles, __ATOMIC_RELAXED);
		uint64_t t = b + __atomic_load_n(&wk->idle_cycles, __ATOMIC_RELAXED);

		busy[w] = b - dp_g.balance_busy[w];
		total[w] = t - dp_g.balance_total[w];
		dp_g.balance_busy[w] = b;
		dp_g.balance_total[w] = t;
		if (total[w])
			sum += (double)busy[w] / (double)total[w];
	}
	keeper = total[0] ? (double)busy[0] / (double)total[0] : 0;
	if (dp_g.consolidated) {
		if (keeper * 100 <= above)
			return 0;
		dp_g.balance_low = 0;
		return dp_set_consolidated(false) < 0 ? -ENOMEM : 1;
	}
	if (sum * 100 >= below) {
		dp_g.balance_low = 0;
		return 0;
	}
	if (++dp_g.balance_low < BALANCE_LOW_PERIODS)
		return 0;
	dp_g.balance_low = 0;
	return dp_set_consolidated(true) < 0 ? -ENOMEM : 1;
}

/* Telemetry "/pfswitch/workers" (dp_telemetry.c runs it under dp_tel_lock()): per worker
 * busy and idle figures, plain reads of counters that only grow. */
int
dp_tel_workers(const char *params, struct rte_tel_data *d)
{
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "tsc_hz", dp_g.tsc_hz);
	rte_tel_data_add_dict_int(d, "consolidated", dp_g.consolidated);
	for (unsigned i = 0; i < dp_g.n_workers; i++) {
		const struct dp_worker *w = dp_g.workers[i];
		struct rte_tel_data *c;
		struct dp_worker_stats st;
		char name[32];

		if (!w)
			break; /* shut down */
		c = rte_tel_data_alloc();
		if (!c)
			return -ENOMEM;
		memset(&st, 0, sizeof(st));
		add_worker_stats(w, &st);
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_int(c, "lcore", (int)w->lcore);
		rte_tel_data_add_dict_u64(c, "rx_queues", st.n_queues);
		rte_tel_data_add_dict_u64(c, "rx_queues_with_interrupts", st.n_intr_queues);
		rte_tel_data_add_dict_u64(c, "busy_cycles", st.busy_cycles);
		rte_tel_data_add_dict_u64(c, "idle_cycles", st.idle_cycles);
		rte_tel_data_add_dict_u64(c, "rest_cycles", st.rest_cycles);
		rte_tel_data_add_dict_u64(c, "polls", st.polls);
		rte_tel_data_add_dict_u64(c, "busy_polls", st.busy_polls);
		rte_tel_data_add_dict_u64(c, "sleeps", st.idle_sleeps);
		rte_tel_data_add_dict_u64(c, "interrupt_waits", st.intr_waits);
		snprintf(name, sizeof(name), "worker%u", i);
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	return 0;
}

unsigned
dp_worker_count(void)
{
	return dp_g.n_workers;
}

int
dp_worker_get_stats(unsigned id, struct dp_worker_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (id >= dp_g.n_workers || !dp_g.workers[id])
		return -ENOENT;
	add_worker_stats(dp_g.workers[id], st);
	st->lcore = dp_g.workers[id]->lcore;
	return 0;
}
