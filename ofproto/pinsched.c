/* Packet-in scheduler (see pinsched.h): a hash of per-port queues by port number and a
 * round-robin list of the queues that hold packets. A queue is freed when it empties,
 * so memory follows what is queued, not how many port numbers were ever seen. */
#include "pinsched.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define N_BUCKETS 256 /* power of two */

struct pkt {
	struct pkt *next;
	size_t len;
	unsigned char data[];
};

struct portq {
	struct portq *hnext;  /* hash chain */
	struct portq *rrnext; /* round-robin list */
	uint32_t port;
	unsigned n;
	struct pkt *head, *tail;
};

struct pinsched {
	struct portq *buckets[N_BUCKETS];
	struct portq *rr_head, *rr_tail; /* queues with packets, rr_head served next */
	unsigned per_port_max, total_max;
	unsigned n_queued, n_ports;
	struct pinsched_stats st;
};

struct pinsched *
pinsched_create(unsigned per_port_max, unsigned total_max)
{
	struct pinsched *ps = pfs_calloc(1, sizeof(*ps));

	if (!ps)
		return NULL;
	ps->total_max = total_max ? total_max : PINSCHED_DEFAULT_TOTAL;
	ps->per_port_max = per_port_max ? per_port_max : PINSCHED_DEFAULT_PER_PORT;
	if (ps->per_port_max > ps->total_max)
		ps->per_port_max = ps->total_max;
	return ps;
}

static unsigned
hash_port(uint32_t port)
{
	return (port * 2654435761u) >> 24 & (N_BUCKETS - 1);
}

static struct portq **
find_slot(struct pinsched *ps, uint32_t port)
{
	struct portq **pp = &ps->buckets[hash_port(port)];

	while (*pp && (*pp)->port != port)
		pp = &(*pp)->hnext;
	return pp;
}

/* Takes the first packet off q (q must hold one); frees q when it empties, after
 * unlinking it from the hash and from the round-robin list (where prev precedes it, or
 * NULL if q is rr_head). */
static struct pkt *
take_head(struct pinsched *ps, struct portq *q, struct portq *prev)
{
	struct pkt *p = q->head;

	q->head = p->next;
	if (!q->head)
		q->tail = NULL;
	q->n--;
	ps->n_queued--;
	if (q->n)
		return p;
	*find_slot(ps, q->port) = q->hnext;
	if (prev)
		prev->rrnext = q->rrnext;
	else
		ps->rr_head = q->rrnext;
	if (ps->rr_tail == q)
		ps->rr_tail = prev;
	ps->n_ports--;
	free(q);
	return p;
}

/* The total bound is reached: drop the oldest packet of the longest queue. */
static void
push_out(struct pinsched *ps)
{
	struct portq *q, *prev = NULL, *best = NULL, *best_prev = NULL;

	for (q = ps->rr_head; q; prev = q, q = q->rrnext) {
		if (!best || q->n > best->n) {
			best = q;
			best_prev = prev;
		}
	}
	if (!best)
		return;
	free(take_head(ps, best, best_prev));
	ps->st.drop_total_full++;
}

int
pinsched_enqueue(struct pinsched *ps, uint32_t port, const void *data, size_t len)
{
	struct portq **slot = find_slot(ps, port), *q = *slot;
	struct pkt *p;

	if (q && q->n >= ps->per_port_max) {
		ps->st.drop_port_full++;
		return -ENOBUFS;
	}
	p = malloc(sizeof(*p) + len);
	if (!p) {
		ps->st.drop_nomem++;
		return -ENOMEM;
	}
	if (!q) {
		q = pfs_calloc(1, sizeof(*q));
		if (!q) {
			free(p);
			ps->st.drop_nomem++;
			return -ENOMEM;
		}
		q->port = port;
		*slot = q;
		if (ps->rr_tail)
			ps->rr_tail->rrnext = q;
		else
			ps->rr_head = q;
		ps->rr_tail = q;
		ps->n_ports++;
	}
	p->next = NULL;
	p->len = len;
	if (len) /* an empty packet may come with data == NULL */
		memcpy(p->data, data, len);
	if (q->tail)
		q->tail->next = p;
	else
		q->head = p;
	q->tail = p;
	q->n++;
	ps->n_queued++;
	ps->st.queued++;
	/* After linking p: the longest queue may be q itself. */
	if (ps->n_queued > ps->total_max)
		push_out(ps);
	return 0;
}

const void *
pinsched_peek(const struct pinsched *ps, size_t *len, uint32_t *port)
{
	const struct portq *q = ps->rr_head;

	if (!q)
		return NULL;
	if (len)
		*len = q->head->len;
	if (port)
		*port = q->port;
	return q->head->data;
}

void
pinsched_pop(struct pinsched *ps)
{
	struct portq *q = ps->rr_head;

	if (!q)
		return;
	free(take_head(ps, q, NULL));
	ps->st.sent++;
	/* q still queued: it goes to the back of the round. */
	if (ps->rr_head == q && q->rrnext) {
		ps->rr_head = q->rrnext;
		q->rrnext = NULL;
		ps->rr_tail->rrnext = q;
		ps->rr_tail = q;
	}
}

void
pinsched_get_stats(const struct pinsched *ps, struct pinsched_stats *st)
{
	*st = ps->st;
	st->n_queued = ps->n_queued;
	st->n_ports = ps->n_ports;
}

void
pinsched_destroy(struct pinsched *ps)
{
	if (!ps)
		return;
	/* take_head() frees each queue as it empties and advances rr_head. */
	while (ps->rr_head)
		free(take_head(ps, ps->rr_head, NULL));
	free(ps);
}
