/* Allocation wrappers with fault injection; see util.h. */
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Countdown of allocations that still succeed; negative means injection is off. The
 * control thread is the only allocator in lib/, so a plain variable is enough. */
static long alloc_budget = -1;

void
pfs_alloc_fail_after(long n)
{
	alloc_budget = n;
}

static int
alloc_allowed(void)
{
	if (alloc_budget < 0)
		return 1;
	if (alloc_budget == 0)
		return 0;
	alloc_budget--;
	return 1;
}

void *
pfs_malloc(size_t size)
{
	return alloc_allowed() ? malloc(size ? size : 1) : NULL;
}

void *
pfs_calloc(size_t n, size_t size)
{
	return alloc_allowed() ? calloc(n ? n : 1, size ? size : 1) : NULL;
}

void *
pfs_realloc(void *p, size_t size)
{
	return alloc_allowed() ? realloc(p, size ? size : 1) : NULL;
}

char *
pfs_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = pfs_malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}
