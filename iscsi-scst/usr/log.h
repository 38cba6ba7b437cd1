/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log.h - logging to syslog and, in the foreground, to stderr.
 */
#ifndef ISCSID_LOG_H
#define ISCSID_LOG_H

#include <stdbool.h>
#include <syslog.h>

extern int log_level;		/* -d LEVEL */

/*
 * Before log_init() messages go to stderr only.  stderr_max: the least
 * urgent priority that still goes to stderr (LOG_DEBUG: all).
 */
void log_init(const char *ident, bool to_stderr, bool to_syslog, int level);
void log_stderr_max(int prio);
void log_close(void);
void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(fmt, ...)	log_msg(LOG_ERR, fmt, ##__VA_ARGS__)
#define log_warn(fmt, ...)	log_msg(LOG_WARNING, fmt, ##__VA_ARGS__)
#define log_notice(fmt, ...)	log_msg(LOG_NOTICE, fmt, ##__VA_ARGS__)
#define log_info(fmt, ...)	log_msg(LOG_INFO, fmt, ##__VA_ARGS__)
/* Debug messages of level lvl are logged with -d lvl or higher */
#define log_dbg(lvl, fmt, ...)						\
	do {								\
		if (log_level >= (lvl))					\
			log_msg(LOG_DEBUG, fmt, ##__VA_ARGS__);		\
	} while (0)

#endif /* ISCSID_LOG_H */
