/* fwd: the benchmarks' S0 ceiling. A bare DPDK forwarder on one lcore: every port the
 * EAL arguments create (normally two net_memif servers) is polled, and what port 2k
 * receives leaves on port 2k+1 and the other way round; nothing is looked at. What
 * the ports refuse is freed and counted. SIGINT or SIGTERM stops it and prints the
 * counters (text on stderr, or JSON with --json FILE).
 *
 *   fwd EAL_ARGS... -- [--json FILE] [--burst N]
 *
 * Ports whose link is down are skipped (checked every ~50 ms), so a memif client that
 * goes away is not polled while its memory is being unmapped. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#define MAX_BURST 64
#define MAX_PORTS 8
#define RING_DESC 1024
#define N_MBUFS 16383

struct port_stats {
	uint64_t rx, tx, drop;
};

static volatile sig_atomic_t stop;
static struct port_stats stats[MAX_PORTS];
static bool up[MAX_PORTS];

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
port_setup(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;
	int e;

	memset(&conf, 0, sizeof(conf));
	e = rte_eth_dev_configure(port, 1, 1, &conf);
	if (!e)
		e = rte_eth_rx_queue_setup(port, 0, RING_DESC, rte_eth_dev_socket_id(port), NULL,
					   pool);
	if (!e)
		e = rte_eth_tx_queue_setup(port, 0, RING_DESC, rte_eth_dev_socket_id(port), NULL);
	if (!e)
		e = rte_eth_dev_start(port);
	return e;
}

static void
check_links(uint16_t n_ports)
{
	struct rte_eth_link link;
	uint16_t p;

	for (p = 0; p < n_ports; p++) {
		memset(&link, 0, sizeof(link));
		up[p] = !rte_eth_link_get_nowait(p, &link) && link.link_status == RTE_ETH_LINK_UP;
	}
}

static void
forward(uint16_t n_ports, uint16_t burst)
{
	struct rte_mbuf *bufs[MAX_BURST];
	uint64_t next_check = 0, step = rte_get_tsc_hz() / 20;
	uint16_t p, out, n, sent;

	while (!stop) {
		if (rte_rdtsc() >= next_check) {
			check_links(n_ports);
			next_check = rte_rdtsc() + step;
		}
		for (p = 0; p < n_ports; p++) {
			out = p ^ 1;
			if (out >= n_ports)
				out = p;
			if (!up[p])
				continue;
			n = rte_eth_rx_burst(p, 0, bufs, burst);
			if (!n)
				continue;
			stats[p].rx += n;
			sent = up[out] ? rte_eth_tx_burst(out, 0, bufs, n) : 0;
			stats[out].tx += sent;
			if (unlikely(sent < n)) {
				stats[out].drop += n - sent;
				rte_pktmbuf_free_bulk(bufs + sent, n - sent);
			}
		}
	}
}

static int
report(const char *json, uint16_t n_ports)
{
	FILE *f;
	uint16_t p;

	for (p = 0; p < n_ports; p++)
		fprintf(stderr,
			"fwd: port %u rx %" PRIu64 " tx %" PRIu64 " tx-dropped %" PRIu64 "\n", p,
			stats[p].rx, stats[p].tx, stats[p].drop);
	if (!json)
		return 0;
	f = strcmp(json, "-") ? fopen(json, "w") : stdout;
	if (!f)
		return -errno;
	fprintf(f, "{\"tool\": \"fwd\", \"ports\": [");
	for (p = 0; p < n_ports; p++)
		fprintf(f,
			"%s{\"rx\": %" PRIu64 ", \"tx\": %" PRIu64 ", \"tx_dropped\": %" PRIu64 "}",
			p ? ", " : "", stats[p].rx, stats[p].tx, stats[p].drop);
	fprintf(f, "]}\n");
	return f == stdout ? fflush(f) : fclose(f);
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "burst", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const char *json = NULL;
	struct rte_mempool *pool;
	struct sigaction sa;
	uint16_t n_ports, p, burst = 32;
	int n, o, status = 1;

	rte_openlog_stream(stderr);
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "fwd: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= n;
	argv += n;
	while ((o = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		if (o == 'j') {
			json = optarg;
		} else if (o == 'b') {
			long v = strtol(optarg, NULL, 10);

			if (v < 1 || v > MAX_BURST) {
				fprintf(stderr, "fwd: --burst 1..%d\n", MAX_BURST);
				goto out;
			}
			burst = (uint16_t)v;
		} else {
			fprintf(stderr, "usage: fwd EAL_ARGS... -- [--json FILE] [--burst N]\n");
			goto out;
		}
	}
	n_ports = rte_eth_dev_count_avail();
	if (n_ports == 0 || n_ports > MAX_PORTS) {
		fprintf(stderr, "fwd: %u ports (give 1..%d with --vdev)\n", n_ports, MAX_PORTS);
		goto out;
	}
	pool = rte_pktmbuf_pool_create("fwd", N_MBUFS, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (!pool) {
		fprintf(stderr, "fwd: mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	for (p = 0; p < n_ports; p++) {
		int e = port_setup(p, pool);

		if (e) {
			fprintf(stderr, "fwd: port %u: %s\n", p, strerror(e < 0 ? -e : e));
			goto out;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "fwd: forwarding between %u port(s)\n", n_ports);
	forward(n_ports, burst);
	status = report(json, n_ports) ? 1 : 0;
	for (p = 0; p < n_ports; p++) {
		rte_eth_dev_stop(p);
		rte_eth_dev_close(p);
	}
out:
	rte_eal_cleanup();
	return status;
}
