/* A bridge's state saved and restored (lib/state_fmt.h is the format): gathering every
 * flow with its counters and remaining timeouts, groups and meters with their counters,
 * port numbers and the controllers' roles and generation id into a state, and applying
 * one to freshly created bridges before their ports come up, so that forwarding resumes
 * without a controller. pfswitchd writes [switch] state_file on SIGTERM/SIGINT and
 * restores it on start; a live handover between two processes can carry the same bytes.
 *
 * Counters continue: a restored flow, group, meter or port reports its saved counters
 * plus its new traffic (the rule's pkt_ofs/byte_ofs baseline, the group's, meter's and
 * port's base);
 * timeouts continue from their remaining time (time while no process ran does not count);
 * no FLOW_REMOVED is sent for the save or the restore.
 *
 * Uses bridge.h, group.h, meter.h, connmgr.h, rule.h, lib's state_fmt and OpenFlow
 * codec. */
#ifndef PFS_STATE_H
#define PFS_STATE_H

#include <stddef.h>
#include <stdint.h>

struct bridge;
struct buf;
struct ofproto;

/* Appends br's records (BRIDGE, PORTs, GROUP_MODs and GROUPs in dependency order,
 * METER_MODs and METERs, FLOW_MODs each with its FLOW, MACs learned by NORMAL,
 * CONTROLLERS) to b, which holds a
 * state begun with state_write_header(). Counters are read from the datapath now (call
 * after dp_stop() for final ones). 0 or -ENOMEM. */
int state_gather_bridge(struct bridge *br, struct buf *b);
/* A complete state of every bridge of ofp (header, each bridge, END) in b (cleared
 * first). 0 or -ENOMEM. */
int state_gather(struct ofproto *ofp, struct buf *b);

/* Applies the records of the section of data (a whole state, checked with
 * state_read_begin()) whose BRIDGE record names br to br, which must be empty (just
 * created, before its ports): groups, meters, flows with their counters and timeouts.
 * Commits the
 * datapath once. 0 (also when the state has no section for br: *n_flows 0), or -EINVAL /
 * -EPROTONOSUPPORT from the check, or the first entry the bridge refused (-EPROTO,
 * -ENOMEM...), with errbuf naming the entry and the reason; what was applied before it
 * stays. n_flows, n_groups, n_meters (may be NULL) get the counts applied. */
int state_apply_bridge(struct bridge *br, const void *data, size_t len, unsigned *n_flows,
		       unsigned *n_groups, unsigned *n_meters, char *errbuf, size_t errlen);

/* The part of br's section that needs the ports and the connection manager: compares
 * the saved PORT records with br's ports (a port missing or renamed is logged; a port
 * found under the same number and name continues its counters), learns
 * the saved MAC addresses again (dp_mac_learn(), with their age; those whose port is
 * gone are dropped and counted in the log) and restores the controllers' generation id (so a stale
 * master is still refused after a restart; the roles themselves belong to connections, which a
 * restart does not keep: controllers ask for them again). Call after the ports and
 * connmgr_create(); data was accepted by state_apply_bridge(). */
void state_apply_bridge_finish(struct bridge *br, const void *data, size_t len);

/* For a live handover (handover.h): makes the counters of br's section of data (the
 * old process's final state, its workers stopped) the baseline of br's flows, groups and
 * meters (and ports, found by number and name), which were applied from an earlier state
 * of the same process by
 * state_apply_bridge() and may have forwarded since: they then report the old process's
 * totals plus their own traffic. Entries br lacks are skipped. 0, or -EINVAL /
 * -EPROTONOSUPPORT (errbuf says why) for a state that does not check. */
int state_apply_counters(struct bridge *br, const void *data, size_t len, char *errbuf,
			 size_t errlen);

/* pfswitchd's state_file: writes the state of every bridge to path atomically
 * (state_file_write()). 0 or -errno with errbuf saying what failed. */
int state_save_file(struct ofproto *ofp, const char *path, char *errbuf, size_t errlen);
/* Reads path and checks it whole (nothing applied when it is damaged, truncated or of a
 * newer version). 0 with *data and *len (free() *data), -ENOENT when there is no file, or
 * another -errno with errbuf naming the file and the reason. */
int state_load_file(const char *path, uint8_t **data, size_t *len, char *errbuf, size_t errlen);

#endif /* PFS_STATE_H */
