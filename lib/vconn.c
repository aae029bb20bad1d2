/* OpenFlow 1.3 client connection (see vconn.h): HELLO negotiation, echo answers, xid
 * matching, multipart reassembly and barriers over a struct stream. Decoding of reply
 * bodies is left to the callers (ofp_multipart.h and the entity codecs). */
#include "vconn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "ofp_bundle.h"
#include "ofp_msg.h"
#include "ofp_switch.h"
#include "openflow.h"
#include "stream_tls.h"
#include "util.h"

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The wait allowed from now: the smaller of the per-wait timeout and the deadline. */
static int
wait_ms(const struct vconn *vc)
{
	int t = vc->timeout_ms;

	if (vc->deadline_ms >= 0) {
		int64_t left = vc->deadline_ms - now_ms();
		if (left < 0)
			left = 0;
		if (t < 0 || left < t)
			t = (int)PFS_MIN(left, (int64_t)INT32_MAX);
	}
	return t;
}

void
vconn_set_deadline(struct vconn *vc, int timeout_ms)
{
	vc->deadline_ms = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

uint32_t
vconn_next_xid(struct vconn *vc)
{
	return vc->next_xid++;
}

const char *
vconn_error_text(const struct vconn *vc)
{
	return vc->error_text;
}

int
vconn_send(struct vconn *vc, const void *msg, size_t len)
{
	int err;

	for (;;) {
		err = stream_send(&vc->s, msg, len);
		if (err != -ENOBUFS)
			return err;
		/* Queue full: drain it before queueing more. */
		while ((err = stream_flush(&vc->s)) == -EAGAIN) {
			err = stream_wait(&vc->s, wait_ms(vc));
			if (err)
				return err;
			if (stream_has_message(&vc->s))
				return -ENOBUFS; /* the peer talks while we cannot send */
		}
		if (err)
			return err;
	}
}

/* Reads the next message, whatever it is. */
static int
recv_raw(struct vconn *vc, const uint8_t **msg, size_t *len)
{
	int err;

	for (;;) {
		err = stream_recv(&vc->s, msg, len);
		if (err != -EAGAIN)
			return err;
		err = stream_wait(&vc->s, wait_ms(vc));
		if (err)
			return err;
	}
}

int
vconn_recv(struct vconn *vc, const uint8_t **msg, size_t *len)
{
	struct ofp_header_info h;
	int err;

	for (;;) {
		err = recv_raw(vc, msg, len);
		if (err)
			return err;
		ofp_header_peek(*msg, *len, &h);
		if (h.version != OFP13_VERSION && h.type != OFPT_HELLO)
			return -EPROTO;
		if (h.type != OFPT_ECHO_REQUEST || vc->echo_passthrough)
			return 0;
		/* Answer with the same xid and payload: only the type byte differs. */
		uint8_t *copy = pfs_malloc(*len);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, *msg, *len);
		copy[1] = OFPT_ECHO_REPLY;
		err = stream_send(&vc->s, copy, *len);
		free(copy);
		if (err && err != -ENOBUFS)
			return err;
	}
}

/* Records an OFPT_ERROR message as vc's last error. */
static void
note_error(struct vconn *vc, const uint8_t *msg, size_t len)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_error_msg em;
	struct ofp_err perr;
	struct buf b = BUF_INITIALIZER;
	struct ofp_header_info h;

	ofp_header_peek(msg, len, &h);
	vc->error_xid = h.xid;
	if (len < 12 || ofp_error_msg_decode(msg, len, &a, &em, &perr)) {
		vc->error.type = 0xffff;
		vc->error.code = 0xffff;
		snprintf(vc->error_text, sizeof vc->error_text, "malformed OFPT_ERROR (%zu bytes)",
			 len);
		goto out;
	}
	vc->error.type = em.type;
	vc->error.code = em.code;
	if (em.type == OFPET_EXPERIMENTER && em.experimenter == ONF_EXPERIMENTER_ID &&
	    ofp_bundle_err_name(em.code))
		buf_printf(&b, "OFPBFC_%s", ofp_bundle_err_name(em.code));
	else
		ofp_error_format(&vc->error, &b);
	if (em.type == OFPET_HELLO_FAILED && em.data.len)
		buf_printf(&b, " (%.*s)", (int)PFS_MIN(em.data.len, 100), em.data.data);
	snprintf(vc->error_text, sizeof vc->error_text, "%s", buf_cstr(&b));
out:
	buf_uninit(&b);
	arena_free(&a);
}

static void
pass_on(struct vconn *vc, const uint8_t *msg, size_t len)
{
	if (vc->unsolicited)
		vc->unsolicited(vc->aux, msg, len);
}

int
vconn_transact(struct vconn *vc, const struct buf *req, struct buf *reply)
{
	struct ofp_header_info rq, h;
	const uint8_t *msg;
	size_t len;
	int err;

	if (!ofp_header_peek(req->data, req->size, &rq))
		return -EINVAL;
	err = vconn_send(vc, req->data, req->size);
	if (err)
		return err;
	for (;;) {
		err = vconn_recv(vc, &msg, &len);
		if (err)
			return err;
		ofp_header_peek(msg, len, &h);
		if (h.xid != rq.xid || h.type == OFPT_HELLO) {
			pass_on(vc, msg, len);
			continue;
		}
		if (h.type == OFPT_ERROR) {
			note_error(vc, msg, len);
			return -EPROTO;
		}
		buf_clear(reply);
		buf_put(reply, msg, len);
		return buf_error(reply);
	}
}

int
vconn_dump(struct vconn *vc, const struct buf *req, uint16_t *type, struct buf *body)
{
	struct ofp_header_info rq, h;
	struct ofp_mp_assembled done;
	struct ofp_err perr;
	const uint8_t *msg;
	size_t len;
	int err;

	if (!ofp_header_peek(req->data, req->size, &rq) || req->size < 16)
		return -EINVAL;
	err = vconn_send(vc, req->data, req->size);
	if (err)
		return err;
	buf_clear(body);
	for (;;) {
		err = vconn_recv(vc, &msg, &len);
		if (err)
			goto out;
		ofp_header_peek(msg, len, &h);
		if (h.xid != rq.xid || h.type == OFPT_HELLO) {
			pass_on(vc, msg, len);
			continue;
		}
		if (h.type == OFPT_ERROR) {
			note_error(vc, msg, len);
			err = -EPROTO;
			goto out;
		}
		if (h.type != OFPT_MULTIPART_REPLY || ofp_header_check(msg, len, &h, &perr)) {
			snprintf(vc->error_text, sizeof vc->error_text,
				 "unexpected %s reply to a multipart request",
				 ofp_msg_type_name(h.type) ? ofp_msg_type_name(h.type) : "unknown");
			err = -EPROTO;
			goto out;
		}
		if (get_be16(msg + 8) != get_be16(req->data + 8)) {
			snprintf(vc->error_text, sizeof vc->error_text,
				 "multipart reply of type %u to a request of type %u",
				 get_be16(msg + 8), get_be16(req->data + 8));
			err = -EPROTO;
			goto out;
		}
		err = ofp_mp_assembler_add(&vc->as, msg, len, &done, &perr);
		if (err < 0) {
			snprintf(vc->error_text, sizeof vc->error_text,
				 "multipart reply does not reassemble");
			goto out;
		}
		if (err == 1) {
			*type = done.type;
			buf_put(body, done.body, done.len);
			return buf_error(body);
		}
	}
out:
	ofp_mp_assembler_drop(&vc->as, rq.xid);
	return err;
}

int
vconn_barrier(struct vconn *vc, vconn_error_cb *cb, void *aux)
{
	struct buf req = BUF_INITIALIZER;
	struct ofp_header_info h;
	uint32_t xid = vconn_next_xid(vc);
	const uint8_t *msg;
	size_t len;
	int err, n_errors = 0;

	err = ofp_empty_encode(OFPT_BARRIER_REQUEST, xid, &req);
	if (!err)
		err = vconn_send(vc, req.data, req.size);
	buf_uninit(&req);
	while (!err) {
		err = vconn_recv(vc, &msg, &len);
		if (err)
			break;
		ofp_header_peek(msg, len, &h);
		if (h.type == OFPT_ERROR) {
			note_error(vc, msg, len);
			n_errors++;
			if (cb)
				cb(aux, h.xid, &vc->error, vc->error_text);
			if (h.xid == xid)
				break;
			continue;
		}
		if (h.type == OFPT_BARRIER_REPLY && h.xid == xid)
			break;
		pass_on(vc, msg, len);
	}
	if (!err && n_errors)
		err = -EPROTO;
	return err;
}

/* Sends our HELLO, reads the peer's and negotiates. */
static int
handshake(struct vconn *vc, char *errbuf, size_t errlen)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_header_info h;
	struct ofp_hello hello;
	struct ofp_err perr;
	const uint8_t *msg;
	uint8_t version = 0;
	size_t len;
	int err;

	err = ofp_hello_encode_default(vconn_next_xid(vc), &b);
	if (!err)
		err = vconn_send(vc, b.data, b.size);
	if (err)
		goto out;
	err = recv_raw(vc, &msg, &len);
	if (err)
		goto out;
	ofp_header_peek(msg, len, &h);
	if (h.type != OFPT_HELLO) {
		/* An older peer may answer our HELLO with an error in its own version. */
		if (h.type == OFPT_ERROR && len >= 12) {
			snprintf(errbuf, errlen,
				 "switch refused the connection: error type %u code %u",
				 get_be16(msg + 8), get_be16(msg + 10));
		} else {
			snprintf(errbuf, errlen, "expected HELLO, got message type %u", h.type);
		}
		err = -EPROTO;
		goto out;
	}
	err = ofp_hello_decode(msg, len, &a, &hello, &perr);
	if (err) {
		snprintf(errbuf, errlen, "malformed HELLO from switch");
		goto out;
	}
	if (ofp_hello_negotiate(&hello, h.version, &version)) {
		buf_clear(&b);
		perr.type = OFPET_HELLO_FAILED;
		perr.code = OFPHFC_INCOMPATIBLE;
		if (!ofp_error_reply(&perr, msg, len, &b))
			stream_send(&vc->s, b.data, b.size);
		snprintf(errbuf, errlen,
			 "switch does not speak OpenFlow 1.3 (its HELLO has version 0x%02x)",
			 h.version);
		err = -EPROTO;
		goto out;
	}
	vc->version = version;
out:
	if (err && errbuf && !*errbuf && vc->s.tls && *stream_tls_error(vc->s.tls))
		snprintf(errbuf, errlen, "%s", stream_tls_error(vc->s.tls));
	else if (err == -ETIMEDOUT && errbuf && !*errbuf)
		snprintf(errbuf, errlen, "no HELLO from switch (timed out)");
	else if (err == -ECONNRESET && errbuf && !*errbuf)
		snprintf(errbuf, errlen, "connection closed during HELLO exchange");
	else if (err && errbuf && !*errbuf)
		snprintf(errbuf, errlen, "HELLO exchange failed: %s", strerror(-err));
	buf_uninit(&b);
	arena_free(&a);
	return err;
}

static int
open_fd(int fd, const char *name, struct stream_tls_ctx *tls, int timeout_ms, struct vconn **out,
	char *errbuf, size_t errlen)
{
	struct vconn *vc;
	int err, flags;

	*out = NULL;
	if (errbuf && errlen)
		*errbuf = '\0';
	/* Waits are poll()'s job: reads and writes must never block. */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		err = -errno;
		close(fd);
		snprintf(errbuf, errlen, "%s: %s", name, strerror(-err));
		return err;
	}
	vc = pfs_calloc(1, sizeof *vc);
	if (!vc || stream_init(&vc->s, fd)) {
		free(vc);
		close(fd);
		snprintf(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(vc->name, sizeof vc->name, "%s", name);
	vc->timeout_ms = timeout_ms;
	vc->deadline_ms = -1;
	vc->next_xid = 1;
	ofp_mp_assembler_init(&vc->as, VCONN_MP_MAX_BYTES, 0);
	if (tls && stream_tls_start(&vc->s, tls, false)) {
		vconn_close(vc);
		snprintf(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}
	err = handshake(vc, errbuf, errlen);
	if (err) {
		vconn_close(vc);
		return err;
	}
	*out = vc;
	return 0;
}

int
vconn_open_fd(int fd, const char *name, int timeout_ms, struct vconn **out, char *errbuf,
	      size_t errlen)
{
	return open_fd(fd, name, NULL, timeout_ms, out, errbuf, errlen);
}

int
vconn_open(const char *target, int timeout_ms, struct vconn **out, char *errbuf, size_t errlen)
{
	return vconn_open_tls(target, NULL, timeout_ms, out, errbuf, errlen);
}

int
vconn_open_tls(const char *target, struct stream_tls_ctx *tls, int timeout_ms, struct vconn **out,
	       char *errbuf, size_t errlen)
{
	struct stream_addr addr;
	int fd, err;

	*out = NULL;
	err = stream_addr_parse(target, OFP_TCP_PORT, &addr, errbuf, errlen);
	if (err)
		return err;
	if (stream_addr_is_passive(&addr)) {
		snprintf(errbuf, errlen,
			 "\"%s\": a switch is reached by tcp:, ssl: or unix:", target);
		return -EINVAL;
	}
	if (stream_addr_is_tls(&addr) && !tls) {
		snprintf(errbuf, errlen,
			 "\"%s\": ssl: needs a private key, a certificate and a CA certificate",
			 target);
		return -EINVAL;
	}
	if (!stream_addr_is_tls(&addr))
		tls = NULL;
	fd = stream_connect(&addr, timeout_ms);
	if (fd < 0) {
		snprintf(errbuf, errlen, "cannot connect to %s: %s", target,
			 fd == -ETIMEDOUT ? "timed out" : strerror(-fd));
		return fd;
	}
	return open_fd(fd, target, tls, timeout_ms, out, errbuf, errlen);
}

void
vconn_close(struct vconn *vc)
{
	if (!vc)
		return;
	stream_close(&vc->s);
	ofp_mp_assembler_uninit(&vc->as);
	free(vc);
}
