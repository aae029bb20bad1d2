/* pfswitchd's configuration file: one INI file (parsed with libinih) in the shape of
 * DESIGN.md section 5, every key documented in config/pfswitch.ini. Sections:
 *   [dpdk]          eal, n_mbufs, miss_ring_size
 *   [switch]        workers, rundir, log_level, max_masks_per_table, microflow_cache,
 *                   idle_polls_before_sleep, idle_sleep_us
 *   [bridge NAME]   datapath_id, fail_mode, controller (repeatable), inactivity_probe,
 *                   max_backoff, max_flows, packet_in_rate, packet_in_burst, description
 *   [port NAME]     bridge, ofport, devargs
 * Anything else (an unknown section or key, a bad or repeated value, a port on an
 * unknown bridge, a duplicate ofport or datapath id, a missing required key) is refused
 * with "FILE:LINE: reason". Pure C: no DPDK, no datapath; unit-tested in tests/unit. */
#ifndef PFS_CONFIG_H
#define PFS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_NAME_MAX 15 /* bridge and port names: OpenFlow's port name field less NUL */

enum config_fail_mode {
	CONFIG_FAIL_STANDALONE = 0,
	CONFIG_FAIL_SECURE = 1,
};

struct config_bridge {
	char name[CONFIG_NAME_MAX + 1];
	int line; /* of its section header */
	uint64_t datapath_id;
	bool datapath_id_set;
	enum config_fail_mode fail_mode;
	char **controllers; /* targets as written: tcp:, ptcp:, punix:, ... */
	size_t n_controllers;
	unsigned inactivity_probe_s; /* 0 = no probe */
	unsigned max_backoff_s;	     /* >= 1 */
	uint32_t max_flows;	     /* per table */
	unsigned packet_in_rate;     /* per controller connection, packets/s; 0 = unlimited */
	unsigned packet_in_burst;
	unsigned packet_in_queue_per_port; /* packet-ins waiting per in_port (pinsched) */
	unsigned packet_in_queue_total;	   /* and in all, per bridge */
	char *description;		   /* OFPMP_DESC dp_desc; NULL = the bridge name */
};

struct config_port {
	char name[CONFIG_NAME_MAX + 1];
	int line;
	char bridge[CONFIG_NAME_MAX + 1];
	int bridge_line;
	uint32_t ofport; /* 1..OFPP_MAX */
	char *devargs;
};

struct config {
	char *file; /* name used in messages */
	/* [dpdk] */
	char *eal;
	unsigned n_mbufs;
	unsigned miss_ring_size;
	/* [switch] */
	unsigned workers;
	char *rundir;
	int log_level; /* enum vlog_level */
	unsigned max_masks_per_table;
	bool microflow_cache;
	unsigned idle_polls_before_sleep;
	unsigned idle_sleep_us;
	unsigned mac_table_size;   /* MAC learning entries per bridge */
	unsigned mac_aging_s;	   /* seconds an unseen address is kept */
	unsigned mac_max_per_port; /* addresses learned per port; 0 = no limit */
	struct config_bridge *bridges;
	size_t n_bridges;
	struct config_port *ports;
	size_t n_ports;
};

#define CONFIG_RUNDIR_DEFAULT "/run/pfswitch"

/* Fills cfg with the defaults (no bridges; see config/pfswitch.ini). */
void config_init(struct config *cfg);
/* Parses the file at path into cfg (config_init first, config_free on every path).
 * 0; -EINVAL with errbuf "PATH:LINE: reason"; -ENOENT/-EACCES/... with errbuf naming
 * the file when it cannot be opened; -ENOMEM. */
int config_load(const char *path, struct config *cfg, char *errbuf, size_t errlen);
/* The same on text held in memory; name is used in messages in place of the path. */
int config_parse_string(const char *text, const char *name, struct config *cfg, char *errbuf,
			size_t errlen);
/* Frees everything cfg holds. NULL-safe, idempotent. */
void config_free(struct config *cfg);
/* Builds the EAL argv: argv0, the words of [dpdk] eal (whitespace-separated; single or
 * double quotes group words), then extra[0..n_extra). *argv is NULL-terminated and
 * freed with config_free_argv(). 0, -EINVAL (unterminated quote), -ENOMEM. */
int config_eal_argv(const struct config *cfg, const char *argv0, int n_extra, char **extra,
		    int *argc, char ***argv);
void config_free_argv(int argc, char **argv);
/* The bridge named name, or NULL. */
const struct config_bridge *config_find_bridge(const struct config *cfg, const char *name);

#endif /* PFS_CONFIG_H */
