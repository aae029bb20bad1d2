/* Region allocator for decoded OpenFlow messages: a decoder allocates every nested list
 * (actions, buckets, bands, properties, stats entries) and copied byte string from one
 * arena, so a decoded message is freed in one call and never points into the input. */
#ifndef PFS_ARENA_H
#define PFS_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
};

#define ARENA_INITIALIZER                                                                          \
	{                                                                                          \
		NULL                                                                               \
	}

/* Returns n zeroed bytes aligned to 16, or NULL on allocation failure. n may be 0. */
void *arena_alloc(struct arena *a, size_t n);
/* Allocates n elements of size sz (overflow-checked), zeroed; NULL on failure. */
void *arena_calloc(struct arena *a, size_t n, size_t sz);
/* Copies n bytes into the arena; NULL on failure. */
void *arena_memdup(struct arena *a, const void *p, size_t n);
/* Frees everything allocated from a; a is empty and reusable afterwards. NULL-safe. */
void arena_free(struct arena *a);

#endif /* PFS_ARENA_H */
