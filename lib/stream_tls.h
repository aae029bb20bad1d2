/* TLS for streams ("ssl:", "pssl:"), with OpenSSL: a context holds this side's private
 * key, certificate and the CA certificate that peers must be signed by; a session runs
 * on a stream's non-blocking socket, and stream.c routes the stream's reads and writes
 * through it. TLS 1.2 is the oldest version offered or accepted. With verify_peer (the
 * default), a peer must present a certificate that chains to the CA certificate, or the
 * handshake fails; the name or address in the certificate is not checked (as Open
 * vSwitch does for controller connections: the CA decides who may connect).
 *
 * The handshake runs inside the first reads and writes: they return -EAGAIN until it
 * completes (stream_want_write() tells whether it waits on POLLOUT or POLLIN). A failed
 * handshake or a TLS error gives -EPROTO and stream_strerror() gives the reason, naming
 * the peer and OpenSSL's words ("certificate verify failed", "tlsv1 alert unknown ca",
 * ...). Nothing here logs. Writes use send(MSG_NOSIGNAL): a closed peer gives -EPIPE,
 * not SIGPIPE. */
#ifndef PFS_STREAM_TLS_H
#define PFS_STREAM_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct stream;
struct stream_tls;
struct stream_tls_ctx;

struct stream_tls_config {
	const char *private_key; /* PEM file */
	const char *certificate; /* PEM file: this side's certificate (and its chain) */
	const char *ca_cert;	 /* PEM file: the CA certificate(s) peers are checked against */
	bool verify_peer;	 /* refuse peers without a certificate signed by ca_cert */
};

/* Loads the files into a new context, used for both client and server sessions.
 * 0, or -EINVAL (a file missing from cfg, unreadable, not PEM, or a key that does not
 * match the certificate) or -ENOMEM, with errbuf naming the file and OpenSSL's reason. */
int stream_tls_ctx_create(const struct stream_tls_config *cfg, struct stream_tls_ctx **out,
			  char *errbuf, size_t errlen);
/* Frees the context (sessions hold their own reference). NULL-safe. */
void stream_tls_ctx_destroy(struct stream_tls_ctx *ctx);

/* Starts a TLS session on s (after stream_init(), before anything is sent): as the
 * client (server false: we connected) or the server (we accepted). 0 or -ENOMEM. */
int stream_tls_start(struct stream *s, struct stream_tls_ctx *ctx, bool server);
/* The peer certificate's subject after a completed handshake ("" otherwise). */
const char *stream_tls_peer_subject(const struct stream *s);

/* The transport hooks used by stream.c: a byte count, 0 at the end of the stream
 * (reads), -EAGAIN, -EPROTO (TLS failure: see stream_tls_error()) or the socket's -errno. */
ssize_t stream_tls_read(struct stream_tls *t, void *p, size_t n);
ssize_t stream_tls_write(struct stream_tls *t, const void *p, size_t n);
/* True if decrypted bytes wait inside the session (no poll event will announce them). */
bool stream_tls_pending(const struct stream_tls *t);
/* True if the session needs POLLOUT; tx_pending: the stream has bytes queued. */
bool stream_tls_want_write(const struct stream_tls *t, bool tx_pending);
/* The reason of the last failure ("" if none). */
const char *stream_tls_error(const struct stream_tls *t);
/* Sends close_notify if the session is open (without waiting) and frees it. NULL-safe. */
void stream_tls_free(struct stream_tls *t);

#endif /* PFS_STREAM_TLS_H */
