/* OpenFlow 1.3 message handlers: one table from message type to handler (and whether
 * the type changes switch state, which a SLAVE connection may not do: IS_SLAVE).
 * Every request gets its reply or the specific OFPT_ERROR; the connection lives on.
 * Uses bridge.h for rule/port state, connmgr.h to reply, lib's codecs. */
#ifndef PFS_HANDLERS_H
#define PFS_HANDLERS_H

#include <stddef.h>
#include <stdint.h>

struct ofconn;

/* Handles one complete message received on an active connection. */
void handlers_dispatch(struct ofconn *c, const uint8_t *msg, size_t len);

struct ofp_packet_out;
struct ofp_err;

/* PACKET_OUT's checks (buffer id, groups named by its actions) against the state now.
 * 0 or -EPROTO with *err. */
int handlers_packet_out_check(struct ofconn *c, const struct ofp_packet_out *po,
			      struct ofp_err *err);
/* Checks and sends a packet-out on c's bridge (staged flow changes published first).
 * 0 or -EPROTO with *err. */
int handlers_packet_out(struct ofconn *c, const struct ofp_packet_out *po, struct ofp_err *err);

#endif /* PFS_HANDLERS_H */
