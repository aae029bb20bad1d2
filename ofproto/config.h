/* pfswitchd's configuration file: one INI file (parsed with libinih) in the shape of
 * DESIGN.md section 5, every key documented in config/pfswitch.ini. Sections:
 *   [dpdk]          eal, n_mbufs, miss_ring_size
 *   [switch]        workers, rundir, log_level, max_masks_per_table, microflow_cache,
 *                   idle_polls_before_sleep, idle_sleep_us, and the connection limits
 *                   conn_queue_pause, conn_queue_max, conn_async_max,
 *                   conn_stall_timeout, max_connections, max_connections_per_listener,
 *                   multipart_request_timeout, multipart_request_max, and TLS:
 *                   ssl_private_key, ssl_certificate, ssl_ca_cert, ssl_verify_peer,
 *                   group_bucket_budget, and power: idle_link_speed_mbps,
 *                   rx_interrupts, timer_slack_ns, consolidate, consolidate_below_pct,
 *                   consolidate_above_pct
 *   [bridge NAME]   datapath_id, fail_mode, controller (repeatable), inactivity_probe,
 *                   max_backoff, max_flows, max_total_flows, max_groups, max_meters,
 *                   packet_in_rate, packet_in_burst, bridge_packet_in_rate,
 *                   bridge_packet_in_burst, description, local_port, local_port_name
 *   [port NAME]     bridge, ofport, devargs
 * Anything else (an unknown section or key, a bad or repeated value, a port on an
 * unknown bridge, a duplicate ofport or datapath id, a missing required key, a LOCAL
 * port name used by another port or LOCAL port) is refused
 * with "FILE:LINE: reason", and so is an ssl:/pssl: controller when the three ssl_ files
 * are not all given, cannot be read or do not load (stream_tls.h checks them). Pure C:
 * no DPDK, no datapath; unit-tested in tests/unit. */
#ifndef PFS_CONFIG_H
#define PFS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest max_groups / max_meters: the datapath's per-bridge capacity
 * (DP_GROUP_MAX_GROUPS, DP_METER_MAX_METERS; bridge.c asserts they agree). */
#define CONFIG_MAX_GROUPS 65536
#define CONFIG_MAX_METERS 65536

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
	/* Quotas of the bridge as a whole (one tenant cannot take what another needs). */
	unsigned max_total_flows;	/* flows over all tables */
	unsigned max_groups;		/* 1..CONFIG_MAX_GROUPS */
	unsigned max_meters;		/* 1..CONFIG_MAX_METERS */
	unsigned bridge_packet_in_rate; /* packets/s the bridge sends up; 0 = unlimited */
	unsigned bridge_packet_in_burst;
	unsigned packet_in_queue_per_port; /* packet-ins waiting per in_port (pinsched) */
	unsigned packet_in_queue_total;	   /* and in all, per bridge */
	char *description;		   /* OFPMP_DESC dp_desc; NULL = the bridge name */
	/* The bridge's LOCAL port (OFPP_LOCAL): a kernel tap interface for the host. */
	bool local_port;
	char local_port_name[CONFIG_NAME_MAX + 1]; /* its port and interface name */
	int local_port_name_line;		   /* 0 = not given: the bridge name */
};

struct config_port {
	char name[CONFIG_NAME_MAX + 1];
	int line;
	char bridge[CONFIG_NAME_MAX + 1];
	int bridge_line;
	uint32_t ofport; /* 1..OFPP_MAX */
	/* DPDK devargs; for type = vhost, built from the vhost_* keys when the file is
	 * validated ("net_vhost_NAME,iface=SOCKET[,client=1]"). */
	char *devargs;
	bool vhost;	    /* type = vhost */
	int type_line;	    /* line of 'type', 0 if absent */
	char *vhost_socket; /* vhost_socket: the vhost-user unix socket */
	int vhost_line;	    /* first line of a vhost_* key, 0 if none */
	bool vhost_server;  /* vhost_mode = server: pfswitch creates the socket */
};

/* Limits on OpenFlow connections ([switch] conn_* and friends; see config/pfswitch.ini
 * for their meaning). Every bound is > 0 once parsed. */
struct config_conn_limits {
	unsigned queue_pause;	   /* bytes queued above which requests are not read */
	unsigned queue_max;	   /* bytes: hard bound on a connection's output queue */
	unsigned async_max;	   /* bytes queued above which async messages are dropped */
	unsigned stall_timeout_s;  /* no transmit progress with output pending; 0 = never */
	unsigned max_conns;	   /* accepted connections in the process */
	unsigned max_per_listener; /* accepted connections per listening socket */
	unsigned mp_timeout_s;	   /* partial multipart request sequences */
	unsigned mp_max;	   /* bytes of partial multipart requests per connection */
	/* bundles (ONF ext 230), see bundle.h */
	unsigned bundle_idle_timeout_s; /* an open bundle untouched this long is discarded */
	unsigned bundle_max_open;	/* bundles open at once per connection */
	unsigned bundle_max_msgs;	/* messages in one bundle */
	unsigned bundle_max_bytes;	/* bytes of messages in one bundle */
};

#define CONFIG_CONN_QUEUE_PAUSE_DEFAULT (1u << 20)
#define CONFIG_CONN_QUEUE_MAX_DEFAULT (32u << 20)
#define CONFIG_CONN_ASYNC_MAX_DEFAULT (8u << 20)
#define CONFIG_CONN_STALL_TIMEOUT_DEFAULT 60
#define CONFIG_MAX_CONNECTIONS_DEFAULT 1024
#define CONFIG_MAX_PER_LISTENER_DEFAULT 256
#define CONFIG_MP_TIMEOUT_DEFAULT 10
#define CONFIG_MP_MAX_DEFAULT (4u << 20)
#define CONFIG_BUNDLE_IDLE_TIMEOUT_DEFAULT 10
#define CONFIG_BUNDLE_MAX_OPEN_DEFAULT 16
#define CONFIG_BUNDLE_MAX_MSGS_DEFAULT 200000
#define CONFIG_BUNDLE_MAX_BYTES_DEFAULT (64u << 20)

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
	struct config_conn_limits conn; /* the connection limits, see below */
	char *ssl_private_key; /* PEM files for ssl:/pssl: controllers; NULL if not given */
	char *ssl_certificate;
	char *ssl_ca_cert;
	bool ssl_verify_peer;	      /* refuse peers without a certificate signed by ssl_ca_cert */
	bool uses_tls;		      /* some controller is ssl: or pssl: */
	unsigned group_bucket_budget; /* bucket executions one packet may cause via groups */
	unsigned idle_link_speed_mbps;
	bool rx_interrupts;
	unsigned timer_slack_ns;
	bool consolidate;
	unsigned consolidate_below_pct, consolidate_above_pct;
	int consolidate_pct_line;  /* of the later of the two keys, for the cross-check */
	unsigned mac_table_size;   /* MAC learning entries per bridge */
	unsigned mac_aging_s;	   /* seconds an unseen address is kept */
	unsigned mac_max_per_port; /* addresses learned per port; 0 = no limit */
	char *handover_socket; /* unix socket for --takeover (default RUNDIR/pfswitchd.handover) */
	char *metrics;	       /* Prometheus endpoint "tcp:IP:PORT" or "unix:PATH"; NULL = off */
	char *state_file;      /* tables saved on SIGTERM/SIGINT, restored on start; NULL = off */
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
