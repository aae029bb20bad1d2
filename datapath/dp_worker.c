/* The worker lcore loop: poll this worker's rx queues in bursts of DP_BURST, hand each
 * burst to the pipeline (dp_pipeline.c), run queued packet-outs from the inject ring,
 * flush the per-port tx buffers once per loop, report an RCU quiescent state, and back
 * off when idle (pause, then sleeps growing to idle_sleep_us, offline for RCU while
 * asleep so dp_sync() never waits for a sleeping worker).
 *
 * Per packet: no lock, allocation, syscall or log. A shared tx queue (device with fewer
 * tx queues than workers) is locked once per flush, not per packet. Control thread
 * interaction: the poll set pointer (dp_pollset, RCU-published by datapath.c) and the
 * stop flag. */
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dp_core.h"

static void
flush_one(struct dp_worker *w, struct dp_txbuf *tb)
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
	if (unlikely(sent < n))
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
		flush_one(w, tb);
}

void
dp_worker_flush(struct dp_worker *w)
{
	for (uint16_t i = 0; i < w->n_dirty; i++) {
		struct dp_txbuf *tb = &w->tx[w->dirty[i]];

		if (tb->n)
			flush_one(w, tb);
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

int
dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct rte_rcu_qsbr *qs = dp_defer_qsbr();
	const unsigned idle_polls = dp_g.params.idle_polls_before_sleep;
	const unsigned max_sleep = dp_g.params.idle_sleep_us;
	const bool may_sleep = idle_polls > 0 && max_sleep > 0;
	struct rte_mbuf *pkts[DP_BURST];
	unsigned idle = 0, sleep_us = 1;

	rte_rcu_qsbr_thread_register(qs, w->id);
	rte_rcu_qsbr_thread_online(qs, w->id);
	__atomic_store_n(&w->running, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		const struct dp_pollset *ps = __atomic_load_n(&w->polls, __ATOMIC_ACQUIRE);
		unsigned got = 0;

		w->burst_tsc = rte_rdtsc();
		for (unsigned i = 0; ps && i < ps->n; i++) {
			const struct dp_rxq_ref *r = &ps->q[i];
			uint16_t n = rte_eth_rx_burst(r->port_id, r->queue, pkts, DP_BURST);

			if (n) {
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
		rte_rcu_qsbr_quiescent(qs, w->id);
		w->n_polls++;
		if (got) {
			w->busy_polls++;
			idle = 0;
			sleep_us = 1;
			continue;
		}
		if (!may_sleep || ++idle < idle_polls) {
			rte_pause();
			continue;
		}
		/* Asleep: offline for RCU, so grace periods do not wait for us. */
		rte_rcu_qsbr_thread_offline(qs, w->id);
		struct timespec ts = { 0, (long)sleep_us * 1000 };

		nanosleep(&ts, NULL);
		rte_rcu_qsbr_thread_online(qs, w->id);
		w->idle_sleeps++;
		sleep_us = sleep_us * 2 > max_sleep ? max_sleep : sleep_us * 2;
	}
	dp_worker_flush(w);
	rte_rcu_qsbr_thread_offline(qs, w->id);
	rte_rcu_qsbr_thread_unregister(qs, w->id);
	__atomic_store_n(&w->running, false, __ATOMIC_RELEASE);
	return 0;
}
