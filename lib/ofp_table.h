/* OpenFlow 1.3 table entities: TABLE_MOD, the OFPMP_TABLE reply entry (struct
 * ofp_table_stats), and OFPMP_TABLE_FEATURES entries (struct ofp_table_features with every
 * property type), with decode/encode/format side by side, ovs-ofctl style text
 * ("dump-tables", "dump-table-features"), and the builder of the feature list a pfswitch
 * table advertises (every OF1.3 instruction, action and OXM field).
 *
 * Whether a table exists (OFPTMFC_BAD_TABLE, OFPTFFC_BAD_TABLE) and whether a requested
 * feature set can be applied (OFPTFFC_BAD_ARGUMENT, OFPTFFC_BAD_METADATA, OFPTFFC_EPERM)
 * is ofproto's job. Uses buf.h, arena.h, ofp_error.h, ofp_msg.h and oxm_field_info(). */
#ifndef PFS_OFP_TABLE_H
#define PFS_OFP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openflow.h"

struct arena;
struct buf;
struct buf_cursor;
struct ofp_err;

/* OFPT_TABLE_MOD (16 bytes). */
struct ofp_table_mod {
	uint8_t table_id; /* 0..OFPTT_MAX, or OFPTT_ALL */
	uint32_t config;  /* OFPTC_* (only the deprecated bits exist in 1.3) */
};

/* Decodes a whole TABLE_MOD: length exactly 16 (OFPET_BAD_REQUEST/OFPBRC_BAD_LEN); config
 * bits outside OFPTC_DEPRECATED_MASK (OFPET_TABLE_MOD_FAILED/OFPTMFC_BAD_CONFIG). Any
 * table_id is accepted (OFPTT_ALL means every table; existence is ofproto's check).
 * 0 or -EPROTO. a is unused. */
int ofp_table_mod_decode(const void *msg, size_t len, struct arena *a, struct ofp_table_mod *out,
			 struct ofp_err *err);
/* Appends a complete TABLE_MOD, values as given. 0 or -ENOMEM. */
int ofp_table_mod_encode(const struct ofp_table_mod *in, uint32_t xid, struct buf *b);
/* " table_id=1, config=0x0" / " table_id=ALL, ..." */
void ofp_table_mod_format(const struct ofp_table_mod *in, struct buf *b);

/* struct ofp_table_stats (24 bytes), the OFPMP_TABLE reply entry. */
struct ofp_table_stats {
	uint8_t table_id;
	uint32_t active_count;
	uint64_t lookup_count;
	uint64_t matched_count;
};

/* Pulls one 24-byte entry. 0, or -EPROTO (OFPET_BAD_REQUEST/OFPBRC_BAD_LEN) if short. */
int ofp_table_stats_decode(struct buf_cursor *c, struct arena *a, struct ofp_table_stats *out,
			   struct ofp_err *err);
void ofp_table_stats_encode(const struct ofp_table_stats *in, struct buf *b);
/* "  table 0:\n    active=1, lookup=2, matched=3\n" (ovs-ofctl dump-tables). */
void ofp_table_stats_format(const struct ofp_table_stats *in, struct buf *b);

/* One instruction id or action id in a table-features property: the 4-byte header
 * (type, len) and, for experimenter ids, the experimenter. */
struct ofp_table_feature_id {
	uint16_t type;	       /* OFPIT_* or OFPAT_* */
	uint16_t len;	       /* wire length: 4, or 8 for an experimenter id; 0 on encode = that */
	uint32_t experimenter; /* OFPIT_EXPERIMENTER / OFPAT_EXPERIMENTER only */
	const uint8_t *data;   /* bytes after the header (and experimenter), len minus 4 or 8;
				  NULL means zeros on encode */
};

/* One OXM id: a 4-byte OXM header; OFPXMC_EXPERIMENTER headers carry an experimenter. */
struct ofp_table_feature_oxm {
	uint32_t header;       /* OXM_HEADER(class, field, hasmask, length) */
	uint32_t experimenter; /* OXM_CLASS(header) == OFPXMC_EXPERIMENTER only */
};

/* One table-features property (OFPTFPT_*). */
struct ofp_table_feature_prop {
	uint16_t type; /* OFPTFPT_* */
	union {
		/* INSTRUCTIONS(_MISS), WRITE_ACTIONS(_MISS), APPLY_ACTIONS(_MISS) */
		struct {
			struct ofp_table_feature_id *items;
			size_t n;
		} ids;
		/* NEXT_TABLES(_MISS) */
		struct {
			uint8_t *items;
			size_t n;
		} tables;
		/* MATCH, WILDCARDS, WRITE_SETFIELD(_MISS), APPLY_SETFIELD(_MISS) */
		struct {
			struct ofp_table_feature_oxm *items;
			size_t n;
		} oxms;
		/* EXPERIMENTER(_MISS) */
		struct {
			uint32_t experimenter;
			uint32_t exp_type;
			const uint8_t *data;
			size_t len;
		} experimenter;
	};
};

/* struct ofp_table_features (64 bytes + properties), one OFPMP_TABLE_FEATURES entry in a
 * request (a controller setting features) or a reply. */
struct ofp_table_features {
	uint8_t table_id;
	char name[OFP_MAX_TABLE_NAME_LEN + 1]; /* NUL-terminated */
	uint64_t metadata_match;
	uint64_t metadata_write;
	uint32_t config; /* OFPTC_* */
	uint32_t max_entries;
	struct {
		struct ofp_table_feature_prop *items; /* wire order */
		size_t n;
	} props;
};

/* Pulls one entry, properties allocated from a. Errors are OFPET_TABLE_FEATURES_FAILED,
 * since a controller's request is the direction a switch decodes (a client decoding a
 * reply just reports them): entry length below 64, not a multiple of 8 or beyond the
 * bytes in c (OFPTFFC_BAD_LEN); a property length below its fixed part, beyond the entry,
 * without its padding to 8, or not a whole number of ids (OFPTFFC_BAD_LEN, also for an
 * id whose own length is short or overruns); an unknown property type (OFPTFFC_BAD_TYPE).
 * 0, -EPROTO with *err, or -ENOMEM. */
int ofp_table_features_decode(struct buf_cursor *c, struct arena *a, struct ofp_table_features *out,
			      struct ofp_err *err);
/* Appends one entry with its properties, each padded to 8 bytes. An entry longer than
 * 65535 bytes cannot be expressed; the multipart framing reports it as -EMSGSIZE. */
void ofp_table_features_encode(const struct ofp_table_features *in, struct buf *b);
/* Appends ovs-ofctl dump-table-features style text:
 *   "  table 0 (\"classifier\"):\n    metadata: match=0x... write=0x...\n"
 *   "    config=0\n    max_entries=1000000\n    instructions: ...\n" (one line per
 * property, names as in OVS). */
void ofp_table_features_format(const struct ofp_table_features *in, struct buf *b);
/* "instructions", "instructions_miss", ..., "experimenter_miss"; NULL if unknown. */
const char *ofp_table_feature_prop_name(uint16_t type);

/* Fills *out with the features of pfswitch table table_id of n_tables: every OF1.3
 * instruction (goto_table left out of the last table) and action; MATCH lists every OXM
 * basic field, with hasmask (and doubled length) where the field is maskable; WILDCARDS
 * lists every field (any field may be omitted from a match); WRITE/APPLY_SETFIELD list the
 * settable fields; NEXT_TABLES are table_id+1..n_tables-1; each _MISS property equals its
 * regular one; no experimenter property. Name "table<N>", metadata match/write all ones,
 * config 0. Lists are allocated from a. 0, -EINVAL if table_id >= n_tables, or -ENOMEM. */
int ofp_table_features_default(uint8_t table_id, uint8_t n_tables, uint32_t max_entries,
			       struct arena *a, struct ofp_table_features *out);

#endif /* PFS_OFP_TABLE_H */
