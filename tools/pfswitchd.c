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
#include "ofproto.h"
#include "pfs_config.h"
#include "state.h"
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
write_pidfile(const char *path)
{
	char buf[32];
	FILE *f;
	int fd;

	f = fopen(path, "r");
	if (f) {
		long pid = 0;

		if (fscanf(f, "%ld", &pid) == 1 && pid > 0 && pid != getpid() &&
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

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = DEFAULT_CONFIG, *pidfile = NULL;
	int log_override = -1;
	bool check_only = false, pidfile_written = false;
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
		goto out;
	}
	r = ofproto_create(&cfg, &ofp, err, sizeof(err));
	if (r) {
		vlog(VLOG_ERR, MOD, "%s", err);
		goto out_fini;
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
		if (write_pidfile(pidfile))
			goto out_destroy;
		pidfile_written = true;
	}
	r = dp_start();
	if (r) {
		vlog(VLOG_ERR, MOD, "cannot start the workers: %s", strerror(-r));
		goto out_destroy;
	}
	vlog(VLOG_INFO, MOD, "pfswitchd %s started: %zu bridge(s), %u worker(s), rundir %s",
	     PFS_VERSION, cfg.n_bridges, cfg.workers, cfg.rundir);
	log_memory("started");
	{
		char state[128];

		snprintf(state, sizeof(state), "READY=1\nSTATUS=%zu bridge(s), %u worker(s)",
			 cfg.n_bridges, cfg.workers);
		notify_service_manager(state);
	}
	/* ofproto_run(), with the memory report between iterations. */
	while (!stop_requested) {
		ofproto_run_once(ofp, 10);
		if (report_requested) {
			report_requested = 0;
			log_memory("SIGUSR1");
		}
	}
	vlog(VLOG_INFO, MOD, "%s received, shutting down", strsignal(stop_signal));
	notify_service_manager("STOPPING=1");
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
	if (cfg.state_file) {
		/* After the workers stopped: the counters are final. Large tables take a
		 * while to write and fsync: the watchdog gives the save its own deadline. */
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
	ofproto_destroy(ofp);
out_fini:
	shutdown_step = "releasing the datapath and the EAL";
	dp_fini();
	if (pidfile_written)
		unlink(pidfile);
out:
	config_free_argv(eal_argc, eal_argv);
	config_free(&cfg);
	return status;
}
