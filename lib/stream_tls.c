/* TLS sessions on stream sockets with OpenSSL (see stream_tls.h). The socket is wrapped
 * in a small BIO of our own so that writes use send(MSG_NOSIGNAL); the handshake is
 * driven explicitly from the first read or write so that its failure is told apart from
 * a failure of the session, and each blocked operation remembers whether OpenSSL waits
 * to read or to write, which is what the poll interest must follow. */
#include "stream_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "stream.h"
#include "util.h"

struct stream_tls_ctx {
	SSL_CTX *ctx;
};

struct stream_tls {
	SSL *ssl;
	bool handshake_done;
	bool failed;
	int rd_want;	   /* SSL_ERROR_WANT_* that blocked the last read, 0 if none */
	int wr_want;	   /* ... the last write */
	char peer[64];	   /* "IP:PORT" */
	char subject[256]; /* of the peer's certificate */
	char err[400];
};

/* ---- A socket BIO that does not raise SIGPIPE --------------------------------------- */

static BIO_METHOD *bio_method;
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

static int
bio_fd(BIO *b)
{
	return (int)(intptr_t)BIO_get_data(b);
}

static int
bio_write(BIO *b, const char *p, int n)
{
	ssize_t r;

	BIO_clear_retry_flags(b);
	do
		r = send(bio_fd(b), p, (size_t)n, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		BIO_set_retry_write(b);
	return (int)r;
}

static int
bio_read(BIO *b, char *p, int n)
{
	ssize_t r;

	BIO_clear_retry_flags(b);
	do
		r = recv(bio_fd(b), p, (size_t)n, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		BIO_set_retry_read(b);
	return (int)r;
}

static long
bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH; /* nothing is buffered here */
}

static int
bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static void
bio_method_init(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "pfs socket");

	if (!m)
		return;
	if (!BIO_meth_set_write(m, bio_write) || !BIO_meth_set_read(m, bio_read) ||
	    !BIO_meth_set_ctrl(m, bio_ctrl) || !BIO_meth_set_create(m, bio_create)) {
		BIO_meth_free(m);
		return;
	}
	bio_method = m;
}

/* ---- Error text --------------------------------------------------------------------- */

/* Appends the first reason OpenSSL queued (the root cause; later ones repeat it from
 * higher layers) and the certificate check's verdict to buf, and clears the queue. */
static void
append_reasons(SSL *ssl, char *buf, size_t len)
{
	size_t n = strlen(buf);
	unsigned long e = ERR_peek_error();
	const char *r = NULL;
	char code[128];

	if (ERR_SYSTEM_ERROR(e))
		r = strerror(ERR_GET_REASON(e));
	else if (e)
		r = ERR_reason_error_string(e);
	if (e && !r) {
		ERR_error_string_n(e, code, sizeof(code));
		r = code;
	}
	ERR_clear_error();
	snprintf(buf + n, len - n, "%s", r ? r : "unknown TLS error");
	n = strlen(buf);
	if (ssl && SSL_get_verify_result(ssl) != X509_V_OK && n + 1 < len)
		snprintf(buf + n, len - n, " (%s)",
			 X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
}

static const char *
phase(const struct stream_tls *t)
{
	return t->handshake_done ? "session" : "handshake";
}

/* Turns a failed SSL_*() call into -EAGAIN (want set), 0 (orderly end), or an error
 * with t->err set. */
static int
ssl_result(struct stream_tls *t, int *want)
{
	int saved = errno;
	int e = SSL_get_error(t->ssl, 0);

	switch (e) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		*want = e;
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		if (!saved)
			return 0;
		snprintf(t->err, sizeof(t->err), "TLS %s with %s failed: %s", phase(t), t->peer,
			 strerror(saved));
		t->failed = true;
		return -saved;
	default:
		snprintf(t->err, sizeof(t->err), "TLS %s with %s failed: ", phase(t), t->peer);
		append_reasons(t->ssl, t->err, sizeof(t->err));
		t->failed = true;
		return -EPROTO;
	}
}

static void
note_peer(struct stream_tls *t)
{
	X509 *cert = SSL_get0_peer_certificate(t->ssl);

	if (cert)
		X509_NAME_oneline(X509_get_subject_name(cert), t->subject, sizeof(t->subject));
	else
		snprintf(t->subject, sizeof(t->subject), "(no certificate)");
}

static int
handshake(struct stream_tls *t, int *want)
{
	int r;

	if (t->handshake_done)
		return 0;
	if (t->failed)
		return -EPROTO;
	ERR_clear_error();
	errno = 0;
	if (SSL_do_handshake(t->ssl) == 1) {
		t->handshake_done = true;
		t->rd_want = t->wr_want = 0;
		note_peer(t);
		return 0;
	}
	r = ssl_result(t, want);
	if (r == 0) {
		snprintf(t->err, sizeof(t->err),
			 "TLS handshake with %s failed: the peer closed the connection", t->peer);
		t->failed = true;
		return -EPROTO;
	}
	return r;
}

/* ---- Context ------------------------------------------------------------------------ */

/* "WHAT FILE: OpenSSL's reasons", then frees c. */
static int
ctx_fail(SSL_CTX *c, char *errbuf, size_t errlen, const char *what, const char *file,
	 const char *tail)
{
	snprintf(errbuf, errlen, "%s %s%s: ", what, file, tail);
	append_reasons(NULL, errbuf, errlen);
	SSL_CTX_free(c);
	return -EINVAL;
}

int
stream_tls_ctx_create(const struct stream_tls_config *cfg, struct stream_tls_ctx **out,
		      char *errbuf, size_t errlen)
{
	STACK_OF(X509_NAME) * names;
	struct stream_tls_ctx *x;
	SSL_CTX *c;

	*out = NULL;
	if (!cfg->private_key || !cfg->certificate || !cfg->ca_cert) {
		snprintf(errbuf, errlen,
			 "TLS needs a private key, a certificate and a CA certificate");
		return -EINVAL;
	}
	pthread_once(&bio_once, bio_method_init);
	ERR_clear_error();
	c = SSL_CTX_new(TLS_method());
	if (!bio_method || !c) {
		SSL_CTX_free(c);
		snprintf(errbuf, errlen, "TLS: out of memory");
		return -ENOMEM;
	}
	SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
	SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
				       SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* stream.c retries a write with its queue, which may have grown or moved. */
	SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* Sessions are long-lived: no resumption, no tickets to send after the handshake. */
	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(c, 0);
	if (SSL_CTX_use_certificate_chain_file(c, cfg->certificate) != 1)
		return ctx_fail(c, errbuf, errlen, "certificate", cfg->certificate, "");
	if (SSL_CTX_use_PrivateKey_file(c, cfg->private_key, SSL_FILETYPE_PEM) != 1)
		return ctx_fail(c, errbuf, errlen, "private key", cfg->private_key, "");
	if (SSL_CTX_check_private_key(c) != 1)
		return ctx_fail(c, errbuf, errlen, "private key", cfg->private_key,
				" does not match the certificate");
	if (SSL_CTX_load_verify_locations(c, cfg->ca_cert, NULL) != 1)
		return ctx_fail(c, errbuf, errlen, "CA certificate", cfg->ca_cert, "");
	/* A server tells clients which CAs it accepts. */
	names = SSL_load_client_CA_file(cfg->ca_cert);
	if (names)
		SSL_CTX_set_client_CA_list(c, names);
	ERR_clear_error();
	SSL_CTX_set_verify(c,
			   cfg->verify_peer ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
					    : SSL_VERIFY_NONE,
			   NULL);
	x = pfs_calloc(1, sizeof(*x));
	if (!x) {
		SSL_CTX_free(c);
		snprintf(errbuf, errlen, "TLS: out of memory");
		return -ENOMEM;
	}
	x->ctx = c;
	*out = x;
	return 0;
}

void
stream_tls_ctx_destroy(struct stream_tls_ctx *ctx)
{
	if (!ctx)
		return;
	SSL_CTX_free(ctx->ctx);
	free(ctx);
}

/* ---- Sessions ----------------------------------------------------------------------- */

static void
format_peer(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char ip[INET6_ADDRSTRLEN] = "?";

	snprintf(buf, len, "(unknown peer)");
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(sin->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(sin6->sin6_port));
	}
}

int
stream_tls_start(struct stream *s, struct stream_tls_ctx *ctx, bool server)
{
	struct stream_tls *t = pfs_calloc(1, sizeof(*t));
	BIO *bio = NULL;

	if (!t)
		return -ENOMEM;
	t->ssl = SSL_new(ctx->ctx);
	if (t->ssl)
		bio = BIO_new(bio_method);
	if (!bio) {
		SSL_free(t->ssl);
		free(t);
		ERR_clear_error();
		return -ENOMEM;
	}
	BIO_set_data(bio, (void *)(intptr_t)s->fd);
	SSL_set_bio(t->ssl, bio, bio);
	if (server)
		SSL_set_accept_state(t->ssl);
	else
		SSL_set_connect_state(t->ssl);
	format_peer(s->fd, t->peer, sizeof(t->peer));
	s->tls = t;
	return 0;
}

const char *
stream_tls_peer_subject(const struct stream *s)
{
	return s->tls ? s->tls->subject : "";
}

ssize_t
stream_tls_read(struct stream_tls *t, void *p, size_t n)
{
	size_t got = 0;
	int r;

	r = handshake(t, &t->rd_want);
	if (r)
		return r;
	ERR_clear_error();
	errno = 0;
	if (SSL_read_ex(t->ssl, p, n, &got) == 1) {
		t->rd_want = 0;
		return (ssize_t)got;
	}
	return ssl_result(t, &t->rd_want);
}

ssize_t
stream_tls_write(struct stream_tls *t, const void *p, size_t n)
{
	size_t put = 0;
	int r;

	r = handshake(t, &t->wr_want);
	if (r)
		return r;
	ERR_clear_error();
	errno = 0;
	if (SSL_write_ex(t->ssl, p, n, &put) == 1) {
		t->wr_want = 0;
		return (ssize_t)put;
	}
	r = ssl_result(t, &t->wr_want);
	/* The peer closed the session: writing more is a broken pipe. */
	return r == 0 ? -EPIPE : r;
}

bool
stream_tls_pending(const struct stream_tls *t)
{
	return SSL_pending(t->ssl) > 0;
}

bool
stream_tls_want_write(const struct stream_tls *t, bool tx_pending)
{
	if (t->rd_want == SSL_ERROR_WANT_WRITE || t->wr_want == SSL_ERROR_WANT_WRITE)
		return true;
	return tx_pending && t->wr_want != SSL_ERROR_WANT_READ;
}

const char *
stream_tls_error(const struct stream_tls *t)
{
	return t->err;
}

void
stream_tls_free(struct stream_tls *t)
{
	if (!t)
		return;
	if (t->handshake_done && !t->failed) {
		SSL_shutdown(t->ssl); /* close_notify, without waiting for the peer's */
		ERR_clear_error();
	}
	SSL_free(t->ssl);
	free(t);
}
