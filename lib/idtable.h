/* A table of objects kept sorted by a 32-bit id, and a list of such tables keyed by
 * their owner: the registry shape shared by the agent's groups and meters
 * (ofproto/group.c, ofproto/meter.c) and by the datapath's staged groups and meters
 * (datapath/dp_group.c). Every object starts with its `uint32_t id`. Lookups are binary
 * searches; insert and remove keep the order. `dirty` is set by every change and left
 * for the owner to clear (the datapath republishes a dirty table).
 *
 * Uses util.h's allocation wrappers (fault injection). */
#ifndef PFS_IDTABLE_H
#define PFS_IDTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idtable {
	void **v; /* objects, sorted by id (each starts with its uint32_t id) */
	size_t n, cap;
	bool dirty;	      /* changed since the owner last cleared it */
	const void *owner;    /* idtable_of(): whose table this is */
	struct idtable *next; /* idtable_of(): the next owner's table */
};

/* The id of an object held by an idtable. */
static inline uint32_t
idtable_id(const void *obj)
{
	return *(const uint32_t *)obj;
}

/* The index of id in t (*found true), or where it would be inserted (*found false). */
size_t idtable_find(const struct idtable *t, uint32_t id, bool *found);
/* The object with this id, or NULL (t may be NULL). */
void *idtable_lookup(const struct idtable *t, uint32_t id);
/* Inserts obj at index at (from idtable_find()). 0 or -ENOMEM (t unchanged). */
int idtable_insert(struct idtable *t, size_t at, void *obj);
/* Makes room for one more object, so that a following idtable_put() cannot fail. 0 or
 * -ENOMEM. */
int idtable_reserve(struct idtable *t);
/* Puts obj at index at (from idtable_find()): replaces the object there when found
 * (returned, for the caller to free), else inserts (room reserved; returns NULL). */
void *idtable_put(struct idtable *t, size_t at, bool found, void *obj);
/* Removes and returns the object at index at. */
void *idtable_remove(struct idtable *t, size_t at);
/* Frees the array (not the objects); t is empty and reusable. */
void idtable_clear(struct idtable *t);

/* The table of owner in *list; with create, a new empty one when it has none. NULL when
 * it has none (create false) or on allocation failure. */
struct idtable *idtable_of(struct idtable **list, const void *owner, bool create);
/* Unlinks owner's table from *list and frees it, calling free_obj (may be NULL) on every
 * object. No-op if owner has none. */
void idtable_forget(struct idtable **list, const void *owner, void (*free_obj)(void *));

#endif /* PFS_IDTABLE_H */
