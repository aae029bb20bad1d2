/* The agent's Prometheus / OpenMetrics endpoint ([switch] metrics = tcp:IP:PORT or
 * unix:PATH; off by default): a minimal HTTP/1.1 server on the control thread's epoll
 * loop (non-blocking, requests bounded to METRICS_REQUEST_MAX bytes, at most
 * METRICS_MAX_CONNS connections, one response per connection) answering GET and HEAD
 * /metrics with every counter the agent and the datapath expose: ports (and the PMDs'
 * xstats), tables, groups, meters, drop reasons, workers, and the agent's own
 * connections, messages, packet-ins and barrier latency. Scrapes read counters the
 * datapath already keeps; nothing here runs on the per-packet path.
 *
 * Uses ofproto.h for the loop and the bridges, lib/prom.h for the text, datapath.h's
 * stats accessors. */
#ifndef PFS_METRICS_H
#define PFS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct ofproto;
struct metrics;

#define METRICS_MAX_CONNS 16
#define METRICS_REQUEST_MAX 8192
#define METRICS_IDLE_MS 10000 /* a connection that has not sent its request is closed */

/* Listens on addr ("tcp:IP:PORT" or "unix:PATH", as config.c accepted it); a TCP
 * address that is not loopback is logged with a warning. 0 or a negative errno with
 * errbuf (-EINVAL, -EADDRINUSE, -EACCES, -ENOMEM). */
int metrics_create(struct ofproto *ofp, const char *addr, struct metrics **out, char *errbuf,
		   size_t errlen);
/* Closes the listener and every connection (removes a unix socket file). NULL-safe. */
void metrics_destroy(struct metrics *m);
/* Timers: closes connections idle longer than METRICS_IDLE_MS. */
void metrics_run(struct metrics *m, uint64_t now_ms);
/* Appends the whole exposition (OpenMetrics 1.0 if openmetrics, else text 0.0.4). */
void metrics_render(struct ofproto *ofp, struct buf *b, bool openmetrics);

#endif /* PFS_METRICS_H */
