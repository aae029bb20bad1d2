/* Unit tests for datapath/dp_key.c: every OF1.3 match field from frames built byte by
 * byte (dp_frame.h), QinQ, MPLS stacks, IPv4 options and fragments, IPv6 extension
 * headers with the ipv6_exthdr flags, ND options, PBB, ARP; each malformed case with its
 * named drop reason; every truncation and random byte mutations of every frame parsed
 * from an exactly-sized heap buffer, so ASan sees any read past the end. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dp_frame.h"
#include "dp_key.h"
#include "openflow.h"

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static unsigned n_fast; /* frames the fast key accepted */

/* Wherever dp_key_fast() accepts a frame, it must agree with dp_key_extract() exactly:
 * the full key (by dp_fkey_expand) and every parsed offset. */
static void
check_fast(uint8_t *buf, size_t n, int rc, const struct dp_key *key, const struct dp_pkt *pkt)
{
	struct dp_pkt fp;
	struct dp_fkey fk;
	struct dp_key fkey;

	dp_pkt_init(&fp, buf, (uint32_t)n, 0, 0);
	if (!dp_key_fast(&fp, 7, &fk))
		return;
	n_fast++;
	ck_assert_msg(rc == 0, "fast key accepted a frame extract refuses (%s)",
		      dp_drop_reason_name((unsigned)rc));
	dp_fkey_expand(&fk, &fkey);
	ck_assert_msg(memcmp(&fkey, key, sizeof(fkey)) == 0, "fast key differs from extract");
	fp.data = pkt->data;
	ck_assert_msg(memcmp(&fp, pkt, sizeof(fp)) == 0, "fast key offsets differ from extract");
}

/* Parses f from an exactly-sized heap copy. */
static int
extract(const struct frame *f, struct dp_key *key, struct dp_pkt *pkt)
{
	uint8_t *buf = malloc(f->n ? f->n : 1);
	int rc;

	memcpy(buf, f->b, f->n);
	dp_pkt_init(pkt, buf, (uint32_t)f->n, 0, 0);
	rc = dp_key_extract(pkt, 7, key);
	check_fast(buf, f->n, rc, key, pkt);
	free(buf);
	pkt->data = NULL;
	return rc;
}

static void
key_ok(const struct frame *f, struct dp_key *key, struct dp_pkt *pkt)
{
	int rc = extract(f, key, pkt);

	ck_assert_msg(rc == 0, "extract: %s", dp_drop_reason_name((unsigned)rc));
}

static void
expect_drop(const struct frame *f, int reason)
{
	struct dp_key key;
	struct dp_pkt pkt;
	int rc = extract(f, &key, &pkt);

	ck_assert_msg(rc == reason, "got %s, want %s", dp_drop_reason_name((unsigned)rc),
		      dp_drop_reason_name((unsigned)reason));
}

/* Every prefix and 200 random mutations of f parse without reading past the end. */
static void
torture(const struct frame *f)
{
	struct dp_key key;
	struct dp_pkt pkt;
	struct frame g;
	size_t len, ip_end = 0;
	int i, rc;

	/* Where the full frame has an IP datagram, any cut inside it must be refused. */
	ck_assert_int_eq(extract(f, &key, &pkt), 0);
	if (pkt.l3_type == DP_L3_IPV4)
		ip_end = pkt.l3 + be16(f->b + pkt.l3 + 2);
	else if (pkt.l3_type == DP_L3_IPV6)
		ip_end = pkt.l3 + 40u + be16(f->b + pkt.l3 + 4);
	for (len = 0; len <= f->n; len++) {
		g = *f;
		g.n = len;
		rc = extract(&g, &key, &pkt);
		ck_assert_int_lt(rc, DP_DROP_N);
		if (len < 14)
			ck_assert_int_eq(rc, DP_DROP_ETH_TRUNCATED);
		else if (len < ip_end)
			ck_assert_msg(rc != 0, "truncated IP frame of %zu accepted", len);
	}
	srand(42);
	for (i = 0; i < 200 && f->n > 0; i++) {
		g = *f;
		g.b[rand() % g.n] ^= (uint8_t)(1 + rand() % 255);
		g.b[rand() % g.n] = (uint8_t)rand();
		rc = extract(&g, &key, &pkt);
		ck_assert_int_lt(rc, DP_DROP_N);
	}
}

static void
ipv4_tcp(struct frame *f, size_t optlen, uint16_t frag)
{
	fr_init(f);
	fr_eth(f, fr_mac_a, fr_mac_b, 0x0800);
	fr_ipv4(f, 0x8b, 64, 6, fr_ip_a, fr_ip_b, frag, optlen);
	fr_tcp(f, 11111, 2222);
	fr_zero(f, 8);
	fr_finish(f);
}

START_TEST(test_eth_only)
{
	struct frame f;
	struct dp_key key;
	struct dp_pkt pkt;

	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x1234);
	fr_zero(&f, 46);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be32(key.f.in_port), 7);
	ck_assert_uint_eq(be32(key.f.in_phy_port), 7);
	ck_assert_mem_eq(key.f.eth_dst, fr_mac_a, 6);
	ck_assert_mem_eq(key.f.eth_src, fr_mac_b, 6);
	ck_assert_uint_eq(be16(key.f.eth_type), 0x1234);
	ck_assert_uint_eq(be16(key.f.vlan_vid), 0);
	ck_assert_uint_eq(pkt.eth_type, 12);
	ck_assert_uint_eq(pkt.vlan, DP_PKT_NONE);
	ck_assert_uint_eq(pkt.l3, DP_PKT_NONE);
	ck_assert_uint_eq(DP_KEY_WORDS * 8, (sizeof(struct ofp_match_values) + 7) / 8 * 8);
	ck_assert_uint_ge(sizeof(struct dp_key), sizeof(struct ofp_match_values));

	/* 802.3 length field */
	f.b[12] = 0x00;
	f.b[13] = 0x2e;
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be16(key.f.eth_type), 0x05ff);
	torture(&f);
}
END_TEST

START_TEST(test_vlan_qinq)
{
	struct frame f;
	struct dp_key key;
	struct dp_pkt pkt;

	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x8100);
	fr_vlan(&f, 3, 100, 0x0806);
	fr_zero(&f, 28);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be16(key.f.vlan_vid), OFPVID_PRESENT | 100);
	ck_assert_uint_eq(key.f.vlan_pcp[0], 3);
	ck_assert_uint_eq(be16(key.f.eth_type), 0x0806);
	ck_assert_uint_eq(pkt.n_vlans, 1);
	ck_assert_uint_eq(pkt.vlan, 12);
	ck_assert_uint_eq(pkt.eth_type, 16);

	/* QinQ: the outer (S-)tag is matched, the ethertype after both. */
	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x88a8);
	fr_vlan(&f, 5, 10, 0x8100);
	fr_vlan(&f, 3, 100, 0x8100);
	fr_vlan(&f, 1, 4095, 0x0800);
	fr_ipv4(&f, 0, 64, 17, fr_ip_a, fr_ip_b, 0, 0);
	fr_udp(&f, 1, 2);
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be16(key.f.vlan_vid), OFPVID_PRESENT | 10);
	ck_assert_uint_eq(key.f.vlan_pcp[0], 5);
	ck_assert_uint_eq(be16(key.f.eth_type), 0x0800);
	ck_assert_uint_eq(pkt.n_vlans, 3);
	ck_assert_uint_eq(pkt.eth_type, 24);
	ck_assert_uint_eq(pkt.l3, 26);
	ck_assert_uint_eq(be16(key.f.udp_dst), 2);
	torture(&f);

	/* A VLAN tag cut short */
	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x8100);
	fr_u16(&f, 5);
	expect_drop(&f, DP_DROP_VLAN_TRUNCATED);
}
END_TEST

START_TEST(test_mpls)
{
	struct frame f;
	struct dp_key key;
	struct dp_pkt pkt;

	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x8847);
	fr_mpls(&f, 0xfffff, 5, 0, 64);
	fr_mpls(&f, 100, 3, 1, 32);
	fr_ipv4(&f, 0, 64, 6, fr_ip_a, fr_ip_b, 0, 0);
	fr_tcp(&f, 1, 2);
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be16(key.f.eth_type), 0x8847);
	ck_assert_uint_eq(be32(key.f.mpls_label), 0xfffff);
	ck_assert_uint_eq(key.f.mpls_tc[0], 5);
	ck_assert_uint_eq(key.f.mpls_bos[0], 0);
	/* nothing under the stack */
	ck_assert_uint_eq(key.f.ip_proto[0], 0);
	ck_assert_uint_eq(pkt.mpls, 14);
	ck_assert_uint_eq(pkt.l3, DP_PKT_NONE);
	torture(&f);

	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x8100);
	fr_vlan(&f, 0, 7, 0x8848);
	fr_mpls(&f, 16, 1, 1, 9);
	fr_zero(&f, 30);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be32(key.f.mpls_label), 16);
	ck_assert_uint_eq(key.f.mpls_tc[0], 1);
	ck_assert_uint_eq(key.f.mpls_bos[0], 1);
	ck_assert_uint_eq(pkt.mpls, 18);

	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x8847);
	fr_u16(&f, 1);
	fr_u8(&f, 1);
	expect_drop(&f, DP_DROP_MPLS_TRUNCATED);
}
END_TEST

START_TEST(test_pbb)
{
	struct frame f;
	struct dp_key key;
	struct dp_pkt pkt;

	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x88a8);
	fr_vlan(&f, 0, 10, 0x88e7);
	fr_itag(&f, 0, 0x123456, fr_mac_a, fr_mac_b);
	fr_u16(&f, 0x0800);
	fr_ipv4(&f, 0, 64, 6, fr_ip_a, fr_ip_b, 0, 0);
	fr_tcp(&f, 1, 2);
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be16(key.f.eth_type), 0x88e7);
	ck_assert_uint_eq(be16(key.f.vlan_vid), OFPVID_PRESENT | 10);
	ck_assert_uint_eq((uint32_t)key.f.pbb_isid[0] << 16 | be16(key.f.pbb_isid + 1), 0x123456);
	ck_assert_uint_eq(pkt.pbb, 18);
	/* the customer frame is not parsed */
	ck_assert_uint_eq(key.f.ip_proto[0], 0);
	torture(&f);

	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x88e7);
	fr_u32(&f, 100);
	fr_zero(&f, 6);
	expect_drop(&f, DP_DROP_PBB_TRUNCATED);
}
END_TEST

START_TEST(test_arp)
{
	static const uint8_t tha[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	struct frame f;
	struct dp_key key;
	struct dp_pkt pkt;

	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x0806);
	fr_u16(&f, 1);
	fr_u16(&f, 0x0800);
	fr_u8(&f, 6);
	fr_u8(&f, 4);
	fr_u16(&f, 2);
	fr_bytes(&f, fr_mac_b, 6);
	fr_bytes(&f, fr_ip_a, 4);
	fr_bytes(&f, tha, 6);
	fr_bytes(&f, fr_ip_b, 4);
	fr_pad(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be16(key.f.arp_op), 2);
	ck_assert_mem_eq(key.f.arp_sha, fr_mac_b, 6);
	ck_assert_mem_eq(key.f.arp_spa, fr_ip_a, 4);
	ck_assert_mem_eq(key.f.arp_tha, tha, 6);
	ck_assert_mem_eq(key.f.arp_tpa, fr_ip_b, 4);
	ck_assert_uint_eq(pkt.l3_type, DP_L3_ARP);
	torture(&f);

	/* other hardware type: no ARP fields, not a drop */
	f.b[15] = 6;
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be16(key.f.arp_op), 0);
	ck_assert_uint_eq(pkt.l3_type, DP_L3_NONE);

	f.b[15] = 1;
	f.n = 14 + 27;
	expect_drop(&f, DP_DROP_ARP_TRUNCATED);
	f.n = 14 + 7;
	expect_drop(&f, DP_DROP_ARP_TRUNCATED);
}
END_TEST

START_TEST(test_ipv4_tcp_options)
{
	struct frame f;
	struct dp_key key;
	struct dp_pkt pkt;

	ipv4_tcp(&f, 8, 0);
	fr_pad(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be16(key.f.eth_type), 0x0800);
	ck_assert_uint_eq(key.f.ip_dscp[0], 0x8b >> 2);
	ck_assert_uint_eq(key.f.ip_ecn[0], 3);
	ck_assert_uint_eq(key.f.ip_proto[0], 6);
	ck_assert_mem_eq(key.f.ipv4_src, fr_ip_a, 4);
	ck_assert_mem_eq(key.f.ipv4_dst, fr_ip_b, 4);
	ck_assert_uint_eq(be16(key.f.tcp_src), 11111);
	ck_assert_uint_eq(be16(key.f.tcp_dst), 2222);
	ck_assert_uint_eq(pkt.l3, 14);
	ck_assert_uint_eq(pkt.l4, 14 + 28);
	ck_assert_uint_eq(pkt.l4_len, 28);
	ck_assert_uint_eq(pkt.proto, 14 + 9);
	ck_assert_uint_eq(pkt.l4_type, DP_L4_TCP);
	torture(&f);
}
END_TEST

START_TEST(test_ipv4_fragments)
{
	struct frame f;
	struct dp_key key;
	struct dp_pkt pkt;

	/* first fragment: MF, offset 0: L4 fields */
	ipv4_tcp(&f, 0, 0x2000);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be16(key.f.tcp_src), 11111);
	ck_assert_uint_eq(pkt.flags, DP_PKT_F_FRAG);
	/* later fragment: no L4 header even if the bytes look like one */
	ipv4_tcp(&f, 0, 0x0003);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(key.f.ip_proto[0], 6);
	ck_assert_uint_eq(be16(key.f.tcp_src), 0);
	ck_assert_uint_eq(pkt.l4, DP_PKT_NONE);
	ck_assert_uint_eq(pkt.flags, DP_PKT_F_FRAG | DP_PKT_F_LATER_FRAG);
	torture(&f);
	/* a later fragment shorter than a TCP header is fine */
	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x0800);
	fr_ipv4(&f, 0, 64, 6, fr_ip_a, fr_ip_b, 0x0010, 0);
	fr_zero(&f, 8);
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	/* a tiny first fragment is a truncated TCP header */
	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x0800);
	fr_ipv4(&f, 0, 64, 6, fr_ip_a, fr_ip_b, 0x2000, 0);
	fr_zero(&f, 8);
	fr_finish(&f);
	fr_pad(&f);
	expect_drop(&f, DP_DROP_TCP_TRUNCATED);
}
END_TEST

START_TEST(test_ipv4_l4)
{
	struct frame f;
	struct dp_key key;
	struct dp_pkt pkt;

	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x0800);
	fr_ipv4(&f, 0, 64, 17, fr_ip_a, fr_ip_b, 0, 0);
	fr_udp(&f, 53, 5353);
	fr_finish(&f);
	fr_pad(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be16(key.f.udp_src), 53);
	ck_assert_uint_eq(be16(key.f.udp_dst), 5353);
	ck_assert_uint_eq(be16(key.f.tcp_src), 0);
	torture(&f);

	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x0800);
	fr_ipv4(&f, 0, 64, 132, fr_ip_a, fr_ip_b, 0, 0);
	fr_sctp(&f, 11111, 2222);
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be16(key.f.sctp_src), 11111);
	ck_assert_uint_eq(be16(key.f.sctp_dst), 2222);
	torture(&f);

	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x0800);
	fr_ipv4(&f, 0, 64, 1, fr_ip_a, fr_ip_b, 0, 0);
	fr_icmp(&f, 0, 8, 0);
	fr_finish(&f);
	fr_pad(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(key.f.icmpv4_type[0], 8);
	ck_assert_uint_eq(key.f.icmpv4_code[0], 0);
	ck_assert_uint_eq(pkt.l4_type, DP_L4_ICMP);
	torture(&f);

	/* ICMPv6's number over IPv4 is just a protocol */
	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x0800);
	fr_ipv4(&f, 0, 64, 58, fr_ip_a, fr_ip_b, 0, 0);
	fr_zero(&f, 2);
	fr_finish(&f);
	fr_pad(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(key.f.ip_proto[0], 58);
	ck_assert_uint_eq(pkt.l4_type, DP_L4_NONE);
}
END_TEST

START_TEST(test_ipv4_malformed)
{
	struct frame f;

	ipv4_tcp(&f, 0, 0);
	f.b[14] = 0x65;
	expect_drop(&f, DP_DROP_IPV4_BAD_VERSION);
	ipv4_tcp(&f, 0, 0);
	f.b[14] = 0x44;
	expect_drop(&f, DP_DROP_IPV4_BAD_IHL);
	ipv4_tcp(&f, 0, 0);
	f.b[14] = 0x4f; /* 60-byte header in a 62-byte frame */
	expect_drop(&f, DP_DROP_IPV4_TRUNCATED);
	ipv4_tcp(&f, 0, 0);
	f.b[16] = 0;
	f.b[17] = 19;
	expect_drop(&f, DP_DROP_IPV4_BAD_TOTLEN);
	ipv4_tcp(&f, 0, 0);
	f.b[17]++; /* datagram longer than the frame */
	expect_drop(&f, DP_DROP_IPV4_TRUNCATED);
	ipv4_tcp(&f, 0, 0);
	f.b[14 + 20 + 12] = 0x40; /* data offset 4 */
	expect_drop(&f, DP_DROP_TCP_BAD_OFFSET);
	ipv4_tcp(&f, 0, 0);
	f.b[14 + 20 + 12] = 0xf0; /* 60-byte TCP header in 28 bytes */
	expect_drop(&f, DP_DROP_TCP_BAD_OFFSET);
	ipv4_tcp(&f, 0, 0);
	f.n = 14 + 19;
	expect_drop(&f, DP_DROP_IPV4_TRUNCATED);

	/* UDP, SCTP, ICMP headers cut short inside a consistent datagram */
	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x0800);
	fr_ipv4(&f, 0, 64, 17, fr_ip_a, fr_ip_b, 0, 0);
	fr_zero(&f, 7);
	fr_finish(&f);
	fr_pad(&f);
	expect_drop(&f, DP_DROP_UDP_TRUNCATED);
	f.b[14 + 9] = 132;
	expect_drop(&f, DP_DROP_SCTP_TRUNCATED);
	f.b[14 + 9] = 1;
	f.b[17] = 23; /* 3 bytes of ICMP */
	expect_drop(&f, DP_DROP_ICMP_TRUNCATED);
}
END_TEST

static void
ipv6_base(struct frame *f, uint8_t nh)
{
	fr_init(f);
	fr_eth(f, fr_mac_a, fr_mac_b, 0x86dd);
	fr_ipv6(f, 0x8b, 0xabcde, nh, 64, fr_ip6_a, fr_ip6_b);
}

START_TEST(test_ipv6_tcp)
{
	struct frame f;
	struct dp_key key;
	struct dp_pkt pkt;

	ipv6_base(&f, 6);
	fr_tcp(&f, 11111, 2222);
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be16(key.f.eth_type), 0x86dd);
	ck_assert_mem_eq(key.f.ipv6_src, fr_ip6_a, 16);
	ck_assert_mem_eq(key.f.ipv6_dst, fr_ip6_b, 16);
	ck_assert_uint_eq(be32(key.f.ipv6_flabel), 0xabcde);
	ck_assert_uint_eq(key.f.ip_dscp[0], 0x8b >> 2);
	ck_assert_uint_eq(key.f.ip_ecn[0], 3);
	ck_assert_uint_eq(key.f.ip_proto[0], 6);
	ck_assert_uint_eq(be16(key.f.tcp_src), 11111);
	ck_assert_uint_eq(be16(key.f.tcp_dst), 2222);
	ck_assert_uint_eq(be16(key.f.ipv6_exthdr), 0);
	ck_assert_uint_eq(pkt.proto, 14 + 6);
	torture(&f);

	ipv6_base(&f, 17);
	fr_udp(&f, 1, 2);
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be16(key.f.udp_dst), 2);

	ipv6_base(&f, 132);
	fr_sctp(&f, 3, 4);
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be16(key.f.sctp_dst), 4);

	ipv6_base(&f, 58);
	fr_icmp(&f, 1, 128, 0);
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(key.f.icmpv6_type[0], 128);
	torture(&f);

	/* ICMPv4's number over IPv6: no ICMP fields */
	ipv6_base(&f, 1);
	fr_zero(&f, 8);
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(key.f.icmpv4_type[0], 0);
	ck_assert_uint_eq(key.f.ip_proto[0], 1);
}
END_TEST

/* Builds eth/ipv6/<ext headers>/tcp and returns the key's exthdr flags. */
static unsigned
exthdrs(const uint8_t *types, size_t n, uint8_t *proto, int torture_it)
{
	struct frame f;
	struct dp_key key;
	struct dp_pkt pkt;
	size_t i;

	ipv6_base(&f, n ? types[0] : 6);
	for (i = 0; i < n; i++)
		fr_ext(&f, types[i], i + 1 < n ? types[i + 1] : 6, types[i] == 51 ? 1 : 0);
	if (!n || (types[n - 1] != 50 && types[n - 1] != 59))
		fr_tcp(&f, 1, 2);
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	if (torture_it)
		torture(&f);
	*proto = key.f.ip_proto[0];
	return be16(key.f.ipv6_exthdr);
}

START_TEST(test_ipv6_exthdr)
{
	static const uint8_t hop_auth[] = { 0, 51 };
	static const uint8_t all[] = { 0, 60, 43, 44, 51, 60 };
	static const uint8_t unseq_hop[] = { 60, 0 };
	static const uint8_t unseq_auth[] = { 51, 43 };
	static const uint8_t unrep_hop[] = { 0, 0 };
	static const uint8_t unrep_dest[] = { 60, 60, 60 };
	static const uint8_t unrep_frag[] = { 44, 44 };
	static const uint8_t dest2[] = { 43, 60 };
	static const uint8_t dest_dest[] = { 60, 60 };
	static const uint8_t esp[] = { 0, 50 };
	static const uint8_t nonext[] = { 60, 59 };
	uint8_t proto;

	ck_assert_uint_eq(exthdrs(hop_auth, 2, &proto, 1), OFPIEH_HOP | OFPIEH_AUTH);
	ck_assert_uint_eq(proto, 6);
	ck_assert_uint_eq(exthdrs(all, 6, &proto, 1),
			  OFPIEH_HOP | OFPIEH_DEST | OFPIEH_ROUTER | OFPIEH_FRAG | OFPIEH_AUTH);
	ck_assert_uint_eq(proto, 6);
	ck_assert_uint_eq(exthdrs(unseq_hop, 2, &proto, 0),
			  OFPIEH_HOP | OFPIEH_DEST | OFPIEH_UNSEQ);
	ck_assert_uint_eq(exthdrs(unseq_auth, 2, &proto, 0),
			  OFPIEH_AUTH | OFPIEH_ROUTER | OFPIEH_UNSEQ);
	ck_assert_uint_eq(exthdrs(unrep_hop, 2, &proto, 0), OFPIEH_HOP | OFPIEH_UNREP);
	ck_assert_uint_eq(exthdrs(unrep_dest, 3, &proto, 0), OFPIEH_DEST | OFPIEH_UNREP);
	ck_assert_uint_eq(exthdrs(unrep_frag, 2, &proto, 0), OFPIEH_FRAG | OFPIEH_UNREP);
	ck_assert_uint_eq(exthdrs(dest2, 2, &proto, 0), OFPIEH_ROUTER | OFPIEH_DEST);
	ck_assert_uint_eq(exthdrs(dest_dest, 2, &proto, 0), OFPIEH_DEST);
	ck_assert_uint_eq(exthdrs(esp, 2, &proto, 1), OFPIEH_HOP | OFPIEH_ESP);
	ck_assert_uint_eq(proto, 50);
	ck_assert_uint_eq(exthdrs(nonext, 2, &proto, 1), OFPIEH_DEST | OFPIEH_NONEXT);
	ck_assert_uint_eq(proto, 59);
	ck_assert_uint_eq(exthdrs(NULL, 0, &proto, 0), 0);
}
END_TEST

START_TEST(test_ipv6_fragment)
{
	struct frame f;
	struct dp_key key;
	struct dp_pkt pkt;

	/* first fragment: L4 parsed */
	ipv6_base(&f, 44);
	fr_ext(&f, 44, 17, 0);
	f.b[f.n - 5] = 1; /* M flag */
	fr_udp(&f, 7, 8);
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(be16(key.f.udp_src), 7);
	ck_assert_uint_eq(key.f.ip_proto[0], 17);
	ck_assert_uint_eq(pkt.flags, DP_PKT_F_FRAG);
	ck_assert_uint_eq(pkt.proto, 14 + 40);
	/* later fragment: protocol known, no L4 */
	f.b[14 + 40 + 2] = 0x01;
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(key.f.ip_proto[0], 17);
	ck_assert_uint_eq(be16(key.f.udp_src), 0);
	ck_assert_uint_eq(be16(key.f.ipv6_exthdr), OFPIEH_FRAG);
	ck_assert_uint_eq(pkt.flags, DP_PKT_F_FRAG | DP_PKT_F_LATER_FRAG);
	torture(&f);
}
END_TEST

START_TEST(test_ipv6_malformed)
{
	struct frame f;

	ipv6_base(&f, 6);
	fr_tcp(&f, 1, 2);
	fr_finish(&f);
	f.b[14] = 0x45;
	expect_drop(&f, DP_DROP_IPV6_BAD_VERSION);
	f.b[14] = 0x68;
	f.b[19]++; /* payload longer than the frame */
	expect_drop(&f, DP_DROP_IPV6_TRUNCATED);
	f.b[19]--;
	f.n = 14 + 39;
	expect_drop(&f, DP_DROP_IPV6_TRUNCATED);

	/* an extension header longer than the datagram */
	ipv6_base(&f, 0);
	fr_ext(&f, 0, 6, 0);
	fr_tcp(&f, 1, 2);
	fr_finish(&f);
	f.b[14 + 40 + 1] = 5;
	expect_drop(&f, DP_DROP_IPV6_EXTHDR_TRUNCATED);
	/* TCP header cut by the payload length */
	ipv6_base(&f, 6);
	fr_zero(&f, 10);
	fr_finish(&f);
	fr_zero(&f, 10);
	expect_drop(&f, DP_DROP_TCP_TRUNCATED);
	ipv6_base(&f, 58);
	fr_zero(&f, 3);
	fr_finish(&f);
	fr_zero(&f, 10);
	expect_drop(&f, DP_DROP_ICMPV6_TRUNCATED);
}
END_TEST

static const uint8_t nd_target[16] = { 0xfe, 0x80, [8] = 1, [15] = 9 };
static const uint8_t mac_c[6] = { 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0x01 };

START_TEST(test_nd)
{
	struct frame f;
	struct dp_key key;
	struct dp_pkt pkt;

	/* NS with SLL (and a TLL, which an NS does not carry: ignored) */
	ipv6_base(&f, 58);
	fr_nd(&f, 135, nd_target);
	fr_nd_opt(&f, 2, fr_mac_a);
	fr_nd_opt(&f, 1, mac_c);
	fr_nd_opt(&f, 1, fr_mac_a); /* a second SLL: the first one counts */
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(key.f.icmpv6_type[0], 135);
	ck_assert_mem_eq(key.f.ipv6_nd_target, nd_target, 16);
	ck_assert_mem_eq(key.f.ipv6_nd_sll, mac_c, 6);
	ck_assert_uint_eq(be16(key.f.ipv6_nd_tll), 0);
	ck_assert_uint_eq(pkt.nd_lla, 14 + 40 + 24 + 8 + 2);
	torture(&f);

	/* NA with TLL */
	ipv6_base(&f, 58);
	fr_nd(&f, 136, nd_target);
	fr_nd_opt(&f, 2, mac_c);
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_mem_eq(key.f.ipv6_nd_target, nd_target, 16);
	ck_assert_mem_eq(key.f.ipv6_nd_tll, mac_c, 6);
	torture(&f);

	/* NS without options */
	ipv6_base(&f, 58);
	fr_nd(&f, 135, nd_target);
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_mem_eq(key.f.ipv6_nd_target, nd_target, 16);
	ck_assert_uint_eq(pkt.nd_lla, DP_PKT_NONE);

	/* a non-zero code is not ND */
	f.b[14 + 40 + 1] = 1;
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(key.f.ipv6_nd_target[0], 0);

	/* option of length 0, option past the end, header short */
	ipv6_base(&f, 58);
	fr_nd(&f, 136, nd_target);
	fr_nd_opt(&f, 2, mac_c);
	fr_finish(&f);
	f.b[14 + 40 + 25] = 0;
	expect_drop(&f, DP_DROP_ND_BAD_OPTION);
	f.b[14 + 40 + 25] = 2;
	expect_drop(&f, DP_DROP_ND_TRUNCATED);
	ipv6_base(&f, 58);
	fr_nd(&f, 136, nd_target);
	fr_u8(&f, 2);
	fr_finish(&f);
	expect_drop(&f, DP_DROP_ND_TRUNCATED);
	ipv6_base(&f, 58);
	fr_nd(&f, 135, nd_target);
	f.n -= 1;
	fr_finish(&f);
	expect_drop(&f, DP_DROP_ND_TRUNCATED);
}
END_TEST

START_TEST(test_eth_truncated)
{
	struct frame f;

	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x0800);
	f.n = 13;
	expect_drop(&f, DP_DROP_ETH_TRUNCATED);
	f.n = 0;
	expect_drop(&f, DP_DROP_ETH_TRUNCATED);
}
END_TEST

START_TEST(test_drop_names)
{
	unsigned i, j;

	ck_assert_str_eq(dp_drop_reason_name(DP_DROP_NONE), "none");
	ck_assert_str_eq(dp_drop_reason_name(DP_DROP_IPV4_TRUNCATED), "ipv4_truncated");
	ck_assert_str_eq(dp_drop_reason_name(DP_DROP_N), "unknown");
	for (i = 0; i < DP_DROP_N; i++) {
		ck_assert_ptr_nonnull(dp_drop_reason_name(i));
		for (j = 0; j < i; j++)
			ck_assert_str_ne(dp_drop_reason_name(i), dp_drop_reason_name(j));
	}
}
END_TEST

/* Multi-segment view: headers in the first segment, the datagram longer than it. */
START_TEST(test_multiseg)
{
	struct frame f;
	struct dp_key key;
	struct dp_pkt pkt;

	ipv4_tcp(&f, 0, 0);
	dp_pkt_init(&pkt, f.b, 14 + 20 + 20, 0, 0);
	pkt.frame_len = (uint32_t)f.n;
	ck_assert_int_eq(dp_key_extract(&pkt, 1, &key), 0);
	ck_assert_uint_eq(be16(key.f.tcp_dst), 2222);
	ck_assert_uint_eq(pkt.l4_len, 28);
	/* but the header itself must be in the first segment */
	pkt.len = 14 + 20 + 19;
	ck_assert_int_eq(dp_key_extract(&pkt, 1, &key), DP_DROP_TCP_TRUNCATED);
}
END_TEST

/* The fast key takes the common shapes and leaves every other one to dp_key_extract. */
START_TEST(test_fast_key_shapes)
{
	struct frame f;
	struct dp_key key;
	struct dp_pkt pkt;
	struct dp_fkey fk;
	unsigned before;

	ipv4_tcp(&f, 0, 0);
	before = n_fast;
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(n_fast, before + 1);
	ipv4_tcp(&f, 8, 0); /* options */
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(n_fast, before + 2);

	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x8100);
	fr_vlan(&f, 5, 0x00b, 0x0800);
	fr_ipv4(&f, 0, 64, 17, fr_ip_a, fr_ip_b, 0, 0);
	fr_udp(&f, 53, 5353);
	fr_finish(&f);
	key_ok(&f, &key, &pkt);
	ck_assert_uint_eq(n_fast, before + 3);
	dp_pkt_init(&pkt, f.b, (uint32_t)f.n, 0, 0);
	ck_assert(dp_key_fast(&pkt, 3, &fk));
	ck_assert_uint_eq(be16(fk.f.vlan_vid), OFPVID_PRESENT | 0x00b);
	ck_assert_uint_eq(fk.f.vlan_pcp, 5);
	ck_assert_uint_eq(be16(fk.f.tp_dst), 5353);

	/* not taken: a fragment, ICMP, a multi-segment frame cut inside the TCP header */
	ipv4_tcp(&f, 0, 0x2000);
	dp_pkt_init(&pkt, f.b, (uint32_t)f.n, 0, 0);
	ck_assert(!dp_key_fast(&pkt, 1, &fk));
	fr_init(&f);
	fr_eth(&f, fr_mac_a, fr_mac_b, 0x0800);
	fr_ipv4(&f, 0, 64, 1, fr_ip_a, fr_ip_b, 0, 0);
	fr_zero(&f, 8);
	fr_finish(&f);
	dp_pkt_init(&pkt, f.b, (uint32_t)f.n, 0, 0);
	ck_assert(!dp_key_fast(&pkt, 1, &fk));
	ipv4_tcp(&f, 0, 0);
	dp_pkt_init(&pkt, f.b, 14 + 20 + 19, 0, 0);
	pkt.frame_len = (uint32_t)f.n;
	ck_assert(!dp_key_fast(&pkt, 1, &fk));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dp_key");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_eth_only);
	tcase_add_test(tc, test_vlan_qinq);
	tcase_add_test(tc, test_mpls);
	tcase_add_test(tc, test_pbb);
	tcase_add_test(tc, test_arp);
	tcase_add_test(tc, test_ipv4_tcp_options);
	tcase_add_test(tc, test_ipv4_fragments);
	tcase_add_test(tc, test_ipv4_l4);
	tcase_add_test(tc, test_ipv4_malformed);
	tcase_add_test(tc, test_ipv6_tcp);
	tcase_add_test(tc, test_ipv6_exthdr);
	tcase_add_test(tc, test_ipv6_fragment);
	tcase_add_test(tc, test_ipv6_malformed);
	tcase_add_test(tc, test_nd);
	tcase_add_test(tc, test_eth_truncated);
	tcase_add_test(tc, test_drop_names);
	tcase_add_test(tc, test_multiseg);
	tcase_add_test(tc, test_fast_key_shapes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
