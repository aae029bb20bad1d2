/* Agent-side cost of group and meter statistics and of OFPG_ALL/OFPM_ALL delete with
 * many groups or meters and many flows using them (issue #12 finding 5): the agent
 * (libofproto) over the in-memory datapath double (tests/unit/ofproto/dp_fake.c), so
 * only the agent's own work is timed.
 *
 *     bench_group_stats [--groups N] [--flows M] [--max-ms MS]
 *
 * Scenario groups: N ALL groups, M flows each sending to group (i mod N); times the
 * OFPMP_GROUP reply for OFPG_ALL, one group's, and GROUP_MOD DELETE OFPG_ALL (which
 * also removes the M flows), then DELETE OFPG_ALL again with M flows that use none of
 * the N groups. Scenario meters: the same with N meters and a meter
 * instruction. Prints one line per measure (wall and process CPU time); exits 1 if one
 * took more than MS (default 1000) milliseconds of CPU. Defaults: 65536 and 1000000. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "bridge.h"
#include "buf.h"
#include "config.h"
#include "group.h"
#include "meter.h"
#include "ofp_flow.h"
#include "ofp_group.h"
#include "ofp_meter.h"
#include "ofp_multipart.h"
#include "vlog.h"

static unsigned n_objs = 65536, n_flows = 1000000;
static double max_ms = 1000;
static int slow;

static double cpu0;

static double
clock_ms(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Wall-clock now; also notes the process CPU time for report(t0). */
static double
now_ms(void)
{
	cpu0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
	return clock_ms(CLOCK_MONOTONIC);
}

/* The bound is on CPU time: on a loaded machine the wall clock says more about the
 * other processes. */
static void
report(const char *what, double t0)
{
	double cpu = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	double ms = clock_ms(CLOCK_MONOTONIC) - t0;

	printf("%-44s %10.1f ms wall %10.1f ms cpu%s\n", what, ms, cpu,
	       cpu > max_ms ? "  (over the bound)" : "");
	slow |= cpu > max_ms;
}

static void
die(const char *what, int rc)
{
	fprintf(stderr, "bench_group_stats: %s: %d\n", what, rc);
	exit(2);
}

static struct bridge *
make_bridge(struct config *cfg, const char *name)
{
	char text[256], err[256];
	struct bridge *br;
	int rc;

	snprintf(text, sizeof(text), "[bridge %s]\nfail_mode = secure\nmax_flows = %u\n", name,
		 n_flows);
	if (config_parse_string(text, "bench.ini", cfg, err, sizeof(err)))
		die(err, -EINVAL);
	rc = bridge_create(NULL, &cfg->bridges[0], &br);
	if (rc)
		die("bridge_create", rc);
	return br;
}

/* Adds n_flows flows from text, spread over tables and priorities (all distinct), the
 * instruction of type itype naming object (i mod n_objs) + 1. */
static void
add_flows(struct bridge *br, const char *text, uint16_t itype)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_flow_mod fm;
	struct ofp_err err;
	char eb[256];
	double t0 = now_ms();

	if (ofp_flow_mod_parse(text, OFPFC_ADD, &a, &fm, eb, sizeof(eb)))
		die(eb, -EINVAL);
	for (unsigned i = 0; i < n_flows; i++) {
		uint32_t id = i % n_objs + 1;

		fm.table_id = (uint8_t)(i % 200);
		fm.priority = (uint16_t)(i / 200 + 1);
		for (size_t k = 0; k < fm.insts.n; k++) {
			struct ofp_instruction *ins = &fm.insts.insts[k];

			if (ins->type == OFPIT_METER && itype == OFPIT_METER)
				ins->meter_id = id;
			if (ins->type == OFPIT_APPLY_ACTIONS && itype == OFPIT_APPLY_ACTIONS)
				ins->actions.actions[0].group_id = id;
		}
		int rc = bridge_flow_mod(br, &fm, &err);

		if (rc)
			die("flow_mod", rc);
	}
	printf("%-44s %10.1f ms\n", "(setup) flows added", now_ms() - t0);
	arena_free(&a);
}

static void
group_send(struct bridge *br, uint16_t cmd, const char *text)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_group_mod gm;
	struct ofp_err err;
	char eb[256];
	int rc;

	if (ofp_group_mod_parse(text, cmd, &a, &gm, eb, sizeof(eb)))
		die(eb, -EINVAL);
	if (ofp_group_mod_encode(&gm, 1, &b))
		die("group encode", -ENOMEM);
	rc = group_mod(br, &gm, b.data, b.size, &err);
	if (rc)
		die("group_mod", rc);
	buf_uninit(&b);
	arena_free(&a);
}

static void
meter_send(struct bridge *br, uint16_t cmd, const char *text)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_meter_mod mm;
	struct ofp_err err;
	char eb[256];
	int rc;

	if (ofp_meter_mod_parse(text, cmd, &a, &mm, eb, sizeof(eb)))
		die(eb, -EINVAL);
	if (ofp_meter_mod_encode(&mm, 1, &b))
		die("meter encode", -ENOMEM);
	rc = meter_mod(br, &mm, b.data, b.size, &err);
	if (rc)
		die("meter_mod", rc);
	buf_uninit(&b);
	arena_free(&a);
}

static void
bench_groups(void)
{
	struct config cfg;
	struct bridge *br = make_bridge(&cfg, "bg");
	struct buf b = BUF_INITIALIZER;
	struct ofp_mp_writer w;
	char text[128];
	double t0;

	for (unsigned i = 1; i <= n_objs; i++) {
		snprintf(text, sizeof(text), "group_id=%u,type=all,bucket=output:1", i);
		group_send(br, OFPGC_ADD, text);
	}
	add_flows(br, "priority=1,actions=group:1", OFPIT_APPLY_ACTIONS);
	t0 = now_ms();
	ofp_mp_writer_start(&w, &b, OFPMP_GROUP, 1);
	group_mp_stats(br, OFPG_ALL, &w, &b);
	ofp_mp_writer_finish(&w);
	snprintf(text, sizeof(text), "group stats, all %u groups", n_objs);
	report(text, t0);
	buf_clear(&b);
	t0 = now_ms();
	ofp_mp_writer_start(&w, &b, OFPMP_GROUP, 2);
	group_mp_stats(br, n_objs / 2, &w, &b);
	ofp_mp_writer_finish(&w);
	report("group stats, one group", t0);
	t0 = now_ms();
	group_send(br, OFPGC_DELETE, "group_id=all");
	snprintf(text, sizeof(text), "group delete all (and its %u flows)", n_flows);
	report(text, t0);
	/* Again with as many flows using none of them: nothing to scan per group. */
	for (unsigned i = 1; i <= n_objs; i++) {
		snprintf(text, sizeof(text), "group_id=%u,type=all,bucket=output:1", i);
		group_send(br, OFPGC_ADD, text);
	}
	add_flows(br, "priority=1,actions=output:1", 0);
	t0 = now_ms();
	group_send(br, OFPGC_DELETE, "group_id=all");
	snprintf(text, sizeof(text), "group delete all (%u other flows)", n_flows);
	report(text, t0);
	buf_uninit(&b);
	bridge_destroy(br);
	config_free(&cfg);
}

static void
bench_meters(void)
{
	struct config cfg;
	struct bridge *br = make_bridge(&cfg, "bm");
	struct buf b = BUF_INITIALIZER;
	struct ofp_mp_writer w;
	char text[128];
	double t0;

	for (unsigned i = 1; i <= n_objs; i++) {
		snprintf(text, sizeof(text), "meter=%u,kbps,bands=type=drop,rate=1000", i);
		meter_send(br, OFPMC_ADD, text);
	}
	add_flows(br, "priority=1,actions=meter:1,output:1", OFPIT_METER);
	t0 = now_ms();
	ofp_mp_writer_start(&w, &b, OFPMP_METER, 1);
	meter_mp(br, OFPM_ALL, false, &w, &b);
	ofp_mp_writer_finish(&w);
	snprintf(text, sizeof(text), "meter stats, all %u meters", n_objs);
	report(text, t0);
	buf_clear(&b);
	t0 = now_ms();
	ofp_mp_writer_start(&w, &b, OFPMP_METER, 2);
	meter_mp(br, n_objs / 2, false, &w, &b);
	ofp_mp_writer_finish(&w);
	report("meter stats, one meter", t0);
	t0 = now_ms();
	meter_send(br, OFPMC_DELETE, "meter=all");
	snprintf(text, sizeof(text), "meter delete all (and its %u flows)", n_flows);
	report(text, t0);
	buf_uninit(&b);
	bridge_destroy(br);
	config_free(&cfg);
}

int
main(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--groups"))
			n_objs = (unsigned)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--flows"))
			n_flows = (unsigned)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--max-ms"))
			max_ms = strtod(argv[i + 1], NULL);
		else
			die(argv[i], -EINVAL);
	}
	if (!n_objs || n_objs > 65536 || !n_flows)
		die("--groups 1..65536, --flows > 0", -EINVAL);
	vlog_set_level(VLOG_WARN);
	printf("bench_group_stats: %u groups/meters, %u flows\n", n_objs, n_flows);
	bench_groups();
	bench_meters();
	return slow ? 1 : 0;
}
