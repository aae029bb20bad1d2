/* Leveled, rate-limited logging to stderr (see vlog.h). */
#include "vlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static enum vlog_level cur_level = VLOG_INFO;

static const char *const level_names[] = { "err", "warn", "info", "dbg" };

void
vlog_set_level(enum vlog_level level)
{
	cur_level = level;
}

enum vlog_level
vlog_get_level(void)
{
	return cur_level;
}

int
vlog_level_from_name(const char *name)
{
	static const struct {
		const char *name;
		enum vlog_level level;
	} names[] = {
		{ "err", VLOG_ERR },	  { "error", VLOG_ERR }, { "warn", VLOG_WARN },
		{ "warning", VLOG_WARN }, { "info", VLOG_INFO }, { "dbg", VLOG_DBG },
		{ "debug", VLOG_DBG },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(name, names[i].name))
			return (int)names[i].level;
	return -1;
}

const char *
vlog_level_name(enum vlog_level level)
{
	return (unsigned)level < 4 ? level_names[level] : "?";
}

bool
vlog_enabled(enum vlog_level level)
{
	return level <= cur_level;
}

static void __attribute__((format(printf, 3, 0)))
vlog_va(enum vlog_level level, const char *module, const char *fmt, va_list ap)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ|%s|%s|",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     ts.tv_nsec / 1000000, vlog_level_name(level), module);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	fprintf(stderr, "%s\n", line);
}

void
vlog(enum vlog_level level, const char *module, const char *fmt, ...)
{
	va_list ap;

	if (!vlog_enabled(level))
		return;
	va_start(ap, fmt);
	vlog_va(level, module, fmt, ap);
	va_end(ap);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
vlog_rl(struct vlog_rl *rl, enum vlog_level level, const char *module, const char *fmt, ...)
{
	uint64_t now;
	va_list ap;

	if (!vlog_enabled(level))
		return;
	now = now_ms();
	if (now - rl->window_start_ms >= 5000) {
		rl->window_start_ms = now;
		rl->n_in_window = 0;
	}
	if (rl->n_in_window >= (rl->burst ? rl->burst : 1)) {
		rl->suppressed++;
		return;
	}
	rl->n_in_window++;
	if (rl->suppressed) {
		vlog(level, module, "(%u similar messages suppressed)", rl->suppressed);
		rl->suppressed = 0;
	}
	va_start(ap, fmt);
	vlog_va(level, module, fmt, ap);
	va_end(ap);
}
