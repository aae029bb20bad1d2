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
#include "datapath.h"
#include "handlers.h"
#include "ofp_error.h"
#include "ofp_flow.h"
#include "ofp_msg.h"
#include "ofp_packet.h"
#include "ofp_port.h"
#include "util.h"
#include "vlog.h"

#define MOD "connmgr"

/* Replies may be large (a dump of a million flows); asynchronous messages are dropped
 * once this much is queued for a connection (a slow controller). */
#define OFCONN_TX_MAX (1u << 30)
#define OFCONN_ASYNC_MAX_PENDING (8u << 20)
/* Packet-ins are queued to a connection only while its output holds less than this:
 * beyond, they wait in the bridge's fair queues (pinsched.h), so an ECHO or BARRIER
 * reply never sits behind megabytes of them. */
#define OFCONN_PIN_MAX_PENDING (64u << 10)
#define MSGS_PER_WAKEUP 64
#define CONNECT_TIMEOUT_MS 10000
#define CLOSE_LINGER_MS 1000

static struct vlog_rl rl_conn = VLOG_RL_INIT(20);

struct listener {
	struct connmgr *cm;
	struct ofproto_fd pfd;
	enum ofconn_type type;
	struct controller *ctl; /* passive controller, or NULL for mgmt/snoop */
	char path[108];		/* unix socket file to remove, or "" */
	char name[128];
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

static void
update_events(struct ofconn *c)
{
	uint32_t want = EPOLLIN | (stream_tx_pending(&c->s) ? EPOLLOUT : 0);

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
	if (r == -ENOBUFS) {
		vlog_rl(&rl_conn, VLOG_WARN, MOD, "%s: output queue full, disconnecting", c->name);
		c->dead = true;
		return;
	}
	if (r && r != -EAGAIN) {
		vlog_rl(&rl_conn, VLOG_INFO, MOD, "%s: send failed: %s", c->name, strerror(-r));
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

static struct ofconn *
ofconn_create(struct connmgr *cm, int fd, enum ofconn_type type, const char *name)
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
	c->s.tx_max = OFCONN_TX_MAX;
	c->cm = cm;
	c->type = type;
	c->state = OFCONN_HELLO;
	c->role = OFPCR_ROLE_EQUAL;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->miss_send_len = OFP_DEFAULT_MISS_SEND_LEN;
	ofconn_async_default(&c->async);
	c->connected_ms = c->last_rx_ms = now;
	c->tb_last_ms = now;
	c->tb_tokens_milli = (uint64_t)cm->pin_burst * 1000;
	ofp_mp_assembler_init(&c->as, 0, 0);
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
	vlog(VLOG_INFO, MOD, "%s: connected", c->name);
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
	vlog(VLOG_INFO, MOD,
	     "%s: disconnected (%" PRIu64 " messages in, %" PRIu64 " out, %" PRIu64
	     " packet-ins dropped by rate limit)",
	     c->name, c->s.n_rx, c->s.n_tx, c->n_pin_dropped);
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
		vlog(VLOG_INFO, MOD, "%s: negotiated OpenFlow 1.3", c->name);
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

static void
conn_input(struct ofconn *c)
{
	for (int i = 0; i < MSGS_PER_WAKEUP && !c->dead; i++) {
		const uint8_t *msg;
		size_t len;
		int r = stream_recv(&c->s, &msg, &len);

		if (r == -EAGAIN)
			return;
		if (r) {
			if (r != -ECONNRESET)
				vlog_rl(&rl_conn, VLOG_WARN, MOD, "%s: receive failed: %s", c->name,
					strerror(-r));
			c->dead = true;
			return;
		}
		c->last_rx_ms = ofproto_now_ms();
		c->echo_sent_ms = 0;
		if (c->type == OFCONN_CONTROLLER)
			snoop_mirror(c->cm, msg, len);
		switch (c->state) {
		case OFCONN_HELLO:
			hello_received(c, msg, len);
			break;
		case OFCONN_ACTIVE:
			if (c->type == OFCONN_SNOOP)
				snoop_input(c, msg, len);
			else
				handlers_dispatch(c, msg, len);
			break;
		case OFCONN_CLOSING:
			break;
		}
	}
	if (stream_has_message(&c->s))
		ofproto_wake(c->cm->ofp);
}

static void
conn_cb(struct ofproto_fd *pfd, uint32_t events)
{
	struct ofconn *c = (struct ofconn *)((char *)pfd - offsetof(struct ofconn, pfd));

	if (events & EPOLLOUT) {
		int r = stream_flush(&c->s);

		if (r && r != -EAGAIN)
			c->dead = true;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		conn_input(c);
	if (c->dead)
		ofconn_destroy(c);
	else
		update_events(c);
}

/* ---- Listeners ---------------------------------------------------------------------- */

static void
listener_cb(struct ofproto_fd *pfd, uint32_t events)
{
	struct listener *l = (struct listener *)((char *)pfd - offsetof(struct listener, pfd));
	struct connmgr *cm = l->cm;
	static unsigned long seq;

	(void)events;
	for (int i = 0; i < 16; i++) {
		char name[160];
		int fd = stream_accept(pfd->fd);

		if (fd == -EAGAIN)
			return;
		if (fd < 0) {
			vlog_rl(&rl_conn, VLOG_WARN, MOD, "%s: accept: %s", l->name, strerror(-fd));
			return;
		}
		snprintf(name, sizeof(name), "%s#%lu", l->name, ++seq);
		if (!ofconn_create(cm, fd, l->type, name))
			vlog_rl(&rl_conn, VLOG_WARN, MOD, "%s: out of memory accepting", l->name);
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
	l->cm = cm;
	l->type = type;
	l->ctl = ctl;
	snprintf(l->name, sizeof(l->name), "%s<-%s", cm->br->name, target);
	if (a.kind == STREAM_PUNIX)
		snprintf(l->path, sizeof(l->path), "%s", a.path);
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
	ofproto_fd_del(cm->ofp, &l->pfd);
	close(l->pfd.fd);
	if (l->path[0])
		unlink(l->path);
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
	ctl->conn = ofconn_create(ctl->cm, fd, OFCONN_CONTROLLER, name);
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
	for (c = cm->conns; c; c = next) {
		next = c->next;
		/* Messages already read into the stream's buffer raise no epoll event. */
		if (!c->dead && c->state != OFCONN_CLOSING && stream_has_message(&c->s)) {
			conn_input(c);
			if (!c->dead)
				update_events(c);
		}
		probe(c, now);
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
		if (c->type == OFCONN_CONTROLLER && c->state == OFCONN_ACTIVE && !c->dead)
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

uint64_t
connmgr_generation_id(const struct connmgr *cm)
{
	return cm->generation_id;
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
	if (stream_tx_pending(&c->s) < OFCONN_ASYNC_MAX_PENDING)
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
