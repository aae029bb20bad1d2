/* pfs-ofctl internals shared by its files: the command context (options, the
 * connection), fatal exits with the documented exit codes, port-name mapping, the JSON
 * writer and renderers (ofctl_json.c) and the flow tables used by dump-flows --sort,
 * diff-flows and replace-flows (ofctl_flows.c). pfs-ofctl.c holds main() and the
 * commands. Everything OpenFlow goes through lib/ (vconn.h and the ofp_* codecs). */
#ifndef PFS_OFCTL_H
#define PFS_OFCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "ofp_message.h"
#include "vconn.h"

/* Exit codes (documented in pfs-ofctl.8). */
enum {
	OFCTL_EXIT_OK = 0,
	OFCTL_EXIT_REFUSED = 1,	    /* the switch answered with OFPT_ERROR, or a bad reply */
	OFCTL_EXIT_DIFFERENT = 2,   /* diff-flows found differences (as ovs-ofctl) */
	OFCTL_EXIT_UNREACHABLE = 3, /* cannot connect, timed out, connection lost */
	OFCTL_EXIT_USAGE = 4,	    /* bad command line, syntax or input file */
};

#define OFCTL_MAX_SORTS 8

struct ofctl_sort {
	const char *field; /* "priority", an OXM name, or n_packets/n_bytes/... */
	bool descending;
};

/* Port number <-> name, filled from PORT_DESC on first use. */
struct ofctl_port_name {
	uint32_t port_no;
	char name[OFP_MAX_PORT_NAME_LEN + 1];
};

struct ofctl {
	const char *target;    /* SWITCH argument as given */
	char target_name[256]; /* resolved tcp:/unix: name */
	struct vconn *vc;
	/* options */
	bool strict, names, no_stats, json, readd;
	struct ofctl_sort sorts[OFCTL_MAX_SORTS];
	size_t n_sorts;
	int timeout_s; /* --timeout; < 0 none */
	long max_msgs; /* --max for monitor/snoop; < 0 unlimited */
	/* top: --interval (seconds), --count (rows), --iterations (frames; < 0 until
	 * stopped; --once is 1) */
	double interval_s;
	long count, iterations;
	bool svg; /* show-pipeline --svg (else --dot) */
	const char *rundir;
	/* --private-key, --certificate, --ca-cert for ssl: targets, and the context made
	 * from them on the first ssl: connection */
	const char *private_key, *certificate, *ca_cert;
	struct stream_tls_ctx *tls;
	/* port names */
	bool ports_loaded;
	struct ofctl_port_name *ports;
	size_t n_ports;
};

/* Prints "pfs-ofctl: <message>" on stderr and exits with code. */
/* Decodes hex bytes, optionally separated by white space, colons or dots, into memory
 * from a; exits with a usage error on anything else. */
void ofctl_parse_hex(const char *s, struct arena *a, const uint8_t **data, size_t *len);
void ofctl_fatal(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* Exits with the code and message that fit a vconn error (what = the request's name). */
void ofctl_fatal_vconn(struct ofctl *c, int err, const char *what) __attribute__((noreturn));
/* Connects (once) to c->target. Exits on failure. */
struct vconn *ofctl_connect(struct ofctl *c);
/* Sends the multipart request r and decodes the reassembled reply into *rep (lists
 * from a). Exits on a failure. Returns the request's xid. */
uint32_t ofctl_dump(struct ofctl *c, const struct ofp_multipart_request *r, struct arena *a,
		    struct ofp_multipart_reply *rep);
/* Loads port names from PORT_DESC (once). */
void ofctl_load_ports(struct ofctl *c);
/* Name of a port or NULL. */
const char *ofctl_port_name(struct ofctl *c, uint32_t port_no);
/* Rewrites port names in flow/group text into numbers ("in_port=p1" -> "in_port=1",
 * "output:p1", "out_port=", "watch_port:"), loading names only when one is seen.
 * Returns a malloc'ed string. */
char *ofctl_names_to_numbers(struct ofctl *c, const char *text);
/* Rewrites port numbers in formatted text into names (for --names). In place on b. */
void ofctl_numbers_to_names(struct ofctl *c, struct buf *b, size_t start);

/* ---- JSON (ofctl_json.c) ---- */

/* Compact JSON writer into a buf: keys and commas handled by nesting state. */
struct json {
	struct buf *b;
	int depth;
	bool need_comma[32];
};

void json_init(struct json *j, struct buf *b);
/* key is NULL inside arrays and at the top level. */
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *s);
void json_strn(struct json *j, const char *key, const char *s, size_t n);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* A counter that may be all-ones ("not available"): null then. */
void json_counter(struct json *j, const char *key, uint64_t v);
/* "0x..." */
void json_hex(struct json *j, const char *key, uint64_t v);
/* Seconds with nanoseconds as a number: 1.500000000 */
void json_duration(struct json *j, const char *key, uint32_t sec, uint32_t nsec);
/* An array of the space-separated words in text ("0" or "" gives []). */
void json_words(struct json *j, const char *key, const char *text);

/* A parsed JSON value (json_parse), allocated from an arena. Scalars (numbers, true,
 * false, null) keep their text in s. */
enum jtype { JSON_OBJECT, JSON_ARRAY, JSON_STRING, JSON_SCALAR };
struct jval {
	enum jtype type;
	const char *key; /* inside an object */
	const char *s;	 /* JSON_STRING, JSON_SCALAR */
	struct jval *child, *next;
	size_t n; /* children */
};
/* Parses one JSON document (string escapes limited to those json_str writes, \u00XX).
 * 0, -EINVAL with a reason and offset in err, or -ENOMEM. */
int json_parse(const char *text, struct arena *a, struct jval **out, char *err, size_t errlen);
/* The member key of object obj, or NULL. */
const struct jval *json_get(const struct jval *obj, const char *key);
/* The table-features request body from {"tables": [...]} as --json dump-table-features
 * prints it (field "name/mask" = hasmask; numbers for unknown ids). 0, -EINVAL with the
 * reason in err, or -ENOMEM. */
int ofctl_table_features_from_json(const struct jval *root, struct arena *a,
				   struct ofp_table_features **out, size_t *n, char *err,
				   size_t errlen);

void ofctl_json_features(struct json *j, const struct ofp_switch_features *f);
/* k: NULL inside an array. */
void ofctl_json_port_desc(struct ofctl *c, struct json *j, const char *k,
			  const struct ofp_port_desc *p);
void ofctl_json_port_stats(struct ofctl *c, struct json *j, const struct ofp_port_stats *p);
void ofctl_json_config(struct json *j, const struct ofp_switch_config *cfg);
void ofctl_json_desc(struct json *j, const struct ofp_desc *d);
void ofctl_json_table_stats(struct json *j, const struct ofp_table_stats *t);
void ofctl_json_table_features(struct json *j, const struct ofp_table_features *t);
void ofctl_json_match(struct ofctl *c, struct json *j, const char *key, const struct ofp_match *m);
void ofctl_json_flow_stats(struct ofctl *c, struct json *j, const struct ofp_flow_stats *f);
void ofctl_json_aggregate(struct json *j, const struct ofp_aggregate_stats_reply *a);
void ofctl_json_group_desc(struct ofctl *c, struct json *j, const struct ofp_group_desc *g);
void ofctl_json_group_stats(struct json *j, const struct ofp_group_stats *g);
void ofctl_json_group_features(struct json *j, const struct ofp_group_features *g);
void ofctl_json_meter_config(struct json *j, const struct ofp_meter_config *m);
void ofctl_json_meter_stats(struct json *j, const struct ofp_meter_stats *m);
void ofctl_json_meter_features(struct json *j, const struct ofp_meter_features *m);
void ofctl_json_role(struct json *j, const struct ofp_role *r);
/* One received message (monitor, snoop): type, xid, decoded fields for PACKET_IN,
 * FLOW_REMOVED and PORT_STATUS, and the ofp-print text for every type. */
void ofctl_json_message(struct ofctl *c, struct json *j, const uint8_t *msg, size_t len);

/* ---- trace (ofctl_trace.c) ---- */

/* pfs-ofctl trace SWITCH FLOW: argv[0] SWITCH, argv[1] the packet in flow syntax
 * (in_port required) or "in_port=P packet=HEX". Prints the switch's trace. */
void ofctl_cmd_trace(struct ofctl *c, int argc, char *argv[]);

/* ---- flow tables (ofctl_flows.c) ---- */

/* One flow as diff-flows/replace-flows compare it: identity (table, priority, match)
 * and version (cookie, timeouts, flags, instructions). */
struct ofctl_flow {
	uint8_t table_id;
	uint16_t priority;
	struct ofp_match match;
	uint64_t cookie;
	uint16_t idle_timeout, hard_timeout, flags;
	struct ofp_instruction_list insts;
	unsigned line; /* source line for files, 0 for a switch */
};

struct ofctl_flow_set {
	struct arena arena;
	struct ofctl_flow *flows;
	size_t n, alloc;
};

void ofctl_flow_set_init(struct ofctl_flow_set *s);
void ofctl_flow_set_uninit(struct ofctl_flow_set *s);
/* Reads a flow file ("-" = stdin) in add-flow syntax; exits on an error naming the
 * file, line and token. */
void ofctl_flows_from_file(struct ofctl *c, const char *file, struct ofctl_flow_set *s);
/* Dumps every flow of the switch. */
void ofctl_flows_from_switch(struct ofctl *c, struct ofctl_flow_set *s);
/* Appends the diff-flows text of one flow (no newline). */
void ofctl_flow_format(struct ofctl *c, const struct ofctl_flow *f, struct buf *b);
/* diff-flows: prints differences; returns their count. */
size_t ofctl_flows_diff(struct ofctl *c, const struct ofctl_flow_set *a,
			const struct ofctl_flow_set *b);
/* replace-flows: makes the switch's flows (cur) equal to want. Returns the number of
 * flow_mods sent. */
size_t ofctl_flows_replace(struct ofctl *c, const struct ofctl_flow_set *cur,
			   const struct ofctl_flow_set *want);
/* Sorts flow stats entries by c->sorts (stable). Exits on an unknown sort field. */
void ofctl_sort_flow_stats(struct ofctl *c, struct ofp_flow_stats *items, size_t n);
/* Checks a --sort field name; false if unknown. */
bool ofctl_sort_field_valid(const char *field);

/* Sends the n messages in msgs (whole messages with consecutive xids from first_xid),
 * with a barrier after every 1000 and at the end; on an error reply exits with
 * OFCTL_EXIT_REFUSED naming what failed: "what", or "FILE:LINE" when lines (indexed by
 * xid - first_xid) is given. */
void ofctl_send_and_barrier(struct ofctl *c, const struct buf *msgs, size_t n, uint32_t first_xid,
			    const char *what, const char *file, const unsigned *lines);

/* ---- saved tables (ofctl_state.c) ---- */

/* save SWITCH FILE: the switch's ports, groups, meters and flows with their counters, in
 * the pfswitch state format (lib/state_fmt.h), written atomically. */
void ofctl_cmd_save(struct ofctl *c, int argc, char *argv[]);
/* restore SWITCH FILE: the file's groups (dependency order), meters and flows sent as
 * GROUP_MOD/METER_MOD/FLOW_MOD ADDs with a barrier after each kind; exits naming the
 * first entry the switch refuses. Records OpenFlow cannot carry are skipped. */
void ofctl_cmd_restore(struct ofctl *c, int argc, char *argv[]);

/* ---- live views (ofctl_top.c, ofctl_pipeline.c) ---- */

/* top SWITCH: the busiest flows and ports by rate, a frame every c->interval_s. */
void ofctl_top(struct ofctl *c, int argc, char *argv[]);
/* show-pipeline SWITCH [--dot|--svg]: the tables, goto_table and group edges as
 * Graphviz text or SVG. */
void ofctl_show_pipeline(struct ofctl *c, int argc, char *argv[]);

#endif /* PFS_OFCTL_H */
