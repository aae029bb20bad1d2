/* Ethernet frames from match fields, and one-line summaries of frames: what pfs-ofctl
 * trace sends for a packet given in flow syntax ("in_port=1,udp,nw_dst=10.0.0.2,
 * tp_dst=53") and prints for the packet it traces. DPDK-free; no checksum but IPv4's.
 *
 * Layers: Ethernet, an 802.1Q tag (vlan_vid with OFPVID_PRESENT, vlan_pcp), then by
 * eth_type: IPv4 (dscp, ecn, proto, addresses; TTL 64) with TCP, UDP, SCTP or ICMP;
 * IPv6 (dscp, ecn, flow label, addresses; hop limit 64) with TCP, UDP, SCTP or ICMPv6
 * (neighbour solicitation/advertisement with target and link-layer address option);
 * ARP (Ethernet/IPv4); MPLS (one label stack entry, TTL 64). Fields a packet does not
 * carry in its bytes (metadata, tunnel_id, in_phy_port, pbb_isid, ipv6_exthdr) are
 * refused; in_port is the caller's. A masked field contributes its masked value. The
 * frame is padded to 60 bytes. Uses oxm.h's match. */
#ifndef PFS_FRAME_H
#define PFS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "oxm.h"

struct buf;

#define FRAME_MAX_SYNTH 256 /* bytes frame_from_match() may write */

/* Writes into out (room bytes, at least FRAME_MAX_SYNTH) a frame that matches m and
 * sets *len. 0; -EINVAL with errbuf saying which field cannot be synthesized; -ENOSPC
 * if room is short. */
int frame_from_match(const struct ofp_match *m, uint8_t *out, size_t room, size_t *len,
		     char *errbuf, size_t errlen);

/* Appends a summary of the len-byte frame at p: "eth SRC > DST [vlan VID [pcp P]]
 * [ipv4 SRC > DST | ipv6 SRC > DST | arp OP SPA > TPA | mpls LABEL]
 * [tcp|udp|sctp SPORT > DPORT | icmp TYPE/CODE | icmp6 TYPE/CODE]", then
 * " (N bytes)". A layer cut short ends the summary with " truncated". */
void frame_format(const uint8_t *p, size_t len, struct buf *b);

#endif /* PFS_FRAME_H */
