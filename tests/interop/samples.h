/* Sample OpenFlow 1.3 messages built from pfswitch's decoded structs: at least one of
 * every message type, every OXM field (exact and masked), every action and instruction
 * type, every group type, every multipart request and reply, and every table-features
 * property. Used by ofp_interop's encode mode (the pfswitch -> os-ken / tshark
 * direction) and reusable by any test that needs a varied set of valid messages. */
#ifndef PFS_INTEROP_SAMPLES_H
#define PFS_INTEROP_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ofp_message.h"

struct interop_sample {
	const char *name; /* "flow_mod-01": unique, file-name safe */
	/* Fills *m (header type and xid included); lists come from a. 0 or -ENOMEM. */
	int (*build)(struct arena *a, struct ofp_message *m);
	/* What a peer must read back, as space-separated "path=value" pairs in os-ken's
	 * attribute names ("priority=100 match.ipv4_src=10.0.0.0/255.0.0.0
	 * instructions[0].actions[0].port=2"). Values never contain spaces. */
	const char *checks;
};

extern const struct interop_sample interop_samples[];
/* The xid a sample is encoded with: FNV-1a of "pfs-NAME", so a sample keeps its xid
 * (and its seed file its bytes) when samples are added or removed around it. */
uint32_t interop_sample_xid(const char *name);
extern const size_t interop_n_samples;

#endif /* PFS_INTEROP_SAMPLES_H */
