/* Header edits on a struct dp_pkt: tag pushes and pops, set-field with incremental
 * checksum updates (RFC 1624; SCTP CRC32c by linearity), TTL operations. Pure C, no
 * DPDK; bounds come from the offsets dp_key_extract() validated and from pkt->len. */
#include "dp_pkt.h"

#include <errno.h>
#include <string.h>

#include "openflow.h"
#include "util.h"

static inline void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
dp_pkt_reset_offsets(struct dp_pkt *pkt)
{
	pkt->vlan = DP_PKT_NONE;
	pkt->eth_type = DP_PKT_NONE;
	pkt->mpls = DP_PKT_NONE;
	pkt->pbb = DP_PKT_NONE;
	pkt->l3 = DP_PKT_NONE;
	pkt->proto = DP_PKT_NONE;
	pkt->l4 = DP_PKT_NONE;
	pkt->l4_len = 0;
	pkt->nd_lla = DP_PKT_NONE;
	pkt->l3_end = DP_PKT_NONE;
	pkt->n_vlans = 0;
	pkt->l3_type = DP_L3_NONE;
	pkt->l4_type = DP_L4_NONE;
	pkt->flags = 0;
}

void
dp_pkt_init(struct dp_pkt *pkt, void *data, uint32_t len, uint32_t headroom, uint32_t tailroom)
{
	pkt->data = data;
	pkt->len = len;
	pkt->frame_len = len;
	pkt->headroom = headroom;
	pkt->tailroom = tailroom;
	dp_pkt_reset_offsets(pkt);
}

/* ---- Checksums ----------------------------------------------------------------------- */

uint32_t
dp_pkt_csum_partial(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += dp_rd16(b + i);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

static inline uint16_t
fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

uint16_t
dp_pkt_csum_fold(uint32_t sum)
{
	return (uint16_t)~fold(sum);
}

/* Sum of n bytes whose first byte sits at an odd (odd = 1) or even position of the
 * checksummed data: bytes at even positions are high bytes of their 16-bit word. */
static inline uint32_t
sum_at(const uint8_t *p, size_t n, unsigned odd)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += ((i + odd) & 1) ? p[i] : (uint32_t)p[i] << 8;
	return s;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). */
static inline void
csum_update(uint8_t *csum, uint32_t old_sum, uint32_t new_sum)
{
	uint32_t s = (uint16_t)~dp_rd16(csum);

	s += (uint16_t)~fold(old_sum);
	s += fold(new_sum);
	wr16(csum, (uint16_t)~fold(s));
}

/* The transport checksum field, or NULL if there is none to keep. pseudo: the change is
 * in the IP pseudo-header (ICMPv4 does not cover one). UDP's 0 means "no checksum". */
static uint8_t *
l4_csum(struct dp_pkt *pkt, bool pseudo)
{
	uint8_t *l4 = pkt->data + pkt->l4;

	switch (pkt->l4_type) {
	case DP_L4_TCP:
		return l4 + 16;
	case DP_L4_UDP:
		return dp_rd16(l4 + 6) ? l4 + 6 : NULL;
	case DP_L4_ICMP:
		return pseudo ? NULL : l4 + 2;
	case DP_L4_ICMPV6:
		return l4 + 2;
	default:
		return NULL;
	}
}

static void
l4_csum_update(struct dp_pkt *pkt, bool pseudo, const uint8_t *old, const uint8_t *new, size_t n,
	       unsigned odd)
{
	uint8_t *c = l4_csum(pkt, pseudo);

	if (!c)
		return;
	csum_update(c, sum_at(old, n, odd), sum_at(new, n, odd));
	if (pkt->l4_type == DP_L4_UDP && dp_rd16(c) == 0)
		wr16(c, 0xffff);
}

/* Writes n bytes of the IPv4 header at off, updating its checksum (and the transport
 * checksum if the bytes are also in the pseudo-header). */
static void
ip4_write(struct dp_pkt *pkt, uint32_t off, const uint8_t *v, size_t n, bool pseudo)
{
	uint8_t old[16];
	unsigned odd = (off - pkt->l3) & 1;

	memcpy(old, pkt->data + off, n);
	memcpy(pkt->data + off, v, n);
	csum_update(pkt->data + pkt->l3 + 10, sum_at(old, n, odd), sum_at(v, n, odd));
	if (pseudo)
		l4_csum_update(pkt, true, old, v, n, 0);
}

/* Writes n bytes of the transport header at off, updating its checksum. */
static void
l4_write(struct dp_pkt *pkt, uint32_t off, const uint8_t *v, size_t n)
{
	uint8_t old[16];

	memcpy(old, pkt->data + off, n);
	memcpy(pkt->data + off, v, n);
	l4_csum_update(pkt, false, old, v, n, (off - pkt->l4) & 1);
}

/* ---- CRC32c ---------------------------------------------------------------------------- */

#define CRC32C_POLY 0x82f63b78u /* reflected Castagnoli polynomial */

static uint32_t
crc32c_raw(uint32_t c, const uint8_t *p, size_t n)
{
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC32C_POLY & (0u - (c & 1)));
	}
	return c;
}

uint32_t
dp_pkt_crc32c(const void *p, size_t len)
{
	return ~crc32c_raw(~0u, p, len);
}

/* a(x) * b(x) modulo the polynomial, reflected (zlib's multmodp). */
static uint32_t
multmodp(uint32_t a, uint32_t b)
{
	uint32_t m = 1u << 31, p = 0;

	for (;;) {
		if (a & m) {
			p ^= b;
			if ((a & (m - 1)) == 0)
				break;
		}
		m >>= 1;
		b = (b >> 1) ^ (CRC32C_POLY & (0u - (b & 1)));
	}
	return p;
}

/* x^(2^k) mod p(x), k = 0..31, reflected. */
static const uint32_t x2n_table[32] = {
	0x40000000, 0x20000000, 0x08000000, 0x00800000, 0x00008000, 0x82f63b78, 0x6ea2d55c,
	0x18b8ea18, 0x510ac59a, 0xb82be955, 0xb8fdb1e7, 0x88e56f72, 0x74c360a4, 0xe4172b16,
	0x0d65762a, 0x35d73a62, 0x28461564, 0xbf455269, 0xe2ea32dc, 0xfe7740e6, 0xf946610b,
	0x3c204f8f, 0x538586e3, 0x59726915, 0x734d5309, 0xbc1ac763, 0x7d0722cc, 0xd289cabe,
	0xe94ca9bc, 0x05b74f3f, 0xa51e1f42, 0x40000000,
};

/* x^(n * 2^k) mod p(x). */
static uint32_t
x2nmodp(uint32_t n, unsigned k)
{
	uint32_t p = 1u << 31; /* x^0 */

	while (n) {
		if (n & 1)
			p = multmodp(x2n_table[k & 31], p);
		n >>= 1;
		k++;
	}
	return p;
}

/* Rewrites the SCTP port at l4 + off (0 or 2) and folds the change into the CRC32c: for
 * equal lengths crc(A) ^ crc(B) = crc0(A ^ B), and A ^ B is the 4 port bytes followed by
 * l4_len - 4 zero bytes, i.e. crc0(ports) shifted by x^(8 (l4_len - 4)). */
static void
sctp_write_port(struct dp_pkt *pkt, unsigned off, const uint8_t *v)
{
	uint8_t *h = pkt->data + pkt->l4;
	uint8_t delta[4] = { 0 };
	uint32_t c;

	delta[off] = h[off] ^ v[0];
	delta[off + 1] = h[off + 1] ^ v[1];
	h[off] = v[0];
	h[off + 1] = v[1];
	c = crc32c_raw(0, delta, 4);
	c = multmodp(x2nmodp(pkt->l4_len - 4u, 3), c);
	h[8] ^= (uint8_t)c;
	h[9] ^= (uint8_t)(c >> 8);
	h[10] ^= (uint8_t)(c >> 16);
	h[11] ^= (uint8_t)(c >> 24);
}

/* ---- Tags ------------------------------------------------------------------------------ */

/* Opens n bytes at offset at: the bytes before it move n towards the headroom. */
static int
insert(struct dp_pkt *pkt, uint32_t at, uint32_t n)
{
	if (unlikely(pkt->headroom < n))
		return -ENOSPC;
	memmove(pkt->data - n, pkt->data, at);
	pkt->data -= n;
	pkt->headroom -= n;
	pkt->len += n;
	pkt->frame_len += n;
	return 0;
}

/* Removes n bytes at offset at: the bytes before it move n towards the tail. */
static void
cut(struct dp_pkt *pkt, uint32_t at, uint32_t n)
{
	memmove(pkt->data + n, pkt->data, at);
	pkt->data += n;
	pkt->headroom += n;
	pkt->len -= n;
	pkt->frame_len -= n;
}

void
dp_pkt_pad(struct dp_pkt *pkt, uint32_t min)
{
	uint32_t n;

	if (pkt->frame_len >= min || pkt->len != pkt->frame_len)
		return;
	n = min - pkt->len;
	if (n > pkt->tailroom)
		return;
	memset(pkt->data + pkt->len, 0, n);
	pkt->len += n;
	pkt->frame_len += n;
	pkt->tailroom -= n;
}

/* An offset after an edit that moved the bytes from it on by d; absent stays absent. */
static inline uint16_t
moved(uint16_t off, int d)
{
	int v = (int)off + d;

	return off == DP_PKT_NONE || v >= (int)DP_PKT_NONE ? DP_PKT_NONE : (uint16_t)v;
}

/* A VLAN tag went in (d = 4) or out (d = -4) at pkt->vlan, before every offset here. */
static void
move_offsets(struct dp_pkt *pkt, int d)
{
	pkt->eth_type = moved(pkt->eth_type, d);
	pkt->mpls = moved(pkt->mpls, d);
	pkt->pbb = moved(pkt->pbb, d);
	pkt->l3 = moved(pkt->l3, d);
	pkt->proto = moved(pkt->proto, d);
	pkt->l4 = moved(pkt->l4, d);
	pkt->nd_lla = moved(pkt->nd_lla, d);
	pkt->l3_end = moved(pkt->l3_end, d);
}

int
dp_pkt_push_vlan(struct dp_pkt *pkt, uint16_t tpid)
{
	uint16_t tci = 0;
	int rc;

	if (unlikely(pkt->eth_type == DP_PKT_NONE))
		return -EINVAL;
	if (pkt->vlan != DP_PKT_NONE)
		tci = dp_rd16(pkt->data + pkt->vlan + 2);
	rc = insert(pkt, 12, 4);
	if (unlikely(rc))
		return rc;
	wr16(pkt->data + 12, tpid);
	wr16(pkt->data + 14, tci);
	/* What dp_key_extract() would find: the same headers 4 bytes on (the frame grew by
	 * as much, so every bound it checks moved with them) under one more tag. */
	move_offsets(pkt, 4);
	pkt->vlan = 12;
	if (pkt->n_vlans < 255)
		pkt->n_vlans++;
	return 0;
}

int
dp_pkt_pop_vlan(struct dp_pkt *pkt)
{
	uint32_t len;

	if (pkt->vlan == DP_PKT_NONE)
		return -ENOENT;
	cut(pkt, pkt->vlan, 4);
	move_offsets(pkt, -4);
	len = pkt->frame_len;
	dp_pkt_pad(pkt, DP_PKT_MIN_FRAME);
	/* Padding lengthens the frame (a header cut short may now parse); a saturated tag
	 * count or datagram end is not known exactly: those need a re-parse. */
	if (unlikely(pkt->frame_len != len || pkt->n_vlans == 255 ||
		     (pkt->l3_end == DP_PKT_NONE &&
		      (pkt->l3_type == DP_L3_IPV4 || pkt->l3_type == DP_L3_IPV6)))) {
		pkt->flags |= DP_PKT_F_STALE;
		return 0;
	}
	if (--pkt->n_vlans == 0)
		pkt->vlan = DP_PKT_NONE;
	return 0;
}

int
dp_pkt_push_mpls(struct dp_pkt *pkt, uint16_t ethertype)
{
	uint32_t lse, at;
	int rc;

	if (unlikely(pkt->eth_type == DP_PKT_NONE))
		return -EINVAL;
	if (pkt->mpls != DP_PKT_NONE) {
		lse = rd32(pkt->data + pkt->mpls) & ~0x100u;
	} else {
		uint8_t ttl = 0;

		if (pkt->l3_type == DP_L3_IPV4)
			ttl = pkt->data[pkt->l3 + 8];
		else if (pkt->l3_type == DP_L3_IPV6)
			ttl = pkt->data[pkt->l3 + 7];
		lse = 0x100u | ttl;
	}
	at = pkt->eth_type + 2u;
	rc = insert(pkt, at, 4);
	if (unlikely(rc))
		return rc;
	wr16(pkt->data + pkt->eth_type, ethertype);
	wr32(pkt->data + at, lse);
	return 0;
}

int
dp_pkt_pop_mpls(struct dp_pkt *pkt, uint16_t ethertype)
{
	if (pkt->mpls == DP_PKT_NONE)
		return -ENOENT;
	wr16(pkt->data + pkt->eth_type, ethertype);
	cut(pkt, pkt->mpls, 4);
	dp_pkt_pad(pkt, DP_PKT_MIN_FRAME);
	return 0;
}

int
dp_pkt_push_pbb(struct dp_pkt *pkt, uint16_t ethertype)
{
	uint8_t tci[4] = { 0 };
	int rc;

	if (unlikely(pkt->eth_type == DP_PKT_NONE))
		return -EINVAL;
	if (pkt->vlan != DP_PKT_NONE)
		tci[0] = pkt->data[pkt->vlan + 2] & 0xe0;
	if (pkt->pbb != DP_PKT_NONE)
		memcpy(tci + 1, pkt->data + pkt->pbb + 1, 3);
	rc = insert(pkt, 0, 18);
	if (unlikely(rc))
		return rc;
	memcpy(pkt->data, pkt->data + 18, 12);
	wr16(pkt->data + 12, ethertype);
	memcpy(pkt->data + 14, tci, 4);
	return 0;
}

int
dp_pkt_pop_pbb(struct dp_pkt *pkt)
{
	if (pkt->pbb == DP_PKT_NONE)
		return -ENOENT;
	cut(pkt, 0, pkt->pbb + 4u);
	dp_pkt_pad(pkt, DP_PKT_MIN_FRAME);
	return 0;
}

/* ---- Set-field ------------------------------------------------------------------------- */

static int
set_ip_tc(struct dp_pkt *pkt, uint8_t keep, uint8_t v)
{
	uint8_t *ip = pkt->data + pkt->l3;

	if (pkt->l3_type == DP_L3_IPV4) {
		uint8_t tos = (uint8_t)((ip[1] & keep) | v);

		ip4_write(pkt, pkt->l3 + 1u, &tos, 1, false);
		return 0;
	}
	if (pkt->l3_type == DP_L3_IPV6) {
		uint8_t tc = (uint8_t)((ip[0] << 4 | ip[1] >> 4) & keep) | v;

		ip[0] = (uint8_t)((ip[0] & 0xf0) | tc >> 4);
		ip[1] = (uint8_t)((ip[1] & 0x0f) | (uint8_t)(tc << 4));
		return 0;
	}
	return -ENOENT;
}

static int
set_ip_proto(struct dp_pkt *pkt, uint8_t v)
{
	uint8_t old;

	if (pkt->proto == DP_PKT_NONE)
		return -ENOENT;
	old = pkt->data[pkt->proto];
	if (pkt->l3_type == DP_L3_IPV4) {
		ip4_write(pkt, pkt->proto, &v, 1, false);
	} else {
		pkt->data[pkt->proto] = v;
	}
	/* The pseudo-header's protocol is the low byte of its word. */
	l4_csum_update(pkt, true, &old, &v, 1, 1);
	return 0;
}

static int
set_ip_addr(struct dp_pkt *pkt, unsigned l3_type, uint32_t off, const uint8_t *v, size_t n)
{
	uint8_t old[16];

	if (pkt->l3_type != l3_type)
		return -ENOENT;
	if (l3_type == DP_L3_IPV4) {
		ip4_write(pkt, pkt->l3 + off, v, n, true);
		return 0;
	}
	memcpy(old, pkt->data + pkt->l3 + off, n);
	memcpy(pkt->data + pkt->l3 + off, v, n);
	l4_csum_update(pkt, true, old, v, n, 0);
	return 0;
}

static int
set_l4(struct dp_pkt *pkt, unsigned l4_type, uint32_t off, const uint8_t *v, size_t n)
{
	if (pkt->l4_type != l4_type)
		return -ENOENT;
	l4_write(pkt, pkt->l4 + off, v, n);
	return 0;
}

static bool
is_nd(const struct dp_pkt *pkt, uint8_t type)
{
	const uint8_t *h = pkt->data + pkt->l4;

	return pkt->l4_type == DP_L4_ICMPV6 && pkt->l4_len >= 24 && pkt->l4 + 24u <= pkt->len &&
	       h[1] == 0 && (type ? h[0] == type : (h[0] == 135 || h[0] == 136));
}

static int
set_mpls(struct dp_pkt *pkt, uint32_t keep, uint32_t v)
{
	uint8_t *p = pkt->data + pkt->mpls;

	if (pkt->mpls == DP_PKT_NONE)
		return -ENOENT;
	wr32(p, (rd32(p) & keep) | v);
	return 0;
}

static int
set_arp(struct dp_pkt *pkt, uint32_t off, const uint8_t *v, size_t n)
{
	if (pkt->l3_type != DP_L3_ARP)
		return -ENOENT;
	memcpy(pkt->data + pkt->l3 + off, v, n);
	return 0;
}

int
dp_pkt_set_field(struct dp_pkt *pkt, uint8_t field, const uint8_t *v)
{
	uint8_t *d = pkt->data;
	uint16_t tci;

	switch (field) {
	case OFPXMT_OFB_ETH_DST:
		if (pkt->eth_type == DP_PKT_NONE)
			return -ENOENT;
		memcpy(d, v, 6);
		return 0;
	case OFPXMT_OFB_ETH_SRC:
		if (pkt->eth_type == DP_PKT_NONE)
			return -ENOENT;
		memcpy(d + 6, v, 6);
		return 0;
	case OFPXMT_OFB_ETH_TYPE:
		if (pkt->eth_type == DP_PKT_NONE)
			return -ENOENT;
		memcpy(d + pkt->eth_type, v, 2);
		return 0;
	case OFPXMT_OFB_VLAN_VID:
		if (pkt->vlan == DP_PKT_NONE)
			return -ENOENT;
		tci = dp_rd16(d + pkt->vlan + 2);
		wr16(d + pkt->vlan + 2, (uint16_t)((tci & 0xf000) | (dp_rd16(v) & 0x0fff)));
		return 0;
	case OFPXMT_OFB_VLAN_PCP:
		if (pkt->vlan == DP_PKT_NONE)
			return -ENOENT;
		tci = dp_rd16(d + pkt->vlan + 2);
		wr16(d + pkt->vlan + 2, (uint16_t)((tci & 0x1fff) | (v[0] & 7) << 13));
		return 0;
	case OFPXMT_OFB_IP_DSCP:
		return set_ip_tc(pkt, 0x03, (uint8_t)(v[0] << 2));
	case OFPXMT_OFB_IP_ECN:
		return set_ip_tc(pkt, 0xfc, v[0] & 3);
	case OFPXMT_OFB_IP_PROTO:
		return set_ip_proto(pkt, v[0]);
	case OFPXMT_OFB_IPV4_SRC:
		return set_ip_addr(pkt, DP_L3_IPV4, 12, v, 4);
	case OFPXMT_OFB_IPV4_DST:
		return set_ip_addr(pkt, DP_L3_IPV4, 16, v, 4);
	case OFPXMT_OFB_TCP_SRC:
		return set_l4(pkt, DP_L4_TCP, 0, v, 2);
	case OFPXMT_OFB_TCP_DST:
		return set_l4(pkt, DP_L4_TCP, 2, v, 2);
	case OFPXMT_OFB_UDP_SRC:
		return set_l4(pkt, DP_L4_UDP, 0, v, 2);
	case OFPXMT_OFB_UDP_DST:
		return set_l4(pkt, DP_L4_UDP, 2, v, 2);
	case OFPXMT_OFB_SCTP_SRC:
	case OFPXMT_OFB_SCTP_DST:
		if (pkt->l4_type != DP_L4_SCTP)
			return -ENOENT;
		sctp_write_port(pkt, field == OFPXMT_OFB_SCTP_SRC ? 0 : 2, v);
		return 0;
	case OFPXMT_OFB_ICMPV4_TYPE:
		return set_l4(pkt, DP_L4_ICMP, 0, v, 1);
	case OFPXMT_OFB_ICMPV4_CODE:
		return set_l4(pkt, DP_L4_ICMP, 1, v, 1);
	case OFPXMT_OFB_ARP_OP:
		return set_arp(pkt, 6, v, 2);
	case OFPXMT_OFB_ARP_SHA:
		return set_arp(pkt, 8, v, 6);
	case OFPXMT_OFB_ARP_SPA:
		return set_arp(pkt, 14, v, 4);
	case OFPXMT_OFB_ARP_THA:
		return set_arp(pkt, 18, v, 6);
	case OFPXMT_OFB_ARP_TPA:
		return set_arp(pkt, 24, v, 4);
	case OFPXMT_OFB_IPV6_SRC:
		return set_ip_addr(pkt, DP_L3_IPV6, 8, v, 16);
	case OFPXMT_OFB_IPV6_DST:
		return set_ip_addr(pkt, DP_L3_IPV6, 24, v, 16);
	case OFPXMT_OFB_IPV6_FLABEL:
		if (pkt->l3_type != DP_L3_IPV6)
			return -ENOENT;
		d += pkt->l3;
		d[1] = (uint8_t)((d[1] & 0xf0) | (v[1] & 0x0f));
		d[2] = v[2];
		d[3] = v[3];
		return 0;
	case OFPXMT_OFB_ICMPV6_TYPE:
		return set_l4(pkt, DP_L4_ICMPV6, 0, v, 1);
	case OFPXMT_OFB_ICMPV6_CODE:
		return set_l4(pkt, DP_L4_ICMPV6, 1, v, 1);
	case OFPXMT_OFB_IPV6_ND_TARGET:
		if (!is_nd(pkt, 0))
			return -ENOENT;
		l4_write(pkt, pkt->l4 + 8u, v, 16);
		return 0;
	case OFPXMT_OFB_IPV6_ND_SLL:
	case OFPXMT_OFB_IPV6_ND_TLL:
		if (pkt->nd_lla == DP_PKT_NONE ||
		    !is_nd(pkt, field == OFPXMT_OFB_IPV6_ND_SLL ? 135 : 136))
			return -ENOENT;
		l4_write(pkt, pkt->nd_lla, v, 6);
		return 0;
	case OFPXMT_OFB_MPLS_LABEL:
		return set_mpls(pkt, 0x00000fffu, (rd32(v) & 0xfffffu) << 12);
	case OFPXMT_OFB_MPLS_TC:
		return set_mpls(pkt, ~0x00000e00u, (uint32_t)(v[0] & 7) << 9);
	case OFPXMT_OFB_MPLS_BOS:
		return set_mpls(pkt, ~0x00000100u, (uint32_t)(v[0] & 1) << 8);
	case OFPXMT_OFB_PBB_ISID:
		if (pkt->pbb == DP_PKT_NONE)
			return -ENOENT;
		memcpy(d + pkt->pbb + 1, v, 3);
		return 0;
	default:
		return -EINVAL;
	}
}

/* ---- TTLs ------------------------------------------------------------------------------ */

int
dp_pkt_set_nw_ttl(struct dp_pkt *pkt, uint8_t ttl)
{
	if (pkt->l3_type == DP_L3_IPV4) {
		ip4_write(pkt, pkt->l3 + 8u, &ttl, 1, false);
		return 0;
	}
	if (pkt->l3_type == DP_L3_IPV6) {
		pkt->data[pkt->l3 + 7] = ttl;
		return 0;
	}
	return -ENOENT;
}

int
dp_pkt_dec_nw_ttl(struct dp_pkt *pkt)
{
	uint8_t ttl;

	if (pkt->l3_type == DP_L3_IPV4)
		return dp_pkt_dec_ttl4(pkt);
	if (pkt->l3_type == DP_L3_IPV6)
		ttl = pkt->data[pkt->l3 + 7];
	else
		return -ENOENT;
	if (unlikely(ttl <= 1))
		return -ERANGE;
	return dp_pkt_set_nw_ttl(pkt, (uint8_t)(ttl - 1));
}

int
dp_pkt_set_mpls_ttl(struct dp_pkt *pkt, uint8_t ttl)
{
	if (pkt->mpls == DP_PKT_NONE)
		return -ENOENT;
	pkt->data[pkt->mpls + 3] = ttl;
	return 0;
}

int
dp_pkt_dec_mpls_ttl(struct dp_pkt *pkt)
{
	uint8_t *ttl;

	if (pkt->mpls == DP_PKT_NONE)
		return -ENOENT;
	ttl = pkt->data + pkt->mpls + 3;
	if (unlikely(*ttl <= 1))
		return -ERANGE;
	(*ttl)--;
	return 0;
}

/* The TTL byte under the top MPLS entry: the next entry's, or the IP header's under a
 * BoS entry. *ip4 is set when it is an IPv4 TTL (covered by the header checksum). */
static uint8_t *
inner_ttl(struct dp_pkt *pkt, uint32_t *ip4)
{
	uint32_t off;
	uint8_t *p;

	*ip4 = DP_PKT_NONE;
	if (pkt->mpls == DP_PKT_NONE)
		return NULL;
	off = pkt->mpls + 4u;
	p = pkt->data + off;
	if (!(pkt->data[pkt->mpls + 2] & 1))
		return off + 4 <= pkt->len ? p + 3 : NULL;
	if (off + 20 <= pkt->len && p[0] >> 4 == 4 && (p[0] & 0xf) >= 5) {
		*ip4 = off;
		return p + 8;
	}
	if (off + 40 <= pkt->len && p[0] >> 4 == 6)
		return p + 7;
	return NULL;
}

int
dp_pkt_copy_ttl_out(struct dp_pkt *pkt)
{
	uint32_t ip4;
	uint8_t *in = inner_ttl(pkt, &ip4);

	if (!in)
		return -ENOENT;
	pkt->data[pkt->mpls + 3] = *in;
	return 0;
}

int
dp_pkt_copy_ttl_in(struct dp_pkt *pkt)
{
	uint32_t ip4;
	uint8_t *in = inner_ttl(pkt, &ip4);
	uint8_t ttl;

	if (!in)
		return -ENOENT;
	ttl = pkt->data[pkt->mpls + 3];
	if (ip4 != DP_PKT_NONE) {
		uint8_t old = *in;

		*in = ttl;
		csum_update(pkt->data + ip4 + 10, sum_at(&old, 1, 0), sum_at(&ttl, 1, 0));
		return 0;
	}
	*in = ttl;
	return 0;
}
