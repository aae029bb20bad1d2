/* pfs-ofctl trace: what pfswitchd's datapath does with one packet (as Open vSwitch's
 * ofproto/trace). The packet is given in flow syntax, from which lib/frame.c builds a
 * frame, or as hex bytes ("in_port=1 packet=0200..."); it goes to the switch in
 * pfswitch's trace experimenter request (lib/ofp_trace.h) and the reply's steps are
 * printed as text or JSON. Other switches answer BAD_EXPERIMENTER: "trace needs
 * pfswitchd". */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "ofctl.h"
#include "ofp_action.h"
#include "ofp_trace.h"
#include "oxm.h"

/* Splits "packet=HEX" out of text (in place); returns the hex or NULL. */
static char *
take_packet(char *text)
{
	char *p = strstr(text, "packet=");

	if (!p || (p != text && !isspace((unsigned char)p[-1]) && p[-1] != ','))
		return NULL;
	*p = 0;
	return p + strlen("packet=");
}

static void
json_port(struct json *j, const char *key, uint32_t port)
{
	struct buf b = BUF_INITIALIZER;

	ofp_port_format(port, &b);
	json_str(j, key, buf_cstr(&b));
	buf_uninit(&b);
}

static void
json_trace(struct ofctl *c, const struct ofp_trace_reply *rp, const char *summary,
	   const uint8_t *pkt, size_t len, struct buf *out)
{
	struct json j;
	struct buf hex = BUF_INITIALIZER;

	for (size_t i = 0; i < len; i++)
		buf_printf(&hex, "%02x", pkt[i]);
	json_init(&j, out);
	json_obj_begin(&j, NULL);
	json_str(&j, "switch", c->target);
	json_port(&j, "in_port", rp->in_port);
	json_str(&j, "packet", summary);
	json_str(&j, "packet_hex", buf_cstr(&hex));
	json_arr_begin(&j, "steps");
	for (size_t i = 0; i < rp->n_events; i++) {
		const struct ofp_trace_event *e = &rp->events[i];

		json_obj_begin(&j, NULL);
		json_str(&j, "kind", ofp_trace_kind_name(e->kind));
		json_u64(&j, "depth", e->depth);
		switch (e->kind) {
		case OFP_TRACE_TABLE:
			json_u64(&j, "table", e->table_id);
			json_u64(&j, "priority", e->priority);
			json_hex(&j, "cookie", e->cookie);
			if (e->text)
				json_str(&j, "rule", e->text);
			else
				json_null(&j, "rule");
			json_str(&j, "instructions", e->text2 ? e->text2 : "");
			break;
		case OFP_TRACE_MISS:
			json_u64(&j, "table", e->table_id);
			break;
		case OFP_TRACE_METER:
			json_u64(&j, "meter_id", e->id);
			if (e->arg < 0)
				json_null(&j, "band");
			else
				json_i64(&j, "band", e->arg);
			json_str(&j, "result",
				 e->arg < 0 ? "pass"
				 : e->drop  ? "drop"
					    : "dscp_remark");
			break;
		case OFP_TRACE_ACTION_SET:
			json_str(&j, "actions", e->text ? e->text : "");
			break;
		case OFP_TRACE_GROUP:
			json_u64(&j, "group_id", e->id);
			json_str(&j, "type", ofp_trace_group_type_name(e->group_type));
			if (e->arg < 0)
				json_null(&j, "bucket");
			else
				json_i64(&j, "bucket", e->arg);
			break;
		case OFP_TRACE_OUTPUT:
			json_port(&j, "port", e->id);
			if (e->id == OFPP_CONTROLLER)
				json_u64(&j, "max_len", e->max_len);
			break;
		case OFP_TRACE_DROP:
			json_str(&j, "reason", e->text ? e->text : "");
			break;
		default:
			break;
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "outputs");
	for (size_t i = 0; i < rp->n_events; i++)
		if (rp->events[i].kind == OFP_TRACE_OUTPUT)
			json_port(&j, NULL, rp->events[i].id);
	json_arr_end(&j);
	json_bool(&j, "truncated", rp->truncated);
	json_obj_end(&j);
	buf_printf(out, "\n");
	buf_uninit(&hex);
}

void
ofctl_cmd_trace(struct ofctl *c, int argc, char *argv[])
{
	char *text = ofctl_names_to_numbers(c, argv[1]);
	char *hex = take_packet(text);
	struct buf req = BUF_INITIALIZER, rep = BUF_INITIALIZER, out = BUF_INITIALIZER;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_match m;
	struct ofp_message msg;
	struct ofp_trace_reply rp;
	struct ofp_err perr;
	uint8_t frame[FRAME_MAX_SYNTH];
	const uint8_t *pkt = frame;
	size_t len = 0;
	uint32_t in_port;
	char eb[256];
	int r;

	(void)argc;
	oxm_match_init(&m);
	if (oxm_parse(text, &m, eb, sizeof(eb)))
		ofctl_fatal(OFCTL_EXIT_USAGE, "trace: %s", eb);
	if (!oxm_match_has(&m, OFPXMT_OFB_IN_PORT))
		ofctl_fatal(OFCTL_EXIT_USAGE, "trace: in_port= is required");
	in_port = get_be32(oxm_match_value(&m, OFPXMT_OFB_IN_PORT));
	if (hex) {
		if (m.present != 1ull << OFPXMT_OFB_IN_PORT)
			ofctl_fatal(OFCTL_EXIT_USAGE,
				    "trace: with packet=, give in_port= and nothing else");
		ofctl_parse_hex(hex, &a, &pkt, &len);
		if (!len)
			ofctl_fatal(OFCTL_EXIT_USAGE, "trace: packet= is empty");
	} else if (frame_from_match(&m, frame, sizeof(frame), &len, eb, sizeof(eb))) {
		ofctl_fatal(OFCTL_EXIT_USAGE, "trace: %s", eb);
	}
	struct ofp_trace_request rq = { in_port, pkt, len };
	struct vconn *vc = ofctl_connect(c);

	if (ofp_trace_request_encode(&rq, vconn_next_xid(vc), &req))
		ofctl_fatal(OFCTL_EXIT_USAGE, "trace: packet of %zu bytes is too long", len);
	r = vconn_transact(vc, &req, &rep);
	if (r == -EPROTO && vc->error.type == OFPET_BAD_REQUEST &&
	    (vc->error.code == OFPBRC_BAD_EXPERIMENTER || vc->error.code == OFPBRC_BAD_TYPE ||
	     vc->error.code == OFPBRC_BAD_EXP_TYPE))
		ofctl_fatal(OFCTL_EXIT_REFUSED,
			    "%s: trace needs pfswitchd (the switch answered %s)", c->target,
			    vc->error_text);
	if (r)
		ofctl_fatal_vconn(c, r, "trace");
	if (ofp_message_decode(rep.data, rep.size, &a, &msg, &perr) ||
	    msg.h.type != OFPT_EXPERIMENTER ||
	    msg.experimenter.experimenter != PFS_EXPERIMENTER_ID ||
	    msg.experimenter.exp_type != PFS_EXP_TRACE_REPLY ||
	    ofp_trace_reply_decode(&msg.experimenter, &a, &rp, &perr))
		ofctl_fatal(OFCTL_EXIT_REFUSED, "%s: malformed trace reply", c->target);

	struct buf summary = BUF_INITIALIZER;

	frame_format(pkt, len, &summary);
	if (c->json) {
		json_trace(c, &rp, buf_cstr(&summary), pkt, len, &out);
	} else {
		buf_printf(&out, "bridge %s, in_port ", c->target);
		ofp_port_format(in_port, &out);
		buf_printf(&out, ", packet: %s\n", buf_cstr(&summary));
		size_t start = out.size;

		ofp_trace_reply_format(&rp, &out);
		if (c->names)
			ofctl_numbers_to_names(c, &out, start);
	}
	if (buf_error(&out))
		ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
	fputs(buf_cstr(&out), stdout);
	buf_uninit(&summary);
	buf_uninit(&out);
	buf_uninit(&req);
	buf_uninit(&rep);
	arena_free(&a);
	free(text);
}
