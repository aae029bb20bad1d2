/* Deferred free on rte_rcu_qsbr: the datapath's one struct dp_defer (dp_defer.h).
 *
 * Every worker lcore is a QSBR reader: it reports a quiescent state once per loop and goes
 * offline while it sleeps. The control thread queues fn(arg) with the token of the grace
 * period that starts at the call; dp_defer_reclaim() runs every entry whose grace period
 * is over, dp_defer_sync() waits (bounded) for the current one. Entries are kept in a
 * growable FIFO: tokens only grow, so the front is always the oldest.
 *
 * Used by datapath.c (flows, poll lists, port maps), dp_cls (classifier memory). Control
 * thread only. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "dp_core.h"
#include "util.h"

struct entry {
	uint64_t token;
	void (*fn)(void *arg);
	void *arg;
};

static struct rte_rcu_qsbr *qs;
static struct entry *q;
static size_t q_head, q_len, q_cap; /* circular: q[(q_head + i) % q_cap] */

static void defer_call(struct dp_defer *d, void (*fn)(void *arg), void *arg);
static struct dp_defer hook = { .call = defer_call };

static int
grow(void)
{
	size_t ncap = q_cap ? q_cap * 2 : 256;
	struct entry *n = pfs_malloc(ncap * sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < q_len; i++)
		n[i] = q[(q_head + i) % q_cap];
	free(q);
	q = n;
	q_head = 0;
	q_cap = ncap;
	return 0;
}

static void
defer_call(struct dp_defer *d, void (*fn)(void *arg), void *arg)
{
	(void)d;
	if (!qs) { /* no datapath (yet): nobody can be reading */
		fn(arg);
		return;
	}
	uint64_t token = rte_rcu_qsbr_start(qs);

	if (q_len == q_cap && grow() < 0) {
		/* Cannot queue: wait for the grace period here, as the contract says. */
		rte_rcu_qsbr_check(qs, token, true);
		fn(arg);
		return;
	}
	q[(q_head + q_len) % q_cap] = (struct entry){ token, fn, arg };
	q_len++;
}

int
dp_defer_init(unsigned max_threads)
{
	size_t sz = rte_rcu_qsbr_get_memsize(max_threads);

	qs = rte_zmalloc("dp_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (!qs)
		return -ENOMEM;
	if (rte_rcu_qsbr_init(qs, max_threads) != 0) {
		rte_free(qs);
		qs = NULL;
		return -EINVAL;
	}
	return 0;
}

struct dp_defer *
dp_defer_get(void)
{
	return &hook;
}

struct rte_rcu_qsbr *
dp_defer_qsbr(void)
{
	return qs;
}

unsigned
dp_defer_reclaim(void)
{
	unsigned n = 0;

	while (q_len > 0) {
		struct entry *e = &q[q_head];

		if (qs && rte_rcu_qsbr_check(qs, e->token, false) != 1)
			break;
		struct entry run = *e;

		q_head = (q_head + 1) % q_cap;
		q_len--;
		run.fn(run.arg); /* may queue more: q is consistent here */
		n++;
	}
	return n;
}

int
dp_defer_sync(uint64_t timeout_ns)
{
	if (!qs)
		return 0;
	uint64_t token = rte_rcu_qsbr_start(qs);
	uint64_t hz = rte_get_tsc_hz();
	uint64_t deadline = rte_get_tsc_cycles() + timeout_ns / 1000 * (hz / 1000000);
	unsigned spins = 0;

	while (rte_rcu_qsbr_check(qs, token, false) != 1) {
		if (rte_get_tsc_cycles() > deadline)
			return -ETIMEDOUT;
		if (++spins < 1000) {
			rte_pause();
		} else {
			struct timespec ts = { 0, 10000 };

			nanosleep(&ts, NULL);
		}
	}
	dp_defer_reclaim();
	return 0;
}

void
dp_defer_fini(void)
{
	/* Workers are stopped and offline: every grace period is over. */
	while (q_len > 0) {
		struct entry run = q[q_head];

		q_head = (q_head + 1) % q_cap;
		q_len--;
		run.fn(run.arg);
	}
	free(q);
	q = NULL;
	q_head = q_len = q_cap = 0;
	rte_free(qs);
	qs = NULL;
}
