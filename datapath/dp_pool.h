/* Fixed-size object pool for the control thread: flows, rules and classifier nodes.
 *
 * Why: a flow add allocates several small objects and a removal frees them after a grace
 * period. Through rte_malloc (a general allocator under a global lock) or even glibc malloc
 * with a million live objects, that allocation is a large share of a flow-mod's cost. A
 * pool hands out objects of one size from big chunks (a bump pointer, then a LIFO free
 * list of returned objects), so alloc and free are a few instructions and objects are
 * packed densely.
 *
 * Memory goes back to the system only at dp_pool_fini(); freed objects are kept for
 * reuse. Chunks come from pfs_malloc(), so allocation-failure injection reaches them.
 * Not thread-safe: one thread (the datapath's writer) allocates and frees. Workers may
 * read and write objects they were handed, as with any memory. Under AddressSanitizer
 * freed objects are poisoned, so a use after free is still reported.
 *
 * Neighbours: lib/util.h (pfs_malloc). No DPDK. */
#ifndef PFS_DP_POOL_H
#define PFS_DP_POOL_H

#include <stddef.h>

struct dp_pool_chunk;

struct dp_pool {
	size_t size;  /* object size, a multiple of align */
	size_t align; /* power of two */
	void *free;   /* returned objects; each holds the next one in its first word */
	char *bump, *end;
	size_t next_chunk; /* bytes of the next chunk (doubles up to 1 MiB) */
	struct dp_pool_chunk *chunks;
	size_t n_live; /* objects handed out and not returned */
};

/* Sets up an empty pool of objects of size bytes aligned to align (a power of two; 0
 * means 16), allocating nothing yet. */
void dp_pool_init(struct dp_pool *p, size_t size, size_t align);
/* An object (contents undefined), or NULL when a chunk cannot be allocated. */
void *dp_pool_alloc(struct dp_pool *p);
/* An object set to zero, or NULL. */
void *dp_pool_zalloc(struct dp_pool *p);
/* Returns obj (from this pool) for reuse. NULL-safe. */
void dp_pool_free(struct dp_pool *p, void *obj);
/* Frees every chunk, live objects included; the pool may be initialised again. */
void dp_pool_fini(struct dp_pool *p);

#endif /* PFS_DP_POOL_H */
