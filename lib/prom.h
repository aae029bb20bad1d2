/* Prometheus / OpenMetrics text exposition, DPDK-free: the HELP and TYPE lines of a
 * metric family, samples with escaped label values, histograms with cumulative buckets,
 * and the "# EOF" trailer of OpenMetrics. Everything is appended to a struct buf (buf.h);
 * a failed allocation shows as buf_error() on it. Used by the agent's metrics endpoint
 * (ofproto/metrics.c).
 *
 * Two formats: the Prometheus text format 0.0.4 (counters' TYPE line names the sample,
 * "foo_total") and OpenMetrics 1.0 (the TYPE line names the family, "foo", and the body
 * ends with "# EOF"). Family names are given without "_total"; counter samples get it. */
#ifndef PFS_PROM_H
#define PFS_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum prom_type {
	PROM_COUNTER,
	PROM_GAUGE,
	PROM_HISTOGRAM,
};

struct prom {
	struct buf *b;
	bool openmetrics;    /* OpenMetrics 1.0 rather than text 0.0.4 */
	enum prom_type type; /* of the family begun last */
	const char *family;  /* its name (the caller's string) */
};

/* One label: name (a valid label name, not escaped) and value (escaped on output). */
struct prom_label {
	const char *name;
	const char *value;
};

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define PROM_CONTENT_TYPE_OM "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* Starts writing to b in the given format. */
void prom_init(struct prom *p, struct buf *b, bool openmetrics);
/* Begins a family: its "# HELP" and "# TYPE" lines (help is escaped). Samples of a family
 * must follow its header without another family in between. */
void prom_family(struct prom *p, const char *name, enum prom_type type, const char *help);
/* One sample of the current counter or gauge family with n labels. */
void prom_sample(struct prom *p, const struct prom_label *labels, size_t n, uint64_t value);
void prom_sample_f(struct prom *p, const struct prom_label *labels, size_t n, double value);
/* One histogram of the current histogram family: nb bucket upper bounds (ascending),
 * counts[0..nb] per bucket, not cumulative (counts[nb]: above the last bound), and the
 * sum of the observed values. Writes the cumulative _bucket lines (le="+Inf" last),
 * _sum and _count. */
void prom_histogram(struct prom *p, const struct prom_label *labels, size_t n, const double *bounds,
		    const uint64_t *counts, size_t nb, double sum);
/* Ends the body ("# EOF" for OpenMetrics, nothing for 0.0.4). */
void prom_finish(struct prom *p);

/* Appends s as a label value: backslash, double quote and newline escaped. */
void prom_escape_label(struct buf *b, const char *s);
/* True if name is a valid metric or label name ([a-zA-Z_:][a-zA-Z0-9_:]*). */
bool prom_name_valid(const char *name);
/* True if the HTTP Accept header value asks for OpenMetrics text. */
bool prom_accepts_openmetrics(const char *accept);

#endif /* PFS_PROM_H */
