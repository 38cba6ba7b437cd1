// SPDX-License-Identifier: GPL-2.0
/*
 * log.c - logging for iscsi-scstd.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include "log.h"

int log_level;
static bool log_stderr = true;
static bool log_syslog;
static int log_stderr_prio = LOG_DEBUG;

void log_init(const char *ident, bool to_stderr, bool to_syslog, int level)
{
	log_stderr = to_stderr;
	log_syslog = to_syslog;
	log_level = level;
	if (to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_stderr_max(int prio)
{
	log_stderr_prio = prio;
}

void log_close(void)
{
	if (log_syslog)
		closelog();
	log_syslog = false;
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	if (log_syslog) {
		va_start(ap, fmt);
		vsyslog(prio, fmt, ap);
		va_end(ap);
	}
	if (log_stderr && prio <= log_stderr_prio) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}
