/* The agent's event loop and the construction of bridges from the configuration (see
 * ofproto.h). */
#include "ofproto.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"
#include "group.h"
#include "handover.h"
#include "config.h"
#include "connmgr.h"
#include "datapath.h"
#include "metrics.h"
#include "meter.h"
#include "ofp_flow.h"
#include "state.h"
#include "state_fmt.h"
#include "stream_tls.h"
#include "pinsched.h"
#include "util.h"
#include "vlog.h"

#define MOD "ofproto"
#define UPCALL_BATCH 32
#define UPCALLS_PER_ITERATION 1024
/* Packet-ins encoded and sent per loop iteration and bridge: between two rounds the
 * loop serves every connection's ECHO, BARRIER and FLOW_MOD, however hard a port
 * floods table misses. Draining the miss rings into the fair queues is cheap (a copy)
 * and bounded by UPCALLS_PER_ITERATION. */
#define PACKET_INS_PER_ITERATION 64

struct ofproto {
	int epfd;
	struct bridge **bridges;
	size_t n_bridges;
	bool wake;		   /* do not sleep in the next wait */
	uint64_t last_upcall_ms;   /* when upcalls last arrived */
	struct dp_upcall *upcalls; /* UPCALL_BATCH buffers */
	struct pinsched **pins;	   /* per bridge (same index): packet-ins waiting */
	bool pins_waiting;	   /* some packet-in waits for a token or for room */
	uint64_t n_upcalls, n_upcalls_unrouted;
	bool unsynced;		     /* a dp_commit happened since the last dp_sync */
	struct ofproto_fd upcall_fd; /* the datapath's upcall eventfd (fd -1: none) */
	struct stream_tls_ctx *tls;  /* for ssl:/pssl: controllers, or NULL */
	struct metrics *metrics;     /* [switch] metrics endpoint, or NULL */
};

size_t
ofproto_n_bridges(const struct ofproto *ofp)
{
	return ofp->n_bridges;
}

struct bridge *
ofproto_bridge(const struct ofproto *ofp, size_t i)
{
	return ofp->bridges[i];
}

struct pinsched *
ofproto_pinsched(const struct ofproto *ofp, size_t i)
{
	return ofp->pins[i];
}

uint64_t
ofproto_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
ofproto_now_ms(void)
{
	return ofproto_now_ns() / 1000000u;
}

struct stream_tls_ctx *
ofproto_tls_ctx(const struct ofproto *ofp)
{
	return ofp->tls;
}

int
ofproto_fd_add(struct ofproto *ofp, struct ofproto_fd *pfd, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = pfd };

	pfd->fd = fd;
	pfd->events = events;
	if (epoll_ctl(ofp->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	return 0;
}

int
ofproto_fd_mod(struct ofproto *ofp, struct ofproto_fd *pfd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = pfd };

	if (epoll_ctl(ofp->epfd, EPOLL_CTL_MOD, pfd->fd, &ev))
		return -errno;
	pfd->events = events;
	return 0;
}

void
ofproto_fd_del(struct ofproto *ofp, struct ofproto_fd *pfd)
{
	epoll_ctl(ofp->epfd, EPOLL_CTL_DEL, pfd->fd, NULL);
	/* An event for pfd may already sit in this iteration's array: neutralise it. */
	pfd->cb = NULL;
}

void
ofproto_wake(struct ofproto *ofp)
{
	ofp->wake = true;
}

void
ofproto_commit_all(struct ofproto *ofp)
{
	for (size_t i = 0; i < ofp->n_bridges; i++)
		bridge_commit(ofp->bridges[i]);
}

void
ofproto_note_commit(struct ofproto *ofp)
{
	ofp->unsynced = true;
}

int
ofproto_sync(struct ofproto *ofp)
{
	ofproto_commit_all(ofp);
	if (!ofp->unsynced)
		return 0;
	ofp->unsynced = false;
	return dp_sync();
}

static int
mkdir_p(const char *path)
{
	char tmp[256];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	/* The rundir itself holds the mgmt sockets: not for everyone to list or enter. */
	if (mkdir(tmp, 0750) && errno != EEXIST)
		return -errno;
	return 0;
}

/* The upcall eventfd: clear it; the loop takes the upcalls after its wait. */
static void
upcall_fd_ready(struct ofproto_fd *pfd, uint32_t events)
{
	uint64_t n;

	(void)events;
	if (read(pfd->fd, &n, sizeof(n)) < 0) {
		/* EAGAIN: cleared already */
	}
}

/* Moves a state file that could not be restored to PATH.bad, so the shutdown's save
 * (of the emptier tables) does not overwrite what an operator may want to look at. */
static void
keep_bad_state(const char *path)
{
	char bad[4200];

	snprintf(bad, sizeof(bad), "%s.bad", path);
	if (rename(path, bad))
		vlog(VLOG_WARN, MOD, "state file %s: cannot keep it as %s: %s", path, bad,
		     strerror(errno));
	else
		vlog(VLOG_WARN, MOD, "state file %s kept as %s", path, bad);
}

/* Restores br's tables from the state file's section (before its ports exist, so the
 * workers forward with them from their first packet). A refused entry leaves the bridge
 * empty: half a table could forward differently from both the saved switch and an empty
 * one. */
static bool
restore_bridge(struct bridge *br, const char *path, const uint8_t *state, size_t len)
{
	unsigned nf = 0, ng = 0, nm = 0;
	uint64_t t0 = ofproto_now_ns();
	char why[512];
	int r = state_apply_bridge(br, state, len, &nf, &ng, &nm, why, sizeof(why));

	if (r) {
		struct ofp_flow_mod fm;
		struct ofp_group_mod gm;
		struct ofp_meter_mod mm;
		struct ofp_err err;

		vlog(VLOG_ERR, MOD, "%s: state file %s: %s: starting with empty tables", br->name,
		     path, why);
		ofp_flow_mod_init(&fm, OFPFC_DELETE);
		fm.table_id = OFPTT_ALL;
		bridge_flow_mod(br, &fm, &err);
		memset(&gm, 0, sizeof(gm));
		gm.command = OFPGC_DELETE;
		gm.group_id = OFPG_ALL;
		group_mod(br, &gm, NULL, 0, &err);
		memset(&mm, 0, sizeof(mm));
		mm.command = OFPMC_DELETE;
		mm.meter_id = OFPM_ALL;
		meter_mod(br, &mm, NULL, 0, &err);
		bridge_commit(br);
		return false;
	}
	vlog(VLOG_INFO, MOD,
	     "%s: restored %u flow(s), %u group(s), %u meter(s) from %s in %" PRIu64 " ms",
	     br->name, nf, ng, nm, path, (ofproto_now_ns() - t0) / 1000000u);
	return true;
}

int
ofproto_create(const struct config *cfg, struct ofproto **out, char *errbuf, size_t errlen)
{
	return ofproto_create_handover(cfg, NULL, 0, out, errbuf, errlen);
}

int
ofproto_create_handover(const struct config *cfg, const void *handover, size_t handover_len,
			struct ofproto **out, char *errbuf, size_t errlen)
{
	struct ofproto *ofp = pfs_calloc(1, sizeof(*ofp));
	uint8_t *state = NULL;
	size_t state_len = 0;
	bool state_refused = false;
	int r;

	if (!ofp) {
		snprintf(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}
	ofp->epfd = epoll_create1(EPOLL_CLOEXEC);
	ofp->upcalls = pfs_calloc(UPCALL_BATCH, sizeof(*ofp->upcalls));
	ofp->bridges = pfs_calloc(cfg->n_bridges ? cfg->n_bridges : 1, sizeof(*ofp->bridges));
	ofp->pins = pfs_calloc(cfg->n_bridges ? cfg->n_bridges : 1, sizeof(*ofp->pins));
	if (ofp->epfd < 0 || !ofp->upcalls || !ofp->bridges || !ofp->pins) {
		r = ofp->epfd < 0 ? -errno : -ENOMEM;
		snprintf(errbuf, errlen, "cannot set up the event loop: %s", strerror(-r));
		goto err;
	}
	ofp->upcall_fd.fd = -1;
	if (dp_upcall_fd() >= 0) {
		r = ofproto_fd_add(ofp, &ofp->upcall_fd, dp_upcall_fd(), EPOLLIN);
		if (r) {
			snprintf(errbuf, errlen, "cannot watch the upcall eventfd: %s",
				 strerror(-r));
			goto err;
		}
		ofp->upcall_fd.cb = upcall_fd_ready;
	}
	connmgr_set_limits(&cfg->conn);
	if (cfg->uses_tls) {
		struct stream_tls_config tc = {
			.private_key = cfg->ssl_private_key,
			.certificate = cfg->ssl_certificate,
			.ca_cert = cfg->ssl_ca_cert,
			.verify_peer = cfg->ssl_verify_peer,
		};
		char why[512];

		r = stream_tls_ctx_create(&tc, &ofp->tls, why, sizeof(why));
		if (r) {
			snprintf(errbuf, errlen, "TLS: %s", why);
			goto err;
		}
		if (!cfg->ssl_verify_peer)
			vlog(VLOG_WARN, MOD,
			     "ssl_verify_peer = false: TLS peers are not authenticated");
	}
	group_set_budget(cfg->group_bucket_budget);
	r = mkdir_p(cfg->rundir);
	if (r) {
		snprintf(errbuf, errlen, "rundir %s: %s", cfg->rundir, strerror(-r));
		goto err;
	}
	if (handover) {
		struct state_reader rd;
		char why[512];

		r = state_read_begin(&rd, handover, handover_len, why, sizeof(why));
		if (r) {
			snprintf(errbuf, errlen, "the handed-over state: %s", why);
			goto err;
		}
	} else if (cfg->state_file) {
		char why[512];

		r = state_load_file(cfg->state_file, &state, &state_len, why, sizeof(why));
		if (r == -ENOENT)
			vlog(VLOG_INFO, MOD, "state file %s does not exist: starting empty",
			     cfg->state_file);
		else if (r)
			vlog(VLOG_ERR, MOD, "%s: starting with empty tables", why);
		if (r && r != -ENOENT)
			keep_bad_state(cfg->state_file);
	}
	for (size_t i = 0; i < cfg->n_bridges; i++) {
		const struct config_bridge *cb = &cfg->bridges[i];
		struct bridge *br;
		struct connmgr *cm;
		bool restored = false;

		ofp->pins[ofp->n_bridges] =
			pinsched_create(cb->packet_in_queue_per_port, cb->packet_in_queue_total);
		r = ofp->pins[ofp->n_bridges] ? bridge_create(ofp, cb, &br) : -ENOMEM;
		if (r) {
			snprintf(errbuf, errlen, "bridge %s: %s", cb->name, strerror(-r));
			pinsched_destroy(ofp->pins[ofp->n_bridges]);
			ofp->pins[ofp->n_bridges] = NULL;
			goto err;
		}
		ofp->bridges[ofp->n_bridges++] = br;
		if (handover) {
			unsigned nf = 0, ng = 0, nm = 0;
			char why[512];

			/* Unlike a state file, a refused entry fails the handover: the running
			 * process keeps forwarding with all of it. */
			r = state_apply_bridge(br, handover, handover_len, &nf, &ng, &nm, why,
					       sizeof(why));
			if (r) {
				snprintf(errbuf, errlen, "bridge %s: the handed-over state: %s",
					 cb->name, why);
				goto err;
			}
			vlog(VLOG_INFO, MOD, "%s: %u flow(s), %u group(s), %u meter(s) taken over",
			     cb->name, nf, ng, nm);
		} else if (state) {
			restored = restore_bridge(br, cfg->state_file, state, state_len);
			state_refused |= !restored;
		}
		for (size_t j = 0; j < cfg->n_ports; j++) {
			const struct config_port *cp = &cfg->ports[j];

			if (strcmp(cp->bridge, cb->name))
				continue;
			if (handover && !handover_port_shared(cp->devargs))
				continue; /* ofproto_add_exclusive_ports(), after the old process */
			r = bridge_add_port(br, cp);
			if (r) {
				snprintf(errbuf, errlen, "%s:%d: port %s (%s): %s", cfg->file,
					 cp->line, cp->name, cp->devargs, strerror(-r));
				goto err;
			}
			vlog(VLOG_INFO, MOD, "%s: port %s is OpenFlow port %u (%s)", cb->name,
			     cp->name, cp->ofport, cp->devargs);
		}
		r = bridge_add_local_port(br, cb);
		if (r) {
			snprintf(errbuf, errlen, "%s:%d: bridge %s: local port %s: %s", cfg->file,
				 cb->line, cb->name, cb->local_port_name, strerror(-r));
			goto err;
		}
		if (cb->local_port)
			vlog(VLOG_INFO, MOD,
			     "%s: port %s is OpenFlow port LOCAL (tap interface %s)", cb->name,
			     cb->local_port_name, cb->local_port_name);
		r = connmgr_create(ofp, br, cb, cfg->rundir, &cm, errbuf, errlen);
		if (r)
			goto err;
		if (restored) /* handover: ofproto_add_exclusive_ports() */
			state_apply_bridge_finish(br, state, state_len);
		vlog(VLOG_INFO, MOD, "bridge %s: datapath_id %016llx, %zu port(s), fail_mode %s",
		     cb->name, (unsigned long long)cb->datapath_id, br->n_ports,
		     cb->fail_mode == CONFIG_FAIL_SECURE ? "secure" : "standalone");
	}
	if (cfg->metrics) {
		r = metrics_create(ofp, cfg->metrics, &ofp->metrics, errbuf, errlen);
		if (r)
			goto err;
	}
	if (state_refused)
		keep_bad_state(cfg->state_file);
	free(state);
	*out = ofp;
	return 0;
err:
	free(state);
	ofproto_destroy(ofp);
	return r;
}

unsigned
ofproto_add_exclusive_ports(struct ofproto *ofp, const struct config *cfg, const void *handover,
			    size_t handover_len)
{
	unsigned failed = 0;

	for (size_t i = 0; i < ofp->n_bridges; i++) {
		struct bridge *br = ofp->bridges[i];

		for (size_t j = 0; j < cfg->n_ports; j++) {
			const struct config_port *cp = &cfg->ports[j];
			int r;

			if (strcmp(cp->bridge, br->name) || handover_port_shared(cp->devargs))
				continue;
			r = bridge_add_port(br, cp);
			if (r) {
				vlog(VLOG_ERR, MOD, "%s:%d: port %s (%s): %s", cfg->file, cp->line,
				     cp->name, cp->devargs, strerror(-r));
				failed++;
				continue;
			}
			vlog(VLOG_INFO, MOD, "%s: port %s is OpenFlow port %u (%s)", br->name,
			     cp->name, cp->ofport, cp->devargs);
		}
		/* Saved ports against these, the controllers' generation id. */
		state_apply_bridge_finish(br, handover, handover_len);
	}
	return failed;
}

void
ofproto_relink_shared_ports(struct ofproto *ofp)
{
	for (size_t i = 0; i < ofp->n_bridges; i++) {
		struct bridge *br = ofp->bridges[i];

		for (size_t j = 0; j < br->n_ports; j++)
			if (!br->ports[j].exclusive)
				dp_port_relink(br->ports[j].dp);
	}
}

void
ofproto_destroy(struct ofproto *ofp)
{
	if (!ofp)
		return;
	metrics_destroy(ofp->metrics);
	for (size_t i = 0; i < ofp->n_bridges; i++) {
		struct pinsched_stats st;

		pinsched_get_stats(ofp->pins[i], &st);
		vlog(VLOG_INFO, MOD,
		     "%s: packet-ins: %" PRIu64 " queued, %" PRIu64
		     " handed to connections, %" PRIu64 " dropped (port queue full), %" PRIu64
		     " dropped (total bound)",
		     ofp->bridges[i]->name, st.queued, st.sent, st.drop_port_full,
		     st.drop_total_full);
		pinsched_destroy(ofp->pins[i]);
		bridge_destroy(ofp->bridges[i]);
	}
	if (ofp->epfd >= 0)
		close(ofp->epfd);
	stream_tls_ctx_destroy(ofp->tls);
	free(ofp->pins);
	free(ofp->bridges);
	free(ofp->upcalls);
	free(ofp);
	connmgr_release_reserve();
}

static int
bridge_index(struct ofproto *ofp, const struct dp_bridge *dp)
{
	for (size_t i = 0; i < ofp->n_bridges; i++)
		if (ofp->bridges[i]->dp == dp)
			return (int)i;
	return -1;
}

/* Sends up to PACKET_INS_PER_ITERATION of bridge i's queued packet-ins, round-robin
 * over in_ports. A packet no connection wants (secure mode without a controller) is
 * dropped without counting against the budget; one that connections want but cannot
 * take yet (no token, output queue full) stops the round and waits. */
static void
send_packet_ins(struct ofproto *ofp, size_t i)
{
	struct pinsched *ps = ofp->pins[i];
	unsigned sent = 0, looked = 0;
	const struct dp_upcall *up;

	struct bridge *br = ofp->bridges[i];
	uint64_t now_ms = ofproto_now_ms();

	while (sent < PACKET_INS_PER_ITERATION && looked < UPCALLS_PER_ITERATION &&
	       (up = pinsched_peek(ps, NULL, NULL))) {
		int r;

		if (!bridge_pin_allowed(br, now_ms)) {
			ofp->pins_waiting = true; /* the queues hold them; full ones drop */
			return;
		}
		r = connmgr_send_packet_in(br->cm, up);
		if (r == -EAGAIN) {
			ofp->pins_waiting = true;
			return;
		}
		pinsched_pop(ps);
		if (r > 0)
			bridge_pin_spend(br);
		sent += r > 0;
		looked++;
	}
	if (pinsched_peek(ps, NULL, NULL))
		ofp->wake = true;
}

/* Moves the workers' upcalls into each bridge's fair queues (pinsched.h), then sends a
 * bounded number of packet-ins per bridge. */
static void
handle_upcalls(struct ofproto *ofp, uint64_t now_ms)
{
	unsigned total = 0, n;

	do {
		n = dp_upcall_recv(ofp->upcalls, UPCALL_BATCH);
		for (unsigned i = 0; i < n; i++) {
			const struct dp_upcall *up = &ofp->upcalls[i];
			int b = bridge_index(ofp, up->br);

			if (b < 0) {
				ofp->n_upcalls_unrouted++;
				continue;
			}
			/* The frame's bytes only: the header up to data, then len bytes. A
			 * full queue drops and counts (pinsched_get_stats). */
			pinsched_enqueue(ofp->pins[b], up->in_port, up,
					 offsetof(struct dp_upcall, data) + up->len);
		}
		total += n;
	} while (n == UPCALL_BATCH && total < UPCALLS_PER_ITERATION);
	if (total) {
		ofp->n_upcalls += total;
		ofp->last_upcall_ms = now_ms;
	}
	if (n == UPCALL_BATCH)
		ofp->wake = true; /* more in the rings */
	ofp->pins_waiting = false;
	for (size_t i = 0; i < ofp->n_bridges; i++)
		send_packet_ins(ofp, i);
}

void
ofproto_run_once(struct ofproto *ofp, int max_wait_ms)
{
	struct epoll_event evs[64];
	uint64_t now = ofproto_now_ms();
	int timeout, n;

	/* Upcalls wake the loop through the datapath's eventfd, armed here; without one
	 * (a test double) the miss rings are polled every millisecond while packets come,
	 * every 10 ms otherwise. */
	if (ofp->upcall_fd.fd >= 0)
		timeout = max_wait_ms;
	else
		timeout = now - ofp->last_upcall_ms < 1000 ? 1 : 10;
	if (ofp->pins_waiting)
		timeout = 1; /* token bucket refill, or the output queue drained */
	if (timeout > max_wait_ms)
		timeout = max_wait_ms;
	if (ofp->wake || dp_upcall_wait_begin())
		timeout = 0;
	ofp->wake = false;
	n = epoll_wait(ofp->epfd, evs, (int)ARRAY_SIZE(evs), timeout);
	for (int i = 0; i < n; i++) {
		struct ofproto_fd *pfd = evs[i].data.ptr;

		if (pfd->cb)
			pfd->cb(pfd, evs[i].events);
	}
	now = ofproto_now_ms();
	handle_upcalls(ofp, now);
	dp_power_run();
	metrics_run(ofp->metrics, now);
	for (size_t i = 0; i < ofp->n_bridges; i++) {
		struct bridge *br = ofp->bridges[i];

		connmgr_run(br->cm, now);
		bridge_run(br, now);
		bridge_commit(br);
	}
}

int
ofproto_run(struct ofproto *ofp, volatile sig_atomic_t *stop)
{
	while (!*stop)
		ofproto_run_once(ofp, 10);
	return 0;
}
