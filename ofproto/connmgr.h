/* The OpenFlow connections of one bridge: configured controllers (active tcp:/ssl:/unix:
 * with reconnect back-off, passive ptcp:/pssl:/punix: listeners; TLS with
 * ofproto_tls_ctx()), the bridge's management
 * socket punix:RUNDIR/BRIDGE.mgmt (mode 0600; its connections are "service"
 * connections that do not count as a controller for the fail mode) and its snoop socket
 * RUNDIR/BRIDGE.snoop (every message to and from a controller is copied to its
 * clients). Per connection: HELLO negotiation (OpenFlow 1.3 only; HELLO_FAILED
 * otherwise), ECHO and the inactivity probe, role and generation id, asynchronous
 * message configuration, miss_send_len, packet-in rate limit, multipart reassembly.
 *
 * Uses stream.h for sockets and framing, ofproto.h for the loop, handlers.h for every
 * message after HELLO. */
#ifndef PFS_CONNMGR_H
#define PFS_CONNMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ofp_multipart.h"
#include "ofp_switch.h"
#include "ofproto.h"
#include "stream.h"

struct bridge;
struct connmgr;
struct controller;
struct dp_upcall;
struct ofp_flow_removed;
struct ofp_port_status;

enum ofconn_type {
	OFCONN_CONTROLLER, /* from the bridge's controller list (active or passive) */
	OFCONN_SERVICE,	   /* the mgmt socket (pfs-ofctl, ovs-ofctl) */
	OFCONN_SNOOP,	   /* the snoop socket */
};

enum ofconn_state {
	OFCONN_HELLO,	/* our HELLO sent, waiting for the peer's */
	OFCONN_ACTIVE,	/* negotiated OpenFlow 1.3 */
	OFCONN_CLOSING, /* flushing a last message (HELLO_FAILED) before closing */
};

struct ofconn_dump_ops;
struct listener;

struct ofconn {
	struct connmgr *cm;
	struct ofconn *next;
	struct ofproto_fd pfd;
	struct stream s;
	char name[128];
	enum ofconn_type type;
	enum ofconn_state state;
	struct controller *ctl; /* active controller that owns it, or NULL */
	bool dead;		/* to be closed at the end of this event */
	uint32_t role;		/* OFPCR_ROLE_EQUAL/MASTER/SLAVE */
	struct ofp_async_config async;
	uint16_t miss_send_len;
	uint64_t connected_ms;
	uint64_t last_rx_ms;
	uint64_t echo_sent_ms; /* 0 if no probe outstanding */
	uint64_t close_deadline_ms;
	/* packet-in token bucket */
	uint64_t tb_tokens_milli; /* tokens * 1000 */
	uint64_t tb_last_ms;
	uint64_t n_pin_sent, n_pin_dropped, n_async_dropped;
	uint64_t n_pin_queue_dropped; /* packet-ins among n_async_dropped */
	struct ofp_multipart_assembler as;
	uint64_t mp_since_ms; /* partial multipart requests pending since (0: none) */
	uint64_t n_mp_timeouts;
	/* limits */
	struct listener *lst; /* accepted on, or NULL */
	bool counted;	      /* counts against max_connections */
	bool engaged; /* sent a request beyond HELLO/ECHO/ERROR (see connmgr_has_controller) */
	uint64_t tx_progress_ms; /* last time the peer read something (or nothing pended) */
	uint64_t tx_seen_bytes;
	uint64_t n_input_paused;
	/* a large reply produced as the connection drains (ofconn_start_dump) */
	const struct ofconn_dump_ops *dump_ops;
	void *dump_state;
};

/* A reply too large to build at once (a flow dump): fill() appends whole messages of
 * about budget bytes to b each time the connection's queue has room, and returns 0 if
 * more is to come, 1 after the last message, or a negative errno (the connection is
 * then closed). free() releases state (after the last fill or when the connection
 * closes). While a dump runs the connection's requests are not read, so replies
 * stay in order. */
struct ofconn_dump_ops {
	int (*fill)(struct ofconn *c, void *state, struct buf *b, size_t budget);
	void (*free)(void *state);
};

/* Starts a dump on c; its first chunk is produced from the loop. 0, or -EBUSY if one is
 * running already or c is closing (state freed). */
int ofconn_start_dump(struct ofconn *c, const struct ofconn_dump_ops *ops, void *state);

/* Process-wide connection limits from the [switch] section (NULL keeps the current
 * ones) and the descriptor reserve (opened here, refilled from connmgr_run). Call
 * before the first connmgr_create(). */
void connmgr_set_limits(const struct config_conn_limits *l);
/* Closes the descriptor reserve (at exit). */
void connmgr_release_reserve(void);

/* Creates the bridge's connection manager: binds the mgmt and snoop sockets under
 * rundir and every passive controller, schedules the active ones (first attempt at
 * once). 0 or -errno with errbuf. */
int connmgr_create(struct ofproto *ofp, struct bridge *br, const struct config_bridge *cfg,
		   const char *rundir, struct connmgr **out, char *errbuf, size_t errlen);
/* Closes everything and removes the socket files. NULL-safe. */
void connmgr_destroy(struct connmgr *cm);
/* Timers: reconnects, probes, closing connections. */
void connmgr_run(struct connmgr *cm, uint64_t now_ms);
/* True while some configured controller has an OpenFlow 1.3 session in which it sent a
 * request other than HELLO, ECHO or ERROR (FEATURES_REQUEST, SET_CONFIG, FLOW_MOD...:
 * what a controller does first). A peer that merely completes HELLO, such as a port
 * scanner, is not a controller yet; mgmt connections never are. */
bool connmgr_has_controller(const struct connmgr *cm);
/* Connections in OFCONN_ACTIVE state (all types but snoop). */
unsigned connmgr_n_active(const struct connmgr *cm);

/* Packet-in and async counters of the bridge's connections, those closed so far
 * included (so the sums never go down). */
struct connmgr_stats {
	uint64_t pin_sent;	    /* packet-ins queued to a connection */
	uint64_t pin_rate_dropped;  /* refused by a connection's packet-in rate limit */
	uint64_t pin_queue_dropped; /* refused: the connection's output queue was full */
	uint64_t async_dropped;	    /* async messages of any kind dropped (queue full) */
	uint64_t n_connected;	    /* connections accepted or established */
};
void connmgr_get_stats(const struct connmgr *cm, struct connmgr_stats *st);
/* The bridge's connections (listeners excluded), for reading: follow ->next. */
const struct ofconn *connmgr_conns(const struct connmgr *cm);

/* Asynchronous messages, filtered per connection by role and async config. */
/* Sends up as a PACKET_IN to every connection that wants it and can take it now (a
 * packet-in token, output queue under its packet-in bound); a token is spent only on a
 * packet-in actually queued. Returns how many connections got it (0: none wants it),
 * or -EAGAIN, spending and counting nothing, when some want it but none can take it
 * yet (retry later). Connections that want it but cannot take it while another does
 * count a rate-limit or queue drop. */
int connmgr_send_packet_in(struct connmgr *cm, const struct dp_upcall *up);
void connmgr_send_flow_removed(struct connmgr *cm, const struct ofp_flow_removed *fr);
void connmgr_send_port_status(struct connmgr *cm, const struct ofp_port_status *ps);

/* Role handling for ROLE_REQUEST: applies role (MASTER demotes other masters to SLAVE)
 * with the generation id check. 0 or -EPROTO (ROLE_REQUEST_FAILED/STALE). */
int connmgr_set_role(struct ofconn *c, uint32_t role, uint64_t generation_id, struct ofp_err *err);
/* The generation id last accepted (0 if none yet). */
uint64_t connmgr_generation_id(const struct connmgr *cm);
/* True once a ROLE_REQUEST (or a restored state) defined the generation id. */
bool connmgr_generation_defined(const struct connmgr *cm);
/* Defines the generation id from a restored state (state.h), so a stale master's
 * ROLE_REQUEST is still refused after a restart. */
void connmgr_restore_generation_id(struct connmgr *cm, uint64_t generation_id);
/* The bridge this connection belongs to. */
struct bridge *ofconn_bridge(const struct ofconn *c);

/* Queues whole messages on c (and mirrors them to snoop clients if c is a controller
 * connection). A reply that does not fit the output queue kills the connection. */
void ofconn_send(struct ofconn *c, const void *data, size_t len);
void ofconn_send_buf(struct ofconn *c, const struct buf *b);
/* Sends the OFPT_ERROR for err answering the message msg (len bytes). */
void ofconn_send_error(struct ofconn *c, const struct ofp_err *err, const void *msg, size_t len);
/* Default async configuration of OpenFlow 1.3 (master/equal: packet-in NO_MATCH and
 * ACTION, every port status and flow removed reason; slave: port status only). */
void ofconn_async_default(struct ofp_async_config *a);

#endif /* PFS_CONNMGR_H */
