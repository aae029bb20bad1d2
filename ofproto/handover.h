/* Live handover of a running pfswitchd to a new one (pfswitchd --takeover): an upgrade
 * without a forwarding outage. The running process (the server here) listens on
 * [switch] handover_socket (a unix socket, mode 0600); the new process (the client)
 * connects and the two walk through these steps, each with a timeout:
 *
 *   new -> old  HELLO   handover format versions the new process reads (min..max), its
 *                       pfswitch version
 *   old -> new  ACCEPT  the format version used, the old pid and its EAL file prefix
 *         (or)  REFUSE  why (a format the new process does not read): the new exits
 *   old -> new  STATE   the whole state (ofproto/state.h's format), then FDS: the
 *                       listening sockets (mgmt, snoop, ptcp:/punix: controllers,
 *                       metrics) passed with SCM_RIGHTS, which the new process takes
 *                       over through stream_inherit_listener()
 *   new -> old  READY   tables built, ports open (what their rx queues held so far,
 *                       which the old process forwarded, discarded: dp_flush_rx()),
 *                       workers forwarding: on ports both processes can open
 *                       (af_packet, pcap, tap) each frame is forwarded twice from now
 *         (or)  FAIL    why: the old process logs it and keeps forwarding
 *   old -> new  STOPPED the old process stopped its workers, after they emptied their
 *                       rx queues (dp_stop_drained()): nothing it received is lost
 *   old -> new  FINAL   the old process's state again: its final counters become the
 *                       new one's baseline (state_apply_counters())
 *   old -> new  DONE    the old process closes its connections and exits
 *
 * Until the old process sends STOPPED nothing of it has changed: any failure before
 * (the new process cannot initialise DPDK or open a port, dies, times out, speaks a
 * format it does not know) leaves it forwarding, and it says why. While it serves the
 * handover (seconds: the new process's EAL start and port opening; at most 60 s for
 * READY, 10 s for every other step) the old process's
 * control plane waits (connections are not read; flow-mods queue in the sockets), so the
 * state sent in STATE is the state the new process starts from; its workers keep
 * forwarding.
 *
 * Wire: each message is a 4-byte big-endian type, a 4-byte big-endian payload length
 * and the payload. Uses stream.h, ofproto.h, the datapath's public header. */
#ifndef PFS_HANDOVER_H
#define PFS_HANDOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

struct ofproto;

/* The handover protocol's versions: this build speaks HANDOVER_VERSION and reads, as a
 * new process, any old process's format from HANDOVER_MIN_VERSION up. */
#define HANDOVER_VERSION 1u
#define HANDOVER_MIN_VERSION 1

/* True for a port two processes can open at once (net_af_packet, net_pcap, net_tap:
 * each gets its own socket or queue on the kernel interface), which the new process
 * opens before READY. Any other (net_memif and net_vhost with their one socket, a PCI
 * device) the old process closes once its workers stopped and the new one opens after
 * STOPPED: its peer reconnects (the gap is logged). */
bool handover_port_shared(const char *devargs);

/* ---- The running process ------------------------------------------------------------ */

struct handover_server;

/* Listens on path (mode 0600; a stale socket file is replaced) in ofp's loop.
 * eal_prefix is this process's EAL --file-prefix, told to the new process so that it
 * picks another. 0 or -errno with errbuf. */
int handover_server_create(struct ofproto *ofp, const char *path, const char *eal_prefix,
			   struct handover_server **out, char *errbuf, size_t errlen);
/* True once a new process took over: the workers are stopped, the listening sockets
 * and their files belong to the new process; the caller shuts down (without removing
 * the pidfile, which the new process rewrites). */
bool handover_server_done(const struct handover_server *hs);
/* Stops listening (removes the socket file unless handed over). NULL-safe. */
void handover_server_destroy(struct handover_server *hs);

/* ---- The new process ------------------------------------------------------------------ */

struct handover_client;

/* Connects to path and offers formats min..max. 0 when accepted; -ECONNREFUSED /
 * -ENOENT (no process listens), -EPROTO (refused: errbuf has the old process's reason),
 * -ETIMEDOUT, ... with errbuf. */
int handover_client_connect(const char *path, uint32_t min_version, uint32_t max_version,
			    struct handover_client **out, char *errbuf, size_t errlen);
/* The old process's pid, EAL file prefix ("" when it gave none) and format version. */
pid_t handover_client_old_pid(const struct handover_client *hc);
const char *handover_client_old_prefix(const struct handover_client *hc);
uint32_t handover_client_version(const struct handover_client *hc);
/* Receives STATE into state (cleared first) and the listening sockets (registered with
 * stream_inherit_listener()). 0 or -errno with errbuf. */
int handover_client_recv_state(struct handover_client *hc, struct buf *state, char *errbuf,
			       size_t errlen);
/* Sends READY (the ports are open, the workers not started) and waits until the old
 * process stopped its workers (STOPPED). 0 or -errno with errbuf: the old process is gone
 * or failed after READY (it may have stopped forwarding: the caller forwards regardless). */
int handover_client_ready(struct handover_client *hc, char *errbuf, size_t errlen);
/* Waits for FINAL (into final) and DONE. 0 or -errno with errbuf. */
int handover_client_finish(struct handover_client *hc, struct buf *final, char *errbuf,
			   size_t errlen);
/* Sends FAIL with why (the old process keeps forwarding). */
void handover_client_fail(struct handover_client *hc, const char *why);
/* Closes the channel. NULL-safe. */
void handover_client_close(struct handover_client *hc);

#endif /* PFS_HANDOVER_H */
