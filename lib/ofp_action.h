/* OpenFlow 1.3 actions: decoded form, wire codec with the spec's validation errors, and
 * ovs-ofctl text ("output:2,set_field:10.0.0.1->ipv4_dst,group:5"). Action lists keep
 * their wire order. Decoding allocates from a struct arena. */
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
/* Appends the wire form of every action. */
void ofp_actions_encode(const struct ofp_action_list *l, struct buf *b);
/* Checks actions against the flow's match: set_field and pop/output prerequisites
 * (OFPET_BAD_ACTION/OFPBAC_MATCH_INCONSISTENT) as the spec requires. 0 or -EPROTO. */
int ofp_actions_check(const struct ofp_action_list *l, const struct ofp_match *m,
		      struct ofp_err *err);
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
