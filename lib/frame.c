/* Frames from match fields and frame summaries (see frame.h). Reads every frame byte
 * through buf.h's cursor. */
#include "frame.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "openflow.h"

#define ETH_IPV4 0x0800
#define ETH_ARP 0x0806
#define ETH_VLAN 0x8100
#define ETH_IPV6 0x86dd
#define ETH_MPLS 0x8847
#define ETH_MPLS_MC 0x8848

/* The value of field f in m, or def when absent. */
static const uint8_t *
val(const struct ofp_match *m, uint8_t f, const uint8_t *def)
{
	return oxm_match_has(m, f) ? oxm_match_value(m, f) : def;
}

static uint8_t
val8(const struct ofp_match *m, uint8_t f, uint8_t def)
{
	return oxm_match_has(m, f) ? oxm_match_value(m, f)[0] : def;
}

static uint16_t
val16(const struct ofp_match *m, uint8_t f, uint16_t def)
{
	return oxm_match_has(m, f) ? get_be16(oxm_match_value(m, f)) : def;
}

static uint16_t
ip_checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Writes the L4 header for proto at p; returns its length. */
static size_t
put_l4(const struct ofp_match *m, uint8_t proto, bool v6, uint8_t *p)
{
	uint8_t type, code;

	switch (proto) {
	case 6: /* TCP: ports, data offset 5, ACK */
		put_be16(p, val16(m, OFPXMT_OFB_TCP_SRC, 0));
		put_be16(p + 2, val16(m, OFPXMT_OFB_TCP_DST, 0));
		p[12] = 5 << 4;
		p[13] = 0x10;
		put_be16(p + 14, 65535);
		return 20;
	case 17: /* UDP: ports, length */
		put_be16(p, val16(m, OFPXMT_OFB_UDP_SRC, 0));
		put_be16(p + 2, val16(m, OFPXMT_OFB_UDP_DST, 0));
		put_be16(p + 4, 8);
		return 8;
	case 132: /* SCTP common header */
		put_be16(p, val16(m, OFPXMT_OFB_SCTP_SRC, 0));
		put_be16(p + 2, val16(m, OFPXMT_OFB_SCTP_DST, 0));
		return 12;
	case 1:
		if (v6)
			return 0;
		p[0] = val8(m, OFPXMT_OFB_ICMPV4_TYPE, 8);
		p[1] = val8(m, OFPXMT_OFB_ICMPV4_CODE, 0);
		put_be16(p + 2, ip_checksum(p, 8));
		return 8;
	case 58:
		if (!v6)
			return 0;
		type = val8(m, OFPXMT_OFB_ICMPV6_TYPE, 128);
		code = val8(m, OFPXMT_OFB_ICMPV6_CODE, 0);
		p[0] = type;
		p[1] = code;
		if ((type == 135 || type == 136) && code == 0) {
			static const uint8_t zero[16];
			uint8_t opt = type == 135 ? OFPXMT_OFB_IPV6_ND_SLL : OFPXMT_OFB_IPV6_ND_TLL;

			memcpy(p + 8, val(m, OFPXMT_OFB_IPV6_ND_TARGET, zero), 16);
			if (!oxm_match_has(m, opt))
				return 24;
			p[24] = type == 135 ? 1 : 2;
			p[25] = 1; /* 8 bytes */
			memcpy(p + 26, oxm_match_value(m, opt), 6);
			return 32;
		}
		return 8;
	default:
		return 0;
	}
}

int
frame_from_match(const struct ofp_match *m, uint8_t *out, size_t room, size_t *len, char *errbuf,
		 size_t errlen)
{
	static const uint8_t refused[] = { OFPXMT_OFB_IN_PHY_PORT, OFPXMT_OFB_METADATA,
					   OFPXMT_OFB_PBB_ISID, OFPXMT_OFB_TUNNEL_ID,
					   OFPXMT_OFB_IPV6_EXTHDR };
	static const uint8_t zero[16];
	uint8_t *p = out, *l3;
	uint16_t type = val16(m, OFPXMT_OFB_ETH_TYPE, 0);

	for (size_t i = 0; i < sizeof(refused); i++)
		if (oxm_match_has(m, refused[i])) {
			snprintf(errbuf, errlen, "%s is not carried in a packet's bytes",
				 oxm_field_info(refused[i])->name);
			return -EINVAL;
		}
	if (room < FRAME_MAX_SYNTH)
		return -ENOSPC;
	memset(out, 0, FRAME_MAX_SYNTH);
	memcpy(p, val(m, OFPXMT_OFB_ETH_DST, zero), 6);
	memcpy(p + 6, val(m, OFPXMT_OFB_ETH_SRC, zero), 6);
	p += 12;
	if (val16(m, OFPXMT_OFB_VLAN_VID, 0) & OFPVID_PRESENT) {
		uint16_t tci = (uint16_t)(val16(m, OFPXMT_OFB_VLAN_VID, 0) & 0x0fff) |
			       (uint16_t)((val8(m, OFPXMT_OFB_VLAN_PCP, 0) & 7) << 13);

		put_be16(p, ETH_VLAN);
		put_be16(p + 2, tci);
		p += 4;
	}
	put_be16(p, type);
	p += 2;
	l3 = p;
	uint8_t proto = val8(m, OFPXMT_OFB_IP_PROTO, 0);
	uint8_t tos = (uint8_t)(val8(m, OFPXMT_OFB_IP_DSCP, 0) << 2 |
				(val8(m, OFPXMT_OFB_IP_ECN, 0) & 3));
	size_t l4;

	switch (type) {
	case ETH_IPV4:
		l4 = put_l4(m, proto, false, l3 + 20);
		l3[0] = 0x45;
		l3[1] = tos;
		put_be16(l3 + 2, (uint16_t)(20 + l4));
		l3[8] = 64;
		l3[9] = proto;
		memcpy(l3 + 12, val(m, OFPXMT_OFB_IPV4_SRC, zero), 4);
		memcpy(l3 + 16, val(m, OFPXMT_OFB_IPV4_DST, zero), 4);
		put_be16(l3 + 10, ip_checksum(l3, 20));
		p = l3 + 20 + l4;
		break;
	case ETH_IPV6: {
		uint32_t fl =
			oxm_match_has(m, OFPXMT_OFB_IPV6_FLABEL)
				? get_be32(oxm_match_value(m, OFPXMT_OFB_IPV6_FLABEL)) & 0xfffff
				: 0;

		l4 = put_l4(m, proto, true, l3 + 40);
		put_be32(l3, 6u << 28 | (uint32_t)tos << 20 | fl);
		put_be16(l3 + 4, (uint16_t)l4);
		l3[6] = proto;
		l3[7] = 64;
		memcpy(l3 + 8, val(m, OFPXMT_OFB_IPV6_SRC, zero), 16);
		memcpy(l3 + 24, val(m, OFPXMT_OFB_IPV6_DST, zero), 16);
		p = l3 + 40 + l4;
		break;
	}
	case ETH_ARP:
		put_be16(l3, 1);
		put_be16(l3 + 2, ETH_IPV4);
		l3[4] = 6;
		l3[5] = 4;
		put_be16(l3 + 6, val16(m, OFPXMT_OFB_ARP_OP, 1));
		memcpy(l3 + 8, val(m, OFPXMT_OFB_ARP_SHA, zero), 6);
		memcpy(l3 + 14, val(m, OFPXMT_OFB_ARP_SPA, zero), 4);
		memcpy(l3 + 18, val(m, OFPXMT_OFB_ARP_THA, zero), 6);
		memcpy(l3 + 24, val(m, OFPXMT_OFB_ARP_TPA, zero), 4);
		p = l3 + 28;
		break;
	case ETH_MPLS:
	case ETH_MPLS_MC: {
		uint32_t label =
			oxm_match_has(m, OFPXMT_OFB_MPLS_LABEL)
				? get_be32(oxm_match_value(m, OFPXMT_OFB_MPLS_LABEL)) & 0xfffff
				: 0;

		put_be32(l3, label << 12 | (uint32_t)(val8(m, OFPXMT_OFB_MPLS_TC, 0) & 7) << 9 |
				     (uint32_t)(val8(m, OFPXMT_OFB_MPLS_BOS, 1) & 1) << 8 | 64);
		p = l3 + 4;
		break;
	}
	default:
		break;
	}
	*len = (size_t)(p - out) < 60 ? 60 : (size_t)(p - out);
	return 0;
}

/* ---- Summaries ------------------------------------------------------------------------ */

static void
put_mac(const uint8_t *a, struct buf *b)
{
	buf_printf(b, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
}

static void
put_ip(int af, const uint8_t *a, struct buf *b)
{
	char s[INET6_ADDRSTRLEN];

	buf_printf(b, "%s", inet_ntop(af, a, s, sizeof(s)) ? s : "?");
}

static void
format_l4(uint8_t proto, struct buf_cursor *c, struct buf *b)
{
	const uint8_t *h;
	const char *name = proto == 6 ? "tcp" : proto == 17 ? "udp" : proto == 132 ? "sctp" : NULL;

	if (name) {
		h = buf_pull(c, 4);
		if (!h) {
			buf_printf(b, " %s truncated", name);
			return;
		}
		buf_printf(b, " %s %u > %u", name, get_be16(h), get_be16(h + 2));
	} else if (proto == 1 || proto == 58) {
		h = buf_pull(c, 2);
		if (!h) {
			buf_printf(b, " %s truncated", proto == 1 ? "icmp" : "icmp6");
			return;
		}
		buf_printf(b, " %s %u/%u", proto == 1 ? "icmp" : "icmp6", h[0], h[1]);
	} else {
		buf_printf(b, " proto %u", proto);
	}
}

void
frame_format(const uint8_t *p, size_t len, struct buf *b)
{
	struct buf_cursor c = buf_cursor(p, len);
	const uint8_t *h = buf_pull(&c, 14);
	uint16_t type;

	if (!h) {
		buf_printf(b, "eth truncated (%zu bytes)", len);
		return;
	}
	buf_printf(b, "eth ");
	put_mac(h + 6, b);
	buf_printf(b, " > ");
	put_mac(h, b);
	type = get_be16(h + 12);
	while (type == ETH_VLAN || type == 0x88a8) {
		h = buf_pull(&c, 4);
		if (!h) {
			buf_printf(b, " vlan truncated");
			goto out;
		}
		buf_printf(b, " vlan %u", get_be16(h) & 0xfff);
		if (get_be16(h) >> 13)
			buf_printf(b, " pcp %u", get_be16(h) >> 13);
		type = get_be16(h + 2);
	}
	switch (type) {
	case ETH_IPV4:
		h = buf_pull(&c, 20);
		if (!h || (h[0] & 0x0f) < 5) {
			buf_printf(b, " ipv4 truncated");
			goto out;
		}
		buf_printf(b, " ipv4 ");
		put_ip(AF_INET, h + 12, b);
		buf_printf(b, " > ");
		put_ip(AF_INET, h + 16, b);
		if (!buf_pull(&c, (size_t)((h[0] & 0x0f) - 5) * 4)) {
			buf_printf(b, " truncated");
			goto out;
		}
		if ((get_be16(h + 6) & 0x1fff) == 0)
			format_l4(h[9], &c, b);
		break;
	case ETH_IPV6:
		h = buf_pull(&c, 40);
		if (!h) {
			buf_printf(b, " ipv6 truncated");
			goto out;
		}
		buf_printf(b, " ipv6 ");
		put_ip(AF_INET6, h + 8, b);
		buf_printf(b, " > ");
		put_ip(AF_INET6, h + 24, b);
		format_l4(h[6], &c, b);
		break;
	case ETH_ARP:
		h = buf_pull(&c, 28);
		if (!h) {
			buf_printf(b, " arp truncated");
			goto out;
		}
		buf_printf(b, " arp %s ",
			   get_be16(h + 6) == 1	  ? "request"
			   : get_be16(h + 6) == 2 ? "reply"
						  : "op?");
		put_ip(AF_INET, h + 14, b);
		buf_printf(b, " > ");
		put_ip(AF_INET, h + 24, b);
		break;
	case ETH_MPLS:
	case ETH_MPLS_MC:
		h = buf_pull(&c, 4);
		if (!h) {
			buf_printf(b, " mpls truncated");
			goto out;
		}
		buf_printf(b, " mpls %" PRIu32, get_be32(h) >> 12);
		break;
	default:
		buf_printf(b, " type 0x%04x", type);
		break;
	}
out:
	buf_printf(b, " (%zu bytes)", len);
}
