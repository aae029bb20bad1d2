/* Fuzz target: the ovs-ofctl flow text parser, with two oracles.
 *
 * 1. A line that parses encodes, and the encoding decodes and re-encodes to the same
 *    bytes (text -> wire agrees with wire -> wire).
 * 2. The parsed flow printed as dump-flows --no-stats text parses again to the same
 *    flow (what we print, we can read back: replace-flows and diff-flows depend on it).
 *    The printer puts match fields in ovs-ofctl's canonical order, so the comparison
 *    is by meaning (oxm_match_equal), not by wire order. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_flow.h"
#include "ofp_instruction.h"
#include "oxm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *text)
{
	fprintf(stderr, "flow text oracle: %s\n  text: %s\n", what, text);
	abort();
}

/* An apply_actions with no actions does nothing, and the printer shows it as "drop"
 * like ovs-ofctl, so it is compared as absent. */
static void
drop_empty_apply(struct ofp_instruction_list *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		if (l->insts[i].type != OFPIT_APPLY_ACTIONS || l->insts[i].actions.n)
			l->insts[n++] = l->insts[i];
	l->n = n;
}

static bool
same_flow(const struct ofp_flow_mod *a, const struct ofp_flow_mod *b)
{
	return a->cookie == b->cookie && a->table_id == b->table_id && a->priority == b->priority &&
	       a->idle_timeout == b->idle_timeout && a->hard_timeout == b->hard_timeout &&
	       a->flags == b->flags && oxm_match_equal(&a->match, &b->match) &&
	       ofp_instructions_equal(&a->insts, &b->insts);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf wire1 = BUF_INITIALIZER, wire2 = BUF_INITIALIZER, text = BUF_INITIALIZER;
	struct ofp_flow_mod fm, back, reparsed;
	struct ofp_flow_stats fs;
	struct ofp_err err;
	char errbuf[256];
	char *line;

	if (size > 4096)
		return 0;
	line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';

	if (ofp_flow_mod_parse(line, OFPFC_ADD, &a, &fm, errbuf, sizeof errbuf))
		goto out;
	if (ofp_flow_mod_encode(&fm, 1, &wire1))
		goto out; /* e.g. too many actions for one message: refused, not a bug */
	if (ofp_flow_mod_decode(wire1.data, wire1.size, &a, &back, &err)) {
		/* The text syntax can name experimenter actions for other switches; our
		 * decoder refuses every experimenter on purpose (ofp_action.h). */
		if ((err.type == OFPET_BAD_ACTION && err.code == OFPBAC_BAD_EXPERIMENTER) ||
		    (err.type == OFPET_BAD_INSTRUCTION && err.code == OFPBIC_BAD_EXPERIMENTER))
			goto out;
		fail("parsed flow does not decode after encoding", line);
	}
	if (ofp_flow_mod_encode(&back, 1, &wire2) || wire1.size != wire2.size ||
	    memcmp(wire1.data, wire2.data, wire1.size))
		fail("wire round trip differs", line);

	memset(&fs, 0, sizeof fs);
	fs.table_id = fm.table_id;
	fs.priority = fm.priority;
	fs.idle_timeout = fm.idle_timeout;
	fs.hard_timeout = fm.hard_timeout;
	fs.flags = fm.flags;
	fs.cookie = fm.cookie;
	fs.match = fm.match;
	fs.insts = fm.insts;
	ofp_flow_stats_format_ex(&fs, OFP_FLOW_FMT_NO_STATS, &text);
	if (ofp_flow_mod_parse(buf_cstr(&text), OFPFC_ADD, &a, &reparsed, errbuf, sizeof errbuf)) {
		fprintf(stderr, "reparse error: %s\n  printed: %s\n", errbuf, buf_cstr(&text));
		fail("printed flow does not parse", line);
	}
	drop_empty_apply(&fm.insts);
	drop_empty_apply(&reparsed.insts);
	if (!same_flow(&fm, &reparsed)) {
		fprintf(stderr, "  printed: %s\n", buf_cstr(&text));
		fail("printed flow parses to a different flow", line);
	}
out:
	buf_uninit(&wire1);
	buf_uninit(&wire2);
	buf_uninit(&text);
	arena_free(&a);
	free(line);
	return 0;
}
