/* pfs-pktgen: DPDK traffic generator and sink for the pfswitch benchmarks
 * (tests/bench/run.sh).
 *
 * Attaches to one or two DPDK ports given by devargs (above all net_memif as a client
 * of a switch's memif server), sends UDP or TCP frames cycling over a set of flows
 * built from 5-tuple ranges, at full speed or a fixed rate, for a fixed time, and
 * receives on the other port (or the same one). Every frame carries a sequence number
 * and the low 32 bits of the TSC when it was built, so the receiver counts loss,
 * reordering and latency percentiles. One lcore sends and receives; with two lcores
 * the second one receives. A second receive port (--rx2) counts into the same sequence
 * tracking, for a destination that moves between ports (tests/integration/migrate.sh);
 * SIGUSR1 marks an instant, and each receive port counts the packets built after it.
 * Reports text or JSON. Uses DPDK only; no pfswitch code. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/time.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "pfs_config.h"

#define BURST 32
#define MAX_QUEUES 16
#define RING_DESC 1024
#define N_MBUFS 16383
#define STAMP_MAGIC 0x5046u /* "PF" */
#define HIST_BUCKETS (64 + 26 * 32)
#define MAX_TIMELINE 100000
#define MAX_TRACKED_FLOWS (16u << 20)
#define MAX_FIRST_SEEN_FLOWS (4u << 20)
#define EXIT_NO_LINK 2
#define EXIT_LINK_LOST 3
#define SEQ_MAP_BITS (1u << 27) /* 16 MiB of bits */

/* One inclusive range of a 5-tuple field. */
struct range {
	uint64_t base;
	uint64_t n; /* number of values, >= 1 */
};

struct opts {
	const char *tx_dev, *rx_dev, *rx2_dev, *json_path, *ready_path;
	double hold;	 /* s to keep the ports open after the report, 0 = none */
	bool first_seen; /* record when each flow is first received */
	bool no_reconnect;
	unsigned queues;
	unsigned size; /* frame size with FCS */
	bool imix, tcp, random, scatter, l4_csum;
	uint64_t flows;	   /* 0: product of the ranges */
	double attack_pct; /* % of packets with random addresses and ports */
	struct range sip, dip, sport, dport;
	struct rte_ether_addr smac, dmac;
	double rate;	 /* packets/s, 0 = full speed */
	double duration; /* s, 0 = until SIGINT */
	uint64_t count;	 /* packets to send, 0 = no limit */
	double warmup;	 /* s, not counted */
	unsigned drain_ms;
	unsigned timeline_ms;
	double link_timeout; /* s */
	uint8_t ttl;
};

/* The fields of one flow; addresses and ports in host order. */
struct flow {
	uint32_t sip, dip;
	uint16_t sport, dport;
};

/* Receive side counters; written by the receiving lcore only. */
struct rx_stats {
	uint64_t pkts, bytes, stamped, foreign, reordered, dups, interleaved;
	uint32_t max_seq;
	bool seen;
	uint32_t *flow_next;  /* per flow: 1 + the highest sequence number seen, 0 = none */
	uint64_t *first_seen; /* per flow: TSC of its first packet received, 0 = none */
	uint64_t flows_seen;
	uint64_t hist[HIST_BUCKETS];
	uint64_t port_pkts[2];	/* per receive port: --rx, --rx2 */
	uint64_t after_mark[2]; /* per receive port: built after the SIGUSR1 mark */
	/* Every sequence number below SEQ_MAP_BITS received: a bit each, so that loss
	 * counts numbers never received (copies do not hide it), copies are counted
	 * however late they come, and the longest run of missing numbers gives an outage
	 * (a switch's upgrade, a memif reconnect) in packets. */
	uint64_t *seq_map;
	uint64_t unique, copies;
	uint64_t last_rx_tsc, max_silence_tsc; /* the longest time without a packet */
};

struct timeline_pt {
	double t;    /* s since the start of traffic */
	double wall; /* Unix time, s */
	uint64_t tx, rx;
};

static struct opts opt;
static struct rte_mempool *pool;
static uint16_t tx_port, rx_port, rx2_port;
static bool have_rx2;
static volatile sig_atomic_t stop;
static uint64_t mark_tsc; /* TSC of the SIGUSR1 mark, 0 = none */
static volatile int rx_stop;
static struct rx_stats rxs;
static uint64_t rx_pkts_shared; /* rxs.pkts published for the timeline */
static uint64_t tsc_hz;
static uint64_t start_tsc; /* with start_wall: maps the TSC to Unix time */
static double start_wall;
static struct timeline_pt *timeline;
static size_t n_timeline;

/* ---- port locks ----
 * A memif port's control channel runs in the EAL interrupt thread: when the peer
 * goes away, the PMD (DPDK 22.11) unmaps the rings there while an lcore may be inside
 * rte_eth_rx_burst/tx_burst on them, with nothing in between to keep the two apart;
 * the lcore then faults on the ring. A port restart from an lcore (memif reconnect)
 * racing a handshake in the interrupt thread is the same race the other way round.
 * So each lcore holds its own lock while it touches the ports and lets go of it once
 * a loop; whoever changes a port's connection (the interrupt thread's callbacks, a
 * restart) holds all of them, taken in index order. Ticket locks: first come, first
 * served, so a busy-polling lcore cannot starve the interrupt thread. */
enum { LOCK_MAIN, LOCK_RX, N_PORT_LOCKS };
struct port_lock {
	uint32_t next, owner;
};
static struct port_lock port_locks[N_PORT_LOCKS];

static void
port_lock_take(unsigned i)
{
	uint32_t t = __atomic_fetch_add(&port_locks[i].next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&port_locks[i].owner, __ATOMIC_ACQUIRE) != t)
		rte_pause();
}

static void
port_lock_give(unsigned i)
{
	__atomic_store_n(&port_locks[i].owner, port_locks[i].owner + 1, __ATOMIC_RELEASE);
}

/* Once a loop: let a waiting control path (FIFO) in, then go on. */
static inline void
port_lock_yield(unsigned i)
{
	if (unlikely(__atomic_load_n(&port_locks[i].next, __ATOMIC_RELAXED) !=
		     port_locks[i].owner + 1)) {
		port_lock_give(i);
		port_lock_take(i);
	}
}

static void
port_locks_take_all(void)
{
	for (unsigned i = 0; i < N_PORT_LOCKS; i++)
		port_lock_take(i);
}

static void
port_locks_give_all(void)
{
	for (unsigned i = N_PORT_LOCKS; i-- > 0;)
		port_lock_give(i);
}

/* The EAL interrupt thread runs its callbacks (memif's control channel among them)
 * between one epoll_wait and the next: interposed here so that they run with the
 * port locks held. Other threads (the lcores, rte_epoll_wait) pass straight through. */
static __thread bool intr_holds_ports;

int
epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
	bool gate = rte_lcore_id() == LCORE_ID_ANY;
	int n;

	if (gate && intr_holds_ports) {
		port_locks_give_all();
		intr_holds_ports = false;
	}
	n = epoll_pwait(epfd, events, maxevents, timeout, NULL);
	if (gate && n > 0) {
		port_locks_take_all();
		intr_holds_ports = true;
	}
	return n;
}

static const uint16_t imix_sizes[] = { 64, 570, 64, 64, 1518, 64, 570, 64, 64, 570, 64, 570 };

static void
on_signal(int sig)
{
	(void)sig;
	if (stop < 2)
		stop++;
}

/* SIGUSR1: remember the instant (the TSC read is async-signal-safe). */
static void
on_mark(int sig)
{
	(void)sig;
	__atomic_store_n(&mark_tsc, rte_rdtsc(), __ATOMIC_RELEASE);
}

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: pfs-pktgen [OPTIONS] [-- EAL_ARGS...]\n"
		"DPDK traffic generator and sink for switch benchmarks.\n"
		"\n"
		"Ports\n"
		"  --tx DEV            port to send on: devargs (a vdev is created, e.g.\n"
		"                      "
		"net_memif0,role=client,socket=/run/x.sock,socket-abstract=no)\n"
		"                      or the number of a port the EAL arguments created\n"
		"  --rx DEV            port to receive on (default: the --tx port)\n"
		"  --rx2 DEV           a second port to receive on, counted in the same\n"
		"                      sequence tracking, with per-port counts (a destination\n"
		"                      that moves from --rx to --rx2); SIGUSR1 marks an instant:\n"
		"                      each port then counts the packets built after it\n"
		"  --rxq N             receive queues per port, to match the peer's transmit\n"
		"                      queues (a memif peer sending on a queue its client lacks\n"
		"                      drops everything; default 1); all are polled on the rx\n"
		"                      port; one transmit queue sends\n"
		"Traffic\n"
		"  --size N            frame size in bytes with FCS, 64..1518 (default 64)\n"
		"  --imix              7:4:1 mix of 64, 570 and 1518-byte frames\n"
		"  --proto udp|tcp     (default udp)\n"
		"  --src-ip A[-B]      IPv4 source range (default 10.0.0.1)\n"
		"  --dst-ip A[-B]      IPv4 destination range (default 10.1.0.1)\n"
		"  --sport P[-Q]       L4 source port range (default 1024)\n"
		"  --dport P[-Q]       L4 destination port range (default 80)\n"
		"  --flows N           distinct flows to cycle over (default: all combinations);\n"
		"                      flow i takes its fields from i in mixed radix, the source\n"
		"                      IP varying fastest, then destination IP, source port,\n"
		"                      destination port\n"
		"  --random            visit the flows in random order instead of cycling\n"
		"  --scatter           derive each field of flow i from a hash of i (spread over\n"
		"                      the whole range, not mixed radix)\n"
		"  --attack-pct P      P%% of the packets (drawn at random, 0..100) get random\n"
		"                      source/destination addresses and ports instead of their\n"
		"                      flow's (a Tuple Space Explosion attack mixed into the\n"
		"                      traffic); unstamped, so a received one counts as foreign\n"
		"  --src-mac MAC, --dst-mac MAC  (default 02:00:00:00:00:01 -> :02)\n"
		"  --ttl N             IPv4 TTL (default 64)\n"
		"  --l4-csum           compute TCP checksums (UDP always sends 0: none)\n"
		"Timing\n"
		"  --rate PPS          packets per second (default 0: as fast as the port takes)\n"
		"  --duration S        measured seconds (default 10; 0: until SIGINT)\n"
		"  --count N           stop after sending N packets (with --duration 0 and a\n"
		"                      net_pcap tx_pcap= port: the exact traffic as a pcap file\n"
		"                      for tests/bench/bench_pipeline)\n"
		"  --warmup S          seconds of traffic before the measurement (default 0)\n"
		"  --drain-ms N        wait for stragglers after sending stops (default 200)\n"
		"  --timeline MS       record tx/rx counters every MS milliseconds\n"
		"  --first-seen        record when each flow's first packet arrives (up to 4M\n"
		"                      flows), at the --rx2 port if given: how long until all\n"
		"                      of them flow, or moved\n"
		"  --link-timeout S    wait for link up, and tolerate a link down, for S seconds\n"
		"                      (default 10); a port whose link goes down is restarted\n"
		"                      every 20 ms meanwhile, 250 ms once it connected (a memif\n"
		"                      client reconnects to a restarted server)\n"
		"  --no-reconnect      do not restart ports whose link went down\n"
		"Output\n"
		"  --json FILE         write the report as JSON to FILE ('-': stdout); the text\n"
		"                      report goes to stderr\n"
		"  --ready-file FILE   create FILE when the links are up and traffic starts\n"
		"  --hold S            after the report, keep the ports open without polling\n"
		"                      them until the peer goes away (link down), a second\n"
		"                      SIGINT/SIGTERM, or S seconds: a DPDK 22.11 memif server\n"
		"                      polling while its client disconnects can crash, so let\n"
		"                      the switch stop first\n"
		"\n"
		"EAL arguments default to: -l 0 --no-pci --no-huge --no-shconf -m 256\n"
		"One lcore sends and receives; given two (-l 0-1), the second receives.\n"
		"Exit status: 0 ok, 1 usage or setup error, %d link never came up, %d link lost.\n",
		EXIT_NO_LINK, EXIT_LINK_LOST);
}

static int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || *out < 0 || !isfinite(*out))
		return -EINVAL;
	return 0;
}

static int
parse_ip(const char *s, uint64_t *out)
{
	unsigned a, b, c, d;
	char tail;

	if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 ||
	    c > 255 || d > 255)
		return -EINVAL;
	*out = (uint64_t)a << 24 | b << 16 | c << 8 | d;
	return 0;
}

/* "A" or "A-B" with A <= B; ip selects dotted quads, otherwise 16-bit numbers. */
static int
parse_range(const char *s, bool ip, struct range *r)
{
	char buf[64], *dash;
	uint64_t lo, hi;
	int e;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	e = ip ? parse_ip(buf, &lo) : parse_u64(buf, UINT16_MAX, &lo);
	if (e)
		return e;
	hi = lo;
	if (dash) {
		e = ip ? parse_ip(dash, &hi) : parse_u64(dash, UINT16_MAX, &hi);
		if (e || hi < lo)
			return -EINVAL;
	}
	r->base = lo;
	r->n = hi - lo + 1;
	return 0;
}

static int
parse_args(int argc, char **argv)
{
	enum {
		O_TX = 256,
		O_RX,
		O_RX2,
		O_QUEUES,
		O_SIZE,
		O_IMIX,
		O_PROTO,
		O_SIP,
		O_DIP,
		O_SPORT,
		O_DPORT,
		O_FLOWS,
		O_RANDOM,
		O_SCATTER,
		O_ATTACK,
		O_COUNT,
		O_SMAC,
		O_DMAC,
		O_TTL,
		O_L4CSUM,
		O_RATE,
		O_DURATION,
		O_WARMUP,
		O_DRAIN,
		O_TIMELINE,
		O_LINKTO,
		O_JSON,
		O_READY,
		O_HOLD,
		O_FIRST,
		O_NORECONNECT,
	};
	static const struct option lopts[] = {
		{ "tx", required_argument, NULL, O_TX },
		{ "rx", required_argument, NULL, O_RX },
		{ "rx2", required_argument, NULL, O_RX2 },
		{ "rxq", required_argument, NULL, O_QUEUES },
		{ "size", required_argument, NULL, O_SIZE },
		{ "imix", no_argument, NULL, O_IMIX },
		{ "proto", required_argument, NULL, O_PROTO },
		{ "src-ip", required_argument, NULL, O_SIP },
		{ "dst-ip", required_argument, NULL, O_DIP },
		{ "sport", required_argument, NULL, O_SPORT },
		{ "dport", required_argument, NULL, O_DPORT },
		{ "flows", required_argument, NULL, O_FLOWS },
		{ "random", no_argument, NULL, O_RANDOM },
		{ "attack-pct", required_argument, NULL, O_ATTACK },
		{ "scatter", no_argument, NULL, O_SCATTER },
		{ "src-mac", required_argument, NULL, O_SMAC },
		{ "dst-mac", required_argument, NULL, O_DMAC },
		{ "ttl", required_argument, NULL, O_TTL },
		{ "l4-csum", no_argument, NULL, O_L4CSUM },
		{ "rate", required_argument, NULL, O_RATE },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "count", required_argument, NULL, O_COUNT },
		{ "warmup", required_argument, NULL, O_WARMUP },
		{ "drain-ms", required_argument, NULL, O_DRAIN },
		{ "timeline", required_argument, NULL, O_TIMELINE },
		{ "link-timeout", required_argument, NULL, O_LINKTO },
		{ "json", required_argument, NULL, O_JSON },
		{ "ready-file", required_argument, NULL, O_READY },
		{ "hold", required_argument, NULL, O_HOLD },
		{ "first-seen", no_argument, NULL, O_FIRST },
		{ "no-reconnect", no_argument, NULL, O_NORECONNECT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int o, e = 0;

	opt.queues = 1;
	opt.size = 64;
	opt.duration = 10;
	opt.drain_ms = 200;
	opt.link_timeout = 10;
	opt.ttl = 64;
	opt.sip = (struct range){ 0x0a000001, 1 };
	opt.dip = (struct range){ 0x0a010001, 1 };
	opt.sport = (struct range){ 1024, 1 };
	opt.dport = (struct range){ 80, 1 };
	opt.smac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 0x01 } };
	opt.dmac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 0x02 } };

	while ((o = getopt_long(argc, argv, "hV", lopts, NULL)) != -1) {
		const char *what = NULL;

		switch (o) {
		case O_TX:
			opt.tx_dev = optarg;
			break;
		case O_RX:
			opt.rx_dev = optarg;
			break;
		case O_RX2:
			opt.rx2_dev = optarg;
			break;
		case O_QUEUES:
			e = parse_u64(optarg, MAX_QUEUES, &v);
			if (!e && !v)
				e = -EINVAL;
			opt.queues = (unsigned)v;
			what = "--rxq";
			break;
		case O_SIZE:
			e = parse_u64(optarg, 1518, &v);
			if (!e && v < 64)
				e = -EINVAL;
			opt.size = (unsigned)v;
			what = "--size (64..1518)";
			break;
		case O_IMIX:
			opt.imix = true;
			break;
		case O_PROTO:
			if (!strcmp(optarg, "tcp"))
				opt.tcp = true;
			else if (strcmp(optarg, "udp"))
				e = -EINVAL;
			what = "--proto (udp or tcp)";
			break;
		case O_SIP:
			e = parse_range(optarg, true, &opt.sip);
			what = "--src-ip";
			break;
		case O_DIP:
			e = parse_range(optarg, true, &opt.dip);
			what = "--dst-ip";
			break;
		case O_SPORT:
			e = parse_range(optarg, false, &opt.sport);
			what = "--sport";
			break;
		case O_DPORT:
			e = parse_range(optarg, false, &opt.dport);
			what = "--dport";
			break;
		case O_FLOWS:
			e = parse_u64(optarg, UINT32_MAX, &opt.flows);
			if (!e && !opt.flows)
				e = -EINVAL;
			what = "--flows";
			break;
		case O_RANDOM:
			opt.random = true;
			break;
		case O_SCATTER:
			opt.scatter = true;
			break;
		case O_ATTACK:
			e = parse_double(optarg, &opt.attack_pct);
			if (!e && opt.attack_pct > 100)
				e = -EINVAL;
			what = "--attack-pct";
			break;
		case O_SMAC:
			e = rte_ether_unformat_addr(optarg, &opt.smac) ? -EINVAL : 0;
			what = "--src-mac";
			break;
		case O_DMAC:
			e = rte_ether_unformat_addr(optarg, &opt.dmac) ? -EINVAL : 0;
			what = "--dst-mac";
			break;
		case O_TTL:
			e = parse_u64(optarg, 255, &v);
			opt.ttl = (uint8_t)v;
			what = "--ttl";
			break;
		case O_L4CSUM:
			opt.l4_csum = true;
			break;
		case O_RATE:
			e = parse_double(optarg, &opt.rate);
			what = "--rate";
			break;
		case O_DURATION:
			e = parse_double(optarg, &opt.duration);
			what = "--duration";
			break;
		case O_COUNT:
			e = parse_u64(optarg, UINT64_MAX, &opt.count);
			what = "--count";
			break;
		case O_WARMUP:
			e = parse_double(optarg, &opt.warmup);
			what = "--warmup";
			break;
		case O_DRAIN:
			e = parse_u64(optarg, 60000, &v);
			opt.drain_ms = (unsigned)v;
			what = "--drain-ms";
			break;
		case O_TIMELINE:
			e = parse_u64(optarg, 60000, &v);
			if (!e && !v)
				e = -EINVAL;
			opt.timeline_ms = (unsigned)v;
			what = "--timeline";
			break;
		case O_LINKTO:
			e = parse_double(optarg, &opt.link_timeout);
			what = "--link-timeout";
			break;
		case O_JSON:
			opt.json_path = optarg;
			break;
		case O_READY:
			opt.ready_path = optarg;
			break;
		case O_NORECONNECT:
			opt.no_reconnect = true;
			break;
		case O_FIRST:
			opt.first_seen = true;
			break;
		case O_HOLD:
			e = parse_double(optarg, &opt.hold);
			what = "--hold";
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("pfs-pktgen (pfswitch) %s\n", PFS_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
		if (e) {
			fprintf(stderr, "pfs-pktgen: bad value '%s' for %s\n", optarg, what);
			return e;
		}
	}
	if (!opt.tx_dev) {
		fprintf(stderr, "pfs-pktgen: --tx is required (see --help)\n");
		return -EINVAL;
	}
	if (opt.rx2_dev &&
	    (!opt.rx_dev || !strcmp(opt.rx2_dev, opt.rx_dev) || !strcmp(opt.rx2_dev, opt.tx_dev))) {
		fprintf(stderr, "pfs-pktgen: --rx2 needs --rx, and a port of its own\n");
		return -EINVAL;
	}
	if (optind < argc && strcmp(argv[optind - 1], "--")) {
		fprintf(stderr,
			"pfs-pktgen: unexpected argument '%s' (EAL arguments go after --)\n",
			argv[optind]);
		return -EINVAL;
	}
	if (!opt.flows) {
		long double n = (long double)opt.sip.n * opt.dip.n * opt.sport.n * opt.dport.n;

		opt.flows = n > UINT32_MAX ? UINT32_MAX : (uint64_t)n;
	}
	return 0;
}

/* The EAL port for DEV: a port number, or the port a --vdev of those devargs made. */
static int
find_port(const char *dev, uint16_t *port)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	uint64_t v;
	size_t len;

	if (!parse_u64(dev, RTE_MAX_ETHPORTS - 1, &v)) {
		if (!rte_eth_dev_is_valid_port((uint16_t)v))
			return -ENODEV;
		*port = (uint16_t)v;
		return 0;
	}
	len = strcspn(dev, ",");
	if (len >= sizeof(name))
		return -EINVAL;
	memcpy(name, dev, len);
	name[len] = '\0';
	return rte_eth_dev_get_port_by_name(name, port) ? -ENODEV : 0;
}

static void
zero_mbuf_data(struct rte_mempool *mp, void *arg, void *obj, unsigned idx)
{
	struct rte_mbuf *m = obj;

	(void)mp;
	(void)arg;
	(void)idx;
	memset(rte_pktmbuf_mtod(m, char *), 0, m->buf_len - m->data_off);
}

static int
port_setup_locked(uint16_t port)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t q;
	int e;

	memset(&conf, 0, sizeof(conf));
	e = rte_eth_dev_info_get(port, &info);
	if (e)
		return e;
	if (opt.queues > info.max_rx_queues) {
		fprintf(stderr, "pfs-pktgen: port %u has at most %u rx queues\n", port,
			info.max_rx_queues);
		return -EINVAL;
	}
	e = rte_eth_dev_configure(port, (uint16_t)opt.queues, 1, &conf);
	if (e)
		return e;
	for (q = 0; q < opt.queues; q++) {
		e = rte_eth_rx_queue_setup(port, q, RING_DESC, rte_eth_dev_socket_id(port), NULL,
					   pool);
		if (e)
			return e;
	}
	return rte_eth_tx_queue_setup(port, 0, RING_DESC, rte_eth_dev_socket_id(port), NULL);
}

static int
port_setup(uint16_t port)
{
	uint64_t t0;
	int e;

	port_lock_take(LOCK_MAIN);
	e = port_setup_locked(port);
	port_lock_give(LOCK_MAIN);
	if (e)
		return e;
	/* A memif client cannot start before its server listens: retry for a while. */
	t0 = rte_rdtsc();
	for (;;) {
		port_lock_take(LOCK_MAIN);
		e = rte_eth_dev_start(port);
		port_lock_give(LOCK_MAIN);
		if (!e || stop ||
		    rte_rdtsc() - t0 >= (uint64_t)(opt.link_timeout * (double)rte_get_tsc_hz()))
			return e;
		rte_delay_ms(50);
	}
}

static bool
link_up(uint16_t port)
{
	struct rte_eth_link link;

	memset(&link, 0, sizeof(link));
	if (rte_eth_link_get_nowait(port, &link))
		return false;
	return link.link_status == RTE_ETH_LINK_UP;
}

static void
restart_if_down(uint16_t port)
{
	int e;

	if (link_up(port))
		return;
	fprintf(stderr, "pfs-pktgen: port %u: no link yet, reconnecting\n", port);
	port_lock_take(LOCK_MAIN);
	rte_eth_dev_stop(port);
	e = rte_eth_dev_start(port);
	port_lock_give(LOCK_MAIN);
	if (e)
		fprintf(stderr, "pfs-pktgen: port %u: restart failed\n", port);
}

static bool
links_up(void)
{
	return link_up(tx_port) && (rx_port == tx_port || link_up(rx_port)) &&
	       (!have_rx2 || link_up(rx2_port));
}

static double
wall_now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* ---- transmit ---- */

/* A 64-bit mix (splitmix64's finaliser): scatters the flow index over each range. */
static inline uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* Flow i's fields by division (random and scatter modes). */
static inline void
flow_at(uint64_t i, struct flow *f)
{
	if (opt.scatter) {
		f->sip = (uint32_t)(opt.sip.base + mix64(i * 4 + 1) % opt.sip.n);
		f->dip = (uint32_t)(opt.dip.base + mix64(i * 4 + 2) % opt.dip.n);
		f->sport = (uint16_t)(opt.sport.base + mix64(i * 4 + 3) % opt.sport.n);
		f->dport = (uint16_t)(opt.dport.base + mix64(i * 4 + 4) % opt.dport.n);
		return;
	}
	f->sip = (uint32_t)(opt.sip.base + i % opt.sip.n);
	i /= opt.sip.n;
	f->dip = (uint32_t)(opt.dip.base + i % opt.dip.n);
	i /= opt.dip.n;
	f->sport = (uint16_t)(opt.sport.base + i % opt.sport.n);
	i /= opt.sport.n;
	f->dport = (uint16_t)(opt.dport.base + i % opt.dport.n);
}

struct txgen {
	uint64_t index;	  /* flow index of the next packet */
	uint64_t offs[4]; /* odometer digits for sequential mode */
	uint64_t rng;
	uint32_t seq;
	unsigned imix_pos;
	uint8_t tmpl[64];
	uint32_t ip_csum_base; /* one's-complement sum of the constant IPv4 words */
};

static void
txgen_init(struct txgen *g)
{
	struct rte_ether_hdr *eth = (void *)g->tmpl;
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	unsigned i;

	memset(g, 0, sizeof(*g));
	g->rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)rte_rdtsc();
	eth->dst_addr = opt.dmac;
	eth->src_addr = opt.smac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live = opt.ttl;
	ip->next_proto_id = opt.tcp ? IPPROTO_TCP : IPPROTO_UDP;
	/* total_length, src and dst are zero here and added per packet. */
	for (i = 0; i < sizeof(*ip); i += 2) {
		uint16_t w;

		memcpy(&w, (const uint8_t *)ip + i, 2);
		g->ip_csum_base += w;
	}
	if (opt.tcp) {
		struct rte_tcp_hdr *tcp = (void *)(ip + 1);

		tcp->data_off = 5 << 4;
		tcp->tcp_flags = RTE_TCP_ACK_FLAG;
		tcp->rx_win = rte_cpu_to_be_16(65535);
	}
}

static inline uint16_t
fold_csum(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The next flow's fields; returns its index. */
static inline uint32_t
next_flow(struct txgen *g, struct flow *f)
{
	uint32_t idx;

	if (opt.random) {
		g->rng ^= g->rng << 13;
		g->rng ^= g->rng >> 7;
		g->rng ^= g->rng << 17;
		idx = (uint32_t)(g->rng % opt.flows);
		flow_at(idx, f);
		return idx;
	}
	idx = (uint32_t)g->index;
	if (opt.scatter) {
		flow_at(g->index, f);
	} else {
		f->sip = (uint32_t)(opt.sip.base + g->offs[0]);
		f->dip = (uint32_t)(opt.dip.base + g->offs[1]);
		f->sport = (uint16_t)(opt.sport.base + g->offs[2]);
		f->dport = (uint16_t)(opt.dport.base + g->offs[3]);
		/* Odometer: no division per packet. */
		if (++g->offs[0] == opt.sip.n) {
			g->offs[0] = 0;
			if (++g->offs[1] == opt.dip.n) {
				g->offs[1] = 0;
				if (++g->offs[2] == opt.sport.n) {
					g->offs[2] = 0;
					if (++g->offs[3] == opt.dport.n)
						g->offs[3] = 0;
				}
			}
		}
	}
	if (++g->index == opt.flows) {
		g->index = 0;
		memset(g->offs, 0, sizeof(g->offs));
	}
	return idx;
}

/* The next value of g's xorshift generator. */
static inline uint64_t
txgen_rand(struct txgen *g)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return g->rng;
}

/* --attack-pct: true for the packets that get random fields instead of their flow's,
 * which are then written to f. */
static inline bool
attack_packet(struct txgen *g, struct flow *f)
{
	uint64_t r;

	if (opt.attack_pct <= 0 || (double)(txgen_rand(g) >> 11) * 0x1p-53 * 100 >= opt.attack_pct)
		return false;
	r = txgen_rand(g);
	f->sip = (uint32_t)r;
	f->dip = (uint32_t)(r >> 32);
	r = txgen_rand(g);
	f->sport = (uint16_t)r;
	f->dport = (uint16_t)(r >> 16);
	return true;
}

/* Fill M with the next packet; tsc is the send stamp. */
static inline void
build(struct txgen *g, struct rte_mbuf *m, uint32_t tsc)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ipv4_hdr *ip = (void *)(p + sizeof(struct rte_ether_hdr));
	uint8_t *l4 = (uint8_t *)(ip + 1);
	unsigned frame = opt.imix ? imix_sizes[g->imix_pos] : opt.size;
	uint16_t len = (uint16_t)(frame - RTE_ETHER_CRC_LEN);
	uint16_t ip_len = (uint16_t)(len - sizeof(struct rte_ether_hdr));
	uint32_t seq = g->seq++;
	uint16_t magic = STAMP_MAGIC;
	struct flow f;
	uint32_t sum, idx;

	if (opt.imix && ++g->imix_pos == RTE_DIM(imix_sizes))
		g->imix_pos = 0;
	idx = next_flow(g, &f);
	if (attack_packet(g, &f))
		magic = 0; /* not one of the flows: the receiver counts it as foreign */
	memcpy(p, g->tmpl, sizeof(g->tmpl));
	ip->total_length = rte_cpu_to_be_16(ip_len);
	ip->src_addr = rte_cpu_to_be_32(f.sip);
	ip->dst_addr = rte_cpu_to_be_32(f.dip);
	sum = g->ip_csum_base + rte_cpu_to_be_16(ip_len) + rte_cpu_to_be_16(f.sip >> 16) +
	      rte_cpu_to_be_16(f.sip & 0xffff) + rte_cpu_to_be_16(f.dip >> 16) +
	      rte_cpu_to_be_16(f.dip & 0xffff);
	ip->hdr_checksum = fold_csum(sum);
	if (opt.tcp) {
		struct rte_tcp_hdr *tcp = (void *)l4;

		tcp->src_port = rte_cpu_to_be_16(f.sport);
		tcp->dst_port = rte_cpu_to_be_16(f.dport);
		/* 64-byte frames leave 6 bytes of TCP payload: the stamp lives in the
		 * header (seq, ack, urgent pointer without URG), the flow index in the
		 * payload. */
		memcpy(&tcp->sent_seq, &seq, 4);
		memcpy(&tcp->recv_ack, &tsc, 4);
		memcpy(&tcp->tcp_urp, &magic, 2);
		memcpy(tcp + 1, &idx, 4);
	} else {
		struct rte_udp_hdr *udp = (void *)l4;
		uint8_t *pl = (uint8_t *)(udp + 1);

		udp->src_port = rte_cpu_to_be_16(f.sport);
		udp->dst_port = rte_cpu_to_be_16(f.dport);
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - sizeof(*ip)));
		udp->dgram_cksum = 0;
		memcpy(pl, &magic, 2);
		memcpy(pl + 2, &seq, 4);
		memcpy(pl + 6, &tsc, 4);
		memcpy(pl + 10, &idx, 4);
	}
	m->data_len = len;
	m->pkt_len = len;
	if (opt.tcp && opt.l4_csum) {
		struct rte_tcp_hdr *tcp = (void *)l4;

		tcp->cksum = 0;
		tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	}
}

/* ---- receive ---- */

static inline unsigned
hist_index(uint32_t v)
{
	unsigned e;

	if (v < 64)
		return v;
	e = 31u - (unsigned)__builtin_clz(v);
	return 64 + (e - 6) * 32 + ((v >> (e - 5)) & 31);
}

static double
hist_value(unsigned idx)
{
	unsigned e, sub;

	if (idx < 64)
		return idx;
	e = 6 + (idx - 64) / 32;
	sub = (idx - 64) % 32;
	/* Middle of the bucket. */
	return ldexp(32 + sub + 0.5, (int)e - 5);
}

static inline void
rx_one(struct rx_stats *s, struct rte_mbuf *m, uint64_t now64, unsigned port_idx, uint64_t mark)
{
	uint32_t now = (uint32_t)now64;
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = m->data_len, off = 12, seq, tsc, ihl, idx;
	uint16_t type, magic;
	int32_t d;

	s->bytes += m->pkt_len + RTE_ETHER_CRC_LEN;
	if (unlikely(len < 14 + 20 + 8))
		goto foreign;
	memcpy(&type, p + off, 2);
	while ((type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ||
		type == rte_cpu_to_be_16(RTE_ETHER_TYPE_QINQ)) &&
	       off + 6 <= len) {
		off += 4;
		memcpy(&type, p + off, 2);
	}
	if (unlikely(type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)))
		goto foreign;
	off += 2;
	ihl = (p[off] & 0xf) * 4u;
	if (p[off + 9] == IPPROTO_UDP) {
		off += ihl + 8;
		if (unlikely(off + 14 > len))
			goto foreign;
		memcpy(&magic, p + off, 2);
		memcpy(&seq, p + off + 2, 4);
		memcpy(&tsc, p + off + 6, 4);
		memcpy(&idx, p + off + 10, 4);
	} else if (p[off + 9] == IPPROTO_TCP) {
		off += ihl;
		if (unlikely(off + 24 > len))
			goto foreign;
		memcpy(&seq, p + off + 4, 4);
		memcpy(&tsc, p + off + 8, 4);
		memcpy(&magic, p + off + 18, 2);
		memcpy(&idx, p + off + 20, 4);
	} else {
		goto foreign;
	}
	if (unlikely(magic != STAMP_MAGIC))
		goto foreign;
	s->stamped++;
	s->hist[hist_index(now - tsc)]++;
	/* The 64-bit build time from its low 32 bits: latency is far below a wrap. */
	if (unlikely(mark) && now64 - (uint32_t)(now - tsc) > mark)
		s->after_mark[port_idx]++;
	if (likely(s->seq_map != NULL) && seq < SEQ_MAP_BITS) {
		uint64_t bit = 1ull << (seq & 63);

		if (s->seq_map[seq >> 6] & bit) {
			s->copies++;
		} else {
			s->seq_map[seq >> 6] |= bit;
			s->unique++;
		}
	}
	/* Out of global order: normal for a switch that batches per flow. */
	d = (int32_t)(seq - s->max_seq);
	if (likely(d > 0) || unlikely(!s->seen)) {
		s->max_seq = seq;
		s->seen = true;
	} else {
		s->interleaved++;
	}
	/* With --rx2: when each flow first reaches the second port (where it moved). */
	if (unlikely(s->first_seen != NULL) && idx < opt.flows && !s->first_seen[idx] &&
	    (!have_rx2 || port_idx == 1)) {
		s->first_seen[idx] = now64;
		s->flows_seen++;
	}
	/* Out of order within the flow: what a switch must not do. */
	if (likely(s->flow_next && idx < opt.flows)) {
		uint32_t *next = &s->flow_next[idx];

		d = (int32_t)(seq + 1 - *next);
		if (likely(d > 0) || unlikely(!*next))
			*next = seq + 1;
		else if (d == 0)
			s->dups++;
		else
			s->reordered++;
	}
	return;
foreign:
	s->foreign++;
}

static inline unsigned
rx_poll_port(struct rx_stats *s, uint16_t port, unsigned port_idx)
{
	struct rte_mbuf *bufs[BURST];
	unsigned total = 0;
	uint16_t q, n, i;
	uint64_t now, mark = __atomic_load_n(&mark_tsc, __ATOMIC_ACQUIRE);

	for (q = 0; q < opt.queues; q++) {
		n = rte_eth_rx_burst(port, q, bufs, BURST);
		if (!n)
			continue;
		now = rte_rdtsc();
		if (s->last_rx_tsc && now - s->last_rx_tsc > s->max_silence_tsc)
			s->max_silence_tsc = now - s->last_rx_tsc;
		s->last_rx_tsc = now;
		for (i = 0; i < n; i++)
			rx_one(s, bufs[i], now, port_idx, mark);
		s->pkts += n;
		s->port_pkts[port_idx] += n;
		rte_pktmbuf_free_bulk(bufs, n);
		total += n;
	}
	return total;
}

static inline unsigned
rx_poll(struct rx_stats *s)
{
	unsigned total = 0, n;

	/* With two ports, drain the first before the second: packets still in flight
	 * on the old path were sent before those on the new one, so a move is not
	 * counted as reordering just because of the polling order. */
	do {
		n = rx_poll_port(s, rx_port, 0);
		total += n;
	} while (have_rx2 && n >= BURST);
	if (have_rx2)
		total += rx_poll_port(s, rx2_port, 1);
	if (total)
		__atomic_store_n(&rx_pkts_shared, s->pkts, __ATOMIC_RELAXED);
	return total;
}

static int
rx_lcore(void *arg)
{
	(void)arg;
	port_lock_take(LOCK_RX);
	while (!__atomic_load_n(&rx_stop, __ATOMIC_ACQUIRE)) {
		port_lock_yield(LOCK_RX);
		rx_poll(&rxs);
	}
	port_lock_give(LOCK_RX);
	return 0;
}

/* ---- the run ---- */

struct result {
	uint64_t tx_total, rx_total;	    /* whole run, warm-up included */
	uint64_t tx_win, rx_win, bytes_win; /* measured window */
	double secs;			    /* measured window length */
	uint64_t link_downs;
	uint64_t reconnects;   /* port restarts while the link was down */
	uint64_t max_down_tsc; /* the longest link down (seen every 1 ms) */
	int error;	       /* 0, EXIT_LINK_LOST */
};

static void
timeline_add(double t, uint64_t tx, uint64_t rx)
{
	if (!timeline || n_timeline == MAX_TIMELINE)
		return;
	timeline[n_timeline++] = (struct timeline_pt){ t, wall_now(), tx, rx };
}

/* A memif client whose server went away (a switch restarting or handing over to a
 * new process) is not reconnected by the PMD: restart the ports that are down (--rx2's
 * too). A port whose restart connected gets HANDSHAKE_GRACE to finish the memif
 * handshake (messages through both processes' interrupt threads, slow on a loaded
 * machine) before it is restarted again: restarting it meanwhile would only abort it.
 * Called with LOCK_MAIN held; LOCK_RX keeps the receiving lcore off the ports. */
#define HANDSHAKE_GRACE_MS 250
static void
reconnect(uint64_t now, struct result *res)
{
	static uint64_t connected_at[3]; /* TSC of the last restart that connected */
	const uint16_t ports[] = { tx_port, rx_port, rx2_port };
	const unsigned n = have_rx2 ? 3 : 2;

	port_lock_take(LOCK_RX);
	for (unsigned i = 0; i < n; i++) {
		if ((i == 1 && rx_port == tx_port) || link_up(ports[i]) ||
		    (connected_at[i] && now - connected_at[i] < tsc_hz * HANDSHAKE_GRACE_MS / 1000))
			continue;
		rte_eth_dev_stop(ports[i]);
		connected_at[i] = 0;
		if (rte_eth_dev_start(ports[i]) == 0) {
			connected_at[i] = now;
			res->reconnects++;
		}
	}
	port_lock_give(LOCK_RX);
}

static void
run(bool rx_here, struct result *res)
{
	struct rte_mbuf *pend[BURST];
	struct txgen *g;
	unsigned npend = 0, k;
	uint64_t start, win_start, end, now, last_link, down_since = 0, tl_next = 0, tl_step;
	uint64_t link_step = tsc_hz / 1000, tx = 0, rx_at_win = 0, bytes_at_win = 0, tx_at_win = 0;
	double tokens = 0, tok_per_cycle = opt.rate / (double)tsc_hz;
	/* Packets owed after a stall (this process descheduled) are caught up to 5 ms
	 * worth; beyond that the rate would turn into a burst that skews latency. */
	double tok_max = RTE_MAX((double)BURST, opt.rate * 0.005);
	uint64_t last_tok;
	bool down = false, in_window = opt.warmup == 0;
	uint64_t last_restart = 0;

	/* Plain memory, here and for the per-flow arrays: nothing may come from or go
	 * back to the DPDK heap once a zero-copy memif peer has mapped its segments. */
	g = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof(*g), RTE_CACHE_LINE_SIZE));
	if (!g) {
		res->error = 1;
		if (!rx_here) {
			__atomic_store_n(&rx_stop, 1, __ATOMIC_RELEASE);
			rte_eal_mp_wait_lcore();
		}
		return;
	}
	txgen_init(g);
	memset(res, 0, sizeof(*res));
	tl_step = (uint64_t)((double)tsc_hz * opt.timeline_ms / 1000.0);
	start = start_tsc = rte_rdtsc();
	start_wall = wall_now();
	win_start = start + (uint64_t)(opt.warmup * (double)tsc_hz);
	end = opt.duration > 0 ? win_start + (uint64_t)(opt.duration * (double)tsc_hz) : UINT64_MAX;
	last_link = last_tok = start;
	if (tl_step) {
		timeline_add(0, 0, 0);
		tl_next = start + tl_step;
	}
	port_lock_take(LOCK_MAIN);
	while (!stop) {
		port_lock_yield(LOCK_MAIN);
		now = rte_rdtsc();
		if (now >= end)
			break;
		if (!in_window && now >= win_start) {
			in_window = true;
			tx_at_win = tx;
			rx_at_win = __atomic_load_n(&rx_pkts_shared, __ATOMIC_RELAXED);
			bytes_at_win = rx_here ? rxs.bytes : 0;
			if (rx_here)
				memset(rxs.hist, 0, sizeof(rxs.hist));
			win_start = now;
		}
		if (tl_step && now >= tl_next) {
			timeline_add((double)(now - start) / (double)tsc_hz, tx,
				     __atomic_load_n(&rx_pkts_shared, __ATOMIC_RELAXED));
			tl_next += tl_step;
		}
		if (now - last_link >= link_step) {
			last_link = now;
			if (!links_up()) {
				if (!down) {
					down = true;
					down_since = now;
					res->link_downs++;
				} else if (now - down_since >
					   (uint64_t)(opt.link_timeout * (double)tsc_hz)) {
					res->error = EXIT_LINK_LOST;
					break;
				} else if (!opt.no_reconnect && now - down_since >= tsc_hz / 50 &&
					   now - last_restart >= tsc_hz / 50) {
					/* 20 ms after the link went down (the PMD's interrupt
					 * thread tears the connection down meanwhile), then
					 * every 20 ms. */
					last_restart = now;
					reconnect(now, res);
				}
			} else {
				if (down && now - down_since > res->max_down_tsc)
					res->max_down_tsc = now - down_since;
				down = false;
			}
		}
		if (!down) {
			unsigned want = BURST - npend;

			if (opt.count && tx + npend + want > opt.count)
				want = (unsigned)(opt.count - tx - npend);
			if (opt.count && tx == opt.count)
				break;

			if (opt.rate > 0) {
				tokens += (double)(now - last_tok) * tok_per_cycle;
				last_tok = now;
				if (tokens > tok_max)
					tokens = tok_max;
				if (want > (unsigned)tokens)
					want = (unsigned)tokens;
			}
			if (want && !rte_pktmbuf_alloc_bulk(pool, pend + npend, want)) {
				for (k = 0; k < want; k++)
					build(g, pend[npend + k], (uint32_t)now);
				npend += want;
				if (opt.rate > 0)
					tokens -= want;
			}
			if (npend) {
				uint16_t sent = rte_eth_tx_burst(tx_port, 0, pend, (uint16_t)npend);

				tx += sent;
				/* Keep the rest for the next round: no sequence gaps. */
				if (sent && sent < npend)
					memmove(pend, pend + sent,
						(npend - sent) * sizeof(pend[0]));
				npend -= sent;
			}
		}
		if (rx_here)
			rx_poll(&rxs);
	}
	now = rte_rdtsc();
	if (!in_window) { /* stopped during the warm-up */
		tx_at_win = tx;
		rx_at_win = __atomic_load_n(&rx_pkts_shared, __ATOMIC_RELAXED);
		bytes_at_win = rx_here ? rxs.bytes : 0;
		win_start = now;
	}
	res->secs = (double)(now - win_start) / (double)tsc_hz;
	res->tx_win = tx - tx_at_win;
	res->rx_win = __atomic_load_n(&rx_pkts_shared, __ATOMIC_RELAXED) - rx_at_win;
	res->tx_total = tx;
	if (npend)
		rte_pktmbuf_free_bulk(pend, npend);
	if (tl_step)
		timeline_add(res->secs + opt.warmup, tx,
			     __atomic_load_n(&rx_pkts_shared, __ATOMIC_RELAXED));
	/* Drain stragglers; with a receiving lcore, it keeps polling meanwhile. */
	end = now + (uint64_t)((double)tsc_hz * opt.drain_ms / 1000.0);
	while (rte_rdtsc() < end) {
		port_lock_yield(LOCK_MAIN);
		if (rx_here)
			rx_poll(&rxs);
		else
			rte_pause();
	}
	port_lock_give(LOCK_MAIN);
	if (!rx_here) {
		__atomic_store_n(&rx_stop, 1, __ATOMIC_RELEASE);
		rte_eal_mp_wait_lcore();
	}
	res->rx_total = rxs.pkts;
	/* The receiving lcore's byte count is not sampled at the window's start: scale. */
	res->bytes_win = rx_here ? rxs.bytes - bytes_at_win
				 : (rxs.pkts ? res->rx_win * rxs.bytes / rxs.pkts : 0);
	free(g);
}

static uint64_t
hist_total(void)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < HIST_BUCKETS; i++)
		n += rxs.hist[i];
	return n;
}

/* Latency percentile Q (0..1) in ns, -1 without samples. */
static double
percentile(double q)
{
	uint64_t total = hist_total(), acc = 0, want;
	unsigned i;

	if (!total)
		return -1;
	want = (uint64_t)ceil(q * (double)total);
	if (!want)
		want = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		acc += rxs.hist[i];
		if (acc >= want)
			return hist_value(i) * 1e9 / (double)tsc_hz;
	}
	return hist_value(HIST_BUCKETS - 1) * 1e9 / (double)tsc_hz;
}

static double
latency_mean(void)
{
	double sum = 0;
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < HIST_BUCKETS; i++) {
		sum += hist_value(i) * (double)rxs.hist[i];
		n += rxs.hist[i];
	}
	return n ? sum / (double)n * 1e9 / (double)tsc_hz : -1;
}

/* Sequence numbers sent (0 .. tx_total-1, those under SEQ_MAP_BITS) never received,
 * and the longest run of them. */
static void
seq_summary(uint64_t tx_total, uint64_t *missing, uint64_t *longest)
{
	uint64_t run = 0, n = tx_total < SEQ_MAP_BITS ? tx_total : SEQ_MAP_BITS;

	*missing = *longest = 0;
	if (!rxs.seq_map)
		return;
	for (uint64_t i = 0; i < n; i++) {
		if (rxs.seq_map[i >> 6] & (1ull << (i & 63))) {
			run = 0;
			continue;
		}
		(*missing)++;
		if (++run > *longest)
			*longest = run;
	}
}

static void
report_text(const struct result *r)
{
	double secs = r->secs > 0 ? r->secs : 1e-9;
	int64_t loss = (int64_t)r->tx_total - (int64_t)r->rx_total;

	fprintf(stderr,
		"pfs-pktgen: %.3f s measured (+%.1f s warm-up), %" PRIu64 " flows, %s\n"
		"  tx %" PRIu64 " pkts  %.3f Mpps\n"
		"  rx %" PRIu64 " pkts  %.3f Mpps  %.3f Gbit/s\n"
		"  loss %" PRId64 " (%.4f%%) over the whole run\n"
		"  reordered within a flow %" PRIu64 "%s, duplicates %" PRIu64
		", out of global order %" PRIu64 ", foreign %" PRIu64 ", link downs %" PRIu64 "\n",
		r->secs, opt.warmup, opt.flows, opt.tcp ? "tcp" : "udp", r->tx_win,
		(double)r->tx_win / secs / 1e6, r->rx_win, (double)r->rx_win / secs / 1e6,
		(double)r->bytes_win * 8 / secs / 1e9, loss,
		r->tx_total ? 100.0 * (double)loss / (double)r->tx_total : 0.0, rxs.reordered,
		rxs.flow_next ? "" : " (not tracked: too many flows)", rxs.dups, rxs.interleaved,
		rxs.foreign, r->link_downs);
	if (have_rx2 || mark_tsc)
		fprintf(stderr,
			"  rx port 1: %" PRIu64 " pkts, %" PRIu64 " built after the mark; "
			"rx port 2: %" PRIu64 " pkts, %" PRIu64 " built after the mark%s\n",
			rxs.port_pkts[0], rxs.after_mark[0], rxs.port_pkts[1], rxs.after_mark[1],
			mark_tsc ? "" : " (no SIGUSR1 mark)");
	if (hist_total())
		fprintf(stderr,
			"  latency ns: min %.0f  p50 %.0f  p99 %.0f  p99.9 %.0f  max %.0f  mean "
			"%.0f\n",
			percentile(0), percentile(0.5), percentile(0.99), percentile(0.999),
			percentile(1), latency_mean());
	if (rxs.seq_map) {
		uint64_t missing, longest;

		seq_summary(r->tx_total, &missing, &longest);
		fprintf(stderr,
			"  sequence numbers: %" PRIu64 " received, %" PRIu64
			" missing (longest run %" PRIu64 "), %" PRIu64
			" copies; longest rx silence %.3f ms; %" PRIu64
			" reconnect(s), longest link down %.3f ms\n",
			rxs.unique, missing, longest, rxs.copies,
			(double)rxs.max_silence_tsc * 1e3 / (double)tsc_hz, r->reconnects,
			(double)r->max_down_tsc * 1e3 / (double)tsc_hz);
	}
	if (r->error == EXIT_LINK_LOST)
		fprintf(stderr, "  ERROR: link down for more than %.1f s\n", opt.link_timeout);
}

static void
json_num(FILE *f, const char *name, double v, bool comma)
{
	if (v < 0)
		fprintf(f, "\"%s\": null%s", name, comma ? ", " : "");
	else
		fprintf(f, "\"%s\": %.6g%s", name, v, comma ? ", " : "");
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* When flows were first received (Unix time): how many, first, median, p99, last. */
static void
json_first_seen(FILE *f)
{
	uint64_t *t = malloc(rxs.flows_seen * sizeof(*t) + 1), n = 0, i;
	double base_wall = start_wall - (double)start_tsc / (double)tsc_hz;

	fprintf(f, ", \"first_seen\": {\"flows\": %" PRIu64 ", \"of\": %" PRIu64, rxs.flows_seen,
		opt.flows);
	if (t && rxs.flows_seen) {
		for (i = 0; i < opt.flows && n < rxs.flows_seen; i++)
			if (rxs.first_seen[i])
				t[n++] = rxs.first_seen[i];
		qsort(t, n, sizeof(*t), cmp_u64);
		fprintf(f,
			", \"wall_first\": %.6f, \"wall_p50\": %.6f, \"wall_p99\": %.6f, "
			"\"wall_last\": %.6f",
			base_wall + (double)t[0] / (double)tsc_hz,
			base_wall + (double)t[(n - 1) / 2] / (double)tsc_hz,
			base_wall + (double)t[(n - 1) * 99 / 100] / (double)tsc_hz,
			base_wall + (double)t[n - 1] / (double)tsc_hz);
	}
	fprintf(f, "}");
	free(t);
}

static int
report_json(const struct result *r)
{
	double secs = r->secs > 0 ? r->secs : 1e-9;
	int64_t loss = (int64_t)r->tx_total - (int64_t)r->rx_total;
	bool to_file = strcmp(opt.json_path, "-") != 0;
	char tmp[4096];
	FILE *f = stdout;
	size_t i;

	/* Written whole under a temporary name, then renamed: a reader polling for
	 * the file never sees half of it. */
	if (to_file) {
		if (snprintf(tmp, sizeof(tmp), "%s.tmp", opt.json_path) >= (int)sizeof(tmp))
			return -ENAMETOOLONG;
		f = fopen(tmp, "w");
		if (!f) {
			fprintf(stderr, "pfs-pktgen: %s: %s\n", tmp, strerror(errno));
			return -errno;
		}
	}
	fprintf(f, "{\"tool\": \"pfs-pktgen\", \"version\": \"%s\", ", PFS_VERSION);
	fprintf(f,
		"\"config\": {\"size\": %u, \"imix\": %s, \"proto\": \"%s\", \"flows\": %" PRIu64
		", \"random\": %s, \"scatter\": %s, \"attack_pct\": %g, \"rate\": %.0f, "
		"\"duration\": %g, \"warmup\": %g, \"queues\": %u, \"lcores\": %u}, ",
		opt.size, opt.imix ? "true" : "false", opt.tcp ? "tcp" : "udp", opt.flows,
		opt.random ? "true" : "false", opt.scatter ? "true" : "false", opt.attack_pct,
		opt.rate, opt.duration, opt.warmup, opt.queues, rte_lcore_count() >= 2 ? 2 : 1);
	fprintf(f, "\"tsc_hz\": %" PRIu64 ", \"seconds\": %.6f, ", tsc_hz, r->secs);
	fprintf(f,
		"\"tx_pkts\": %" PRIu64 ", \"rx_pkts\": %" PRIu64 ", \"tx_mpps\": %.6f, "
		"\"rx_mpps\": %.6f, \"rx_gbps\": %.6f, ",
		r->tx_win, r->rx_win, (double)r->tx_win / secs / 1e6,
		(double)r->rx_win / secs / 1e6, (double)r->bytes_win * 8 / secs / 1e9);
	fprintf(f,
		"\"tx_total\": %" PRIu64 ", \"rx_total\": %" PRIu64 ", \"loss_pkts\": %" PRId64
		", \"loss_pct\": %.6f, \"reordered\": %s%" PRIu64 "%s, \"duplicates\": %" PRIu64
		", \"interleaved\": %" PRIu64 ", \"foreign\": %" PRIu64 ", \"link_downs\": %" PRIu64
		", \"error\": %s, ",
		r->tx_total, r->rx_total, loss,
		r->tx_total ? 100.0 * (double)loss / (double)r->tx_total : 0.0,
		rxs.flow_next ? "" : "null, \"reordered_untracked\": ", rxs.reordered, "", rxs.dups,
		rxs.interleaved, rxs.foreign, r->link_downs,
		r->error == EXIT_LINK_LOST ? "\"link lost\"" : "null");
	{
		uint64_t missing, longest;

		seq_summary(r->tx_total, &missing, &longest);
		fprintf(f,
			"\"seq_received\": %" PRIu64 ", \"seq_missing\": %" PRIu64
			", \"seq_longest_missing_run\": %" PRIu64 ", \"seq_copies\": %" PRIu64
			", \"max_rx_silence_ms\": %.3f, \"reconnects\": %" PRIu64
			", \"max_link_down_ms\": %.3f, ",
			rxs.unique, missing, longest, rxs.copies,
			(double)rxs.max_silence_tsc * 1e3 / (double)tsc_hz, r->reconnects,
			(double)r->max_down_tsc * 1e3 / (double)tsc_hz);
	}
	/* Where the missing numbers are: the first 32 runs, [first, length]. */
	fprintf(f, "\"seq_missing_runs\": [");
	if (rxs.seq_map) {
		uint64_t n = r->tx_total < SEQ_MAP_BITS ? r->tx_total : SEQ_MAP_BITS, start = 0;
		unsigned runs = 0;
		bool in = false;

		for (uint64_t k = 0; k <= n && runs < 32; k++) {
			bool got = k == n || (rxs.seq_map[k >> 6] & (1ull << (k & 63)));

			if (!got && !in) {
				in = true;
				start = k;
			} else if (got && in) {
				in = false;
				fprintf(f, "%s[%" PRIu64 ", %" PRIu64 "]", runs ? ", " : "", start,
					k - start);
				runs++;
			}
		}
	}
	fprintf(f, "], ");
	fprintf(f, "\"latency_ns\": {");
	json_num(f, "samples", (double)hist_total(), true);
	json_num(f, "min", percentile(0), true);
	json_num(f, "p50", percentile(0.5), true);
	json_num(f, "p99", percentile(0.99), true);
	json_num(f, "p999", percentile(0.999), true);
	json_num(f, "max", percentile(1), true);
	json_num(f, "mean", latency_mean(), false);
	fprintf(f, "}");
	if (rxs.first_seen)
		json_first_seen(f);
	if (have_rx2 || mark_tsc) {
		fprintf(f, ", \"rx_ports\": [");
		for (i = 0; i < (have_rx2 ? 2u : 1u); i++)
			fprintf(f, "%s{\"pkts\": %" PRIu64 ", \"after_mark\": %" PRIu64 "}",
				i ? ", " : "", rxs.port_pkts[i], rxs.after_mark[i]);
		fprintf(f, "], \"mark_wall\": ");
		if (mark_tsc)
			fprintf(f, "%.6f",
				start_wall +
					((double)mark_tsc - (double)start_tsc) / (double)tsc_hz);
		else
			fprintf(f, "null");
	}
	if (timeline) {
		fprintf(f, ", \"timeline\": [");
		for (i = 0; i < n_timeline; i++)
			fprintf(f,
				"%s{\"t\": %.4f, \"wall\": %.4f, \"tx\": %" PRIu64
				", \"rx\": %" PRIu64 "}",
				i ? ", " : "", timeline[i].t, timeline[i].wall, timeline[i].tx,
				timeline[i].rx);
		fprintf(f, "]");
	}
	fprintf(f, "}\n");
	if (!to_file) {
		fflush(f);
		return 0;
	}
	if (fclose(f) || rename(tmp, opt.json_path)) {
		fprintf(stderr, "pfs-pktgen: %s: %s\n", opt.json_path, strerror(errno));
		return -errno;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static char *default_eal[] = { "-l",	      "0",  "--no-pci", "--no-huge",
				       "--no-shconf", "-m", "256" };
	char **eal_argv;
	int eal_argc = 0, i, n_extra, e, status = 1;
	struct sigaction sa;
	struct result res;
	bool rx_here;
	uint64_t t0, t_retry;

	if (parse_args(argc, argv))
		return 1;
	n_extra = argc - optind;
	eal_argv = calloc((size_t)n_extra + RTE_DIM(default_eal) + 8, sizeof(char *));
	if (!eal_argv)
		return 1;
	eal_argv[eal_argc++] = argv[0];
	if (n_extra == 0)
		for (i = 0; i < (int)RTE_DIM(default_eal); i++)
			eal_argv[eal_argc++] = default_eal[i];
	for (i = 0; i < n_extra; i++)
		eal_argv[eal_argc++] = argv[optind + i];
	/* Devargs (not port numbers) become vdevs. */
	if (parse_u64(opt.tx_dev, UINT16_MAX, &t0)) {
		eal_argv[eal_argc++] = "--vdev";
		eal_argv[eal_argc++] = (char *)opt.tx_dev;
	}
	if (opt.rx_dev && strcmp(opt.rx_dev, opt.tx_dev) &&
	    parse_u64(opt.rx_dev, UINT16_MAX, &t0)) {
		eal_argv[eal_argc++] = "--vdev";
		eal_argv[eal_argc++] = (char *)opt.rx_dev;
	}
	if (opt.rx2_dev && parse_u64(opt.rx2_dev, UINT16_MAX, &t0)) {
		eal_argv[eal_argc++] = "--vdev";
		eal_argv[eal_argc++] = (char *)opt.rx2_dev;
	}
	/* EAL logs go to stdout by default; keep stdout for --json -. */
	rte_openlog_stream(stderr);
	/* A vhost-user peer (net_virtio_user ports) that goes away must not kill us: the
	 * PMD writes to its socket without MSG_NOSIGNAL. */
	signal(SIGPIPE, SIG_IGN);
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "pfs-pktgen: EAL init failed: %s\n", rte_strerror(rte_errno));
		free(eal_argv);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_mark;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	tsc_hz = rte_get_tsc_hz();

	if (find_port(opt.tx_dev, &tx_port) ||
	    find_port(opt.rx_dev ? opt.rx_dev : opt.tx_dev, &rx_port)) {
		fprintf(stderr, "pfs-pktgen: no port for '%s'\n",
			find_port(opt.tx_dev, &tx_port) ? opt.tx_dev : opt.rx_dev);
		goto out;
	}
	if (opt.rx2_dev) {
		if (find_port(opt.rx2_dev, &rx2_port) || rx2_port == rx_port ||
		    rx2_port == tx_port) {
			fprintf(stderr, "pfs-pktgen: no port of its own for '%s'\n", opt.rx2_dev);
			goto out;
		}
		have_rx2 = true;
	}
	pool = rte_pktmbuf_pool_create("pktgen", N_MBUFS, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (!pool) {
		fprintf(stderr, "pfs-pktgen: mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	rte_mempool_obj_iter(pool, zero_mbuf_data, NULL);
	e = port_setup(tx_port);
	if (!e && rx_port != tx_port)
		e = port_setup(rx_port);
	if (!e && have_rx2)
		e = port_setup(rx2_port);
	if (e) {
		fprintf(stderr,
			"pfs-pktgen: port setup: %s (a memif client needs its server listening)\n",
			strerror(e < 0 ? -e : e));
		goto out;
	}
	/* Per-flow order tracking: 4 bytes a flow, up to 16M flows. */
	if (opt.first_seen && opt.flows <= MAX_FIRST_SEEN_FLOWS) {
		rxs.first_seen = calloc(opt.flows, sizeof(uint64_t));
		if (!rxs.first_seen)
			fprintf(stderr, "pfs-pktgen: no memory for --first-seen\n");
	}
	rxs.seq_map = calloc(SEQ_MAP_BITS / 64, sizeof(uint64_t));
	if (!rxs.seq_map)
		fprintf(stderr, "pfs-pktgen: no memory to track sequence numbers\n");
	if (opt.flows <= MAX_TRACKED_FLOWS) {
		rxs.flow_next = calloc(opt.flows, sizeof(uint32_t));
		if (!rxs.flow_next)
			fprintf(stderr, "pfs-pktgen: no memory to track order per flow\n");
	}
	if (opt.timeline_ms) {
		timeline = calloc(MAX_TIMELINE, sizeof(*timeline));
		if (!timeline)
			goto out;
	}
	t0 = t_retry = rte_rdtsc();
	while (!links_up() && !stop) {
		if (rte_rdtsc() - t0 > (uint64_t)(opt.link_timeout * (double)tsc_hz)) {
			fprintf(stderr, "pfs-pktgen: link down after %.1f s (is the peer up?)\n",
				opt.link_timeout);
			status = EXIT_NO_LINK;
			goto out;
		}
		/* A memif handshake that failed is not retried by the PMD: restart the
		 * port, which connects again. */
		if (rte_rdtsc() - t_retry > 2 * tsc_hz) {
			t_retry = rte_rdtsc();
			restart_if_down(tx_port);
			if (rx_port != tx_port)
				restart_if_down(rx_port);
			if (have_rx2)
				restart_if_down(rx2_port);
		}
		rte_delay_ms(10);
	}
	if (opt.ready_path) {
		FILE *rf = fopen(opt.ready_path, "w");

		if (rf)
			fclose(rf);
		else
			fprintf(stderr, "pfs-pktgen: %s: %s\n", opt.ready_path, strerror(errno));
	}
	rx_here = rte_lcore_count() < 2;
	if (!rx_here) {
		unsigned lc = rte_get_next_lcore(rte_lcore_id(), 1, 0);

		if (rte_eal_remote_launch(rx_lcore, NULL, lc)) {
			fprintf(stderr, "pfs-pktgen: cannot launch the receiving lcore\n");
			goto out;
		}
	}
	run(rx_here, &res);
	report_text(&res);
	status = res.error ? res.error : 0;
	if (opt.json_path && report_json(&res))
		status = 1;
	if (opt.hold > 0) {
		uint64_t until = rte_rdtsc() + (uint64_t)(opt.hold * (double)tsc_hz);

		/* No polling from here: the peer may unmap the rings any time. */
		while (stop < 2 && links_up() && rte_rdtsc() < until)
			rte_delay_us_sleep(10000);
	}
out:
	if (pool) {
		/* Stopping the ports tells a memif peer that we are gone. The receiving
		 * lcore, if any, has returned. */
		port_lock_take(LOCK_MAIN);
		rte_eth_dev_stop(tx_port);
		if (rx_port != tx_port)
			rte_eth_dev_stop(rx_port);
		if (have_rx2)
			rte_eth_dev_stop(rx2_port);
		rte_eth_dev_close(tx_port);
		if (rx_port != tx_port)
			rte_eth_dev_close(rx_port);
		if (have_rx2)
			rte_eth_dev_close(rx2_port);
		port_lock_give(LOCK_MAIN);
	}
	free(timeline);
	free(rxs.flow_next);
	free(rxs.first_seen);
	free(rxs.seq_map);
	rte_eal_cleanup();
	free(eal_argv);
	return status;
}
