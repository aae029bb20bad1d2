/* Deferred free: the hook through which datapath modules retire memory that workers may
 * still be reading. The caller (datapath core) runs fn(arg) only after every worker has
 * passed a quiescent state (rte_rcu_qsbr) following the call, so lock-free readers never
 * see freed memory. Modules take a struct dp_defer * and stay independent of how the
 * grace period is tracked (tests pass one that frees after a simulated quiescent point). */
#ifndef PFS_DP_DEFER_H
#define PFS_DP_DEFER_H

struct dp_defer {
	/* Queues fn(arg) to run after the next grace period. Must not fail: an
	 * implementation that cannot queue waits for the grace period and calls fn. */
	void (*call)(struct dp_defer *d, void (*fn)(void *arg), void *arg);
};

static inline void
dp_defer_call(struct dp_defer *d, void (*fn)(void *arg), void *arg)
{
	d->call(d, fn, arg);
}

#endif /* PFS_DP_DEFER_H */
