/* Logging for the daemon and its agent: one line per message on stderr, with a
 * monotonic-free wall-clock timestamp, a level and the module that logged it
 * ("2026-11-24T06:14:07.123Z|warn|connmgr|br0: ..."). The level is set at run time
 * (config [switch] log_level, or vlog_set_level()). Anything a remote peer can trigger
 * goes through a struct vlog_rl rate limiter: at most `burst` lines per 5-second
 * window, and the number suppressed is reported with the next line let through.
 *
 * Used by ofproto/ (config, connmgr, bridge, handlers) and tools/pfswitchd.c. */
#ifndef PFS_VLOG_H
#define PFS_VLOG_H

#include <stdbool.h>
#include <stdint.h>

enum vlog_level {
	VLOG_ERR = 0,
	VLOG_WARN = 1,
	VLOG_INFO = 2,
	VLOG_DBG = 3,
};

/* Sets the most verbose level printed (default VLOG_INFO). */
void vlog_set_level(enum vlog_level level);
enum vlog_level vlog_get_level(void);
/* "err", "warn", "info", "dbg" (also "error", "warning", "debug"). Level or -1. */
int vlog_level_from_name(const char *name);
const char *vlog_level_name(enum vlog_level level);
/* True if a message at level would be printed. */
bool vlog_enabled(enum vlog_level level);
/* Prints one line if level is enabled. */
void vlog(enum vlog_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A rate limiter: burst lines per 5 s window. Zero-initialise with VLOG_RL_INIT. */
struct vlog_rl {
	uint64_t window_start_ms;
	unsigned n_in_window;
	unsigned burst;
	unsigned suppressed;
};

#define VLOG_RL_INIT(BURST)                                                                        \
	{                                                                                          \
		0, 0, (BURST), 0                                                                   \
	}

/* vlog() through rl: prints unless the window's budget is spent (then counts it). */
void vlog_rl(struct vlog_rl *rl, enum vlog_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* PFS_VLOG_H */
