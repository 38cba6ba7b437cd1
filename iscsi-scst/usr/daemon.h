/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daemon.h - the socket side of iscsi-scstd: listening sockets and the
 * event loop that drives one protocol engine (iscsid.h) per connection.
 */
#ifndef ISCSID_DAEMON_H
#define ISCSID_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include "iscsid.h"
#include "kern.h"

#define MAX_LISTEN_ADDRS	16

struct server_cfg {
	const char *addrs[MAX_LISTEN_ADDRS];	/* NULL: all addresses */
	int naddrs;
	uint16_t port;
	int login_timeout;		/* seconds for the whole login */
	int idle_timeout;		/* seconds of silence in discovery */
	int max_conns;			/* connections the daemon holds */
};

/* Create the listening sockets; 0 or -1 (logged) */
int server_listen(const struct server_cfg *cfg, struct login_env *env);
/* Run until SIGTERM/SIGINT; returns the exit status */
int server_run(const struct server_cfg *cfg, struct login_env *env,
	       struct kern *k);

#endif /* ISCSID_DAEMON_H */
