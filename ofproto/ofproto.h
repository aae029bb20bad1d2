/* The OpenFlow agent as a whole: builds every bridge, port and controller connection
 * from a parsed configuration and runs the control thread's single epoll loop on the
 * main lcore: sockets (controllers, listeners, the per-bridge mgmt and snoop sockets),
 * upcalls from the datapath's miss rings (an eventfd wakes it; they are moved into
 * each bridge's per-in-port fair queues, pinsched.h, and at most 64 packet-ins per
 * bridge are sent per iteration, so every connection's messages are served between
 * rounds however hard a port floods table misses), and timers (echo/inactivity probes, reconnect
 * back-off, flow expiry, port status polling, fail-mode changes). Flow changes made while handling
 * one loop iteration's messages are published with one dp_commit() per bridge at the end of the
 * iteration (or earlier, before a BARRIER_REPLY or a PACKET_OUT).
 *
 * Neighbours: bridge.c (rule sets, ports, datapath translation), connmgr.c
 * (connections), pinsched.c (packet-in queues), handlers.c (OpenFlow message handlers); datapath.h
 * only below. */
#ifndef PFS_OFPROTO_H
#define PFS_OFPROTO_H

#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

struct config;
struct bridge;
struct dp_bridge;

struct ofproto;

/* Callback slot for one file descriptor in the loop. */
struct ofproto_fd {
	int fd;
	uint32_t events; /* EPOLL* currently registered */
	void (*cb)(struct ofproto_fd *pfd, uint32_t events);
};

/* Creates the agent: for each [bridge] a datapath bridge with its ports and its
 * connection manager (listeners bound, active controllers scheduled). The datapath
 * must be initialised (dp_init) already. rundir is created if missing. 0, or a
 * negative errno with errbuf saying what failed (-EEXIST, -ENODEV for a port, -EADDRINUSE
 * for a socket, -ENOMEM, ...). On failure nothing is left behind. */
int ofproto_create(const struct config *cfg, struct ofproto **out, char *errbuf, size_t errlen);
/* The same for a process taking over from a running one (pfswitchd --takeover,
 * handover.h): every bridge's tables come from handover (a whole state in
 * lib/state_fmt.h's format; [switch] state_file is not read) before its ports open (only
 * those two processes can hold at once: handover_port_shared()), and
 * any entry refused fails the creation (-EINVAL for a damaged state, the refusal's errno)
 * with errbuf naming it. */
int ofproto_create_handover(const struct config *cfg, const void *handover, size_t handover_len,
			    struct ofproto **out, char *errbuf, size_t errlen);
/* After a handover (the old process closed them): opens the configured ports
 * ofproto_create_handover() left out, those only one process can hold
 * (handover_port_shared()), then applies what of the handed-over state needs every port
 * and the connections (state_apply_bridge_finish()). A port that fails is logged and
 * left out; returns how many failed. */
unsigned ofproto_add_exclusive_ports(struct ofproto *ofp, const struct config *cfg,
				     const void *handover, size_t handover_len);
/* After a handover, once the old process is gone: sets the links of the ports both
 * processes held up again (its closing a net_tap took the interface down). */
void ofproto_relink_shared_ports(struct ofproto *ofp);
/* Closes every connection and socket and destroys the bridges (call after dp_stop()
 * when the workers were started). NULL-safe. */
void ofproto_destroy(struct ofproto *ofp);
/* Runs the loop until *stop becomes non-zero (a signal handler sets it). 0 or a negative
 * errno if epoll fails. */
int ofproto_run(struct ofproto *ofp, volatile sig_atomic_t *stop);
/* One loop iteration waiting at most max_wait_ms for events (for tests). */
void ofproto_run_once(struct ofproto *ofp, int max_wait_ms);

/* ---- Services for the ofproto modules ------------------------------------------------ */

/* Registers / changes / removes fd with events (EPOLLIN, EPOLLOUT). 0 or -errno. */
int ofproto_fd_add(struct ofproto *ofp, struct ofproto_fd *pfd, int fd, uint32_t events);
int ofproto_fd_mod(struct ofproto *ofp, struct ofproto_fd *pfd, uint32_t events);
void ofproto_fd_del(struct ofproto *ofp, struct ofproto_fd *pfd);
/* Asks the loop not to sleep in its next wait (a connection has buffered messages). */
void ofproto_wake(struct ofproto *ofp);
/* Publishes every bridge's staged flow changes now (dp_commit). */
void ofproto_commit_all(struct ofproto *ofp);
/* Commits, then waits until every worker sees everything committed so far (dp_sync),
 * skipping the wait when nothing was committed since the last one. For BARRIER. 0 or
 * dp_sync()'s -ETIMEDOUT. */
int ofproto_sync(struct ofproto *ofp);
/* Notes that a bridge committed (bridge.c). */
void ofproto_note_commit(struct ofproto *ofp);
/* The TLS context for ssl:/pssl: controllers (made from [switch]'s ssl_ keys), or NULL
 * when no controller uses TLS. */
struct stream_tls_ctx *ofproto_tls_ctx(const struct ofproto *ofp);
/* The bridges, in configuration order (i < ofproto_n_bridges()), and each one's
 * packet-in scheduler, for the metrics endpoint. */
size_t ofproto_n_bridges(const struct ofproto *ofp);
struct bridge *ofproto_bridge(const struct ofproto *ofp, size_t i);
struct pinsched *ofproto_pinsched(const struct ofproto *ofp, size_t i);
/* CLOCK_MONOTONIC in ns / ms. */
uint64_t ofproto_now_ns(void);
uint64_t ofproto_now_ms(void);

#endif /* PFS_OFPROTO_H */
