/* Small helpers shared by every module: array sizing, branch hints, byte order, mask
 * tests, and the allocation wrappers that tests can make fail on purpose (SQLite-style
 * fault injection), so control paths prove that an allocation failure becomes an error,
 * never a crash. */
#ifndef PFS_UTIL_H
#define PFS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <endian.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PFS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define PFS_MAX(a, b) ((a) > (b) ? (a) : (b))
#define PFS_ROUND_UP(x, n) (((x) + (n)-1) / (n) * (n))

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/* Whether the n bytes at p are all 0xff (a mask that compares every bit), all zero. */
static inline bool
pfs_all_ones(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0xff)
			return false;
	return true;
}

static inline bool
pfs_all_zeros(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* malloc/calloc/realloc that honour pfs_alloc_fail_after(). Return NULL on failure. */
void *pfs_malloc(size_t size);
void *pfs_calloc(size_t n, size_t size);
void *pfs_realloc(void *p, size_t size);
char *pfs_strdup(const char *s);

/* Test hook: the (n+1)th allocation from now on fails, and every later one too, until
 * called again with n < 0 (the default), which disables injection. */
void pfs_alloc_fail_after(long n);

#endif /* PFS_UTIL_H */
