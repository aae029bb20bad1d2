/* Fixed-size object pool (dp_pool.h): chunks from pfs_malloc carved by a bump pointer,
 * returned objects on a LIFO free list (the most recently freed, likely cached, first). */
#include "dp_pool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define FIRST_CHUNK 4096u
#define MAX_CHUNK (1u << 20) /* large enough that chunk allocation is rare */

struct dp_pool_chunk {
	struct dp_pool_chunk *next;
};

void
dp_pool_init(struct dp_pool *p, size_t size, size_t align)
{
	memset(p, 0, sizeof(*p));
	p->align = align ? align : 16;
	if (size < sizeof(void *))
		size = sizeof(void *);
	p->size = PFS_ROUND_UP(size, p->align);
	p->next_chunk = FIRST_CHUNK;
}

/* Starts a new chunk: 1, or 0 if out of memory. The chunk header sits at its start and
 * objects follow at the first aligned address. */
static int
new_chunk(struct dp_pool *p)
{
	size_t bytes = p->next_chunk;
	struct dp_pool_chunk *c;
	uintptr_t start;

	while (bytes < sizeof(*c) + p->align + p->size)
		bytes *= 2;
	c = pfs_malloc(bytes);
	if (c == NULL)
		return 0;
	c->next = p->chunks;
	p->chunks = c;
	start = ((uintptr_t)(c + 1) + p->align - 1) & ~(uintptr_t)(p->align - 1);
	p->bump = (char *)start;
	p->end = (char *)c + bytes;
	POISON(p->bump, (size_t)(p->end - p->bump));
	if (p->next_chunk < MAX_CHUNK)
		p->next_chunk *= 2;
	return 1;
}

void *
dp_pool_alloc(struct dp_pool *p)
{
	void *obj = p->free;

	if (obj != NULL) {
		UNPOISON(obj, p->size);
		p->free = *(void **)obj;
	} else {
		if ((size_t)(p->end - p->bump) < p->size && !new_chunk(p))
			return NULL;
		obj = p->bump;
		p->bump += p->size;
		UNPOISON(obj, p->size);
	}
	p->n_live++;
	return obj;
}

void *
dp_pool_zalloc(struct dp_pool *p)
{
	void *obj = dp_pool_alloc(p);

	if (obj != NULL)
		memset(obj, 0, p->size);
	return obj;
}

void
dp_pool_free(struct dp_pool *p, void *obj)
{
	if (obj == NULL)
		return;
	*(void **)obj = p->free;
	p->free = obj;
	p->n_live--;
	/* The link word stays readable for the next alloc; the rest is poisoned. */
	POISON((char *)obj + sizeof(void *), p->size - sizeof(void *));
}

void
dp_pool_fini(struct dp_pool *p)
{
	struct dp_pool_chunk *c, *n;

	for (c = p->chunks; c != NULL; c = n) {
		n = c->next;
		UNPOISON(c, sizeof(*c));
		free(c);
	}
	p->chunks = NULL;
	p->free = NULL;
	p->bump = p->end = NULL;
	p->n_live = 0;
	p->next_chunk = FIRST_CHUNK;
}
