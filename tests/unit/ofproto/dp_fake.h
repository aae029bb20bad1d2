/* Controls of the datapath test double (dp_fake.c) for tests/unit/ofproto. */
#ifndef PFS_TEST_DP_FAKE_H
#define PFS_TEST_DP_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath.h"

/* Live (not removed) datapath flows of a bridge. */
unsigned dp_fake_n_flows(const char *bridge);
/* 1 if NORMAL mode is committed, 0 if not, -1 for no such bridge. */
int dp_fake_normal_mode(const char *bridge);
/* Sets the counters of every flow of that priority. */
void dp_fake_set_flow_stats(const char *bridge, uint16_t priority, uint64_t packets, uint64_t bytes,
			    uint64_t last_used_ns);
/* Queues an upcall (at most 64 pending). */
void dp_fake_push_upcall(const char *bridge, uint32_t in_port, uint8_t reason, const void *frame,
			 uint16_t len);
/* While held, dp_upcall_recv() returns nothing, so a test can queue a batch that the
 * agent then takes at once. */
void dp_fake_hold_upcalls(bool hold);
/* Changes a port's link state; dp_port_poll_changes() then reports it. */
void dp_fake_set_link(const char *bridge, uint32_t ofport, bool up);
unsigned dp_fake_n_syncs(void);
/* Number of packet-outs so far, and the last one's in_port, length and action count. */
unsigned dp_fake_n_packet_outs(uint32_t *in_port, size_t *len, size_t *n_actions);

/* Forgets the learned MACs (dp_mac_learn() records them, dp_mac_dump() lists them). */
void dp_fake_clear_macs(void);

#endif /* PFS_TEST_DP_FAKE_H */
