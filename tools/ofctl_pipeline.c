/* pfs-ofctl show-pipeline: a switch's pipeline as a Graphviz graph. Tables are nodes
 * with their rule counts and hit rates (matched / lookups from table stats) and their
 * names from table features; an edge from a table to another says how many of its
 * rules go there (goto_table); groups are nodes too, with edges from the tables whose
 * rules use them (group action in apply or write actions) and between groups whose
 * buckets chain. --svg pipes the graph through Graphviz's dot. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ofctl.h"
#include "util.h"

/* An edge and the number of rules (or buckets) behind it. */
struct edge {
	uint32_t from, to; /* table id or group id, as kind says */
	bool from_group, to_group;
	unsigned n;
};

struct graph {
	struct edge *edges;
	size_t n, alloc;
	bool shown[256]; /* tables drawn */
};

static void
add_edge(struct graph *g, uint32_t from, bool from_group, uint32_t to, bool to_group)
{
	for (size_t i = 0; i < g->n; i++) {
		struct edge *e = &g->edges[i];
		if (e->from == from && e->to == to && e->from_group == from_group &&
		    e->to_group == to_group) {
			e->n++;
			return;
		}
	}
	if (g->n == g->alloc) {
		size_t alloc = g->alloc ? 2 * g->alloc : 16;
		struct edge *p = realloc(g->edges, alloc * sizeof *p);
		if (!p)
			ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
		g->edges = p;
		g->alloc = alloc;
	}
	g->edges[g->n++] = (struct edge){ from, to, from_group, to_group, 1 };
}

/* An edge count for each group action of one action list. */
static void
action_edges(struct graph *g, const struct ofp_action_list *l, uint32_t from, bool from_group)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->actions[i].type == OFPAT_GROUP)
			add_edge(g, from, from_group, l->actions[i].group_id, true);
}

static void
flow_edges(struct graph *g, const struct ofp_flow_stats *f)
{
	for (size_t i = 0; i < f->insts.n; i++) {
		const struct ofp_instruction *in = &f->insts.insts[i];
		if (in->type == OFPIT_GOTO_TABLE) {
			add_edge(g, f->table_id, false, in->table_id, false);
			g->shown[in->table_id] = true;
		} else if (in->type == OFPIT_APPLY_ACTIONS || in->type == OFPIT_WRITE_ACTIONS) {
			action_edges(g, &in->actions, f->table_id, false);
		}
	}
}

static const char *
group_type_name(uint8_t type)
{
	static const char *const names[] = { "all", "select", "indirect", "fast_failover" };

	return type < ARRAY_SIZE(names) ? names[type] : "unknown";
}

/* Graphviz node ids: t0, t1 ... for tables, g1, g2 ... for groups. */
static void
node_id(struct buf *b, uint32_t id, bool group)
{
	buf_printf(b, "%s%" PRIu32, group ? "g" : "t", id);
}

static void
write_dot(struct ofctl *c, const struct ofp_multipart_reply *tables,
	  const struct ofp_multipart_reply *features, const struct ofp_multipart_reply *groups,
	  struct graph *g, struct buf *out)
{
	buf_printf(out, "digraph \"%s\" {\n", c->target);
	buf_printf(out, "  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n"
			"  edge [fontname=\"Helvetica\", fontsize=10];\n");
	for (size_t i = 0; i < tables->table.n; i++) {
		const struct ofp_table_stats *t = &tables->table.items[i];
		const char *name = NULL;
		char plain[16];

		if (!g->shown[t->table_id] && !t->active_count && t->table_id)
			continue;
		for (size_t k = 0; k < features->table_features.n; k++)
			if (features->table_features.items[k].table_id == t->table_id)
				name = features->table_features.items[k].name;
		buf_printf(out, "  t%u [label=\"table %u", t->table_id, t->table_id);
		snprintf(plain, sizeof plain, "table%u", t->table_id);
		if (name && *name && !strchr(name, '"') && !strchr(name, '\\') &&
		    strcmp(name, plain))
			buf_printf(out, " (%s)", name);
		buf_printf(out, "\\n%" PRIu32 " rule%s\\n", t->active_count,
			   t->active_count == 1 ? "" : "s");
		if (t->lookup_count)
			buf_printf(out, "hit %.1f%% (%" PRIu64 "/%" PRIu64 ")\"];\n",
				   100.0 * (double)t->matched_count / (double)t->lookup_count,
				   t->matched_count, t->lookup_count);
		else
			buf_printf(out, "no lookups\"];\n");
	}
	for (size_t i = 0; i < groups->group_desc.n; i++) {
		const struct ofp_group_desc *d = &groups->group_desc.items[i];
		buf_printf(out,
			   "  g%" PRIu32 " [shape=ellipse, label=\"group %" PRIu32
			   "\\n%s, %zu bucket%s\"];\n",
			   d->group_id, d->group_id, group_type_name(d->type), d->buckets.n,
			   d->buckets.n == 1 ? "" : "s");
	}
	for (size_t i = 0; i < g->n; i++) {
		const struct edge *e = &g->edges[i];
		buf_printf(out, "  ");
		node_id(out, e->from, e->from_group);
		buf_printf(out, " -> ");
		node_id(out, e->to, e->to_group);
		if (e->from_group)
			buf_printf(out, " [label=\"%u bucket%s\"];\n", e->n, e->n == 1 ? "" : "s");
		else
			buf_printf(out, " [label=\"%u rule%s\"%s];\n", e->n, e->n == 1 ? "" : "s",
				   e->to_group ? ", style=dashed" : "");
	}
	buf_printf(out, "}\n");
}

/* True if an executable named name is on $PATH. */
static bool
on_path(const char *name)
{
	const char *path = getenv("PATH");
	char file[4096];

	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(file, sizeof file, "%.*s/%s", (int)n, p, name);
		if (n && access(file, X_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

static void
write_svg(const struct buf *dot)
{
	FILE *f;
	int st;

	if (!on_path("dot"))
		ofctl_fatal(OFCTL_EXIT_USAGE, "--svg needs Graphviz's dot on PATH (apt-get install "
					      "graphviz), or use --dot and render it elsewhere");
	fflush(stdout);
	f = popen("dot -Tsvg", "w");
	if (!f)
		ofctl_fatal(OFCTL_EXIT_REFUSED, "cannot run dot: %s", strerror(errno));
	fwrite(dot->data, 1, dot->size, f);
	st = pclose(f);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st))
		ofctl_fatal(OFCTL_EXIT_REFUSED, "dot -Tsvg failed");
}

void
ofctl_show_pipeline(struct ofctl *c, int argc, char *argv[])
{
	struct ofp_multipart_request r;
	struct ofp_multipart_reply tables, features, flows, groups;
	struct arena a = ARENA_INITIALIZER;
	struct buf out = BUF_INITIALIZER;
	struct graph g;

	(void)argc;
	(void)argv;
	memset(&g, 0, sizeof g);
	memset(&r, 0, sizeof r);
	r.type = OFPMP_TABLE;
	ofctl_dump(c, &r, &a, &tables);
	r.type = OFPMP_TABLE_FEATURES;
	ofctl_dump(c, &r, &a, &features);
	r.type = OFPMP_GROUP_DESC;
	ofctl_dump(c, &r, &a, &groups);
	memset(&r, 0, sizeof r);
	r.type = OFPMP_FLOW;
	ofp_flow_stats_request_init(&r.flow);
	ofctl_dump(c, &r, &a, &flows);

	g.shown[0] = true;
	for (size_t i = 0; i < flows.flow.n; i++)
		flow_edges(&g, &flows.flow.items[i]);
	for (size_t i = 0; i < groups.group_desc.n; i++) {
		const struct ofp_group_desc *d = &groups.group_desc.items[i];
		for (size_t k = 0; k < d->buckets.n; k++)
			action_edges(&g, &d->buckets.items[k].actions, d->group_id, true);
	}
	write_dot(c, &tables, &features, &groups, &g, &out);
	if (buf_error(&out))
		ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
	if (c->svg)
		write_svg(&out);
	else
		fputs(buf_cstr(&out), stdout);
	free(g.edges);
	buf_uninit(&out);
	arena_free(&a);
}
