/* Flow key extraction: one bounds-checked pass over the headers of a struct dp_pkt,
 * filling the OXM-layout key (dp_key.h) and the packet's parsed offsets (dp_pkt.h). */
#include "dp_key.h"

#include <stddef.h>
#include <string.h>

#include "openflow.h"
#include "util.h"

static const char *const drop_names[] = {
#define DP_DROP_NAME(NAME, TEXT) [DP_DROP_##NAME] = TEXT,
	DP_DROP_REASONS(DP_DROP_NAME)
#undef DP_DROP_NAME
};

const char *
dp_drop_reason_name(unsigned reason)
{
	return reason < DP_DROP_N ? drop_names[reason] : "unknown";
}

static inline void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ND options after the 24-byte NS/NA header, within [off, lim). */
static int
parse_nd(struct dp_pkt *pkt, struct dp_key *key, uint8_t type, uint32_t off, uint32_t lim)
{
	const uint8_t *d = pkt->data;
	uint8_t want = type == 135 ? 1 : 2; /* SLL in a solicitation, TLL in an advert */

	if (unlikely(off + 24 > lim))
		return DP_DROP_ND_TRUNCATED;
	memcpy(key->f.ipv6_nd_target, d + off + 8, 16);
	for (off += 24; off < lim;) {
		uint32_t olen;

		if (unlikely(off + 2 > lim))
			return DP_DROP_ND_TRUNCATED;
		olen = d[off + 1] * 8u;
		if (unlikely(olen == 0))
			return DP_DROP_ND_BAD_OPTION;
		if (unlikely(off + olen > lim))
			return DP_DROP_ND_TRUNCATED;
		if (d[off] == want && olen == 8 && pkt->nd_lla == DP_PKT_NONE) {
			pkt->nd_lla = (uint16_t)(off + 2);
			memcpy(want == 1 ? key->f.ipv6_nd_sll : key->f.ipv6_nd_tll, d + off + 2, 6);
		}
		off += olen;
	}
	return 0;
}

/* The transport header at off; the datagram ends at ip_end (maybe past len). */
static int
parse_l4(struct dp_pkt *pkt, struct dp_key *key, uint8_t proto, uint32_t off, uint32_t ip_end,
	 bool v6)
{
	const uint8_t *d = pkt->data;
	const uint8_t *h = d + off;
	uint32_t lim = ip_end < pkt->len ? ip_end : pkt->len;
	int rc;

	switch (proto) {
	case DP_IPPROTO_TCP:
		if (unlikely(off + 20 > lim))
			return DP_DROP_TCP_TRUNCATED;
		if (unlikely(h[12] >> 4 < 5 || off + (h[12] >> 4) * 4u > ip_end))
			return DP_DROP_TCP_BAD_OFFSET;
		memcpy(key->f.tcp_src, h, 2);
		memcpy(key->f.tcp_dst, h + 2, 2);
		pkt->l4_type = DP_L4_TCP;
		break;
	case DP_IPPROTO_UDP:
		if (unlikely(off + 8 > lim))
			return DP_DROP_UDP_TRUNCATED;
		memcpy(key->f.udp_src, h, 2);
		memcpy(key->f.udp_dst, h + 2, 2);
		pkt->l4_type = DP_L4_UDP;
		break;
	case DP_IPPROTO_SCTP:
		if (unlikely(off + 12 > lim))
			return DP_DROP_SCTP_TRUNCATED;
		memcpy(key->f.sctp_src, h, 2);
		memcpy(key->f.sctp_dst, h + 2, 2);
		pkt->l4_type = DP_L4_SCTP;
		break;
	case DP_IPPROTO_ICMP:
		if (v6)
			return 0;
		if (unlikely(off + 4 > lim))
			return DP_DROP_ICMP_TRUNCATED;
		key->f.icmpv4_type[0] = h[0];
		key->f.icmpv4_code[0] = h[1];
		pkt->l4_type = DP_L4_ICMP;
		break;
	case DP_IPPROTO_ICMPV6:
		if (!v6)
			return 0;
		if (unlikely(off + 4 > lim))
			return DP_DROP_ICMPV6_TRUNCATED;
		key->f.icmpv6_type[0] = h[0];
		key->f.icmpv6_code[0] = h[1];
		if (h[1] == 0 && (h[0] == 135 || h[0] == 136)) {
			rc = parse_nd(pkt, key, h[0], off, lim);
			if (unlikely(rc))
				return rc;
		}
		pkt->l4_type = DP_L4_ICMPV6;
		break;
	default:
		return 0;
	}
	pkt->l4 = (uint16_t)off;
	pkt->l4_len = (uint16_t)(ip_end - off);
	return 0;
}

static int
parse_ipv4(struct dp_pkt *pkt, struct dp_key *key, uint32_t off)
{
	const uint8_t *ip = pkt->data + off;
	uint32_t ihl, tot;
	uint16_t frag;

	if (unlikely(off + 20 > pkt->len))
		return DP_DROP_IPV4_TRUNCATED;
	if (unlikely(ip[0] >> 4 != 4))
		return DP_DROP_IPV4_BAD_VERSION;
	ihl = (ip[0] & 0xfu) * 4;
	if (unlikely(ihl < 20))
		return DP_DROP_IPV4_BAD_IHL;
	if (unlikely(off + ihl > pkt->len))
		return DP_DROP_IPV4_TRUNCATED;
	tot = dp_rd16(ip + 2);
	if (unlikely(tot < ihl))
		return DP_DROP_IPV4_BAD_TOTLEN;
	if (unlikely(off + tot > pkt->frame_len))
		return DP_DROP_IPV4_TRUNCATED;

	pkt->l3 = (uint16_t)off;
	pkt->l3_type = DP_L3_IPV4;
	pkt->l3_end = (uint16_t)(off + tot < DP_PKT_NONE ? off + tot : DP_PKT_NONE);
	pkt->proto = (uint16_t)(off + 9);
	key->f.ip_dscp[0] = ip[1] >> 2;
	key->f.ip_ecn[0] = ip[1] & 3;
	key->f.ip_proto[0] = ip[9];
	memcpy(key->f.ipv4_src, ip + 12, 4);
	memcpy(key->f.ipv4_dst, ip + 16, 4);
	frag = dp_rd16(ip + 6);
	if (frag & 0x3fff) {
		pkt->flags |= DP_PKT_F_FRAG;
		if (frag & 0x1fff) {
			pkt->flags |= DP_PKT_F_LATER_FRAG;
			return 0;
		}
	}
	return parse_l4(pkt, key, ip[9], off + ihl, off + tot, false);
}

/* Order ranks of the extension headers (RFC 8200 4.1); DEST takes 2 before a routing
 * header, 7 (before the upper layer) otherwise. */
enum { R_HOP = 1, R_DEST1, R_ROUTER, R_FRAG, R_AUTH, R_ESP, R_DEST2 };

struct exthdr_state {
	uint16_t flags;
	uint8_t seen; /* bit per rank */
	uint8_t last; /* highest rank so far */
};

static void
exthdr_note(struct exthdr_state *s, unsigned rank, uint16_t flag)
{
	if (rank == R_DEST1 && ((s->seen & (1u << R_DEST1 | 1u << R_ROUTER)) || s->last > R_DEST1))
		rank = R_DEST2;
	if (s->seen & (1u << rank))
		s->flags |= OFPIEH_UNREP;
	else if (rank < s->last)
		s->flags |= OFPIEH_UNSEQ;
	s->seen |= (uint8_t)(1u << rank);
	if (rank > s->last)
		s->last = (uint8_t)rank;
	s->flags |= flag;
}

static int
parse_ipv6(struct dp_pkt *pkt, struct dp_key *key, uint32_t off)
{
	const uint8_t *d = pkt->data;
	const uint8_t *ip = d + off;
	struct exthdr_state ex = { 0, 0, 0 };
	uint32_t ip_end, lim, hlen, proto_off;
	uint8_t tc, nh;
	int rc = 0;

	if (unlikely(off + 40 > pkt->len))
		return DP_DROP_IPV6_TRUNCATED;
	if (unlikely(ip[0] >> 4 != 6))
		return DP_DROP_IPV6_BAD_VERSION;
	ip_end = dp_rd16(ip + 4) ? off + 40 + dp_rd16(ip + 4) : pkt->frame_len; /* 0: jumbogram */
	if (unlikely(ip_end > pkt->frame_len))
		return DP_DROP_IPV6_TRUNCATED;
	lim = ip_end < pkt->len ? ip_end : pkt->len;

	pkt->l3 = (uint16_t)off;
	pkt->l3_type = DP_L3_IPV6;
	if (dp_rd16(ip + 4) && ip_end < DP_PKT_NONE)
		pkt->l3_end = (uint16_t)ip_end;
	tc = (uint8_t)(ip[0] << 4 | ip[1] >> 4);
	key->f.ip_dscp[0] = tc >> 2;
	key->f.ip_ecn[0] = tc & 3;
	key->f.ipv6_flabel[1] = ip[1] & 0x0f;
	key->f.ipv6_flabel[2] = ip[2];
	key->f.ipv6_flabel[3] = ip[3];
	memcpy(key->f.ipv6_src, ip + 8, 16);
	memcpy(key->f.ipv6_dst, ip + 24, 16);

	nh = ip[6];
	proto_off = off + 6;
	off += 40;
	for (;;) {
		const uint8_t *h = d + off;

		switch (nh) {
		case DP_IPPROTO_HOPOPTS:
		case DP_IPPROTO_DSTOPTS:
		case DP_IPPROTO_ROUTING:
		case DP_IPPROTO_AH:
			if (unlikely(off + 2 > lim)) {
				rc = DP_DROP_IPV6_EXTHDR_TRUNCATED;
				goto out;
			}
			hlen = nh == DP_IPPROTO_AH ? (h[1] + 2u) * 4 : (h[1] + 1u) * 8;
			if (nh == DP_IPPROTO_HOPOPTS)
				exthdr_note(&ex, R_HOP, OFPIEH_HOP);
			else if (nh == DP_IPPROTO_DSTOPTS)
				exthdr_note(&ex, R_DEST1, OFPIEH_DEST);
			else if (nh == DP_IPPROTO_ROUTING)
				exthdr_note(&ex, R_ROUTER, OFPIEH_ROUTER);
			else
				exthdr_note(&ex, R_AUTH, OFPIEH_AUTH);
			break;
		case DP_IPPROTO_FRAGMENT:
			hlen = 8;
			exthdr_note(&ex, R_FRAG, OFPIEH_FRAG);
			if (unlikely(off + 8 > lim)) {
				rc = DP_DROP_IPV6_EXTHDR_TRUNCATED;
				goto out;
			}
			pkt->flags |= DP_PKT_F_FRAG;
			if (dp_rd16(h + 2) & 0xfff8) {
				pkt->flags |= DP_PKT_F_LATER_FRAG;
				proto_off = off;
				nh = h[0];
				goto out;
			}
			break;
		case DP_IPPROTO_ESP:
			exthdr_note(&ex, R_ESP, OFPIEH_ESP);
			goto out;
		case DP_IPPROTO_NONE:
			ex.flags |= OFPIEH_NONEXT;
			goto out;
		default:
			key->f.ip_proto[0] = nh;
			pkt->proto = (uint16_t)proto_off;
			wr16(key->f.ipv6_exthdr, ex.flags);
			return parse_l4(pkt, key, nh, off, ip_end, true);
		}
		if (unlikely(off + hlen > lim)) {
			rc = DP_DROP_IPV6_EXTHDR_TRUNCATED;
			goto out;
		}
		proto_off = off;
		nh = h[0];
		off += hlen;
	}
out:
	key->f.ip_proto[0] = nh;
	pkt->proto = (uint16_t)proto_off;
	wr16(key->f.ipv6_exthdr, ex.flags);
	return rc;
}

static int
parse_arp(struct dp_pkt *pkt, struct dp_key *key, uint32_t off)
{
	const uint8_t *a = pkt->data + off;

	if (unlikely(off + 8 > pkt->len))
		return DP_DROP_ARP_TRUNCATED;
	if (dp_rd16(a) != 1 || dp_rd16(a + 2) != DP_ETH_TYPE_IPV4 || a[4] != 6 || a[5] != 4)
		return 0;
	if (unlikely(off + 28 > pkt->len))
		return DP_DROP_ARP_TRUNCATED;
	pkt->l3 = (uint16_t)off;
	pkt->l3_type = DP_L3_ARP;
	pkt->l3_end = (uint16_t)(off + 28);
	memcpy(key->f.arp_op, a + 6, 2);
	memcpy(key->f.arp_sha, a + 8, 6);
	memcpy(key->f.arp_spa, a + 14, 4);
	memcpy(key->f.arp_tha, a + 18, 6);
	memcpy(key->f.arp_tpa, a + 24, 4);
	return 0;
}

int
dp_key_extract(struct dp_pkt *pkt, uint32_t in_port, struct dp_key *key)
{
	const uint8_t *d = pkt->data;
	uint32_t off = 12;
	uint16_t type;

	dp_key_zero(key);
	wr32(key->f.in_port, in_port);
	wr32(key->f.in_phy_port, in_port);
	dp_pkt_reset_offsets(pkt);
	if (unlikely(pkt->len < 14))
		return DP_DROP_ETH_TRUNCATED;
	memcpy(key->f.eth_dst, d, 6);
	memcpy(key->f.eth_src, d + 6, 6);

	type = dp_rd16(d + 12);
	while (type == DP_ETH_TYPE_VLAN || type == DP_ETH_TYPE_VLAN_8021AD) {
		if (unlikely(off + 6 > pkt->len))
			return DP_DROP_VLAN_TRUNCATED;
		if (pkt->n_vlans == 0) {
			uint16_t tci = dp_rd16(d + off + 2);

			pkt->vlan = (uint16_t)off;
			wr16(key->f.vlan_vid, (uint16_t)(OFPVID_PRESENT | (tci & 0x0fff)));
			key->f.vlan_pcp[0] = (uint8_t)(tci >> 13);
		}
		if (pkt->n_vlans < 255)
			pkt->n_vlans++;
		off += 4;
		type = dp_rd16(d + off);
	}
	pkt->eth_type = (uint16_t)off;
	off += 2;
	if (type < 0x0600)
		type = DP_ETH_TYPE_NOT_ETH;
	wr16(key->f.eth_type, type);

	switch (type) {
	case DP_ETH_TYPE_IPV4:
		return parse_ipv4(pkt, key, off);
	case DP_ETH_TYPE_IPV6:
		return parse_ipv6(pkt, key, off);
	case DP_ETH_TYPE_ARP:
		return parse_arp(pkt, key, off);
	case DP_ETH_TYPE_MPLS:
	case DP_ETH_TYPE_MPLS_MCAST: {
		uint32_t lse;

		if (unlikely(off + 4 > pkt->len))
			return DP_DROP_MPLS_TRUNCATED;
		lse = (uint32_t)d[off] << 24 | (uint32_t)d[off + 1] << 16 |
		      (uint32_t)d[off + 2] << 8 | d[off + 3];
		pkt->mpls = (uint16_t)off;
		wr32(key->f.mpls_label, lse >> 12);
		key->f.mpls_tc[0] = (lse >> 9) & 7;
		key->f.mpls_bos[0] = (lse >> 8) & 1;
		return 0;
	}
	case DP_ETH_TYPE_PBB:
		/* I-TAG TCI, then the customer DA and SA. */
		if (unlikely(off + 16 > pkt->len))
			return DP_DROP_PBB_TRUNCATED;
		pkt->pbb = (uint16_t)off;
		memcpy(key->f.pbb_isid, d + off + 1, 3);
		return 0;
	default:
		return 0;
	}
}

void
dp_fkey_expand(const struct dp_fkey *fk, struct dp_key *key)
{
	/* Word by word: the fast key's fields land in the full key's words 0 and 2-6 (see
	 * the offsets asserted below), and field by field the copies cost a third of a
	 * classifier lookup (S2 100k). Little-endian: byte k of a word is bits 8k..8k+7. */
	const uint64_t f0 = fk->w[0], f1 = fk->w[1], f2 = fk->w[2], f3 = fk->w[3], f4 = fk->w[4];
	const uint64_t lo32 = 0xffffffffull, ports = f4 & lo32;
	const bool tcp = fk->f.ip_proto == DP_IPPROTO_TCP;

	_Static_assert(offsetof(struct ofp_match_values, in_phy_port) == 4 &&
			       offsetof(struct ofp_match_values, eth_dst) == 16 &&
			       offsetof(struct ofp_match_values, eth_src) == 22 &&
			       offsetof(struct ofp_match_values, eth_type) == 28 &&
			       offsetof(struct ofp_match_values, vlan_vid) == 30 &&
			       offsetof(struct ofp_match_values, vlan_pcp) == 32 &&
			       offsetof(struct ofp_match_values, ip_dscp) == 33 &&
			       offsetof(struct ofp_match_values, ip_ecn) == 34 &&
			       offsetof(struct ofp_match_values, ip_proto) == 35 &&
			       offsetof(struct ofp_match_values, ipv4_src) == 36 &&
			       offsetof(struct ofp_match_values, ipv4_dst) == 40 &&
			       offsetof(struct ofp_match_values, tcp_src) == 44 &&
			       offsetof(struct ofp_match_values, udp_src) == 48,
		       "the full key's words as dp_fkey_expand() builds them");
	_Static_assert(offsetof(struct dp_fkey, f.eth_dst) == 8 &&
			       offsetof(struct dp_fkey, f.vlan_pcp) == 14 &&
			       offsetof(struct dp_fkey, f.eth_src) == 16 &&
			       offsetof(struct dp_fkey, f.ip_dscp) == 22 &&
			       offsetof(struct dp_fkey, f.ipv4_src) == 24 &&
			       offsetof(struct dp_fkey, f.tp_src) == 32,
		       "the fast key's words as dp_fkey_expand() reads them");
	dp_key_zero(key);
	key->w[0] = (f0 & lo32) | f0 << 32;		       /* in_port, in_phy_port */
	key->w[2] = (f1 & 0x0000ffffffffffffull) | f2 << 48;   /* eth_dst, eth_src[0..1] */
	key->w[3] = (f2 >> 16 & lo32) | (f0 & ~lo32);	       /* eth_src[2..5], type, vid */
	key->w[4] = (f1 >> 48 & 0xff) | (f2 >> 48 & 0xff) << 8 /* pcp, dscp */
		    | (f2 >> 56) << 16 | (f1 >> 56) << 24      /* ecn, proto */
		    | f3 << 32;				       /* ipv4_src */
	key->w[5] = f3 >> 32 | (tcp ? ports << 32 : 0);	       /* ipv4_dst, tcp ports */
	key->w[6] = tcp ? 0 : ports;			       /* udp ports */
}
