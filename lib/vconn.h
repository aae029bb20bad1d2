/* An OpenFlow 1.3 client connection ("virtual connection" over a stream socket, the
 * name OpenFlow tools have long used for it): connects to tcp:/ssl:/unix: targets, exchanges
 * HELLO with version negotiation (ofp_hello_negotiate), answers ECHO_REQUEST while it
 * waits, matches replies to requests by xid with a timeout, collects multipart replies
 * (REPLY_MORE) through ofp_multipart.h's assembler, sends barriers, and turns OFPT_ERROR
 * replies into -EPROTO with the error's type and code names kept for the caller.
 *
 * Used by pfs-ofctl; the switch daemon has its own server-side connections but shares
 * stream.h. Blocking API with timeouts, built on a non-blocking socket and poll().
 * Every function returns 0 or a negative errno:
 *   -ETIMEDOUT   no answer within the per-wait timeout or before the deadline
 *   -ECONNRESET  the switch closed the connection
 *   -EPROTO      an OFPT_ERROR answered the request (vconn_error_text() names it), a
 *                message that could not be decoded, or a failed version negotiation
 *   -ENOMEM, and the stream's socket errors. */
#ifndef PFS_VCONN_H
#define PFS_VCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofp_error.h"
#include "ofp_multipart.h"
#include "stream.h"

struct buf;
struct stream_tls_ctx;
struct vconn;

/* Called for every message that is not the awaited reply (PACKET_IN, PORT_STATUS, a
 * late reply...) while a call waits. msg is valid only during the call. */
typedef void vconn_unsolicited_cb(void *aux, const uint8_t *msg, size_t len);
/* Called by vconn_barrier() for each OFPT_ERROR that answers an earlier request. */
typedef void vconn_error_cb(void *aux, uint32_t xid, const struct ofp_err *err, const char *text);

struct vconn {
	struct stream s;
	char name[160];	 /* the target as given, for messages */
	uint8_t version; /* negotiated: OFP13_VERSION once open */
	uint32_t next_xid;
	int timeout_ms;	     /* per wait; < 0 waits forever */
	int64_t deadline_ms; /* CLOCK_MONOTONIC ms after which every wait fails; < 0 none */
	struct ofp_multipart_assembler as;
	struct ofp_err error; /* the last OFPT_ERROR that answered a request */
	uint32_t error_xid;   /* its xid */
	char error_text[256]; /* "OFPET_BAD_MATCH/OFPBMC_BAD_PREREQ" */
	vconn_unsolicited_cb *unsolicited;
	void *aux;
	/* vconn_recv() hands ECHO_REQUESTs to the caller unanswered: set by a snooper,
	 * whose messages are copies of someone else's conversation. */
	bool echo_passthrough;
};

#define VCONN_TIMEOUT_DEFAULT_MS 10000
/* Bound on one reassembled multipart reply (many flows). */
#define VCONN_MP_MAX_BYTES (512u << 20)

/* Connects to target ("tcp:IP[:PORT]", default port OFP_TCP_PORT, or "unix:PATH")
 * within timeout_ms and completes the HELLO exchange. On failure errbuf says why in one
 * line: -EINVAL (bad target, or ssl: here), connect()'s errno, -ETIMEDOUT, -ECONNRESET,
 * -EPROTO (the peer does not speak OpenFlow 1.3: HELLO_FAILED is sent to it; or the TLS
 * handshake failed), -ENOMEM. */
int vconn_open(const char *target, int timeout_ms, struct vconn **out, char *errbuf, size_t errlen);
/* The same, where an "ssl:IP[:PORT]" target runs TLS with tls (stream_tls.h) under the
 * HELLO exchange: a switch whose certificate does not verify gives -EPROTO with OpenSSL's
 * reason in errbuf. tls may be NULL for other targets (ssl: then gives -EINVAL). */
int vconn_open_tls(const char *target, struct stream_tls_ctx *tls, int timeout_ms,
		   struct vconn **out, char *errbuf, size_t errlen);
/* The same over an already connected socket, which is made non-blocking and is owned
 * by the vconn from now on, even on failure. */
int vconn_open_fd(int fd, const char *name, int timeout_ms, struct vconn **out, char *errbuf,
		  size_t errlen);
/* Closes the connection. NULL-safe. */
void vconn_close(struct vconn *vc);
/* Sets a deadline timeout_ms from now for every later wait (< 0 removes it). */
void vconn_set_deadline(struct vconn *vc, int timeout_ms);
/* A fresh transaction id. */
uint32_t vconn_next_xid(struct vconn *vc);

/* Sends len bytes holding one or more whole messages (blocks until queued data drains
 * below the stream's bound). */
int vconn_send(struct vconn *vc, const void *msg, size_t len);
/* Receives the next message, answering ECHO_REQUESTs on the way (returning them
 * unanswered with vc->echo_passthrough). *msg is valid until
 * the next call. A message whose version is not OpenFlow 1.3 (HELLO aside) gives
 * -EPROTO with *msg and *len still set to it (a snooper may show it anyway). */
int vconn_recv(struct vconn *vc, const uint8_t **msg, size_t *len);
/* Sends one request (req holds a whole message; its xid is read from it) and waits for
 * the message with the same xid, copied into reply (cleared first). An OFPT_ERROR with
 * that xid gives -EPROTO with vc->error / vconn_error_text() set. */
int vconn_transact(struct vconn *vc, const struct buf *req, struct buf *reply);
/* Sends a multipart request (req: one or more MULTIPART_REQUEST messages with one
 * xid) and collects every reply part up to the one without REPLY_MORE. *type receives
 * the OFPMP_* type and body the concatenated reply bodies (cleared first). -EPROTO for
 * an OFPT_ERROR, a reply of the wrong type, or a reply that does not reassemble. */
int vconn_dump(struct vconn *vc, const struct buf *req, uint16_t *type, struct buf *body);
/* Sends BARRIER_REQUEST and waits for its reply. Every OFPT_ERROR that arrives before
 * it (answers to requests sent earlier without waiting) is handed to cb (if not NULL),
 * and the result is -EPROTO if there was any, with vc->error the last one. */
int vconn_barrier(struct vconn *vc, vconn_error_cb *cb, void *aux);
/* The last error reply as "OFPET_TYPE/OFPXXX_CODE" ("" if none). */
const char *vconn_error_text(const struct vconn *vc);

#endif /* PFS_VCONN_H */
