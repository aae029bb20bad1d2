/* A packet as the datapath's pure code sees it, and the header edits that actions make.
 *
 * struct dp_pkt is a view of the first segment of a frame: the worker maps an mbuf to it
 * (data = rte_pktmbuf_mtod, len = data_len, frame_len = pkt_len, headroom =
 * rte_pktmbuf_headroom, tailroom = rte_pktmbuf_tailroom) and back (a push or pop moves
 * data within the headroom and changes len and frame_len by the same delta; a pad grows
 * len at the tail). Nothing here knows DPDK: tests run it on plain buffers.
 *
 * Padding: a push inserts its header and keeps the frame's Ethernet padding (a padded
 * 60-byte frame that gets a 4-byte tag is 64 bytes), as a switch forwarding the frame
 * unchanged otherwise must; a pop that leaves fewer than 60 bytes re-pads to 60. (The
 * Ryu/os-ken conformance suite compares frames byte for byte and expects exactly this.)
 *
 * dp_key_extract() (dp_key.h) fills the parsed offsets below; the edits use them and never
 * read or write outside [data - headroom, data + len + tailroom). A VLAN push or pop
 * keeps them as dp_key_extract() would set them for the edited frame (or says they are
 * stale: DP_PKT_F_STALE); after an MPLS or PBB push or pop they are stale until the next
 * dp_key_extract() (dp_prog.c re-extracts at once).
 *
 * Checksums: every set-field or TTL edit keeps the IPv4 header checksum and the
 * TCP/UDP/ICMPv4/ICMPv6 checksums right by incremental update (RFC 1624), including the
 * pseudo-header for address and ip_proto changes; a UDP-over-IPv4 checksum of 0 (none)
 * stays 0. SCTP's CRC32c is updated incrementally too (CRC is linear, so the change of
 * the port bytes is folded in without reading the payload, which may sit in later
 * segments), as Open vSwitch does: a wrong checksum stays exactly as wrong as it came. */
#ifndef PFS_DP_PKT_H
#define PFS_DP_PKT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DP_PKT_NONE 0xffffu /* an offset for a header the packet does not have */
#define DP_PKT_MIN_FRAME 60 /* Ethernet minimum without FCS; pops re-pad to it */

/* The Ethernet types and IP protocol numbers the parsers (dp_key.c, dp_key_fast()) and
 * the header edits (dp_pkt.c) know. */
#define DP_ETH_TYPE_IPV4 0x0800
#define DP_ETH_TYPE_ARP 0x0806
#define DP_ETH_TYPE_VLAN 0x8100
#define DP_ETH_TYPE_VLAN_8021AD 0x88a8
#define DP_ETH_TYPE_IPV6 0x86dd
#define DP_ETH_TYPE_MPLS 0x8847
#define DP_ETH_TYPE_MPLS_MCAST 0x8848
#define DP_ETH_TYPE_PBB 0x88e7
#define DP_ETH_TYPE_NOT_ETH 0x05ff /* below 0x0600: an 802.3 length, not a type */

#define DP_IPPROTO_HOPOPTS 0
#define DP_IPPROTO_ICMP 1
#define DP_IPPROTO_TCP 6
#define DP_IPPROTO_UDP 17
#define DP_IPPROTO_ROUTING 43
#define DP_IPPROTO_FRAGMENT 44
#define DP_IPPROTO_ESP 50
#define DP_IPPROTO_AH 51
#define DP_IPPROTO_ICMPV6 58
#define DP_IPPROTO_NONE 59
#define DP_IPPROTO_DSTOPTS 60
#define DP_IPPROTO_SCTP 132

/* The big-endian 16-bit field at p. */
static inline uint16_t
dp_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

enum dp_pkt_l3 { DP_L3_NONE, DP_L3_IPV4, DP_L3_IPV6, DP_L3_ARP };
enum dp_pkt_l4 { DP_L4_NONE, DP_L4_TCP, DP_L4_UDP, DP_L4_SCTP, DP_L4_ICMP, DP_L4_ICMPV6 };

#define DP_PKT_F_FRAG 0x1	/* an IP fragment (any) */
#define DP_PKT_F_LATER_FRAG 0x2 /* an IP fragment other than the first: no L4 header */
#define DP_PKT_F_STALE 0x4	/* the offsets are stale (a pop_vlan that re-padded): re-parse */

struct dp_pkt {
	uint8_t *data;	    /* first byte of the frame */
	uint32_t len;	    /* bytes readable at data (the first segment) */
	uint32_t frame_len; /* the whole frame (>= len; more when segments are chained) */
	uint32_t headroom;  /* writable bytes before data */
	uint32_t tailroom;  /* writable bytes after data + len */

	/* Parsed by dp_key_extract(): byte offsets from data, DP_PKT_NONE if absent. */
	uint16_t vlan;	   /* outer VLAN tag (its TPID) */
	uint16_t eth_type; /* the ethertype after the VLAN tags */
	uint16_t mpls;	   /* top MPLS label stack entry */
	uint16_t pbb;	   /* PBB I-TAG TCI (PCP, DEI, UCA, I-SID) */
	uint16_t l3;	   /* IPv4, IPv6 or ARP header */
	uint16_t proto;	   /* the byte that holds ip_proto (IPv4 protocol, IPv6 next header) */
	uint16_t l4;	   /* TCP/UDP/SCTP/ICMP/ICMPv6 header (not in later fragments) */
	uint16_t l4_len;   /* bytes from l4 to the end of the IP datagram */
	uint16_t nd_lla;   /* the ND SLL/TLL option's link-layer address */
	uint16_t l3_end;   /* end of the IP datagram or ARP packet (padding follows) */
	uint8_t n_vlans;   /* VLAN tags (saturates at 255) */
	uint8_t l3_type;   /* enum dp_pkt_l3 */
	uint8_t l4_type;   /* enum dp_pkt_l4 */
	uint8_t flags;	   /* DP_PKT_F_* */
};

/* Points pkt at len bytes of frame at data with the given room around it (frame_len =
 * len) and clears the parsed offsets. */
void dp_pkt_init(struct dp_pkt *pkt, void *data, uint32_t len, uint32_t headroom,
		 uint32_t tailroom);
/* Sets every parsed offset to DP_PKT_NONE and the counts and types to none. */
void dp_pkt_reset_offsets(struct dp_pkt *pkt);

/* ---- Tags (need parsed offsets) ------------------------------------------------------ */

/* Pushes a VLAN tag with TPID tpid (0x8100 or 0x88a8) in front of any existing tag: its
 * TCI (VID, PCP, DEI) is copied from the existing outer tag, else zero (OF1.3 5.12.1).
 * The offsets move with the headers (vlan is the new tag, n_vlans one more), exactly as
 * dp_key_extract() of the edited frame would set them. 0, -ENOSPC (less than 4 bytes of
 * headroom), -EINVAL (no Ethernet header). */
int dp_pkt_push_vlan(struct dp_pkt *pkt, uint16_t tpid);
/* Removes the outer VLAN tag, then pads to DP_PKT_MIN_FRAME. The offsets move as for a
 * push (vlan the next tag, or none), except where the frame was re-padded (or the tag
 * count or the datagram's end had saturated): then flags gets DP_PKT_F_STALE and the
 * offsets need a dp_key_extract(). 0 or -ENOENT (no tag). */
int dp_pkt_pop_vlan(struct dp_pkt *pkt);
/* ---- (the rest leave the offsets stale) */
/* Pushes an MPLS label stack entry after the Ethernet header and VLAN tags and sets the
 * ethertype to ethertype (0x8847/0x8848). With an MPLS stack the new entry copies the
 * top entry's label, TC and TTL (BoS 0); otherwise label 0, TC 0, BoS 1 and the TTL of
 * the IPv4/IPv6 header, or 0 without one (as the OF1.3 table of push defaults says and
 * the Ryu suite expects). 0, -ENOSPC, -EINVAL (no Ethernet header parsed). */
int dp_pkt_push_mpls(struct dp_pkt *pkt, uint16_t ethertype);
/* Removes the top MPLS entry, sets the ethertype to ethertype (the payload's), then
 * pads to DP_PKT_MIN_FRAME. 0 or -ENOENT (no MPLS). */
int dp_pkt_pop_mpls(struct dp_pkt *pkt, uint16_t ethertype);
/* Encapsulates the frame in PBB (802.1ah): prepends B-DA, B-SA (copies of the frame's
 * DA and SA), ethertype (0x88e7) and an I-TAG TCI whose I-SID comes from an existing
 * I-TAG (else 0), PCP from the outer VLAN tag (else 0), DEI and UCA 0; the old frame
 * from its DA on becomes the customer frame. 0, -ENOSPC, -EINVAL. */
int dp_pkt_push_pbb(struct dp_pkt *pkt, uint16_t ethertype);
/* Removes everything up to and including the I-TAG TCI (B-DA, B-SA, B-tags, ethertype,
 * TCI): the customer frame remains. Then pads to DP_PKT_MIN_FRAME. 0 or -ENOENT. */
int dp_pkt_pop_pbb(struct dp_pkt *pkt);
/* Appends zero bytes until frame_len reaches min, if the frame is one segment (len ==
 * frame_len) and the tailroom allows; otherwise leaves it. */
void dp_pkt_pad(struct dp_pkt *pkt, uint32_t min);

/* ---- Fields and TTLs ------------------------------------------------------------------ */

/* Writes OXM field `field` (OFPXMT_OFB_*) with value (the OXM payload, network order, the
 * field's OXM length; vlan_vid with OFPVID_PRESENT) into the packet and fixes the
 * checksums it covers. Settable: eth_dst/src/type, vlan_vid/pcp (outer tag), ip_dscp,
 * ip_ecn, ip_proto, ipv4_src/dst, tcp/udp/sctp_src/dst, icmpv4/v6 type/code, arp_op/spa/
 * tpa/sha/tha, ipv6_src/dst/flabel, ipv6_nd_target/sll/tll, mpls_label/tc/bos, pbb_isid.
 * 0; -ENOENT if the packet lacks the header (nothing is written); -EINVAL for a field
 * that is not in the packet (metadata, tunnel_id, in_port, ipv6_exthdr, unknown). */
int dp_pkt_set_field(struct dp_pkt *pkt, uint8_t field, const uint8_t *value);

/* IPv4 TTL / IPv6 hop limit. set: 0 or -ENOENT (no IP header). dec: 0; -ERANGE if the
 * TTL is 0 or 1 (nothing written: the packet has an invalid TTL); -ENOENT. */
int dp_pkt_set_nw_ttl(struct dp_pkt *pkt, uint8_t ttl);
int dp_pkt_dec_nw_ttl(struct dp_pkt *pkt);
/* dp_pkt_dec_nw_ttl() of a packet whose l3 is IPv4, inline (the microflow cache's patch
 * path): -ERANGE, nothing written, for a TTL of 0 or 1; else the TTL and the header
 * checksum (RFC 1624 eqn. 3, as every IPv4 header write here). */
static inline int
dp_pkt_dec_ttl4(struct dp_pkt *pkt)
{
	uint8_t *ip = pkt->data + pkt->l3;
	uint32_t ttl = ip[8], s;

	if (ttl <= 1)
		return -ERANGE;
	ip[8] = (uint8_t)(ttl - 1);
	/* ~m + m' of the TTL/protocol word is the same for every TTL: the TTL byte goes
	 * down by one, so the sum goes down by 0x100, ~0x100 = 0xfeff. One fold is enough:
	 * 0xffff + 0xfeff folds to at most 0xff00. */
	s = (uint16_t)~dp_rd16(ip + 10);
	s += 0xfeff;
	s = (s & 0xffff) + (s >> 16);
	s = ~s;
	ip[10] = (uint8_t)(s >> 8);
	ip[11] = (uint8_t)s;
	return 0;
}
/* Top MPLS entry's TTL; same returns as the IP versions. */
int dp_pkt_set_mpls_ttl(struct dp_pkt *pkt, uint8_t ttl);
int dp_pkt_dec_mpls_ttl(struct dp_pkt *pkt);
/* copy_ttl_out: top MPLS TTL <- the next entry's TTL, or the IP TTL under a BoS entry.
 * copy_ttl_in: the reverse. The IP version under the stack is read from its first
 * nibble. 0, or -ENOENT (no MPLS, or nothing recognisable under it). */
int dp_pkt_copy_ttl_out(struct dp_pkt *pkt);
int dp_pkt_copy_ttl_in(struct dp_pkt *pkt);

/* ---- Checksum helpers (exposed for tests and the rest of the datapath) -------------- */

/* Ones' complement sum of len bytes, as 16-bit big-endian words starting at an even
 * position, added to sum (not folded, not complemented). */
uint32_t dp_pkt_csum_partial(const void *p, size_t len, uint32_t sum);
/* Folds and complements a dp_pkt_csum_partial() result: the checksum to store. */
uint16_t dp_pkt_csum_fold(uint32_t sum);
/* CRC32c (Castagnoli) of len bytes, as SCTP stores it (RFC 4960 B): the returned value's
 * low byte goes first on the wire. */
uint32_t dp_pkt_crc32c(const void *p, size_t len);

#endif /* PFS_DP_PKT_H */
