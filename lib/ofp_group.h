/* OpenFlow 1.3 groups: OFPT_GROUP_MOD and the group multipart bodies (OFPMP_GROUP
 * request and ofp_group_stats entries, OFPMP_GROUP_DESC entries, OFPMP_GROUP_FEATURES
 * reply), each with decode (spec validation), encode, format (ovs-ofctl text) and, for
 * group_mod, parse of the ovs-ofctl group syntax. Bucket actions go through
 * ofp_action.h; decoded lists are allocated from a struct arena. */
#ifndef PFS_OFP_GROUP_H
#define PFS_OFP_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "ofp_action.h"

struct arena;
struct buf;
struct buf_cursor;
struct ofp_err;

struct ofp_bucket {
	uint16_t weight;      /* select groups only; 0 otherwise */
	uint32_t watch_port;  /* OFPP_ANY: none */
	uint32_t watch_group; /* OFPG_ANY: none */
	struct ofp_action_list actions;
};

struct ofp_bucket_list {
	struct ofp_bucket *items;
	size_t n;
};

/* OFPT_GROUP_MOD body. */
struct ofp_group_mod {
	uint16_t command; /* OFPGC_* */
	uint8_t type;	  /* OFPGT_* */
	uint32_t group_id;
	struct ofp_bucket_list buckets;
};

/* Decodes a whole GROUP_MOD (header included, already checked by ofp_header_check).
 * Errors (OFPET_GROUP_MOD_FAILED unless noted): BAD_COMMAND for command > DELETE;
 * BAD_TYPE for type > FF; INVALID_GROUP for group_id > OFPG_MAX (OFPG_ALL is allowed for
 * DELETE), and for an INDIRECT group that does not have exactly one bucket (ADD/MODIFY);
 * BAD_BUCKET for a bucket length < 16, not a multiple of 8 or running past the message,
 * trailing bytes, or a non-zero weight in a non-select group; BAD_WATCH for an FF bucket
 * with neither watch_port nor watch_group, or a watch_port/watch_group that is not a
 * valid port/group or ANY; OFPET_BAD_ACTION errors from the bucket actions.
 * 0, -EPROTO with *err, or -ENOMEM. */
int ofp_group_mod_decode(const void *msg, size_t len, struct arena *a, struct ofp_group_mod *out,
			 struct ofp_err *err);
/* Appends a GROUP_MOD message. 0, -ENOMEM or -EMSGSIZE. */
int ofp_group_mod_encode(const struct ofp_group_mod *in, uint32_t xid, struct buf *b);
/* "ADD group_id=1,type=select,bucket=weight:10,actions=output:1,..." */
void ofp_group_mod_format(const struct ofp_group_mod *in, struct buf *b);
/* Parses ovs-ofctl group text for the given command: "group_id=1,type=select,
 * bucket=weight:10,watch_port:1,actions=output:1,bucket=output:2". Keys take '=' or ':';
 * inside a bucket, tokens that are not weight/watch_port/watch_group/actions are
 * actions, and "actions=" takes the rest of the bucket. group_id accepts "all"/"any";
 * type accepts all, select, indirect, ff, fast_failover. group_id defaults to ALL and
 * type to all for DELETE; ADD/MODIFY need both. watch_port/watch_group default to ANY,
 * weight to 1 in select groups and 0 otherwise (format omits a default weight).
 * The result is not validated as decode would (encode it and decode to check).
 * 0, -EINVAL with errbuf naming the bad token, or -ENOMEM. */
int ofp_group_mod_parse(const char *text, uint16_t command, struct arena *a,
			struct ofp_group_mod *out, char *errbuf, size_t errlen);

/* Bucket list codec shared by group_mod and group_desc: decodes len bytes of buckets
 * for a group of the given type (errors as for group_mod). */
int ofp_buckets_decode(const void *p, size_t len, uint8_t group_type, struct arena *a,
		       struct ofp_bucket_list *out, struct ofp_err *err);
void ofp_buckets_encode(const struct ofp_bucket_list *l, struct buf *b);
/* ",bucket=...": one ",bucket=" per bucket, as ovs-ofctl prints them. */
void ofp_buckets_format(const struct ofp_bucket_list *l, uint8_t group_type, struct buf *b);

/* "all", "select", "indirect", "ff"; NULL if unknown. */
const char *ofp_group_type_name(uint8_t type);

/* OFPMP_GROUP request body. */
struct ofp_group_stats_request {
	uint32_t group_id; /* OFPG_ALL for all groups */
};

/* Pulls 8 bytes (group_id, pad). OFPBRC_BAD_LEN if short. 0 or -EPROTO. */
int ofp_group_stats_request_decode(struct buf_cursor *c, struct arena *a,
				   struct ofp_group_stats_request *out, struct ofp_err *err);
void ofp_group_stats_request_encode(const struct ofp_group_stats_request *in, struct buf *b);
/* "group_id=1" or "group_id=ALL". */
void ofp_group_stats_request_format(const struct ofp_group_stats_request *in, struct buf *b);

struct ofp_bucket_counter {
	uint64_t packet_count;
	uint64_t byte_count;
};

/* One OFPMP_GROUP reply entry. */
struct ofp_group_stats {
	uint32_t group_id;
	uint32_t ref_count;
	uint64_t packet_count;
	uint64_t byte_count;
	uint32_t duration_sec;
	uint32_t duration_nsec;
	struct {
		struct ofp_bucket_counter *items;
		size_t n;
	} bucket_stats;
};

/* Pulls one entry: length >= 40, within the cursor, and 40 + 16 * n (else
 * OFPBRC_BAD_LEN). 0, -EPROTO or -ENOMEM. */
int ofp_group_stats_decode(struct buf_cursor *c, struct arena *a, struct ofp_group_stats *out,
			   struct ofp_err *err);
void ofp_group_stats_encode(const struct ofp_group_stats *in, struct buf *b);
/* " group_id=1,duration=1.500s,ref_count=0,packet_count=0,byte_count=0,
 * bucket0:packet_count=0,byte_count=0" (dump-group-stats, with its leading space) */
void ofp_group_stats_format(const struct ofp_group_stats *in, struct buf *b);

/* One OFPMP_GROUP_DESC reply entry. */
struct ofp_group_desc {
	uint8_t type;
	uint32_t group_id;
	struct ofp_bucket_list buckets;
};

/* Pulls one entry: length >= 8 and within the cursor (else OFPBRC_BAD_LEN); buckets as
 * ofp_buckets_decode, except that experimenter actions are kept (a client reads another
 * switch's groups). 0, -EPROTO or -ENOMEM. */
int ofp_group_desc_decode(struct buf_cursor *c, struct arena *a, struct ofp_group_desc *out,
			  struct ofp_err *err);
void ofp_group_desc_encode(const struct ofp_group_desc *in, struct buf *b);
/* " group_id=1,type=select,bucket=weight:10,actions=output:1" (as dump-groups, with
 * its leading space). */
void ofp_group_desc_format(const struct ofp_group_desc *in, struct buf *b);

/* OFPMP_GROUP_FEATURES reply body. Arrays are indexed by OFPGT_*. */
struct ofp_group_features {
	uint32_t types;	       /* bitmap of 1 << OFPGT_* */
	uint32_t capabilities; /* OFPGFC_* */
	uint32_t max_groups[4];
	uint32_t actions[4]; /* bitmaps of 1 << OFPAT_* */
};

/* Pulls 40 bytes; OFPBRC_BAD_LEN if short. 0 or -EPROTO. */
int ofp_group_features_decode(struct buf_cursor *c, struct arena *a, struct ofp_group_features *out,
			      struct ofp_err *err);
void ofp_group_features_encode(const struct ofp_group_features *in, struct buf *b);
void ofp_group_features_format(const struct ofp_group_features *in, struct buf *b);

#endif /* PFS_OFP_GROUP_H */
