/* The OpenFlow 1.3 match (see oxm.h): one static table describes the 40 OXM basic
 * fields (length, maskability, value range, prerequisites, text names and text kind), and
 * the wire decoder, the prerequisite check, the encoder, the ovs-ofctl style formatter and
 * the text parser are all driven by it. Uses buf.h for bytes and text and ofp_error.h for
 * the OpenFlow error codes; depends on no other codec module (the reserved port names
 * for in_port are a small private table here). */
#include "oxm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "ofp_error.h"
#include "util.h"

#define OXM_MAX_LEN 16 /* longest field payload (IPv6 addresses) */

/* How a field's value reads as text. */
enum text_kind {
	TK_DEC,	 /* decimal; masked as 0xV/0xM */
	TK_HEX,	 /* 0x... always */
	TK_PORT, /* port number or reserved name */
	TK_MAC,
	TK_IPV4,
	TK_IPV6,
	TK_VLAN, /* vlan_vid: formatted together with vlan_pcp */
	TK_ETHTYPE,
	TK_LABEL, /* ipv6 flow label: 0x%05x */
};

enum {
	PR_VLAN = 1 << 0,    /* needs vlan_vid with OFPVID_PRESENT */
	PR_IN_PORT = 1 << 1, /* needs in_port */
};

struct field_def {
	struct oxm_field_info info;
	const char *print; /* name ovs-ofctl prints */
	enum text_kind kind;
	uint32_t max;		 /* largest valid value; 0: any value of the field's size */
	uint16_t eth_types[2];	 /* one of these eth_type values required (0: none) */
	uint8_t ip_proto;	 /* required ip_proto (0: none) */
	uint8_t icmpv6_types[2]; /* one of these icmpv6_type values required (0: none) */
	uint8_t flags;		 /* PR_* */
};

#define ETH_IP 0x0800
#define ETH_ARP 0x0806
#define ETH_RARP 0x8035
#define ETH_IPV6 0x86dd
#define ETH_MPLS 0x8847
#define ETH_MPLSM 0x8848
#define ETH_PBB 0x88e7

#define OFS(member) ((uint16_t)offsetof(struct ofp_match_values, member))
#define F(id, member, mask, set, nm, al, pr, k)                                                    \
	.info = { OFPXMT_OFB_##id,                                                                 \
		  sizeof(((struct ofp_match_values *)0)->member),                                  \
		  mask,                                                                            \
		  set,                                                                             \
		  OFS(member),                                                                     \
		  nm,                                                                              \
		  al },                                                                            \
	.print = pr, .kind = k

/* OF1.3.5 table 12 (lengths, masks, prerequisites) and section 7.2.3.7 (value ranges). */
static const struct field_def fields[OFPXMT_OFB_N_FIELDS] = {
	[OFPXMT_OFB_IN_PORT] = { F(IN_PORT, in_port, false, false, "in_port", NULL, "in_port",
				   TK_PORT) },
	[OFPXMT_OFB_IN_PHY_PORT] = { F(IN_PHY_PORT, in_phy_port, false, false, "in_phy_port", NULL,
				       "in_phy_port", TK_PORT),
				     .flags = PR_IN_PORT },
	[OFPXMT_OFB_METADATA] = { F(METADATA, metadata, true, false, "metadata", NULL, "metadata",
				    TK_HEX) },
	[OFPXMT_OFB_ETH_DST] = { F(ETH_DST, eth_dst, true, true, "eth_dst", "dl_dst", "dl_dst",
				   TK_MAC) },
	[OFPXMT_OFB_ETH_SRC] = { F(ETH_SRC, eth_src, true, true, "eth_src", "dl_src", "dl_src",
				   TK_MAC) },
	[OFPXMT_OFB_ETH_TYPE] = { F(ETH_TYPE, eth_type, false, true, "eth_type", "dl_type",
				    "dl_type", TK_ETHTYPE) },
	[OFPXMT_OFB_VLAN_VID] = { F(VLAN_VID, vlan_vid, true, true, "vlan_vid", NULL, "vlan_vid",
				    TK_VLAN),
				  .max = 0x1fff },
	[OFPXMT_OFB_VLAN_PCP] = { F(VLAN_PCP, vlan_pcp, false, true, "vlan_pcp", "dl_vlan_pcp",
				    "dl_vlan_pcp", TK_DEC),
				  .max = 7, .flags = PR_VLAN },
	[OFPXMT_OFB_IP_DSCP] = { F(IP_DSCP, ip_dscp, false, true, "ip_dscp", NULL, "nw_tos",
				   TK_DEC),
				 .max = 63, .eth_types = { ETH_IP, ETH_IPV6 } },
	[OFPXMT_OFB_IP_ECN] = { F(IP_ECN, ip_ecn, false, true, "ip_ecn", "nw_ecn", "nw_ecn",
				  TK_DEC),
				.max = 3, .eth_types = { ETH_IP, ETH_IPV6 } },
	[OFPXMT_OFB_IP_PROTO] = { F(IP_PROTO, ip_proto, false, true, "ip_proto", "nw_proto",
				    "nw_proto", TK_DEC),
				  .eth_types = { ETH_IP, ETH_IPV6 } },
	[OFPXMT_OFB_IPV4_SRC] = { F(IPV4_SRC, ipv4_src, true, true, "ipv4_src", "nw_src", "nw_src",
				    TK_IPV4),
				  .eth_types = { ETH_IP } },
	[OFPXMT_OFB_IPV4_DST] = { F(IPV4_DST, ipv4_dst, true, true, "ipv4_dst", "nw_dst", "nw_dst",
				    TK_IPV4),
				  .eth_types = { ETH_IP } },
	[OFPXMT_OFB_TCP_SRC] = { F(TCP_SRC, tcp_src, false, true, "tcp_src", NULL, "tp_src",
				   TK_DEC),
				 .eth_types = { ETH_IP, ETH_IPV6 }, .ip_proto = 6 },
	[OFPXMT_OFB_TCP_DST] = { F(TCP_DST, tcp_dst, false, true, "tcp_dst", NULL, "tp_dst",
				   TK_DEC),
				 .eth_types = { ETH_IP, ETH_IPV6 }, .ip_proto = 6 },
	[OFPXMT_OFB_UDP_SRC] = { F(UDP_SRC, udp_src, false, true, "udp_src", NULL, "tp_src",
				   TK_DEC),
				 .eth_types = { ETH_IP, ETH_IPV6 }, .ip_proto = 17 },
	[OFPXMT_OFB_UDP_DST] = { F(UDP_DST, udp_dst, false, true, "udp_dst", NULL, "tp_dst",
				   TK_DEC),
				 .eth_types = { ETH_IP, ETH_IPV6 }, .ip_proto = 17 },
	[OFPXMT_OFB_SCTP_SRC] = { F(SCTP_SRC, sctp_src, false, true, "sctp_src", NULL, "tp_src",
				    TK_DEC),
				  .eth_types = { ETH_IP, ETH_IPV6 }, .ip_proto = 132 },
	[OFPXMT_OFB_SCTP_DST] = { F(SCTP_DST, sctp_dst, false, true, "sctp_dst", NULL, "tp_dst",
				    TK_DEC),
				  .eth_types = { ETH_IP, ETH_IPV6 }, .ip_proto = 132 },
	[OFPXMT_OFB_ICMPV4_TYPE] = { F(ICMPV4_TYPE, icmpv4_type, false, true, "icmpv4_type",
				       "icmp_type", "icmp_type", TK_DEC),
				     .eth_types = { ETH_IP }, .ip_proto = 1 },
	[OFPXMT_OFB_ICMPV4_CODE] = { F(ICMPV4_CODE, icmpv4_code, false, true, "icmpv4_code",
				       "icmp_code", "icmp_code", TK_DEC),
				     .eth_types = { ETH_IP }, .ip_proto = 1 },
	[OFPXMT_OFB_ARP_OP] = { F(ARP_OP, arp_op, false, true, "arp_op", NULL, "arp_op", TK_DEC),
				.eth_types = { ETH_ARP } },
	[OFPXMT_OFB_ARP_SPA] = { F(ARP_SPA, arp_spa, true, true, "arp_spa", NULL, "arp_spa",
				   TK_IPV4),
				 .eth_types = { ETH_ARP } },
	[OFPXMT_OFB_ARP_TPA] = { F(ARP_TPA, arp_tpa, true, true, "arp_tpa", NULL, "arp_tpa",
				   TK_IPV4),
				 .eth_types = { ETH_ARP } },
	[OFPXMT_OFB_ARP_SHA] = { F(ARP_SHA, arp_sha, true, true, "arp_sha", NULL, "arp_sha",
				   TK_MAC),
				 .eth_types = { ETH_ARP } },
	[OFPXMT_OFB_ARP_THA] = { F(ARP_THA, arp_tha, true, true, "arp_tha", NULL, "arp_tha",
				   TK_MAC),
				 .eth_types = { ETH_ARP } },
	[OFPXMT_OFB_IPV6_SRC] = { F(IPV6_SRC, ipv6_src, true, true, "ipv6_src", NULL, "ipv6_src",
				    TK_IPV6),
				  .eth_types = { ETH_IPV6 } },
	[OFPXMT_OFB_IPV6_DST] = { F(IPV6_DST, ipv6_dst, true, true, "ipv6_dst", NULL, "ipv6_dst",
				    TK_IPV6),
				  .eth_types = { ETH_IPV6 } },
	[OFPXMT_OFB_IPV6_FLABEL] = { F(IPV6_FLABEL, ipv6_flabel, true, true, "ipv6_label",
				       "ipv6_flabel", "ipv6_label", TK_LABEL),
				     .max = 0xfffff, .eth_types = { ETH_IPV6 } },
	[OFPXMT_OFB_ICMPV6_TYPE] = { F(ICMPV6_TYPE, icmpv6_type, false, true, "icmpv6_type", NULL,
				       "icmp_type", TK_DEC),
				     .eth_types = { ETH_IPV6 }, .ip_proto = 58 },
	[OFPXMT_OFB_ICMPV6_CODE] = { F(ICMPV6_CODE, icmpv6_code, false, true, "icmpv6_code", NULL,
				       "icmp_code", TK_DEC),
				     .eth_types = { ETH_IPV6 }, .ip_proto = 58 },
	[OFPXMT_OFB_IPV6_ND_TARGET] = { F(IPV6_ND_TARGET, ipv6_nd_target, false, true, "nd_target",
					  "ipv6_nd_target", "nd_target", TK_IPV6),
					.icmpv6_types = { 135, 136 } },
	[OFPXMT_OFB_IPV6_ND_SLL] = { F(IPV6_ND_SLL, ipv6_nd_sll, false, true, "nd_sll",
				       "ipv6_nd_sll", "nd_sll", TK_MAC),
				     .icmpv6_types = { 135 } },
	[OFPXMT_OFB_IPV6_ND_TLL] = { F(IPV6_ND_TLL, ipv6_nd_tll, false, true, "nd_tll",
				       "ipv6_nd_tll", "nd_tll", TK_MAC),
				     .icmpv6_types = { 136 } },
	[OFPXMT_OFB_MPLS_LABEL] = { F(MPLS_LABEL, mpls_label, false, true, "mpls_label", NULL,
				      "mpls_label", TK_DEC),
				    .max = 0xfffff, .eth_types = { ETH_MPLS, ETH_MPLSM } },
	[OFPXMT_OFB_MPLS_TC] = { F(MPLS_TC, mpls_tc, false, true, "mpls_tc", NULL, "mpls_tc",
				   TK_DEC),
				 .max = 7, .eth_types = { ETH_MPLS, ETH_MPLSM } },
	[OFPXMT_OFB_MPLS_BOS] = { F(MPLS_BOS, mpls_bos, false, true, "mpls_bos", NULL, "mpls_bos",
				    TK_DEC),
				  .max = 1, .eth_types = { ETH_MPLS, ETH_MPLSM } },
	[OFPXMT_OFB_PBB_ISID] = { F(PBB_ISID, pbb_isid, true, true, "pbb_isid", NULL, "pbb_isid",
				    TK_DEC),
				  .eth_types = { ETH_PBB } },
	[OFPXMT_OFB_TUNNEL_ID] = { F(TUNNEL_ID, tunnel_id, true, true, "tunnel_id", "tun_id",
				     "tun_id", TK_HEX) },
	[OFPXMT_OFB_IPV6_EXTHDR] = { F(IPV6_EXTHDR, ipv6_exthdr, true, false, "ipv6_exthdr", NULL,
				       "ipv6_exthdr", TK_HEX),
				     .max = 0x1ff, .eth_types = { ETH_IPV6 } },
};

#undef F
#undef OFS

const struct oxm_field_info *
oxm_field_info(uint8_t field)
{
	return field < OFPXMT_OFB_N_FIELDS ? &fields[field].info : NULL;
}

const struct oxm_field_info *
oxm_field_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct oxm_field_info *fi = &fields[i].info;

		if (!strcmp(fi->name, name) || (fi->alias && !strcmp(fi->alias, name)))
			return fi;
	}
	return NULL;
}

/* ---- The match structure ---- */

static uint8_t *
value_ptr(struct ofp_match_values *v, uint8_t field)
{
	return (uint8_t *)v + fields[field].info.offset;
}

const uint8_t *
oxm_match_value(const struct ofp_match *m, uint8_t field)
{
	return field < OFPXMT_OFB_N_FIELDS ? value_ptr((struct ofp_match_values *)&m->value, field)
					   : NULL;
}

const uint8_t *
oxm_match_mask(const struct ofp_match *m, uint8_t field)
{
	return field < OFPXMT_OFB_N_FIELDS ? value_ptr((struct ofp_match_values *)&m->mask, field)
					   : NULL;
}

void
oxm_match_init(struct ofp_match *m)
{
	memset(m, 0, sizeof *m);
}

/* Big-endian value of up to 8 bytes. */
static uint64_t
get_uint(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static void
put_uint(uint8_t *p, size_t n, uint64_t v)
{
	for (size_t i = n; i-- > 0; v >>= 8)
		p[i] = (uint8_t)v;
}

int
oxm_match_set(struct ofp_match *m, uint8_t field, const void *value, const void *mask)
{
	const struct field_def *fd;
	uint8_t *v, *mk;

	if (field >= OFPXMT_OFB_N_FIELDS)
		return -EINVAL;
	fd = &fields[field];
	if (mask && !fd->info.maskable)
		return -EINVAL;
	if (oxm_match_has(m, field))
		return -EEXIST;
	v = value_ptr(&m->value, field);
	mk = value_ptr(&m->mask, field);
	if (mask)
		memcpy(mk, mask, fd->info.len);
	else
		memset(mk, 0xff, fd->info.len);
	for (size_t i = 0; i < fd->info.len; i++)
		v[i] = ((const uint8_t *)value)[i] & mk[i];
	m->present |= 1ull << field;
	if (mask)
		m->masked |= 1ull << field;
	m->order[m->n_fields++] = field;
	return 0;
}

/* True if mask compares every meaningful bit of field f (vlan_vid: its 13 bits). */
static bool
mask_full(uint8_t f, const uint8_t *mask)
{
	const struct field_def *fd = &fields[f];

	if (fd->max)
		return (get_uint(mask, fd->info.len) & fd->max) == fd->max;
	return pfs_all_ones(mask, fd->info.len);
}

/* A field whose mask compares no meaningful bit matches everything, as if absent. */
static bool
effectively_present(const struct ofp_match *m, uint8_t f)
{
	const struct field_def *fd = &fields[f];
	const uint8_t *mk = oxm_match_mask(m, f);

	if (!oxm_match_has(m, f))
		return false;
	if (fd->max)
		return (get_uint(mk, fd->info.len) & fd->max) != 0;
	return !pfs_all_zeros(mk, fd->info.len);
}

bool
oxm_match_equal(const struct ofp_match *a, const struct ofp_match *b)
{
	for (uint8_t f = 0; f < OFPXMT_OFB_N_FIELDS; f++) {
		bool pa = effectively_present(a, f), pb = effectively_present(b, f);
		const uint8_t *ma, *mb, *va, *vb;

		if (pa != pb)
			return false;
		if (!pa)
			continue;
		ma = oxm_match_mask(a, f);
		mb = oxm_match_mask(b, f);
		va = oxm_match_value(a, f);
		vb = oxm_match_value(b, f);
		if (fields[f].max) {
			size_t n = fields[f].info.len;
			uint64_t wa = get_uint(ma, n) & fields[f].max;
			uint64_t wb = get_uint(mb, n) & fields[f].max;

			if (wa != wb || (get_uint(va, n) & wa) != (get_uint(vb, n) & wb))
				return false;
			continue;
		}
		for (size_t i = 0; i < fields[f].info.len; i++)
			if (ma[i] != mb[i] || (va[i] & ma[i]) != (vb[i] & mb[i]))
				return false;
	}
	return true;
}

/* ---- Validation ---- */

/* The exact (unmasked) value of a present field, or false if absent or masked. */
static bool
exact_uint(const struct ofp_match *m, uint8_t f, uint64_t *v)
{
	size_t n = fields[f].info.len;

	if (!oxm_match_has(m, f) || !pfs_all_ones(oxm_match_mask(m, f), n))
		return false;
	*v = get_uint(oxm_match_value(m, f), n);
	return true;
}

static bool
value_in(uint64_t v, const uint16_t *list, size_t n)
{
	for (size_t i = 0; i < n && list[i]; i++)
		if (list[i] == v)
			return true;
	return false;
}

static bool
byte_in(uint64_t v, const uint8_t *list, size_t n)
{
	for (size_t i = 0; i < n && list[i]; i++)
		if (list[i] == v)
			return true;
	return false;
}

static bool
vlan_present(const struct ofp_match *m)
{
	const uint8_t *v = oxm_match_value(m, OFPXMT_OFB_VLAN_VID);
	const uint8_t *mk = oxm_match_mask(m, OFPXMT_OFB_VLAN_VID);

	return oxm_match_has(m, OFPXMT_OFB_VLAN_VID) && (get_be16(mk) & OFPVID_PRESENT) &&
	       (get_be16(v) & OFPVID_PRESENT);
}

static bool
prereqs_met(const struct ofp_match *m, uint8_t f)
{
	const struct field_def *fd = &fields[f];
	uint64_t v;

	if (fd->eth_types[0] && (!exact_uint(m, OFPXMT_OFB_ETH_TYPE, &v) ||
				 !value_in(v, fd->eth_types, ARRAY_SIZE(fd->eth_types))))
		return false;
	if (fd->ip_proto && (!exact_uint(m, OFPXMT_OFB_IP_PROTO, &v) || v != fd->ip_proto))
		return false;
	if (fd->icmpv6_types[0] && (!exact_uint(m, OFPXMT_OFB_ICMPV6_TYPE, &v) ||
				    !byte_in(v, fd->icmpv6_types, ARRAY_SIZE(fd->icmpv6_types))))
		return false;
	if ((fd->flags & PR_VLAN) && !vlan_present(m))
		return false;
	if ((fd->flags & PR_IN_PORT) && !oxm_match_has(m, OFPXMT_OFB_IN_PORT))
		return false;
	return true;
}

int
oxm_check_prereqs(const struct ofp_match *m, struct ofp_err *err)
{
	for (uint8_t f = 0; f < OFPXMT_OFB_N_FIELDS; f++)
		if (oxm_match_has(m, f) && !prereqs_met(m, f))
			return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	return 0;
}

/* True if a (masked) value lies in the field's range. vlan_vid additionally needs
 * OFPVID_PRESENT whenever it names a VLAN id that the mask compares (7.2.3.8). */
static bool
value_ok(uint8_t f, const uint8_t *value, const uint8_t *mask)
{
	const struct field_def *fd = &fields[f];
	uint64_t v;

	if (!fd->max)
		return true;
	v = get_uint(value, fd->info.len);
	if (v > fd->max)
		return false;
	if (f == OFPXMT_OFB_VLAN_VID && (get_be16(mask) & OFPVID_PRESENT) &&
	    !(v & OFPVID_PRESENT) && (v & 0x0fff))
		return false;
	return true;
}

/* Decodes one TLV list into m (already initialised). */
static int
decode_tlvs(struct buf_cursor *c, struct ofp_match *m, struct ofp_err *err)
{
	while (c->left) {
		const struct field_def *fd;
		const uint8_t *hdr, *payload, *mask;
		uint32_t h;
		uint8_t f;

		hdr = buf_pull(c, 4);
		if (!hdr)
			return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
		h = get_be32(hdr);
		payload = buf_pull(c, OXM_LENGTH(h));
		if (!payload)
			return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
		f = OXM_FIELD(h);
		if (OXM_CLASS(h) != OFPXMC_OPENFLOW_BASIC || f >= OFPXMT_OFB_N_FIELDS)
			return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_FIELD);
		fd = &fields[f];
		if (OXM_HASMASK(h) && !fd->info.maskable)
			return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_MASK);
		if (OXM_LENGTH(h) != fd->info.len * (OXM_HASMASK(h) ? 2 : 1))
			return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
		if (oxm_match_has(m, f))
			return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_DUP_FIELD);
		mask = OXM_HASMASK(h) ? payload + fd->info.len : NULL;
		if (mask) {
			for (size_t i = 0; i < fd->info.len; i++)
				if (payload[i] & ~mask[i])
					return ofp_err_set(err, OFPET_BAD_MATCH,
							   OFPBMC_BAD_WILDCARDS);
		}
		if (!value_ok(f, payload, mask ? mask : (const uint8_t *)"\xff\xff"))
			return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_VALUE);
		oxm_match_set(m, f, payload, mask);
	}
	return 0;
}

int
oxm_decode_tlvs(const void *p, size_t len, struct ofp_match *m, struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(p, len);

	oxm_match_init(m);
	return decode_tlvs(&c, m, err);
}

int
oxm_decode(struct buf_cursor *c, struct ofp_match *m, struct ofp_err *err)
{
	const uint8_t *hdr = buf_at(c, 0, OFP_MATCH_HEADER_LEN);
	struct buf_cursor body;
	uint16_t len;
	int error;

	oxm_match_init(m);
	if (!hdr)
		return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	if (get_be16(hdr) != OFPMT_OXM)
		return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_TYPE);
	len = get_be16(hdr + 2);
	if (len < OFP_MATCH_HEADER_LEN || c->left < PFS_ROUND_UP((size_t)len, 8))
		return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	body = buf_cursor(hdr + OFP_MATCH_HEADER_LEN, len - OFP_MATCH_HEADER_LEN);
	error = decode_tlvs(&body, m, err);
	if (!error)
		error = oxm_check_prereqs(m, err);
	if (error) {
		oxm_match_init(m);
		return error;
	}
	buf_pull(c, PFS_ROUND_UP((size_t)len, 8));
	return 0;
}

/* ---- Encoding ---- */

void
oxm_encode_tlv(struct buf *b, uint8_t field, const void *value, const void *mask)
{
	const struct oxm_field_info *fi = oxm_field_info(field);

	if (!fi)
		return;
	buf_put_be32(b, OXM_HEADER(OFPXMC_OPENFLOW_BASIC, field, mask != NULL,
				   fi->len * (mask ? 2 : 1)));
	buf_put(b, value, fi->len);
	if (mask)
		buf_put(b, mask, fi->len);
}

void
oxm_encode(const struct ofp_match *m, struct buf *b)
{
	size_t start = b->size;

	buf_put_be16(b, OFPMT_OXM);
	buf_put_be16(b, 0);
	for (size_t i = 0; i < m->n_fields; i++) {
		uint8_t f = m->order[i];
		bool masked = (m->masked >> f) & 1;

		oxm_encode_tlv(b, f, oxm_match_value(m, f), masked ? oxm_match_mask(m, f) : NULL);
	}
	buf_set_be16(b, start + 2, (uint16_t)(b->size - start));
	buf_pad_to(b, start, 8);
}

/* ---- Text: reserved ports ---- */

static const struct {
	uint32_t port;
	const char *name;
} port_names[] = {
	{ OFPP_IN_PORT, "IN_PORT" }, { OFPP_TABLE, "TABLE" }, { OFPP_NORMAL, "NORMAL" },
	{ OFPP_FLOOD, "FLOOD" },     { OFPP_ALL, "ALL" },     { OFPP_CONTROLLER, "CONTROLLER" },
	{ OFPP_LOCAL, "LOCAL" },     { OFPP_ANY, "ANY" },     { OFPP_ANY, "NONE" },
};

static void
format_port(uint32_t port, struct buf *b)
{
	for (size_t i = 0; i < ARRAY_SIZE(port_names); i++) {
		if (port_names[i].port == port) {
			buf_printf(b, "%s", port_names[i].name);
			return;
		}
	}
	buf_printf(b, "%" PRIu32, port);
}

static int
parse_port(const char *s, uint32_t *port)
{
	char *end;
	unsigned long long v;

	for (size_t i = 0; i < ARRAY_SIZE(port_names); i++) {
		if (!strcasecmp(s, port_names[i].name)) {
			*port = port_names[i].port;
			return 0;
		}
	}
	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX || *s == '-')
		return -EINVAL;
	*port = (uint32_t)v;
	return 0;
}

/* ---- Text: values ---- */

/* Prefix length of a contiguous mask of n bytes, or -1. */
static int
prefix_len(const uint8_t *mask, size_t n)
{
	size_t bits = 0, i = 0;

	while (i < n && mask[i] == 0xff)
		i++, bits += 8;
	if (i < n) {
		uint8_t x = mask[i];
		int k = 0;

		while (x & 0x80)
			x = (uint8_t)(x << 1), k++;
		if (x)
			return -1;
		bits += (size_t)k;
		for (i++; i < n; i++)
			if (mask[i])
				return -1;
	}
	return (int)bits;
}

static void
format_addr(enum text_kind k, const uint8_t *v, struct buf *b)
{
	char s[INET6_ADDRSTRLEN];

	if (k == TK_MAC) {
		buf_printf(b, "%02x:%02x:%02x:%02x:%02x:%02x", v[0], v[1], v[2], v[3], v[4], v[5]);
		return;
	}
	inet_ntop(k == TK_IPV4 ? AF_INET : AF_INET6, v, s, sizeof s);
	buf_printf(b, "%s", s);
}

void
oxm_format_value(uint8_t field, const void *value, const void *mask, struct buf *b)
{
	const struct field_def *fd;
	const uint8_t *v = value, *mk = mask;
	uint64_t x;
	int plen;

	if (field >= OFPXMT_OFB_N_FIELDS)
		return;
	fd = &fields[field];
	if (mk && mask_full(field, mk))
		mk = NULL;
	switch (fd->kind) {
	case TK_MAC:
	case TK_IPV4:
	case TK_IPV6:
		format_addr(fd->kind, v, b);
		if (!mk)
			return;
		plen = fd->kind == TK_MAC ? -1 : prefix_len(mk, fd->info.len);
		if (plen >= 0) {
			buf_printf(b, "/%d", plen);
			return;
		}
		buf_printf(b, "/");
		format_addr(fd->kind, mk, b);
		return;
	case TK_PORT:
		if (!mk) {
			format_port((uint32_t)get_uint(v, fd->info.len), b);
			return;
		}
		break;
	case TK_ETHTYPE:
		if (!mk) {
			buf_printf(b, "0x%04" PRIx64, get_uint(v, fd->info.len));
			return;
		}
		break;
	case TK_LABEL:
		buf_printf(b, "0x%05" PRIx64, get_uint(v, fd->info.len));
		if (mk)
			buf_printf(b, "/0x%05" PRIx64, get_uint(mk, fd->info.len));
		return;
	case TK_DEC:
	case TK_VLAN:
		if (!mk) {
			buf_printf(b, "%" PRIu64, get_uint(v, fd->info.len));
			return;
		}
		break;
	case TK_HEX:
		break;
	}
	x = get_uint(v, fd->info.len);
	buf_printf(b, "0x%" PRIx64, x);
	if (mk)
		buf_printf(b, "/0x%" PRIx64, get_uint(mk, fd->info.len));
}

static int
parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || *end || *v > max)
		return -EINVAL;
	return 0;
}

static int
parse_mac(const char *s, uint8_t *out)
{
	unsigned int b[6];
	int n = -1;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) !=
		    6 ||
	    n < 0 || s[n])
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		out[i] = (uint8_t)b[i];
	return 0;
}

static void
prefix_mask(uint8_t *mask, size_t n, unsigned bits)
{
	for (size_t i = 0; i<n; i++, bits = bits> 8 ? bits - 8 : 0)
		mask[i] = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);
}

static int
parse_ip(int af, const char *s, uint8_t *out)
{
	return inet_pton(af, s, out) == 1 ? 0 : -EINVAL;
}

/* Parses one value or mask string for a field of the given kind and size. */
static int
parse_one(const struct field_def *fd, const char *s, uint8_t *out, bool is_mask)
{
	uint64_t v, max;
	uint32_t port;

	switch (fd->kind) {
	case TK_MAC:
		return parse_mac(s, out);
	case TK_IPV4:
		return parse_ip(AF_INET, s, out);
	case TK_IPV6:
		return parse_ip(AF_INET6, s, out);
	case TK_PORT:
		if (is_mask || parse_port(s, &port))
			return -EINVAL;
		put_uint(out, fd->info.len, port);
		return 0;
	default:
		break;
	}
	max = fd->info.len >= 8 ? UINT64_MAX : (1ull << (8 * fd->info.len)) - 1;
	if (!is_mask && fd->max)
		max = fd->max;
	if (parse_uint(s, max, &v))
		return -EINVAL;
	put_uint(out, fd->info.len, v);
	return 0;
}

int
oxm_parse_value(uint8_t field, const char *text, void *value, void *mask, bool *has_mask)
{
	const struct field_def *fd;
	char tmp[128], *slash;
	uint8_t *mk = mask;

	if (field >= OFPXMT_OFB_N_FIELDS || strlen(text) >= sizeof tmp)
		return -EINVAL;
	fd = &fields[field];
	strcpy(tmp, text);
	memset(mk, 0xff, fd->info.len);
	*has_mask = false;
	slash = strchr(tmp, '/');
	if (slash)
		*slash++ = '\0';
	if (parse_one(fd, tmp, value, false))
		return -EINVAL;
	if (!slash)
		goto out;
	if ((fd->kind == TK_IPV4 || fd->kind == TK_IPV6) && !strchr(slash, '.') &&
	    !strchr(slash, ':')) {
		uint64_t bits;

		if (parse_uint(slash, fd->info.len * 8, &bits) || strchr(slash, 'x'))
			return -EINVAL;
		prefix_mask(mk, fd->info.len, (unsigned)bits);
	} else if (parse_one(fd, slash, mk, true)) {
		return -EINVAL;
	}
	*has_mask = true;
out:
	if (field == OFPXMT_OFB_VLAN_VID && !value_ok(field, value, mk))
		return -EINVAL;
	for (size_t i = 0; i < fd->info.len; i++)
		((uint8_t *)value)[i] &= mk[i];
	return 0;
}

/* ---- Text: formatting a whole match ---- */

static const struct {
	const char *name;
	uint16_t eth_type;
	uint8_t ip_proto; /* 0: the shorthand names only eth_type */
} shorthands[] = {
	{ "ip", ETH_IP, 0 },	   { "ipv6", ETH_IPV6, 0 },   { "tcp", ETH_IP, 6 },
	{ "udp", ETH_IP, 17 },	   { "sctp", ETH_IP, 132 },   { "icmp", ETH_IP, 1 },
	{ "tcp6", ETH_IPV6, 6 },   { "udp6", ETH_IPV6, 17 },  { "sctp6", ETH_IPV6, 132 },
	{ "icmp6", ETH_IPV6, 58 }, { "arp", ETH_ARP, 0 },     { "rarp", ETH_RARP, 0 },
	{ "mpls", ETH_MPLS, 0 },   { "mplsm", ETH_MPLSM, 0 },
};

/* Fields in the order ovs-ofctl prints them (after the shorthand and the VLAN). */
static const uint8_t print_order[] = {
	OFPXMT_OFB_TUNNEL_ID,	   OFPXMT_OFB_METADATA,	   OFPXMT_OFB_IN_PORT,
	OFPXMT_OFB_IN_PHY_PORT,	   OFPXMT_OFB_VLAN_VID,	   OFPXMT_OFB_ETH_SRC,
	OFPXMT_OFB_ETH_DST,	   OFPXMT_OFB_ETH_TYPE,	   OFPXMT_OFB_IPV6_SRC,
	OFPXMT_OFB_IPV6_DST,	   OFPXMT_OFB_IPV6_FLABEL, OFPXMT_OFB_IPV6_EXTHDR,
	OFPXMT_OFB_IPV4_SRC,	   OFPXMT_OFB_IPV4_DST,	   OFPXMT_OFB_ARP_SPA,
	OFPXMT_OFB_ARP_TPA,	   OFPXMT_OFB_ARP_OP,	   OFPXMT_OFB_IP_PROTO,
	OFPXMT_OFB_ARP_SHA,	   OFPXMT_OFB_ARP_THA,	   OFPXMT_OFB_IP_DSCP,
	OFPXMT_OFB_IP_ECN,	   OFPXMT_OFB_MPLS_LABEL,  OFPXMT_OFB_MPLS_TC,
	OFPXMT_OFB_MPLS_BOS,	   OFPXMT_OFB_PBB_ISID,	   OFPXMT_OFB_ICMPV4_TYPE,
	OFPXMT_OFB_ICMPV4_CODE,	   OFPXMT_OFB_ICMPV6_TYPE, OFPXMT_OFB_ICMPV6_CODE,
	OFPXMT_OFB_TCP_SRC,	   OFPXMT_OFB_UDP_SRC,	   OFPXMT_OFB_SCTP_SRC,
	OFPXMT_OFB_TCP_DST,	   OFPXMT_OFB_UDP_DST,	   OFPXMT_OFB_SCTP_DST,
	OFPXMT_OFB_IPV6_ND_TARGET, OFPXMT_OFB_IPV6_ND_SLL, OFPXMT_OFB_IPV6_ND_TLL,
};

_Static_assert(ARRAY_SIZE(print_order) + 1 == OFPXMT_OFB_N_FIELDS,
	       "every field but vlan_pcp has a print slot");

static void
sep(struct buf *b, bool *first)
{
	if (!*first)
		buf_printf(b, ",");
	*first = false;
}

/* vlan_vid and vlan_pcp as ovs-ofctl shows the 802.1Q TCI: dl_vlan=/dl_vlan_pcp= when
 * a VLAN is required and each part is exact or absent, vlan_tci=V/M otherwise. */
static void
format_vlan(const struct ofp_match *m, struct buf *b, bool *first)
{
	uint16_t tci = 0, mask = 0, vid_mask, pcp_mask;

	if (oxm_match_has(m, OFPXMT_OFB_VLAN_VID)) {
		tci = get_be16(oxm_match_value(m, OFPXMT_OFB_VLAN_VID)) & 0x1fff;
		mask = get_be16(oxm_match_mask(m, OFPXMT_OFB_VLAN_VID)) & 0x1fff;
	}
	if (oxm_match_has(m, OFPXMT_OFB_VLAN_PCP)) {
		tci |= (uint16_t)((oxm_match_value(m, OFPXMT_OFB_VLAN_PCP)[0] & 7) << 13);
		mask |= 0xe000;
	}
	if (!mask)
		return;
	vid_mask = mask & 0x0fff;
	pcp_mask = mask & 0xe000;
	sep(b, first);
	if ((mask & tci & OFPVID_PRESENT) && (!vid_mask || vid_mask == 0x0fff) &&
	    (vid_mask || pcp_mask)) {
		if (vid_mask)
			buf_printf(b, "dl_vlan=%u", tci & 0x0fff);
		if (vid_mask && pcp_mask)
			buf_printf(b, ",");
		if (pcp_mask)
			buf_printf(b, "dl_vlan_pcp=%u", tci >> 13);
	} else if (mask == 0xffff) {
		buf_printf(b, "vlan_tci=0x%04x", tci);
	} else {
		buf_printf(b, "vlan_tci=0x%04x/0x%04x", tci, mask);
	}
}

void
oxm_format(const struct ofp_match *m, struct buf *b)
{
	uint64_t skip = 1ull << OFPXMT_OFB_VLAN_PCP, eth_type, proto;
	bool first = true;

	if (exact_uint(m, OFPXMT_OFB_ETH_TYPE, &eth_type)) {
		bool has_proto = exact_uint(m, OFPXMT_OFB_IP_PROTO, &proto);
		size_t best = SIZE_MAX;

		for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
			if (shorthands[i].eth_type != eth_type)
				continue;
			if (!shorthands[i].ip_proto && best == SIZE_MAX)
				best = i;
			else if (has_proto && shorthands[i].ip_proto == proto)
				best = i;
		}
		if (best != SIZE_MAX) {
			sep(b, &first);
			buf_printf(b, "%s", shorthands[best].name);
			skip |= 1ull << OFPXMT_OFB_ETH_TYPE;
			if (shorthands[best].ip_proto)
				skip |= 1ull << OFPXMT_OFB_IP_PROTO;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(print_order); i++) {
		uint8_t f = print_order[i];
		const uint8_t *mk;

		if (!oxm_match_has(m, f) || ((skip >> f) & 1))
			continue;
		if (f == OFPXMT_OFB_VLAN_VID) {
			format_vlan(m, b, &first);
			continue;
		}
		mk = (m->masked >> f) & 1 ? oxm_match_mask(m, f) : NULL;
		sep(b, &first);
		if (f == OFPXMT_OFB_IP_DSCP) {
			buf_printf(b, "nw_tos=%u", (unsigned)oxm_match_value(m, f)[0] << 2);
			continue;
		}
		buf_printf(b, "%s=", fields[f].print);
		oxm_format_value(f, oxm_match_value(m, f), mk, b);
	}
	if (oxm_match_has(m, OFPXMT_OFB_VLAN_PCP) && !oxm_match_has(m, OFPXMT_OFB_VLAN_VID))
		format_vlan(m, b, &first);
}

/* ---- Text: parsing ---- */

static int __attribute__((format(printf, 3, 4)))
fail(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf && errlen) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* True if vlan_vid is the OFPVID_PRESENT/OFPVID_PRESENT that a vlan_pcp token implied. */
static bool
vlan_any_implicit(const struct ofp_match *m)
{
	return oxm_match_has(m, OFPXMT_OFB_VLAN_PCP) &&
	       get_be16(oxm_match_value(m, OFPXMT_OFB_VLAN_VID)) == OFPVID_PRESENT &&
	       get_be16(oxm_match_mask(m, OFPXMT_OFB_VLAN_VID)) == OFPVID_PRESENT;
}

/* Sets field f, or accepts it if the same value is already there (so "ip,dl_type=0x800"
 * and "tcp,nw_proto=6" read as ovs-ofctl reads them). */
static int
set_field(struct ofp_match *m, uint8_t f, const uint8_t *value, const uint8_t *mask)
{
	size_t n = fields[f].info.len;
	uint8_t full[OXM_MAX_LEN];

	if (mask && mask_full(f, mask))
		mask = NULL;
	if (mask && pfs_all_zeros(mask, n))
		return 0; /* a zero mask matches everything: nothing to add */
	if (f == OFPXMT_OFB_VLAN_VID && oxm_match_has(m, f) && vlan_any_implicit(m) &&
	    (get_be16(value) & OFPVID_PRESENT) && (!mask || (get_be16(mask) & OFPVID_PRESENT))) {
		/* dl_vlan_pcp came first and assumed "any VLAN": narrow it to this one. */
		memset(value_ptr(&m->mask, f), 0xff, n);
		if (mask)
			memcpy(value_ptr(&m->mask, f), mask, n);
		for (size_t i = 0; i < n; i++)
			value_ptr(&m->value, f)[i] = value[i] & value_ptr(&m->mask, f)[i];
		m->masked = mask ? m->masked | (1ull << f) : m->masked & ~(1ull << f);
		return 0;
	}
	if (oxm_match_has(m, f)) {
		memset(full, 0xff, n);
		if (!memcmp(oxm_match_mask(m, f), mask ? mask : full, n)) {
			bool same = true;

			for (size_t i = 0; i < n; i++)
				if (oxm_match_value(m, f)[i] !=
				    (value[i] & (mask ? mask[i] : 0xff)))
					same = false;
			if (same)
				return 0;
		}
		return -EEXIST;
	}
	return oxm_match_set(m, f, value, mask);
}

static int
set_uint(struct ofp_match *m, uint8_t f, uint64_t v)
{
	uint8_t buf[8];

	put_uint(buf, fields[f].info.len, v);
	return set_field(m, f, buf, NULL);
}

/* Which transport field "tp_src"/"tp_dst"/"icmp_type"/"icmp_code" means, from the
 * ip_proto (and for ICMP the eth_type) already in m. -1 if it cannot be told. */
static int
resolve_l4(const struct ofp_match *m, const char *name)
{
	uint64_t proto, eth = 0;
	bool dst = !strcmp(name, "tp_dst"), code = !strcmp(name, "icmp_code");

	if (!exact_uint(m, OFPXMT_OFB_IP_PROTO, &proto))
		return -1;
	exact_uint(m, OFPXMT_OFB_ETH_TYPE, &eth);
	if (!strncmp(name, "icmp_", 5)) {
		if (proto == 1 && eth != ETH_IPV6)
			return code ? OFPXMT_OFB_ICMPV4_CODE : OFPXMT_OFB_ICMPV4_TYPE;
		if (proto == 58 && eth != ETH_IP)
			return code ? OFPXMT_OFB_ICMPV6_CODE : OFPXMT_OFB_ICMPV6_TYPE;
		return -1;
	}
	switch (proto) {
	case 6:
		return dst ? OFPXMT_OFB_TCP_DST : OFPXMT_OFB_TCP_SRC;
	case 17:
		return dst ? OFPXMT_OFB_UDP_DST : OFPXMT_OFB_UDP_SRC;
	case 132:
		return dst ? OFPXMT_OFB_SCTP_DST : OFPXMT_OFB_SCTP_SRC;
	default:
		return -1;
	}
}

/* vlan_tci=V[/M] (ovs-ofctl's 802.1Q TCI view) as vlan_vid and vlan_pcp. */
static int
parse_vlan_tci(const char *value, struct ofp_match *m)
{
	char tmp[64], *slash;
	uint64_t tci, mask = 0xffff;
	uint8_t v[2], mk[2], pcp;

	if (strlen(value) >= sizeof tmp)
		return -EINVAL;
	strcpy(tmp, value);
	slash = strchr(tmp, '/');
	if (slash)
		*slash++ = '\0';
	if (parse_uint(tmp, 0xffff, &tci) || (slash && parse_uint(slash, 0xffff, &mask)))
		return -EINVAL;
	if ((mask & 0xe000) && (mask & 0xe000) != 0xe000)
		return -EINVAL; /* vlan_pcp takes no mask */
	if (mask & 0x1fff) {
		put_be16(v, (uint16_t)(tci & 0x1fff));
		put_be16(mk, (uint16_t)(mask & 0x1fff));
		if (set_field(m, OFPXMT_OFB_VLAN_VID, v, mk))
			return -EINVAL;
	}
	if (mask & 0xe000) {
		pcp = (uint8_t)(tci >> 13);
		if (!oxm_match_has(m, OFPXMT_OFB_VLAN_VID)) {
			put_be16(v, OFPVID_PRESENT);
			put_be16(mk, OFPVID_PRESENT);
			oxm_match_set(m, OFPXMT_OFB_VLAN_VID, v, mk);
		}
		if (set_field(m, OFPXMT_OFB_VLAN_PCP, &pcp, NULL))
			return -EINVAL;
	}
	return 0;
}

/* ovs-ofctl's protocol-neutral transport names, resolved through ip_proto. */
static bool
l4_name(const char *name)
{
	return !strcmp(name, "tp_src") || !strcmp(name, "tp_dst") || !strcmp(name, "icmp_type") ||
	       !strcmp(name, "icmp_code");
}

/* Tokens whose meaning depends on other tokens; oxm_parse() reads them last. */
static bool
deferred(const char *name)
{
	return l4_name(name) || !strcmp(name, "dl_vlan_pcp") || !strcmp(name, "vlan_pcp");
}

int
oxm_parse_token(const char *name, const char *value, struct ofp_match *m, char *errbuf,
		size_t errlen)
{
	const struct oxm_field_info *fi;
	uint8_t v[OXM_MAX_LEN], mk[OXM_MAX_LEN];
	bool has_mask;
	uint64_t x;
	int f, error;

	for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
		if (strcmp(name, shorthands[i].name))
			continue;
		if (value)
			return fail(errbuf, errlen, "%s: shorthand takes no value", name);
		if (set_uint(m, OFPXMT_OFB_ETH_TYPE, shorthands[i].eth_type) ||
		    (shorthands[i].ip_proto &&
		     set_uint(m, OFPXMT_OFB_IP_PROTO, shorthands[i].ip_proto)))
			return fail(errbuf, errlen, "%s: conflicts with an earlier field", name);
		return 0;
	}
	if (!value)
		return fail(errbuf, errlen,
			    oxm_field_by_name(name) || l4_name(name)
				    ? "%s: needs a value"
				    : "%s: unknown field or protocol",
			    name);

	if (!strcmp(name, "vlan_tci")) {
		if (parse_vlan_tci(value, m))
			return fail(errbuf, errlen, "vlan_tci=%s: bad or conflicting value", value);
		return 0;
	}
	if (!strcmp(name, "dl_vlan")) {
		/* ovs-ofctl: 12-bit VLAN id, or 0xffff for "no VLAN". */
		if (parse_uint(value, 0xffff, &x) || (x > 0xfff && x != 0xffff))
			return fail(errbuf, errlen, "dl_vlan=%s: bad VLAN id", value);
		if (set_uint(m, OFPXMT_OFB_VLAN_VID,
			     x == 0xffff ? OFPVID_NONE : x | OFPVID_PRESENT))
			return fail(errbuf, errlen, "dl_vlan=%s: conflicts with an earlier field",
				    value);
		return 0;
	}
	if (!strcmp(name, "nw_tos")) {
		if (parse_uint(value, 255, &x) || (x & 3))
			return fail(errbuf, errlen, "nw_tos=%s: bad DSCP value", value);
		if (set_uint(m, OFPXMT_OFB_IP_DSCP, x >> 2))
			return fail(errbuf, errlen, "nw_tos=%s: conflicts with an earlier field",
				    value);
		return 0;
	}
	if (l4_name(name)) {
		f = resolve_l4(m, name);
		if (f < 0)
			return fail(errbuf, errlen,
				    "%s=%s: needs a protocol (tcp, udp, sctp, icmp)", name, value);
	} else if ((fi = oxm_field_by_name(name)) != NULL) {
		f = fi->field;
	} else {
		return fail(errbuf, errlen, "%s: unknown field", name);
	}
	if (oxm_parse_value((uint8_t)f, value, v, mk, &has_mask))
		return fail(errbuf, errlen, "%s=%s: bad value", name, value);
	if (has_mask && !mask_full((uint8_t)f, mk) && !fields[f].info.maskable)
		return fail(errbuf, errlen, "%s=%s: field takes no mask", name, value);
	if (f == OFPXMT_OFB_VLAN_PCP && !oxm_match_has(m, OFPXMT_OFB_VLAN_VID)) {
		uint8_t p[2];

		put_be16(p, OFPVID_PRESENT);
		oxm_match_set(m, OFPXMT_OFB_VLAN_VID, p, p);
	}
	error = set_field(m, (uint8_t)f, v, has_mask ? mk : NULL);
	if (error)
		return fail(errbuf, errlen, "%s=%s: conflicts with an earlier field", name, value);
	return 0;
}

/* How many prerequisite levels lie under field f: eth_type 0, ipv4_src 1, tcp_dst 2,
 * nd_sll 3. */
static int
prereq_depth(uint8_t f)
{
	const struct field_def *fd = &fields[f];

	if (fd->icmpv6_types[0])
		return 3;
	if (fd->ip_proto)
		return 2;
	return fd->eth_types[0] || fd->flags ? 1 : 0;
}

/* Stable-sorts the wire order so every prerequisite precedes the fields that need it,
 * as section 7.2.3.6 asks of a match and as strict peers (Open vSwitch) check. */
static void
order_prereqs_first(struct ofp_match *m)
{
	uint8_t sorted[OFPXMT_OFB_N_FIELDS] = { 0 };
	size_t n = 0;

	for (int depth = 0; depth <= 3; depth++)
		for (size_t i = 0; i < m->n_fields; i++)
			if (prereq_depth(m->order[i]) == depth)
				sorted[n++] = m->order[i];
	memcpy(m->order, sorted, n);
}

/* A shorthand or field naming what field f needs, for error text. */
static const char *
prereq_hint(uint8_t f)
{
	const struct field_def *fd = &fields[f];

	if (fd->flags & PR_VLAN)
		return "dl_vlan or vlan_vid";
	if (fd->flags & PR_IN_PORT)
		return "in_port";
	if (fd->icmpv6_types[0])
		return fd->icmpv6_types[1]	    ? "icmp6,icmp_type=135 or 136"
		       : fd->icmpv6_types[0] == 135 ? "icmp6,icmp_type=135"
						    : "icmp6,icmp_type=136";
	for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++)
		if (shorthands[i].eth_type == fd->eth_types[0] &&
		    shorthands[i].ip_proto == fd->ip_proto)
			return shorthands[i].name;
	return fd->eth_types[0] == ETH_PBB ? "dl_type=0x88e7" : "ip or ipv6";
}

int
oxm_parse(const char *text, struct ofp_match *m, char *errbuf, size_t errlen)
{
	char *copy, *save, *tok;
	int error = 0;

	oxm_match_init(m);
	if (errbuf && errlen)
		errbuf[0] = '\0';
	copy = pfs_strdup(text);
	if (!copy)
		return fail(errbuf, errlen, "out of memory");
	/* Pass 0 reads everything but the tokens that depend on others; pass 1 those. */
	for (int pass = 0; pass < 2 && !error; pass++) {
		strcpy(copy, text);
		for (tok = strtok_r(copy, ", \t", &save); tok && !error;
		     tok = strtok_r(NULL, ", \t", &save)) {
			char *eq = strchr(tok, '=');

			if (eq)
				*eq++ = '\0';
			if (deferred(tok) != (pass == 1))
				continue;
			error = oxm_parse_token(tok, eq, m, errbuf, errlen);
		}
	}
	free(copy);
	if (!error)
		error = oxm_parse_finish(m, errbuf, errlen);
	if (error)
		oxm_match_init(m);
	return error;
}

int
oxm_parse_finish(struct ofp_match *m, char *errbuf, size_t errlen)
{
	order_prereqs_first(m);
	for (uint8_t f = 0; f < OFPXMT_OFB_N_FIELDS; f++)
		if (oxm_match_has(m, f) && !prereqs_met(m, f))
			return fail(errbuf, errlen, "%s: prerequisite missing (%s)",
				    fields[f].info.name, prereq_hint(f));
	return 0;
}
