/* The datapath's DPDK telemetry commands (dpdk-telemetry.py, the EAL's telemetry socket):
 *
 *   /pfswitch/bridges       per bridge: datapath id, fail mode, NORMAL mode, ports, flows
 *                           (and flows per non-empty table)
 *   /pfswitch/ports[,NAME]  per port (or port NAME alone): bridge, ofport, devargs, link,
 *                           rx/tx packets, bytes, drops, errors
 *   /pfswitch/drops         per drop reason: total and per worker
 *   /pfswitch/flows         per bridge and table in use: active flows, lookups, matches
 *
 * The callbacks run on the EAL's telemetry thread. Bridges and ports are linked, unlinked
 * and freed by the control thread while it holds dp_tel_lock(); the callbacks hold it
 * while they walk them, so nothing they read is freed under them. Counters are read with
 * plain loads: they only grow, and a figure a few packets old is fine.
 *
 * Neighbours: dp_core.h (the structures), datapath.c (bridges, ports, drop names),
 * dp_port.c (device statistics), rte_telemetry. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "dp_core.h"

/* rte_telemetry's limit on a dict's entries (RTE_TEL_MAX_DICT_ENTRIES in 22.11). */
#define TEL_MAX_ENTRIES 256

static pthread_mutex_t tel_mutex = PTHREAD_MUTEX_INITIALIZER;

void
dp_tel_lock(void)
{
	pthread_mutex_lock(&tel_mutex);
}

void
dp_tel_unlock(void)
{
	pthread_mutex_unlock(&tel_mutex);
}

static unsigned
bridge_port_count(const struct dp_bridge *br)
{
	unsigned n = 0;

	for (unsigned s = 0; s < DP_BRIDGE_MAX_PORTS; s++)
		n += br->slots[s] != NULL;
	return n;
}

static unsigned
table_flows(const struct dp_bridge *br, unsigned t)
{
	return __atomic_load_n(&br->tables[t].n_rules, __ATOMIC_RELAXED);
}

static int
bridges_locked(const char *params, struct rte_tel_data *d)
{
	(void)params;
	const struct dp_bridge *br;
	unsigned n = 0;

	rte_tel_data_start_dict(d);
	TAILQ_FOREACH(br, &dp_g.bridges, node)
	{
		struct rte_tel_data *c;
		char buf[32];
		uint64_t flows = 0;

		if (++n > TEL_MAX_ENTRIES)
			break;
		c = rte_tel_data_alloc();
		if (!c)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		snprintf(buf, sizeof(buf), "0x%016" PRIx64, br->datapath_id);
		rte_tel_data_add_dict_string(c, "datapath_id", buf);
		rte_tel_data_add_dict_string(c, "fail_mode", br->fail_mode);
		rte_tel_data_add_dict_int(c, "normal_mode",
					  __atomic_load_n(&br->normal_mode, __ATOMIC_RELAXED));
		rte_tel_data_add_dict_u64(c, "ports", bridge_port_count(br));
		for (unsigned t = 0; t < DP_N_TABLES; t++)
			flows += table_flows(br, t);
		rte_tel_data_add_dict_u64(c, "flows", flows);
		/* Leave room for the fields above in the container's entries. */
		for (unsigned t = 0, k = 5; t < DP_N_TABLES && k < TEL_MAX_ENTRIES; t++) {
			unsigned f = table_flows(br, t);

			if (!f)
				continue;
			snprintf(buf, sizeof(buf), "table%u_flows", t);
			rte_tel_data_add_dict_u64(c, buf, f);
			k++;
		}
		rte_tel_data_add_dict_container(d, br->name, c, 0);
	}
	return 0;
}

static void
port_fill(struct rte_tel_data *c, const struct dp_port *p)
{
	struct dp_port_stats st;
	uint32_t state = __atomic_load_n(&p->state, __ATOMIC_RELAXED);
	uint32_t config = __atomic_load_n(&p->config, __ATOMIC_RELAXED);

	dp_port_dev_stats(p, &st);
	rte_tel_data_add_dict_string(c, "bridge", p->br->name);
	rte_tel_data_add_dict_u64(c, "ofport", p->ofport);
	rte_tel_data_add_dict_u64(c, "ethdev", p->port_id);
	rte_tel_data_add_dict_string(c, "devargs", p->devargs ? p->devargs : "");
	rte_tel_data_add_dict_string(c, "link", state & OFPPS_LINK_DOWN ? "down" : "up");
	rte_tel_data_add_dict_int(c, "admin_down", !!(config & OFPPC_PORT_DOWN));
	rte_tel_data_add_dict_u64(c, "speed_kbps", p->curr_speed);
	rte_tel_data_add_dict_u64(c, "rx_packets", st.rx_packets);
	rte_tel_data_add_dict_u64(c, "rx_bytes", st.rx_bytes);
	rte_tel_data_add_dict_u64(c, "rx_dropped", st.rx_dropped);
	rte_tel_data_add_dict_u64(c, "rx_errors", st.rx_errors);
	rte_tel_data_add_dict_u64(c, "tx_packets", st.tx_packets);
	rte_tel_data_add_dict_u64(c, "tx_bytes", st.tx_bytes);
	rte_tel_data_add_dict_u64(c, "tx_dropped", st.tx_dropped);
	rte_tel_data_add_dict_u64(c, "tx_errors", st.tx_errors);
}

/* params: empty for every port (a dict of port name to its dict), or a port name for
 * that port's dict alone (-EINVAL if no port has it). */
static int
ports_locked(const char *params, struct rte_tel_data *d)
{
	const struct dp_bridge *br;
	unsigned n = 0;

	rte_tel_data_start_dict(d);
	TAILQ_FOREACH(br, &dp_g.bridges, node)
	{
		for (unsigned s = 0; s < DP_BRIDGE_MAX_PORTS; s++) {
			const struct dp_port *p = br->slots[s];
			struct rte_tel_data *c;

			if (!p)
				continue;
			if (params && *params) {
				if (strcmp(params, p->name) != 0)
					continue;
				port_fill(d, p);
				return 0;
			}
			if (++n > TEL_MAX_ENTRIES)
				return 0;
			c = rte_tel_data_alloc();
			if (!c)
				return -ENOMEM;
			rte_tel_data_start_dict(c);
			port_fill(c, p);
			rte_tel_data_add_dict_container(d, p->name, c, 0);
		}
	}
	return params && *params ? -EINVAL : 0;
}

static int
drops_locked(const char *params, struct rte_tel_data *d)
{
	(void)params;
	unsigned n = dp_drop_stats(NULL, 0);
	struct dp_drop_stat *tot = calloc(n ? n : 1, sizeof(*tot));
	struct dp_drop_stat *per =
		calloc((n ? n : 1) * (dp_g.n_workers ? dp_g.n_workers : 1), sizeof(*per));
	int ret = 0;

	if (!tot || !per) {
		ret = -ENOMEM;
		goto out;
	}
	dp_drop_stats(tot, n);
	for (unsigned w = 0; w < dp_g.n_workers; w++)
		dp_drop_stats_worker(w, per + (size_t)w * n, n);
	rte_tel_data_start_dict(d);
	for (unsigned k = 0; k < n && k < TEL_MAX_ENTRIES; k++) {
		struct rte_tel_data *c = rte_tel_data_alloc();
		char name[32];

		if (!c) {
			ret = -ENOMEM;
			goto out;
		}
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_u64(c, "total", tot[k].count);
		for (unsigned w = 0; w < dp_g.n_workers && w + 1 < TEL_MAX_ENTRIES; w++) {
			snprintf(name, sizeof(name), "worker%u", w);
			rte_tel_data_add_dict_u64(c, name, per[(size_t)w * n + k].count);
		}
		rte_tel_data_add_dict_container(d, tot[k].name, c, 0);
	}
out:
	free(tot);
	free(per);
	return ret;
}

/* One entry "BRIDGE/tTABLE" per table with flows or lookups, up to the dict's limit. */
static int
flows_locked(const char *params, struct rte_tel_data *d)
{
	(void)params;
	const struct dp_bridge *br;
	unsigned n = 0;

	rte_tel_data_start_dict(d);
	TAILQ_FOREACH(br, &dp_g.bridges, node)
	{
		for (unsigned t = 0; t < DP_N_TABLES; t++) {
			uint64_t lookups, matched;
			unsigned active = table_flows(br, t);
			struct rte_tel_data *c;
			char name[96];

			dp_table_get_stats(br, (uint8_t)t, &lookups, &matched);
			if (!active && !lookups)
				continue;
			if (++n > TEL_MAX_ENTRIES)
				return 0;
			c = rte_tel_data_alloc();
			if (!c)
				return -ENOMEM;
			rte_tel_data_start_dict(c);
			rte_tel_data_add_dict_string(c, "bridge", br->name);
			rte_tel_data_add_dict_u64(c, "table", t);
			rte_tel_data_add_dict_u64(c, "active", active);
			rte_tel_data_add_dict_u64(c, "lookups", lookups);
			rte_tel_data_add_dict_u64(c, "matched", matched);
			rte_tel_data_add_dict_string(c, "shape", dp_table_shape(br, (uint8_t)t));
			snprintf(name, sizeof(name), "%s/t%u", br->name, t);
			rte_tel_data_add_dict_container(d, name, c, 0);
		}
	}
	return 0;
}

/* Every /pfswitch/... command: its handler runs under dp_tel_lock(). */
static const struct {
	const char *name;
	int (*fn)(const char *params, struct rte_tel_data *d);
	const char *help;
} commands[] = {
	{ "/pfswitch/bridges", bridges_locked,
	  "Bridges: datapath id, fail mode, NORMAL mode, ports, flows." },
	{ "/pfswitch/ports", ports_locked,
	  "Ports: bridge, ofport, devargs, link, rx/tx counters. "
	  "Parameter: a port name for that port only." },
	{ "/pfswitch/drops", drops_locked, "Packets dropped per reason: total and per worker." },
	{ "/pfswitch/flows", flows_locked,
	  "Per bridge and table in use: active flows, lookups, matches." },
	{ "/pfswitch/workers", dp_tel_workers,
	  "Per worker busy/idle TSC cycles, sleeps and interrupt waits." },
};

/* The one callback of every command: finds it by name and runs it under the lock. */
static int
tel_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	for (size_t i = 0; i < RTE_DIM(commands); i++) {
		if (strcmp(cmd, commands[i].name) == 0) {
			int ret;

			dp_tel_lock();
			ret = commands[i].fn(params, d);
			dp_tel_unlock();
			return ret;
		}
	}
	return -EINVAL;
}

void
dp_telemetry_init(void)
{
	for (size_t i = 0; i < RTE_DIM(commands); i++)
		rte_telemetry_register_cmd(commands[i].name, tel_cmd, commands[i].help);
}
