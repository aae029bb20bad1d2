/* A test double of datapath/datapath.h for the agent's unit tests: bridges, ports and
 * flows held in memory, no DPDK. The real datapath is tested by its own suites
 * (tests/dp, tests/integration); this one lets tests/unit/ofproto drive ofproto's
 * OpenFlow logic end to end without the EAL. Tests steer it through dp_fake_* (declared
 * in dp_fake.h). Every entry point takes one mutex: the agent runs in its own thread. */
#include "dp_fake.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct dp_flow {
	struct dp_bridge *br;
	struct dp_flow *next;
	uint8_t table_id;
	uint16_t priority;
	uint64_t cookie;
	uint64_t packets, bytes, last_used;
	bool removed;
	size_t n_insts;
};

struct dp_port {
	struct dp_bridge *br;
	struct dp_port_info info;
	struct dp_port_stats st;
	bool changed;
};

struct dp_bridge {
	char name[32];
	bool normal;
	bool normal_staged;
	struct dp_port *ports[16];
	size_t n_ports;
	struct dp_flow *flows;
	unsigned commits;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct dp_bridge *bridges[8];
static size_t n_bridges;
static struct dp_upcall upq[64];
static unsigned upq_n;
static bool upq_held;
static unsigned n_syncs, n_packet_outs;
static uint32_t last_po_in_port;
static size_t last_po_len, last_po_n_actions;

#define LOCK() pthread_mutex_lock(&mu)
#define UNLOCK() pthread_mutex_unlock(&mu)

void
dp_params_default(struct dp_params *p)
{
	memset(p, 0, sizeof(*p));
	p->n_workers = 1;
	p->microflow_cache = true;
}

int
dp_init(int argc, char **argv, const struct dp_params *p)
{
	(void)argv, (void)p;
	return argc > 0 ? 0 : -EINVAL;
}

int
dp_start(void)
{
	return 0;
}

int
dp_stop(void)
{
	return 0;
}

int
dp_stop_drained(void)
{
	return 0;
}

long
dp_flush_rx(void)
{
	return 0;
}

int
dp_port_relink(struct dp_port *port)
{
	(void)port;
	return 0;
}

void
dp_fini(void)
{
}

int
dp_bridge_create(const char *name, struct dp_bridge **out)
{
	struct dp_bridge *br;

	LOCK();
	for (size_t i = 0; i < n_bridges; i++) {
		if (!strcmp(bridges[i]->name, name)) {
			UNLOCK();
			return -EEXIST;
		}
	}
	br = calloc(1, sizeof(*br));
	snprintf(br->name, sizeof(br->name), "%s", name);
	bridges[n_bridges++] = br;
	*out = br;
	UNLOCK();
	return 0;
}

void
dp_bridge_destroy(struct dp_bridge *br)
{
	if (!br)
		return;
	LOCK();
	for (size_t i = 0; i < n_bridges; i++) {
		if (bridges[i] == br) {
			bridges[i] = bridges[--n_bridges];
			break;
		}
	}
	while (br->flows) {
		struct dp_flow *f = br->flows;

		br->flows = f->next;
		free(f);
	}
	for (size_t i = 0; i < br->n_ports; i++)
		free(br->ports[i]);
	free(br);
	UNLOCK();
}

void
dp_bridge_set_identity(struct dp_bridge *br, uint64_t datapath_id, const char *fail_mode)
{
	(void)br, (void)datapath_id, (void)fail_mode;
}

void
dp_bridge_set_normal_mode(struct dp_bridge *br, bool on)
{
	LOCK();
	br->normal_staged = on;
	UNLOCK();
}

void
dp_bridge_run(struct dp_bridge *br)
{
	(void)br;
}

int
dp_port_add(struct dp_bridge *br, const char *name, const char *devargs, uint32_t ofport,
	    struct dp_port **out)
{
	struct dp_port *p;

	if (!strncmp(devargs, "fail", 4))
		return -ENODEV;
	LOCK();
	p = calloc(1, sizeof(*p));
	p->br = br;
	snprintf(p->info.name, sizeof(p->info.name), "%s", name);
	p->info.ofport = ofport;
	p->info.hw_addr[0] = 0x02;
	p->info.hw_addr[5] = (uint8_t)ofport;
	p->info.state = OFPPS_LIVE;
	p->info.curr = OFPPF_10GB_FD | OFPPF_COPPER;
	p->info.curr_speed = p->info.max_speed = 10000000;
	br->ports[br->n_ports++] = p;
	*out = p;
	UNLOCK();
	return 0;
}

void
dp_port_del(struct dp_port *port)
{
	(void)port;
}

struct dp_port *
dp_port_find(const struct dp_bridge *br, uint32_t ofport)
{
	for (size_t i = 0; i < br->n_ports; i++)
		if (br->ports[i]->info.ofport == ofport)
			return br->ports[i];
	return NULL;
}

void
dp_port_foreach(const struct dp_bridge *br, void (*cb)(struct dp_port *, void *), void *aux)
{
	for (size_t i = 0; i < br->n_ports; i++)
		cb(br->ports[i], aux);
}

void
dp_port_get_info(const struct dp_port *port, struct dp_port_info *info)
{
	LOCK();
	*info = port->info;
	UNLOCK();
}

void
dp_port_get_stats(const struct dp_port *port, struct dp_port_stats *st)
{
	LOCK();
	*st = port->st;
	UNLOCK();
}

int
dp_port_set_config(struct dp_port *port, uint32_t config, uint32_t mask)
{
	LOCK();
	port->info.config = (port->info.config & ~mask) | (config & mask);
	if (port->info.config & OFPPC_PORT_DOWN)
		port->info.state = OFPPS_LINK_DOWN;
	else
		port->info.state = OFPPS_LIVE;
	UNLOCK();
	return 0;
}

int
dp_power_run(void)
{
	return 0;
}

bool
dp_port_poll_changes(struct dp_bridge *br)
{
	bool any = false;

	LOCK();
	for (size_t i = 0; i < br->n_ports; i++) {
		any |= br->ports[i]->changed;
		br->ports[i]->changed = false;
	}
	UNLOCK();
	return any;
}

static bool
has_pbb(const struct ofp_instruction_list *insts)
{
	for (size_t i = 0; i < insts->n; i++) {
		const struct ofp_instruction *in = &insts->insts[i];

		if (in->type != OFPIT_APPLY_ACTIONS && in->type != OFPIT_WRITE_ACTIONS)
			continue;
		for (size_t j = 0; j < in->actions.n; j++)
			if (in->actions.actions[j].type == OFPAT_PUSH_PBB)
				return true;
	}
	return false;
}

int
dp_flow_add(struct dp_bridge *br, const struct dp_flow_spec *spec, struct dp_flow **out,
	    struct ofp_err *err)
{
	struct dp_flow *f;

	/* The double "cannot execute" push_pbb, to test error propagation. */
	if (has_pbb(spec->insts))
		return -EOPNOTSUPP + 0 * ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
	LOCK();
	f = calloc(1, sizeof(*f));
	f->br = br;
	f->table_id = spec->table_id;
	f->priority = spec->priority;
	f->cookie = spec->cookie;
	f->n_insts = spec->insts->n;
	f->next = br->flows;
	br->flows = f;
	*out = f;
	UNLOCK();
	return 0;
}

int
dp_flow_modify(struct dp_bridge *br, struct dp_flow *flow, const struct ofp_instruction_list *insts,
	       struct ofp_err *err)
{
	(void)br;
	if (has_pbb(insts))
		return -EOPNOTSUPP + 0 * ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
	LOCK();
	flow->n_insts = insts->n;
	UNLOCK();
	return 0;
}

void
dp_flow_remove(struct dp_bridge *br, struct dp_flow *flow)
{
	(void)br;
	LOCK();
	flow->removed = true;
	UNLOCK();
}

void
dp_flow_get_stats(const struct dp_flow *flow, uint64_t *packets, uint64_t *bytes,
		  uint64_t *last_used_ns)
{
	LOCK();
	*packets = flow->packets;
	*bytes = flow->bytes;
	*last_used_ns = flow->last_used;
	UNLOCK();
}

void
dp_table_get_stats(const struct dp_bridge *br, uint8_t table_id, uint64_t *lookups,
		   uint64_t *matched)
{
	(void)br;
	*lookups = table_id == 0 ? 100 : 0;
	*matched = table_id == 0 ? 40 : 0;
}

int
dp_commit(struct dp_bridge *br)
{
	struct dp_flow **pp;

	LOCK();
	br->commits++;
	br->normal = br->normal_staged;
	for (pp = &br->flows; *pp;) {
		struct dp_flow *f = *pp;

		if (f->removed) {
			*pp = f->next;
			free(f);
		} else {
			pp = &f->next;
		}
	}
	UNLOCK();
	return 0;
}

int
dp_stats_flush(void)
{
	return 0;
}

void
dp_stats_batch(bool on)
{
	(void)on;
}

int
dp_sync(void)
{
	LOCK();
	n_syncs++;
	UNLOCK();
	return 0;
}

unsigned
dp_upcall_recv(struct dp_upcall *ups, unsigned n)
{
	unsigned k;

	LOCK();
	k = upq_held ? 0 : upq_n < n ? upq_n : n;
	memcpy(ups, upq, k * sizeof(*ups));
	memmove(upq, upq + k, (upq_n - k) * sizeof(*ups));
	upq_n -= k;
	UNLOCK();
	return k;
}

uint64_t
dp_upcall_dropped(void)
{
	return 0;
}

/* No eventfd: ofproto polls the fake's queue on its timer. */
int
dp_upcall_fd(void)
{
	return -1;
}

bool
dp_upcall_wait_begin(void)
{
	bool any;

	LOCK();
	any = upq_n > 0;
	UNLOCK();
	return any;
}

int
dp_packet_out(struct dp_bridge *br, uint32_t in_port, const struct ofp_action_list *actions,
	      const void *data, size_t len, struct ofp_err *err)
{
	(void)data;
	if (in_port <= OFPP_MAX && !dp_port_find(br, in_port))
		return -EINVAL + 0 * ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_PORT);
	LOCK();
	n_packet_outs++;
	last_po_in_port = in_port;
	last_po_len = len;
	last_po_n_actions = actions->n;
	UNLOCK();
	return 0;
}

/* ---- Test controls ------------------------------------------------------------------ */

static struct dp_bridge *
find(const char *name)
{
	for (size_t i = 0; i < n_bridges; i++)
		if (!strcmp(bridges[i]->name, name))
			return bridges[i];
	return NULL;
}

unsigned
dp_fake_n_flows(const char *bridge)
{
	unsigned n = 0;

	LOCK();
	struct dp_bridge *br = find(bridge);

	for (struct dp_flow *f = br ? br->flows : NULL; f; f = f->next)
		n += !f->removed;
	UNLOCK();
	return n;
}

unsigned
dp_fake_n_commits(const char *bridge)
{
	unsigned n;

	LOCK();
	struct dp_bridge *br = find(bridge);

	n = br ? br->commits : 0;
	UNLOCK();
	return n;
}

int
dp_fake_normal_mode(const char *bridge)
{
	int r;

	LOCK();
	struct dp_bridge *br = find(bridge);

	r = br ? br->normal : -1;
	UNLOCK();
	return r;
}

void
dp_fake_set_flow_stats(const char *bridge, uint16_t priority, uint64_t packets, uint64_t bytes,
		       uint64_t last_used_ns)
{
	LOCK();
	struct dp_bridge *br = find(bridge);

	for (struct dp_flow *f = br ? br->flows : NULL; f; f = f->next) {
		if (f->priority == priority && !f->removed) {
			f->packets = packets;
			f->bytes = bytes;
			f->last_used = last_used_ns;
		}
	}
	UNLOCK();
}

void
dp_fake_hold_upcalls(bool hold)
{
	LOCK();
	upq_held = hold;
	UNLOCK();
}

void
dp_fake_push_upcall(const char *bridge, uint32_t in_port, uint8_t reason, const void *frame,
		    uint16_t len)
{
	LOCK();
	struct dp_upcall *u = &upq[upq_n++];

	memset(u, 0, sizeof(*u) - sizeof(u->data));
	u->br = find(bridge);
	u->in_port = in_port;
	u->reason = reason;
	u->cookie = UINT64_MAX;
	u->max_len = OFPCML_NO_BUFFER;
	u->total_len = len;
	u->len = len;
	memcpy(u->data, frame, len);
	UNLOCK();
}

void
dp_fake_set_link(const char *bridge, uint32_t ofport, bool up)
{
	LOCK();
	struct dp_bridge *br = find(bridge);
	struct dp_port *p = br ? dp_port_find(br, ofport) : NULL;

	if (p) {
		p->info.state = up ? OFPPS_LIVE : OFPPS_LINK_DOWN;
		p->changed = true;
	}
	UNLOCK();
}

unsigned
dp_fake_n_syncs(void)
{
	unsigned n;

	LOCK();
	n = n_syncs;
	UNLOCK();
	return n;
}

unsigned
dp_fake_n_packet_outs(uint32_t *in_port, size_t *len, size_t *n_actions)
{
	unsigned n;

	LOCK();
	n = n_packet_outs;
	*in_port = last_po_in_port;
	*len = last_po_len;
	*n_actions = last_po_n_actions;
	UNLOCK();
	return n;
}

/* ---- Groups and meters: accepted and forgotten (ofproto keeps the OpenFlow state) ---- */

int
dp_group_add(struct dp_bridge *br, const struct dp_group_spec *spec, struct ofp_err *err)
{
	(void)br, (void)spec, (void)err;
	return 0;
}

int
dp_group_modify(struct dp_bridge *br, const struct dp_group_spec *spec, struct ofp_err *err)
{
	(void)br, (void)spec, (void)err;
	return 0;
}

int
dp_group_delete(struct dp_bridge *br, uint32_t group_id)
{
	(void)br, (void)group_id;
	return 0;
}

int
dp_group_get_stats(const struct dp_bridge *br, uint32_t group_id, struct dp_group_stats *st)
{
	(void)br, (void)group_id;
	memset(st, 0, sizeof(*st));
	return 0;
}

int
dp_meter_add(struct dp_bridge *br, const struct dp_meter_spec *spec, struct ofp_err *err)
{
	(void)br, (void)spec, (void)err;
	return 0;
}

int
dp_meter_modify(struct dp_bridge *br, const struct dp_meter_spec *spec, struct ofp_err *err)
{
	(void)br, (void)spec, (void)err;
	return 0;
}

int
dp_meter_delete(struct dp_bridge *br, uint32_t meter_id)
{
	(void)br, (void)meter_id;
	return 0;
}

int
dp_meter_get_stats(const struct dp_bridge *br, uint32_t meter_id, struct dp_meter_stats *st)
{
	(void)br, (void)meter_id;
	memset(st, 0, sizeof(*st));
	return 0;
}

/* No pipeline here: every trace is a table-0 miss. */
int
dp_trace(struct dp_bridge *br, uint32_t in_port, const void *data, size_t len, struct dp_trace *t)
{
	(void)br, (void)in_port, (void)data;
	t->n_events = 0;
	t->truncated = false;
	if (len == 0 || len > DP_MAX_FRAME_LEN)
		return -EINVAL;
	memset(&t->events[0], 0, 2 * sizeof(t->events[0]));
	t->events[0].kind = DP_TRACE_MISS;
	t->events[1].kind = DP_TRACE_DROP;
	t->events[1].reason = "table_miss";
	t->n_events = 2;
	return 0;
}

/* ---- Counters the metrics endpoint reads (none in the fake) ---- */

int
dp_port_get_xstats(const struct dp_port *port, struct dp_port_xstat *out, unsigned n)
{
	(void)port, (void)out, (void)n;
	return 0;
}

unsigned
dp_drop_stats(struct dp_drop_stat *out, unsigned n)
{
	(void)out, (void)n;
	return 0;
}

unsigned
dp_worker_count(void)
{
	return 0;
}

int
dp_worker_get_stats(unsigned id, struct dp_worker_stats *st)
{
	(void)id, (void)st;
	return -ENOENT;
}

unsigned
dp_mbuf_in_use(void)
{
	return 0;
}

/* Learned MACs: one list for every bridge (the tests use one bridge at a time). */
static struct dp_mac_entry fake_macs[16];
static unsigned n_fake_macs;

unsigned
dp_mac_dump(const struct dp_bridge *br, struct dp_mac_entry *out, unsigned n)
{
	(void)br;
	for (unsigned i = 0; i < n_fake_macs && i < n; i++)
		out[i] = fake_macs[i];
	return n_fake_macs;
}

int
dp_mac_learn(struct dp_bridge *br, const uint8_t *mac, uint32_t ofport, uint32_t age_s)
{
	(void)br;
	if (n_fake_macs == 16)
		return -EBUSY;
	memcpy(fake_macs[n_fake_macs].mac, mac, 6);
	fake_macs[n_fake_macs].ofport = ofport;
	fake_macs[n_fake_macs].age_s = age_s;
	n_fake_macs++;
	return 0;
}

void
dp_fake_clear_macs(void)
{
	n_fake_macs = 0;
}
