/* Growable writer and bounds-checked reader; see buf.h. */
#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
buf_uninit(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->size = b->alloc = 0;
	b->error = 0;
}

void
buf_clear(struct buf *b)
{
	b->size = 0;
	b->error = 0;
	if (b->data)
		b->data[0] = 0;
}

int
buf_reserve(struct buf *b, size_t n)
{
	size_t need, alloc;
	uint8_t *p;

	if (b->error)
		return b->error;
	/* One spare byte keeps the text builder NUL-terminated without another growth. */
	if (n > SIZE_MAX / 2 - b->size) {
		b->error = -ENOMEM;
		return b->error;
	}
	need = b->size + n + 1;
	if (need <= b->alloc)
		return 0;
	alloc = b->alloc ? b->alloc : 64;
	while (alloc < need)
		alloc *= 2;
	p = pfs_realloc(b->data, alloc);
	if (!p) {
		b->error = -ENOMEM;
		return b->error;
	}
	b->data = p;
	b->alloc = alloc;
	return 0;
}

void
buf_put(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n))
		return;
	if (n)
		memcpy(b->data + b->size, p, n);
	b->size += n;
}

void
buf_put_zeros(struct buf *b, size_t n)
{
	if (buf_reserve(b, n))
		return;
	memset(b->data + b->size, 0, n);
	b->size += n;
}

void
buf_put_u8(struct buf *b, uint8_t v)
{
	buf_put(b, &v, 1);
}

void
buf_put_be16(struct buf *b, uint16_t v)
{
	uint8_t x[2];

	put_be16(x, v);
	buf_put(b, x, sizeof x);
}

void
buf_put_be32(struct buf *b, uint32_t v)
{
	uint8_t x[4];

	put_be32(x, v);
	buf_put(b, x, sizeof x);
}

void
buf_put_be64(struct buf *b, uint64_t v)
{
	uint8_t x[8];

	put_be64(x, v);
	buf_put(b, x, sizeof x);
}

void
buf_pad_to(struct buf *b, size_t start, size_t align)
{
	size_t len;

	if (b->error || b->size < start)
		return;
	len = b->size - start;
	buf_put_zeros(b, PFS_ROUND_UP(len, align) - len);
}

void
buf_set_u8(struct buf *b, size_t ofs, uint8_t v)
{
	if (!b->error && ofs + 1 <= b->size)
		b->data[ofs] = v;
}

void
buf_set_be16(struct buf *b, size_t ofs, uint16_t v)
{
	if (!b->error && ofs + 2 <= b->size)
		put_be16(b->data + ofs, v);
}

void
buf_set_be32(struct buf *b, size_t ofs, uint32_t v)
{
	if (!b->error && ofs + 4 <= b->size)
		put_be32(b->data + ofs, v);
}

void
buf_truncate(struct buf *b, size_t ofs)
{
	if (ofs < b->size)
		b->size = ofs;
	if (b->data && !b->error)
		b->data[b->size] = 0;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (buf_reserve(b, 64))
		return;
	va_start(ap, fmt);
	n = vsnprintf((char *)b->data + b->size, b->alloc - b->size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->alloc - b->size) {
		if (buf_reserve(b, (size_t)n))
			return;
		va_start(ap, fmt);
		vsnprintf((char *)b->data + b->size, b->alloc - b->size, fmt, ap);
		va_end(ap);
	}
	b->size += (size_t)n;
}

const char *
buf_cstr(struct buf *b)
{
	if (b->error || !b->data)
		return "";
	if (buf_reserve(b, 0))
		return "";
	b->data[b->size] = 0;
	return (const char *)b->data;
}

const void *
buf_pull(struct buf_cursor *c, size_t n)
{
	const void *p;

	if (n > c->left)
		return NULL;
	p = c->p;
	c->p += n;
	c->left -= n;
	return p;
}

const void *
buf_at(const struct buf_cursor *c, size_t ofs, size_t n)
{
	if (ofs > c->left || n > c->left - ofs)
		return NULL;
	return c->p + ofs;
}

bool
buf_pull_u8(struct buf_cursor *c, uint8_t *v)
{
	const uint8_t *p = buf_pull(c, 1);

	if (!p)
		return false;
	*v = *p;
	return true;
}

bool
buf_pull_be16(struct buf_cursor *c, uint16_t *v)
{
	const uint8_t *p = buf_pull(c, 2);

	if (!p)
		return false;
	*v = get_be16(p);
	return true;
}

bool
buf_pull_be32(struct buf_cursor *c, uint32_t *v)
{
	const uint8_t *p = buf_pull(c, 4);

	if (!p)
		return false;
	*v = get_be32(p);
	return true;
}

bool
buf_pull_be64(struct buf_cursor *c, uint64_t *v)
{
	const uint8_t *p = buf_pull(c, 8);

	if (!p)
		return false;
	*v = get_be64(p);
	return true;
}

bool
buf_pull_sub(struct buf_cursor *c, size_t n, struct buf_cursor *sub)
{
	const uint8_t *p = buf_pull(c, n);

	if (!p)
		return false;
	*sub = buf_cursor(p, n);
	return true;
}
