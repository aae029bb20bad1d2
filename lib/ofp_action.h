/* OpenFlow 1.3 actions: decoded form, wire codec with the spec's validation errors, and
 * ovs-ofctl text ("output:2,set_field:10.0.0.1->ip_dst,group:5"). Action lists keep
 * their wire order. Decoding allocates from a struct arena. Uses lib/oxm.h for the OXM
 * field table (lengths, settable fields) and the match read by ofp_actions_check().
 *
 * Text: formatting prints what ovs-ofctl 3.1 prints for OpenFlow 1.3 ("output:1",
 * "IN_PORT", "CONTROLLER:65535", "set_field:10.0.0.1->ip_dst", "set_mpls_ttl(10)",
 * "mod_nw_ttl:9", "dec_ttl", "pop_vlan", "push_vlan:0x8100", "group:5"); where ovs-ofctl
 * has no text (copy_ttl_out, copy_ttl_in, push_pbb:0x88e7, pop_pbb, experimenter) the
 * names are the spec's. Output max_len is printed only for CONTROLLER, as ovs-ofctl
 * does. Parsing accepts that text plus ovs-ofctl's aliases: bare port numbers and
 * reserved names, "output:N", "controller", "controller:N", "controller(max_len=N)",
 * "output(port=N,max_len=M)", "strip_vlan", "set_mpls_ttl:N", "set_nw_ttl:N",
 * "dec_nw_ttl", set_field with OF1.3 names too ("ipv4_dst", "nw_dst", ...), and
 * mod_dl_src/mod_dl_dst/mod_nw_src/mod_nw_dst/mod_nw_tos/mod_nw_ecn/mod_vlan_vid/
 * mod_vlan_pcp as set_field (mod_vlan_vid sets the VID of an existing tag: no push_vlan
 * is added, since the parser does not see the match; mod_tp_src/dst are refused for the
 * same reason: write set_field:N->tcp_src). "drop" may not be combined with actions.
 * set_field values: vlan_vid is the raw OXM value (4196 = OFPVID_PRESENT|100), as in
 * ovs-ofctl.
 *
 * Experimenter actions: no experimenter is known, so ofp_actions_decode() refuses them
 * with OFPBAC_BAD_EXPERIMENTER. ofp_actions_decode_opts(OFP_ACTIONS_KEEP_EXPERIMENTER)
 * keeps them instead (a client reading another switch's flows), and encode/format/parse
 * handle them ("experimenter(0x2320,aabbcc)", data padded to 8 on the wire). */
#ifndef PFS_OFP_ACTION_H
#define PFS_OFP_ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openflow.h"

struct arena;
struct buf;
struct ofp_err;
struct ofp_match;

struct ofp_action {
	uint16_t type; /* OFPAT_* */
	union {
		struct {
			uint32_t port;
			uint16_t max_len;
		} output;
		uint32_t group_id;  /* OFPAT_GROUP */
		uint32_t queue_id;  /* OFPAT_SET_QUEUE */
		uint8_t ttl;	    /* OFPAT_SET_MPLS_TTL, OFPAT_SET_NW_TTL */
		uint16_t ethertype; /* OFPAT_PUSH_VLAN/MPLS/PBB, OFPAT_POP_MPLS */
		struct {
			uint8_t field; /* OFPXMT_OFB_* */
			uint8_t len;   /* its OXM payload length */
			uint8_t value[16];
		} set_field;
		struct {
			uint32_t experimenter;
			uint16_t len; /* bytes of data */
			const uint8_t *data;
		} experimenter;
	};
};

struct ofp_action_list {
	struct ofp_action *actions;
	size_t n;
};

/* Decodes len bytes of actions. Checks each action's type (BAD_TYPE), length (BAD_LEN,
 * multiple of 8, fixed sizes), arguments (BAD_OUT_PORT for port 0 / > OFPP_MAX that is
 * not a reserved port; BAD_OUT_GROUP for group > OFPG_MAX; BAD_ARGUMENT for push
 * ethertypes that do not fit the action), set_field content (BAD_SET_TYPE for unknown or
 * unsettable fields, BAD_SET_LEN, BAD_SET_ARGUMENT for a masked or malformed OXM) and
 * experimenters (BAD_EXPERIMENTER). 0, -EPROTO with *err, or -ENOMEM. */
int ofp_actions_decode(const void *p, size_t len, struct arena *a, struct ofp_action_list *out,
		       struct ofp_err *err);
/* Options for ofp_actions_decode_opts(). */
#define OFP_ACTIONS_KEEP_EXPERIMENTER 0x1u /* keep experimenter actions, do not refuse */
/* ofp_actions_decode() with options (0 = ofp_actions_decode()). */
int ofp_actions_decode_opts(const void *p, size_t len, unsigned opts, struct arena *a,
			    struct ofp_action_list *out, struct ofp_err *err);
/* Appends the wire form of every action (set_field: its OXM TLV padded to 8;
 * experimenter: id and data padded to 8). Errors are the buffer's sticky -ENOMEM. */
void ofp_actions_encode(const struct ofp_action_list *l, struct buf *b);
/* Bytes ofp_actions_encode() appends for l. */
size_t ofp_actions_wire_len(const struct ofp_action_list *l);
/* True if a and b hold the same actions in the same order. */
bool ofp_actions_equal(const struct ofp_action_list *a, const struct ofp_action_list *b);
/* "OUTPUT", "SET_FIELD", ... for OFPAT_*; NULL if unknown. */
const char *ofp_action_type_name(uint16_t type);
/* Checks actions against the flow's match (OFPET_BAD_ACTION/OFPBAC_MATCH_INCONSISTENT).
 * The headers a packet is guaranteed to have are tracked through the list, starting
 * from the match and updated by each action (push_vlan guarantees a VLAN tag,
 * push_mpls/pop_mpls/push_pbb set the ethertype, pop_vlan/pop_pbb make the tags
 * unknown, set_field of eth_type/ip_proto/icmpv6_type sets that value).
 * set_field: strict, as the spec (7.2.5, table 12) and ovs-vswitchd require: the
 * field's prerequisites must be guaranteed (e.g. set_field ipv4_dst needs an exact
 * eth_type=0x0800 in the match; vlan_pcp needs vlan_vid with OFPVID_PRESENT or an
 * earlier push_vlan). Other actions: lenient, the spec names no prerequisite: refused
 * only when the match makes them impossible (pop_vlan with vlan_vid=OFPVID_NONE;
 * pop_mpls, set/dec_mpls_ttl, copy_ttl_* on a known non-MPLS ethertype; set/dec_nw_ttl
 * on a known ethertype that is neither IPv4 nor IPv6; pop_pbb on a known non-PBB
 * ethertype). 0 or -EPROTO. */
int ofp_actions_check(const struct ofp_action_list *l, const struct ofp_match *m,
		      struct ofp_err *err);
/* The header state ofp_actions_check() tracks, for checking several lists in a row
 * (ofp_instructions_check(): apply_actions, then write_actions). -1: not known. */
struct ofp_action_hdrs {
	int32_t eth_type;
	int16_t ip_proto;
	int16_t icmpv6_type;
	int8_t vlan; /* 1: a VLAN tag is guaranteed, 0: guaranteed absent */
};
/* Sets h to what match m guarantees. */
void ofp_action_hdrs_init(struct ofp_action_hdrs *h, const struct ofp_match *m);
/* ofp_actions_check() from state h, which it updates. action_set: take the actions in
 * the action set's execution order (spec 5.10), as write_actions will run them. */
int ofp_actions_check_hdrs(const struct ofp_action_list *l, bool action_set,
			   struct ofp_action_hdrs *h, struct ofp_err *err);
/* Appends the ovs-ofctl text, e.g. "output:1,dec_ttl"; an empty list prints "drop". */
void ofp_actions_format(const struct ofp_action_list *l, struct buf *b);
/* Parses comma-separated actions text ("drop" or an empty string is the empty list).
 * 0, -EINVAL with errbuf naming the bad token, or -ENOMEM. */
int ofp_actions_parse(const char *text, struct arena *a, struct ofp_action_list *out, char *errbuf,
		      size_t errlen);
/* Formats a port number: "1", "IN_PORT", "CONTROLLER", "LOCAL", ... */
void ofp_port_format(uint32_t port, struct buf *b);
/* Parses a port number or reserved name (any case, "in_port", "ANY"...). 0 or -EINVAL. */
int ofp_port_parse(const char *text, uint32_t *port);

#endif /* PFS_OFP_ACTION_H */
