// SPDX-License-Identifier: GPL-2.0
/*
 * server.c - listening sockets and the event loop of iscsi-scstd.
 *
 * One thread, one epoll set, non-blocking sockets.  A connection is read
 * one PDU at a time and not read again until its answer is sent, so every
 * connection holds at most one PDU in and one PDU out.  The whole login
 * has a deadline, an idle discovery session another; when the daemon holds
 * max_conns connections a new one pushes out the one idle the longest, so
 * silent connections cannot lock others out.
 *
 * The only thing that leaves the loop is ISCSI_IOC_LOGIN_DONE, which can
 * wait for the reinstatement of an old session: it runs in a short-lived
 * thread that reports back through a pipe.
 */
#define _GNU_SOURCE		/* accept4, pipe2 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "daemon.h"
#include "log.h"

#define MAX_LISTENERS		(2 * MAX_LISTEN_ADDRS)
#define ACCEPTS_PER_WAKEUP	64
#define PDUS_PER_WAKEUP		8
#define CLOSE_LINGER_MS		2000
#define HANDOFF_WRITE_MS	5000
#define SHUTDOWN_WAIT_MS	10000

enum src_kind {
	SRC_LISTEN, SRC_CONN, SRC_CTL, SRC_SIGNAL, SRC_DONE,
	SRC_DEAD,		/* a closed connection, freed after the batch */
};

struct src {
	enum src_kind kind;
	int fd;
};

struct listener {
	struct src src;
	struct portal portal;
	bool wildcard;
};

enum dconn_state {
	DC_ACTIVE,		/* login or discovery session */
	DC_LOGIN_DONE,		/* the ioctl runs in a thread */
	DC_CLOSING,		/* sending the last PDU, then drain */
	DC_DRAIN,		/* write side shut, waiting for EOF */
};

struct dconn {
	struct src src;
	enum dconn_state state;
	uint64_t deadline;	/* ms, CLOCK_MONOTONIC */
	uint64_t last_active;
	bool pollout;		/* waiting for EPOLLOUT instead of EPOLLIN */
	struct dconn *prev, *next;
	struct iconn ic;
};

struct ld_job {
	struct dconn *dc;
	struct kern *k;
	enum iconn_action act;	/* after login_done_complete() */
};

static struct {
	int ep;
	struct listener lis[MAX_LISTENERS];
	int nlis;
	bool lis_paused;
	uint64_t lis_resume;
	struct portal portals[MAX_LISTENERS];	/* specific addresses */
	struct dconn *conns;
	int nconns;
	struct dconn *dead;		/* closed during this epoll batch */
	int nthreads;
	int done_pipe[2];
	struct src done_src, ctl_src, sig_src;
	uint64_t last_evict_log;
} srv = { .ep = -1, .done_pipe = { -1, -1 } };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- addresses ---- */

static void sockaddr_to_portal(const struct sockaddr_storage *ss,
			       struct portal *p)
{
	const struct sockaddr_in6 *s6 = (const void *)ss;
	const struct sockaddr_in *s4 = (const void *)ss;

	memset(p, 0, sizeof(*p));
	if (ss->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		/* an IPv4 peer on a dual-stack socket is an IPv4 portal */
		p->family = AF_INET;
		inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], p->addr,
			  sizeof(p->addr));
		p->port = ntohs(s6->sin6_port);
	} else if (ss->ss_family == AF_INET6) {
		p->family = AF_INET6;
		inet_ntop(AF_INET6, &s6->sin6_addr, p->addr, sizeof(p->addr));
		p->port = ntohs(s6->sin6_port);
	} else {
		p->family = AF_INET;
		inet_ntop(AF_INET, &s4->sin_addr, p->addr, sizeof(p->addr));
		p->port = ntohs(s4->sin_port);
	}
}

static int add_listener(const struct addrinfo *ai, bool wildcard)
{
	struct listener *l = &srv.lis[srv.nlis];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd, one = 1;

	if (srv.nlis >= MAX_LISTENERS)
		return -ENOSPC;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	/* restart while old connections linger in TIME_WAIT */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, SOMAXCONN) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		int err = -errno;

		close(fd);
		return err;
	}
	l->src.kind = SRC_LISTEN;
	l->src.fd = fd;
	l->wildcard = wildcard;
	sockaddr_to_portal(&ss, &l->portal);
	srv.nlis++;
	log_info("listening on %s%s%s:%u", l->portal.family == AF_INET6 ?
		 "[" : "", l->portal.addr, l->portal.family == AF_INET6 ?
		 "]" : "", l->portal.port);
	return 0;
}

/*
 * "1.2.3.4", "::1", "[::1]", "fe80::1%eth0".  optional: a missing address
 * family is not worth an error message (the default IPv6 socket).
 */
static int listen_on(const char *addr, uint16_t port, bool optional)
{
	struct addrinfo hints, *res, *ai;
	char host[128], serv[8];
	size_t len = strlen(addr);
	int err, ret = 0;

	if (len >= sizeof(host))
		return -EINVAL;
	if (addr[0] == '[' && len > 2 && addr[len - 1] == ']') {
		memcpy(host, addr + 1, len - 2);
		host[len - 2] = '\0';
	} else {
		strcpy(host, addr);
	}
	snprintf(serv, sizeof(serv), "%u", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	err = getaddrinfo(host, serv, &hints, &res);
	if (err) {
		log_err("invalid address %s: %s", addr, gai_strerror(err));
		return -EINVAL;
	}
	for (ai = res; ai && !ret; ai = ai->ai_next) {
		bool any = false;

		if (ai->ai_family == AF_INET)
			any = ((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr ==
			      htonl(INADDR_ANY);
		else if (ai->ai_family == AF_INET6)
			any = IN6_IS_ADDR_UNSPECIFIED(
				&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr);
		ret = add_listener(ai, any);
		if (ret && !(optional && (ret == -EAFNOSUPPORT ||
					  ret == -EADDRNOTAVAIL)))
			log_err("cannot listen on %s port %u: %s", addr, port,
				strerror(-ret));
	}
	freeaddrinfo(res);
	return ret;
}

int server_listen(const struct server_cfg *cfg, struct login_env *env)
{
	int i, n = 0, err;

	if (!cfg->naddrs) {
		/* all addresses: one socket per family */
		err = listen_on("::", cfg->port, true);
		if (err == -EAFNOSUPPORT || err == -EADDRNOTAVAIL)
			log_notice("no IPv6, listening on IPv4 only");
		else if (err)
			return -1;
		if (listen_on("0.0.0.0", cfg->port, false))
			return -1;
	} else {
		for (i = 0; i < cfg->naddrs; i++)
			if (listen_on(cfg->addrs[i], cfg->port, false))
				return -1;
	}
	for (i = 0; i < srv.nlis; i++)
		if (!srv.lis[i].wildcard)
			srv.portals[n++] = srv.lis[i].portal;
	env->portals = srv.portals;
	env->nportals = n;
	return 0;
}

/* ---- connections ---- */

static int ep_set(struct src *s, uint32_t events, int op)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = s;
	return epoll_ctl(srv.ep, op, s->fd, &ev);
}

/*
 * Close a connection.  Events of the current epoll batch may still point
 * to it, so it is only marked dead here and freed by reap_dead().
 */
static void conn_free(struct dconn *dc)
{
	if (dc->prev)
		dc->prev->next = dc->next;
	else
		srv.conns = dc->next;
	if (dc->next)
		dc->next->prev = dc->prev;
	srv.nconns--;
	epoll_ctl(srv.ep, EPOLL_CTL_DEL, dc->src.fd, NULL);
	close(dc->src.fd);
	dc->src.fd = -1;
	dc->src.kind = SRC_DEAD;
	iconn_free(&dc->ic);
	dc->prev = NULL;
	dc->next = srv.dead;
	srv.dead = dc;
}

static void reap_dead(void)
{
	struct dconn *dc;

	while ((dc = srv.dead)) {
		srv.dead = dc->next;
		free(dc);
	}
}

static void conn_poll(struct dconn *dc, bool out)
{
	if (dc->pollout == out)
		return;
	dc->pollout = out;
	ep_set(&dc->src, out ? EPOLLOUT : EPOLLIN, EPOLL_CTL_MOD);
}

/* Send what is queued; 1 if all sent, 0 if it would block, -1 on error */
static int conn_flush(struct dconn *dc)
{
	struct iconn *c = &dc->ic;
	size_t len;
	ssize_t n;

	while ((len = iconn_tx_pending(c))) {
		n = send(dc->src.fd, c->tx.buf + c->tx_off, len,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			iconn_tx_consumed(c, n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1;
	}
	return 1;
}

/*
 * Close after the last PDU: shut our side, then wait briefly for the
 * initiator's EOF so that unread input does not turn the close into a
 * reset that could destroy the response before it is read.
 */
static void conn_drain(struct dconn *dc)
{
	shutdown(dc->src.fd, SHUT_WR);
	dc->state = DC_DRAIN;
	dc->deadline = now_ms() + CLOSE_LINGER_MS;
	conn_poll(dc, false);
}

static void conn_close(struct dconn *dc)
{
	int r = conn_flush(dc);

	if (r < 0) {
		conn_free(dc);
		return;
	}
	if (r == 0) {
		dc->state = DC_CLOSING;
		dc->deadline = now_ms() + CLOSE_LINGER_MS;
		conn_poll(dc, true);
		return;
	}
	conn_drain(dc);
}

/*
 * The kernel owns the connection: send the final Login Response at once.
 * The socket is ours alone until then (the kernel sends nothing before
 * the initiator's first full feature phase PDU, which cannot come before
 * this response), so a short poll() loop is fine here.
 */
static void handoff_write(struct dconn *dc)
{
	struct pollfd pfd = { .fd = dc->src.fd, .events = POLLOUT };
	uint64_t end = now_ms() + HANDOFF_WRITE_MS;
	uint64_t now;
	int r;

	while ((r = conn_flush(dc)) == 0) {
		now = now_ms();
		if (now >= end)
			break;
		poll(&pfd, 1, end - now);
	}
	if (r <= 0)
		log_warn("%s: final Login Response not sent completely",
			 dc->ic.peer);
}

/*
 * ISCSI_IOC_LOGIN_DONE and what immediately follows: the final response
 * (or the failure one) is built, and on success written, right here so
 * that it follows the ioctl as closely as possible.  Only this
 * connection's state is touched: safe outside the loop's thread.
 */
static void login_done_run(struct ld_job *job)
{
	struct iconn *c = &job->dc->ic;
	int err;

	err = kern_call(job->k, ISCSI_IOC_LOGIN_DONE, iconn_login_done_arg(c));
	job->act = login_done_complete(c, err);
	if (job->act == IA_HANDOFF)
		handoff_write(job->dc);
}

static void *login_done_thread(void *arg)
{
	struct ld_job *job = arg;

	login_done_run(job);
	/* a pointer is far below PIPE_BUF: the write is atomic */
	if (write(srv.done_pipe[1], &job, sizeof(job)) != sizeof(job))
		log_err("cannot report a finished login: %s", strerror(errno));
	return NULL;
}

static void conn_action(struct dconn *dc, enum iconn_action act,
			struct kern *k);

static void login_done_finish(struct ld_job *job)
{
	struct dconn *dc = job->dc;
	struct kern *k = job->k;
	enum iconn_action act = job->act;

	free(job);
	dc->state = DC_ACTIVE;
	if (act == IA_HANDOFF) {
		/* the kernel keeps its own reference to the socket */
		conn_free(dc);
		return;
	}
	/* the kernel refused it: the socket is ours again */
	dc->pollout = false;
	ep_set(&dc->src, EPOLLIN, EPOLL_CTL_ADD);
	conn_action(dc, act, k);
}

/* Hand the connection to the kernel from a thread */
static void conn_login_done(struct dconn *dc, struct kern *k)
{
	struct ld_job *job = calloc(1, sizeof(*job));
	pthread_attr_t attr;
	pthread_t th;
	int err = -1;

	/* not one byte more from this socket: it belongs to the kernel */
	epoll_ctl(srv.ep, EPOLL_CTL_DEL, dc->src.fd, NULL);
	dc->state = DC_LOGIN_DONE;
	if (!job) {
		dc->state = DC_ACTIVE;
		dc->pollout = false;
		ep_set(&dc->src, EPOLLIN, EPOLL_CTL_ADD);
		conn_action(dc, login_done_complete(&dc->ic, -ENOMEM), k);
		return;
	}
	job->dc = dc;
	job->k = k;
	if (!pthread_attr_init(&attr)) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		err = pthread_create(&th, &attr, login_done_thread, job);
		pthread_attr_destroy(&attr);
	}
	if (!err) {
		srv.nthreads++;
		return;
	}
	/* no thread: do it here, the loop waits */
	login_done_run(job);
	login_done_finish(job);
}

static void conn_action(struct dconn *dc, enum iconn_action act,
			struct kern *k)
{
	int r;

	switch (act) {
	case IA_CONTINUE:
		r = conn_flush(dc);
		if (r < 0)
			conn_free(dc);
		else
			conn_poll(dc, r == 0);
		break;
	case IA_CLOSE:
		conn_close(dc);
		break;
	case IA_LOGIN_DONE:
		conn_login_done(dc, k);
		break;
	case IA_HANDOFF:
		/* only after LOGIN_DONE, which handles it */
		conn_free(dc);
		break;
	}
}

/* A whole PDU arrived: the connection makes progress */
static void conn_progress(const struct server_cfg *cfg, struct dconn *dc)
{
	dc->last_active = now_ms();
	if (dc->ic.phase == PH_DISCOVERY)
		dc->deadline = dc->last_active + cfg->idle_timeout * 1000ULL;
}

static void conn_readable(const struct server_cfg *cfg, struct dconn *dc,
			  struct kern *k)
{
	struct iconn *c = &dc->ic;
	enum iconn_action act = IA_CONTINUE;
	char junk[512];
	uint32_t want;
	ssize_t n;
	int pdus = 0;

	if (dc->state == DC_DRAIN) {
		n = recv(dc->src.fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			conn_free(dc);
		return;
	}
	while (pdus < PDUS_PER_WAKEUP) {
		want = iconn_rx_want(c);
		n = recv(dc->src.fd, c->rx + c->rx_len, want, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			log_dbg(1, "%s: connection %s", c->peer,
				n ? strerror(errno) : "closed by the peer");
			conn_free(dc);
			return;
		}
		act = iconn_rx(c, n);
		if (!c->rx_len) {
			/* a whole PDU was handled */
			pdus++;
			conn_progress(cfg, dc);
		}
		if (act != IA_CONTINUE || iconn_tx_pending(c))
			break;
	}
	conn_action(dc, act, k);
}

static void conn_writable(struct dconn *dc, struct kern *k)
{
	int r = conn_flush(dc);

	if (r < 0) {
		conn_free(dc);
		return;
	}
	if (!r)
		return;
	if (dc->state == DC_CLOSING)
		conn_drain(dc);
	else
		conn_action(dc, IA_CONTINUE, k);
}

/* Make room: drop the connection idle the longest; false if none can go */
static bool evict_one(void)
{
	struct dconn *dc, *victim = NULL;
	uint64_t now = now_ms();

	for (dc = srv.conns; dc; dc = dc->next)
		if (dc->state != DC_LOGIN_DONE &&
		    (!victim || dc->last_active < victim->last_active))
			victim = dc;
	if (!victim)
		return false;
	if (now - srv.last_evict_log > 10000) {
		log_warn("too many connections: dropping the most idle ones "
			 "(%s first)", victim->ic.peer);
		srv.last_evict_log = now;
	}
	conn_free(victim);
	return true;
}

static void accept_one(const struct server_cfg *cfg, struct listener *l,
		       struct login_env *env, int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct portal local, peer;
	char peer_str[ISCSI_ADDR_LEN + 16];
	struct dconn *dc;
	int one = 1;

	/* request/response traffic, during login and in the kernel after */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		close(fd);
		return;
	}
	sockaddr_to_portal(&ss, &local);
	sl = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &sl)) {
		close(fd);
		return;
	}
	sockaddr_to_portal(&ss, &peer);
	portal_str(&peer, peer_str, sizeof(peer_str));
	if (srv.nconns >= cfg->max_conns && !evict_one()) {
		/* all of them are being handed to the kernel */
		close(fd);
		return;
	}
	dc = calloc(1, sizeof(*dc));
	if (!dc) {
		close(fd);
		return;
	}
	dc->src.kind = SRC_CONN;
	dc->src.fd = fd;
	dc->state = DC_ACTIVE;
	dc->last_active = now_ms();
	dc->deadline = dc->last_active + cfg->login_timeout * 1000ULL;
	iconn_init(&dc->ic, env, fd, &local, peer_str);
	if (ep_set(&dc->src, EPOLLIN, EPOLL_CTL_ADD)) {
		iconn_free(&dc->ic);
		free(dc);
		close(fd);
		return;
	}
	dc->next = srv.conns;
	if (srv.conns)
		srv.conns->prev = dc;
	srv.conns = dc;
	srv.nconns++;
	log_dbg(1, "%s: connected to %s", peer_str, l->portal.addr);
}

static void listeners_pause(bool pause)
{
	int i;

	if (srv.lis_paused == pause)
		return;
	srv.lis_paused = pause;
	for (i = 0; i < srv.nlis; i++)
		ep_set(&srv.lis[i].src, EPOLLIN,
		       pause ? EPOLL_CTL_DEL : EPOLL_CTL_ADD);
	if (pause)
		srv.lis_resume = now_ms() + 1000;
}

static void listener_ready(const struct server_cfg *cfg, struct listener *l,
			   struct login_env *env)
{
	int i, fd;

	for (i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
		fd = accept4(l->src.fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			accept_one(cfg, l, env, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			/* out of descriptors: retry in a second */
			log_err("accept: %s", strerror(errno));
			listeners_pause(true);
		}
		return;
	}
}

/* Expire deadlines; returns the epoll timeout until the next one */
static int run_timers(void)
{
	struct dconn *dc, *next;
	uint64_t now = now_ms(), first = now + 1000;

	if (srv.lis_paused && now >= srv.lis_resume)
		listeners_pause(false);
	for (dc = srv.conns; dc; dc = next) {
		next = dc->next;
		if (dc->state == DC_LOGIN_DONE)
			continue;
		if (now >= dc->deadline) {
			if (dc->state == DC_ACTIVE)
				log_notice("%s: %s timeout, closing",
					   dc->ic.peer,
					   dc->ic.phase == PH_LOGIN ?
					   "login" : "idle");
			conn_free(dc);
			continue;
		}
		if (dc->deadline < first)
			first = dc->deadline;
	}
	return first > now ? (int)(first - now) : 0;
}

/* At exit: all but those the kernel is being handed */
static void drop_all(void)
{
	struct dconn *dc, *next;

	for (dc = srv.conns; dc; dc = next) {
		next = dc->next;
		if (dc->state != DC_LOGIN_DONE)
			conn_free(dc);
	}
}

static int setup_loop(struct kern *k)
{
	sigset_t set;
	int i;

	srv.ep = epoll_create1(EPOLL_CLOEXEC);
	if (srv.ep < 0 || pipe2(srv.done_pipe, O_CLOEXEC | O_NONBLOCK))
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	srv.sig_src.kind = SRC_SIGNAL;
	srv.sig_src.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	srv.done_src.kind = SRC_DONE;
	srv.done_src.fd = srv.done_pipe[0];
	if (srv.sig_src.fd < 0 || ep_set(&srv.sig_src, EPOLLIN, EPOLL_CTL_ADD) ||
	    ep_set(&srv.done_src, EPOLLIN, EPOLL_CTL_ADD))
		return -1;
	if (k->fd >= 0) {
		srv.ctl_src.kind = SRC_CTL;
		srv.ctl_src.fd = k->fd;
		if (ep_set(&srv.ctl_src, EPOLLIN, EPOLL_CTL_ADD))
			return -1;
	}
	for (i = 0; i < srv.nlis; i++)
		if (ep_set(&srv.lis[i].src, EPOLLIN, EPOLL_CTL_ADD))
			return -1;
	return 0;
}

/* 1 to stop */
static int handle_signal(void)
{
	struct signalfd_siginfo si;

	while (read(srv.sig_src.fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP: nothing to reload, the configuration "
				 "lives in the kernel");
			continue;
		}
		log_info("signal %u: exiting; established sessions stay in "
			 "the kernel", si.ssi_signo);
		return 1;
	}
	return 0;
}

static void handle_done(void)
{
	struct ld_job *job;

	while (read(srv.done_pipe[0], &job, sizeof(job)) == sizeof(job)) {
		srv.nthreads--;
		login_done_finish(job);
	}
}

static void dispatch(const struct server_cfg *cfg, struct login_env *env,
		     struct kern *k, struct epoll_event *ev, bool *stop)
{
	struct src *s = ev->data.ptr;
	struct dconn *dc;

	switch (s->kind) {
	case SRC_LISTEN:
		if (!*stop)
			listener_ready(cfg, (struct listener *)s, env);
		break;
	case SRC_CONN:
		dc = (struct dconn *)s;
		if (ev->events & EPOLLOUT)
			conn_writable(dc, k);
		else if (ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			conn_readable(cfg, dc, k);
		break;
	case SRC_CTL:
		if (kern_read_events(k)) {
			/* do not spin on a broken device */
			epoll_ctl(srv.ep, EPOLL_CTL_DEL, k->fd, NULL);
		}
		break;
	case SRC_SIGNAL:
		if (handle_signal())
			*stop = true;
		break;
	case SRC_DONE:
		handle_done();
		break;
	case SRC_DEAD:
		break;
	}
}

int server_run(const struct server_cfg *cfg, struct login_env *env,
	       struct kern *k)
{
	struct epoll_event evs[64];
	uint64_t stop_deadline = 0;
	bool stop = false;
	int i, n, timeout;

	if (setup_loop(k)) {
		log_err("event loop setup: %s", strerror(errno));
		return 1;
	}
	for (;;) {
		timeout = run_timers();
		if (stop) {
			/* let running ISCSI_IOC_LOGIN_DONE calls finish */
			if (!srv.nthreads || now_ms() >= stop_deadline)
				break;
			timeout = 100;
		}
		n = epoll_wait(srv.ep, evs, 64, timeout);
		if (n < 0 && errno != EINTR) {
			log_err("epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			bool was = stop;

			dispatch(cfg, env, k, &evs[i], &stop);
			if (stop && !was) {
				stop_deadline = now_ms() + SHUTDOWN_WAIT_MS;
				listeners_pause(true);
				drop_all();
			}
		}
		reap_dead();
	}
	drop_all();
	reap_dead();
	for (i = 0; i < srv.nlis; i++)
		close(srv.lis[i].src.fd);
	return 0;
}
