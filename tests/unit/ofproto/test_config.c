/* Unit tests of pfswitchd's INI configuration parser (ofproto/config.c): the shipped
 * reference file, defaults, every kind of refusal with its FILE:LINE, EAL argv. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "vlog.h"

static char errbuf[512];

static int
parse(const char *text, struct config *cfg)
{
	errbuf[0] = '\0';
	return config_parse_string(text, "t.ini", cfg, errbuf, sizeof(errbuf));
}

/* Asserts that text is refused with a message starting "t.ini:LINE: " and
 * containing what. */
static void
expect_error(const char *text, int line, const char *what)
{
	struct config cfg;
	char prefix[32];
	int r = parse(text, &cfg);

	snprintf(prefix, sizeof(prefix), "t.ini:%d: ", line);
	ck_assert_msg(r == -EINVAL, "accepted: %s", text);
	ck_assert_msg(!strncmp(errbuf, prefix, strlen(prefix)), "want %s, got '%s'", prefix,
		      errbuf);
	ck_assert_msg(strstr(errbuf, what), "want '%s' in '%s'", what, errbuf);
	config_free(&cfg);
}

START_TEST(test_reference_file)
{
	struct config cfg;
	const struct config_bridge *b;
	int r = config_load(SRCDIR "/../../../config/pfswitch.ini", &cfg, errbuf, sizeof(errbuf));

	ck_assert_msg(r == 0, "%s", errbuf);
	ck_assert_uint_eq(cfg.n_bridges, 1);
	ck_assert_uint_eq(cfg.n_ports, 3); /* the demo's three hosts */
	b = config_find_bridge(&cfg, "br0");
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(b->fail_mode, CONFIG_FAIL_STANDALONE);
	ck_assert_uint_eq(b->datapath_id, 1);
	ck_assert_str_eq(cfg.rundir, "/run/pfswitch");
	ck_assert_ptr_null(cfg.metrics); /* off by default */
	ck_assert_str_eq(cfg.handover_socket, "/run/pfswitch/pfswitchd.handover");
	ck_assert_ptr_null(cfg.state_file);
	ck_assert_str_eq(cfg.ports[0].devargs, "net_af_packet0,iface=veth-a");
	ck_assert_str_eq(cfg.ports[1].bridge, "br0");
	ck_assert_str_eq(cfg.ports[2].devargs, "net_af_packet2,iface=veth-c");
	ck_assert_uint_eq(cfg.ports[1].ofport, 2);
	ck_assert_str_eq(b->description, "pfswitch demo bridge br0");
	config_free(&cfg);
	config_free(&cfg); /* idempotent */
}
END_TEST

START_TEST(test_defaults_and_values)
{
	struct config cfg;
	const char *text = "[switch]\n"
			   "workers = 3\n"
			   "rundir = /tmp/x ; inline comment\n"
			   "log_level = dbg\n"
			   "microflow_cache = off\n"
			   "group_bucket_budget = 1000\n"
			   "idle_link_speed_mbps = 1000\n"
			   "rx_interrupts = no\n"
			   "timer_slack_ns = 0\n"
			   "consolidate = yes\n"
			   "consolidate_below_pct = 5\n"
			   "consolidate_above_pct = 80\n"
			   "metrics = tcp:127.0.0.1:9470\n"
			   "state_file = /var/lib/pfswitch/state\n"
			   "[bridge a]\n"
			   "[bridge b]\n"
			   "datapath_id = 0xff\n"
			   "fail_mode = secure\n"
			   "controller = tcp:127.0.0.1:6653\n"
			   "controller = ptcp:6653\n"
			   "  punix:/tmp/c.sock\n"
			   "inactivity_probe = 0\n"
			   "max_backoff = 30\n"
			   "max_flows = 10\n"
			   "packet_in_rate = 0\n"
			   "max_total_flows = 100\n"
			   "max_groups = 5\n"
			   "max_meters = 6\n"
			   "bridge_packet_in_rate = 0\n"
			   "bridge_packet_in_burst = 7\n"
			   "packet_in_queue_per_port = 5\n"
			   "packet_in_queue_total = 50\n"
			   "[port p1]\n"
			   "bridge = b\n"
			   "ofport = 7\n"
			   "devargs = net_null0\n"
			   "# a comment\n"
			   "; another\n";
	const struct config_bridge *a, *b;

	ck_assert_msg(parse(text, &cfg) == 0, "%s", errbuf);
	ck_assert_uint_eq(cfg.workers, 3);
	ck_assert_str_eq(cfg.rundir, "/tmp/x");
	ck_assert_str_eq(cfg.metrics, "tcp:127.0.0.1:9470");
	ck_assert_str_eq(cfg.state_file, "/var/lib/pfswitch/state");
	ck_assert_int_eq(cfg.log_level, VLOG_DBG);
	ck_assert(!cfg.microflow_cache);
	ck_assert_uint_eq(cfg.group_bucket_budget, 1000);
	ck_assert_uint_eq(cfg.idle_link_speed_mbps, 1000);
	ck_assert(!cfg.rx_interrupts);
	ck_assert_uint_eq(cfg.timer_slack_ns, 0);
	ck_assert(cfg.consolidate);
	ck_assert_uint_eq(cfg.consolidate_below_pct, 5);
	ck_assert_uint_eq(cfg.consolidate_above_pct, 80);
	a = config_find_bridge(&cfg, "a");
	b = config_find_bridge(&cfg, "b");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	/* A bridge without keys still exists, with the defaults. */
	ck_assert_uint_eq(a->datapath_id, 1);
	ck_assert_int_eq(a->fail_mode, CONFIG_FAIL_STANDALONE);
	ck_assert_uint_eq(a->inactivity_probe_s, 5);
	ck_assert_uint_eq(a->max_backoff_s, 8);
	ck_assert_uint_eq(a->n_controllers, 0);
	ck_assert_uint_eq(a->max_total_flows, 1000000);
	ck_assert_uint_eq(a->max_groups, CONFIG_MAX_GROUPS);
	ck_assert_uint_eq(a->max_meters, CONFIG_MAX_METERS);
	ck_assert_uint_eq(a->bridge_packet_in_rate, 10000);
	ck_assert_uint_eq(a->bridge_packet_in_burst, 1000);
	ck_assert_uint_eq(b->datapath_id, 0xff);
	ck_assert_int_eq(b->fail_mode, CONFIG_FAIL_SECURE);
	ck_assert_uint_eq(b->n_controllers, 3);
	ck_assert_str_eq(b->controllers[2], "punix:/tmp/c.sock");
	ck_assert_uint_eq(b->inactivity_probe_s, 0);
	ck_assert_uint_eq(b->max_backoff_s, 30);
	ck_assert_uint_eq(b->max_flows, 10);
	ck_assert_uint_eq(b->packet_in_rate, 0);
	ck_assert_uint_eq(b->max_total_flows, 100);
	ck_assert_uint_eq(b->max_groups, 5);
	ck_assert_uint_eq(b->max_meters, 6);
	ck_assert_uint_eq(b->bridge_packet_in_rate, 0);
	ck_assert_uint_eq(b->bridge_packet_in_burst, 7);
	ck_assert_uint_eq(b->packet_in_queue_per_port, 5);
	ck_assert_uint_eq(b->packet_in_queue_total, 50);
	ck_assert_uint_eq(a->packet_in_queue_per_port, 64);
	ck_assert_uint_eq(a->packet_in_queue_total, 1024);
	ck_assert_uint_eq(cfg.ports[0].ofport, 7);
	config_free(&cfg);

	ck_assert_int_eq(parse("[switch]\nconn_queue_max = 4194304\nconn_queue_pause = 65536\n"
			       "conn_async_max = 1048576\nconn_stall_timeout = 0\n"
			       "max_connections = 5\nmax_connections_per_listener = 3\n"
			       "multipart_request_timeout = 2\nmultipart_request_max = 65536\n",
			       &cfg),
			 0);
	ck_assert_uint_eq(cfg.conn.queue_max, 4194304);
	ck_assert_uint_eq(cfg.conn.queue_pause, 65536);
	ck_assert_uint_eq(cfg.conn.async_max, 1048576);
	ck_assert_uint_eq(cfg.conn.stall_timeout_s, 0);
	ck_assert_uint_eq(cfg.conn.max_conns, 5);
	ck_assert_uint_eq(cfg.conn.max_per_listener, 3);
	ck_assert_uint_eq(cfg.conn.mp_timeout_s, 2);
	ck_assert_uint_eq(cfg.conn.mp_max, 65536);
	config_free(&cfg);

	ck_assert_int_eq(parse("[switch]\nbundle_idle_timeout = 3\nbundle_max_open = 2\n"
			       "bundle_max_messages = 5\nbundle_max_bytes = 65536\n",
			       &cfg),
			 0);
	ck_assert_uint_eq(cfg.conn.bundle_idle_timeout_s, 3);
	ck_assert_uint_eq(cfg.conn.bundle_max_open, 2);
	ck_assert_uint_eq(cfg.conn.bundle_max_msgs, 5);
	ck_assert_uint_eq(cfg.conn.bundle_max_bytes, 65536);
	config_free(&cfg);
	ck_assert_int_eq(parse("", &cfg), 0);
	ck_assert_uint_eq(cfg.conn.bundle_idle_timeout_s, CONFIG_BUNDLE_IDLE_TIMEOUT_DEFAULT);
	ck_assert_uint_eq(cfg.conn.bundle_max_open, CONFIG_BUNDLE_MAX_OPEN_DEFAULT);
	config_free(&cfg);

	ck_assert_int_eq(parse("", &cfg), 0);
	ck_assert_uint_eq(cfg.conn.queue_pause, CONFIG_CONN_QUEUE_PAUSE_DEFAULT);
	ck_assert_uint_eq(cfg.conn.max_conns, CONFIG_MAX_CONNECTIONS_DEFAULT);
	ck_assert_str_eq(cfg.rundir, CONFIG_RUNDIR_DEFAULT);
	ck_assert_uint_eq(cfg.workers, 1);
	ck_assert(cfg.microflow_cache);
	ck_assert_uint_eq(cfg.group_bucket_budget, 256);
	ck_assert_uint_eq(cfg.idle_link_speed_mbps, 0);
	ck_assert(cfg.rx_interrupts);
	ck_assert_uint_eq(cfg.timer_slack_ns, 1000);
	ck_assert(!cfg.consolidate);
	ck_assert_uint_eq(cfg.consolidate_below_pct, 10);
	ck_assert_uint_eq(cfg.consolidate_above_pct, 50);
	ck_assert_uint_eq(cfg.mac_table_size, 8192);
	ck_assert_uint_eq(cfg.mac_aging_s, 300);
	ck_assert_uint_eq(cfg.mac_max_per_port, 1024);
	config_free(&cfg);
	ck_assert_msg(parse("[switch]\nmac_table_size = 100\nmac_aging = 5\nmac_max_per_port = 0\n",
			    &cfg) == 0,
		      "%s", errbuf);
	ck_assert_uint_eq(cfg.mac_table_size, 100);
	ck_assert_uint_eq(cfg.mac_aging_s, 5);
	ck_assert_uint_eq(cfg.mac_max_per_port, 0);
	config_free(&cfg);
}
END_TEST

START_TEST(test_local_port)
{
	struct config cfg;
	const struct config_bridge *a, *b;
	const char *text = "[bridge a]\n"
			   "[bridge b]\n"
			   "local_port = yes\n"
			   "[bridge c]\n"
			   "local_port = true\n"
			   "local_port_name = host-c\n";

	ck_assert_msg(parse(text, &cfg) == 0, "%s", errbuf);
	a = config_find_bridge(&cfg, "a");
	b = config_find_bridge(&cfg, "b");
	ck_assert(!a->local_port);
	ck_assert(b->local_port);
	ck_assert_str_eq(b->local_port_name, "b"); /* default: the bridge name */
	ck_assert(config_find_bridge(&cfg, "c")->local_port);
	ck_assert_str_eq(config_find_bridge(&cfg, "c")->local_port_name, "host-c");
	config_free(&cfg);

	expect_error("[bridge a]\nlocal_port = sometimes\n", 2, "not a boolean");
	expect_error("[bridge a]\nlocal_port_name = this-name-is-too-long\n", 2,
		     "not a valid interface name");
	expect_error("[bridge a]\nlocal_port_name = a/b\n", 2, "not a valid interface name");
	expect_error("[bridge a]\nlocal_port = on\nlocal_port_name = p1\n"
		     "[port p1]\nbridge = a\nofport = 1\ndevargs = net_null0\n",
		     3, "taken by the port at line 4");
	expect_error("[bridge a]\nlocal_port = on\n[bridge b]\nlocal_port = on\n"
		     "local_port_name = a\n",
		     5, "is bridge a's too");
}
END_TEST

START_TEST(test_errors)
{
	expect_error("[dpdk]\neal = x\n[bogus]\n", 3, "unknown section [bogus]");
	expect_error("[switch]\nworkers = 2\nfoo = 1\n", 3, "unknown key 'foo' in [switch]");
	expect_error("workers = 1\n", 1, "outside any section");
	expect_error("[switch]\nworkers = two\n", 2, "'two' is not a number");
	expect_error("[switch]\nworkers = 0\n", 2, "out of range");
	expect_error("[switch]\nworkers = -1\n", 2, "not a number");
	expect_error("[switch]\nworkers = 1\nworkers = 2\n", 3, "given twice");
	expect_error("[switch]\nrundir = relative/path\n", 2, "not an absolute path");
	expect_error("[switch]\nlog_level = loud\n", 2, "not one of");
	expect_error("[switch]\nmetrics = 127.0.0.1:9100\n", 2, "metrics:");
	expect_error("[switch]\nhandover_socket = run/h.sock\n", 2, "not an absolute path");
	expect_error("[switch]\nstate_file = state.bin\n", 2, "not an absolute path");
	expect_error("[switch]\nmetrics = ptcp:9100\n", 2, "not tcp:IP:PORT or unix:PATH");
	expect_error("[switch]\nmetrics = tcp:127.0.0.1\n", 2, "port 0");
	expect_error("[switch]\nmetrics = tcp:127.0.0.1:70000\n", 2, "metrics:");
	expect_error("[switch]\nmicroflow_cache = maybe\n", 2, "not a boolean");
	expect_error("[switch]\nconn_queue_pause = 100\n", 2, "out of range");
	expect_error("[switch]\nconn_queue_pause = 20000000\n", 2, "at most half");
	expect_error("[switch]\nconn_queue_max = 1048576\n", 2, "at most half");
	expect_error("[switch]\nconn_async_max = 40000000\n", 2, "at most conn_queue_max");
	expect_error("[switch]\nconn_queue_max = 4194304\n", 2, "at most conn_queue_max");
	expect_error("[switch]\nconn_stall_timeout = 3601\n", 2, "out of range");
	expect_error("[switch]\nmax_connections = 0\n", 2, "out of range");
	expect_error("[switch]\nmax_connections_per_listener = x\n", 2, "not a number");
	expect_error("[switch]\nmultipart_request_timeout = 0\n", 2, "out of range");
	expect_error("[switch]\nmultipart_request_max = 1024\n", 2, "out of range");
	expect_error("[switch]\nbundle_idle_timeout = 0\n", 2, "out of range");
	expect_error("[switch]\nbundle_max_open = 1025\n", 2, "out of range");
	expect_error("[switch]\nbundle_max_messages = 0\n", 2, "out of range");
	expect_error("[switch]\nbundle_max_bytes = 1000\n", 2, "out of range");
	expect_error("[switch]\ngroup_bucket_budget = 0\n", 2, "out of range");
	expect_error("[switch]\ngroup_bucket_budget = 65537\n", 2, "out of range");
	expect_error("[switch]\nidle_link_speed_mbps = 1000001\n", 2, "out of range");
	expect_error("[switch]\nidle_link_speed_mbps = fast\n", 2, "not a number");
	expect_error("[switch]\nrx_interrupts = sometimes\n", 2, "not a boolean");
	expect_error("[switch]\ntimer_slack_ns = 2000000000\n", 2, "out of range");
	expect_error("[switch]\nconsolidate = 2\n", 2, "not a boolean");
	expect_error("[switch]\nconsolidate_below_pct = 0\n", 2, "out of range");
	expect_error("[switch]\nconsolidate_above_pct = 101\n", 2, "out of range");
	expect_error("[switch]\nconsolidate_below_pct = 60\n", 2, "must be less than");
	expect_error("[switch]\nconsolidate_above_pct = 30\nconsolidate_below_pct = 40\n", 3,
		     "must be less than");
	expect_error("[dpdk]\nmiss_ring_size = 1000\n", 2, "not a power of two");
	expect_error("[switch]\nmac_table_size = 8\n", 2, "out of range");
	expect_error("[switch]\nmac_aging = 0\n", 2, "out of range");
	expect_error("[switch]\nmac_max_per_port = lots\n", 2, "not a number");
	expect_error("[bridge a]\npacket_in_queue_per_port = 0\n", 2, "out of range");
	expect_error("[bridge a]\npacket_in_queue_total = 2000000\n", 2, "out of range");
	expect_error("\n[bridge]\n", 2, "needs a name");
	expect_error("[bridge a b]\n", 1, "too many words");
	expect_error("[bridge this-name-is-too-long]\n", 1, "bridge name");
	expect_error("[bridge a]\n[bridge a]\n", 2, "already defined at line 1");
	expect_error("[bridge a]\nfail_mode = open\n", 2, "not standalone or secure");
	expect_error("[bridge a]\ncontroller = http://x\n", 2, "controller");
	expect_error("[bridge a]\ncontroller = ssl:1.2.3.4:6653\n", 2,
		     "needs ssl_private_key, ssl_certificate and ssl_ca_cert");
	expect_error("[bridge a]\ncontroller = tcp:1.2.3.4\n\ncontroller = pssl:6653\n", 4,
		     "needs ssl_private_key");
	expect_error("[bridge a]\ncontroller = ssl:1.2.3.4:0\n", 2, "port 0");
	expect_error("[switch]\nssl_private_key = /nonexistent/key.pem\n", 2,
		     "/nonexistent/key.pem: No such file or directory");
	expect_error("[switch]\nssl_ca_cert =\n", 2, "ssl_ca_cert: empty");
	expect_error("[switch]\nssl_verify_peer = sometimes\n", 2, "not a boolean");
	expect_error("[bridge a]\ncontroller = tcp:1.2.3.4:99999\n", 2, "controller");
	expect_error("[bridge a]\ncontroller = ptcp:6653\ncontroller = ptcp:6653\n", 3,
		     "listed twice");
	expect_error("[bridge a]\nmax_backoff = 0\n", 2, "out of range");
	expect_error("[bridge a]\nmax_total_flows = 0\n", 2, "out of range");
	expect_error("[bridge a]\nmax_total_flows = many\n", 2, "not a number");
	expect_error("[bridge a]\nmax_groups = 0\n", 2, "out of range");
	expect_error("[bridge a]\nmax_groups = 65537\n", 2, "out of range");
	expect_error("[bridge a]\nmax_meters = 0\n", 2, "out of range");
	expect_error("[bridge a]\nmax_meters = 65537\n", 2, "out of range");
	expect_error("[bridge a]\nbridge_packet_in_rate = -1\n", 2, "not a number");
	expect_error("[bridge a]\nbridge_packet_in_rate = 10000001\n", 2, "out of range");
	expect_error("[bridge a]\nbridge_packet_in_burst = 0\n", 2, "out of range");
	expect_error("[bridge a]\ndatapath_id = 0x10000000000000000\n", 2, "not a number");
	expect_error("[bridge a]\n[bridge b]\ndatapath_id = 1\n", 2, "already used by bridge a");
	expect_error("[bridge a]\n[port p]\nbridge = b\nofport = 1\ndevargs = x\n", 3,
		     "no [bridge b] section");
	expect_error("[bridge a]\n[port p]\nofport = 1\ndevargs = x\n", 2, "'bridge' is required");
	expect_error("[bridge a]\n[port p]\nbridge = a\ndevargs = x\n", 2, "'ofport' is required");
	expect_error("[bridge a]\n[port p]\nbridge = a\nofport = 1\n", 2, "'devargs' is required");
	expect_error("[bridge a]\n[port p]\nbridge = a\nofport = 0\n", 4, "out of range");
	expect_error("[bridge a]\n[port p]\nbridge = a\nofport = 0xffffff01\n", 4, "out of range");
	expect_error("[bridge a]\n[port p]\nbridge=a\nofport=1\ndevargs=x\n"
		     "[port q]\nbridge=a\nofport=1\ndevargs=y\n",
		     6, "ofport 1 on bridge a already used by port p");
	expect_error("[bridge a]\n[port p]\nbridge=a\nofport=1\ndevargs=x\n"
		     "[port q]\nbridge=a\nofport=2\ndevargs=x\n",
		     6, "devargs already used by port p");
	expect_error("[bridge a]\n[port p]\nbridge=a\nofport=1\ndevargs=x\n[port p]\n", 6,
		     "already defined");
	expect_error("[switch]\nthis line has no equals sign\n", 2, "syntax error");
	expect_error("[switch\n", 1, "without ']'");
	expect_error("[dpdk]\n[dpdk]\neal=a\neal=b\n", 4, "given twice");
}
END_TEST

/* ssl:/pssl: with the three files made by tests/make_certs.sh: accepted when they load
 * together, refused at the controller's line when they do not. */
START_TEST(test_vhost_port)
{
	struct config cfg;
	const char *text = "[bridge a]\n"
			   "[port vm1]\nbridge = a\nofport = 1\ntype = vhost\n"
			   "vhost_socket = /run/vm1.sock\n"
			   "[port vm2]\nbridge = a\nofport = 2\ntype = vhost\n"
			   "vhost_socket = /run/vm2.sock\nvhost_mode = server\n"
			   "[port p3]\nbridge = a\nofport = 3\ntype = dpdk\ndevargs = net_null0\n";
	int r = config_parse_string(text, "t", &cfg, errbuf, sizeof(errbuf));

	ck_assert_msg(r == 0, "%s", errbuf);
	ck_assert_uint_eq(cfg.n_ports, 3);
	/* Client by default: the guest side keeps the socket. */
	ck_assert_str_eq(cfg.ports[0].devargs, "net_vhost_vm1,iface=/run/vm1.sock,client=1");
	ck_assert_str_eq(cfg.ports[1].devargs, "net_vhost_vm2,iface=/run/vm2.sock");
	ck_assert_str_eq(cfg.ports[2].devargs, "net_null0");
	config_free(&cfg);

	const char *head = "[bridge a]\n[port v]\nbridge = a\nofport = 1\n";
	char t[512];

#define VHOST_ERR(keys, line, what)                                                                \
	do {                                                                                       \
		snprintf(t, sizeof(t), "%s%s", head, keys);                                        \
		expect_error(t, line, what);                                                       \
	} while (0)
	VHOST_ERR("type = virtio\n", 5, "not dpdk or vhost");
	VHOST_ERR("type = vhost\n", 5, "needs 'vhost_socket'");
	VHOST_ERR("type = vhost\nvhost_socket = relative.sock\n", 6, "not an absolute path");
	VHOST_ERR("type = vhost\nvhost_socket = /a,b.sock\n", 6, "comma");
	VHOST_ERR("type = vhost\nvhost_socket = /"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\n",
		  6, "longer than a unix socket path");
	VHOST_ERR("type = vhost\nvhost_socket = /s\nvhost_mode = both\n", 7,
		  "not client or server");
	VHOST_ERR("type = vhost\nvhost_socket = /s\ndevargs = net_null0\n", 5,
		  "takes vhost_socket, not devargs");
	VHOST_ERR("devargs = net_null0\nvhost_socket = /s\n", 6, "need 'type = vhost'");
	VHOST_ERR("type = vhost\nvhost_socket = /s\n[port w]\nbridge = a\nofport = 2\n"
		  "type = vhost\nvhost_socket = /s\n",
		  11, "vhost_socket already used by port v");
#undef VHOST_ERR
}
END_TEST

START_TEST(test_tls_files)
{
	char dir[] = "/tmp/pfs-cfg-tls-XXXXXX", cmd[256], text[1024];
	struct config cfg;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "sh %s/../../make_certs.sh %s", SRCDIR, dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(text, sizeof(text),
		 "[bridge a]\ncontroller = ssl:127.0.0.1\ncontroller = pssl:6654\n[switch]\n"
		 "ssl_private_key = %s/switch-key.pem\nssl_certificate = %s/switch-cert.pem\n"
		 "ssl_ca_cert = %s/ca.pem\n",
		 dir, dir, dir);
	ck_assert_msg(parse(text, &cfg) == 0, "%s", errbuf);
	ck_assert(cfg.uses_tls);
	ck_assert(cfg.ssl_verify_peer);
	ck_assert_str_eq(cfg.ssl_ca_cert + strlen(dir), "/ca.pem");
	config_free(&cfg);
	/* A key that is not the certificate's. */
	snprintf(
		text, sizeof(text),
		"[switch]\nssl_private_key = %s/ctl-key.pem\nssl_certificate = %s/switch-cert.pem\n"
		"ssl_ca_cert = %s/ca.pem\nssl_verify_peer = false\n[bridge a]\n"
		"controller = ssl:127.0.0.1\n",
		dir, dir, dir);
	expect_error(text, 7, "mismatch");
	/* A file that is not PEM. */
	snprintf(text, sizeof(text),
		 "[bridge a]\ncontroller = pssl:\n[switch]\nssl_private_key = %s/switch-key.pem\n"
		 "ssl_certificate = %s/switch-cert.pem\nssl_ca_cert = %s/leaf.ext\n",
		 dir, dir, dir);
	expect_error(text, 2, "CA certificate");
	/* Without TLS controllers the keys are checked for readability only. */
	snprintf(text, sizeof(text), "[switch]\nssl_ca_cert = %s/leaf.ext\n", dir);
	ck_assert_msg(parse(text, &cfg) == 0, "%s", errbuf);
	ck_assert(!cfg.uses_tls);
	config_free(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_long_line)
{
	char text[600];

	memset(text, 'x', sizeof(text));
	memcpy(text, "[dpdk]\neal = ", 13);
	text[sizeof(text) - 2] = '\n';
	text[sizeof(text) - 1] = '\0';
	expect_error(text, 2, "line longer than");
}
END_TEST

START_TEST(test_load_missing_file)
{
	struct config cfg;
	int r = config_load("/nonexistent/pfswitch.ini", &cfg, errbuf, sizeof(errbuf));

	ck_assert_int_eq(r, -ENOENT);
	ck_assert(strstr(errbuf, "/nonexistent/pfswitch.ini") != NULL);
	config_free(&cfg);
}
END_TEST

START_TEST(test_eal_argv)
{
	struct config cfg;
	char *extra[] = { "--file-prefix", "t1" };
	char **argv;
	int argc;

	ck_assert_int_eq(
		parse("[dpdk]\neal = -l 0-1  --vdev 'net_null0,a=b c' \"--in-memory\"\n", &cfg), 0);
	ck_assert_int_eq(config_eal_argv(&cfg, "pfswitchd", 2, extra, &argc, &argv), 0);
	ck_assert_int_eq(argc, 8);
	ck_assert_str_eq(argv[0], "pfswitchd");
	ck_assert_str_eq(argv[1], "-l");
	ck_assert_str_eq(argv[2], "0-1");
	ck_assert_str_eq(argv[3], "--vdev");
	ck_assert_str_eq(argv[4], "net_null0,a=b c");
	ck_assert_str_eq(argv[5], "--in-memory");
	ck_assert_str_eq(argv[6], "--file-prefix");
	ck_assert_str_eq(argv[7], "t1");
	ck_assert_ptr_null(argv[8]);
	config_free_argv(argc, argv);
	config_free(&cfg);

	ck_assert_int_eq(parse("[dpdk]\neal = 'unterminated\n", &cfg), 0);
	ck_assert_int_eq(config_eal_argv(&cfg, "x", 0, NULL, &argc, &argv), -EINVAL);
	config_free(&cfg);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_reference_file);
	tcase_add_test(tc, test_defaults_and_values);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_local_port);
	tcase_add_test(tc, test_vhost_port);
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_tls_files);
	tcase_add_test(tc, test_load_missing_file);
	tcase_add_test(tc, test_eal_argv);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
