/* End-to-end tests of the OpenFlow agent (ofproto/) over its real sockets, with the
 * datapath replaced by the test double dp_fake.c. The agent runs its event loop in a
 * thread; the test talks to it as pfs-ofctl and a controller would (lib/vconn.h) and
 * checks replies, errors, asynchronous messages and what reached the datapath. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "dp_fake.h"
#include "ofp_bundle.h"
#include "ofp_message.h"
#include "ofp_trace.h"
#include "ofproto.h"
#include "util.h"
#include "vconn.h"
#include "vlog.h"

static struct {
	char dir[64];
	int ctl_listen_fd; /* a "controller" that br2 connects to */
	int ctl_port;
	struct config cfg;
	struct ofproto *ofp;
	pthread_t th;
	volatile sig_atomic_t stop;
} ag;

static struct arena A;

/* Messages that arrived while a call waited for something else (vconn's unsolicited
 * callback), kept for wait_msg(). */
struct saved {
	struct vconn *vc;
	uint8_t msg[2048];
	size_t len;
};
static struct saved saved_msgs[64];
static size_t n_saved;

static void
save_unsolicited(void *aux, const uint8_t *msg, size_t len)
{
	if (n_saved < 64) {
		saved_msgs[n_saved].vc = aux;
		memcpy(saved_msgs[n_saved].msg, msg, len < 2048 ? len : 2048);
		saved_msgs[n_saved].len = len;
		n_saved++;
	}
}

static void *
loop(void *arg)
{
	(void)arg;
	ofproto_run(ag.ofp, &ag.stop);
	return NULL;
}

static void
setup(void)
{
	n_saved = 0;
	char text[2048], err[256];

	vlog_set_level(VLOG_WARN);
	snprintf(ag.dir, sizeof(ag.dir), "/tmp/pfs-ofp-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(ag.dir));
	{
		struct stream_addr sa;

		ck_assert_int_eq(stream_addr_parse("ptcp:0:127.0.0.1", 0, &sa, err, sizeof(err)),
				 0);
		ag.ctl_listen_fd = stream_listen(&sa);
		ck_assert_int_ge(ag.ctl_listen_fd, 0);
		ag.ctl_port = stream_local_port(ag.ctl_listen_fd);
		ck_assert_int_gt(ag.ctl_port, 0);
	}
	snprintf(text, sizeof(text),
		 "[switch]\nrundir = %s\nmetrics = unix:%s/metrics.sock\n"
		 "bundle_max_messages = 100\n"
		 "[bridge br0]\ndatapath_id = 0xabc\nfail_mode = secure\nmax_flows = 5\n"
		 "inactivity_probe = 0\n"
		 "[bridge br1]\nfail_mode = standalone\ncontroller = punix:%s/ctl.sock\n"
		 "packet_in_rate = 0\nmax_total_flows = 3\nmax_groups = 2\nmax_meters = 2\n"
		 "[bridge br2]\nfail_mode = secure\ncontroller = tcp:127.0.0.1:%d\n"
		 "inactivity_probe = 1\nmax_backoff = 4\n"
		 "[port p1]\nbridge = br0\nofport = 1\ndevargs = fake1\n"
		 "[port p2]\nbridge = br0\nofport = 2\ndevargs = fake2\n"
		 "[port q1]\nbridge = br1\nofport = 1\ndevargs = fake3\n",
		 ag.dir, ag.dir, ag.dir, ag.ctl_port);
	ck_assert_msg(config_parse_string(text, "test.ini", &ag.cfg, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert_msg(ofproto_create(&ag.cfg, &ag.ofp, err, sizeof(err)) == 0, "%s", err);
	ag.stop = 0;
	ck_assert_int_eq(pthread_create(&ag.th, NULL, loop, NULL), 0);
}

static void
teardown(void)
{
	char path[128];

	ag.stop = 1;
	pthread_join(ag.th, NULL);
	ofproto_destroy(ag.ofp);
	config_free(&ag.cfg);
	close(ag.ctl_listen_fd);
	/* The agent removed its sockets; the directory must be empty now. */
	ck_assert_int_eq(rmdir(ag.dir), 0);
	snprintf(path, sizeof(path), "%s/br0.mgmt", ag.dir);
	ck_assert_int_ne(access(path, F_OK), 0);
	arena_free(&A);
}

static struct vconn *
open_sock(const char *name)
{
	char target[160], err[256];
	struct vconn *vc;

	snprintf(target, sizeof(target), "unix:%s/%s", ag.dir, name);
	ck_assert_msg(vconn_open(target, 3000, &vc, err, sizeof(err)) == 0, "%s", err);
	vc->timeout_ms = 3000;
	vc->unsolicited = save_unsolicited;
	vc->aux = vc;
	return vc;
}

static void
send_buf(struct vconn *vc, struct buf *b)
{
	ck_assert_int_eq(buf_error(b), 0);
	ck_assert_int_eq(vconn_send(vc, b->data, b->size), 0);
	buf_uninit(b);
}

/* Sends b and waits for the barrier; returns 0 or -EPROTO (error text in vc). */
static int
send_sync(struct vconn *vc, struct buf *b)
{
	send_buf(vc, b);
	return vconn_barrier(vc, NULL, NULL);
}

static void
assert_error(struct vconn *vc, int r, uint16_t type, uint16_t code)
{
	ck_assert_msg(r == -EPROTO, "no error (r=%d), want %u/%u", r, type, code);
	ck_assert_msg(vc->error.type == type && vc->error.code == code, "got %s, want %u/%u",
		      vconn_error_text(vc), type, code);
}

static int
flow(struct vconn *vc, uint8_t cmd, const char *text)
{
	struct ofp_flow_mod fm;
	struct buf b = BUF_INITIALIZER;
	char err[256];

	ck_assert_msg(ofp_flow_mod_parse(text, cmd, &A, &fm, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(ofp_flow_mod_encode(&fm, vconn_next_xid(vc), &b), 0);
	return send_sync(vc, &b);
}

/* Dumps a multipart type (request body from rq) and decodes the reassembled reply. */
static struct ofp_multipart_reply
dump(struct vconn *vc, struct ofp_multipart_request *rq)
{
	struct buf req = BUF_INITIALIZER, body = BUF_INITIALIZER;
	struct ofp_multipart_reply rep;
	struct ofp_err e;
	uint16_t type;
	int r;

	ck_assert_int_eq(ofp_multipart_request_encode(rq, vconn_next_xid(vc), &req), 0);
	r = vconn_dump(vc, &req, &type, &body);
	ck_assert_msg(r == 0, "dump type %u: %d %s", rq->type, r, vconn_error_text(vc));
	ck_assert_uint_eq(type, rq->type);
	ck_assert_int_eq(
		ofp_multipart_reply_body_decode(type, 0, body.data, body.size, &A, &rep, &e), 0);
	buf_uninit(&req);
	buf_uninit(&body);
	return rep;
}

static struct ofp_multipart_reply
dump_flows(struct vconn *vc)
{
	struct ofp_multipart_request rq = { .type = OFPMP_FLOW };

	ofp_flow_stats_request_init(&rq.flow);
	return dump(vc, &rq);
}

static size_t
n_flows(struct vconn *vc)
{
	return dump_flows(vc).flow.n;
}

static struct ofp_multipart_reply
dump_simple(struct vconn *vc, uint16_t type)
{
	struct ofp_multipart_request rq;

	memset(&rq, 0, sizeof(rq));
	rq.type = type;
	if (type == OFPMP_PORT_STATS)
		rq.port_stats.port_no = OFPP_ANY;
	if (type == OFPMP_QUEUE) {
		rq.queue.port_no = OFPP_ANY;
		rq.queue.queue_id = OFPQ_ALL;
	}
	if (type == OFPMP_GROUP)
		rq.group.group_id = OFPG_ALL;
	if (type == OFPMP_METER || type == OFPMP_METER_CONFIG)
		rq.meter.meter_id = OFPM_ALL;
	return dump(vc, &rq);
}

/* Waits for an unsolicited message of the given type; returns its length (copied into
 * out) or 0 on timeout. */
static size_t
wait_msg(struct vconn *vc, uint8_t type, uint8_t *out, size_t max, int timeout_ms)
{
	int saved = vc->timeout_ms;
	uint64_t deadline = ofproto_now_ms() + (uint64_t)timeout_ms;

	for (size_t i = 0; i < n_saved; i++) {
		if (saved_msgs[i].vc == vc && saved_msgs[i].msg[1] == type) {
			size_t len = saved_msgs[i].len;

			memcpy(out, saved_msgs[i].msg, PFS_MIN(len, max));
			saved_msgs[i] = saved_msgs[--n_saved];
			return len;
		}
	}
	vc->timeout_ms = 100;
	while (ofproto_now_ms() < deadline) {
		const uint8_t *msg;
		size_t len;
		int r = vconn_recv(vc, &msg, &len);

		if (r == -ETIMEDOUT)
			continue;
		ck_assert_int_eq(r, 0);
		if (msg[1] == type) {
			memcpy(out, msg, PFS_MIN(len, max));
			vc->timeout_ms = saved;
			return len;
		}
	}
	vc->timeout_ms = saved;
	return 0;
}

static int
role(struct vconn *vc, uint32_t r, uint64_t gen, struct ofp_role *out)
{
	struct ofp_role rq = { r, gen };
	struct buf req = BUF_INITIALIZER, rep = BUF_INITIALIZER;
	struct ofp_err e;
	int ret;

	ck_assert_int_eq(ofp_role_request_encode(&rq, vconn_next_xid(vc), &req), 0);
	ret = vconn_transact(vc, &req, &rep);
	if (!ret)
		ck_assert_int_eq(ofp_role_reply_decode(rep.data, rep.size, &A, out, &e), 0);
	buf_uninit(&req);
	buf_uninit(&rep);
	return ret;
}

static bool
wait_normal(const char *br, int want)
{
	for (int i = 0; i < 300; i++) {
		if (dp_fake_normal_mode(br) == want)
			return true;
		usleep(10000);
	}
	return false;
}

START_TEST(test_features_desc_ports_tables)
{
	struct vconn *vc = open_sock("br0.mgmt");
	struct buf req = BUF_INITIALIZER, rep = BUF_INITIALIZER;
	struct ofp_switch_features f;
	struct ofp_multipart_reply r;
	struct ofp_err e;

	ck_assert_int_eq(ofp_empty_encode(OFPT_FEATURES_REQUEST, vconn_next_xid(vc), &req), 0);
	ck_assert_int_eq(vconn_transact(vc, &req, &rep), 0);
	ck_assert_int_eq(ofp_features_reply_decode(rep.data, rep.size, &A, &f, &e), 0);
	ck_assert_uint_eq(f.datapath_id, 0xabc);
	ck_assert_uint_eq(f.n_tables, 255);
	ck_assert_uint_eq(f.n_buffers, 0);
	/* Flow, table, port and group statistics are all answered; no queues, no
	 * reassembly, no STP. */
	ck_assert_uint_eq(f.capabilities,
			  OFPC_FLOW_STATS | OFPC_TABLE_STATS | OFPC_PORT_STATS | OFPC_GROUP_STATS);
	buf_uninit(&req);
	buf_uninit(&rep);

	r = dump_simple(vc, OFPMP_DESC);
	ck_assert_str_eq(r.desc.mfr_desc, "pfswitch");
	ck_assert_str_eq(r.desc.dp_desc, "br0");
	r = dump_simple(vc, OFPMP_PORT_DESC);
	ck_assert_uint_eq(r.port_desc.n, 2);
	ck_assert_str_eq(r.port_desc.items[0].name, "p1");
	ck_assert_uint_eq(r.port_desc.items[1].port_no, 2);
	ck_assert_uint_eq(r.port_desc.items[1].hw_addr[5], 2);
	r = dump_simple(vc, OFPMP_PORT_STATS);
	ck_assert_uint_eq(r.port_stats.n, 2);
	r = dump_simple(vc, OFPMP_TABLE);
	ck_assert_uint_eq(r.table.n, 255);
	ck_assert_uint_eq(r.table.items[0].lookup_count, 100);
	ck_assert_uint_eq(r.table.items[254].table_id, 254);
	/* 255 tables of features need several messages (REPLY_MORE). */
	r = dump_simple(vc, OFPMP_TABLE_FEATURES);
	ck_assert_uint_eq(r.table_features.n, 255);
	ck_assert_uint_eq(r.table_features.items[0].max_entries, 5);
	r = dump_simple(vc, OFPMP_GROUP_DESC);
	ck_assert_uint_eq(r.group_desc.n, 0);
	r = dump_simple(vc, OFPMP_GROUP);
	ck_assert_uint_eq(r.group.n, 0);
	r = dump_simple(vc, OFPMP_GROUP_FEATURES);
	ck_assert_uint_eq(r.group_features.types, 0xf);
	r = dump_simple(vc, OFPMP_METER);
	ck_assert_uint_eq(r.meter.n, 0);
	r = dump_simple(vc, OFPMP_METER_CONFIG);
	ck_assert_uint_eq(r.meter_config.n, 0);
	r = dump_simple(vc, OFPMP_METER_FEATURES);
	ck_assert_uint_eq(r.meter_features.max_meter, 65536);
	r = dump_simple(vc, OFPMP_QUEUE);
	ck_assert_uint_eq(r.queue.n, 0);
	r = dump_simple(vc, OFPMP_AGGREGATE);
	ck_assert_uint_eq(r.aggregate.flow_count, 0);
	vconn_close(vc);
}
END_TEST

START_TEST(test_config_and_refusals)
{
	struct vconn *vc = open_sock("br0.mgmt");
	struct buf req = BUF_INITIALIZER, rep = BUF_INITIALIZER;
	struct ofp_switch_config sc = { OFPC_FRAG_DROP, 256 };
	struct ofp_queue_get_config_request q = { 9 };
	struct ofp_multipart_request rq;
	struct ofp_group_mod gm;
	struct ofp_meter_mod mm;
	struct ofp_err e;
	char err[256];
	uint8_t raw[16];

	ck_assert_int_eq(ofp_set_config_encode(&sc, vconn_next_xid(vc), &req), 0);
	assert_error(vc, send_sync(vc, &req), OFPET_SWITCH_CONFIG_FAILED, OFPSCFC_BAD_FLAGS);
	sc.flags = OFPC_FRAG_NORMAL;
	ck_assert_int_eq(ofp_set_config_encode(&sc, vconn_next_xid(vc), &req), 0);
	ck_assert_int_eq(send_sync(vc, &req), 0);
	ck_assert_int_eq(ofp_empty_encode(OFPT_GET_CONFIG_REQUEST, vconn_next_xid(vc), &req), 0);
	ck_assert_int_eq(vconn_transact(vc, &req, &rep), 0);
	ck_assert_int_eq(ofp_get_config_reply_decode(rep.data, rep.size, &A, &sc, &e), 0);
	ck_assert_uint_eq(sc.miss_send_len, 256);
	buf_uninit(&req);

	ck_assert_int_eq(ofp_queue_get_config_request_encode(&q, vconn_next_xid(vc), &req), 0);
	assert_error(vc, vconn_transact(vc, &req, &rep), OFPET_QUEUE_OP_FAILED, OFPQOFC_BAD_PORT);
	buf_uninit(&req);
	q.port = 1;
	ck_assert_int_eq(ofp_queue_get_config_request_encode(&q, vconn_next_xid(vc), &req), 0);
	ck_assert_int_eq(vconn_transact(vc, &req, &rep), 0);
	ck_assert_uint_eq(rep.data[1], OFPT_QUEUE_GET_CONFIG_REPLY);
	buf_uninit(&req);
	buf_uninit(&rep);

	ck_assert_int_eq(ofp_group_mod_parse("group_id=1,type=all,bucket=output:1", OFPGC_ADD, &A,
					     &gm, err, sizeof(err)),
			 0);
	/* The first ADD is taken, the same again is GROUP_EXISTS. */
	ck_assert_int_eq(ofp_group_mod_encode(&gm, vconn_next_xid(vc), &req), 0);
	ck_assert_int_eq(send_sync(vc, &req), 0);
	ck_assert_int_eq(ofp_group_mod_encode(&gm, vconn_next_xid(vc), &req), 0);
	assert_error(vc, send_sync(vc, &req), OFPET_GROUP_MOD_FAILED, OFPGMFC_GROUP_EXISTS);
	ck_assert_int_eq(ofp_meter_mod_parse("meter=1,kbps,bands=type=drop,rate=100", OFPMC_ADD, &A,
					     &mm, err, sizeof(err)),
			 0);
	ck_assert_int_eq(ofp_meter_mod_encode(&mm, vconn_next_xid(vc), &req), 0);
	ck_assert_int_eq(send_sync(vc, &req), 0);
	ck_assert_int_eq(ofp_meter_mod_encode(&mm, vconn_next_xid(vc), &req), 0);
	assert_error(vc, send_sync(vc, &req), OFPET_METER_MOD_FAILED, OFPMMFC_METER_EXISTS);

	/* Table features for a table that does not exist (test_table_features_set has the
	 * rest). */
	memset(&rq, 0, sizeof(rq));
	rq.type = OFPMP_TABLE_FEATURES;
	rq.table_features.n = 1;
	rq.table_features.items = arena_calloc(&A, 1, sizeof(struct ofp_table_features));
	rq.table_features.items[0].table_id = 255;
	ck_assert_int_eq(ofp_multipart_request_encode(&rq, vconn_next_xid(vc), &req), 0);
	assert_error(vc, send_sync(vc, &req), OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_TABLE);

	/* Malformed and unknown messages get their error; the connection lives on. */
	memset(raw, 0, sizeof(raw));
	raw[0] = OFP13_VERSION;
	raw[1] = OFPT_FLOW_MOD;
	raw[3] = 16;
	buf_put(&req, raw, 16);
	assert_error(vc, send_sync(vc, &req), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	raw[1] = 200;
	raw[3] = 8;
	buf_put(&req, raw, 8);
	assert_error(vc, send_sync(vc, &req), OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
	raw[1] = OFPT_ECHO_REQUEST;
	raw[0] = 0x01;
	buf_put(&req, raw, 8);
	assert_error(vc, send_sync(vc, &req), OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION);
	raw[1] = OFPT_PACKET_IN;
	raw[0] = OFP13_VERSION;
	raw[3] = 16;
	buf_put(&req, raw, 16);
	ck_assert_int_eq(send_sync(vc, &req) < 0, 1);
	raw[1] = OFPT_EXPERIMENTER;
	buf_put(&req, raw, 16);
	assert_error(vc, send_sync(vc, &req), OFPET_BAD_REQUEST, OFPBRC_BAD_EXPERIMENTER);
	ck_assert_uint_eq(n_flows(vc), 0);
	vconn_close(vc);
}
END_TEST

/* Sends a GROUP_MOD from ovs-ofctl text; mutate (if not NULL) edits the encoded message
 * first. Returns send_sync()'s result. */
static int
group_send(struct vconn *vc, uint16_t cmd, const char *text, void (*mutate)(struct buf *))
{
	struct ofp_group_mod gm;
	struct buf b = BUF_INITIALIZER;
	char err[256];

	ck_assert_msg(ofp_group_mod_parse(text, cmd, &A, &gm, err, sizeof(err)) == 0, "%s: %s",
		      text, err);
	ck_assert_int_eq(ofp_group_mod_encode(&gm, vconn_next_xid(vc), &b), 0);
	if (mutate)
		mutate(&b);
	return send_sync(vc, &b);
}

static void
set_group_id_above_max(struct buf *b)
{
	put_be32((uint8_t *)b->data + 12, OFPG_MAX + 1);
}

static void
set_weight_of_first_bucket(struct buf *b)
{
	put_be16((uint8_t *)b->data + 16 + 2, 5);
}

static void
clear_first_watch(struct buf *b)
{
	put_be32((uint8_t *)b->data + 16 + 4, OFPP_ANY);
	put_be32((uint8_t *)b->data + 16 + 8, OFPG_ANY);
}

/* GROUP_MOD errors with their exact type/code, from the wire through the agent. */
START_TEST(test_group_mod_checks)
{
	struct vconn *vc = open_sock("br0.mgmt");
	const uint16_t F = OFPET_GROUP_MOD_FAILED;

	/* Chaining: 2 -> 1; a cycle through a modify or to itself is a LOOP. */
	ck_assert_int_eq(group_send(vc, OFPGC_ADD, "group_id=1,type=all,bucket=output:1", NULL), 0);
	ck_assert_int_eq(group_send(vc, OFPGC_ADD, "group_id=2,type=all,bucket=group:1", NULL), 0);
	assert_error(vc, group_send(vc, OFPGC_MODIFY, "group_id=1,type=all,bucket=group:2", NULL),
		     F, OFPGMFC_LOOP);
	assert_error(vc, group_send(vc, OFPGC_ADD, "group_id=3,type=indirect,bucket=group:3", NULL),
		     F, OFPGMFC_LOOP);
	assert_error(vc, group_send(vc, OFPGC_ADD, "group_id=3,type=all,bucket=group:9", NULL),
		     OFPET_BAD_ACTION, OFPBAC_BAD_OUT_GROUP);
	/* Group 1 cannot go while group 2 sends to it; after group 2, it can. */
	assert_error(vc, group_send(vc, OFPGC_DELETE, "group_id=1", NULL), F,
		     OFPGMFC_CHAINED_GROUP);
	ck_assert_int_eq(group_send(vc, OFPGC_DELETE, "group_id=2", NULL), 0);
	ck_assert_int_eq(group_send(vc, OFPGC_DELETE, "group_id=1", NULL), 0);
	/* OFPG_ALL takes chained groups too. */
	ck_assert_int_eq(group_send(vc, OFPGC_ADD, "group_id=1,type=all,bucket=output:1", NULL), 0);
	ck_assert_int_eq(group_send(vc, OFPGC_ADD, "group_id=2,type=all,bucket=group:1", NULL), 0);
	ck_assert_int_eq(group_send(vc, OFPGC_DELETE, "group_id=all", NULL), 0);
	assert_error(vc, group_send(vc, OFPGC_ADD, "group_id=2,type=all,bucket=group:1", NULL),
		     OFPET_BAD_ACTION, OFPBAC_BAD_OUT_GROUP);

	/* Watches: fast failover only, real ports only (present or not), groups. */
	assert_error(
		vc,
		group_send(vc, OFPGC_ADD, "group_id=4,type=all,bucket=watch_port:1,output:1", NULL),
		F, OFPGMFC_WATCH_UNSUPPORTED);
	assert_error(vc,
		     group_send(vc, OFPGC_ADD,
				"group_id=4,type=select,bucket=watch_port:1,output:1", NULL),
		     F, OFPGMFC_WATCH_UNSUPPORTED);
	assert_error(vc,
		     group_send(vc, OFPGC_ADD,
				"group_id=4,type=indirect,bucket=watch_group:1,output:1", NULL),
		     F, OFPGMFC_WATCH_UNSUPPORTED);
	assert_error(vc,
		     group_send(vc, OFPGC_ADD,
				"group_id=4,type=ff,bucket=watch_port:CONTROLLER,output:1", NULL),
		     F, OFPGMFC_WATCH_UNSUPPORTED);
	ck_assert_int_eq(
		group_send(vc, OFPGC_ADD,
			   "group_id=4,type=ff,bucket=watch_port:1,output:1,"
			   "bucket=watch_port:77,output:2,bucket=watch_port:LOCAL,output:LOCAL",
			   NULL),
		0);
	/* A fast-failover bucket that watches nothing. */
	assert_error(vc,
		     group_send(vc, OFPGC_ADD, "group_id=5,type=ff,bucket=watch_port:1,output:1",
				clear_first_watch),
		     F, OFPGMFC_BAD_WATCH);
	/* Ids above OFPG_MAX. */
	assert_error(vc,
		     group_send(vc, OFPGC_ADD, "group_id=5,type=all,bucket=output:1",
				set_group_id_above_max),
		     F, OFPGMFC_INVALID_GROUP);
	/* A weight in a bucket of a group other than select. */
	assert_error(vc,
		     group_send(vc, OFPGC_ADD, "group_id=5,type=all,bucket=output:1",
				set_weight_of_first_bucket),
		     F, OFPGMFC_BAD_BUCKET);
	vconn_close(vc);
}
END_TEST

static int
meter_send(struct vconn *vc, uint16_t cmd, const char *text)
{
	struct ofp_meter_mod mm;
	struct buf b = BUF_INITIALIZER;
	char err[256];

	ck_assert_msg(ofp_meter_mod_parse(text, cmd, &A, &mm, err, sizeof(err)) == 0, "%s: %s",
		      text, err);
	ck_assert_int_eq(ofp_meter_mod_encode(&mm, vconn_next_xid(vc), &b), 0);
	return send_sync(vc, &b);
}

/* br1's quotas: 3 flows over all tables, 2 groups, 2 meters. An add beyond one gets the
 * spec's error, a modify or replacement of what exists does not count, the features
 * replies advertise the quotas, and br0 does not notice. */
START_TEST(test_bridge_quotas)
{
	struct vconn *vc = open_sock("br1.mgmt");
	struct vconn *v0 = open_sock("br0.mgmt");
	struct ofp_multipart_reply r;

	r = dump_simple(vc, OFPMP_TABLE_FEATURES);
	ck_assert_uint_eq(r.table_features.items[0].max_entries, 3);
	r = dump_simple(vc, OFPMP_GROUP_FEATURES);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(r.group_features.max_groups[i], 2);
	r = dump_simple(vc, OFPMP_METER_FEATURES);
	ck_assert_uint_eq(r.meter_features.max_meter, 2);

	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=1,actions=drop"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "table=1,priority=1,actions=drop"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "table=2,priority=1,actions=drop"), 0);
	assert_error(vc, flow(vc, OFPFC_ADD, "table=3,priority=1,actions=drop"),
		     OFPET_FLOW_MOD_FAILED, OFPFMFC_TABLE_FULL);
	assert_error(vc, flow(vc, OFPFC_ADD, "priority=2,actions=drop"), OFPET_FLOW_MOD_FAILED,
		     OFPFMFC_TABLE_FULL);
	/* A replacement and a modify are not adds. */
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=1,actions=output:1"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_MODIFY, "table=1,actions=output:1"), 0);
	ck_assert_uint_eq(dp_fake_n_flows("br1"), 3);
	/* Another bridge is not charged. */
	ck_assert_int_eq(flow(v0, OFPFC_ADD, "priority=1,actions=drop"), 0);
	ck_assert_int_eq(flow(v0, OFPFC_ADD, "priority=2,actions=drop"), 0);
	/* Room again after a delete. */
	ck_assert_int_eq(flow(vc, OFPFC_DELETE, "table=2"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "table=3,priority=1,actions=drop"), 0);

	ck_assert_int_eq(group_send(vc, OFPGC_ADD, "group_id=1,type=all,bucket=output:1", NULL), 0);
	ck_assert_int_eq(group_send(vc, OFPGC_ADD, "group_id=2,type=all,bucket=output:1", NULL), 0);
	assert_error(vc, group_send(vc, OFPGC_ADD, "group_id=3,type=all,bucket=output:1", NULL),
		     OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_GROUPS);
	ck_assert_int_eq(group_send(vc, OFPGC_MODIFY, "group_id=2,type=all,bucket=output:2", NULL),
			 0);
	ck_assert_int_eq(group_send(v0, OFPGC_ADD, "group_id=3,type=all,bucket=output:1", NULL), 0);
	ck_assert_int_eq(group_send(vc, OFPGC_DELETE, "group_id=2", NULL), 0);
	ck_assert_int_eq(group_send(vc, OFPGC_ADD, "group_id=3,type=all,bucket=output:1", NULL), 0);

	ck_assert_int_eq(meter_send(vc, OFPMC_ADD, "meter=1,kbps,bands=type=drop,rate=100"), 0);
	ck_assert_int_eq(meter_send(vc, OFPMC_ADD, "meter=2,kbps,bands=type=drop,rate=100"), 0);
	assert_error(vc, meter_send(vc, OFPMC_ADD, "meter=3,kbps,bands=type=drop,rate=100"),
		     OFPET_METER_MOD_FAILED, OFPMMFC_OUT_OF_METERS);
	ck_assert_int_eq(meter_send(vc, OFPMC_MODIFY, "meter=2,kbps,bands=type=drop,rate=200"), 0);
	ck_assert_int_eq(meter_send(v0, OFPMC_ADD, "meter=3,kbps,bands=type=drop,rate=100"), 0);
	ck_assert_int_eq(meter_send(vc, OFPMC_DELETE, "meter=1"), 0);
	ck_assert_int_eq(meter_send(vc, OFPMC_ADD, "meter=3,kbps,bands=type=drop,rate=100"), 0);
	vconn_close(v0);
	vconn_close(vc);
}
END_TEST

/* text of an ALL group: n buckets each doing action */
static const char *
all_group(uint32_t id, unsigned n, const char *action)
{
	static char text[4096];
	int k = snprintf(text, sizeof(text), "group_id=%u,type=all", id);

	for (unsigned i = 0; i < n; i++)
		k += snprintf(text + k, sizeof(text) - (size_t)k, ",bucket=%s", action);
	return text;
}

/* The group graph (issue #12): cycles through actions and watches, watches of missing
 * groups, chains deeper than the datapath runs, fan-out over the per-packet budget, also
 * when a MODIFY changes other groups' values. */
START_TEST(test_group_graph)
{
	struct vconn *vc = open_sock("br0.mgmt");
	const uint16_t F = OFPET_GROUP_MOD_FAILED;
	char text[128];

	/* Self-watch, watch of a missing group, watch cycle made by a MODIFY. */
	assert_error(vc,
		     group_send(vc, OFPGC_ADD, "group_id=10,type=ff,bucket=watch_group:10,output:1",
				NULL),
		     F, OFPGMFC_LOOP);
	assert_error(vc,
		     group_send(vc, OFPGC_ADD, "group_id=10,type=ff,bucket=watch_group:99,output:1",
				NULL),
		     F, OFPGMFC_BAD_WATCH);
	ck_assert_int_eq(
		group_send(vc, OFPGC_ADD, "group_id=11,type=ff,bucket=watch_port:1,output:1", NULL),
		0);
	ck_assert_int_eq(group_send(vc, OFPGC_ADD,
				    "group_id=12,type=ff,bucket=watch_group:11,output:1", NULL),
			 0);
	assert_error(vc,
		     group_send(vc, OFPGC_MODIFY,
				"group_id=11,type=ff,bucket=watch_group:12,output:1", NULL),
		     F, OFPGMFC_LOOP);
	/* A watched group cannot go while watched. */
	assert_error(vc, group_send(vc, OFPGC_DELETE, "group_id=11", NULL), F,
		     OFPGMFC_CHAINED_GROUP);
	/* A 71-hop cycle (watches) and an action cycle through a watch. */
	ck_assert_int_eq(group_send(vc, OFPGC_ADD,
				    "group_id=100,type=ff,bucket=watch_port:1,output:1", NULL),
			 0);
	for (unsigned id = 101; id <= 170; id++) {
		snprintf(text, sizeof(text), "group_id=%u,type=ff,bucket=watch_group:%u,output:1",
			 id, id - 1);
		ck_assert_int_eq(group_send(vc, OFPGC_ADD, text, NULL), 0);
	}
	assert_error(vc,
		     group_send(vc, OFPGC_MODIFY,
				"group_id=100,type=ff,bucket=watch_group:170,output:1", NULL),
		     F, OFPGMFC_LOOP);
	assert_error(vc,
		     group_send(vc, OFPGC_MODIFY,
				"group_id=100,type=ff,bucket=watch_port:1,group:170", NULL),
		     F, OFPGMFC_LOOP);

	/* Depth: 8 indirect groups chain, the 9th does not. */
	ck_assert_int_eq(
		group_send(vc, OFPGC_ADD, "group_id=200,type=indirect,bucket=output:1", NULL), 0);
	for (unsigned id = 201; id <= 208; id++) {
		snprintf(text, sizeof(text), "group_id=%u,type=indirect,bucket=group:%u", id,
			 id - 1);
		if (id < 208)
			ck_assert_int_eq(group_send(vc, OFPGC_ADD, text, NULL), 0);
		else
			assert_error(vc, group_send(vc, OFPGC_ADD, text, NULL), F,
				     OFPGMFC_CHAINING_UNSUPPORTED);
	}
	/* A MODIFY of the chain's end that makes the chain too deep. */
	ck_assert_int_eq(
		group_send(vc, OFPGC_ADD, "group_id=210,type=indirect,bucket=output:1", NULL), 0);
	assert_error(
		vc,
		group_send(vc, OFPGC_MODIFY, "group_id=200,type=indirect,bucket=group:210", NULL),
		F, OFPGMFC_CHAINING_UNSUPPORTED);

	/* Fan-out: 64 copies fit, 4 x (1 + 64) do not, 3 x (1 + 64) do. */
	ck_assert_int_eq(group_send(vc, OFPGC_ADD, all_group(300, 64, "output:1"), NULL), 0);
	assert_error(vc, group_send(vc, OFPGC_ADD, all_group(301, 4, "group:300"), NULL), F,
		     OFPGMFC_OUT_OF_BUCKETS);
	ck_assert_int_eq(group_send(vc, OFPGC_ADD, all_group(302, 3, "group:300"), NULL), 0);
	/* A MODIFY deep in a chain that pushes a user over: 312 = 25 x (1 + 2 x (1 + n)). */
	ck_assert_int_eq(group_send(vc, OFPGC_ADD, all_group(310, 2, "output:1"), NULL), 0);
	ck_assert_int_eq(group_send(vc, OFPGC_ADD, all_group(311, 2, "group:310"), NULL), 0);
	ck_assert_int_eq(group_send(vc, OFPGC_ADD, all_group(312, 25, "group:311"), NULL), 0);
	assert_error(vc, group_send(vc, OFPGC_MODIFY, all_group(310, 4, "output:1"), NULL), F,
		     OFPGMFC_OUT_OF_BUCKETS);
	ck_assert_int_eq(group_send(vc, OFPGC_MODIFY, all_group(310, 3, "output:1"), NULL), 0);
	assert_error(vc, group_send(vc, OFPGC_MODIFY, all_group(310, 4, "output:1"), NULL), F,
		     OFPGMFC_OUT_OF_BUCKETS);
	/* Select and fast failover run one bucket: their cost is their dearest bucket's. */
	ck_assert_int_eq(group_send(vc, OFPGC_ADD,
				    "group_id=320,type=select,bucket=group:302,bucket=group:302",
				    NULL),
			 0);
	/* Delete-all takes chained and watched groups alike. */
	ck_assert_int_eq(group_send(vc, OFPGC_DELETE, "group_id=all", NULL), 0);
	ck_assert_int_eq(
		group_send(vc, OFPGC_ADD, "group_id=11,type=ff,bucket=watch_port:1,output:1", NULL),
		0);
	vconn_close(vc);
}
END_TEST

static struct ofp_multipart_reply
group_stats(struct vconn *vc, uint32_t id)
{
	struct ofp_multipart_request rq;

	memset(&rq, 0, sizeof(rq));
	rq.type = OFPMP_GROUP;
	rq.group.group_id = id;
	return dump(vc, &rq);
}

static struct ofp_multipart_reply
meter_stats(struct vconn *vc, uint32_t id)
{
	struct ofp_multipart_request rq;

	memset(&rq, 0, sizeof(rq));
	rq.type = OFPMP_METER;
	rq.meter.meter_id = id;
	return dump(vc, &rq);
}

static void
meter_send_ok(struct vconn *vc, uint16_t cmd, const char *text)
{
	ck_assert_int_eq(meter_send(vc, cmd, text), 0);
}

static uint32_t
group_refs(struct vconn *vc, uint32_t id)
{
	struct ofp_multipart_reply r = group_stats(vc, id);

	ck_assert_uint_eq(r.group.n, 1);
	ck_assert_uint_eq(r.group.items[0].group_id, id);
	return r.group.items[0].ref_count;
}

static uint32_t
meter_flows(struct vconn *vc, uint32_t id)
{
	struct ofp_multipart_reply r = meter_stats(vc, id);

	ck_assert_uint_eq(r.meter.n, 1);
	ck_assert_uint_eq(r.meter.items[0].meter_id, id);
	return r.meter.items[0].flow_count;
}

/* Group ref_count and meter flow_count follow flows as they are added, replaced,
 * modified and deleted, and as groups/meters are deleted with their flows. */
START_TEST(test_group_meter_ref_counts)
{
	struct vconn *vc = open_sock("br0.mgmt");

	ck_assert_int_eq(group_send(vc, OFPGC_ADD, "group_id=1,type=all,bucket=output:1", NULL), 0);
	ck_assert_int_eq(group_send(vc, OFPGC_ADD, "group_id=2,type=all,bucket=output:2", NULL), 0);
	meter_send_ok(vc, OFPMC_ADD, "meter=1,kbps,bands=type=drop,rate=100");
	meter_send_ok(vc, OFPMC_ADD, "meter=2,kbps,bands=type=drop,rate=100");
	ck_assert_uint_eq(group_refs(vc, 1), 0);
	/* One flow naming group 1 twice counts once. */
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=1,in_port=1,actions=group:1,group:1"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=2,in_port=1,actions=meter:1,group:1"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=3,in_port=1,actions=meter:1,group:2"), 0);
	ck_assert_uint_eq(group_refs(vc, 1), 2);
	ck_assert_uint_eq(group_refs(vc, 2), 1);
	ck_assert_uint_eq(meter_flows(vc, 1), 2);
	ck_assert_uint_eq(meter_flows(vc, 2), 0);
	ck_assert_uint_eq(group_stats(vc, 77).group.n, 0);
	ck_assert_uint_eq(group_stats(vc, OFPG_ALL).group.n, 2);
	/* Replaced by an ADD with other actions. */
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=2,in_port=1,actions=meter:2,group:2"), 0);
	ck_assert_uint_eq(group_refs(vc, 1), 1);
	ck_assert_uint_eq(group_refs(vc, 2), 2);
	ck_assert_uint_eq(meter_flows(vc, 1), 1);
	ck_assert_uint_eq(meter_flows(vc, 2), 1);
	/* MODIFY moves every selected flow. */
	ck_assert_int_eq(flow(vc, OFPFC_MODIFY, "in_port=1,actions=meter:2,group:1"), 0);
	ck_assert_uint_eq(group_refs(vc, 1), 3);
	ck_assert_uint_eq(group_refs(vc, 2), 0);
	ck_assert_uint_eq(meter_flows(vc, 1), 0);
	ck_assert_uint_eq(meter_flows(vc, 2), 3);
	/* A group MODIFY keeps the count. */
	ck_assert_int_eq(group_send(vc, OFPGC_MODIFY, "group_id=1,type=all,bucket=output:2", NULL),
			 0);
	ck_assert_uint_eq(group_refs(vc, 1), 3);
	/* Deletes: a flow, then a meter with its flows. */
	ck_assert_int_eq(flow(vc, OFPFC_DELETE_STRICT, "priority=1,in_port=1"), 0);
	ck_assert_uint_eq(group_refs(vc, 1), 2);
	meter_send_ok(vc, OFPMC_DELETE, "meter=2");
	ck_assert_uint_eq(n_flows(vc), 0);
	ck_assert_uint_eq(group_refs(vc, 1), 0);
	/* Delete-all of groups and meters removes the flows using any of them, only those. */
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=1,in_port=1,actions=group:2"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=2,in_port=1,actions=meter:1,output:1"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=3,in_port=1,actions=output:1"), 0);
	ck_assert_int_eq(group_send(vc, OFPGC_DELETE, "group_id=all", NULL), 0);
	ck_assert_uint_eq(n_flows(vc), 2);
	meter_send_ok(vc, OFPMC_DELETE, "meter=all");
	ck_assert_uint_eq(n_flows(vc), 1);
	ck_assert_uint_eq(meter_stats(vc, OFPM_ALL).meter.n, 0);
	vconn_close(vc);
}
END_TEST

START_TEST(test_flow_mods)
{
	struct vconn *vc = open_sock("br0.mgmt");
	struct ofp_multipart_reply r;
	unsigned syncs;
	struct buf t = BUF_INITIALIZER;

	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=10,in_port=1,actions=output:2"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=20,in_port=1,tcp,actions=output:2"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "table=1,priority=5,ip,actions=output:1"), 0);
	ck_assert_uint_eq(n_flows(vc), 3);
	ck_assert_uint_eq(dp_fake_n_flows("br0"), 3);
	ck_assert_uint_eq(dp_fake_n_flows("br1"), 0);
	/* A barrier waits for the datapath (dp_sync) only if something changed. */
	syncs = dp_fake_n_syncs();
	ck_assert_int_eq(vconn_barrier(vc, NULL, NULL), 0);
	ck_assert_uint_eq(dp_fake_n_syncs(), syncs);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "table=2,priority=5,ip,actions=output:1"), 0);
	ck_assert_uint_eq(dp_fake_n_syncs(), syncs + 1);
	ck_assert_int_eq(flow(vc, OFPFC_DELETE_STRICT, "table=2,priority=5,ip"), 0);

	/* Loose modify changes both in_port=1 rules of table 0. */
	ck_assert_int_eq(flow(vc, OFPFC_MODIFY, "in_port=1,actions=output:1"), 0);
	r = dump_flows(vc);
	ck_assert_uint_eq(r.flow.n, 3);
	for (size_t i = 0; i < r.flow.n; i++) {
		buf_clear(&t);
		ofp_instructions_format(&r.flow.items[i].insts, &t);
		ck_assert_str_eq(buf_cstr(&t), "output:1");
	}
	/* Modify-strict that selects nothing neither fails nor adds (OpenFlow 1.3). */
	ck_assert_int_eq(flow(vc, OFPFC_MODIFY_STRICT, "priority=11,in_port=1,actions=drop"), 0);
	ck_assert_uint_eq(n_flows(vc), 3);
	/* Delete-strict removes exactly one. */
	ck_assert_int_eq(flow(vc, OFPFC_DELETE_STRICT, "priority=10,in_port=1"), 0);
	ck_assert_uint_eq(n_flows(vc), 2);
	ck_assert_uint_eq(dp_fake_n_flows("br0"), 2);
	/* Delete with an out_port filter. */
	ck_assert_int_eq(flow(vc, OFPFC_DELETE, "table=255,out_port=2"), 0);
	ck_assert_uint_eq(n_flows(vc), 2);
	ck_assert_int_eq(flow(vc, OFPFC_DELETE, "table=255,out_port=1"), 0);
	ck_assert_uint_eq(n_flows(vc), 0);
	ck_assert_uint_eq(dp_fake_n_flows("br0"), 0);

	/* Refusals, each with its own error; nothing reaches the datapath. */
	assert_error(vc, flow(vc, OFPFC_ADD, "table=3,actions=goto_table:2"), OFPET_BAD_INSTRUCTION,
		     OFPBIC_BAD_TABLE_ID);
	assert_error(vc, flow(vc, OFPFC_ADD, "table=3,actions=goto_table:3"), OFPET_BAD_INSTRUCTION,
		     OFPBIC_BAD_TABLE_ID);
	assert_error(vc, flow(vc, OFPFC_ADD, "actions=meter:1,output:1"), OFPET_METER_MOD_FAILED,
		     OFPMMFC_UNKNOWN_METER);
	assert_error(vc, flow(vc, OFPFC_ADD, "actions=group:1"), OFPET_BAD_ACTION,
		     OFPBAC_BAD_OUT_GROUP);
	assert_error(vc, flow(vc, OFPFC_ADD, "actions=push_pbb:0x88e7"), OFPET_BAD_ACTION,
		     OFPBAC_BAD_TYPE);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=5,ip,nw_src=10.0.0.0/8,actions=drop"), 0);
	assert_error(vc,
		     flow(vc, OFPFC_ADD, "priority=5,ip,nw_dst=1.2.3.4,check_overlap,actions=drop"),
		     OFPET_FLOW_MOD_FAILED, OFPFMFC_OVERLAP);
	ck_assert_int_eq(
		flow(vc, OFPFC_ADD, "priority=6,ip,nw_dst=1.2.3.4,check_overlap,actions=drop"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=1,actions=drop"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=2,actions=drop"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=3,actions=drop"), 0);
	/* max_flows = 5 per table: the 6th is refused, a replacement is not. */
	assert_error(vc, flow(vc, OFPFC_ADD, "priority=4,actions=drop"), OFPET_FLOW_MOD_FAILED,
		     OFPFMFC_TABLE_FULL);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=3,actions=output:1"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "table=1,priority=4,actions=drop"), 0);
	ck_assert_uint_eq(n_flows(vc), 6);
	ck_assert_uint_eq(dp_fake_n_flows("br0"), 6);
	ck_assert_int_eq(flow(vc, OFPFC_DELETE, "table=255"), 0);
	ck_assert_uint_eq(dp_fake_n_flows("br0"), 0);
	buf_uninit(&t);
	vconn_close(vc);
}
END_TEST

/* ---- Bundles (ONF ext 230) -------------------------------------------------------------- */

/* Sends a BUNDLE_CONTROL and waits for its answer: 0 with the reply checked (same id,
 * the request's type + 1), or -EPROTO with vc->error. */
static int
bundle_ctl(struct vconn *vc, uint32_t id, uint16_t type, uint16_t flags)
{
	struct ofp_bundle_ctrl bc = { .bundle_id = id, .type = type, .flags = flags }, out;
	struct buf req = BUF_INITIALIZER, rep = BUF_INITIALIZER;
	struct ofp_message m;
	struct ofp_err e;
	int r;

	ck_assert_int_eq(ofp_bundle_ctrl_encode(&bc, vconn_next_xid(vc), &req), 0);
	r = vconn_transact(vc, &req, &rep);
	if (!r) {
		ck_assert_int_eq(ofp_message_decode(rep.data, rep.size, &A, &m, &e), 0);
		ck_assert_uint_eq(m.h.type, OFPT_EXPERIMENTER);
		ck_assert(ofp_bundle_is_bundle(&m.experimenter));
		ck_assert_int_eq(ofp_bundle_ctrl_decode(&m.experimenter, &out, &e), 0);
		ck_assert_uint_eq(out.bundle_id, id);
		ck_assert_uint_eq(out.type, type + 1);
		ck_assert_uint_eq(out.flags, flags);
	}
	buf_uninit(&req);
	buf_uninit(&rep);
	return r;
}

/* Adds an encoded message (inner, freed) to bundle id; returns send_sync()'s result. */
static int
bundle_add(struct vconn *vc, uint32_t id, uint16_t flags, struct buf *inner)
{
	struct ofp_bundle_add ba = { .bundle_id = id, .flags = flags };
	struct buf b = BUF_INITIALIZER;

	ba.msg = inner->data;
	ba.msg_len = inner->size;
	ck_assert_int_eq(ofp_bundle_add_encode(&ba, &b), 0);
	buf_uninit(inner);
	return send_sync(vc, &b);
}

/* The FLOW_MOD of ovs-ofctl text, encoded with xid (0: a fresh one). */
static struct buf
fm_buf(struct vconn *vc, uint8_t cmd, const char *text, uint32_t xid)
{
	struct ofp_flow_mod fm;
	struct buf b = BUF_INITIALIZER;
	char err[256];

	ck_assert_msg(ofp_flow_mod_parse(text, cmd, &A, &fm, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(ofp_flow_mod_encode(&fm, xid ? xid : vconn_next_xid(vc), &b), 0);
	return b;
}

static int
bundle_flow(struct vconn *vc, uint32_t id, uint16_t flags, uint8_t cmd, const char *text)
{
	struct buf b = fm_buf(vc, cmd, text, 0);

	return bundle_add(vc, id, flags, &b);
}

static int
bundle_group(struct vconn *vc, uint32_t id, uint16_t flags, uint16_t cmd, const char *text)
{
	struct ofp_group_mod gm;
	struct buf b = BUF_INITIALIZER;
	char err[256];

	ck_assert_msg(ofp_group_mod_parse(text, cmd, &A, &gm, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(ofp_group_mod_encode(&gm, vconn_next_xid(vc), &b), 0);
	return bundle_add(vc, id, flags, &b);
}

static void
assert_bundle_error(struct vconn *vc, int r, uint16_t code)
{
	assert_error(vc, r, OFPET_EXPERIMENTER, ONF_BUNDLE_ERR_BASE + code);
}

/* The flows of br0 as text, one per line, in the dump's order. */
static void
flows_text(struct vconn *vc, struct buf *out)
{
	struct ofp_multipart_reply r = dump_flows(vc);

	buf_clear(out);
	for (size_t i = 0; i < r.flow.n; i++) {
		buf_printf(out, "t%u p%u ", r.flow.items[i].table_id, r.flow.items[i].priority);
		oxm_format(&r.flow.items[i].match, out);
		buf_printf(out, " ");
		ofp_instructions_format(&r.flow.items[i].insts, out);
		buf_printf(out, "\n");
	}
}

START_TEST(test_bundle_commit_and_errors)
{
	struct vconn *vc = open_sock("br0.mgmt");
	const uint16_t AO = OFPBF_ATOMIC | OFPBF_ORDERED;
	struct buf before = BUF_INITIALIZER, after = BUF_INITIALIZER, b;
	uint8_t msg[2048];
	unsigned commits;
	size_t n;

	/* Open, add three flow mods, nothing applies before the commit. */
	ck_assert_int_eq(bundle_ctl(vc, 1, OFPBCT_OPEN_REQUEST, AO), 0);
	ck_assert_int_eq(
		bundle_flow(vc, 1, AO, OFPFC_ADD, "priority=10,in_port=1,actions=output:2"), 0);
	ck_assert_int_eq(
		bundle_flow(vc, 1, AO, OFPFC_ADD, "priority=20,in_port=2,actions=output:1"), 0);
	ck_assert_int_eq(bundle_flow(vc, 1, AO, OFPFC_ADD, "table=1,priority=5,actions=drop"), 0);
	ck_assert_uint_eq(n_flows(vc), 0);
	ck_assert_int_eq(bundle_ctl(vc, 1, OFPBCT_CLOSE_REQUEST, AO), 0);
	assert_bundle_error(vc, bundle_flow(vc, 1, AO, OFPFC_ADD, "priority=1,actions=drop"),
			    OFPBFC_BUNDLE_CLOSED);
	commits = dp_fake_n_commits("br0");
	ck_assert_int_eq(bundle_ctl(vc, 1, OFPBCT_COMMIT_REQUEST, AO), 0);
	/* All three in one datapath version. */
	ck_assert_uint_eq(dp_fake_n_commits("br0"), commits + 1);
	ck_assert_uint_eq(n_flows(vc), 3);
	ck_assert_uint_eq(dp_fake_n_flows("br0"), 3);
	/* The bundle is gone after its commit. */
	assert_bundle_error(vc, bundle_ctl(vc, 1, OFPBCT_COMMIT_REQUEST, AO), OFPBFC_BAD_ID);

	/* A bundle that fails at its fifth message changes nothing: a modify, a delete and
	 * adds are undone, the error names the failing message (its xid and bytes), and
	 * the commit is answered MSG_FAILED. */
	flows_text(vc, &before);
	ck_assert_int_eq(bundle_ctl(vc, 2, OFPBCT_OPEN_REQUEST, 0), 0);
	ck_assert_int_eq(bundle_flow(vc, 2, 0, OFPFC_MODIFY, "in_port=1,actions=output:7"), 0);
	ck_assert_int_eq(bundle_flow(vc, 2, 0, OFPFC_DELETE_STRICT, "priority=20,in_port=2"), 0);
	ck_assert_int_eq(bundle_flow(vc, 2, 0, OFPFC_ADD, "priority=30,in_port=2,actions=drop"), 0);
	ck_assert_int_eq(bundle_flow(vc, 2, 0, OFPFC_ADD, "table=1,priority=5,actions=output:1"),
			 0);
	b = fm_buf(vc, OFPFC_ADD, "priority=50,in_port=1,actions=group:99", 0x4242);
	ck_assert_int_eq(bundle_add(vc, 2, 0, &b), 0); /* the group might come in the bundle */
	ck_assert_int_eq(bundle_flow(vc, 2, 0, OFPFC_ADD, "priority=60,actions=drop"), 0);
	commits = dp_fake_n_commits("br0");
	n_saved = 0;
	assert_bundle_error(vc, bundle_ctl(vc, 2, OFPBCT_COMMIT_REQUEST, 0), OFPBFC_MSG_FAILED);
	n = wait_msg(vc, OFPT_ERROR, msg, sizeof(msg), 1000);
	ck_assert_uint_ge(n, 12 + 8);
	ck_assert_uint_eq(get_be32(msg + 4), 0x4242);
	ck_assert_uint_eq(get_be16(msg + 8), OFPET_BAD_ACTION);
	ck_assert_uint_eq(get_be16(msg + 10), OFPBAC_BAD_OUT_GROUP);
	ck_assert_uint_eq(msg[12 + 1], OFPT_FLOW_MOD); /* the failing message itself */
	flows_text(vc, &after);
	ck_assert_str_eq(buf_cstr(&after), buf_cstr(&before));
	ck_assert_uint_eq(dp_fake_n_flows("br0"), 3);
	ck_assert_uint_le(dp_fake_n_commits("br0"), commits + 1);

	/* Groups in a bundle: a group and a flow using it commit together; a bundle that
	 * deletes the group (and so the flow) and then fails gets both back. */
	ck_assert_int_eq(bundle_ctl(vc, 3, OFPBCT_OPEN_REQUEST, AO), 0);
	ck_assert_int_eq(bundle_group(vc, 3, AO, OFPGC_ADD, "group_id=7,type=all,bucket=output:1"),
			 0);
	ck_assert_int_eq(bundle_flow(vc, 3, AO, OFPFC_ADD, "priority=70,in_port=1,actions=group:7"),
			 0);
	ck_assert_int_eq(bundle_ctl(vc, 3, OFPBCT_COMMIT_REQUEST, AO), 0);
	ck_assert_uint_eq(n_flows(vc), 4);
	ck_assert_uint_eq(group_refs(vc, 7), 1);
	flows_text(vc, &before);
	ck_assert_int_eq(bundle_group(vc, 4, 0, OFPGC_DELETE, "group_id=7"), 0); /* opens 4 */
	ck_assert_int_eq(bundle_flow(vc, 4, 0, OFPFC_ADD, "table=1,priority=6,actions=group:7"), 0);
	n_saved = 0;
	assert_bundle_error(vc, bundle_ctl(vc, 4, OFPBCT_COMMIT_REQUEST, 0), OFPBFC_MSG_FAILED);
	flows_text(vc, &after);
	ck_assert_str_eq(buf_cstr(&after), buf_cstr(&before));
	ck_assert_uint_eq(group_refs(vc, 7), 1);

	/* Refusals. */
	ck_assert_int_eq(bundle_ctl(vc, 5, OFPBCT_OPEN_REQUEST, 0), 0);
	assert_bundle_error(vc, bundle_ctl(vc, 5, OFPBCT_OPEN_REQUEST, 0), OFPBFC_BUNDLE_EXIST);
	assert_bundle_error(vc, bundle_ctl(vc, 5, OFPBCT_CLOSE_REQUEST, OFPBF_ATOMIC),
			    OFPBFC_BAD_FLAGS);
	assert_bundle_error(vc, bundle_ctl(vc, 5, OFPBCT_OPEN_REPLY, 0), OFPBFC_BAD_TYPE);
	assert_bundle_error(vc, bundle_ctl(vc, 6, OFPBCT_OPEN_REQUEST, 0x80), OFPBFC_BAD_FLAGS);
	b = (struct buf)BUF_INITIALIZER;
	ck_assert_int_eq(ofp_empty_encode(OFPT_BARRIER_REQUEST, vconn_next_xid(vc), &b), 0);
	assert_bundle_error(vc, bundle_add(vc, 5, 0, &b), OFPBFC_MSG_UNSUP);
	{
		struct ofp_bundle_add ba = { .bundle_id = 5 };
		struct buf in = fm_buf(vc, OFPFC_ADD, "priority=1,actions=drop", 0);

		/* The embedded message's xid must be the add's. */
		b = (struct buf)BUF_INITIALIZER;
		ba.msg = in.data;
		ba.msg_len = in.size;
		ck_assert_int_eq(ofp_bundle_add_encode(&ba, &b), 0);
		put_be32((uint8_t *)b.data + 4, 0x777);
		buf_uninit(&in);
		assert_bundle_error(vc, send_sync(vc, &b), OFPBFC_MSG_BAD_XID);
	}
	/* A message that would fail alone fails when added: a packet buffer id. */
	b = fm_buf(vc, OFPFC_ADD, "priority=1,actions=drop", 0);
	put_be32((uint8_t *)b.data + 32, 5);
	assert_error(vc, bundle_add(vc, 5, 0, &b), OFPET_BAD_REQUEST, OFPBRC_BUFFER_UNKNOWN);
	/* Discard. */
	ck_assert_int_eq(bundle_flow(vc, 5, 0, OFPFC_ADD, "priority=1,actions=drop"), 0);
	ck_assert_int_eq(bundle_ctl(vc, 5, OFPBCT_DISCARD_REQUEST, 0), 0);
	assert_bundle_error(vc, bundle_ctl(vc, 5, OFPBCT_COMMIT_REQUEST, 0), OFPBFC_BAD_ID);
	ck_assert_uint_eq(n_flows(vc), 4);
	/* bundle_max_messages (100 here) per bundle. */
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(bundle_flow(vc, 8, 0, OFPFC_ADD, "priority=1,actions=drop"), 0);
	assert_bundle_error(vc, bundle_flow(vc, 8, 0, OFPFC_ADD, "priority=1,actions=drop"),
			    OFPBFC_MSG_TOO_MANY);
	ck_assert_int_eq(bundle_ctl(vc, 8, OFPBCT_DISCARD_REQUEST, 0), 0);
	/* bundle_max_open (16) per connection. */
	for (uint32_t i = 100; i < 116; i++)
		ck_assert_int_eq(bundle_ctl(vc, i, OFPBCT_OPEN_REQUEST, 0), 0);
	assert_bundle_error(vc, bundle_ctl(vc, 116, OFPBCT_OPEN_REQUEST, 0), OFPBFC_OUT_OF_BUNDLES);
	/* A closed connection's bundles are gone; a new connection may open as many. */
	vconn_close(vc);
	vc = open_sock("br0.mgmt");
	for (uint32_t i = 100; i < 116; i++)
		ck_assert_int_eq(bundle_ctl(vc, i, OFPBCT_OPEN_REQUEST, 0), 0);
	buf_uninit(&before);
	buf_uninit(&after);
	vconn_close(vc);
}
END_TEST

static int
bundle_meter(struct vconn *vc, uint32_t id, uint16_t cmd, const char *text)
{
	struct ofp_meter_mod mm;
	struct buf b = BUF_INITIALIZER;
	char err[256];

	ck_assert_msg(ofp_meter_mod_parse(text, cmd, &A, &mm, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(ofp_meter_mod_encode(&mm, vconn_next_xid(vc), &b), 0);
	return bundle_add(vc, id, 0, &b);
}

/* Meters, a port mod and a packet-out in bundles: applied together on commit (the
 * packet-out once the rest is in place), all undone when a later message fails; and a
 * slave may not use bundles. */
START_TEST(test_bundle_meter_port_packet_out)
{
	struct vconn *vc = open_sock("br0.mgmt");
	struct ofp_port_mod pm;
	struct ofp_packet_out po;
	struct ofp_action act = { .type = OFPAT_OUTPUT };
	struct ofp_multipart_reply r;
	struct ofp_role rr;
	struct buf b = BUF_INITIALIZER, before = BUF_INITIALIZER, after = BUF_INITIALIZER;
	uint8_t frame[64] = { 0 };
	uint32_t in_port;
	size_t len, n_act;
	unsigned pos;

	ck_assert_int_eq(vconn_barrier(vc, NULL, NULL), 0);
	memset(&pm, 0, sizeof(pm));
	pm.port_no = 2;
	pm.hw_addr[0] = 0x02;
	pm.hw_addr[5] = 2;
	pm.config = OFPPC_NO_FWD;
	pm.mask = OFPPC_NO_FWD;
	act.output.port = 1;
	memset(&po, 0, sizeof(po));
	po.buffer_id = OFP_NO_BUFFER;
	po.in_port = OFPP_CONTROLLER;
	po.actions.actions = &act;
	po.actions.n = 1;
	po.data.data = frame;
	po.data.len = sizeof(frame);

	ck_assert_int_eq(bundle_meter(vc, 1, OFPMC_ADD, "meter=3,kbps,bands=type=drop,rate=100"),
			 0);
	ck_assert_int_eq(bundle_flow(vc, 1, 0, OFPFC_ADD,
				     "priority=9,in_port=2,actions=meter:3,"
				     "output:1"),
			 0);
	ck_assert_int_eq(ofp_port_mod_encode(&pm, vconn_next_xid(vc), &b), 0);
	ck_assert_int_eq(bundle_add(vc, 1, 0, &b), 0);
	ck_assert_int_eq(ofp_packet_out_encode(&po, vconn_next_xid(vc), &b), 0);
	ck_assert_int_eq(bundle_add(vc, 1, 0, &b), 0);
	pos = dp_fake_n_packet_outs(&in_port, &len, &n_act);
	ck_assert_int_eq(bundle_ctl(vc, 1, OFPBCT_COMMIT_REQUEST, 0), 0);
	ck_assert_uint_eq(dp_fake_n_packet_outs(&in_port, &len, &n_act), pos + 1);
	ck_assert_uint_eq(meter_flows(vc, 3), 1);
	r = dump_simple(vc, OFPMP_PORT_DESC);
	ck_assert_uint_eq(r.port_desc.items[1].config & OFPPC_NO_FWD, OFPPC_NO_FWD);

	/* Deleting the meter (and so its flow), clearing NO_FWD and a packet-out, then a
	 * flow that fails: meter, flow and port are back, the packet-out never ran. */
	flows_text(vc, &before);
	ck_assert_int_eq(bundle_meter(vc, 2, OFPMC_DELETE, "meter=3"), 0);
	pm.config = 0;
	ck_assert_int_eq(ofp_port_mod_encode(&pm, vconn_next_xid(vc), &b), 0);
	ck_assert_int_eq(bundle_add(vc, 2, 0, &b), 0);
	ck_assert_int_eq(ofp_packet_out_encode(&po, vconn_next_xid(vc), &b), 0);
	ck_assert_int_eq(bundle_add(vc, 2, 0, &b), 0);
	ck_assert_int_eq(bundle_flow(vc, 2, 0, OFPFC_ADD, "priority=8,actions=meter:3,output:1"),
			 0);
	pos = dp_fake_n_packet_outs(&in_port, &len, &n_act);
	n_saved = 0;
	assert_bundle_error(vc, bundle_ctl(vc, 2, OFPBCT_COMMIT_REQUEST, 0), OFPBFC_MSG_FAILED);
	ck_assert_uint_eq(dp_fake_n_packet_outs(&in_port, &len, &n_act), pos);
	flows_text(vc, &after);
	ck_assert_str_eq(buf_cstr(&after), buf_cstr(&before));
	ck_assert_uint_eq(meter_flows(vc, 3), 1);
	r = dump_simple(vc, OFPMP_PORT_DESC);
	ck_assert_uint_eq(r.port_desc.items[1].config & OFPPC_NO_FWD, OFPPC_NO_FWD);

	/* A slave gets IS_SLAVE for every bundle message. */
	ck_assert_int_eq(role(vc, OFPCR_ROLE_SLAVE, 1, &rr), 0);
	assert_error(vc, bundle_ctl(vc, 3, OFPBCT_OPEN_REQUEST, 0), OFPET_BAD_REQUEST,
		     OFPBRC_IS_SLAVE);
	assert_error(vc, bundle_flow(vc, 3, 0, OFPFC_ADD, "priority=1,actions=drop"),
		     OFPET_BAD_REQUEST, OFPBRC_IS_SLAVE);
	buf_uninit(&before);
	buf_uninit(&after);
	vconn_close(vc);
}
END_TEST

static uint64_t
flow_packets(struct vconn *vc)
{
	struct ofp_multipart_reply r = dump_flows(vc);

	ck_assert_uint_eq(r.flow.n, 1);
	return r.flow.items[0].packet_count;
}

START_TEST(test_counters_and_replace)
{
	struct vconn *vc = open_sock("br0.mgmt");
	struct ofp_multipart_reply r;

	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=7,in_port=1,actions=output:2"), 0);
	dp_fake_set_flow_stats("br0", 7, 10, 1000, 0);
	ck_assert_uint_eq(flow_packets(vc), 10);
	/* Identical match and priority: replaced, counters kept. */
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=7,in_port=1,actions=output:1"), 0);
	ck_assert_uint_eq(flow_packets(vc), 10);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "cookie=0x5,priority=7,in_port=1,actions=output:1"),
			 0);
	ck_assert_uint_eq(flow_packets(vc), 10);
	ck_assert_uint_eq(dp_fake_n_flows("br0"), 1);
	r = dump_flows(vc);
	ck_assert_uint_eq(r.flow.items[0].cookie, 5);
	/* reset_counts on replace and on modify. */
	dp_fake_set_flow_stats("br0", 7, 3, 300, 0);
	ck_assert_uint_eq(flow_packets(vc), 13);
	ck_assert_int_eq(flow(vc, OFPFC_ADD,
			      "cookie=0x5,priority=7,in_port=1,reset_counts,actions=output:1"),
			 0);
	ck_assert_uint_eq(flow_packets(vc), 0);
	dp_fake_set_flow_stats("br0", 7, 8, 800, 0);
	ck_assert_uint_eq(flow_packets(vc), 5);
	ck_assert_int_eq(flow(vc, OFPFC_MODIFY, "in_port=1,reset_counts,actions=output:2"), 0);
	ck_assert_uint_eq(flow_packets(vc), 0);
	/* Cookie-masked modify and delete. */
	ck_assert_int_eq(flow(vc, OFPFC_MODIFY, "cookie=0x4/0xff,actions=drop"), 0);
	r = dump_flows(vc);
	ck_assert_uint_eq(r.flow.items[0].insts.n, 1); /* unchanged: output:2 */
	ck_assert_int_eq(flow(vc, OFPFC_DELETE, "cookie=0x4/0xff"), 0);
	ck_assert_uint_eq(n_flows(vc), 1);
	ck_assert_int_eq(flow(vc, OFPFC_DELETE, "cookie=0x5/0xff"), 0);
	ck_assert_uint_eq(n_flows(vc), 0);
	/* no_packet_counts reports "unavailable". */
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=8,no_packet_counts,actions=drop"), 0);
	ck_assert_uint_eq(flow_packets(vc), UINT64_MAX);
	vconn_close(vc);
}
END_TEST

START_TEST(test_roles)
{
	struct vconn *c1 = open_sock("br0.mgmt"), *c2 = open_sock("br0.mgmt");
	struct ofp_role got;
	struct buf req = BUF_INITIALIZER, rep = BUF_INITIALIZER;
	struct ofp_async_config ac;
	struct ofp_err e;

	ck_assert_int_eq(role(c1, OFPCR_ROLE_MASTER, 1, &got), 0);
	ck_assert_uint_eq(got.role, OFPCR_ROLE_MASTER);
	ck_assert_uint_eq(got.generation_id, 1);
	assert_error(c2, role(c2, OFPCR_ROLE_MASTER, 0, &got), OFPET_ROLE_REQUEST_FAILED,
		     OFPRRFC_STALE);
	ck_assert_int_eq(role(c2, OFPCR_ROLE_SLAVE, 2, &got), 0);
	ck_assert_uint_eq(got.role, OFPCR_ROLE_SLAVE);
	ck_assert_int_eq(role(c2, OFPCR_ROLE_NOCHANGE, 0, &got), 0);
	ck_assert_uint_eq(got.role, OFPCR_ROLE_SLAVE);
	ck_assert_uint_eq(got.generation_id, 2);
	assert_error(c2, flow(c2, OFPFC_ADD, "actions=drop"), OFPET_BAD_REQUEST, OFPBRC_IS_SLAVE);
	/* The slave's default async config has no packet-in and no flow-removed. */
	ck_assert_int_eq(ofp_empty_encode(OFPT_GET_ASYNC_REQUEST, vconn_next_xid(c2), &req), 0);
	ck_assert_int_eq(vconn_transact(c2, &req, &rep), 0);
	ck_assert_int_eq(ofp_get_async_reply_decode(rep.data, rep.size, &A, &ac, &e), 0);
	ck_assert_uint_eq(ac.packet_in_mask[0], 3);
	ck_assert_uint_eq(ac.packet_in_mask[1], 0);
	ck_assert_uint_eq(ac.port_status_mask[1], 7);
	buf_uninit(&req);
	buf_uninit(&rep);
	/* A new master demotes the old one. */
	ck_assert_int_eq(role(c2, OFPCR_ROLE_MASTER, 3, &got), 0);
	assert_error(c1, flow(c1, OFPFC_ADD, "actions=drop"), OFPET_BAD_REQUEST, OFPBRC_IS_SLAVE);
	ck_assert_int_eq(role(c1, OFPCR_ROLE_NOCHANGE, 0, &got), 0);
	ck_assert_uint_eq(got.role, OFPCR_ROLE_SLAVE);
	ck_assert_int_eq(flow(c2, OFPFC_ADD, "actions=drop"), 0);
	ck_assert_int_eq(role(c1, OFPCR_ROLE_EQUAL, 0, &got), 0);
	ck_assert_int_eq(flow(c1, OFPFC_DELETE, "table=255"), 0);
	vconn_close(c1);
	vconn_close(c2);
}
END_TEST

START_TEST(test_controller_packet_in_snoop_fail_mode)
{
	struct vconn *snoop, *ctl, *mgmt;
	struct ofp_async_config ac;
	struct ofp_packet_in pi;
	struct buf b = BUF_INITIALIZER;
	struct ofp_err e;
	uint8_t frame[60], msg[2048];
	size_t n;

	ck_assert(wait_normal("br1", 1)); /* standalone, no controller */
	ck_assert(wait_normal("br0", 0)); /* secure */
	snoop = open_sock("br1.snoop");
	mgmt = open_sock("br1.mgmt");
	usleep(100000);
	ck_assert_int_eq(dp_fake_normal_mode("br1"), 1); /* mgmt is not a controller */
	ctl = open_sock("ctl.sock");
	/* Completing HELLO (and echoing) does not make a peer the controller: a
	 * standalone bridge keeps forwarding until it sends a request such as FEATURES,
	 * as a controller does first. */
	{
		struct buf er = BUF_INITIALIZER, rep = BUF_INITIALIZER;
		struct ofp_echo echo = { { NULL, 0 } };

		ck_assert_int_eq(ofp_echo_request_encode(&echo, vconn_next_xid(ctl), &er), 0);
		ck_assert_int_eq(vconn_transact(ctl, &er, &rep), 0);
		buf_uninit(&er);
		buf_uninit(&rep);
	}
	usleep(100000);
	ck_assert_int_eq(dp_fake_normal_mode("br1"), 1);
	{
		struct buf fr = BUF_INITIALIZER, rep = BUF_INITIALIZER;

		ck_assert_int_eq(ofp_empty_encode(OFPT_FEATURES_REQUEST, vconn_next_xid(ctl), &fr),
				 0);
		ck_assert_int_eq(vconn_transact(ctl, &fr, &rep), 0);
		buf_uninit(&fr);
		buf_uninit(&rep);
	}
	ck_assert(wait_normal("br1", 0));
	/* The snoop client sees the controller's traffic (HELLOs, then a barrier). */
	ck_assert_int_eq(vconn_barrier(ctl, NULL, NULL), 0);
	ck_assert_uint_gt(wait_msg(snoop, OFPT_BARRIER_REQUEST, msg, sizeof(msg), 2000), 0);
	ck_assert_uint_gt(wait_msg(snoop, OFPT_BARRIER_REPLY, msg, sizeof(msg), 2000), 0);

	memset(frame, 0xab, sizeof(frame));
	dp_fake_push_upcall("br1", 1, OFPR_NO_MATCH, frame, sizeof(frame));
	n = wait_msg(ctl, OFPT_PACKET_IN, msg, sizeof(msg), 2000);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(ofp_packet_in_decode(msg, n, &A, &pi, &e), 0);
	ck_assert_uint_eq(pi.total_len, 60);
	ck_assert_uint_eq(pi.data.len, 60);
	ck_assert_uint_eq(pi.reason, OFPR_NO_MATCH);
	ck_assert_uint_eq(pi.buffer_id, OFP_NO_BUFFER);
	ck_assert_uint_eq(get_be32(oxm_match_value(&pi.match, OFPXMT_OFB_IN_PORT)), 1);
	/* The mgmt connection (equal role) gets it too. */
	ck_assert_uint_gt(wait_msg(mgmt, OFPT_PACKET_IN, msg, sizeof(msg), 2000), 0);

	/* SET_ASYNC without NO_MATCH: the controller gets nothing more. */
	memset(&ac, 0, sizeof(ac));
	ac.port_status_mask[0] = ac.port_status_mask[1] = 7;
	ac.packet_in_mask[0] = 1u << OFPR_ACTION;
	ck_assert_int_eq(ofp_set_async_encode(&ac, vconn_next_xid(ctl), &b), 0);
	ck_assert_int_eq(send_sync(ctl, &b), 0);
	dp_fake_push_upcall("br1", 1, OFPR_NO_MATCH, frame, sizeof(frame));
	ck_assert_uint_gt(wait_msg(mgmt, OFPT_PACKET_IN, msg, sizeof(msg), 2000), 0);
	ck_assert_uint_eq(wait_msg(ctl, OFPT_PACKET_IN, msg, sizeof(msg), 300), 0);
	dp_fake_push_upcall("br1", 1, OFPR_ACTION, frame, sizeof(frame));
	ck_assert_uint_gt(wait_msg(ctl, OFPT_PACKET_IN, msg, sizeof(msg), 2000), 0);

	vconn_close(ctl);
	ck_assert(wait_normal("br1", 1)); /* back to standalone forwarding */
	vconn_close(snoop);
	vconn_close(mgmt);
}
END_TEST

/* Packet-ins are served round-robin over in_ports: a port with 60 table misses queued
 * ahead does not delay another port's (before the fair queues: FIFO, last). */
START_TEST(test_packet_in_fair_across_ports)
{
	struct vconn *mgmt = open_sock("br0.mgmt");
	struct ofp_packet_in pi;
	struct ofp_err e;
	uint8_t frame[60], msg[2048];
	unsigned from2 = 0;

	ck_assert_int_eq(vconn_barrier(mgmt, NULL, NULL), 0);
	memset(frame, 0xcd, sizeof(frame));
	dp_fake_hold_upcalls(true);
	for (int i = 0; i < 60; i++)
		dp_fake_push_upcall("br0", 1, OFPR_NO_MATCH, frame, sizeof(frame));
	for (int i = 0; i < 3; i++)
		dp_fake_push_upcall("br0", 2, OFPR_NO_MATCH, frame, sizeof(frame));
	dp_fake_hold_upcalls(false);
	for (int i = 0; i < 6; i++) {
		size_t n = wait_msg(mgmt, OFPT_PACKET_IN, msg, sizeof(msg), 2000);

		ck_assert_uint_gt(n, 0);
		ck_assert_int_eq(ofp_packet_in_decode(msg, n, &A, &pi, &e), 0);
		from2 += get_be32(oxm_match_value(&pi.match, OFPXMT_OFB_IN_PORT)) == 2;
	}
	ck_assert_uint_eq(from2, 3);
	vconn_close(mgmt);
}
END_TEST

/* ---- Table features set ---- */

static struct ofp_table_features *
tf_new(struct ofp_multipart_request *rq, uint8_t t, const char *name, uint32_t max)
{
	struct ofp_table_features *tf;

	if (!rq->table_features.items)
		rq->table_features.items = arena_calloc(&A, 8, sizeof(*tf));
	tf = &rq->table_features.items[rq->table_features.n++];
	memset(tf, 0, sizeof(*tf));
	tf->table_id = t;
	snprintf(tf->name, sizeof(tf->name), "%s", name);
	tf->max_entries = max;
	tf->props.items = arena_calloc(&A, 16, sizeof(*tf->props.items));
	return tf;
}

static struct ofp_table_feature_prop *
tf_prop(struct ofp_table_features *tf, uint16_t type)
{
	struct ofp_table_feature_prop *p = &tf->props.items[tf->props.n++];

	memset(p, 0, sizeof(*p));
	p->type = type;
	return p;
}

/* OXM ids: fields[i] | 0x100 for hasmask. */
static void
tf_oxms(struct ofp_table_features *tf, uint16_t type, const unsigned *fields, size_t n)
{
	struct ofp_table_feature_prop *p = tf_prop(tf, type);

	p->oxms.items = arena_calloc(&A, n ? n : 1, sizeof(*p->oxms.items));
	p->oxms.n = n;
	for (size_t i = 0; i < n; i++)
		p->oxms.items[i].header =
			OXM_HEADER(OFPXMC_OPENFLOW_BASIC, fields[i] & 0xff, fields[i] >> 8 & 1, 0);
}

static void
tf_ids(struct ofp_table_features *tf, uint16_t type, const uint16_t *ids, size_t n)
{
	struct ofp_table_feature_prop *p = tf_prop(tf, type);

	p->ids.items = arena_calloc(&A, n ? n : 1, sizeof(*p->ids.items));
	p->ids.n = n;
	for (size_t i = 0; i < n; i++)
		p->ids.items[i].type = ids[i];
}

static void
tf_tables(struct ofp_table_features *tf, uint16_t type, const uint8_t *ids, size_t n)
{
	struct ofp_table_feature_prop *p = tf_prop(tf, type);

	p->tables.items = arena_memdup(&A, ids, n ? n : 1);
	p->tables.n = n;
}

/* The pipeline the test sets: table 0 "ingress" (matches in_port, eth_type and eth_dst
 * with a mask, eth_src exactly; eth_type may not be wildcarded; apply_actions and
 * goto_table to table 2 only; output and set_field on vlan_vid; at most 2 flows), table 2
 * "egress" (anything, metadata bits 0xff only) and table 3 "spare". */
static struct ofp_multipart_request
tf_pipeline(void)
{
	static const unsigned match[] = { OFPXMT_OFB_IN_PORT, OFPXMT_OFB_ETH_TYPE,
					  OFPXMT_OFB_ETH_DST | 0x100, OFPXMT_OFB_ETH_SRC };
	static const unsigned wild[] = { OFPXMT_OFB_IN_PORT, OFPXMT_OFB_ETH_DST,
					 OFPXMT_OFB_ETH_SRC };
	static const unsigned setf[] = { OFPXMT_OFB_VLAN_VID };
	static const uint16_t insts[] = { OFPIT_APPLY_ACTIONS, OFPIT_GOTO_TABLE };
	static const uint16_t acts[] = { OFPAT_OUTPUT, OFPAT_SET_FIELD };
	static const uint8_t next[] = { 2 };
	struct ofp_multipart_request rq;
	struct ofp_table_features *tf;

	memset(&rq, 0, sizeof(rq));
	rq.type = OFPMP_TABLE_FEATURES;
	tf = tf_new(&rq, 0, "ingress", 2);
	tf_oxms(tf, OFPTFPT_MATCH, match, 4);
	tf_oxms(tf, OFPTFPT_WILDCARDS, wild, 3);
	tf_ids(tf, OFPTFPT_INSTRUCTIONS, insts, 2);
	tf_tables(tf, OFPTFPT_NEXT_TABLES, next, 1);
	tf_ids(tf, OFPTFPT_APPLY_ACTIONS, acts, 2);
	tf_oxms(tf, OFPTFPT_APPLY_SETFIELD, setf, 1);
	tf_ids(tf, OFPTFPT_WRITE_ACTIONS, NULL, 0); /* empty: no constraint */
	tf = tf_new(&rq, 2, "egress", 1000);
	tf->metadata_match = tf->metadata_write = 0xff;
	tf_new(&rq, 3, "spare", 4);
	return rq;
}

static int
send_tf(struct vconn *vc, struct ofp_multipart_request *rq)
{
	struct buf b = BUF_INITIALIZER;

	ck_assert_int_eq(ofp_multipart_request_encode(rq, vconn_next_xid(vc), &b), 0);
	return send_sync(vc, &b);
}

START_TEST(test_table_features_set)
{
	static const unsigned md[] = { OFPXMT_OFB_METADATA };
	static const uint16_t bad_act[] = { 99 };
	static const uint8_t back[] = { 0 };
	struct vconn *vc = open_sock("br0.mgmt");
	struct ofp_multipart_request rq;
	struct ofp_multipart_reply rep;
	struct ofp_flow_removed fr;
	struct ofp_err e;
	struct buf b = BUF_INITIALIZER;
	uint8_t msg[1024];
	size_t n;

	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=1,in_port=1,actions=goto_table:1"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "table=1,priority=7,send_flow_rem,actions=drop"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "table=3,priority=1,actions=drop"), 0);

	/* Each bad request gets its code and changes nothing, even when its bad table comes
	 * after good ones. */
	rq = tf_pipeline();
	tf_ids(&rq.table_features.items[1], OFPTFPT_APPLY_ACTIONS, bad_act, 1);
	assert_error(vc, send_tf(vc, &rq), OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_ARGUMENT);
	rq = tf_pipeline();
	tf_new(&rq, 2, "twice", 1);
	assert_error(vc, send_tf(vc, &rq), OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_ARGUMENT);
	rq = tf_pipeline();
	tf_tables(&rq.table_features.items[1], OFPTFPT_NEXT_TABLES, back, 1);
	assert_error(vc, send_tf(vc, &rq), OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_ARGUMENT);
	rq = tf_pipeline();
	tf_new(&rq, 255, "all", 1);
	assert_error(vc, send_tf(vc, &rq), OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_TABLE);
	rq = tf_pipeline();
	tf_oxms(&rq.table_features.items[2], OFPTFPT_MATCH, md, 1); /* metadata_match 0 */
	assert_error(vc, send_tf(vc, &rq), OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_METADATA);
	rq = tf_pipeline();
	tf_prop(&rq.table_features.items[2], OFPTFPT_EXPERIMENTER)->experimenter.experimenter = 1;
	assert_error(vc, send_tf(vc, &rq), OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_TYPE);
	rq = tf_pipeline();
	ck_assert_int_eq(ofp_multipart_request_encode(&rq, vconn_next_xid(vc), &b), 0);
	b.data[17] = 60; /* the first entry's length: below 64 */
	assert_error(vc, send_sync(vc, &b), OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_LEN);
	ck_assert_uint_eq(n_flows(vc), 3);
	ck_assert_uint_eq(dump_simple(vc, OFPMP_TABLE_FEATURES).table_features.n, 255);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "table=1,priority=8,actions=drop"), 0);

	/* A good one: applied, the reply gives the new tables (max_entries capped at the
	 * bridge's max_flows), the flows of the changed and the removed tables go, with
	 * FLOW_REMOVED(DELETE) where asked. */
	rq = tf_pipeline();
	rep = dump(vc, &rq);
	ck_assert_uint_eq(rep.table_features.n, 3);
	ck_assert_str_eq(rep.table_features.items[0].name, "ingress");
	ck_assert_uint_eq(rep.table_features.items[0].max_entries, 2);
	ck_assert_uint_eq(rep.table_features.items[0].props.n, 7);
	ck_assert_str_eq(rep.table_features.items[1].name, "egress");
	ck_assert_uint_eq(rep.table_features.items[1].max_entries, 5);
	ck_assert_uint_eq(rep.table_features.items[1].metadata_write, 0xff);
	ck_assert_uint_eq(rep.table_features.items[2].table_id, 3);
	ck_assert_uint_eq(n_flows(vc), 0);
	ck_assert_uint_eq(dp_fake_n_flows("br0"), 0);
	n = wait_msg(vc, OFPT_FLOW_REMOVED, msg, sizeof(msg), 2000);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(ofp_flow_removed_decode(msg, n, &A, &fr, &e), 0);
	ck_assert_uint_eq(fr.reason, OFPRR_DELETE);
	ck_assert_uint_eq(fr.table_id, 1);
	ck_assert_uint_eq(fr.priority, 7);
	/* A query without a body gives the same. */
	rep = dump_simple(vc, OFPMP_TABLE_FEATURES);
	ck_assert_uint_eq(rep.table_features.n, 3);
	ck_assert_str_eq(rep.table_features.items[2].name, "spare");

	/* Enforced afterwards. */
	ck_assert_int_eq(flow(vc, OFPFC_ADD,
			      "priority=5,eth_type=0x800,in_port=1,eth_dst=01:00:00:00:00:00/"
			      "01:00:00:00:00:00,actions=set_field:4101->vlan_vid,output:2"),
			 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=6,eth_type=0x800,actions=goto_table:2"), 0);
	assert_error(vc, flow(vc, OFPFC_ADD, "priority=7,eth_type=0x806,actions=drop"),
		     OFPET_FLOW_MOD_FAILED, OFPFMFC_TABLE_FULL);
	ck_assert_int_eq(flow(vc, OFPFC_DELETE_STRICT, "priority=6,eth_type=0x800"), 0);
	assert_error(vc, flow(vc, OFPFC_ADD, "table=1,actions=drop"), OFPET_FLOW_MOD_FAILED,
		     OFPFMFC_BAD_TABLE_ID);
	assert_error(vc, flow(vc, OFPFC_ADD, "eth_type=0x800,ip_proto=6,actions=drop"),
		     OFPET_BAD_MATCH, OFPBMC_BAD_FIELD);
	assert_error(vc, flow(vc, OFPFC_ADD, "in_port=1,actions=drop"), OFPET_BAD_MATCH,
		     OFPBMC_BAD_WILDCARDS);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=0,actions=goto_table:2"), 0); /* miss */
	ck_assert_int_eq(flow(vc, OFPFC_DELETE_STRICT, "priority=0"), 0);
	assert_error(
		vc,
		flow(vc, OFPFC_ADD,
		     "eth_type=0x800,eth_src=00:00:00:00:00:01/ff:ff:ff:00:00:00,actions=drop"),
		OFPET_BAD_MATCH, OFPBMC_BAD_MASK);
	assert_error(vc, flow(vc, OFPFC_ADD, "eth_type=0x800,actions=write_actions(output:1)"),
		     OFPET_BAD_INSTRUCTION, OFPBIC_UNSUP_INST);
	assert_error(vc, flow(vc, OFPFC_ADD, "eth_type=0x800,actions=goto_table:3"),
		     OFPET_BAD_INSTRUCTION, OFPBIC_BAD_TABLE_ID);
	assert_error(vc, flow(vc, OFPFC_ADD, "eth_type=0x800,actions=pop_vlan,output:1"),
		     OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
	assert_error(vc,
		     flow(vc, OFPFC_ADD,
			  "eth_type=0x800,actions=set_field:00:00:00:00:00:01->eth_dst,output:1"),
		     OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	assert_error(vc, flow(vc, OFPFC_MODIFY, "eth_type=0x800,actions=pop_vlan"),
		     OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
	assert_error(vc, flow(vc, OFPFC_ADD, "table=2,actions=write_metadata:0x100/0x100"),
		     OFPET_BAD_INSTRUCTION, OFPBIC_UNSUP_METADATA_MASK);
	assert_error(vc, flow(vc, OFPFC_ADD, "table=2,metadata=0x100/0x100,actions=drop"),
		     OFPET_BAD_MATCH, OFPBMC_BAD_MASK);
	ck_assert_int_eq(flow(vc, OFPFC_ADD,
			      "table=2,metadata=0x1/0xff,actions=write_metadata:0x2/0x2,"
			      "write_actions(pop_vlan)"),
			 0);
	ck_assert_uint_eq(n_flows(vc), 2);

	/* The same request again changes no table: its flows stay. */
	rq = tf_pipeline();
	ck_assert_int_eq(send_tf(vc, &rq), 0);
	ck_assert_uint_eq(n_flows(vc), 2);
	rq = tf_pipeline();
	rq.table_features.n = 1; /* table 0 alone: its next table 2 is not in the request */
	assert_error(vc, send_tf(vc, &rq), OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_ARGUMENT);
	rq = tf_pipeline();
	rq.table_features.items++; /* tables 2 and 3: table 0 and its flow go */
	rq.table_features.n = 2;
	ck_assert_int_eq(send_tf(vc, &rq), 0);
	ck_assert_uint_eq(n_flows(vc), 1);
	ck_assert_uint_eq(dump_simple(vc, OFPMP_TABLE_FEATURES).table_features.n, 2);
	rep = dump_simple(vc, OFPMP_TABLE); /* table stats: the pipeline's tables only */
	ck_assert_uint_eq(rep.table.n, 2);
	ck_assert_uint_eq(rep.table.items[0].table_id, 2);
	assert_error(vc, flow(vc, OFPFC_ADD, "actions=drop"), OFPET_FLOW_MOD_FAILED,
		     OFPFMFC_BAD_TABLE_ID);
	{
		struct ofp_table_mod tm = { .table_id = 0, .config = 0 };

		ck_assert_int_eq(ofp_table_mod_encode(&tm, vconn_next_xid(vc), &b), 0);
		assert_error(vc, send_sync(vc, &b), OFPET_TABLE_MOD_FAILED, OFPTMFC_BAD_TABLE);
		tm.table_id = 2;
		ck_assert_int_eq(ofp_table_mod_encode(&tm, vconn_next_xid(vc), &b), 0);
		ck_assert_int_eq(send_sync(vc, &b), 0);
	}
	vconn_close(vc);
}
END_TEST

/* A request longer than one message comes in parts (REQ_MORE) and is applied whole. */
START_TEST(test_table_features_set_multipart)
{
	struct vconn *vc = open_sock("br0.mgmt");
	struct ofp_multipart_request rq = { .type = OFPMP_TABLE_FEATURES };
	struct ofp_multipart_reply rep;
	struct buf b = BUF_INITIALIZER;

	rq.table_features.n = 255;
	rq.table_features.items = arena_calloc(&A, 255, sizeof(*rq.table_features.items));
	for (unsigned t = 0; t < 255; t++) {
		struct ofp_table_features *tf = &rq.table_features.items[t];

		ck_assert_int_eq(ofp_table_features_default((uint8_t)t, 255, 3, &A, tf), 0);
		snprintf(tf->name, sizeof(tf->name), "stage%u", t);
	}
	ck_assert_int_eq(ofp_multipart_request_encode(&rq, 1, &b), 0);
	ck_assert_uint_gt(b.size, 65535); /* several messages */
	buf_uninit(&b);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "table=7,priority=1,actions=drop"), 0);
	rep = dump(vc, &rq);
	ck_assert_uint_eq(rep.table_features.n, 255);
	ck_assert_str_eq(rep.table_features.items[254].name, "stage254");
	ck_assert_uint_eq(rep.table_features.items[254].max_entries, 3);
	ck_assert_uint_eq(n_flows(vc), 0); /* table 7's name changed */
	vconn_close(vc);
}
END_TEST

START_TEST(test_flow_removed_and_expiry)
{
	struct vconn *vc = open_sock("br0.mgmt");
	struct ofp_flow_removed fr;
	struct ofp_err e;
	uint8_t msg[1024];
	size_t n;

	ck_assert_int_eq(
		flow(vc, OFPFC_ADD, "priority=9,hard_timeout=1,send_flow_rem,actions=drop"), 0);
	ck_assert_int_eq(
		flow(vc, OFPFC_ADD, "priority=10,idle_timeout=1,send_flow_rem,actions=drop"), 0);
	ck_assert_int_eq(flow(vc, OFPFC_ADD, "priority=11,idle_timeout=1,actions=drop"), 0);
	for (int got = 0; got < 2;) {
		n = wait_msg(vc, OFPT_FLOW_REMOVED, msg, sizeof(msg), 4000);
		ck_assert_uint_gt(n, 0);
		ck_assert_int_eq(ofp_flow_removed_decode(msg, n, &A, &fr, &e), 0);
		if (fr.priority == 9)
			ck_assert_uint_eq(fr.reason, OFPRR_HARD_TIMEOUT);
		else
			ck_assert_uint_eq(fr.reason, OFPRR_IDLE_TIMEOUT);
		got++;
	}
	ck_assert_uint_eq(n_flows(vc), 0);
	ck_assert_uint_eq(dp_fake_n_flows("br0"), 0);

	/* A flow in use does not idle out: the datapath's last-used time counts. */
	ck_assert_int_eq(
		flow(vc, OFPFC_ADD, "priority=12,idle_timeout=2,send_flow_rem,actions=drop"), 0);
	for (int i = 0; i < 25; i++) {
		dp_fake_set_flow_stats("br0", 12, (uint64_t)i, (uint64_t)i * 100, ofproto_now_ns());
		usleep(100000);
	}
	ck_assert_uint_eq(n_flows(vc), 1);
	ck_assert_int_eq(flow(vc, OFPFC_DELETE, "priority=12"), 0);
	n = wait_msg(vc, OFPT_FLOW_REMOVED, msg, sizeof(msg), 2000);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(ofp_flow_removed_decode(msg, n, &A, &fr, &e), 0);
	ck_assert_uint_eq(fr.reason, OFPRR_DELETE);
	ck_assert_uint_eq(fr.packet_count, 24);
	vconn_close(vc);
}
END_TEST

START_TEST(test_port_status_and_port_mod)
{
	struct vconn *vc = open_sock("br0.mgmt");
	struct ofp_port_status ps;
	struct ofp_port_mod pm;
	struct buf b = BUF_INITIALIZER;
	struct ofp_err e;
	uint8_t msg[256];
	size_t n;

	/* The agent must have taken our HELLO (the connection is active) before the link
	 * changes, or the PORT_STATUS goes to nobody. */
	ck_assert_int_eq(vconn_barrier(vc, NULL, NULL), 0);
	dp_fake_set_link("br0", 2, false);
	n = wait_msg(vc, OFPT_PORT_STATUS, msg, sizeof(msg), 2000);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(ofp_port_status_decode(msg, n, &A, &ps, &e), 0);
	ck_assert_uint_eq(ps.reason, OFPPR_MODIFY);
	ck_assert_uint_eq(ps.desc.port_no, 2);
	ck_assert(ps.desc.state & OFPPS_LINK_DOWN);

	memset(&pm, 0, sizeof(pm));
	pm.port_no = 1;
	pm.hw_addr[0] = 0x02;
	pm.hw_addr[5] = 1;
	pm.config = OFPPC_NO_PACKET_IN;
	pm.mask = OFPPC_NO_PACKET_IN;
	ck_assert_int_eq(ofp_port_mod_encode(&pm, vconn_next_xid(vc), &b), 0);
	ck_assert_int_eq(send_sync(vc, &b), 0);
	n = wait_msg(vc, OFPT_PORT_STATUS, msg, sizeof(msg), 2000);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(ofp_port_status_decode(msg, n, &A, &ps, &e), 0);
	ck_assert_uint_eq(ps.desc.port_no, 1);
	ck_assert_uint_eq(ps.desc.config, OFPPC_NO_PACKET_IN);
	pm.hw_addr[5] = 9;
	ck_assert_int_eq(ofp_port_mod_encode(&pm, vconn_next_xid(vc), &b), 0);
	assert_error(vc, send_sync(vc, &b), OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_HW_ADDR);
	pm.port_no = 7;
	ck_assert_int_eq(ofp_port_mod_encode(&pm, vconn_next_xid(vc), &b), 0);
	assert_error(vc, send_sync(vc, &b), OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT);
	vconn_close(vc);
}
END_TEST

START_TEST(test_packet_out)
{
	struct vconn *vc = open_sock("br0.mgmt");
	struct ofp_packet_out po;
	struct ofp_action act = { .type = OFPAT_OUTPUT };
	struct buf b = BUF_INITIALIZER;
	uint8_t frame[64] = { 0 };
	uint32_t in_port;
	size_t len, n_act;
	unsigned before = dp_fake_n_packet_outs(&in_port, &len, &n_act);

	act.output.port = 1;
	memset(&po, 0, sizeof(po));
	po.buffer_id = OFP_NO_BUFFER;
	po.in_port = OFPP_CONTROLLER;
	po.actions.actions = &act;
	po.actions.n = 1;
	po.data.data = frame;
	po.data.len = sizeof(frame);
	ck_assert_int_eq(ofp_packet_out_encode(&po, vconn_next_xid(vc), &b), 0);
	ck_assert_int_eq(send_sync(vc, &b), 0);
	ck_assert_uint_eq(dp_fake_n_packet_outs(&in_port, &len, &n_act), before + 1);
	ck_assert_uint_eq(in_port, OFPP_CONTROLLER);
	ck_assert_uint_eq(len, 64);
	ck_assert_uint_eq(n_act, 1);
	po.buffer_id = 5;
	ck_assert_int_eq(ofp_packet_out_encode(&po, vconn_next_xid(vc), &b), 0);
	assert_error(vc, send_sync(vc, &b), OFPET_BAD_REQUEST, OFPBRC_BUFFER_UNKNOWN);
	po.buffer_id = OFP_NO_BUFFER;
	po.in_port = 9;
	ck_assert_int_eq(ofp_packet_out_encode(&po, vconn_next_xid(vc), &b), 0);
	assert_error(vc, send_sync(vc, &b), OFPET_BAD_REQUEST, OFPBRC_BAD_PORT);
	/* A group that does not exist: refused, not dropped in the datapath. */
	act.type = OFPAT_GROUP;
	act.group_id = 77;
	po.in_port = OFPP_CONTROLLER;
	ck_assert_int_eq(ofp_packet_out_encode(&po, vconn_next_xid(vc), &b), 0);
	assert_error(vc, send_sync(vc, &b), OFPET_BAD_ACTION, OFPBAC_BAD_OUT_GROUP);
	ck_assert_uint_eq(dp_fake_n_packet_outs(&in_port, &len, &n_act), before + 1);
	vconn_close(vc);
}
END_TEST

/* pfs-ofctl trace's experimenter request on the mgmt socket: a reply with the datapath's
 * steps (the fake's: a table-0 miss); refusals for other experimenters, exp_types and
 * bad ports. */
START_TEST(test_trace_experimenter)
{
	struct vconn *vc = open_sock("br0.mgmt");
	uint8_t frame[60] = { 0 };
	struct ofp_trace_request rq = { 1, frame, sizeof(frame) };
	struct ofp_trace_reply rp;
	struct ofp_message m;
	struct ofp_err err;
	struct buf b = BUF_INITIALIZER, rep = BUF_INITIALIZER;
	struct arena a = ARENA_INITIALIZER;

	ck_assert_int_eq(ofp_trace_request_encode(&rq, vconn_next_xid(vc), &b), 0);
	ck_assert_int_eq(vconn_transact(vc, &b, &rep), 0);
	ck_assert_int_eq(ofp_message_decode(rep.data, rep.size, &a, &m, &err), 0);
	ck_assert_uint_eq(m.h.type, OFPT_EXPERIMENTER);
	ck_assert_uint_eq(m.experimenter.experimenter, PFS_EXPERIMENTER_ID);
	ck_assert_uint_eq(m.experimenter.exp_type, PFS_EXP_TRACE_REPLY);
	ck_assert_int_eq(ofp_trace_reply_decode(&m.experimenter, &a, &rp, &err), 0);
	ck_assert_uint_eq(rp.in_port, 1);
	ck_assert_uint_eq(rp.n_events, 2);
	ck_assert_uint_eq(rp.events[0].kind, OFP_TRACE_MISS);
	ck_assert_str_eq(rp.events[1].text, "table_miss");
	/* Port 0 is no ingress port. */
	rq.in_port = 0;
	buf_clear(&b);
	ck_assert_int_eq(ofp_trace_request_encode(&rq, vconn_next_xid(vc), &b), 0);
	assert_error(vc, vconn_transact(vc, &b, &rep), OFPET_BAD_REQUEST, OFPBRC_BAD_PORT);
	/* Another exp_type of ours, another experimenter. */
	struct ofp_experimenter e = { PFS_EXPERIMENTER_ID, 99, { frame, 8 } };

	buf_clear(&b);
	ck_assert_int_eq(ofp_experimenter_encode(&e, vconn_next_xid(vc), &b), 0);
	assert_error(vc, vconn_transact(vc, &b, &rep), OFPET_BAD_REQUEST, OFPBRC_BAD_EXP_TYPE);
	e.experimenter = 0x2320;
	e.exp_type = PFS_EXP_TRACE_REQUEST;
	buf_clear(&b);
	ck_assert_int_eq(ofp_experimenter_encode(&e, vconn_next_xid(vc), &b), 0);
	assert_error(vc, vconn_transact(vc, &b, &rep), OFPET_BAD_REQUEST, OFPBRC_BAD_EXPERIMENTER);
	buf_uninit(&b);
	buf_uninit(&rep);
	arena_free(&a);
	vconn_close(vc);
}
END_TEST

/* Many messages in one write: those the stream buffered beyond one wakeup's quota
 * must be handled without a new epoll event. */
START_TEST(test_pipelined_burst)
{
	struct vconn *vc = open_sock("br0.mgmt");
	struct buf b = BUF_INITIALIZER;
	struct ofp_echo e = { { NULL, 0 } };

	for (int i = 0; i < 2000; i++)
		ck_assert_int_eq(ofp_echo_request_encode(&e, vconn_next_xid(vc), &b), 0);
	for (int i = 0; i < 50; i++)
		ck_assert_int_eq(flow(vc, OFPFC_DELETE, "table=255"), 0);
	ck_assert_int_eq(send_sync(vc, &b), 0);
	vconn_close(vc);
}
END_TEST

START_TEST(test_hello_failed)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint8_t hello10[8] = { 0x01, OFPT_HELLO, 0, 8, 0, 0, 0, 1 };
	uint8_t in[512];
	size_t got = 0, hl;
	ssize_t k;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct timeval tv = { 3, 0 };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/br0.mgmt", ag.dir);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ck_assert_int_eq(write(fd, hello10, 8), 8);
	while ((k = read(fd, in + got, sizeof(in) - got)) > 0)
		got += (size_t)k;
	ck_assert_int_eq(k, 0); /* closed by the switch */
	ck_assert_uint_ge(got, 8);
	ck_assert_uint_eq(in[1], OFPT_HELLO);
	hl = get_be16(in + 2);
	ck_assert_uint_ge(got, hl + 12);
	ck_assert_uint_eq(in[hl + 1], OFPT_ERROR);
	ck_assert_uint_eq(get_be16(in + hl + 8), OFPET_HELLO_FAILED);
	ck_assert_uint_eq(get_be16(in + hl + 10), OFPHFC_INCOMPATIBLE);
	close(fd);
}
END_TEST

/* Waits for br2's connection to our controller socket; the fd, or -1 after ms. */
static int
accept_ctl(int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		int fd = stream_accept(ag.ctl_listen_fd);

		if (fd >= 0)
			return fd;
		usleep(10000);
	}
	return -1;
}

/* Reads one whole message from a non-blocking fd within ms: its length, 0 on EOF,
 * -1 on timeout. */
static int
read_msg(int fd, uint8_t *buf, size_t max, int ms)
{
	size_t got = 0, want = 8;

	for (int i = 0; i < ms; i++) {
		ssize_t k = read(fd, buf + got, want - got);

		if (k == 0)
			return 0;
		if (k > 0) {
			got += (size_t)k;
			if (got == 8 && want == 8) {
				want = get_be16(buf + 2);
				ck_assert_uint_le(want, max);
				ck_assert_uint_ge(want, 8);
			}
			if (got == want)
				return (int)got;
			continue;
		}
		usleep(1000);
	}
	return -1;
}

START_TEST(test_active_controller_probe_and_backoff)
{
	static const uint8_t hello[8] = { OFP13_VERSION, OFPT_HELLO, 0, 8, 0, 0, 0, 1 };
	uint8_t msg[512];
	uint64_t t0, t1;
	int fd, n;

	/* The bridge connects at once and sends HELLO. */
	fd = accept_ctl(3000);
	ck_assert_int_ge(fd, 0);
	n = read_msg(fd, msg, sizeof(msg), 2000);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(msg[1], OFPT_HELLO);
	ck_assert_int_eq(write(fd, hello, 8), 8);
	/* Silence for inactivity_probe (1 s): an ECHO_REQUEST; still silent: dropped. */
	t0 = ofproto_now_ms();
	n = read_msg(fd, msg, sizeof(msg), 3000);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(msg[1], OFPT_ECHO_REQUEST);
	ck_assert_uint_ge(ofproto_now_ms() - t0, 800);
	n = read_msg(fd, msg, sizeof(msg), 3000);
	ck_assert_int_eq(n, 0); /* closed */
	t1 = ofproto_now_ms();
	close(fd);
	/* That session was good (handshake done): reconnect after 1 s. */
	fd = accept_ctl(3000);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_ge(ofproto_now_ms() - t1, 700);
	close(fd); /* no handshake: back-off doubles (2 s, then 4 s = max_backoff) */
	t1 = ofproto_now_ms();
	fd = accept_ctl(4000);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_ge(ofproto_now_ms() - t1, 1700);
	close(fd);
	t1 = ofproto_now_ms();
	fd = accept_ctl(6000);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_ge(ofproto_now_ms() - t1, 3500);
	/* Answering echoes keeps a session up past several probe intervals. */
	n = read_msg(fd, msg, sizeof(msg), 2000);
	ck_assert_uint_eq(msg[1], OFPT_HELLO);
	ck_assert_int_eq(write(fd, hello, 8), 8);
	for (int i = 0; i < 3; i++) {
		n = read_msg(fd, msg, sizeof(msg), 3000);
		ck_assert_int_gt(n, 0);
		ck_assert_uint_eq(msg[1], OFPT_ECHO_REQUEST);
		msg[1] = OFPT_ECHO_REPLY;
		ck_assert_int_eq(write(fd, msg, (size_t)n), n);
	}
	close(fd);
}
END_TEST

/* ---- The metrics endpoint (metrics.c) over its unix socket ---- */

static int
metrics_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/metrics.sock", ag.dir);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* Reads fd until the peer closes it (3 s at most) into out (NUL-terminated). */
static void
read_all(int fd, struct buf *out)
{
	char chunk[4096];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		ck_assert_int_eq(poll(&p, 1, 3000), 1);
		n = read(fd, chunk, sizeof(chunk));
		if (n <= 0)
			break;
		buf_put(out, chunk, (size_t)n);
	}
	buf_cstr(out);
}

/* One request on a new connection; the response in out. */
static void
http(const char *req, size_t len, struct buf *out)
{
	int fd = metrics_connect();

	buf_clear(out);
	ck_assert_int_eq(write(fd, req, len), (ssize_t)len);
	read_all(fd, out);
	close(fd);
}

static uint64_t
series_value(struct buf *b, const char *series)
{
	char key[256];
	const char *s;
	unsigned long long v;

	snprintf(key, sizeof(key), "\n%s ", series);
	s = strstr(buf_cstr(b), key);
	ck_assert_msg(s != NULL, "no series %s", series);
	ck_assert_int_eq(sscanf(s + strlen(key), "%llu", &v), 1);
	return v;
}

#define HTTP(R, B) http(R, strlen(R), B)

START_TEST(test_metrics_http)
{
	struct vconn *vc = open_sock("br0.mgmt");
	struct buf b = BUF_INITIALIZER;
	int fds[16], fd;
	char big[9000];

	ck_assert_int_eq(flow(vc, OFPFC_ADD, "table=0,priority=1,actions=drop"), 0);
	HTTP("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &b);
	ck_assert_msg(!strncmp(buf_cstr(&b), "HTTP/1.1 200 OK\r\n", 17), "%s", buf_cstr(&b));
	ck_assert(strstr(buf_cstr(&b), "Content-Type: text/plain; version=0.0.4"));
	ck_assert_uint_eq(series_value(&b, "pfswitch_flow_mods_total{bridge=\"br0\"}"), 1);
	ck_assert_uint_eq(
		series_value(&b,
			     "pfswitch_messages_received_total{bridge=\"br0\",type=\"FLOW_MOD\"}"),
		1);
	ck_assert_uint_ge(
		series_value(&b, "pfswitch_barrier_latency_seconds_count{bridge=\"br0\"}"), 1);
	ck_assert_uint_eq(
		series_value(&b, "pfswitch_table_active_flows{bridge=\"br0\",table=\"0\"}"), 1);
	ck_assert_uint_eq(series_value(&b, "pfswitch_connections{bridge=\"br0\",type=\"mgmt\","
					   "state=\"active\",role=\"equal\"}"),
			  1);
	series_value(&b, "pfswitch_port_rx_packets_total{bridge=\"br0\",port=\"p1\"}");
	series_value(&b, "pfswitch_packet_ins_dropped_total{bridge=\"br1\",reason=\"rate_limit\"}");
	ck_assert(!strstr(buf_cstr(&b), "# EOF"));

	/* OpenMetrics when asked for; HEAD; errors. */
	HTTP("GET /metrics HTTP/1.1\r\nAccept: application/openmetrics-text; version=1.0.0\r\n\r\n",
	     &b);
	ck_assert(strstr(buf_cstr(&b), "Content-Type: application/openmetrics-text"));
	ck_assert(strstr(buf_cstr(&b), "\n# TYPE pfswitch_flow_mods counter\n"));
	ck_assert_str_eq(buf_cstr(&b) + b.size - 6, "# EOF\n");
	HTTP("HEAD /metrics HTTP/1.1\r\n\r\n", &b);
	ck_assert(!strncmp(buf_cstr(&b), "HTTP/1.1 200 OK\r\n", 17));
	ck_assert(strstr(buf_cstr(&b), "Content-Length: "));
	ck_assert(!strstr(buf_cstr(&b), "# HELP"));
	HTTP("GET /other HTTP/1.1\r\n\r\n", &b);
	ck_assert(!strncmp(buf_cstr(&b), "HTTP/1.1 404 ", 13));
	HTTP("DELETE /metrics HTTP/1.1\r\n\r\n", &b);
	ck_assert(!strncmp(buf_cstr(&b), "HTTP/1.1 405 ", 13));
	ck_assert(strstr(buf_cstr(&b), "Allow: GET, HEAD\r\n"));
	HTTP("garbage\r\n\r\n", &b);
	ck_assert(!strncmp(buf_cstr(&b), "HTTP/1.1 400 ", 13));
	memset(big, 'a', sizeof(big));
	http(big, sizeof(big), &b);
	ck_assert(!strncmp(buf_cstr(&b), "HTTP/1.1 431 ", 13));

	/* At most METRICS_MAX_CONNS (16) connections: the 17th is closed at once. */
	for (size_t i = 0; i < 16; i++)
		fds[i] = metrics_connect();
	usleep(100000);
	fd = metrics_connect();
	buf_clear(&b);
	read_all(fd, &b);
	ck_assert_uint_eq(b.size, 0);
	close(fd);
	for (size_t i = 0; i < 16; i++)
		close(fds[i]);
	usleep(100000);
	HTTP("GET /metrics HTTP/1.0\r\n\r\n", &b);
	ck_assert(!strncmp(buf_cstr(&b), "HTTP/1.1 200 OK\r\n", 17));
	buf_uninit(&b);
	vconn_close(vc);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ofproto");
	TCase *tc = tcase_create("agent");
	SRunner *sr;
	int failed;

	signal(SIGPIPE, SIG_IGN);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_features_desc_ports_tables);
	tcase_add_test(tc, test_config_and_refusals);
	tcase_add_test(tc, test_group_mod_checks);
	tcase_add_test(tc, test_group_graph);
	tcase_add_test(tc, test_group_meter_ref_counts);
	tcase_add_test(tc, test_flow_mods);
	tcase_add_test(tc, test_bundle_commit_and_errors);
	tcase_add_test(tc, test_bundle_meter_port_packet_out);
	tcase_add_test(tc, test_bridge_quotas);
	tcase_add_test(tc, test_counters_and_replace);
	tcase_add_test(tc, test_roles);
	tcase_add_test(tc, test_controller_packet_in_snoop_fail_mode);
	tcase_add_test(tc, test_packet_in_fair_across_ports);
	tcase_add_test(tc, test_flow_removed_and_expiry);
	tcase_add_test(tc, test_table_features_set);
	tcase_add_test(tc, test_table_features_set_multipart);
	tcase_add_test(tc, test_port_status_and_port_mod);
	tcase_add_test(tc, test_packet_out);
	tcase_add_test(tc, test_trace_experimenter);
	tcase_add_test(tc, test_hello_failed);
	tcase_add_test(tc, test_pipelined_burst);
	tcase_add_test(tc, test_active_controller_probe_and_backoff);
	tcase_add_test(tc, test_metrics_http);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
