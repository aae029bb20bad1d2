/* DPDK port (ethdev) side of a datapath port: probe or adopt the device named by any
 * devargs (PCI address, net_af_packet, net_pcap, net_memif, net_tap, net_vhost, net_ring,
 * ...), one rx queue per worker where the device has them (RSS), one tx queue per worker
 * (shared under a per-queue lock where the device has fewer), jumbo MTU where the device
 * and the mbuf size allow it, link state and speeds as OpenFlow OFPPS_/OFPPF_ bits, and
 * statistics (device counters merged with the workers' software counters).
 *
 * Control thread only. Called by datapath.c (dp_port_add/del/get_*). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "dp_core.h"
#include "util.h"

#define RX_DESC 1024
#define TX_DESC 1024
#define JUMBO_MTU 9000
#define VLAN_TAGS_LEN 8 /* room for two VLAN tags (QinQ) on top of the MTU */

static int
find_port(const char *devargs, uint16_t *pid)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	size_t n = strcspn(devargs, ",");

	if (n == 0 || n >= sizeof(name))
		return -EINVAL;
	memcpy(name, devargs, n);
	name[n] = '\0';
	if (rte_eth_dev_get_port_by_name(name, pid) == 0)
		return 0;

	struct rte_dev_iterator it;
	uint16_t id;
	int found = -ENODEV;

	RTE_ETH_FOREACH_MATCHING_DEV(id, devargs, &it)
	{
		if (found != 0) {
			*pid = id;
			found = 0;
		}
	}
	return found;
}

static uint32_t
speed_bits(uint32_t capa, uint32_t *max_kbps)
{
	static const struct {
		uint32_t rte, ofp, mbps;
	} map[] = {
		{ RTE_ETH_LINK_SPEED_10M_HD, OFPPF_10MB_HD, 10 },
		{ RTE_ETH_LINK_SPEED_10M, OFPPF_10MB_FD, 10 },
		{ RTE_ETH_LINK_SPEED_100M_HD, OFPPF_100MB_HD, 100 },
		{ RTE_ETH_LINK_SPEED_100M, OFPPF_100MB_FD, 100 },
		{ RTE_ETH_LINK_SPEED_1G, OFPPF_1GB_FD, 1000 },
		{ RTE_ETH_LINK_SPEED_2_5G, OFPPF_OTHER, 2500 },
		{ RTE_ETH_LINK_SPEED_5G, OFPPF_OTHER, 5000 },
		{ RTE_ETH_LINK_SPEED_10G, OFPPF_10GB_FD, 10000 },
		{ RTE_ETH_LINK_SPEED_20G, OFPPF_OTHER, 20000 },
		{ RTE_ETH_LINK_SPEED_25G, OFPPF_OTHER, 25000 },
		{ RTE_ETH_LINK_SPEED_40G, OFPPF_40GB_FD, 40000 },
		{ RTE_ETH_LINK_SPEED_50G, OFPPF_OTHER, 50000 },
		{ RTE_ETH_LINK_SPEED_56G, OFPPF_OTHER, 56000 },
		{ RTE_ETH_LINK_SPEED_100G, OFPPF_100GB_FD, 100000 },
		{ RTE_ETH_LINK_SPEED_200G, OFPPF_OTHER, 200000 },
	};
	uint32_t bits = 0, max = 0;

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (capa & map[i].rte) {
			bits |= map[i].ofp;
			max = PFS_MAX(max, map[i].mbps);
		}
	}
	if (max_kbps)
		*max_kbps = max * 1000;
	return bits;
}

static uint32_t
link_curr(const struct rte_eth_link *l)
{
	bool fd = l->link_duplex == RTE_ETH_LINK_FULL_DUPLEX;

	switch (l->link_speed) {
	case RTE_ETH_SPEED_NUM_10M:
		return fd ? OFPPF_10MB_FD : OFPPF_10MB_HD;
	case RTE_ETH_SPEED_NUM_100M:
		return fd ? OFPPF_100MB_FD : OFPPF_100MB_HD;
	case RTE_ETH_SPEED_NUM_1G:
		return fd ? OFPPF_1GB_FD : OFPPF_1GB_HD;
	case RTE_ETH_SPEED_NUM_10G:
		return OFPPF_10GB_FD;
	case RTE_ETH_SPEED_NUM_40G:
		return OFPPF_40GB_FD;
	case RTE_ETH_SPEED_NUM_100G:
		return OFPPF_100GB_FD;
	case RTE_ETH_SPEED_NUM_NONE:
	case RTE_ETH_SPEED_NUM_UNKNOWN:
		return 0;
	default:
		return OFPPF_OTHER;
	}
}

static bool
is_vdev(const struct rte_eth_dev_info *di)
{
	const struct rte_bus *bus = di->device ? rte_dev_bus(di->device) : NULL;

	return bus && strcmp(rte_bus_name(bus), "vdev") == 0;
}

/* A vhost-user port (net_vhost): a VM's or container's virtio device on a unix socket. */
static bool
is_vhost(const struct rte_eth_dev_info *di)
{
	return di->driver_name && strcmp(di->driver_name, "net_vhost") == 0;
}

/* The largest MTU the device and the pool allow, and whether it needs scattered rx. */
static uint32_t
pick_mtu(const struct rte_eth_dev_info *di, bool *scatter)
{
	uint32_t overhead = RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
	uint32_t mtu = JUMBO_MTU;
	uint32_t room = rte_pktmbuf_data_room_size(dp_g.pool) - RTE_PKTMBUF_HEADROOM;

	if (di->max_mtu != UINT16_MAX && di->max_rx_pktlen > di->max_mtu)
		overhead = di->max_rx_pktlen - di->max_mtu;
	mtu = PFS_MIN(mtu, di->max_mtu);
	if (di->max_rx_pktlen > overhead)
		mtu = PFS_MIN(mtu, di->max_rx_pktlen - overhead);
	*scatter = false;
	if (mtu + overhead + VLAN_TAGS_LEN > room) {
		if (di->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
			*scatter = true;
		else if (!is_vdev(di) && room > overhead + VLAN_TAGS_LEN)
			mtu = room - overhead - VLAN_TAGS_LEN;
		/* Software PMDs (af_packet, pcap, memif, tap, vhost, ring) receive into
		 * chains or refuse themselves at queue setup; keep the jumbo MTU. */
	}
	if (mtu < di->min_mtu)
		mtu = di->min_mtu;
	return mtu;
}

/* Configures the device and its queues; with intr, asks for rx interrupts. */
static int
configure(struct dp_port *port, const struct rte_eth_dev_info *di, bool intr)
{
	uint16_t pid = port->port_id;
	unsigned nw = dp_g.n_workers;
	struct rte_eth_conf conf;
	bool scatter;
	int ret;

	memset(&conf, 0, sizeof(conf));
	port->n_rxq = PFS_MAX(1, PFS_MIN(nw, di->max_rx_queues));
	port->n_txq = PFS_MAX(1, PFS_MIN(nw, di->max_tx_queues));
	if (port->n_rxq > 1) {
		uint64_t hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
			      di->flow_type_rss_offloads;

		if (hf) {
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			conf.rx_adv_conf.rss_conf.rss_hf = hf;
		} else {
			port->n_rxq = 1;
		}
	}
	port->mtu = pick_mtu(di, &scatter);
	/* Rx interrupts let an idle worker block instead of sleeping; whether the PMD has
	 * them shows when a queue's interrupt is added to a worker's epoll fd. */
	port->rx_intr = intr;
	conf.intr_conf.rxq = port->rx_intr;
	conf.rxmode.mtu = port->mtu;
	if (scatter)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	if (di->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	/* Hardware without MULTI_SEGS cannot send chains; software PMDs copy or pass
	 * chains whatever they advertise. */
	port->tx_multiseg = (di->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) || is_vdev(di);

	ret = rte_eth_dev_configure(pid, port->n_rxq, port->n_txq, &conf);
	if (ret < 0 && conf.intr_conf.rxq) {
		port->rx_intr = false;
		conf.intr_conf.rxq = 0;
		ret = rte_eth_dev_configure(pid, port->n_rxq, port->n_txq, &conf);
	}
	if (ret < 0 && conf.rxmode.mtu != RTE_ETHER_MTU) {
		DP_LOG(NOTICE, "port %s: jumbo MTU %u refused (%s), using %u\n", port->name,
		       port->mtu, strerror(-ret), RTE_ETHER_MTU);
		port->mtu = conf.rxmode.mtu = RTE_ETHER_MTU;
		conf.rxmode.offloads &= ~RTE_ETH_RX_OFFLOAD_SCATTER;
		ret = rte_eth_dev_configure(pid, port->n_rxq, port->n_txq, &conf);
	}
	if (ret < 0) {
		DP_LOG(ERR, "port %s: configure: %s\n", port->name, strerror(-ret));
		return ret;
	}
	if (port->mtu < JUMBO_MTU)
		DP_LOG(NOTICE, "port %s: MTU %u (device or mbuf size does not allow %u)\n",
		       port->name, port->mtu, JUMBO_MTU);

	uint16_t nrx = RX_DESC, ntx = TX_DESC;

	rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nrx, &ntx);
	port->n_rxdesc = nrx;
	int socket = rte_eth_dev_socket_id(pid);

	if (socket < 0)
		socket = (int)rte_socket_id();
	for (uint16_t q = 0; q < port->n_rxq; q++) {
		struct rte_eth_rxconf rxc = di->default_rxconf;

		rxc.offloads = conf.rxmode.offloads;
		ret = rte_eth_rx_queue_setup(pid, q, nrx, socket, &rxc, dp_g.pool);
		if (ret < 0) {
			DP_LOG(ERR, "port %s: rx queue %u: %s\n", port->name, q, strerror(-ret));
			return ret;
		}
	}
	for (uint16_t q = 0; q < port->n_txq; q++) {
		struct rte_eth_txconf txc = di->default_txconf;

		txc.offloads = conf.txmode.offloads;
		ret = rte_eth_tx_queue_setup(pid, q, ntx, socket, &txc);
		if (ret < 0) {
			DP_LOG(ERR, "port %s: tx queue %u: %s\n", port->name, q, strerror(-ret));
			return ret;
		}
	}
	port->tx_shared = port->n_txq < nw;
	if (port->tx_shared) {
		port->tx_lock = rte_zmalloc("dp_txlock", sizeof(rte_spinlock_t) * port->n_txq,
					    RTE_CACHE_LINE_SIZE);
		if (!port->tx_lock)
			return -ENOMEM;
		for (uint16_t q = 0; q < port->n_txq; q++)
			rte_spinlock_init(&port->tx_lock[q]);
	}
	return 0;
}

/* Remembers the kernel interface of a vdev that reads one ("iface=NAME"), for
 * kernel_link_up(). */
static void
note_kernel_iface(struct dp_port *port, const char *devargs)
{
	const char *p = strstr(devargs, "iface=");
	size_t n;

	port->kernel_iface[0] = '\0';
	if (!p || (p != devargs && p[-1] != ','))
		return;
	p += strlen("iface=");
	n = strcspn(p, ",");
	if (n == 0 || n >= sizeof(port->kernel_iface))
		return;
	memcpy(port->kernel_iface, p, n);
	port->kernel_iface[n] = '\0';
}

/* False if the port's kernel interface is operationally down (it or its peer is down,
 * or it has no carrier); true otherwise, also when it cannot be read. Control thread
 * only: one small sysfs read per port and poll. */
static bool
kernel_link_up(const struct dp_port *port)
{
	char path[64 + IF_NAMESIZE], state[32] = "";
	FILE *f;

	if (!port->kernel_iface[0])
		return true;
	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", port->kernel_iface);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (!fgets(state, sizeof(state), f))
		state[0] = '\0';
	fclose(f);
	return strncmp(state, "down", 4) && strncmp(state, "lowerlayerdown", 14) &&
	       strncmp(state, "notpresent", 10);
}

int
dp_port_dev_open(struct dp_port *port, const char *devargs)
{
	struct rte_eth_dev_info di;
	uint16_t pid;
	int ret;

	memset(&di, 0, sizeof(di));
	port->probed = false;
	for (unsigned i = 0; i < DP_MAX_WORKERS; i++)
		port->owner[i] = port->intr_owner[i] = -1;
	note_kernel_iface(port, devargs);
	if (find_port(devargs, &pid) != 0) {
		ret = rte_dev_probe(devargs);
		if (ret < 0) {
			DP_LOG(ERR, "port %s: cannot probe \"%s\": %s\n", port->name, devargs,
			       strerror(-ret));
			return -ENODEV;
		}
		if (find_port(devargs, &pid) != 0) {
			DP_LOG(ERR, "port %s: \"%s\" probed but no ethdev found\n", port->name,
			       devargs);
			return -ENODEV;
		}
		port->probed = true;
	}
	if (dp_g.ports[pid]) {
		DP_LOG(ERR, "port %s: device of \"%s\" already used by port %s\n", port->name,
		       devargs, dp_g.ports[pid]->name);
		return -EBUSY; /* not ours: never remove it */
	}
	port->port_id = pid;
	ret = rte_eth_dev_info_get(pid, &di);
	if (ret < 0)
		goto fail;
	/* vhost: iface= is the socket, not a kernel interface. Its rx interrupts are the
	 * guest's kick fds, which change each time the guest (re)connects, after the worker
	 * registered them, and arming them while no guest is attached logs per call: an
	 * idle worker sleeps on vhost ports instead. Link state follows the guest: the PMD
	 * sets it up at new_device and down at destroy_device, and dp_port_dev_poll() reads
	 * it, so a guest's attach and detach become PORT_STATUS messages. */
	if (is_vhost(&di))
		port->kernel_iface[0] = '\0';
	ret = configure(port, &di, dp_g.params.rx_interrupts && !is_vhost(&di));
	if (ret < 0)
		goto fail;
	ret = rte_eth_promiscuous_enable(pid);
	if (ret < 0 && ret != -ENOTSUP)
		DP_LOG(NOTICE, "port %s: promiscuous mode: %s\n", port->name, strerror(-ret));
	ret = rte_eth_dev_start(pid);
	if (ret < 0 && port->rx_intr) {
		/* Some PMDs refuse rx interrupts only at start (no event fds): go without. */
		DP_LOG(INFO, "port %s: start with rx interrupts: %s; retrying without\n",
		       port->name, strerror(-ret));
		rte_free(port->tx_lock);
		port->tx_lock = NULL;
		rte_eth_dev_stop(pid);
		ret = configure(port, &di, false);
		if (ret == 0)
			ret = rte_eth_dev_start(pid);
	}
	if (ret < 0) {
		DP_LOG(ERR, "port %s: start: %s\n", port->name, strerror(-ret));
		goto fail;
	}
	struct rte_eth_rxq_info qi;

	if (rte_eth_rx_queue_info_get(pid, 0, &qi) == 0 && qi.nb_desc)
		port->n_rxdesc = qi.nb_desc;

	struct rte_ether_addr mac;

	if (rte_eth_macaddr_get(pid, &mac) == 0)
		memcpy(port->hw_addr, mac.addr_bytes, 6);
	port->supported = speed_bits(di.speed_capa, &port->max_speed);
	port->advertised = port->supported;
	dp_port_dev_poll(port);
	return 0;

fail:
	rte_free(port->tx_lock);
	port->tx_lock = NULL;
	rte_eth_dev_close(pid);
	if (port->probed && di.device)
		rte_dev_remove(di.device);
	return ret == -ENOMEM ? -ENOMEM : ret == -EINVAL ? -EINVAL : -ENODEV;
}

void
dp_port_dev_close(struct dp_port *port)
{
	struct rte_eth_dev_info di;
	struct rte_device *dev = NULL;
	uint16_t pid = port->port_id;

	if (rte_eth_dev_info_get(pid, &di) == 0)
		dev = di.device;
	rte_eth_dev_stop(pid);
	rte_eth_dev_close(pid);
	if (port->probed && dev)
		rte_dev_remove(dev);
	rte_free(port->tx_lock);
	port->tx_lock = NULL;
}

bool
dp_port_dev_poll(struct dp_port *port)
{
	struct rte_eth_link link;
	uint32_t state, curr;

	memset(&link, 0, sizeof(link));
	if (rte_eth_link_get_nowait(port->port_id, &link) < 0 || !kernel_link_up(port))
		link.link_status = RTE_ETH_LINK_DOWN;
	state = port->state & ~(OFPPS_LINK_DOWN | OFPPS_LIVE);
	if (link.link_status == RTE_ETH_LINK_UP) {
		if (!(port->config & OFPPC_PORT_DOWN))
			state |= OFPPS_LIVE;
	} else {
		state |= OFPPS_LINK_DOWN;
	}
	curr = link.link_status == RTE_ETH_LINK_UP ? link_curr(&link) : 0;
	if (link.link_autoneg == RTE_ETH_LINK_AUTONEG && curr)
		curr |= OFPPF_AUTONEG;

	bool changed = state != port->state || curr != port->curr;

	__atomic_store_n(&port->state, state, __ATOMIC_RELAXED);
	port->curr = curr;
	port->curr_speed =
		link.link_status == RTE_ETH_LINK_UP && link.link_speed != RTE_ETH_SPEED_NUM_UNKNOWN
			? link.link_speed * 1000
			: 0;
	if (port->max_speed < port->curr_speed)
		port->max_speed = port->curr_speed;
	return changed;
}

void
dp_port_dev_set_link(struct dp_port *port, bool up)
{
	int ret = up ? rte_eth_dev_set_link_up(port->port_id)
		     : rte_eth_dev_set_link_down(port->port_id);

	if (ret < 0 && ret != -ENOTSUP)
		DP_LOG(NOTICE, "port %s: set link %s: %s\n", port->name, up ? "up" : "down",
		       strerror(-ret));
}

void
dp_port_dev_stats(const struct dp_port *port, struct dp_port_stats *st)
{
	struct rte_eth_stats es;

	memset(st, 0, sizeof(*st));
	for (unsigned w = 0; w < dp_g.n_workers; w++) {
		const struct dp_port_wstats *s = &port->ws[w];

		st->rx_packets += s->rx_packets;
		st->rx_bytes += s->rx_bytes;
		st->tx_packets += s->tx_packets;
		st->tx_bytes += s->tx_bytes;
		st->rx_dropped += s->rx_dropped;
		st->tx_dropped += s->tx_dropped;
	}
	if (rte_eth_stats_get(port->port_id, &es) == 0) {
		st->rx_dropped += es.imissed + es.rx_nombuf;
		st->rx_over_err = es.imissed;
		st->rx_errors = es.ierrors + es.imissed + es.rx_nombuf;
		st->tx_errors = es.oerrors;
	}
}

int
dp_port_get_xstats(const struct dp_port *port, struct dp_port_xstat *out, unsigned n)
{
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *vals = NULL;
	int total, got, r;

	total = rte_eth_xstats_get(port->port_id, NULL, 0);
	if (total < 0)
		return total;
	if (n == 0 || total == 0)
		return total;
	names = calloc((size_t)total, sizeof(*names));
	vals = calloc((size_t)total, sizeof(*vals));
	if (!names || !vals) {
		r = -ENOMEM;
		goto out;
	}
	got = rte_eth_xstats_get_names(port->port_id, names, (unsigned)total);
	r = got < 0 ? got : rte_eth_xstats_get(port->port_id, vals, (unsigned)total);
	if (r < 0)
		goto out;
	if (r > total || got > total) { /* the PMD's set grew meanwhile */
		r = -EAGAIN;
		goto out;
	}
	for (int i = 0; i < r && (unsigned)i < n; i++) {
		const char *name = vals[i].id < (uint64_t)got ? names[vals[i].id].name : "";

		snprintf(out[i].name, sizeof(out[i].name), "%s", name);
		out[i].value = vals[i].value;
	}
out:
	free(names);
	free(vals);
	return r;
}

uint64_t
dp_port_rx_fill_ns(const struct dp_port *port)
{
	/* A minimum frame takes 84 bytes on the wire (64 + preamble + inter-frame gap). */
	uint64_t mbps = dp_g.params.idle_link_speed_mbps;
	uint64_t ring = port->n_rxdesc ? port->n_rxdesc : RX_DESC;

	if (!mbps) /* the port's fastest speed, 10 Gbit/s if it reports none */
		mbps = PFS_MAX(port->curr_speed, port->max_speed) / 1000;
	if (!mbps)
		mbps = 10000;
	return ring * 84 * 8 * 1000 / mbps / 2;
}
