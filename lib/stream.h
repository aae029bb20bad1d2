/* Stream sockets for OpenFlow connections, DPDK-free and shared by pfs-ofctl and the
 * switch daemon: address parsing ("tcp:IP[:PORT]", "unix:PATH", "ptcp:[PORT][:IP]",
 * "punix:PATH"), active connect with a timeout, passive listen/accept, and a
 * connection (struct stream) that frames OpenFlow messages out of the byte stream and
 * queues outgoing bytes, usable on blocking or non-blocking sockets (poll loop or epoll).
 *
 * TLS ("ssl:IP[:PORT]", "pssl:[PORT][:IP]") is the same TCP socket with an OpenSSL
 * session on it (stream_tls.h): stream_tls_start() attaches one to a stream, whose reads
 * and writes then go through it.
 *
 * Every function returns 0 (or a count / fd) on success and a negative errno on failure;
 * nothing here logs or exits. Uses buf.h and stream_tls.h. */
#ifndef PFS_STREAM_H
#define PFS_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "buf.h"

enum stream_kind {
	STREAM_TCP,   /* active tcp:IP[:PORT] */
	STREAM_UNIX,  /* active unix:PATH */
	STREAM_PTCP,  /* passive ptcp:[PORT][:IP] */
	STREAM_PUNIX, /* passive punix:PATH */
	STREAM_SSL,   /* active ssl:IP[:PORT] (TLS over TCP) */
	STREAM_PSSL,  /* passive pssl:[PORT][:IP] */
};

/* A parsed address. sa/sa_len are ready for connect()/bind(). */
struct stream_addr {
	enum stream_kind kind;
	struct sockaddr_storage sa;
	socklen_t sa_len;
	char path[108]; /* unix kinds: the socket path (also in sa) */
};

/* Parses name. default_port is used by tcp:/ssl: without a port (OFP_TCP_PORT for
 * OpenFlow) and by ptcp:/pssl: without one (0 = pick any free port). IPv6 addresses go
 * in brackets ("tcp:[::1]:6653"). Returns 0 or -EINVAL with errbuf naming what is wrong
 * (no or unknown prefix, bad address, port out of range, path empty or longer than a
 * unix socket allows). ptcp: without an IP listens on 127.0.0.1 only ("ptcp:PORT:0.0.0.0"
 * or "ptcp:PORT:[::]" opens it to every address); pssl: without one listens on every
 * address, since each peer must present a certificate the CA signed. */
int stream_addr_parse(const char *name, uint16_t default_port, struct stream_addr *out,
		      char *errbuf, size_t errlen);
/* True for ptcp:/punix:/pssl:. */
bool stream_addr_is_passive(const struct stream_addr *a);
/* True for a unix address or a tcp/ptcp address on a loopback IP (127.0.0.0/8, ::1):
 * what only local users can reach. */
bool stream_addr_is_local(const struct stream_addr *a);
/* True for ssl:/pssl:. */
bool stream_addr_is_tls(const struct stream_addr *a);
/* Appends the canonical name ("tcp:127.0.0.1:6653", "unix:/run/x.mgmt"). */
void stream_addr_format(const struct stream_addr *a, struct buf *b);

/* Connects to an active address. timeout_ms < 0 waits as long as the kernel does.
 * Returns a connected, non-blocking, close-on-exec socket, or -EINVAL (passive
 * address), -ETIMEDOUT, or connect()'s errno (-ECONNREFUSED, -ENOENT, -EACCES, ...). */
int stream_connect(const struct stream_addr *a, int timeout_ms);
/* Listens on a passive address (backlog STREAM_LISTEN_BACKLOG). punix: removes a stale
 * socket file first (not any other kind of file: -EEXIST) and creates it with mode 0600
 * (bind() under umask 0177: no window with looser permissions); ptcp: sets
 * SO_REUSEADDR.
 * Returns a non-blocking, close-on-exec listening socket or -errno (-EINVAL for an
 * active address, -EADDRINUSE, -EACCES, ...). */
int stream_listen(const struct stream_addr *a);
/* Listening sockets handed over by another process (pfswitchd --takeover): fd is
 * remembered, and the next stream_listen() on the address it is bound to returns it
 * instead of binding a new socket, so connections queued on it are kept. 0, -ENOSPC
 * (STREAM_MAX_INHERITED held already) or -ENOTSOCK. */
#define STREAM_MAX_INHERITED 32
int stream_inherit_listener(int fd);
/* Closes the inherited sockets no stream_listen() took; returns how many. */
unsigned stream_inherited_close_unused(void);
/* Appends to fds (room for max) every listening SOCK_STREAM socket of this process
 * (unix, IPv4, IPv6) except skip_fd, for handing over; returns how many. */
unsigned stream_list_listeners(int *fds, unsigned max, int skip_fd);
/* Removes a punix: socket file at close, unless stream_keep_socket_files(true) was
 * called (the process handed its sockets over: the files now belong to the next). */
void stream_unlink_listener(const char *path);
void stream_keep_socket_files(bool keep);

/* The TCP port a socket is bound to (for ptcp:0), or -errno. */
int stream_local_port(int fd);
/* Accepts one connection: a non-blocking, close-on-exec socket, -EAGAIN if none is
 * pending, or accept()'s -errno. */
int stream_accept(int listen_fd);

struct stream_tls;

/* One OpenFlow connection over a socket: incoming bytes are framed into messages by
 * the length in their 8-byte header; outgoing messages wait in a queue until the
 * socket takes them. The stream owns fd. */
struct stream {
	int fd;
	uint8_t *rx;	 /* receive buffer, STREAM_RX_SIZE bytes */
	size_t rx_start; /* first unconsumed byte */
	size_t rx_end;	 /* end of received bytes */
	size_t rx_last;	 /* length of the message returned last (consumed on the next recv) */
	struct buf tx;	 /* output queue; bytes before tx_ofs are already sent */
	size_t tx_ofs;
	size_t tx_max;		/* bound on queued bytes, STREAM_TX_MAX_DEFAULT */
	uint64_t n_rx, n_tx;	/* messages received and queued */
	uint64_t n_tx_bytes;	/* bytes the socket took (transmit progress) */
	struct stream_tls *tls; /* TLS session, or NULL for a plain socket */
};

#define STREAM_RX_SIZE (2 * 65536)
#define STREAM_TX_MAX_DEFAULT (16u << 20)
#define STREAM_LISTEN_BACKLOG 64
/* The output queue is compacted (unsent bytes moved to the front) once the sent prefix
 * is as large as what is left: the buffer stays within about twice the pending bytes
 * instead of growing with everything sent since it was last empty. An emptied queue
 * whose allocation exceeds STREAM_TX_KEEP is freed. */
#define STREAM_TX_KEEP (256u << 10)

/* Takes ownership of fd. 0 or -ENOMEM (fd is then left open). */
int stream_init(struct stream *s, int fd);
/* Closes the socket and frees the buffers. NULL-safe, idempotent. */
void stream_close(struct stream *s);
/* Returns the next complete message: 0 with *msg and *len set (valid until the next call
 * on s); -EAGAIN if none is complete yet on a non-blocking socket; -ECONNRESET when
 * the peer closed the connection (orderly or not) -- bytes of a partial message left
 * at that point are dropped; -EPROTO when a header's length field is below 8 (the
 * stream cannot be re-synchronised: close it); or read()'s -errno. */
int stream_recv(struct stream *s, const uint8_t **msg, size_t *len);
/* True if stream_recv() would return a message without reading the socket. */
bool stream_has_message(const struct stream *s);
/* Queues len bytes (one or more whole messages) and tries to send. The bytes are
 * queued whole or not at all: 0 (possibly still queued), -ENOBUFS if the queue would
 * exceed tx_max or -ENOMEM if the queue cannot grow (in both cases nothing was queued
 * and what was queued before, a partly sent message included, is intact: the caller
 * may retry later or close the stream), or write()'s -errno (-EPIPE when the peer is
 * gone). */
int stream_send(struct stream *s, const void *data, size_t len);
/* Writes queued bytes. 0 when the queue is empty, -EAGAIN if bytes remain, -errno. */
int stream_flush(struct stream *s);
/* Bytes waiting in the output queue. */
size_t stream_tx_pending(const struct stream *s);
/* True if the stream waits for its socket to become writable (poll/epoll interest in
 * POLLOUT): bytes are queued, or a TLS handshake has data to send. A TLS stream whose
 * queue waits on the peer's handshake data wants only POLLIN. */
bool stream_want_write(const struct stream *s);
/* Why the stream failed, for a log line: the TLS layer's reason when it has one ("TLS
 * handshake with 10.0.0.1:6653 failed: certificate verify failed ..."), else
 * strerror(-err). */
const char *stream_strerror(const struct stream *s, int err);
/* Waits until a message is ready to read (or the queue can drain, if it is not
 * empty), flushing as it goes. 0 when readable, -ETIMEDOUT after timeout_ms (< 0: no
 * limit), or -errno. */
int stream_wait(struct stream *s, int timeout_ms);

#endif /* PFS_STREAM_H */
