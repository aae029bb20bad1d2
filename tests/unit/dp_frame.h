/* Test helper for the datapath's packet tests (test_dp_key.c, test_dp_prog.c): builds
 * frames byte by byte and computes every checksum from scratch (IPv4 header, TCP/UDP/
 * ICMPv6 with their pseudo-header, ICMPv4, SCTP CRC32c), independently of dp_pkt.c's
 * incremental updates, so a test compares an edited frame with one built by hand. */
#ifndef PFS_TEST_DP_FRAME_H
#define PFS_TEST_DP_FRAME_H

#include <stdint.h>
#include <string.h>

#define FR_MAX 1024

enum fr_l4 { FR_NONE, FR_TCP, FR_UDP, FR_SCTP, FR_ICMP, FR_ICMPV6 };

struct frame {
	uint8_t b[FR_MAX];
	size_t n;
	size_t l3, l4;	 /* offsets of the IP and transport headers (0: none) */
	int ipv;	 /* 4 or 6 */
	uint8_t proto;	 /* pseudo-header protocol */
	enum fr_l4 kind; /* where the transport checksum sits */
	int no_csum;	 /* leave the transport checksum 0 (UDP without one) */
};

static const uint8_t fr_mac_a[6] = { 0x22, 0x22, 0x22, 0x22, 0x22, 0x22 };
static const uint8_t fr_mac_b[6] = { 0x12, 0x11, 0x11, 0x11, 0x11, 0x11 };
static const uint8_t fr_ip_a[4] = { 192, 168, 10, 10 };
static const uint8_t fr_ip_b[4] = { 192, 168, 20, 20 };
static const uint8_t fr_ip6_a[16] = { 0, 0x10, [15] = 0x10 };
static const uint8_t fr_ip6_b[16] = { 0, 0x20, [15] = 0x20 };

static inline void
fr_init(struct frame *f)
{
	memset(f, 0, sizeof *f);
}

static inline void
fr_bytes(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static inline void
fr_u8(struct frame *f, uint8_t v)
{
	f->b[f->n++] = v;
}

static inline void
fr_u16(struct frame *f, uint16_t v)
{
	fr_u8(f, (uint8_t)(v >> 8));
	fr_u8(f, (uint8_t)v);
}

static inline void
fr_u32(struct frame *f, uint32_t v)
{
	fr_u16(f, (uint16_t)(v >> 16));
	fr_u16(f, (uint16_t)v);
}

static inline void
fr_zero(struct frame *f, size_t n)
{
	memset(f->b + f->n, 0, n);
	f->n += n;
}

static inline void
fr_eth(struct frame *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	fr_bytes(f, dst, 6);
	fr_bytes(f, src, 6);
	fr_u16(f, type);
}

/* A VLAN tag's TCI and the ethertype after it (the TPID is the previous type). */
static inline void
fr_vlan(struct frame *f, uint8_t pcp, uint16_t vid, uint16_t next)
{
	fr_u16(f, (uint16_t)(pcp << 13 | vid));
	fr_u16(f, next);
}

static inline void
fr_mpls(struct frame *f, uint32_t label, uint8_t tc, uint8_t bos, uint8_t ttl)
{
	fr_u32(f, label << 12 | (uint32_t)tc << 9 | (uint32_t)bos << 8 | ttl);
}

/* I-TAG TCI then the customer DA/SA; the customer ethertype follows with fr_u16. */
static inline void
fr_itag(struct frame *f, uint8_t pcp, uint32_t isid, const uint8_t *cda, const uint8_t *csa)
{
	fr_u8(f, (uint8_t)(pcp << 5));
	fr_u8(f, (uint8_t)(isid >> 16));
	fr_u16(f, (uint16_t)isid);
	fr_bytes(f, cda, 6);
	fr_bytes(f, csa, 6);
}

/* IPv4 header with optlen bytes of options (NOPs); length and checksum: fr_finish(). */
static inline void
fr_ipv4(struct frame *f, uint8_t tos, uint8_t ttl, uint8_t proto, const uint8_t *src,
	const uint8_t *dst, uint16_t frag, size_t optlen)
{
	f->l3 = f->n;
	f->ipv = 4;
	f->proto = proto;
	fr_u8(f, (uint8_t)(0x40 | (20 + optlen) / 4));
	fr_u8(f, tos);
	fr_u16(f, 0);
	fr_u16(f, 0x1234);
	fr_u16(f, frag);
	fr_u8(f, ttl);
	fr_u8(f, proto);
	fr_u16(f, 0);
	fr_bytes(f, src, 4);
	fr_bytes(f, dst, 4);
	memset(f->b + f->n, 1, optlen);
	f->n += optlen;
}

static inline void
fr_ipv6(struct frame *f, uint8_t tc, uint32_t flabel, uint8_t nh, uint8_t hlim, const uint8_t *src,
	const uint8_t *dst)
{
	f->l3 = f->n;
	f->ipv = 6;
	f->proto = nh;
	fr_u32(f, 6u << 28 | (uint32_t)tc << 20 | flabel);
	fr_u16(f, 0);
	fr_u8(f, nh);
	fr_u8(f, hlim);
	fr_bytes(f, src, 16);
	fr_bytes(f, dst, 16);
}

/* An IPv6 extension header: HOP/DEST/ROUTING (len8 = 8-byte units beyond the first),
 * AH (51: len in 4-byte units minus 2), fragment (44). Sets the upper protocol. */
static inline void
fr_ext(struct frame *f, uint8_t type, uint8_t nh, unsigned len_field)
{
	size_t total = type == 44 ? 8 : type == 51 ? (len_field + 2) * 4 : (len_field + 1) * 8;

	fr_u8(f, nh);
	fr_u8(f, type == 44 ? 0 : (uint8_t)len_field);
	fr_zero(f, total - 2);
	f->proto = nh;
}

static inline void
fr_tcp(struct frame *f, uint16_t sport, uint16_t dport)
{
	f->l4 = f->n;
	f->kind = FR_TCP;
	fr_u16(f, sport);
	fr_u16(f, dport);
	fr_u32(f, 1);
	fr_u32(f, 0);
	fr_u16(f, 0x5010);
	fr_u16(f, 0xffff);
	fr_u16(f, 0);
	fr_u16(f, 0);
}

static inline void
fr_udp(struct frame *f, uint16_t sport, uint16_t dport)
{
	f->l4 = f->n;
	f->kind = FR_UDP;
	fr_u16(f, sport);
	fr_u16(f, dport);
	fr_u16(f, 0);
	fr_u16(f, 0);
}

/* SCTP common header and one DATA chunk with 8 payload bytes. */
static inline void
fr_sctp(struct frame *f, uint16_t sport, uint16_t dport)
{
	static const uint8_t chunk[] = {
		0, 3, 0, 24, 0,	   0,	 0,    1,    0,	   0,	 0,    0,
		0, 0, 0, 0,  0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef
	};

	f->l4 = f->n;
	f->kind = FR_SCTP;
	fr_u16(f, sport);
	fr_u16(f, dport);
	fr_u32(f, 0xdeadbeef);
	fr_u32(f, 0);
	fr_bytes(f, chunk, sizeof chunk);
}

static inline void
fr_icmp(struct frame *f, int v6, uint8_t type, uint8_t code)
{
	f->l4 = f->n;
	f->kind = v6 ? FR_ICMPV6 : FR_ICMP;
	fr_u8(f, type);
	fr_u8(f, code);
	fr_u16(f, 0);
	fr_u32(f, 0x00010002);
}

/* ND NS (135) / NA (136) header with a target; options follow with fr_nd_opt(). */
static inline void
fr_nd(struct frame *f, uint8_t type, const uint8_t *target)
{
	f->l4 = f->n;
	f->kind = FR_ICMPV6;
	fr_u8(f, type);
	fr_u8(f, 0);
	fr_u16(f, 0);
	fr_u32(f, 0);
	fr_bytes(f, target, 16);
}

static inline void
fr_nd_opt(struct frame *f, uint8_t type, const uint8_t *mac)
{
	fr_u8(f, type);
	fr_u8(f, 1);
	fr_bytes(f, mac, 6);
}

static inline uint32_t
fr_sum(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static inline uint16_t
fr_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static inline uint32_t
fr_crc32c(const uint8_t *p, size_t n)
{
	uint32_t c = ~0u;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
	}
	return ~c;
}

/* Fills in the IP lengths and computes every checksum from scratch. */
static inline void
fr_finish(struct frame *f)
{
	uint8_t *ip = f->b + f->l3;
	uint8_t *l4 = f->b + f->l4;
	size_t l4len = f->n - f->l4;
	uint32_t s = 0;
	uint16_t c;
	size_t csum_at;

	if (f->ipv == 4) {
		size_t ihl = (ip[0] & 0xf) * 4u;

		ip[2] = (uint8_t)((f->n - f->l3) >> 8);
		ip[3] = (uint8_t)(f->n - f->l3);
		ip[10] = ip[11] = 0;
		c = fr_fold(fr_sum(ip, ihl, 0));
		ip[10] = (uint8_t)(c >> 8);
		ip[11] = (uint8_t)c;
	} else if (f->ipv == 6) {
		ip[4] = (uint8_t)((f->n - f->l3 - 40) >> 8);
		ip[5] = (uint8_t)(f->n - f->l3 - 40);
	}
	if (!f->l4)
		return;
	if (f->kind == FR_UDP) {
		l4[4] = (uint8_t)(l4len >> 8);
		l4[5] = (uint8_t)l4len;
	}
	if (f->kind == FR_SCTP) {
		uint32_t crc;

		memset(l4 + 8, 0, 4);
		crc = fr_crc32c(l4, l4len);
		l4[8] = (uint8_t)crc;
		l4[9] = (uint8_t)(crc >> 8);
		l4[10] = (uint8_t)(crc >> 16);
		l4[11] = (uint8_t)(crc >> 24);
		return;
	}
	csum_at = f->kind == FR_TCP ? 16 : f->kind == FR_UDP ? 6 : 2;
	l4[csum_at] = l4[csum_at + 1] = 0;
	if (f->no_csum)
		return;
	if (f->kind != FR_ICMP) {
		if (f->ipv == 4) {
			s = fr_sum(ip + 12, 8, 0);
		} else {
			s = fr_sum(ip + 8, 32, 0);
		}
		s += f->proto;
		s += (uint32_t)l4len;
	}
	c = fr_fold(fr_sum(l4, l4len, s));
	if (c == 0 && f->kind == FR_UDP)
		c = 0xffff;
	l4[csum_at] = (uint8_t)(c >> 8);
	l4[csum_at + 1] = (uint8_t)c;
}

/* Appends zeros up to 60 bytes (after fr_finish: not part of the IP datagram). */
static inline void
fr_pad(struct frame *f)
{
	if (f->n < 60)
		fr_zero(f, 60 - f->n);
}

#endif /* PFS_TEST_DP_FRAME_H */
