/* Packet-in scheduler: per-in-port FIFO queues in front of the controller connections'
 * rate limits, served round-robin, so that a port flooding table misses cannot starve
 * the packet-ins of the other ports (ARP, DHCP, LLDP...). Each queue holds at most
 * per_port_max packets; all queues together at most total_max. When the total is full,
 * the oldest packet of the longest queue makes room (a flooding port pays for its own
 * flood). Every drop is counted under its reason.
 *
 * Pure logic (no datapath, no sockets): ofproto.c fills it from the miss rings and
 * empties it into connmgr_send_packet_in(), which may refuse the head packet for now
 * (no token, controller output queue full): it then stays queued. */
#ifndef PFS_PINSCHED_H
#define PFS_PINSCHED_H

#include <stddef.h>
#include <stdint.h>

#define PINSCHED_DEFAULT_PER_PORT 64
#define PINSCHED_DEFAULT_TOTAL 1024

struct pinsched;

struct pinsched_stats {
	uint64_t queued;	  /* packets accepted */
	uint64_t sent;		  /* packets handed on (pinsched_pop) */
	uint64_t drop_port_full;  /* arriving packet: its port's queue was full */
	uint64_t drop_total_full; /* oldest packet of the longest queue, total bound reached */
	uint64_t drop_nomem;	  /* allocation failed */
	unsigned n_queued;	  /* packets waiting now */
	unsigned n_ports;	  /* ports with packets waiting now */
};

/* A scheduler with the given bounds (0 selects the defaults above; per_port_max is
 * lowered to total_max if larger). NULL on allocation failure. */
struct pinsched *pinsched_create(unsigned per_port_max, unsigned total_max);
/* Frees the scheduler and every queued packet. NULL-safe. */
void pinsched_destroy(struct pinsched *ps);
/* Queues a copy of the len bytes at data as a packet from port. 0; -ENOBUFS if it was
 * dropped because port's queue is full; -ENOMEM. A packet pushed out to respect the
 * total bound is counted, and this call still returns 0. */
int pinsched_enqueue(struct pinsched *ps, uint32_t port, const void *data, size_t len);
/* The packet to send next (round-robin over ports with packets waiting), without
 * removing it: its bytes, length and port. NULL if nothing is queued. */
const void *pinsched_peek(const struct pinsched *ps, size_t *len, uint32_t *port);
/* Removes the packet pinsched_peek() returned and moves on to the next port. No-op when
 * empty. */
void pinsched_pop(struct pinsched *ps);
/* Counters and current occupancy. */
void pinsched_get_stats(const struct pinsched *ps, struct pinsched_stats *st);

#endif /* PFS_PINSCHED_H */
