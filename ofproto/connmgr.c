/* OpenFlow connections of one bridge (see connmgr.h). */
#include "connmgr.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "bridge.h"
#include "bundle.h"
#include "datapath.h"
#include "handlers.h"
#include "ofp_error.h"
#include "ofp_flow.h"
#include "ofp_msg.h"
#include "ofp_packet.h"
#include "ofp_port.h"
#include "stream_tls.h"
#include "util.h"
#include "vlog.h"

#define MOD "connmgr"

/* Packet-ins are queued to a connection only while its output holds less than this:
 * beyond, they wait in the bridge's fair queues (pinsched.h), so an ECHO or BARRIER
 * reply never sits behind megabytes of them. */
#define OFCONN_PIN_MAX_PENDING (64u << 10)
#define MSGS_PER_WAKEUP 64
#define CONNECT_TIMEOUT_MS 10000
#define CLOSE_LINGER_MS 1000
/* A listener that hit EMFILE/ENFILE leaves the loop this long. */
#define LISTENER_PAUSE_MS 1000
/* Descriptors held open (on /dev/null) from the start and given up, one at a time, to
 * accept on a mgmt socket or to reconnect a controller when the process has none
 * left; refilled at most once a second. */
#define FD_RESERVE 4
#define FD_REFILL_MS 1000
/* Bytes of a large reply (flow dump) encoded per step. */
#define DUMP_CHUNK (128u << 10)

static struct vlog_rl rl_conn = VLOG_RL_INIT(20);
/* Connection floods have their own budget, so that they cannot hide other events. */
static struct vlog_rl rl_flood = VLOG_RL_INIT(10);
/* Connect/disconnect lines: a flood of connections must not flood the log. */
static struct vlog_rl rl_life = VLOG_RL_INIT(50);

/* Process-wide: the limits ([switch] keys), the accepted connections counted against
 * max_connections, and the descriptor reserve. The agent is single-threaded. */
static struct config_conn_limits limits = {
	CONFIG_CONN_QUEUE_PAUSE_DEFAULT,    CONFIG_CONN_QUEUE_MAX_DEFAULT,
	CONFIG_CONN_ASYNC_MAX_DEFAULT,	    CONFIG_CONN_STALL_TIMEOUT_DEFAULT,
	CONFIG_MAX_CONNECTIONS_DEFAULT,	    CONFIG_MAX_PER_LISTENER_DEFAULT,
	CONFIG_MP_TIMEOUT_DEFAULT,	    CONFIG_MP_MAX_DEFAULT,
	CONFIG_BUNDLE_IDLE_TIMEOUT_DEFAULT, CONFIG_BUNDLE_MAX_OPEN_DEFAULT,
	CONFIG_BUNDLE_MAX_MSGS_DEFAULT,	    CONFIG_BUNDLE_MAX_BYTES_DEFAULT,
};
static unsigned n_accepted;
static int reserve_fds[FD_RESERVE];
static unsigned n_reserve;
static uint64_t reserve_next_try_ms;
static uint64_t n_emfile;

struct listener {
	struct connmgr *cm;
	struct ofproto_fd pfd;
	unsigned n_conns;   /* connections accepted here and still open */
	bool paused;	    /* out of the loop after EMFILE/ENFILE */
	uint64_t resume_ms; /* when paused */
	uint64_t n_refused; /* connections closed at once for a limit */
	enum ofconn_type type;
	struct controller *ctl; /* passive controller, or NULL for mgmt/snoop */
	char path[108];		/* unix socket file to remove, or "" */
	char name[128];
	struct stream_tls_ctx *tls; /* pssl: */
};

enum ctl_state {
	CTL_IDLE,	/* waiting for next_try_ms */
	CTL_CONNECTING, /* non-blocking connect in progress */
	CTL_CONNECTED,	/* conn is set */
};

struct controller {
	struct connmgr *cm;
	char target[128];
	struct stream_addr addr;
	bool passive;
	struct listener *lst; /* passive */
	/* active */
	enum ctl_state state;
	struct ofproto_fd pfd; /* connecting socket */
	uint64_t connect_start_ms;
	uint64_t next_try_ms;
	unsigned backoff_s;
	struct ofconn *conn;
	bool logged_failure;
};

struct connmgr {
	struct ofproto *ofp;
	struct bridge *br;
	struct controller *ctls;
	size_t n_ctls;
	struct listener *mgmt, *snoop;
	struct ofconn *conns;
	unsigned probe_s, max_backoff_s;
	unsigned pin_rate, pin_burst;
	bool gen_defined;
	uint64_t generation_id;
	struct connmgr_stats closed; /* counters of the connections closed so far */
};

static void ofconn_destroy(struct ofconn *c);

struct bridge *
ofconn_bridge(const struct ofconn *c)
{
	return c->cm->br;
}

void
ofconn_async_default(struct ofp_async_config *a)
{
	memset(a, 0, sizeof(*a));
	a->packet_in_mask[0] = (1u << OFPR_NO_MATCH) | (1u << OFPR_ACTION);
	a->packet_in_mask[1] = 0;
	a->port_status_mask[0] = a->port_status_mask[1] =
		(1u << OFPPR_ADD) | (1u << OFPPR_DELETE) | (1u << OFPPR_MODIFY);
	a->flow_removed_mask[0] = (1u << OFPRR_IDLE_TIMEOUT) | (1u << OFPRR_HARD_TIMEOUT) |
				  (1u << OFPRR_DELETE) | (1u << OFPRR_GROUP_DELETE);
	a->flow_removed_mask[1] = 0;
}

/* ---- Sending ----------------------------------------------------------------------- */

const struct config_conn_limits *
connmgr_limits(void)
{
	return &limits;
}

void
connmgr_set_limits(const struct config_conn_limits *l)
{
	if (l)
		limits = *l;
	while (n_reserve < FD_RESERVE) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			break;
		reserve_fds[n_reserve++] = fd;
	}
}

void
connmgr_release_reserve(void)
{
	while (n_reserve)
		close(reserve_fds[--n_reserve]);
}

/* Gives one reserved descriptor back to the process so that the caller's next
 * accept()/socket() can succeed. False if the reserve is empty. */
static bool
reserve_release_one(void)
{
	if (!n_reserve)
		return false;
	close(reserve_fds[--n_reserve]);
	return true;
}

static void
reserve_refill(uint64_t now)
{
	if (n_reserve == FD_RESERVE || now < reserve_next_try_ms)
		return;
	reserve_next_try_ms = now + FD_REFILL_MS;
	connmgr_set_limits(NULL);
}

/* While a large reply is being produced, or more than conn_queue_pause bytes wait to be
 * sent, the connection's requests are left unread: a peer that does not read its
 * replies cannot make the switch queue more of them. */
static bool
input_paused(const struct ofconn *c)
{
	return c->dump_ops || stream_tx_pending(&c->s) > limits.queue_pause;
}

static void
update_events(struct ofconn *c)
{
	uint32_t want = (input_paused(c) && c->state != OFCONN_HELLO ? 0 : EPOLLIN) |
			(stream_want_write(&c->s) ? EPOLLOUT : 0);

	if (!c->dead && want != c->pfd.events)
		ofproto_fd_mod(c->cm->ofp, &c->pfd, want);
}

static void
raw_send(struct ofconn *c, const void *data, size_t len)
{
	int r;

	if (c->dead)
		return;
	r = stream_send(&c->s, data, len);
	if (r == -ENOBUFS || r == -ENOMEM) {
		/* Nothing of this message was queued; what was queued before is intact but
		 * the peer would miss a reply: close cleanly. */
		vlog_rl(&rl_conn, VLOG_WARN, MOD, "%s: %s (%zu bytes queued), disconnecting",
			c->name, r == -ENOBUFS ? "output queue full" : "out of memory",
			stream_tx_pending(&c->s));
		c->dead = true;
		return;
	}
	if (r && r != -EAGAIN) {
		vlog_rl(&rl_conn, VLOG_INFO, MOD, "%s: send failed: %s", c->name,
			stream_strerror(&c->s, r));
		c->dead = true;
		return;
	}
	update_events(c);
}

static void
snoop_mirror(struct connmgr *cm, const void *data, size_t len)
{
	for (struct ofconn *s = cm->conns; s; s = s->next)
		if (s->type == OFCONN_SNOOP && s->state == OFCONN_ACTIVE && !s->dead)
			raw_send(s, data, len);
}

void
ofconn_send(struct ofconn *c, const void *data, size_t len)
{
	if (c->dead || !len)
		return;
	if (c->type == OFCONN_CONTROLLER)
		snoop_mirror(c->cm, data, len);
	raw_send(c, data, len);
}

void
ofconn_send_buf(struct ofconn *c, const struct buf *b)
{
	ofconn_send(c, b->data, b->size);
}

void
ofconn_send_error(struct ofconn *c, const struct ofp_err *err, const void *msg, size_t len)
{
	struct buf b = BUF_INITIALIZER;

	if (!ofp_error_reply(err, msg, len, &b) && !buf_error(&b))
		ofconn_send_buf(c, &b);
	buf_uninit(&b);
}

/* ---- Connections -------------------------------------------------------------------- */

static void conn_cb(struct ofproto_fd *pfd, uint32_t events);

/* tls: the session to start on fd (as the server for accepted connections), or NULL. */
static struct ofconn *
ofconn_create(struct connmgr *cm, int fd, enum ofconn_type type, const char *name,
	      struct stream_tls_ctx *tls, bool server)
{
	struct ofconn *c = pfs_calloc(1, sizeof(*c));
	struct buf b = BUF_INITIALIZER;
	uint64_t now = ofproto_now_ms();

	if (!c) {
		close(fd);
		return NULL;
	}
	if (stream_init(&c->s, fd)) {
		close(fd);
		free(c);
		return NULL;
	}
	if (tls && stream_tls_start(&c->s, tls, server)) {
		stream_close(&c->s);
		free(c);
		return NULL;
	}
	c->s.tx_max = limits.queue_max;
	c->cm = cm;
	cm->closed.n_connected++;
	c->type = type;
	c->state = OFCONN_HELLO;
	c->role = OFPCR_ROLE_EQUAL;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->miss_send_len = OFP_DEFAULT_MISS_SEND_LEN;
	ofconn_async_default(&c->async);
	c->connected_ms = c->last_rx_ms = c->tx_progress_ms = now;
	c->tb_last_ms = now;
	c->tb_tokens_milli = (uint64_t)cm->pin_burst * 1000;
	/* multipart_request_max bounds all partial requests of the connection together:
	 * up to 1 MiB per xid, as many xids as fit. */
	{
		size_t per_xid = PFS_MIN(limits.mp_max, 1u << 20);

		ofp_mp_assembler_init(&c->as, per_xid, PFS_MAX(limits.mp_max / per_xid, 1u));
	}
	c->pfd.cb = conn_cb;
	if (ofproto_fd_add(cm->ofp, &c->pfd, fd, EPOLLIN)) {
		ofp_mp_assembler_uninit(&c->as);
		stream_close(&c->s);
		free(c);
		return NULL;
	}
	c->next = cm->conns;
	cm->conns = c;
	if (!ofp_hello_encode_default(0, &b) && !buf_error(&b)) {
		if (type == OFCONN_CONTROLLER)
			snoop_mirror(cm, b.data, b.size);
		raw_send(c, b.data, b.size);
	}
	buf_uninit(&b);
	vlog_rl(&rl_life, VLOG_INFO, MOD, "%s: connected", c->name);
	return c;
}

static void
schedule_reconnect(struct controller *ctl, bool good_session)
{
	uint64_t now = ofproto_now_ms();

	if (good_session)
		ctl->backoff_s = 1;
	ctl->state = CTL_IDLE;
	ctl->next_try_ms = now + (uint64_t)ctl->backoff_s * 1000;
	ctl->backoff_s = PFS_MIN(ctl->backoff_s * 2, ctl->cm->max_backoff_s);
}

static void
ofconn_destroy(struct ofconn *c)
{
	struct connmgr *cm = c->cm;
	struct ofconn **pp;

	for (pp = &cm->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (c->ctl) {
		c->ctl->conn = NULL;
		schedule_reconnect(c->ctl, c->state == OFCONN_ACTIVE);
	}
	if (c->lst)
		c->lst->n_conns--;
	if (c->counted)
		n_accepted--;
	if (c->dump_ops)
		c->dump_ops->free(c->dump_state);
	c->dump_ops = NULL;
	bundle_discard_all(c);
	cm->closed.pin_sent += c->n_pin_sent;
	cm->closed.pin_rate_dropped += c->n_pin_dropped;
	cm->closed.pin_queue_dropped += c->n_pin_queue_dropped;
	cm->closed.async_dropped += c->n_async_dropped;
	vlog_rl(&rl_life, VLOG_INFO, MOD,
		"%s: disconnected (%" PRIu64 " messages in, %" PRIu64 " out, %" PRIu64
		" packet-ins dropped by rate limit, %" PRIu64 " async messages dropped, %" PRIu64
		" input pauses, %" PRIu64 " multipart timeouts)",
		c->name, c->s.n_rx, c->s.n_tx, c->n_pin_dropped, c->n_async_dropped,
		c->n_input_paused, c->n_mp_timeouts);
	ofproto_fd_del(cm->ofp, &c->pfd);
	ofp_mp_assembler_uninit(&c->as);
	stream_close(&c->s);
	free(c);
}

static void
hello_received(struct ofconn *c, const uint8_t *msg, size_t len)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_hello hello;
	struct ofp_header_info h;
	struct ofp_err err = { OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE };
	uint8_t version = 0;
	int ok = -EPROTO;

	ofp_header_peek(msg, len, &h);
	if (h.type == OFPT_HELLO && !ofp_hello_decode(msg, len, &a, &hello, NULL))
		ok = ofp_hello_negotiate(&hello, h.version, &version);
	arena_free(&a);
	if (!ok) {
		c->state = OFCONN_ACTIVE;
		if (c->ctl)
			c->ctl->logged_failure = false;
		vlog_rl(&rl_life, VLOG_INFO, MOD, "%s: negotiated OpenFlow 1.3%s%s", c->name,
			c->s.tls ? " over TLS with " : "", stream_tls_peer_subject(&c->s));
		return;
	}
	vlog_rl(&rl_conn, VLOG_WARN, MOD,
		"%s: %s (version 0x%02x) does not negotiate OpenFlow 1.3: HELLO_FAILED", c->name,
		h.type == OFPT_HELLO ? "peer's HELLO" : "first message is not HELLO; peer",
		h.version);
	ofconn_send_error(c, &err, msg, len);
	c->state = OFCONN_CLOSING;
	c->close_deadline_ms = ofproto_now_ms() + CLOSE_LINGER_MS;
}

static void
snoop_input(struct ofconn *c, const uint8_t *msg, size_t len)
{
	struct ofp_header_info h;

	/* Snoop clients only listen; answer their echo requests. */
	if (ofp_header_peek(msg, len, &h) && h.type == OFPT_ECHO_REQUEST) {
		uint8_t *copy = malloc(len);

		if (!copy)
			return;
		memcpy(copy, msg, len);
		copy[1] = OFPT_ECHO_REPLY;
		raw_send(c, copy, len);
		free(copy);
	}
}

/* A controller connection takes a standalone bridge out of MAC learning only once it
 * sends something a controller sends (FEATURES_REQUEST, SET_CONFIG, FLOW_MOD...), not
 * on completing HELLO: anyone who can reach a listener can do that, and a switch that
 * stops forwarding for every port scan is easy to take down. */
static void
note_engaged(struct ofconn *c, uint8_t type)
{
	if (c->engaged || c->type != OFCONN_CONTROLLER || type == OFPT_HELLO ||
	    type == OFPT_ECHO_REQUEST || type == OFPT_ECHO_REPLY || type == OFPT_ERROR)
		return;
	c->engaged = true;
	vlog(VLOG_INFO, MOD, "%s: controller sent its first request: it now runs the bridge",
	     c->name);
}

static void
conn_input(struct ofconn *c)
{
	for (int i = 0; i < MSGS_PER_WAKEUP && !c->dead; i++) {
		const uint8_t *msg;
		size_t len;
		int r;

		if (c->state == OFCONN_ACTIVE && input_paused(c)) {
			c->n_input_paused++;
			break; /* resumed once the queue drains (update_events) */
		}
		r = stream_recv(&c->s, &msg, &len);
		if (r == -EAGAIN)
			break;
		if (r) {
			if (r != -ECONNRESET)
				vlog_rl(&rl_conn, VLOG_WARN, MOD, "%s: %s%s", c->name,
					r == -EPROTO && c->s.tls ? "" : "receive failed: ",
					stream_strerror(&c->s, r));
			c->dead = true;
			return;
		}
		c->last_rx_ms = ofproto_now_ms();
		c->echo_sent_ms = 0;
		if (c->type == OFCONN_CONTROLLER)
			snoop_mirror(c->cm, msg, len);
		if (c->as.n_pending == 0)
			c->mp_since_ms = 0;
		switch (c->state) {
		case OFCONN_HELLO:
			hello_received(c, msg, len);
			break;
		case OFCONN_ACTIVE:
			if (c->type == OFCONN_SNOOP) {
				snoop_input(c, msg, len);
				break;
			}
			note_engaged(c, msg[1]);
			handlers_dispatch(c, msg, len);
			break;
		case OFCONN_CLOSING:
			break;
		}
	}
	if (c->as.n_pending && !c->mp_since_ms)
		c->mp_since_ms = ofproto_now_ms();
	if (stream_has_message(&c->s) && !input_paused(c))
		ofproto_wake(c->cm->ofp);
}

/* ---- Large replies produced as the connection drains --------------------------- */

int
ofconn_start_dump(struct ofconn *c, const struct ofconn_dump_ops *ops, void *state)
{
	if (c->dump_ops || c->dead) {
		ops->free(state);
		return -EBUSY;
	}
	c->dump_ops = ops;
	c->dump_state = state;
	ofproto_wake(c->cm->ofp);
	return 0;
}

/* Encodes the next chunk of c's dump if its queue has room, ends the dump after its
 * last message. One chunk per call: the loop serves everything else in between. */
static void
dump_step(struct ofconn *c)
{
	struct buf b = BUF_INITIALIZER;
	int r;

	if (!c->dump_ops || c->dead || stream_tx_pending(&c->s) > limits.queue_pause)
		return;
	r = c->dump_ops->fill(c, c->dump_state, &b, DUMP_CHUNK);
	if (r >= 0 && buf_error(&b))
		r = buf_error(&b);
	if (r >= 0)
		ofconn_send_buf(c, &b);
	buf_uninit(&b);
	if (r < 0) {
		vlog_rl(&rl_conn, VLOG_WARN, MOD, "%s: cannot encode a reply: %s, disconnecting",
			c->name, strerror(-r));
		c->dead = true;
	}
	if (r != 0) {
		c->dump_ops->free(c->dump_state);
		c->dump_ops = NULL;
		c->dump_state = NULL;
	}
	/* More to encode, or requests left unread while it ran: go round again. */
	if (!c->dead && (c->dump_ops || stream_has_message(&c->s)))
		ofproto_wake(c->cm->ofp);
}

static void
conn_cb(struct ofproto_fd *pfd, uint32_t events)
{
	struct ofconn *c = (struct ofconn *)((char *)pfd - offsetof(struct ofconn, pfd));

	if (events & EPOLLOUT) {
		int r = stream_flush(&c->s);

		if (r && r != -EAGAIN) {
			if (r != -EPIPE && r != -ECONNRESET)
				vlog_rl(&rl_conn, VLOG_WARN, MOD, "%s: send failed: %s", c->name,
					stream_strerror(&c->s, r));
			c->dead = true;
		}
	}
	dump_step(c);
	/* With input paused EPOLLIN is off, but a hang-up is still reported: the peer
	 * is gone, and level-triggered epoll would report it again and again. */
	if (!c->dead && (events & (EPOLLHUP | EPOLLERR)) && input_paused(c))
		c->dead = true;
	/* A TLS read may have waited for the socket to take its own record. */
	if (!c->dead &&
	    (events & (EPOLLIN | EPOLLHUP | EPOLLERR) || (c->s.tls && (events & EPOLLOUT))))
		conn_input(c);
	if (c->dead)
		ofconn_destroy(c);
	else
		update_events(c);
}

/* ---- Listeners ---------------------------------------------------------------------- */

static void
listener_pause(struct listener *l, uint64_t now)
{
	if (l->paused)
		return;
	ofproto_fd_del(l->cm->ofp, &l->pfd);
	l->paused = true;
	l->resume_ms = now + LISTENER_PAUSE_MS;
}

static void listener_cb(struct ofproto_fd *pfd, uint32_t events);

static void
listener_resume(struct listener *l, uint64_t now)
{
	if (!l || !l->paused || now < l->resume_ms)
		return;
	l->pfd.cb = listener_cb;
	if (ofproto_fd_add(l->cm->ofp, &l->pfd, l->pfd.fd, EPOLLIN)) {
		l->resume_ms = now + LISTENER_PAUSE_MS;
		return;
	}
	l->paused = false;
}

/* True if a connection accepted on l would exceed a connection limit. The mgmt socket
 * (mode 0600: the operator) is exempt from the process-wide one. */
static bool
listener_full(const struct listener *l)
{
	if (l->n_conns >= limits.max_per_listener)
		return true;
	return l->type != OFCONN_SERVICE && n_accepted >= limits.max_conns;
}

static void
listener_cb(struct ofproto_fd *pfd, uint32_t events)
{
	struct listener *l = (struct listener *)((char *)pfd - offsetof(struct listener, pfd));
	struct connmgr *cm = l->cm;
	static unsigned long seq;

	(void)events;
	for (int i = 0; i < 16; i++) {
		char name[160];
		struct ofconn *c;
		int fd = stream_accept(pfd->fd);

		if ((fd == -EMFILE || fd == -ENFILE) && l->type == OFCONN_SERVICE &&
		    reserve_release_one())
			fd = stream_accept(pfd->fd);
		if (fd == -EAGAIN)
			return;
		if (fd == -EMFILE || fd == -ENFILE) {
			/* The pending connection stays in the backlog and the level-triggered
			 * listener would fire at once again: leave the loop for a while. */
			n_emfile++;
			vlog_rl(&rl_flood, VLOG_WARN, MOD,
				"%s: accept: %s (%u connections open here); not accepting for "
				"%u ms",
				l->name, strerror(-fd), l->n_conns, LISTENER_PAUSE_MS);
			listener_pause(l, ofproto_now_ms());
			return;
		}
		if (fd < 0) {
			vlog_rl(&rl_conn, VLOG_WARN, MOD, "%s: accept: %s", l->name, strerror(-fd));
			return;
		}
		if (listener_full(l)) {
			l->n_refused++;
			vlog_rl(&rl_flood, VLOG_WARN, MOD,
				"%s: connection limit reached (%u here, %u in the process): "
				"closing a new connection",
				l->name, l->n_conns, n_accepted);
			close(fd);
			continue;
		}
		snprintf(name, sizeof(name), "%s#%lu", l->name, ++seq);
		c = ofconn_create(cm, fd, l->type, name, l->tls, true);
		if (!c) {
			vlog_rl(&rl_conn, VLOG_WARN, MOD, "%s: out of memory accepting", l->name);
			continue;
		}
		c->lst = l;
		l->n_conns++;
		if (l->type != OFCONN_SERVICE) {
			c->counted = true;
			n_accepted++;
		}
	}
}

static int
listener_open(struct connmgr *cm, const char *target, enum ofconn_type type, struct controller *ctl,
	      struct listener **out, char *errbuf, size_t errlen)
{
	struct listener *l = pfs_calloc(1, sizeof(*l));
	struct stream_addr a;
	char why[160];
	int fd, r;

	if (!l)
		return -ENOMEM;
	r = stream_addr_parse(target, OFP_TCP_PORT, &a, why, sizeof(why));
	if (r) {
		snprintf(errbuf, errlen, "%s: %s", target, why);
		free(l);
		return r;
	}
	fd = stream_listen(&a);
	if (fd < 0) {
		snprintf(errbuf, errlen, "%s: cannot listen on %s: %s", cm->br->name, target,
			 strerror(-fd));
		free(l);
		return fd;
	}
	if (stream_addr_is_tls(&a))
		l->tls = ofproto_tls_ctx(cm->ofp);
	l->cm = cm;
	l->type = type;
	l->ctl = ctl;
	snprintf(l->name, sizeof(l->name), "%s<-%s", cm->br->name, target);
	if (a.kind == STREAM_PUNIX)
		snprintf(l->path, sizeof(l->path), "%s", a.path);
	if (a.kind == STREAM_PTCP && !stream_addr_is_local(&a))
		vlog(VLOG_WARN, MOD,
		     "%s: %s listens on a non-loopback address without TLS: any host that "
		     "reaches it gets full control of the bridge",
		     cm->br->name, target);
	l->pfd.cb = listener_cb;
	r = ofproto_fd_add(cm->ofp, &l->pfd, fd, EPOLLIN);
	if (r) {
		close(fd);
		free(l);
		snprintf(errbuf, errlen, "%s: epoll: %s", target, strerror(-r));
		return r;
	}
	vlog(VLOG_INFO, MOD, "%s: listening on %s", cm->br->name, target);
	*out = l;
	return 0;
}

static void
listener_close(struct connmgr *cm, struct listener *l)
{
	if (!l)
		return;
	if (!l->paused)
		ofproto_fd_del(cm->ofp, &l->pfd);
	close(l->pfd.fd);
	stream_unlink_listener(l->path);
	free(l);
}

/* ---- Active controllers ------------------------------------------------------------- */

static void connect_cb(struct ofproto_fd *pfd, uint32_t events);

/* stream_connect() waits for the connection with poll(); the loop must not block, so
 * this starts a non-blocking connect and lets epoll report its completion. */
static int
connect_start(const struct stream_addr *a)
{
	int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&a->sa, a->sa_len) && errno != EINPROGRESS &&
	    errno != EAGAIN) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

static void
controller_failed(struct controller *ctl, int err)
{
	if (!ctl->logged_failure)
		vlog(VLOG_WARN, MOD,
		     "%s: connection to %s failed: %s (retrying every %u s at most)",
		     ctl->cm->br->name, ctl->target, strerror(-err), ctl->cm->max_backoff_s);
	ctl->logged_failure = true;
	schedule_reconnect(ctl, false);
}

static void
controller_try(struct controller *ctl)
{
	int fd = connect_start(&ctl->addr);
	int r;

	/* Out of descriptors (a connection flood): the controller comes first. */
	if ((fd == -EMFILE || fd == -ENFILE) && reserve_release_one())
		fd = connect_start(&ctl->addr);
	if (fd < 0) {
		controller_failed(ctl, fd);
		return;
	}
	ctl->pfd.cb = connect_cb;
	r = ofproto_fd_add(ctl->cm->ofp, &ctl->pfd, fd, EPOLLOUT);
	if (r) {
		close(fd);
		controller_failed(ctl, r);
		return;
	}
	ctl->state = CTL_CONNECTING;
	ctl->connect_start_ms = ofproto_now_ms();
}

static void
connect_cb(struct ofproto_fd *pfd, uint32_t events)
{
	struct controller *ctl =
		(struct controller *)((char *)pfd - offsetof(struct controller, pfd));
	socklen_t len = sizeof(int);
	int fd = pfd->fd, soerr = 0;
	char name[200];

	(void)events;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	if (soerr == EINPROGRESS)
		return;
	ofproto_fd_del(ctl->cm->ofp, pfd);
	if (soerr) {
		close(fd);
		controller_failed(ctl, -soerr);
		return;
	}
	snprintf(name, sizeof(name), "%s->%s", ctl->cm->br->name, ctl->target);
	ctl->conn = ofconn_create(
		ctl->cm, fd, OFCONN_CONTROLLER, name,
		stream_addr_is_tls(&ctl->addr) ? ofproto_tls_ctx(ctl->cm->ofp) : NULL, false);
	if (!ctl->conn) {
		controller_failed(ctl, -ENOMEM);
		return;
	}
	ctl->conn->ctl = ctl;
	ctl->state = CTL_CONNECTED;
}

/* ---- Manager ---------------------------------------------------------------------- */

int
connmgr_create(struct ofproto *ofp, struct bridge *br, const struct config_bridge *cfg,
	       const char *rundir, struct connmgr **out, char *errbuf, size_t errlen)
{
	struct connmgr *cm = pfs_calloc(1, sizeof(*cm));
	char target[160];
	int r;

	if (!cm)
		return -ENOMEM;
	cm->ofp = ofp;
	cm->br = br;
	cm->probe_s = cfg->inactivity_probe_s;
	cm->max_backoff_s = cfg->max_backoff_s ? cfg->max_backoff_s : 8;
	cm->pin_rate = cfg->packet_in_rate;
	cm->pin_burst = cfg->packet_in_burst ? cfg->packet_in_burst : 1;
	br->cm = cm;

	snprintf(target, sizeof(target), "punix:%s/%s.mgmt", rundir, br->name);
	r = listener_open(cm, target, OFCONN_SERVICE, NULL, &cm->mgmt, errbuf, errlen);
	if (r)
		goto err;
	snprintf(target, sizeof(target), "punix:%s/%s.snoop", rundir, br->name);
	r = listener_open(cm, target, OFCONN_SNOOP, NULL, &cm->snoop, errbuf, errlen);
	if (r)
		goto err;
	cm->ctls = pfs_calloc(cfg->n_controllers ? cfg->n_controllers : 1, sizeof(*cm->ctls));
	if (!cm->ctls) {
		r = -ENOMEM;
		goto err;
	}
	for (size_t i = 0; i < cfg->n_controllers; i++) {
		struct controller *ctl = &cm->ctls[i];
		char why[160];

		ctl->cm = cm;
		snprintf(ctl->target, sizeof(ctl->target), "%s", cfg->controllers[i]);
		r = stream_addr_parse(ctl->target, OFP_TCP_PORT, &ctl->addr, why, sizeof(why));
		if (r) {
			snprintf(errbuf, errlen, "%s: controller %s", br->name, why);
			goto err;
		}
		cm->n_ctls++;
		if (stream_addr_is_tls(&ctl->addr) && !ofproto_tls_ctx(ofp)) {
			snprintf(errbuf, errlen, "%s: controller %s: TLS is not configured",
				 br->name, ctl->target);
			r = -EINVAL;
			goto err;
		}
		ctl->passive = stream_addr_is_passive(&ctl->addr);
		ctl->backoff_s = 1;
		if (ctl->passive) {
			r = listener_open(cm, ctl->target, OFCONN_CONTROLLER, ctl, &ctl->lst,
					  errbuf, errlen);
			if (r)
				goto err;
		} else {
			ctl->state = CTL_IDLE;
			ctl->next_try_ms = 0; /* at once */
		}
	}
	*out = cm;
	return 0;
err:
	connmgr_destroy(cm);
	br->cm = NULL;
	return r;
}

void
connmgr_destroy(struct connmgr *cm)
{
	if (!cm)
		return;
	while (cm->conns) {
		struct ofconn *c = cm->conns;

		stream_flush(&c->s);
		c->ctl = NULL;
		ofconn_destroy(c);
	}
	for (size_t i = 0; i < cm->n_ctls; i++) {
		struct controller *ctl = &cm->ctls[i];

		listener_close(cm, ctl->lst);
		if (ctl->state == CTL_CONNECTING) {
			ofproto_fd_del(cm->ofp, &ctl->pfd);
			close(ctl->pfd.fd);
		}
	}
	listener_close(cm, cm->mgmt);
	listener_close(cm, cm->snoop);
	free(cm->ctls);
	free(cm);
}

static void
probe(struct ofconn *c, uint64_t now)
{
	uint64_t interval = (uint64_t)c->cm->probe_s * 1000;
	struct buf b = BUF_INITIALIZER;
	struct ofp_echo e = { { NULL, 0 } };

	if (!interval || c->type != OFCONN_CONTROLLER || c->state != OFCONN_ACTIVE)
		return;
	if (c->echo_sent_ms) {
		if (now - c->echo_sent_ms >= interval) {
			vlog(VLOG_WARN, MOD,
			     "%s: no response to inactivity probe after %u s, "
			     "disconnecting",
			     c->name, c->cm->probe_s);
			c->dead = true;
		}
		return;
	}
	if (now - c->last_rx_ms < interval)
		return;
	if (!ofp_echo_request_encode(&e, 0, &b) && !buf_error(&b))
		ofconn_send_buf(c, &b);
	buf_uninit(&b);
	c->echo_sent_ms = now;
}

/* A connection with output pending whose peer has read nothing for conn_stall_timeout
 * seconds is closed: it pins its queue (and a dump in progress) for nothing. */
static void
check_stall(struct ofconn *c, uint64_t now)
{
	if (!stream_tx_pending(&c->s) || c->s.n_tx_bytes != c->tx_seen_bytes) {
		c->tx_seen_bytes = c->s.n_tx_bytes;
		c->tx_progress_ms = now;
		return;
	}
	if (limits.stall_timeout_s && !c->dead &&
	    now - c->tx_progress_ms >= (uint64_t)limits.stall_timeout_s * 1000) {
		vlog_rl(&rl_conn, VLOG_WARN, MOD,
			"%s: peer read nothing of %zu queued bytes for %u s, disconnecting",
			c->name, stream_tx_pending(&c->s), limits.stall_timeout_s);
		c->dead = true;
	}
}

/* Partial multipart requests held longer than multipart_request_timeout are dropped
 * (the peer never sends the last part). */
static void
check_multipart_timeout(struct ofconn *c, uint64_t now)
{
	size_t per_xid = c->as.max_bytes, max_pending = c->as.max_pending;

	if (!c->as.n_pending || !c->mp_since_ms ||
	    now - c->mp_since_ms < (uint64_t)limits.mp_timeout_s * 1000)
		return;
	vlog_rl(&rl_conn, VLOG_WARN, MOD,
		"%s: %zu multipart request(s) incomplete after %u s, dropped", c->name,
		c->as.n_pending, limits.mp_timeout_s);
	c->n_mp_timeouts++;
	ofp_mp_assembler_uninit(&c->as);
	ofp_mp_assembler_init(&c->as, per_xid, max_pending);
	c->mp_since_ms = 0;
}

void
connmgr_run(struct connmgr *cm, uint64_t now)
{
	struct ofconn *c, *next;

	for (size_t i = 0; i < cm->n_ctls; i++) {
		struct controller *ctl = &cm->ctls[i];

		if (ctl->passive)
			continue;
		if (ctl->state == CTL_IDLE && now >= ctl->next_try_ms)
			controller_try(ctl);
		else if (ctl->state == CTL_CONNECTING &&
			 now - ctl->connect_start_ms >= CONNECT_TIMEOUT_MS) {
			ofproto_fd_del(cm->ofp, &ctl->pfd);
			close(ctl->pfd.fd);
			controller_failed(ctl, -ETIMEDOUT);
		}
	}
	reserve_refill(now);
	listener_resume(cm->mgmt, now);
	listener_resume(cm->snoop, now);
	for (size_t i = 0; i < cm->n_ctls; i++)
		listener_resume(cm->ctls[i].lst, now);
	for (c = cm->conns; c; c = next) {
		next = c->next;
		dump_step(c);
		/* Messages already read into the stream's buffer raise no epoll event. */
		if (!c->dead && c->state != OFCONN_CLOSING && stream_has_message(&c->s) &&
		    !input_paused(c))
			conn_input(c);
		if (!c->dead)
			update_events(c);
		probe(c, now);
		check_stall(c, now);
		check_multipart_timeout(c, now);
		bundle_expire(c, now);
		if (c->state == OFCONN_HELLO && now - c->connected_ms >= 30000) {
			vlog_rl(&rl_conn, VLOG_WARN, MOD, "%s: no HELLO within 30 s", c->name);
			c->dead = true;
		}
		if (c->state == OFCONN_CLOSING &&
		    (!stream_tx_pending(&c->s) || now >= c->close_deadline_ms))
			c->dead = true;
		if (c->dead)
			ofconn_destroy(c);
	}
}

bool
connmgr_has_controller(const struct connmgr *cm)
{
	for (const struct ofconn *c = cm->conns; c; c = c->next)
		if (c->type == OFCONN_CONTROLLER && c->state == OFCONN_ACTIVE && !c->dead &&
		    c->engaged)
			return true;
	return false;
}

unsigned
connmgr_n_active(const struct connmgr *cm)
{
	unsigned n = 0;

	for (const struct ofconn *c = cm->conns; c; c = c->next)
		n += c->type != OFCONN_SNOOP && c->state == OFCONN_ACTIVE && !c->dead;
	return n;
}

void
connmgr_get_stats(const struct connmgr *cm, struct connmgr_stats *st)
{
	*st = cm->closed;
	for (const struct ofconn *c = cm->conns; c; c = c->next) {
		st->pin_sent += c->n_pin_sent;
		st->pin_rate_dropped += c->n_pin_dropped;
		st->pin_queue_dropped += c->n_pin_queue_dropped;
		st->async_dropped += c->n_async_dropped;
	}
}

const struct ofconn *
connmgr_conns(const struct connmgr *cm)
{
	return cm->conns;
}

uint64_t
connmgr_generation_id(const struct connmgr *cm)
{
	return cm->generation_id;
}

bool
connmgr_generation_defined(const struct connmgr *cm)
{
	return cm->gen_defined;
}

void
connmgr_restore_generation_id(struct connmgr *cm, uint64_t generation_id)
{
	cm->generation_id = generation_id;
	cm->gen_defined = true;
}

int
connmgr_set_role(struct ofconn *c, uint32_t role, uint64_t generation_id, struct ofp_err *err)
{
	struct connmgr *cm = c->cm;

	if (role == OFPCR_ROLE_NOCHANGE)
		return 0;
	if (role == OFPCR_ROLE_MASTER || role == OFPCR_ROLE_SLAVE) {
		if (cm->gen_defined && (int64_t)(generation_id - cm->generation_id) < 0)
			return ofp_err_set(err, OFPET_ROLE_REQUEST_FAILED, OFPRRFC_STALE);
		cm->generation_id = generation_id;
		cm->gen_defined = true;
	}
	if (role == OFPCR_ROLE_MASTER)
		for (struct ofconn *o = cm->conns; o; o = o->next)
			if (o != c && o->role == OFPCR_ROLE_MASTER)
				o->role = OFPCR_ROLE_SLAVE;
	c->role = role;
	return 0;
}

/* ---- Asynchronous messages -------------------------------------------------------- */

static bool
async_wanted(const struct ofconn *c, const uint32_t mask[2], uint8_t reason)
{
	if (c->dead || c->state != OFCONN_ACTIVE || c->type == OFCONN_SNOOP)
		return false;
	if (reason >= 32)
		return false;
	return (mask[c->role == OFPCR_ROLE_SLAVE] >> reason) & 1;
}

static bool
async_room(struct ofconn *c)
{
	if (stream_tx_pending(&c->s) < limits.async_max)
		return true;
	c->n_async_dropped++;
	return false;
}

/* Refills c's token bucket; true if it holds a token. Spends nothing: pin_spend() does,
 * once the packet-in is queued. */
static bool
pin_token(struct ofconn *c, uint64_t now)
{
	struct connmgr *cm = c->cm;
	uint64_t cap = (uint64_t)cm->pin_burst * 1000;

	if (!cm->pin_rate)
		return true;
	c->tb_tokens_milli += (now - c->tb_last_ms) * cm->pin_rate;
	c->tb_last_ms = now;
	if (c->tb_tokens_milli > cap)
		c->tb_tokens_milli = cap;
	return c->tb_tokens_milli >= 1000;
}

static void
pin_spend(struct ofconn *c)
{
	if (c->cm->pin_rate)
		c->tb_tokens_milli -= 1000;
}

static bool
pin_room(const struct ofconn *c)
{
	return stream_tx_pending(&c->s) < OFCONN_PIN_MAX_PENDING;
}

int
connmgr_send_packet_in(struct connmgr *cm, const struct dp_upcall *up)
{
	struct ofp_packet_in pi;
	struct buf b = BUF_INITIALIZER;
	uint8_t be32[4], be64[8];
	uint64_t now = ofproto_now_ms();
	unsigned n_want = 0, n_ready = 0, n_sent = 0;

	/* Nothing is spent or counted while no connection that wants it can take it now:
	 * the packet then stays in the caller's queue. */
	for (struct ofconn *c = cm->conns; c; c = c->next) {
		if (!async_wanted(c, c->async.packet_in_mask, up->reason))
			continue;
		n_want++;
		n_ready += pin_room(c) && pin_token(c, now);
	}
	if (!n_want)
		return 0;
	if (!n_ready)
		return -EAGAIN;
	memset(&pi, 0, sizeof(pi));
	pi.buffer_id = OFP_NO_BUFFER;
	pi.total_len = (uint16_t)PFS_MIN(up->total_len, 0xffffu);
	pi.reason = up->reason;
	pi.table_id = up->table_id;
	pi.cookie = up->cookie;
	oxm_match_init(&pi.match);
	put_be32(be32, up->in_port);
	oxm_match_set(&pi.match, OFPXMT_OFB_IN_PORT, be32, NULL);
	if (up->metadata) {
		put_be64(be64, up->metadata);
		oxm_match_set(&pi.match, OFPXMT_OFB_METADATA, be64, NULL);
	}
	if (up->tunnel_id) {
		put_be64(be64, up->tunnel_id);
		oxm_match_set(&pi.match, OFPXMT_OFB_TUNNEL_ID, be64, NULL);
	}
	for (struct ofconn *c = cm->conns; c; c = c->next) {
		size_t len = up->len;

		if (!async_wanted(c, c->async.packet_in_mask, up->reason))
			continue;
		if (!pin_room(c)) {
			c->n_async_dropped++;
			c->n_pin_queue_dropped++;
			continue;
		}
		if (!pin_token(c, now)) {
			c->n_pin_dropped++;
			continue;
		}
		/* miss_send_len applies to what is not sent by an output action (spec 7.3.2). */
		if (up->reason == OFPR_INVALID_TTL && c->miss_send_len != OFPCML_NO_BUFFER)
			len = PFS_MIN(len, c->miss_send_len);
		pi.data.data = up->data;
		pi.data.len = len;
		buf_clear(&b);
		if (!ofp_packet_in_encode(&pi, 0, &b) && !buf_error(&b)) {
			ofconn_send_buf(c, &b);
			pin_spend(c);
			c->n_pin_sent++;
			n_sent++;
		}
	}
	buf_uninit(&b);
	return (int)n_sent;
}

void
connmgr_send_flow_removed(struct connmgr *cm, const struct ofp_flow_removed *fr)
{
	struct buf b = BUF_INITIALIZER;

	if (!cm || ofp_flow_removed_encode(fr, 0, &b) || buf_error(&b))
		goto out;
	for (struct ofconn *c = cm->conns; c; c = c->next)
		if (async_wanted(c, c->async.flow_removed_mask, fr->reason) && async_room(c))
			ofconn_send_buf(c, &b);
out:
	buf_uninit(&b);
}

void
connmgr_send_port_status(struct connmgr *cm, const struct ofp_port_status *ps)
{
	struct buf b = BUF_INITIALIZER;

	if (!cm || ofp_port_status_encode(ps, 0, &b) || buf_error(&b))
		goto out;
	for (struct ofconn *c = cm->conns; c; c = c->next)
		if (async_wanted(c, c->async.port_status_mask, ps->reason) && async_room(c))
			ofconn_send_buf(c, &b);
out:
	buf_uninit(&b);
}
