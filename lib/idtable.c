/* Id-sorted object tables and their per-owner list (see idtable.h). */
#include "idtable.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

size_t
idtable_find(const struct idtable *t, uint32_t id, bool *found)
{
	size_t lo = 0, hi = t ? t->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (idtable_id(t->v[mid]) < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = t && lo < t->n && idtable_id(t->v[lo]) == id;
	return lo;
}

void *
idtable_lookup(const struct idtable *t, uint32_t id)
{
	bool found;
	size_t at = idtable_find(t, id, &found);

	return found ? t->v[at] : NULL;
}

int
idtable_reserve(struct idtable *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		void **v = pfs_realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	return 0;
}

void *
idtable_put(struct idtable *t, size_t at, bool found, void *obj)
{
	void *old = NULL;

	if (found) {
		old = t->v[at];
		t->v[at] = obj;
		t->dirty = true;
	} else if (idtable_insert(t, at, obj) < 0) {
		abort(); /* idtable_reserve() was not called: a bug */
	}
	return old;
}

int
idtable_insert(struct idtable *t, size_t at, void *obj)
{
	if (idtable_reserve(t) < 0)
		return -ENOMEM;
	memmove(&t->v[at + 1], &t->v[at], (t->n - at) * sizeof(*t->v));
	t->v[at] = obj;
	t->n++;
	t->dirty = true;
	return 0;
}

void *
idtable_remove(struct idtable *t, size_t at)
{
	void *obj = t->v[at];

	memmove(&t->v[at], &t->v[at + 1], (t->n - at - 1) * sizeof(*t->v));
	t->n--;
	t->dirty = true;
	return obj;
}

void
idtable_clear(struct idtable *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
	t->dirty = true;
}

struct idtable *
idtable_of(struct idtable **list, const void *owner, bool create)
{
	struct idtable *t;

	for (t = *list; t; t = t->next)
		if (t->owner == owner)
			return t;
	if (!create)
		return NULL;
	t = pfs_calloc(1, sizeof(*t));
	if (t) {
		t->owner = owner;
		t->next = *list;
		*list = t;
	}
	return t;
}

void
idtable_forget(struct idtable **list, const void *owner, void (*free_obj)(void *))
{
	for (struct idtable **pp = list; *pp; pp = &(*pp)->next) {
		struct idtable *t = *pp;

		if (t->owner != owner)
			continue;
		*pp = t->next;
		for (size_t i = 0; free_obj && i < t->n; i++)
			free_obj(t->v[i]);
		free(t->v);
		free(t);
		return;
	}
}
