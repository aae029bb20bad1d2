/* The OpenFlow 1.3 match: OXM basic-class fields (all 40), their wire codec (ofp_match
 * with OXM TLVs and padding), validation (lengths, masks, duplicates, prerequisites) and
 * the ovs-ofctl text form ("tcp,nw_src=10.0.0.0/8,tp_dst=80").
 *
 * Values and masks are kept exactly as on the wire (network byte order, the field's OXM
 * length), together with the order the fields arrived in and whether each came with a
 * mask, so a flow is echoed back to a controller byte for byte as it was sent. */
#ifndef PFS_OXM_H
#define PFS_OXM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openflow.h"

struct buf;
struct buf_cursor;
struct ofp_err;

/* Every field's value, network byte order, each the OXM payload length of its field. */
struct ofp_match_values {
	uint8_t in_port[4];
	uint8_t in_phy_port[4];
	uint8_t metadata[8];
	uint8_t eth_dst[6];
	uint8_t eth_src[6];
	uint8_t eth_type[2];
	uint8_t vlan_vid[2]; /* OFPVID_PRESENT | vid */
	uint8_t vlan_pcp[1];
	uint8_t ip_dscp[1];
	uint8_t ip_ecn[1];
	uint8_t ip_proto[1];
	uint8_t ipv4_src[4];
	uint8_t ipv4_dst[4];
	uint8_t tcp_src[2];
	uint8_t tcp_dst[2];
	uint8_t udp_src[2];
	uint8_t udp_dst[2];
	uint8_t sctp_src[2];
	uint8_t sctp_dst[2];
	uint8_t icmpv4_type[1];
	uint8_t icmpv4_code[1];
	uint8_t arp_op[2];
	uint8_t arp_spa[4];
	uint8_t arp_tpa[4];
	uint8_t arp_sha[6];
	uint8_t arp_tha[6];
	uint8_t ipv6_src[16];
	uint8_t ipv6_dst[16];
	uint8_t ipv6_flabel[4];
	uint8_t icmpv6_type[1];
	uint8_t icmpv6_code[1];
	uint8_t ipv6_nd_target[16];
	uint8_t ipv6_nd_sll[6];
	uint8_t ipv6_nd_tll[6];
	uint8_t mpls_label[4];
	uint8_t mpls_tc[1];
	uint8_t mpls_bos[1];
	uint8_t pbb_isid[3];
	uint8_t tunnel_id[8];
	uint8_t ipv6_exthdr[2];
};

struct ofp_match {
	uint64_t present; /* bit (1ull << OFPXMT_OFB_*) per field present */
	uint64_t masked;  /* subset of present that carried a mask on the wire */
	uint8_t n_fields;
	uint8_t order[OFPXMT_OFB_N_FIELDS]; /* field numbers in wire order */
	struct ofp_match_values value;
	/* All-ones for a present field without a mask; zero for absent fields. Values are
	 * kept with value & ~mask == 0. */
	struct ofp_match_values mask;
};

/* Static description of one OXM basic field. */
struct oxm_field_info {
	uint8_t field;	   /* OFPXMT_OFB_* */
	uint8_t len;	   /* payload length without mask */
	bool maskable;	   /* the spec allows a mask */
	bool settable;	   /* allowed in OFPAT_SET_FIELD */
	uint16_t offset;   /* offsetof(struct ofp_match_values, ...) */
	const char *name;  /* OF1.3 / ovs-ofctl name: "eth_dst", "ipv4_src", "tcp_dst" */
	const char *alias; /* older ovs-ofctl name or NULL: "dl_dst", "nw_src", ... */
};

/* The description of basic field f, or NULL if f is not a defined field. */
const struct oxm_field_info *oxm_field_info(uint8_t field);
/* Looks a field up by its name or alias (case-sensitive, as ovs-ofctl); NULL if none. */
const struct oxm_field_info *oxm_field_by_name(const char *name);

/* Empties m: matches every packet. */
void oxm_match_init(struct ofp_match *m);
/* Adds field f with value (len bytes of the field) and mask (NULL for exact), appending
 * it to the wire order. The value is stored masked. 0, -EEXIST if f is already present,
 * -EINVAL if f is unknown or a mask is given for a field that allows none. */
int oxm_match_set(struct ofp_match *m, uint8_t field, const void *value, const void *mask);
/* True if field f is present. */
static inline bool
oxm_match_has(const struct ofp_match *m, uint8_t field)
{
	return field < OFPXMT_OFB_N_FIELDS && (m->present >> field) & 1;
}
/* Pointers into m->value / m->mask for field f (never NULL for a defined field). */
const uint8_t *oxm_match_value(const struct ofp_match *m, uint8_t field);
const uint8_t *oxm_match_mask(const struct ofp_match *m, uint8_t field);
/* True if a and b match the same packets (same fields, values and masks; order and
 * whether an all-ones mask was sent explicitly are ignored). */
bool oxm_match_equal(const struct ofp_match *a, const struct ofp_match *b);

/* Pulls one struct ofp_match (type OFPMT_OXM, length, OXM TLVs, padding to 8) from c.
 * Checks: match type (BAD_TYPE), lengths (BAD_LEN), unknown class/field (BAD_FIELD),
 * payload length (BAD_LEN), mask where none is allowed (BAD_MASK), value bits outside
 * the mask (BAD_WILDCARDS), bad values such as a vlan_vid without OFPVID_PRESENT where
 * the spec forbids it (BAD_VALUE), repeated fields (DUP_FIELD), missing prerequisites
 * (BAD_PREREQ). 0, or -EPROTO with *err set (OFPET_BAD_MATCH/...). */
int oxm_decode(struct buf_cursor *c, struct ofp_match *m, struct ofp_err *err);
/* Pulls a bare OXM TLV list (no ofp_match header), as in table-features properties or a
 * set_field action, into m; same checks except prerequisites. */
int oxm_decode_tlvs(const void *p, size_t len, struct ofp_match *m, struct ofp_err *err);
/* Checks that every present field's prerequisites are met. 0 or -EPROTO (BAD_PREREQ). */
int oxm_check_prereqs(const struct ofp_match *m, struct ofp_err *err);
/* Appends m as struct ofp_match (with padding), fields in m->order, masks as received. */
void oxm_encode(const struct ofp_match *m, struct buf *b);
/* Appends one OXM TLV for field f with the given value (and mask, or NULL). */
void oxm_encode_tlv(struct buf *b, uint8_t field, const void *value, const void *mask);

/* Appends the ovs-ofctl text of m ("ip,in_port=1,nw_dst=10.0.0.0/8"); an empty match
 * prints nothing. Uses protocol shorthands (ip, tcp, udp, arp, icmp, ipv6, tcp6, ...)
 * where eth_type/ip_proto allow. */
void oxm_format(const struct ofp_match *m, struct buf *b);
/* Parses one "name=value[/mask]" or shorthand ("tcp") token into m. errbuf receives a
 * one-line reason naming the token. 0, or -EINVAL. */
int oxm_parse_token(const char *name, const char *value, struct ofp_match *m, char *errbuf,
		    size_t errlen);
/* Parses a comma-separated match ("tcp,nw_src=10.0.0.1,tp_dst=80"), in any token order
 * (tp_src/tp_dst/icmp_type/icmp_code resolve through ip_proto; dl_vlan_pcp without a VLAN
 * id adds vlan_vid=0x1000/0x1000), and checks prerequisites. 0, or -EINVAL with errbuf
 * naming the offending token or the field whose prerequisite is missing (also for an
 * allocation failure, with errbuf saying so). */
int oxm_parse(const char *text, struct ofp_match *m, char *errbuf, size_t errlen);
/* For callers that feed oxm_parse_token() themselves: puts every prerequisite before the
 * fields that need it in m->order (what oxm_encode() sends; Open vSwitch refuses a match
 * whose prerequisites come later) and checks prerequisites. 0, or -EINVAL with errbuf
 * naming the field whose prerequisite is missing. */
int oxm_parse_finish(struct ofp_match *m, char *errbuf, size_t errlen);
/* Formats / parses one field value (without name) as text, e.g. "00:11:22:33:44:55" or
 * "10.0.0.1"; used by set_field. Parse: 0 or -EINVAL. */
void oxm_format_value(uint8_t field, const void *value, const void *mask, struct buf *b);
int oxm_parse_value(uint8_t field, const char *text, void *value, void *mask, bool *has_mask);

#endif /* PFS_OXM_H */
