/* Fuzz target: the pfswitch state reader (lib/state_fmt.c), which pfswitchd runs on
 * its state file at start and pfs-ofctl restore on any file it is given.
 *
 * The input is read twice: as a whole state (the checksum stops most mutations early),
 * and as the records of a state that gets a valid header and END record, so the record
 * parsers are reached. Oracles: an accepted state reads to its end without failing,
 * returns at most the records it counted, every CONTROLLERS entry can be fetched, and
 * every mod record goes through its decoder without a crash (ASan/UBSan watch reads). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_flow.h"
#include "ofp_group.h"
#include "ofp_meter.h"
#include "state_fmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
read_all(const uint8_t *data, size_t size)
{
	struct state_reader rd;
	struct state_rec rec;
	char err[256];
	uint32_t n = 0;

	if (state_read_begin(&rd, data, size, err, sizeof(err))) {
		if (!err[0])
			abort(); /* a refusal always says why */
		return;
	}
	while (state_read_next(&rd, &rec) > 0) {
		struct arena a = ARENA_INITIALIZER;
		struct ofp_err e;

		if (++n > rd.n_records)
			abort();
		switch (rec.type) {
		case STATE_REC_FLOW_MOD: {
			struct ofp_flow_mod fm;

			ofp_flow_mod_decode(rec.msg, rec.len, &a, &fm, &e);
			break;
		}
		case STATE_REC_GROUP_MOD: {
			struct ofp_group_mod gm;

			ofp_group_mod_decode(rec.msg, rec.len, &a, &gm, &e);
			break;
		}
		case STATE_REC_METER_MOD: {
			struct ofp_meter_mod mm;

			ofp_meter_mod_decode(rec.msg, rec.len, &a, &mm, &e);
			break;
		}
		case STATE_REC_CONTROLLERS:
			for (uint32_t i = 0; i < rec.u.controllers.n; i++) {
				struct state_controller c;

				state_rec_controller(&rec, i, &c);
				if (strlen(c.target) > STATE_TARGET_MAX)
					abort();
			}
			break;
		default:
			break;
		}
		arena_free(&a);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = BUF_INITIALIZER;
	uint8_t *copy = malloc(size ? size : 1);

	/* An exact-size copy, so ASan sees the real end. */
	memcpy(copy, data, size);
	read_all(copy, size);
	free(copy);
	/* The same bytes as records between a valid header and END. */
	state_write_header(&b);
	buf_put(&b, data, size);
	if (state_write_end(&b) == 0) {
		copy = malloc(b.size);
		memcpy(copy, b.data, b.size);
		read_all(copy, b.size);
		free(copy);
	}
	buf_uninit(&b);
	return 0;
}
