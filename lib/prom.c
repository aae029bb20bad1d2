/* Prometheus / OpenMetrics text exposition (see prom.h). */
#include "prom.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void
prom_init(struct prom *p, struct buf *b, bool openmetrics)
{
	p->b = b;
	p->openmetrics = openmetrics;
	p->type = PROM_GAUGE;
	p->family = "";
}

/* HELP text escaping: backslash and newline. */
static void
escape_help(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_put(b, "\\\\", 2);
		else if (*s == '\n')
			buf_put(b, "\\n", 2);
		else
			buf_put_u8(b, (uint8_t)*s);
	}
}

void
prom_escape_label(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_put(b, "\\\\", 2);
		else if (*s == '"')
			buf_put(b, "\\\"", 2);
		else if (*s == '\n')
			buf_put(b, "\\n", 2);
		else
			buf_put_u8(b, (uint8_t)*s);
	}
}

void
prom_family(struct prom *p, const char *name, enum prom_type type, const char *help)
{
	static const char *const names[] = { "counter", "gauge", "histogram" };
	const char *suffix = type == PROM_COUNTER && !p->openmetrics ? "_total" : "";

	p->family = name;
	p->type = type;
	buf_printf(p->b, "# HELP %s%s ", name, suffix);
	escape_help(p->b, help);
	buf_printf(p->b, "\n# TYPE %s%s %s\n", name, suffix, names[type]);
}

/* name{labels[,extra]} */
static void
put_series(struct prom *p, const char *suffix, const struct prom_label *labels, size_t n,
	   const struct prom_label *extra)
{
	buf_printf(p->b, "%s%s", p->family, suffix);
	if (!n && !extra)
		return;
	buf_put_u8(p->b, '{');
	for (size_t i = 0; i < n; i++) {
		buf_printf(p->b, "%s%s=\"", i ? "," : "", labels[i].name);
		prom_escape_label(p->b, labels[i].value);
		buf_put_u8(p->b, '"');
	}
	if (extra) {
		buf_printf(p->b, "%s%s=\"", n ? "," : "", extra->name);
		prom_escape_label(p->b, extra->value);
		buf_put_u8(p->b, '"');
	}
	buf_put_u8(p->b, '}');
}

static const char *
sample_suffix(const struct prom *p)
{
	return p->type == PROM_COUNTER ? "_total" : "";
}

void
prom_sample(struct prom *p, const struct prom_label *labels, size_t n, uint64_t value)
{
	put_series(p, sample_suffix(p), labels, n, NULL);
	buf_printf(p->b, " %" PRIu64 "\n", value);
}

static void
put_double(struct buf *b, double v)
{
	if (isnan(v))
		buf_printf(b, "NaN");
	else if (isinf(v))
		buf_printf(b, v > 0 ? "+Inf" : "-Inf");
	else
		buf_printf(b, "%.15g", v);
}

void
prom_sample_f(struct prom *p, const struct prom_label *labels, size_t n, double value)
{
	put_series(p, sample_suffix(p), labels, n, NULL);
	buf_put_u8(p->b, ' ');
	put_double(p->b, value);
	buf_put_u8(p->b, '\n');
}

void
prom_histogram(struct prom *p, const struct prom_label *labels, size_t n, const double *bounds,
	       const uint64_t *counts, size_t nb, double sum)
{
	uint64_t cum = 0;
	char le[40];

	for (size_t i = 0; i <= nb; i++) {
		cum += counts[i];
		if (i < nb)
			snprintf(le, sizeof(le), "%g", bounds[i]);
		else
			snprintf(le, sizeof(le), "+Inf");
		const struct prom_label le_label = { "le", le };

		put_series(p, "_bucket", labels, n, &le_label);
		buf_printf(p->b, " %" PRIu64 "\n", cum);
	}
	put_series(p, "_sum", labels, n, NULL);
	buf_put_u8(p->b, ' ');
	put_double(p->b, sum);
	buf_put_u8(p->b, '\n');
	put_series(p, "_count", labels, n, NULL);
	buf_printf(p->b, " %" PRIu64 "\n", cum);
}

void
prom_finish(struct prom *p)
{
	if (p->openmetrics)
		buf_printf(p->b, "# EOF\n");
}

bool
prom_name_valid(const char *name)
{
	if (!*name || (*name >= '0' && *name <= '9'))
		return false;
	for (const char *s = name; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == ':'))
			return false;
	}
	return true;
}

bool
prom_accepts_openmetrics(const char *accept)
{
	return accept && strstr(accept, "application/openmetrics-text") != NULL;
}
