/* Bundles (ONF extension 230 for OpenFlow 1.3, the OpenFlow 1.4 bundle messages): each
 * connection may open bundles, add FLOW_MOD, GROUP_MOD, METER_MOD, PORT_MOD and
 * PACKET_OUT messages to them (checked as they are added), and commit one: every message
 * applies in order, or on the first failure everything is undone (bridge.h's journal)
 * and the error names the failing message (its own xid and bytes) before the commit is
 * answered MSG_FAILED. A commit reaches the datapath as one version (one dp_commit()):
 * every packet sees the rules from before it or from after it, never a mix. Port mods
 * apply after the datapath changes are staged, packet-outs run after the publish.
 * A bundle is discarded by DISCARD, when its connection closes, or after
 * bundle_idle_timeout seconds without a message; limits: bundle_max_open bundles per
 * connection, bundle_max_messages and bundle_max_bytes per bundle (config.h).
 *
 * Uses bridge.h, group.h, meter.h, connmgr.h to reply, handlers.h for packet-out, lib's
 * ofp_bundle codec. */
#ifndef PFS_BUNDLE_H
#define PFS_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

struct ofconn;
struct ofp_experimenter;
struct ofp_err;

/* Handles a BUNDLE_CONTROL or BUNDLE_ADD_MESSAGE (e: its experimenter framing; raw/len:
 * the whole message) received on c, sending the reply. 0, or -EPROTO with *err: the
 * error that answers raw. */
int bundle_handle(struct ofconn *c, const struct ofp_experimenter *e, const uint8_t *raw,
		  size_t len, struct ofp_err *err);
/* Discards c's bundles idle for bundle_idle_timeout seconds at now_ms. */
void bundle_expire(struct ofconn *c, uint64_t now_ms);
/* Discards every bundle of c (the connection is closing). */
void bundle_discard_all(struct ofconn *c);

#endif /* PFS_BUNDLE_H */
