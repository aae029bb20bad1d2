/* Byte buffers for the OpenFlow codec.
 *
 * struct buf is a growable writer. An allocation failure is sticky: the buffer records
 * -ENOMEM, every later put is a no-op, and buf_error() reports it once at the end, so
 * encoders write straight-line code and check a single result. Values are written in
 * network byte order. Lengths are back-patched by offset (buf_set_be16), never through
 * pointers that a later growth would invalidate. buf_printf() makes the same buffer a
 * string builder for the text formatters (always NUL-terminated, the NUL not counted).
 *
 * struct buf_cursor reads untrusted bytes: every pull is bounds-checked and fails (NULL
 * or false) instead of reading past the end. Parsers take (const void *, size_t). */
#ifndef PFS_BUF_H
#define PFS_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *data;
	size_t size;  /* bytes written */
	size_t alloc; /* bytes allocated */
	int error;    /* 0 or -ENOMEM, sticky */
};

#define BUF_INITIALIZER                                                                            \
	{                                                                                          \
		NULL, 0, 0, 0                                                                      \
	}

/* Empties and frees the buffer; b may be reused afterwards. Accepts an all-zero buf. */
void buf_uninit(struct buf *b);
/* Forgets the content (keeps the allocation) and clears the sticky error. */
void buf_clear(struct buf *b);
/* 0, or -ENOMEM if any earlier put failed. */
static inline int
buf_error(const struct buf *b)
{
	return b->error;
}

/* Makes room for n more bytes. 0 or -ENOMEM (then sticky). */
int buf_reserve(struct buf *b, size_t n);
void buf_put(struct buf *b, const void *p, size_t n);
void buf_put_zeros(struct buf *b, size_t n);
void buf_put_u8(struct buf *b, uint8_t v);
void buf_put_be16(struct buf *b, uint16_t v);
void buf_put_be32(struct buf *b, uint32_t v);
void buf_put_be64(struct buf *b, uint64_t v);
/* Pads with zeros up to a multiple of align counted from offset start. */
void buf_pad_to(struct buf *b, size_t start, size_t align);
/* Overwrites bytes already written at offset ofs (no-op if out of range or failed). */
void buf_set_u8(struct buf *b, size_t ofs, uint8_t v);
void buf_set_be16(struct buf *b, size_t ofs, uint16_t v);
void buf_set_be32(struct buf *b, size_t ofs, uint32_t v);
/* Drops everything from offset ofs on. */
void buf_truncate(struct buf *b, size_t ofs);
/* Appends formatted text, keeping the data NUL-terminated (the NUL is not counted). */
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The content as a C string ("" for an empty or failed buffer). */
const char *buf_cstr(struct buf *b);

struct buf_cursor {
	const uint8_t *p;
	size_t left;
};

static inline struct buf_cursor
buf_cursor(const void *p, size_t n)
{
	struct buf_cursor c = { p, n };
	return c;
}

/* Returns a pointer to the next n bytes and advances, or NULL (cursor unchanged). */
const void *buf_pull(struct buf_cursor *c, size_t n);
/* Returns a pointer to n bytes at offset ofs without advancing, or NULL. */
const void *buf_at(const struct buf_cursor *c, size_t ofs, size_t n);
/* Reads a host-order value and advances; false (cursor unchanged) if too short. */
bool buf_pull_u8(struct buf_cursor *c, uint8_t *v);
bool buf_pull_be16(struct buf_cursor *c, uint16_t *v);
bool buf_pull_be32(struct buf_cursor *c, uint32_t *v);
bool buf_pull_be64(struct buf_cursor *c, uint64_t *v);
/* Splits off the next n bytes as their own cursor and advances; false if too short. */
bool buf_pull_sub(struct buf_cursor *c, size_t n, struct buf_cursor *sub);

/* Plain big-endian loads and stores on memory already bounds-checked by the caller. */
static inline uint16_t
get_be16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)((b[0] << 8) | b[1]);
}

static inline uint32_t
get_be32(const void *p)
{
	const uint8_t *b = p;
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static inline uint64_t
get_be64(const void *p)
{
	const uint8_t *b = p;
	return ((uint64_t)get_be32(b) << 32) | get_be32(b + 4);
}

static inline void
put_be16(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void
put_be32(void *p, uint32_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static inline void
put_be64(void *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32((uint8_t *)p + 4, (uint32_t)v);
}

#endif /* PFS_BUF_H */
