/* Live handover between two pfswitchd processes (see handover.h). */
#include "handover.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"
#include "datapath.h"
#include "pfs_config.h"
#include "state.h"
#include "ofproto.h"
#include "stream.h"
#include "util.h"
#include "vlog.h"

#define MOD "handover"

enum ho_type {
	HO_HELLO = 1,
	HO_ACCEPT,
	HO_REFUSE,
	HO_STATE,
	HO_FDS,
	HO_READY,
	HO_FAIL,
	HO_FINAL,
	HO_DONE,
	HO_STOPPED,
};

static const char *const type_names[] = {
	[HO_HELLO] = "HELLO",	  [HO_ACCEPT] = "ACCEPT", [HO_REFUSE] = "REFUSE",
	[HO_STATE] = "STATE",	  [HO_FDS] = "FDS",	  [HO_READY] = "READY",
	[HO_FAIL] = "FAIL",	  [HO_FINAL] = "FINAL",	  [HO_DONE] = "DONE",
	[HO_STOPPED] = "STOPPED",
};

/* Limits: a message's payload, and each step's wait. The new process's READY comes
 * after its EAL start and port opening (seconds; hugepage mapping of a large pool
 * more). */
#define MAX_PAYLOAD (1u << 30)
#define STEP_TIMEOUT_MS 10000
#define READY_TIMEOUT_MS 60000
#define MAX_FDS STREAM_MAX_INHERITED

static const char *
type_name(uint32_t t)
{
	return t < ARRAY_SIZE(type_names) && type_names[t] ? type_names[t] : "unknown";
}

/* ---- Framing on a blocking unix socket, with a deadline ------------------------------ */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Waits until fd is ready for events or deadline passes. 0, -ETIMEDOUT or -errno. */
static int
wait_fd(int fd, short events, uint64_t deadline)
{
	for (;;) {
		uint64_t now = now_ms();
		struct pollfd p = { .fd = fd, .events = events };
		int n;

		if (now >= deadline)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)(deadline - now));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int
send_all(int fd, const void *p, size_t n, uint64_t deadline)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w > 0) {
			b += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		int r = wait_fd(fd, POLLOUT, deadline);
		if (r)
			return r;
	}
	return 0;
}

static int
recv_all(int fd, void *p, size_t n, uint64_t deadline)
{
	uint8_t *b = p;

	while (n) {
		ssize_t got = recv(fd, b, n, MSG_DONTWAIT);

		if (got > 0) {
			b += got;
			n -= (size_t)got;
			continue;
		}
		if (!got)
			return -ECONNRESET; /* the peer closed */
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		int r = wait_fd(fd, POLLIN, deadline);
		if (r)
			return r;
	}
	return 0;
}

static int
send_msg(int fd, uint32_t type, const void *payload, size_t len, uint64_t deadline)
{
	uint8_t h[8];
	int r;

	put_be32(h, type);
	put_be32(h + 4, (uint32_t)len);
	r = send_all(fd, h, sizeof(h), deadline);
	return r ? r : send_all(fd, payload, len, deadline);
}

static int
send_str(int fd, uint32_t type, const char *s, uint64_t deadline)
{
	return send_msg(fd, type, s, strlen(s), deadline);
}

/* Receives one message into payload (cleared first). 0, -EPROTO (too large) or -errno. */
static int
recv_msg(int fd, uint32_t *type, struct buf *payload, uint64_t deadline)
{
	uint8_t h[8];
	uint32_t len;
	int r;

	buf_clear(payload);
	r = recv_all(fd, h, sizeof(h), deadline);
	if (r)
		return r;
	*type = get_be32(h);
	len = get_be32(h + 4);
	if (len > MAX_PAYLOAD)
		return -EPROTO;
	r = buf_reserve(payload, len);
	if (r)
		return r;
	r = recv_all(fd, payload->data, len, deadline);
	if (r)
		return r;
	payload->size = len;
	return 0;
}

/* The payload as a NUL-terminated string (for reasons and names). */
static const char *
payload_str(struct buf *b)
{
	const char *s = buf_cstr(b);

	return s ? s : "(out of memory)";
}

/* FDS: the count in the payload, the descriptors as SCM_RIGHTS. */
static int
send_fds(int fd, const int *fds, unsigned n, uint64_t deadline)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
		struct cmsghdr align;
	} u;
	uint8_t h[12];
	struct iovec iov = { .iov_base = h, .iov_len = sizeof(h) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	int r;

	put_be32(h, HO_FDS);
	put_be32(h + 4, 4);
	put_be32(h + 8, n);
	if (n) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	r = wait_fd(fd, POLLOUT, deadline);
	if (r)
		return r;
	/* 12 bytes on an empty unix stream socket go out in one piece. */
	if (sendmsg(fd, &m, MSG_NOSIGNAL) != (ssize_t)sizeof(h))
		return errno ? -errno : -EIO;
	return 0;
}

static int
recv_fds(int fd, int *fds, unsigned *n, uint64_t deadline)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
		struct cmsghdr align;
	} u;
	uint8_t h[12];
	struct iovec iov = { .iov_base = h, .iov_len = sizeof(h) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t got;
	int r;

	*n = 0;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	r = wait_fd(fd, POLLIN, deadline);
	if (r)
		return r;
	got = recvmsg(fd, &m, MSG_CMSG_CLOEXEC | MSG_WAITALL);
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		unsigned k = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

		for (unsigned i = 0; i < k && *n < MAX_FDS; i++)
			memcpy(&fds[(*n)++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	if (got != (ssize_t)sizeof(h) || get_be32(h) != HO_FDS || (m.msg_flags & MSG_CTRUNC) ||
	    get_be32(h + 8) != *n) {
		for (unsigned i = 0; i < *n; i++)
			close(fds[i]);
		*n = 0;
		return got < 0 ? -errno : -EPROTO;
	}
	return 0;
}

/* ---- State: ofproto/state.h's format ------------------------------------------------- */

static int
gather(struct ofproto *ofp, struct buf *b)
{
	return state_gather(ofp, b);
}

bool
handover_port_shared(const char *devargs)
{
	static const char *const shared[] = { "net_af_packet", "eth_af_packet", "net_pcap",
					      "eth_pcap",      "net_tap",	"eth_tap" };

	for (size_t i = 0; i < ARRAY_SIZE(shared); i++)
		if (!strncmp(devargs, shared[i], strlen(shared[i])))
			return true;
	return false;
}

/* Closes the ports only one process can hold, for the new process to open. */
static unsigned
release_exclusive_ports(struct ofproto *ofp)
{
	unsigned n = 0;

	for (size_t i = 0; i < ofproto_n_bridges(ofp); i++) {
		struct bridge *br = ofproto_bridge(ofp, i);

		for (size_t j = br->n_ports; j-- > 0;) {
			if (!br->ports[j].exclusive)
				continue;
			vlog(VLOG_INFO, MOD, "handover: %s: port %s closed for the new process",
			     br->name, br->ports[j].name);
			bridge_release_port(br, &br->ports[j]);
			n++;
		}
	}
	return n;
}

/* ---- The running process ------------------------------------------------------------ */

struct handover_server {
	struct ofproto *ofp;
	struct ofproto_fd pfd;
	char path[108];
	char prefix[64];
	bool done;
};

/* Tells the peer why and logs it; the process carries on. */
static void
refuse(int fd, const char *why)
{
	vlog(VLOG_WARN, MOD, "handover refused: %s", why);
	send_str(fd, HO_REFUSE, why, now_ms() + 1000);
}

/* Serves one new process on fd, synchronously. Returns true when it took over (the
 * workers are stopped then); false leaves everything as it was, forwarding. */
static bool
serve(struct handover_server *hs, int fd)
{
	struct buf msg = BUF_INITIALIZER, st = BUF_INITIALIZER;
	struct buf_cursor c;
	uint32_t type = 0, vmin = 0, vmax = 0;
	int fds[MAX_FDS];
	unsigned n_fds;
	uint64_t t0 = now_ms(), t_stop;
	unsigned n_released = 0;
	bool ok = false;
	char why[512];
	int r;

	/* HELLO */
	r = recv_msg(fd, &type, &msg, t0 + STEP_TIMEOUT_MS);
	if (r || type != HO_HELLO) {
		vlog(VLOG_WARN, MOD, "handover: no HELLO from the new process (%s)",
		     r ? strerror(-r) : type_name(type));
		goto out;
	}
	c = buf_cursor(msg.data, msg.size);
	if (!buf_pull_be32(&c, &vmin) || !buf_pull_be32(&c, &vmax)) {
		refuse(fd, "malformed HELLO");
		goto out;
	}
	if (HANDOVER_VERSION < vmin || HANDOVER_VERSION > vmax) {
		snprintf(why, sizeof(why),
			 "this pfswitchd (%s) hands over in format %u; the new process reads "
			 "formats %u to %u only",
			 PFS_VERSION, HANDOVER_VERSION, vmin, vmax);
		refuse(fd, why);
		goto out;
	}
	buf_clear(&msg);
	buf_put_be32(&msg, HANDOVER_VERSION);
	buf_put_be32(&msg, (uint32_t)getpid());
	buf_put(&msg, hs->prefix, strlen(hs->prefix));
	r = buf_error(&msg)
		    ? -ENOMEM
		    : send_msg(fd, HO_ACCEPT, msg.data, msg.size, now_ms() + STEP_TIMEOUT_MS);
	if (r)
		goto fail_io;

	/* STATE and the listening sockets. */
	r = gather(hs->ofp, &st);
	if (r) {
		snprintf(why, sizeof(why), "cannot gather the state: %s", strerror(-r));
		refuse(fd, why);
		goto out;
	}
	r = send_msg(fd, HO_STATE, st.data, st.size, now_ms() + STEP_TIMEOUT_MS);
	if (r)
		goto fail_io;
	n_fds = stream_list_listeners(fds, MAX_FDS, hs->pfd.fd);
	r = send_fds(fd, fds, n_fds, now_ms() + STEP_TIMEOUT_MS);
	if (r)
		goto fail_io;
	vlog(VLOG_INFO, MOD,
	     "handover: state (%zu bytes) and %u listening socket(s) sent in %llu ms; waiting "
	     "for the new process",
	     st.size, n_fds, (unsigned long long)(now_ms() - t0));

	/* READY or FAIL */
	r = recv_msg(fd, &type, &msg, now_ms() + READY_TIMEOUT_MS);
	if (r)
		goto fail_io;
	if (type == HO_FAIL) {
		vlog(VLOG_WARN, MOD, "handover aborted by the new process: %s; still forwarding",
		     payload_str(&msg));
		goto out;
	}
	if (type != HO_READY) {
		vlog(VLOG_WARN, MOD, "handover: %s instead of READY; still forwarding",
		     type_name(type));
		goto out;
	}

	/* The new process is ready: stop ours (it starts its workers on STOPPED), then send
	 * the final counters. */
	t_stop = now_ms();
	r = dp_stop_drained();
	if (r) {
		vlog(VLOG_ERR, MOD, "handover: a worker did not stop: %s", strerror(-r));
		/* It may still forward a few packets; the new process takes over anyway. */
	}
	/* The final counters before the ports go (theirs included). */
	r = gather(hs->ofp, &st);
	n_released = release_exclusive_ports(hs->ofp);
	if (!r)
		r = send_msg(fd, HO_STOPPED, NULL, 0, now_ms() + STEP_TIMEOUT_MS);
	if (!r)
		r = send_msg(fd, HO_FINAL, st.data, st.size, now_ms() + STEP_TIMEOUT_MS);
	if (!r)
		r = send_msg(fd, HO_DONE, NULL, 0, now_ms() + STEP_TIMEOUT_MS);
	if (r) {
		vlog(VLOG_ERR, MOD,
		     "handover: the new process is gone after READY (%s): forwarding again%s",
		     strerror(-r),
		     n_released ? " (without the ports closed for it: restart to get them back)"
				: "");
		r = dp_start();
		if (r)
			vlog(VLOG_ERR, MOD, "cannot restart the workers: %s", strerror(-r));
		goto out;
	}
	vlog(VLOG_INFO, MOD,
	     "handover done in %llu ms (workers stopped and %u port(s) closed for the new "
	     "process %llu ms after READY); exiting",
	     (unsigned long long)(now_ms() - t0), n_released,
	     (unsigned long long)(now_ms() - t_stop));
	ok = true;
	goto out;
fail_io:
	vlog(VLOG_WARN, MOD, "handover: channel to the new process failed (%s); still forwarding",
	     r == -ECONNRESET ? "it closed the connection" : strerror(-r));
out:
	buf_uninit(&msg);
	buf_uninit(&st);
	return ok;
}

static void
server_cb(struct ofproto_fd *pfd, uint32_t events)
{
	struct handover_server *hs =
		(struct handover_server *)((char *)pfd - offsetof(struct handover_server, pfd));
	int fd;

	(void)events;
	if (hs->done)
		return;
	fd = stream_accept(pfd->fd);
	if (fd < 0)
		return;
	vlog(VLOG_INFO, MOD, "handover: a new process connected on %s", hs->path);
	if (serve(hs, fd)) {
		hs->done = true;
		/* The new process owns the socket files now, ours included. */
		stream_keep_socket_files(true);
	}
	close(fd);
}

int
handover_server_create(struct ofproto *ofp, const char *path, const char *eal_prefix,
		       struct handover_server **out, char *errbuf, size_t errlen)
{
	struct handover_server *hs = pfs_calloc(1, sizeof(*hs));
	struct stream_addr a;
	char target[160], why[160];
	int fd, r;

	if (!hs)
		return -ENOMEM;
	snprintf(target, sizeof(target), "punix:%s", path);
	r = stream_addr_parse(target, 0, &a, why, sizeof(why));
	if (r) {
		snprintf(errbuf, errlen, "handover_socket %s: %s", path, why);
		free(hs);
		return r;
	}
	fd = stream_listen(&a);
	if (fd < 0) {
		snprintf(errbuf, errlen, "handover_socket %s: %s", path, strerror(-fd));
		free(hs);
		return fd;
	}
	hs->ofp = ofp;
	snprintf(hs->path, sizeof(hs->path), "%s", path);
	snprintf(hs->prefix, sizeof(hs->prefix), "%s", eal_prefix ? eal_prefix : "");
	hs->pfd.cb = server_cb;
	r = ofproto_fd_add(ofp, &hs->pfd, fd, EPOLLIN);
	if (r) {
		snprintf(errbuf, errlen, "handover_socket %s: epoll: %s", path, strerror(-r));
		close(fd);
		free(hs);
		return r;
	}
	*out = hs;
	return 0;
}

bool
handover_server_done(const struct handover_server *hs)
{
	return hs && hs->done;
}

void
handover_server_destroy(struct handover_server *hs)
{
	if (!hs)
		return;
	ofproto_fd_del(hs->ofp, &hs->pfd);
	close(hs->pfd.fd);
	if (!hs->done)
		unlink(hs->path);
	free(hs);
}

/* ---- The new process ------------------------------------------------------------------ */

struct handover_client {
	int fd;
	uint32_t version;
	pid_t old_pid;
	char old_prefix[64];
};

int
handover_client_connect(const char *path, uint32_t min_version, uint32_t max_version,
			struct handover_client **out, char *errbuf, size_t errlen)
{
	struct handover_client *hc = pfs_calloc(1, sizeof(*hc));
	struct buf msg = BUF_INITIALIZER;
	struct stream_addr a;
	struct buf_cursor c;
	char target[160], why[160];
	uint32_t type, pid;
	int r;

	if (!hc)
		return -ENOMEM;
	hc->fd = -1;
	snprintf(target, sizeof(target), "unix:%s", path);
	r = stream_addr_parse(target, 0, &a, why, sizeof(why));
	if (r) {
		snprintf(errbuf, errlen, "handover socket %s: %s", path, why);
		goto err;
	}
	r = stream_connect(&a, STEP_TIMEOUT_MS);
	if (r < 0) {
		snprintf(errbuf, errlen,
			 "cannot reach the running pfswitchd on %s: %s (is it running with this "
			 "configuration?)",
			 path, strerror(-r));
		goto err;
	}
	hc->fd = r;
	buf_put_be32(&msg, min_version);
	buf_put_be32(&msg, max_version);
	buf_put(&msg, PFS_VERSION, strlen(PFS_VERSION));
	r = buf_error(&msg)
		    ? -ENOMEM
		    : send_msg(hc->fd, HO_HELLO, msg.data, msg.size, now_ms() + STEP_TIMEOUT_MS);
	if (!r)
		r = recv_msg(hc->fd, &type, &msg, now_ms() + STEP_TIMEOUT_MS);
	if (r) {
		snprintf(errbuf, errlen, "handover on %s: %s", path,
			 r == -ECONNRESET ? "the running pfswitchd closed the connection"
					  : strerror(-r));
		goto err;
	}
	if (type == HO_REFUSE) {
		snprintf(errbuf, errlen, "the running pfswitchd refused the handover: %s",
			 payload_str(&msg));
		r = -EPROTO;
		goto err;
	}
	c = buf_cursor(msg.data, msg.size);
	if (type != HO_ACCEPT || !buf_pull_be32(&c, &hc->version) || !buf_pull_be32(&c, &pid) ||
	    hc->version < min_version || hc->version > max_version ||
	    c.left >= sizeof(hc->old_prefix)) {
		snprintf(errbuf, errlen, "handover on %s: unexpected %s", path, type_name(type));
		r = -EPROTO;
		goto err;
	}
	hc->old_pid = (pid_t)pid;
	memcpy(hc->old_prefix, c.p, c.left);
	hc->old_prefix[c.left] = '\0';
	buf_uninit(&msg);
	*out = hc;
	return 0;
err:
	buf_uninit(&msg);
	handover_client_close(hc);
	return r;
}

pid_t
handover_client_old_pid(const struct handover_client *hc)
{
	return hc->old_pid;
}

const char *
handover_client_old_prefix(const struct handover_client *hc)
{
	return hc->old_prefix;
}

uint32_t
handover_client_version(const struct handover_client *hc)
{
	return hc->version;
}

int
handover_client_recv_state(struct handover_client *hc, struct buf *state, char *errbuf,
			   size_t errlen)
{
	int fds[MAX_FDS];
	unsigned n = 0;
	uint32_t type;
	int r;

	r = recv_msg(hc->fd, &type, state, now_ms() + STEP_TIMEOUT_MS);
	if (!r && type == HO_REFUSE) {
		snprintf(errbuf, errlen, "the running pfswitchd refused the handover: %s",
			 payload_str(state));
		return -EPROTO;
	}
	if (!r && type != HO_STATE)
		r = -EPROTO;
	if (!r)
		r = recv_fds(hc->fd, fds, &n, now_ms() + STEP_TIMEOUT_MS);
	if (r) {
		snprintf(errbuf, errlen, "handover: receiving the state: %s", strerror(-r));
		return r;
	}
	for (unsigned i = 0; i < n; i++)
		if (stream_inherit_listener(fds[i]))
			close(fds[i]);
	vlog(VLOG_INFO, MOD, "handover: state of %zu bytes and %u listening socket(s) received",
	     state->size, n);
	return 0;
}

int
handover_client_ready(struct handover_client *hc, char *errbuf, size_t errlen)
{
	struct buf msg = BUF_INITIALIZER;
	uint32_t type = 0;
	int r;

	r = send_msg(hc->fd, HO_READY, NULL, 0, now_ms() + STEP_TIMEOUT_MS);
	if (!r)
		r = recv_msg(hc->fd, &type, &msg, now_ms() + STEP_TIMEOUT_MS);
	if (!r && type != HO_STOPPED)
		r = -EPROTO;
	buf_uninit(&msg);
	if (r)
		snprintf(errbuf, errlen, "handover: after READY: %s (%s)",
			 r == -ECONNRESET ? "the old process closed the connection" : strerror(-r),
			 type_name(type));
	return r;
}

int
handover_client_finish(struct handover_client *hc, struct buf *final, char *errbuf, size_t errlen)
{
	struct buf done = BUF_INITIALIZER;
	uint32_t type = 0;
	int r;

	r = recv_msg(hc->fd, &type, final, now_ms() + STEP_TIMEOUT_MS);
	if (!r && type != HO_FINAL)
		r = -EPROTO;
	if (!r)
		r = recv_msg(hc->fd, &type, &done, now_ms() + STEP_TIMEOUT_MS);
	if (!r && type != HO_DONE)
		r = -EPROTO;
	buf_uninit(&done);
	if (r)
		snprintf(errbuf, errlen, "handover: waiting for the final state: %s (%s)",
			 strerror(-r), type_name(type));
	return r;
}

void
handover_client_fail(struct handover_client *hc, const char *why)
{
	if (hc && hc->fd >= 0)
		send_str(hc->fd, HO_FAIL, why, now_ms() + 1000);
}

void
handover_client_close(struct handover_client *hc)
{
	if (!hc)
		return;
	if (hc->fd >= 0)
		close(hc->fd);
	free(hc);
}
