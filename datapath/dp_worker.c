/* The worker lcore loop: poll this worker's rx queues in bursts of DP_BURST, hand each
 * burst to the pipeline (dp_pipeline.c), run queued packet-outs from the inject ring,
 * flush the per-port tx buffers once per loop, report an RCU quiescent state, and back
 * off when idle: after idle_polls_before_sleep empty polls it rests, offline for RCU so
 * dp_sync() never waits for it: blocked in epoll on its queues' rx interrupts when all of
 * them have one, else asleep, sleeps doubling from 1 us to the poll set's bound (half the
 * time the smallest rx ring takes to fill at link speed, at most idle_sleep_us) with a
 * 1 us timer slack. The first packet brings it back to busy polling. It counts busy and
 * idle TSC cycles (one TSC read per loop, which the burst needs anyway).
 *
 * Microflow-cache counts go to rules and tables at the end of a loop that follows a
 * flush request (dp_stats_flush(), a commit that retired rules), every 100 ms, and
 * before the worker rests (dp_cache.h).
 *
 * Per packet: no lock, allocation, syscall or log. A shared tx queue (device with fewer
 * tx queues than workers) is locked once per flush, not per packet. Control thread
 * interaction: the poll set pointer (dp_pollset, RCU-published by datapath.c) and the
 * stop flag; at stop, DP_WAKE_SIGNAL interrupts a syscall a PMD blocks in (dp_stop()). */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dp_cache.h"
#include "dp_core.h"

#define DP_FIRST_SLEEP_NS 1000 /* first sleep of an idle period; doubles up to the bound */
#define DP_INTR_TIMEOUT_MS 10  /* longest block on rx interrupts without a wake-up */

void
dp_worker_flush_one(struct dp_worker *w, struct dp_txbuf *tb)
{
	struct dp_port *port = tb->port;
	uint16_t n = tb->n, sent;
	uint16_t q = (uint16_t)(w->id % port->n_txq);
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(tb->pkts[i]);
	if (unlikely(port->tx_shared))
		rte_spinlock_lock(&port->tx_lock[q]);
	sent = rte_eth_tx_burst(port->port_id, q, tb->pkts, n);
	/* One retry, not when stopping: a PMD interrupted by DP_WAKE_SIGNAL (dp_stop())
	 * would block again. */
	if (unlikely(sent < n) && !__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE))
		sent += rte_eth_tx_burst(port->port_id, q, tb->pkts + sent, n - sent);
	if (unlikely(port->tx_shared))
		rte_spinlock_unlock(&port->tx_lock[q]);
	if (unlikely(sent < n)) {
		for (uint16_t i = sent; i < n; i++) {
			bytes -= rte_pktmbuf_pkt_len(tb->pkts[i]);
			rte_pktmbuf_free(tb->pkts[i]);
		}
		port->ws[w->id].tx_dropped += n - sent;
		w->drops_core[DP_DROP_CORE_TX_RING_FULL] += n - sent;
	}
	port->ws[w->id].tx_packets += sent;
	port->ws[w->id].tx_bytes += bytes;
	tb->n = 0;
}

void
dp_worker_flush(struct dp_worker *w)
{
	for (uint16_t i = 0; i < w->n_dirty; i++) {
		struct dp_txbuf *tb = &w->tx[w->dirty[i]];

		if (tb->n)
			dp_worker_flush_one(w, tb);
		tb->port = NULL;
	}
	w->n_dirty = 0;
}

static unsigned
run_injected(struct dp_worker *w)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned n = rte_ring_sc_dequeue_burst(w->inject, (void **)pkts, DP_BURST, NULL);

	for (unsigned i = 0; i < n; i++)
		dp_pipeline_inject(w, pkts[i]);
	return n;
}

void
dp_worker_kick(struct dp_worker *w)
{
	uint64_t one = 1;

	/* Pairs with the fence in block_on_intr(): either the worker sees our work before
	 * it blocks, or we see it blocked and wake it. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (w->kick_fd >= 0 && __atomic_load_n(&w->blocked, __ATOMIC_RELAXED))
		if (write(w->kick_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			DP_LOG(ERR, "worker %u: kick: %s\n", w->id, strerror(errno));
}

void
dp_worker_flush_stats(struct dp_worker *w, uint64_t seq)
{
	if (w->cache)
		dp_cache_flush(w->cache);
	w->flush_tsc = w->burst_tsc;
	__atomic_store_n(&w->flush_seen, seq, __ATOMIC_RELEASE);
}

/* Attributes the cache's counts when a flush was asked for (a statistics read, a commit
 * that retired rules) or a tenth of a second passed: before the quiescent state. */
static inline void
maybe_flush_stats(struct dp_worker *w)
{
	uint64_t seq = __atomic_load_n(&dp_g.flush_seq, __ATOMIC_ACQUIRE);

	if (unlikely(seq != w->flush_seen) ||
	    unlikely(w->burst_tsc - w->flush_tsc > dp_g.tsc_hz / 10))
		dp_worker_flush_stats(w, seq);
}

/* Arms the interrupts of every queue of ps and blocks in epoll until a packet arrives,
 * the control thread kicks, or DP_INTR_TIMEOUT_MS pass (a safety net: a PMD that cannot
 * tell whether a packet slipped in before arming costs at most that much latency). */
static void
block_on_intr(struct dp_worker *w, const struct dp_pollset *ps)
{
	struct rte_epoll_event ev[8];
	bool pending = false;

	for (unsigned i = 0; i < ps->n; i++)
		rte_eth_dev_rx_intr_enable(ps->q[i].port_id,
					   ps->q[i].queue); /* -ENOTSUP: the
							     * PMD signals without arming (tap) */
	__atomic_store_n(&w->blocked, true, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE) || !rte_ring_empty(w->inject) ||
	    __atomic_load_n(&w->polls, __ATOMIC_ACQUIRE) != ps)
		pending = true;
	for (unsigned i = 0; !pending && i < ps->n; i++)
		pending = rte_eth_rx_queue_count(ps->q[i].port_id, ps->q[i].queue) > 0;
	if (!pending) {
		rte_epoll_wait(w->epfd, ev, RTE_DIM(ev), DP_INTR_TIMEOUT_MS);
		w->intr_waits++;
	}
	__atomic_store_n(&w->blocked, false, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < ps->n; i++)
		rte_eth_dev_rx_intr_disable(ps->q[i].port_id, ps->q[i].queue);
}

/* An idle worker rests: offline for RCU (grace periods do not wait for it), then blocked
 * on rx interrupts if every queue has them, else asleep for *sleep_ns (doubling up to the
 * poll set's bound). Off the fast path. */
static void __rte_noinline
rest(struct dp_worker *w, const struct dp_pollset *ps, uint64_t *sleep_ns)
{
	struct rte_rcu_qsbr *qs = dp_defer_qsbr();
	uint64_t max = ps ? ps->sleep_max_ns : (uint64_t)dp_g.params.idle_sleep_us * 1000;
	uint64_t t0 = rte_rdtsc();

	/* Nothing left for a flush to wait for while it rests. */
	dp_worker_flush_stats(w, __atomic_load_n(&dp_g.flush_seq, __ATOMIC_ACQUIRE));
	__atomic_store_n(&w->resting, true, __ATOMIC_SEQ_CST);
	rte_rcu_qsbr_thread_offline(qs, w->id);
	if (ps && ps->all_intr) {
		block_on_intr(w, ps);
	} else {
		uint64_t ns = RTE_MIN(*sleep_ns, max);
		struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

		nanosleep(&ts, NULL);
		*sleep_ns = RTE_MIN(ns * 2, max);
		w->idle_sleeps++;
	}
	rte_rcu_qsbr_thread_online(qs, w->id);
	__atomic_store_n(&w->resting, false, __ATOMIC_SEQ_CST);
	w->rest_cycles += rte_rdtsc() - t0;
}

/* dp_stop_drained(): how long a worker keeps emptying its rx queues at most. */
#define DP_DRAIN_MS 100

int
dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct rte_rcu_qsbr *qs = dp_defer_qsbr();
	const unsigned idle_polls = dp_g.params.idle_polls_before_sleep;
	const bool may_sleep = idle_polls > 0 && dp_g.params.idle_sleep_us > 0;
	struct rte_mbuf *pkts[DP_BURST];
	unsigned idle = 0;
	uint64_t sleep_ns = DP_FIRST_SLEEP_NS, prev_tsc;
	bool prev_busy = false;
	uint64_t drain_start = 0;

	/* Short sleeps need a precise timer: the default slack (50 us) would stretch them. */
	if (dp_g.params.timer_slack_ns &&
	    prctl(PR_SET_TIMERSLACK, (unsigned long)dp_g.params.timer_slack_ns, 0, 0, 0) < 0)
		DP_LOG(NOTICE, "worker %u: timer slack: %s\n", w->id, strerror(errno));
	rte_rcu_qsbr_thread_register(qs, w->id);
	rte_rcu_qsbr_thread_online(qs, w->id);
	w->thread = pthread_self();
	__atomic_store_n(&w->running, true, __ATOMIC_RELEASE);
	prev_tsc = rte_rdtsc();
	for (;;) {
		const struct dp_pollset *ps;
		unsigned got = 0;

		/* Stopping: at once, or (dp_stop_drained()) once a round of polls begun
		 * after the stop found every queue empty, within DP_DRAIN_MS. */
		if (unlikely(__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE))) {
			if (!dp_g.drain_on_stop)
				break;
			if (!drain_start)
				drain_start = rte_rdtsc() | 1;
			else if (!prev_busy ||
				 rte_rdtsc() - drain_start > dp_g.tsc_hz / 1000 * DP_DRAIN_MS)
				break;
		}
		ps = __atomic_load_n(&w->polls, __ATOMIC_ACQUIRE);
		w->burst_tsc = rte_rdtsc();
		/* The previous loop's cycles, busy or idle (one TSC read per loop). */
		if (prev_busy)
			w->busy_cycles += w->burst_tsc - prev_tsc;
		else
			w->idle_cycles += w->burst_tsc - prev_tsc;
		prev_tsc = w->burst_tsc;
		for (unsigned i = 0; ps && i < ps->n; i++) {
			const struct dp_rxq_ref *r = &ps->q[i];
			uint16_t n = rte_eth_rx_burst(r->port_id, r->queue, pkts, DP_BURST);

			if (n) {
				/* One count per burst: n is 1..DP_BURST (32), 6 log2 buckets. */
				w->burst_hist[31 - __builtin_clz(n)]++;
				w->rx_packets += n;
				dp_pipeline_rx(w, r->port, pkts, n);
				got += n;
			}
		}
		got += run_injected(w);
		dp_worker_flush(w);
		if (unlikely(w->upcall_queued)) {
			w->upcall_queued = false;
			dp_upcall_kick();
		}
		maybe_flush_stats(w);
		rte_rcu_qsbr_quiescent(qs, w->id);
		w->n_polls++;
		prev_busy = got != 0;
		if (got) {
			w->busy_polls++;
			idle = 0;
			sleep_ns = DP_FIRST_SLEEP_NS;
			continue;
		}
		if (!may_sleep || ++idle < idle_polls) {
			rte_pause();
			continue;
		}
		rest(w, ps, &sleep_ns);
	}
	dp_worker_flush(w);
	dp_worker_flush_stats(w, __atomic_load_n(&dp_g.flush_seq, __ATOMIC_ACQUIRE));
	rte_rcu_qsbr_thread_offline(qs, w->id);
	rte_rcu_qsbr_thread_unregister(qs, w->id);
	__atomic_store_n(&w->running, false, __ATOMIC_RELEASE);
	return 0;
}
