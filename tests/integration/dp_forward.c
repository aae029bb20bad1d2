/* dp_forward: the smallest switch on the datapath's public API, for dp_veth_ping.sh.
 * Opens two interfaces as net_af_packet ports 1 and 2 of one bridge, installs
 * in_port=1,actions=output:2 and in_port=2,actions=output:1, prints "ready", forwards
 * until SIGINT/SIGTERM or the time limit, then prints the ports' counters.
 *
 * Usage: dp_forward IFACE1 IFACE2 [SECONDS] */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "datapath.h"
#include "ofp_instruction.h"
#include "oxm.h"

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static int
flow(struct dp_bridge *br, const char *match, const char *actions)
{
	struct ofp_match m;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_instruction_list il;
	struct ofp_err err;
	struct dp_flow *f;
	char eb[128];
	int ret;

	oxm_match_init(&m);
	if (oxm_parse(match, &m, eb, sizeof(eb)) < 0 ||
	    ofp_instructions_parse(actions, &a, &il, eb, sizeof(eb)) < 0) {
		fprintf(stderr, "dp_forward: %s\n", eb);
		arena_free(&a);
		return -EINVAL;
	}
	struct dp_flow_spec spec = { .table_id = 0, .priority = 10, .match = &m, .insts = &il };

	ret = dp_flow_add(br, &spec, &f, &err);
	arena_free(&a);
	return ret;
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0],       "--no-pci", "--no-huge",
			"--no-shconf", "-l",	   "0-1",
			"-m",	       "256",	   "--log-level=lib.eal:error",
			NULL };
	struct dp_params p;
	struct dp_bridge *br;
	struct dp_port *port[2];
	int ret;

	if (argc < 3) {
		fprintf(stderr, "usage: dp_forward IFACE1 IFACE2 [SECONDS]\n");
		return 2;
	}
	int seconds = argc > 3 ? atoi(argv[3]) : 60;

	dp_params_default(&p);
	p.n_mbufs = 4095;
	ret = dp_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal, &p);
	if (ret < 0) {
		fprintf(stderr, "dp_forward: dp_init: %s\n", strerror(-ret));
		return 1;
	}
	ret = dp_bridge_create("br0", &br);
	for (int i = 0; ret == 0 && i < 2; i++) {
		char devargs[128];

		snprintf(devargs, sizeof(devargs), "net_af_packet%d,iface=%s", i, argv[1 + i]);
		ret = dp_port_add(br, argv[1 + i], devargs, (uint32_t)(i + 1), &port[i]);
	}
	if (ret == 0)
		ret = flow(br, "in_port=1", "output:2");
	if (ret == 0)
		ret = flow(br, "in_port=2", "output:1");
	if (ret == 0)
		ret = dp_commit(br);
	if (ret == 0)
		ret = dp_start();
	if (ret < 0) {
		fprintf(stderr, "dp_forward: setup: %s\n", strerror(-ret));
		dp_fini();
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("ready\n");
	fflush(stdout);
	for (int t = 0; !quit && t < seconds * 10; t++)
		usleep(100000);
	dp_stop();
	for (int i = 0; i < 2; i++) {
		struct dp_port_stats st;

		dp_port_get_stats(port[i], &st);
		printf("port %d: rx %llu tx %llu rx_dropped %llu tx_dropped %llu\n", i + 1,
		       (unsigned long long)st.rx_packets, (unsigned long long)st.tx_packets,
		       (unsigned long long)st.rx_dropped, (unsigned long long)st.tx_dropped);
	}
	struct dp_drop_stat drops[128];
	unsigned nd = dp_drop_stats(drops, 128);

	for (unsigned i = 0; i < nd && i < 128; i++)
		if (drops[i].count)
			printf("drop %s: %llu\n", drops[i].name,
			       (unsigned long long)drops[i].count);
	dp_fini();
	return 0;
}
