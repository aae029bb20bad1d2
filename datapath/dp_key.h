/* The flow key: every OpenFlow 1.3 match field a packet has, in exactly the OXM value
 * layout of lib/oxm.h (struct ofp_match_values, network byte order), so that a rule's
 * key value and mask are its ofp_match's value and mask copied, and a lookup is a masked
 * compare of 64-bit words.
 *
 * dp_key_extract() parses a struct dp_pkt (dp_pkt.h) once per packet and records the
 * header offsets that actions use. It never reads past pkt->len: every header is checked
 * before it is read, and a short or malformed header stops the parse with a named drop
 * reason (enum dp_drop_reason, also used by action execution in dp_prog.h).
 *
 * Key semantics (fields a packet lacks are zero):
 * - in_port and in_phy_port: the port given; metadata and tunnel_id: zero here, the
 *   pipeline fills them (write_metadata, set_field tunnel_id, the tunnel port).
 * - eth_dst/src; eth_type after all VLAN tags (802.1Q 0x8100 and 802.1ad 0x88a8, any
 *   number); an 802.3 length (< 0x0600) gives eth_type 0x05ff, as Open vSwitch reports
 *   such frames (no LLC/SNAP decoding).
 * - vlan_vid = OFPVID_PRESENT | VID and vlan_pcp from the outer tag (the S-tag of QinQ);
 *   vlan_vid 0 without a tag.
 * - MPLS (0x8847/0x8848): label, tc, bos of the top entry; nothing under the stack.
 * - PBB (0x88e7): pbb_isid from the I-TAG; the customer frame is not parsed (pop_pbb and
 *   a goto expose it).
 * - ARP: op, spa, tpa, sha, tha for Ethernet/IPv4 ARP (htype 1, ptype 0x0800, 6, 4);
 *   other ARP formats give none of them.
 * - IPv4: dscp, ecn, proto, src, dst; options skipped; a fragment other than the first
 *   has no L4 fields; the L4 header is read within the datagram (total length), so
 *   Ethernet padding is never taken for a header.
 * - IPv6: src, dst, flabel, dscp, ecn; extension headers (hop-by-hop, destination,
 *   routing, fragment, AH) are walked to the upper-layer protocol, which is ip_proto
 *   (50 for ESP and 59 for no-next-header, where the walk stops); ipv6_exthdr gets the
 *   OFPIEH_* flags: HOP, DEST (one or two), ROUTER, FRAG, AUTH, ESP, NONEXT, UNREP (a
 *   header repeated: any but DEST twice, or DEST more than twice) and UNSEQ (out of the
 *   RFC 8200 4.1 order: hop-by-hop first, DEST, routing, fragment, AH, ESP, DEST).
 * - TCP/UDP/SCTP ports, ICMPv4 type/code (proto 1 over IPv4), ICMPv6 type/code (58 over
 *   IPv6), ND target (NS 135 / NA 136, code 0) with the SLL option of an NS and the TLL
 *   option of an NA (the first one with an Ethernet address). */
#ifndef PFS_DP_KEY_H
#define PFS_DP_KEY_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dp_pkt.h"
#include "oxm.h"
#include "util.h"

#define DP_KEY_WORDS ((sizeof(struct ofp_match_values) + 7) / 8)

struct dp_key {
	union {
		struct ofp_match_values f;
		uint64_t w[DP_KEY_WORDS];
	};
};

/* True if the n words at a and b are equal: keys and masked keys of a few words, with
 * no call to memcmp and no early exit (the classifier, shapes, the microflow cache). */
static inline __attribute__((always_inline)) bool
dp_words_eq(const uint64_t *a, const uint64_t *b, unsigned n)
{
	uint64_t d = 0;

#pragma GCC unroll 32
	for (unsigned i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

/* Zeroes key. Word stores, not memset(): for 168 bytes the compiler emits rep stos, whose
 * start-up costs more than building a fast key's whole expansion. */
static inline void
dp_key_zero(struct dp_key *key)
{
	_Static_assert(DP_KEY_WORDS == 21, "the words dp_key_zero() stores");
	uint64_t *w = key->w;

	w[0] = w[1] = w[2] = w[3] = w[4] = w[5] = w[6] = 0;
	w[7] = w[8] = w[9] = w[10] = w[11] = w[12] = w[13] = 0;
	w[14] = w[15] = w[16] = w[17] = w[18] = w[19] = w[20] = 0;
}

/* X(NAME, "text"): why a packet was dropped. The parse reasons come from
 * dp_key_extract(); the others from action execution (dp_prog.h). */
#define DP_DROP_REASONS(X)                                                                         \
	X(NONE, "none")                                                                            \
	X(ETH_TRUNCATED, "eth_truncated")                                                          \
	X(VLAN_TRUNCATED, "vlan_truncated")                                                        \
	X(MPLS_TRUNCATED, "mpls_truncated")                                                        \
	X(PBB_TRUNCATED, "pbb_truncated")                                                          \
	X(ARP_TRUNCATED, "arp_truncated")                                                          \
	X(IPV4_TRUNCATED, "ipv4_truncated")                                                        \
	X(IPV4_BAD_VERSION, "ipv4_bad_version")                                                    \
	X(IPV4_BAD_IHL, "ipv4_bad_ihl")                                                            \
	X(IPV4_BAD_TOTLEN, "ipv4_bad_total_length")                                                \
	X(IPV6_TRUNCATED, "ipv6_truncated")                                                        \
	X(IPV6_BAD_VERSION, "ipv6_bad_version")                                                    \
	X(IPV6_EXTHDR_TRUNCATED, "ipv6_exthdr_truncated")                                          \
	X(TCP_TRUNCATED, "tcp_truncated")                                                          \
	X(TCP_BAD_OFFSET, "tcp_bad_data_offset")                                                   \
	X(UDP_TRUNCATED, "udp_truncated")                                                          \
	X(SCTP_TRUNCATED, "sctp_truncated")                                                        \
	X(ICMP_TRUNCATED, "icmp_truncated")                                                        \
	X(ICMPV6_TRUNCATED, "icmpv6_truncated")                                                    \
	X(ND_TRUNCATED, "nd_truncated")                                                            \
	X(ND_BAD_OPTION, "nd_bad_option")                                                          \
	X(INVALID_TTL, "invalid_ttl")                                                              \
	X(NO_HEADROOM, "no_headroom")                                                              \
	X(METER, "meter")                                                                          \
	X(NO_OUTPUT, "no_output")

enum dp_drop_reason {
#define DP_DROP_ENUM(NAME, TEXT) DP_DROP_##NAME,
	DP_DROP_REASONS(DP_DROP_ENUM)
#undef DP_DROP_ENUM
		DP_DROP_N
};

/* "ipv4_truncated" for DP_DROP_IPV4_TRUNCATED; "unknown" out of range. */
const char *dp_drop_reason_name(unsigned reason);

/* Parses pkt (data, len, frame_len) into *key (zeroed first; in_port and in_phy_port =
 * in_port) and pkt's parsed offsets. Returns 0, or a positive enum dp_drop_reason for a
 * truncated or malformed header: then *key holds the fields of the layers before the bad
 * header and pkt's offsets past it are DP_PKT_NONE (consistent, only shorter). */
int dp_key_extract(struct dp_pkt *pkt, uint32_t in_port, struct dp_key *key);

/* ---- Fast key ----------------------------------------------------------------------
 *
 * Almost all data-centre traffic has one shape: Ethernet, at most one VLAN tag, an
 * unfragmented IPv4 datagram, a TCP or UDP header. Its full key is zero outside 40 bytes
 * of fields, so the microflow cache keys it by those 40 bytes (a hash and compare of 5
 * words instead of DP_KEY_WORDS) and the full key is built from them only when a rule's
 * actions or a table lookup need it. */

#define DP_FKEY_WORDS 5

struct dp_fkey {
	union {
		struct {
			uint8_t in_port[4];
			uint8_t eth_type[2];
			uint8_t vlan_vid[2]; /* OXM value: OFPVID_PRESENT | VID, 0 untagged */
			uint8_t eth_dst[6];
			uint8_t vlan_pcp;
			uint8_t ip_proto; /* 6 or 17 */
			uint8_t eth_src[6];
			uint8_t ip_dscp;
			uint8_t ip_ecn;
			uint8_t ipv4_src[4];
			uint8_t ipv4_dst[4];
			uint8_t tp_src[2];
			uint8_t tp_dst[2];
			uint8_t zero[4];
		} f;
		uint64_t w[DP_FKEY_WORDS];
	};
};

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the fast key's word layout assumes a little-endian CPU"
#endif

/* For dp_key_fast(): v's bytes placed at byte `at` of a word whose memory image is
 * struct dp_fkey's byte layout. */
static inline uint64_t
dp_key_le_word_(uint64_t v, unsigned at)
{
	return v << (8 * at);
}

/* For a packet of that shape that passes every check dp_key_extract() makes, fills *fk
 * and pkt's parsed offsets exactly as dp_key_extract() would and returns true: the full
 * key is then dp_fkey_expand(fk). Any other packet (other shapes, malformed ones):
 * false, and pkt and *fk are left for dp_key_extract() to redo.
 *
 * Inline: the workers' parse loops call it for every packet, and a call there costs as
 * much as the checks (S1's port-rule bursts: 28 cycles a packet over the bare loop
 * with the call, 12 without). */
static inline __attribute__((always_inline)) bool
dp_key_fast(struct dp_pkt *pkt, uint32_t in_port, struct dp_fkey *fk)
{
	const uint8_t *d = pkt->data;
	const uint32_t len = pkt->len;
	uint32_t off = 12, ihl, tot, l4, ip_end, lim;
	uint16_t type, vlan = DP_PKT_NONE, vid = 0;
	uint8_t pcp = 0, proto, l4_type;
	const uint8_t *ip, *h;

	/* The same checks as dp_key_extract(), in its order; any doubt goes to it. */
	if (unlikely(len < 14 + 20))
		return false;
	type = dp_rd16(d + 12);
	if (type == DP_ETH_TYPE_VLAN || type == DP_ETH_TYPE_VLAN_8021AD) {
		uint16_t tci = dp_rd16(d + 14);

		vlan = 12;
		vid = (uint16_t)(OFPVID_PRESENT | (tci & 0x0fff));
		pcp = (uint8_t)(tci >> 13);
		off = 16;
		type = dp_rd16(d + 16);
	}
	if (type != DP_ETH_TYPE_IPV4)
		return false;
	ip = d + off + 2;
	if (unlikely(off + 2 + 20 > len || ip[0] >> 4 != 4))
		return false;
	ihl = (ip[0] & 0xfu) * 4;
	tot = dp_rd16(ip + 2);
	if (unlikely(ihl < 20 || off + 2 + ihl > len || tot < ihl ||
		     off + 2 + tot > pkt->frame_len))
		return false;
	if (dp_rd16(ip + 6) & 0x3fff) /* a fragment */
		return false;
	proto = ip[9];
	l4 = off + 2 + ihl;
	ip_end = off + 2 + tot;
	lim = ip_end < len ? ip_end : len;
	h = d + l4;
	if (proto == DP_IPPROTO_UDP) {
		if (unlikely(l4 + 8 > lim))
			return false;
		l4_type = DP_L4_UDP;
	} else if (proto == DP_IPPROTO_TCP) {
		if (unlikely(l4 + 20 > lim || h[12] >> 4 < 5 || l4 + (h[12] >> 4) * 4u > ip_end))
			return false;
		l4_type = DP_L4_TCP;
	} else {
		return false;
	}

	/* Whole words, each stored once: the hash and compare that follow load them as
	 * words, and a word assembled from byte stores would stall store forwarding. The
	 * byte order in memory is struct dp_fkey's. */
	uint64_t w0, w1, w2, w3, w4;
	uint32_t port_be = __builtin_bswap32(in_port);
	uint16_t type_raw, vid_be = __builtin_bswap16(vid);
	uint32_t ports;

	memcpy(&type_raw, d + off, 2);
	memcpy(&w1, d, 8);
	memcpy(&w2, d + 6, 8);
	memcpy(&w3, ip + 12, 8);
	memcpy(&ports, h, 4);
	w0 = dp_key_le_word_(port_be, 0) | dp_key_le_word_(type_raw, 4) |
	     dp_key_le_word_(vid_be, 6);
	w1 = (w1 & 0x0000ffffffffffffull) | dp_key_le_word_(pcp, 6) | dp_key_le_word_(proto, 7);
	w2 = (w2 & 0x0000ffffffffffffull) | dp_key_le_word_((uint8_t)(ip[1] >> 2), 6) |
	     dp_key_le_word_(ip[1] & 3u, 7);
	w4 = dp_key_le_word_(ports, 0);
	fk->w[0] = w0;
	fk->w[1] = w1;
	fk->w[2] = w2;
	fk->w[3] = w3;
	fk->w[4] = w4;

	pkt->vlan = vlan;
	pkt->n_vlans = vlan == DP_PKT_NONE ? 0 : 1;
	pkt->eth_type = (uint16_t)off;
	pkt->mpls = DP_PKT_NONE;
	pkt->pbb = DP_PKT_NONE;
	pkt->l3 = (uint16_t)(off + 2);
	pkt->l3_type = DP_L3_IPV4;
	pkt->l3_end = (uint16_t)(ip_end < DP_PKT_NONE ? ip_end : DP_PKT_NONE);
	pkt->proto = (uint16_t)(off + 2 + 9);
	pkt->l4 = (uint16_t)l4;
	pkt->l4_len = (uint16_t)(ip_end - l4);
	pkt->l4_type = l4_type;
	pkt->nd_lla = DP_PKT_NONE;
	pkt->flags = 0;
	return true;
}
/* The full key of a packet dp_key_fast() accepted. */
void dp_fkey_expand(const struct dp_fkey *fk, struct dp_key *key);

#endif /* PFS_DP_KEY_H */
