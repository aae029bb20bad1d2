/* bench_datapath: a quick single-worker forwarding figure through the public API (not a
 * test: nothing is asserted). net_null port 1 generates 64-byte frames as fast as the
 * worker polls, a rule forwards them to net_null port 2, which frees them; the worker
 * busy-polls. Prints packets/s and TSC cycles per packet (the worker's core is busy the
 * whole time, so cycles/packet = elapsed cycles / packets), microflow cache hit counts.
 *
 * Usage: bench_datapath [cache=0|1] [seconds] [extra_rules] [-- EAL args]
 * extra_rules adds that many non-matching rules over 4 masks to table 0, so lookups
 * without the cache probe several subtables. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "arena.h"
#include "datapath.h"
#include "ofp_instruction.h"
#include "oxm.h"

static void
flow(struct dp_bridge *br, uint16_t prio, const char *match, const char *actions)
{
	struct ofp_match m;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_instruction_list il;
	struct ofp_err err;
	struct dp_flow *f;
	char eb[128];

	oxm_match_init(&m);
	if ((*match && oxm_parse(match, &m, eb, sizeof(eb)) < 0) ||
	    ofp_instructions_parse(actions, &a, &il, eb, sizeof(eb)) < 0 ||
	    dp_flow_add(br, &(struct dp_flow_spec){ .priority = prio, .match = &m, .insts = &il },
			&f, &err) < 0) {
		fprintf(stderr, "flow %s %s failed\n", match, actions);
		exit(1);
	}
	arena_free(&a);
}

/* CPU seconds the worker thread ("rte-worker-1") has used: on a shared machine the
 * elapsed time overstates what a packet costs. */
static double
worker_cpu_s(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	double s = -1;

	while (d && (e = readdir(d)) != NULL) {
		char path[300], buf[512];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(buf, sizeof(buf), f) || strncmp(buf, "rte-worker-1", 12) != 0) {
			fclose(f);
			continue;
		}
		fclose(f);
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (f && fgets(buf, sizeof(buf), f)) {
			const char *p = strrchr(buf, ')');
			unsigned long ut = 0, st = 0;

			/* fields after the comm: state ppid ... utime(14) stime(15) */
			if (p &&
			    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
				   &ut, &st) == 2)
				s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return s;
}

int
main(int argc, char **argv)
{
	char *defeal[] = { argv[0],	  "--no-pci", "--no-huge",
			   "--no-shconf", "-l",	      "0-1",
			   "-m",	  "512",      "--log-level=lib.eal:error",
			   NULL };
	char **eal = defeal;
	int neal = 9;
	int cache = argc > 1 ? atoi(argv[1]) : 1;
	int secs = argc > 2 ? atoi(argv[2]) : 3;
	int extra = argc > 3 ? atoi(argv[3]) : 0;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = argv[0];
			eal = argv + i;
			neal = argc - i;
		}
	struct dp_params p;
	struct dp_bridge *br;
	struct dp_port *p1, *p2;

	dp_params_default(&p);
	p.microflow_cache = cache != 0;
	p.idle_polls_before_sleep = 0; /* busy polling */
	if (dp_init(neal, eal, &p) < 0 || dp_bridge_create("br0", &br) < 0 ||
	    dp_port_add(br, "n1", "net_null0,size=64", 1, &p1) < 0 ||
	    dp_port_add(br, "n2", "net_null1,size=64", 2, &p2) < 0) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	for (int i = 0; i < extra; i++) {
		char m[96];

		switch (i % 4) {
		case 0:
			snprintf(m, sizeof(m), "ip,nw_dst=10.%d.%d.0/24", i >> 8 & 255, i & 255);
			break;
		case 1:
			snprintf(m, sizeof(m), "tcp,tp_dst=%d", 1000 + i);
			break;
		case 2:
			snprintf(m, sizeof(m), "eth_dst=02:00:00:00:%02x:%02x", i >> 8 & 255,
				 i & 255);
			break;
		default:
			snprintf(m, sizeof(m), "in_port=1,eth_type=0x%04x", 0x0900 + i);
			break;
		}
		flow(br, 100, m, "drop");
	}
	flow(br, 10, "in_port=1", "output:2");
	dp_commit(br);
	dp_start();
	sleep(1); /* warm up */

	struct dp_port_stats s0, s1;
	struct dp_worker_stats w0, w1;
	uint64_t c0, c1;

	dp_port_get_stats(p2, &s0);
	dp_get_worker_stats(&w0);
	c0 = rte_rdtsc();
	double cpu0 = worker_cpu_s();

	sleep((unsigned)secs);
	double cpu1 = worker_cpu_s();

	dp_port_get_stats(p2, &s1);
	dp_get_worker_stats(&w1);
	c1 = rte_rdtsc();
	dp_stop();

	double pk = (double)(s1.tx_packets - s0.tx_packets);
	double sec = (double)(c1 - c0) / (double)rte_get_tsc_hz();

	double cpu = cpu1 - cpu0;

	printf("cache=%s rules=%d: %.2f Mpps, %.0f cycles/packet elapsed, %.0f cycles/packet of "
	       "worker CPU time (%.0f%% of the run) (TSC %.2f GHz), cache hits %lu misses %lu\n",
	       cache ? "on" : "off", extra + 1, pk / sec / 1e6, (double)(c1 - c0) / pk,
	       cpu * (double)rte_get_tsc_hz() / pk, 100 * cpu / sec, (double)rte_get_tsc_hz() / 1e9,
	       (unsigned long)(w1.cache_hits - w0.cache_hits),
	       (unsigned long)(w1.cache_misses - w0.cache_misses));
	dp_fini();
	return 0;
}
