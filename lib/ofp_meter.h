/* OpenFlow 1.3 meters: OFPT_METER_MOD and the meter multipart bodies (the meter_id
 * request shared by OFPMP_METER and OFPMP_METER_CONFIG, ofp_meter_stats and
 * ofp_meter_config entries, the OFPMP_METER_FEATURES reply), each with decode (spec
 * validation), encode, format (ovs-ofctl text) and, for meter_mod, parse of the
 * ovs-ofctl meter syntax. Decoded lists are allocated from a struct arena. */
#ifndef PFS_OFP_METER_H
#define PFS_OFP_METER_H

#include <stddef.h>
#include <stdint.h>

#include "openflow.h"

struct arena;
struct buf;
struct buf_cursor;
struct ofp_err;

struct ofp_meter_band {
	uint16_t type; /* OFPMBT_* */
	uint32_t rate;
	uint32_t burst_size;
	uint8_t prec_level;    /* DSCP_REMARK */
	uint32_t experimenter; /* EXPERIMENTER */
	struct {
		const uint8_t *data; /* EXPERIMENTER: bytes after the 16-byte band */
		size_t len;
	} exp_data;
};

struct ofp_meter_band_list {
	struct ofp_meter_band *items;
	size_t n;
};

/* OFPT_METER_MOD body. */
struct ofp_meter_mod {
	uint16_t command; /* OFPMC_* */
	uint16_t flags;	  /* OFPMF_* */
	uint32_t meter_id;
	struct ofp_meter_band_list bands;
};

/* Decodes a whole METER_MOD (header included, already checked by ofp_header_check).
 * Errors (OFPET_METER_MOD_FAILED): BAD_COMMAND for command > DELETE; BAD_FLAGS for
 * unknown flag bits or both KBPS and PKTPS; INVALID_METER for meter_id 0, or above
 * OFPM_MAX and not SLOWPATH/CONTROLLER (OFPM_ALL is allowed for DELETE only); BAD_BAND
 * for an unknown band type or a band length that is < 16, not the type's size (16 for
 * DROP and DSCP_REMARK; a multiple of 8 >= 16 for EXPERIMENTER) or runs past the
 * message, and for trailing bytes; BAD_RATE for a band with rate 0; BAD_BAND_VALUE
 * for a DSCP_REMARK prec_level above 63. 0, -EPROTO with *err, or -ENOMEM. */
int ofp_meter_mod_decode(const void *msg, size_t len, struct arena *a, struct ofp_meter_mod *out,
			 struct ofp_err *err);
/* Appends a METER_MOD message. 0, -ENOMEM or -EMSGSIZE. */
int ofp_meter_mod_encode(const struct ofp_meter_mod *in, uint32_t xid, struct buf *b);
/* "ADD meter=1 kbps burst stats bands=type=drop rate=1000 burst_size=100" */
void ofp_meter_mod_format(const struct ofp_meter_mod *in, struct buf *b);
/* Parses ovs-ofctl meter text for the given command, e.g.
 * "meter=1,kbps,burst,stats,bands=type=drop,rate=1000,burst_size=100,type=dscp_remark,
 * rate=2000,prec_level=1". Separators are commas or white space; each "type=" after
 * "bands=" starts a band (drop, dscp_remark, or experimenter with "experimenter=N").
 * meter accepts all/controller/slowpath; it defaults to ALL for DELETE. Format output
 * parses back. 0, -EINVAL with errbuf naming the bad token, or -ENOMEM. */
int ofp_meter_mod_parse(const char *text, uint16_t command, struct arena *a,
			struct ofp_meter_mod *out, char *errbuf, size_t errlen);

/* Band list codec shared by meter_mod and meter_config (errors as for meter_mod). */
int ofp_meter_bands_decode(const void *p, size_t len, struct arena *a,
			   struct ofp_meter_band_list *out, struct ofp_err *err);
void ofp_meter_bands_encode(const struct ofp_meter_band_list *l, struct buf *b);
/* "type=drop rate=1000 burst_size=100" per band, bands separated by a space. */
void ofp_meter_bands_format(const struct ofp_meter_band_list *l, struct buf *b);

/* Request body of OFPMP_METER and OFPMP_METER_CONFIG. */
struct ofp_meter_multipart_request {
	uint32_t meter_id; /* OFPM_ALL for all meters */
};

/* Pulls 8 bytes (meter_id, pad). OFPBRC_BAD_LEN if short. 0 or -EPROTO. */
int ofp_meter_multipart_request_decode(struct buf_cursor *c, struct arena *a,
				       struct ofp_meter_multipart_request *out,
				       struct ofp_err *err);
void ofp_meter_multipart_request_encode(const struct ofp_meter_multipart_request *in,
					struct buf *b);
/* "meter=1" or "meter=all". */
void ofp_meter_multipart_request_format(const struct ofp_meter_multipart_request *in,
					struct buf *b);

struct ofp_meter_band_stats {
	uint64_t packet_band_count;
	uint64_t byte_band_count;
};

/* One OFPMP_METER reply entry. */
struct ofp_meter_stats {
	uint32_t meter_id;
	uint32_t flow_count;
	uint64_t packet_in_count;
	uint64_t byte_in_count;
	uint32_t duration_sec;
	uint32_t duration_nsec;
	struct {
		struct ofp_meter_band_stats *items;
		size_t n;
	} band_stats;
};

/* Pulls one entry: len >= 40, within the cursor, 40 + 16 * n (else OFPBRC_BAD_LEN).
 * 0, -EPROTO or -ENOMEM. */
int ofp_meter_stats_decode(struct buf_cursor *c, struct arena *a, struct ofp_meter_stats *out,
			   struct ofp_err *err);
void ofp_meter_stats_encode(const struct ofp_meter_stats *in, struct buf *b);
/* "meter:1 flow_count:0 packet_in_count:0 byte_in_count:0 duration:1.500s bands:
 * 0: packet_count:0 byte_count:0" */
void ofp_meter_stats_format(const struct ofp_meter_stats *in, struct buf *b);

/* One OFPMP_METER_CONFIG reply entry. */
struct ofp_meter_config {
	uint16_t flags;
	uint32_t meter_id;
	struct ofp_meter_band_list bands;
};

/* Pulls one entry: length >= 8 and within the cursor (else OFPBRC_BAD_LEN); bands as
 * ofp_meter_bands_decode. 0, -EPROTO or -ENOMEM. */
int ofp_meter_config_decode(struct buf_cursor *c, struct arena *a, struct ofp_meter_config *out,
			    struct ofp_err *err);
void ofp_meter_config_encode(const struct ofp_meter_config *in, struct buf *b);
/* "meter=1 kbps burst stats bands=\ntype=drop rate=1000 burst_size=100" (dump-meters). */
void ofp_meter_config_format(const struct ofp_meter_config *in, struct buf *b);

/* OFPMP_METER_FEATURES reply body. */
struct ofp_meter_features {
	uint32_t max_meter;
	uint32_t band_types;   /* bitmap of 1 << OFPMBT_* */
	uint32_t capabilities; /* OFPMF_* */
	uint8_t max_bands;
	uint8_t max_color;
};

/* Pulls 16 bytes; OFPBRC_BAD_LEN if short. 0 or -EPROTO. */
int ofp_meter_features_decode(struct buf_cursor *c, struct arena *a, struct ofp_meter_features *out,
			      struct ofp_err *err);
void ofp_meter_features_encode(const struct ofp_meter_features *in, struct buf *b);
void ofp_meter_features_format(const struct ofp_meter_features *in, struct buf *b);

/* Appends " kbps burst stats" style flag words (each with a leading space). */
void ofp_meter_flags_format(uint16_t flags, struct buf *b);

#endif /* PFS_OFP_METER_H */
