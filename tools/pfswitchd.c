/* pfswitchd: the pfswitch daemon. Reads one INI configuration (ofproto/config.h),
 * initialises the DPDK datapath with the EAL arguments it names (plus anything after
 * `--` on the command line), builds the bridges, ports and controller connections
 * (ofproto/ofproto.h), starts the workers and runs the OpenFlow agent's event loop on
 * the main lcore until SIGTERM or SIGINT, then shuts down cleanly: workers stopped,
 * connections closed, sockets and pidfile removed, EAL cleaned up; a shutdown that is not
 * done after 4 s (SHUTDOWN_DEADLINE_S) logs the step it is stuck in and exits at once
 * (status 1). With [switch] state_file, the tables are saved there at shutdown (after
 * the workers stopped) and restored from it at start (ofproto/state.h). Logs go to
 * stderr.
 * Memory use (mbufs of the datapath's pool in use, the process's RSS) is logged once the
 * workers run, on SIGUSR1, and at shutdown, for leak checks (tests/bench/mem-soak.sh).
 * Under systemd (Type=notify, config/pfswitchd.service.in) it reports READY=1 once the
 * ports, listeners and workers are up and STOPPING=1 when it shuts down (sd_notify(3)
 * from libsystemd; a no-op without NOTIFY_SOCKET or in a build without libsystemd). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "datapath.h"
#include "handover.h"
#include "ofproto.h"
#include "pfs_config.h"
#include "state.h"
#include "stream.h"
#include "vlog.h"

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#define MOD "pfswitchd"
#define DEFAULT_CONFIG "/etc/pfswitch/pfswitch.ini"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t report_requested;

/* Shutdown watchdog: a stop that takes longer than this (something blocked where it
 * never should) ends with _exit() and a log line naming the step, so that SIGTERM always
 * stops the switch promptly. The datapath bounds its own wait for the workers (2 s). */
#define SHUTDOWN_DEADLINE_S 4
/* The state file's own deadline (a million flows take a few seconds to gather, write
 * and fsync); on expiry the previous file stays, as the write is atomic. */
#define STATE_SAVE_DEADLINE_S 60
#define STR_(x) #x
#define STR(x) STR_(x)
static const char *volatile shutdown_step = "";
static const char *volatile pidfile_to_remove;

static void
on_shutdown_deadline(int sig)
{
	static const char head[] =
		"pfswitchd: shutdown still not done after " STR(SHUTDOWN_DEADLINE_S) " s (";
	static const char tail[] = "); exiting now\n";
	const char *step = shutdown_step;

	(void)sig;
	/* Async-signal-safe only: write, unlink, _exit. */
	if (write(STDERR_FILENO, head, sizeof(head) - 1) < 0 ||
	    write(STDERR_FILENO, step, strlen(step)) < 0 ||
	    write(STDERR_FILENO, tail, sizeof(tail) - 1) < 0) {
		/* nothing more to do about it */
	}
	if (pidfile_to_remove)
		unlink(pidfile_to_remove);
	_exit(EXIT_FAILURE);
}

static void
on_signal(int sig)
{
	stop_requested = 1;
	stop_signal = sig;
}

static void
on_report_signal(int sig)
{
	(void)sig;
	report_requested = 1;
}

/* The resident set in KiB from /proc/self/status, or -1. */
static long
rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* One line a script can parse: "memory (WHEN): mbufs_in_use=N mbufs_total=N rss_kb=N". */
static void
log_memory(const char *when)
{
	vlog(VLOG_INFO, MOD, "memory (%s): mbufs_in_use=%u mbufs_total=%u rss_kb=%ld", when,
	     dp_mbuf_in_use(), dp_mbuf_pool_size(), rss_kb());
}

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: pfswitchd [OPTIONS] [-- EAL_ARGS...]\n"
		"OpenFlow 1.3 software switch on DPDK.\n"
		"\n"
		"  -c, --config FILE      configuration file (default " DEFAULT_CONFIG ");\n"
		"                         see config/pfswitch.ini for every key\n"
		"  -p, --pidfile FILE     write the daemon's pid to FILE (removed at exit)\n"
		"  -l, --log-level LEVEL  err, warn, info or dbg (overrides [switch] log_level)\n"
		"      --check-config     parse the configuration, report errors, and exit\n"
		"      --detach           run in the background once started (the command\n"
		"                         returns 0 then, or 1 if it failed): with --takeover,\n"
		"                         for systemd's ExecReload\n"
		"      --takeover         take over from the pfswitchd running with this\n"
		"                         configuration (its [switch] handover_socket): state,\n"
		"                         ports and sockets, without a forwarding outage\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version and exit\n"
		"\n"
		"EAL arguments come from [dpdk] eal; arguments after `--` are appended.\n"
		"Every bridge listens on punix:RUNDIR/BRIDGE.mgmt (for pfs-ofctl and\n"
		"`ovs-ofctl -O OpenFlow13`) and mirrors controller traffic on "
		"RUNDIR/BRIDGE.snoop.\n"
		"SIGTERM or SIGINT shuts the switch down cleanly (within 4 s, else it exits\n"
		"at once with status 1), saving the tables to [switch] state_file if set;\n"
		"SIGUSR1 logs memory use\n"
		"(mbufs in use, RSS).\n");
}

/* Tells the service manager STATE (sd_notify(3)); without libsystemd, nothing. */
static void
notify_service_manager(const char *state)
{
#ifdef HAVE_SYSTEMD
	int r = sd_notify(0, state);

	if (r < 0)
		vlog(VLOG_WARN, MOD, "sd_notify(%s): %s", state, strerror(-r));
#else
	(void)state;
#endif
}

static int
write_pidfile(const char *path, pid_t replacing)
{
	char buf[32];
	FILE *f;
	int fd;

	f = fopen(path, "r");
	if (f) {
		long pid = 0;

		if (fscanf(f, "%ld", &pid) == 1 && pid > 0 && pid != getpid() && pid != replacing &&
		    !kill((pid_t)pid, 0)) {
			fclose(f);
			vlog(VLOG_ERR, MOD, "pidfile %s: pfswitchd already running as pid %ld",
			     path, pid);
			return -EEXIST;
		}
		fclose(f);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		vlog(VLOG_ERR, MOD, "pidfile %s: %s", path, strerror(errno));
		return -errno;
	}
	snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, strlen(buf)) != (ssize_t)strlen(buf)) {
		int r = -errno;

		close(fd);
		vlog(VLOG_ERR, MOD, "pidfile %s: write failed", path);
		return r;
	}
	close(fd);
	return 0;
}

/* The EAL --file-prefix in argv ("--file-prefix X" or "--file-prefix=X"): the index of
 * the word holding the value (and whether it is the "=" form), or -1. */
static int
find_prefix(int argc, char **argv, bool *eq)
{
	static const char opt[] = "--file-prefix";

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], opt) && i + 1 < argc) {
			*eq = false;
			return i + 1;
		}
		if (!strncmp(argv[i], opt, sizeof(opt) - 1) && argv[i][sizeof(opt) - 1] == '=') {
			*eq = true;
			return i;
		}
	}
	return -1;
}

/* This process's EAL file prefix as argv gives it ("rte", DPDK's default, if none). */
static const char *
eal_prefix(int argc, char **argv)
{
	bool eq;
	int i = find_prefix(argc, argv, &eq);

	if (i < 0)
		return "rte";
	return eq ? argv[i] + strlen("--file-prefix=") : argv[i];
}

/* Two DPDK primary processes need different file prefixes (runtime directory,
 * hugepage files, telemetry socket): a process taking over from one using the
 * configured prefix P uses P-takeover, and one taking over from P-takeover uses P again,
 * so upgrades alternate between the two. Rewrites argv (the word is replaced or
 * "--file-prefix X" appended). 0 or -ENOMEM. */
static int
set_takeover_prefix(int *argc, char ***argv, const char *old_prefix, char *used, size_t len)
{
	static const char suffix[] = "-takeover";
	char base[64], next[96];
	bool eq;
	int i = find_prefix(*argc, *argv, &eq);
	char **v;

	snprintf(base, sizeof(base), "%s", eal_prefix(*argc, *argv));
	if (strlen(base) > strlen(suffix) && !strcmp(base + strlen(base) - strlen(suffix), suffix))
		base[strlen(base) - strlen(suffix)] = '\0';
	if (!strcmp(old_prefix, base))
		snprintf(next, sizeof(next), "%s%s", base, suffix);
	else
		snprintf(next, sizeof(next), "%s", base);
	snprintf(used, len, "%s", next);
	if (i >= 0) {
		char *w = eq ? NULL : strdup(next);

		if (eq && asprintf(&w, "--file-prefix=%s", next) < 0)
			w = NULL;
		if (!w)
			return -ENOMEM;
		free((*argv)[i]);
		(*argv)[i] = w;
		return 0;
	}
	v = realloc(*argv, (size_t)(*argc + 3) * sizeof(char *));
	if (!v)
		return -ENOMEM;
	*argv = v;
	v[*argc] = strdup("--file-prefix");
	v[*argc + 1] = strdup(next);
	v[*argc + 2] = NULL;
	*argc += 2;
	return v[*argc - 2] && v[*argc - 1] ? 0 : -ENOMEM;
}

/* The new process's side of a takeover that failed after the old one accepted: tell
 * it why (it keeps forwarding) and say it here too. */
static void
takeover_failed(struct handover_client *hc, const char *why)
{
	vlog(VLOG_ERR, MOD, "takeover failed: %s; the running pfswitchd keeps forwarding", why);
	handover_client_fail(hc, why);
}

/* After a takeover: how long to wait for the old process to exit before the shared
 * ports' links are set up again regardless (its shutdown deadline is 4 s). */
#define RELINK_WAIT_MS 10000

/* True while pid runs (not a zombie waiting for its parent). */
static bool
process_alive(pid_t pid)
{
	char path[64], buf[256];
	const char *p;
	ssize_t n;
	int fd;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* "pid (comm) S ..." */
	return !(p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}

/* --detach: forks; the parent waits until the child says it runs (one byte on a pipe)
 * and exits 0, or exits 1 when the child exits first (it failed; it logged why). Lets
 * `pfswitchd --takeover --detach` serve as systemd's ExecReload. Returns the pipe's
 * write end in the child, or -1 after an error (logged). */
static int
detach_self(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0) {
		fprintf(stderr, "pfswitchd: --detach: pipe: %s\n", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "pfswitchd: --detach: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 ? EXIT_SUCCESS : EXIT_FAILURE);
	}
	close(p[0]);
	setsid();
	return p[1];
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "takeover", no_argument, NULL, 'T' },
		{ "detach", no_argument, NULL, 'D' },
		{ "handover-version", required_argument, NULL, 'H' }, /* tests: offer only N */
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = DEFAULT_CONFIG, *pidfile = NULL;
	int log_override = -1;
	bool check_only = false, pidfile_written = false, takeover = false, ho_ready = false;
	bool detach = false;
	int detach_fd = -1;
	uint32_t ho_min = HANDOVER_MIN_VERSION, ho_max = HANDOVER_VERSION;
	struct handover_client *hc = NULL;
	struct handover_server *hs = NULL;
	struct buf ho_state = BUF_INITIALIZER, ho_final = BUF_INITIALIZER;
	char prefix[96];
	pid_t old_pid = 0, relink_pid = 0;
	uint64_t relink_since_ms = 0;
	long flushed = 0;
	struct config cfg;
	struct dp_params params;
	struct ofproto *ofp = NULL;
	struct sigaction sa;
	char err[512];
	int eal_argc = 0, extra_argc, opt, r, status = EXIT_FAILURE;
	char **eal_argv = NULL, **extra_argv;

	while ((opt = getopt_long(argc, argv, "c:p:l:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'l':
			log_override = vlog_level_from_name(optarg);
			if (log_override < 0) {
				fprintf(stderr,
					"pfswitchd: --log-level: '%s' is not err, warn, info "
					"or dbg\n",
					optarg);
				return EXIT_FAILURE;
			}
			break;
		case 'C':
			check_only = true;
			break;
		case 'T':
			takeover = true;
			break;
		case 'D':
			detach = true;
			break;
		case 'H':
			ho_min = ho_max = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("pfswitchd (pfswitch) %s\n", PFS_VERSION);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	/* getopt_long stops at "--" and leaves what follows for the EAL. */
	extra_argc = argc - optind;
	extra_argv = argv + optind;
	if (extra_argc > 0 && optind > 0 && strcmp(argv[optind - 1], "--")) {
		fprintf(stderr, "pfswitchd: unexpected argument '%s' (EAL arguments go after --)\n",
			argv[optind]);
		return EXIT_FAILURE;
	}

	if (detach) {
		/* Before the EAL (no fork after its threads exist). */
		detach_fd = detach_self();
		if (detach_fd < 0)
			return EXIT_FAILURE;
	}

	r = config_load(config_path, &cfg, err, sizeof(err));
	if (r) {
		fprintf(stderr, "pfswitchd: %s\n", err);
		config_free(&cfg);
		return EXIT_FAILURE;
	}
	vlog_set_level(log_override >= 0 ? log_override : cfg.log_level);
	r = config_eal_argv(&cfg, argv[0], extra_argc, extra_argv, &eal_argc, &eal_argv);
	if (r) {
		fprintf(stderr, "pfswitchd: %s: [dpdk] eal: %s\n", config_path,
			r == -EINVAL ? "unterminated quote or word too long" : strerror(-r));
		goto out;
	}
	if (check_only) {
		printf("%s: OK (%zu bridge(s), %zu port(s))\n", config_path, cfg.n_bridges,
		       cfg.n_ports);
		status = EXIT_SUCCESS;
		goto out;
	}
	if (!cfg.n_bridges)
		vlog(VLOG_WARN, MOD, "%s defines no bridge", config_path);
	if (takeover) {
		r = handover_client_connect(cfg.handover_socket, ho_min, ho_max, &hc, err,
					    sizeof(err));
		if (r) {
			vlog(VLOG_ERR, MOD, "takeover: %s", err);
			goto out;
		}
		old_pid = handover_client_old_pid(hc);
		r = set_takeover_prefix(&eal_argc, &eal_argv, handover_client_old_prefix(hc),
					prefix, sizeof(prefix));
		if (!r)
			r = handover_client_recv_state(hc, &ho_state, err, sizeof(err));
		else
			snprintf(err, sizeof(err), "out of memory");
		if (r) {
			takeover_failed(hc, err);
			goto out;
		}
		vlog(VLOG_INFO, MOD,
		     "takeover: pid %ld (EAL prefix %s) accepted, handover format %u; this "
		     "process uses EAL prefix %s",
		     (long)old_pid, handover_client_old_prefix(hc), handover_client_version(hc),
		     prefix);
	} else {
		snprintf(prefix, sizeof(prefix), "%s", eal_prefix(eal_argc, eal_argv));
	}

	dp_params_default(&params);
	params.n_workers = cfg.workers;
	params.n_mbufs = cfg.n_mbufs;
	params.miss_ring_size = cfg.miss_ring_size;
	params.max_masks_per_table = cfg.max_masks_per_table;
	params.microflow_cache = cfg.microflow_cache;
	params.mac_table_size = cfg.mac_table_size;
	params.mac_aging_s = cfg.mac_aging_s;
	params.mac_max_per_port = cfg.mac_max_per_port;
	params.idle_polls_before_sleep = cfg.idle_polls_before_sleep;
	params.idle_sleep_us = cfg.idle_sleep_us;
	params.group_budget = cfg.group_bucket_budget;
	params.idle_link_speed_mbps = cfg.idle_link_speed_mbps;
	params.rx_interrupts = cfg.rx_interrupts;
	params.timer_slack_ns = cfg.timer_slack_ns;
	params.consolidate = cfg.consolidate;
	params.consolidate_below_pct = cfg.consolidate_below_pct;
	params.consolidate_above_pct = cfg.consolidate_above_pct;
	{
		/* rte_eal_init may permute argv; keep our copy for freeing. */
		char **argv_copy = calloc((size_t)eal_argc + 1, sizeof(char *));

		if (!argv_copy) {
			vlog(VLOG_ERR, MOD, "out of memory");
			goto out;
		}
		memcpy(argv_copy, eal_argv, (size_t)eal_argc * sizeof(char *));
		r = dp_init(eal_argc, argv_copy, &params);
		free(argv_copy);
	}
	if (r < 0) {
		vlog(VLOG_ERR, MOD,
		     "datapath initialisation failed: %s (EAL arguments: [dpdk] eal "
		     "and after --; %u worker(s) need %u lcores)",
		     strerror(-r), cfg.workers, cfg.workers + 1);
		if (hc) {
			snprintf(err, sizeof(err),
				 "new process: datapath initialisation failed: %s", strerror(-r));
			takeover_failed(hc, err);
		}
		goto out;
	}
	r = ofproto_create_handover(&cfg, hc ? ho_state.data : NULL, ho_state.size, &ofp, err,
				    sizeof(err));
	if (r) {
		vlog(VLOG_ERR, MOD, "%s", err);
		if (hc) {
			char why[600];

			snprintf(why, sizeof(why), "new process: %s", err);
			takeover_failed(hc, why);
		}
		goto out_fini;
	}
	if (hc) {
		unsigned n = stream_inherited_close_unused();

		if (n)
			vlog(VLOG_INFO, MOD,
			     "takeover: %u handed-over socket(s) not configured here, closed", n);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_report_signal;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (pidfile) {
		if (write_pidfile(pidfile, old_pid)) {
			if (hc)
				takeover_failed(hc, "new process: cannot write the pidfile");
			goto out_destroy;
		}
		pidfile_written = true;
	}
	if (hc) {
		/* What the ports received so far the old process forwarded: dropped here.
		 * From now until the old process's workers stop (they empty their queues
		 * first: dp_stop_drained()), both forward every frame: copies, no loss. */
		flushed = dp_flush_rx();
	}
	r = dp_start();
	if (r) {
		vlog(VLOG_ERR, MOD, "cannot start the workers: %s", strerror(-r));
		if (hc) {
			snprintf(err, sizeof(err), "new process: cannot start the workers: %s",
				 strerror(-r));
			takeover_failed(hc, err);
		}
		goto out_destroy;
	}
	if (hc) {
		uint64_t t_ready = ofproto_now_ms();
		struct dp_worker_stats ws;

		/* systemd (ExecReload): this process is the service's main one from now on,
		 * before the old one can exit (NotifyAccess=all in the unit). */
		{
			char st[64];

			snprintf(st, sizeof(st), "MAINPID=%ld", (long)getpid());
			notify_service_manager(st);
		}
		ho_ready = !handover_client_ready(hc, err, sizeof(err));
		dp_get_worker_stats(&ws);
		/* Ports only one process can hold: the old one closed them before STOPPED. */
		if (ofproto_add_exclusive_ports(ofp, &cfg, ho_state.data, ho_state.size))
			vlog(VLOG_ERR, MOD, "takeover: some port(s) could not be opened");
		if (!ho_ready)
			vlog(VLOG_ERR, MOD, "takeover: %s; forwarding anyway", err);
		else
			vlog(VLOG_INFO, MOD,
			     "takeover: pid %ld stopped forwarding %llu ms after READY; meanwhile "
			     "both processes forwarded, this one %llu packet(s) (on ports both "
			     "open, af_packet/pcap/tap: each a possible copy); %ld packet(s) it "
			     "had forwarded discarded from our rx queues before READY",
			     (long)old_pid, (unsigned long long)(ofproto_now_ms() - t_ready),
			     (unsigned long long)ws.rx_packets, flushed);
	}
	if (hc) {
		r = ho_ready ? handover_client_finish(hc, &ho_final, err, sizeof(err)) : -EPIPE;
		if (r && ho_ready)
			vlog(VLOG_ERR, MOD, "takeover: %s; counters restart from the first state",
			     err);
		/* The old process's final counters become the baseline: running totals. */
		for (size_t i = 0; !r && i < ofproto_n_bridges(ofp); i++) {
			r = state_apply_counters(ofproto_bridge(ofp, i), ho_final.data,
						 ho_final.size, err, sizeof(err));
			if (r)
				vlog(VLOG_ERR, MOD, "takeover: the final counters: %s", err);
		}
		if (!r)
			vlog(VLOG_INFO, MOD, "takeover from pid %ld done", (long)old_pid);
		handover_client_close(hc);
		hc = NULL;
		if (pidfile && write_pidfile(pidfile, old_pid))
			vlog(VLOG_WARN, MOD, "pidfile %s not rewritten", pidfile);
		relink_pid = old_pid;
		relink_since_ms = ofproto_now_ms();
	}
	r = handover_server_create(ofp, cfg.handover_socket, prefix, &hs, err, sizeof(err));
	if (r)
		vlog(VLOG_WARN, MOD, "no handover possible: %s", err);
	vlog(VLOG_INFO, MOD, "pfswitchd %s started: %zu bridge(s), %u worker(s), rundir %s",
	     PFS_VERSION, cfg.n_bridges, cfg.workers, cfg.rundir);
	log_memory("started");
	{
		char state[128];

		snprintf(state, sizeof(state), "READY=1\nSTATUS=%zu bridge(s), %u worker(s)",
			 cfg.n_bridges, cfg.workers);
		notify_service_manager(state);
	}
	if (detach_fd >= 0) {
		/* The waiting parent exits with success now. */
		if (write(detach_fd, "", 1) != 1)
			vlog(VLOG_WARN, MOD, "--detach: the parent is gone");
		close(detach_fd);
		detach_fd = -1;
	}
	/* ofproto_run(), with the memory report between iterations. */
	while (!stop_requested && !handover_server_done(hs)) {
		ofproto_run_once(ofp, 10);
		if (relink_pid && (!process_alive(relink_pid) ||
				   ofproto_now_ms() - relink_since_ms > RELINK_WAIT_MS)) {
			/* The old process closed the ports we share with it: a net_tap's
			 * interface went down with it. */
			ofproto_relink_shared_ports(ofp);
			relink_pid = 0;
		}
		if (report_requested) {
			report_requested = 0;
			log_memory("SIGUSR1");
		}
	}
	if (handover_server_done(hs))
		vlog(VLOG_INFO, MOD, "handed over to a new process, shutting down");
	else
		vlog(VLOG_INFO, MOD, "%s received, shutting down", strsignal(stop_signal));
	notify_service_manager("STOPPING=1");
	if (handover_server_done(hs))
		pidfile_written = false; /* the new process's now */
	pidfile_to_remove = pidfile_written ? pidfile : NULL;
	sa.sa_handler = on_shutdown_deadline;
	sigaction(SIGALRM, &sa, NULL);
	alarm(SHUTDOWN_DEADLINE_S);
	shutdown_step = "stopping the workers";
	r = dp_stop();
	if (r)
		vlog(VLOG_ERR, MOD, "a worker did not stop: exiting without freeing the datapath");
	log_memory("stopped");
	status = r ? EXIT_FAILURE : EXIT_SUCCESS;
	if (cfg.state_file && !handover_server_done(hs)) {
		/* After the workers stopped: the counters are final. Large tables take a
		 * while to write and fsync: the watchdog gives the save its own deadline. (A
		 * process that handed over leaves the file to the new one.) */
		shutdown_step = "saving the state file";
		alarm(STATE_SAVE_DEADLINE_S);
		if (state_save_file(ofp, cfg.state_file, err, sizeof(err))) {
			vlog(VLOG_ERR, MOD, "%s", err);
			status = EXIT_FAILURE;
		} else {
			vlog(VLOG_INFO, MOD, "state saved to %s", cfg.state_file);
		}
		alarm(SHUTDOWN_DEADLINE_S);
	}
out_destroy:
	shutdown_step = "closing connections and bridges";
	handover_server_destroy(hs);
	ofproto_destroy(ofp);
out_fini:
	shutdown_step = "releasing the datapath and the EAL";
	dp_fini();
	if (pidfile_written)
		unlink(pidfile);
out:
	handover_client_close(hc);
	buf_uninit(&ho_state);
	buf_uninit(&ho_final);
	config_free_argv(eal_argc, eal_argv);
	config_free(&cfg);
	return status;
}
