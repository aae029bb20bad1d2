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

#endif /* PFS_HANDLERS_H */
