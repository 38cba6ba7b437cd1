// SPDX-License-Identifier: GPL-2.0
/*
 * iscsi_scstd.c - iscsi-scstd, the iSCSI login daemon of iscsi-scst.
 *
 * It listens on the iSCSI port, runs the login phase of every connection
 * and the whole of discovery sessions, and hands logged-in normal sessions
 * to iscsi-scst.ko.  All configuration lives in the kernel
 * (/sys/kernel/scst_tgt/targets/iscsi); the daemon keeps no state, so it can
 * be stopped and restarted at any time without touching the sessions the
 * kernel already runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "daemon.h"
#include "log.h"

#ifndef ISCSI_SCSTD_VERSION
#define ISCSI_SCSTD_VERSION	"unknown"
#endif

#define DEFAULT_PIDFILE		"/run/iscsi-scstd.pid"
#define LOGIN_TIMEOUT		15
#define IDLE_TIMEOUT		60
#define MAX_CONNS		128

struct options {
	bool foreground;
	int debug;
	const char *user, *group;
	char *addr_buf[MAX_LISTEN_ADDRS];
	struct server_cfg srv;
	const char *pidfile;
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "debug", required_argument, NULL, 'd' },
	{ "uid", required_argument, NULL, 'u' },
	{ "gid", required_argument, NULL, 'g' },
	{ "address", required_argument, NULL, 'a' },
	{ "port", required_argument, NULL, 'p' },
	{ "version", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: iscsi-scstd [OPTION]...\n"
		"iSCSI login daemon of iscsi-scst.\n"
		"\n"
		"  -c, --config FILE     ignored (legacy; the configuration lives in\n"
		"                        /sys/kernel/scst_tgt/targets/iscsi)\n"
		"  -f, --foreground      do not daemonize, log to stderr too\n"
		"  -d, --debug LEVEL     debug level (0 = off, 1, 2)\n"
		"  -u, --uid UID         run as this user after setup\n"
		"  -g, --gid GID         run as this group after setup\n"
		"  -a, --address ADDR    listen on ADDR only (IPv4 or IPv6; repeat\n"
		"                        the option or give a comma-separated list)\n"
		"  -p, --port PORT       TCP port (default %u)\n"
		"  -v, --version         print the version and exit\n"
		"  -h, --help            print this help and exit\n",
		ISCSI_LISTEN_PORT);
}

static int parse_num(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int add_addresses(struct options *o, const char *arg)
{
	char *copy = strdup(arg), *tok, *save;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (!*tok)
			continue;
		if (o->srv.naddrs >= MAX_LISTEN_ADDRS) {
			fprintf(stderr, "iscsi-scstd: too many addresses\n");
			free(copy);
			return -1;
		}
		o->addr_buf[o->srv.naddrs] = strdup(tok);
		if (!o->addr_buf[o->srv.naddrs]) {
			free(copy);
			return -1;
		}
		o->srv.addrs[o->srv.naddrs] = o->addr_buf[o->srv.naddrs];
		o->srv.naddrs++;
	}
	free(copy);
	return 0;
}

/* Returns -1 to exit with 1, 1 to exit with 0, 0 to go on */
static int parse_options(int argc, char **argv, struct options *o)
{
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "c:fd:u:g:a:p:vh", long_opts,
				NULL)) != -1) {
		switch (c) {
		case 'c':
			fprintf(stderr, "iscsi-scstd: %s ignored: the "
				"configuration lives in the kernel "
				"(/sys/kernel/scst_tgt/targets/iscsi)\n",
				optarg);
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'd':
			if (parse_num(optarg, 0, 100, &v)) {
				fprintf(stderr, "iscsi-scstd: invalid debug "
					"level %s\n", optarg);
				return -1;
			}
			o->debug = v;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'g':
			o->group = optarg;
			break;
		case 'a':
			if (add_addresses(o, optarg))
				return -1;
			break;
		case 'p':
			if (parse_num(optarg, 1, 65535, &v)) {
				fprintf(stderr, "iscsi-scstd: invalid port "
					"%s\n", optarg);
				return -1;
			}
			o->srv.port = v;
			break;
		case 'v':
			printf("iscsi-scstd %s (kernel interface %u)\n",
			       ISCSI_SCSTD_VERSION, ISCSI_SCST_IFACE_VERSION);
			return 1;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "iscsi-scstd: unexpected argument %s\n",
			argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
}

static int get_random(void *buf, size_t len)
{
	uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * Test knobs, not documented in --help:
 *   ISCSI_SCSTD_FAKE_KERNEL=<file>  fake kernel (fake.c), no module needed
 *   ISCSI_SCSTD_PIDFILE=<path>      pid file ("" for none; none by default
 *                                   with the fake kernel)
 *   ISCSI_SCSTD_LOGIN_TIMEOUT=<s>   whole login (default 15)
 *   ISCSI_SCSTD_IDLE_TIMEOUT=<s>    silent discovery session (default 60)
 *   ISCSI_SCSTD_MAX_CONNS=<n>       connections held (default 128)
 */
static int env_int(const char *name, int def, int min, int max)
{
	const char *s = getenv(name);
	long v;

	if (!s || parse_num(s, min, max, &v))
		return def;
	return v;
}

/* Create and lock the pid file; -1 if another daemon holds it */
static int pidfile_create(const char *path)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_err("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		log_err("another iscsi-scstd is running (pid %s, %s)",
			buf[0] ? strtok(buf, "\n") : "?", path);
		close(fd);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || write(fd, buf, n) != n) {
		log_err("cannot write %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;		/* kept open: holds the lock */
}

static int lookup_user(const char *name, uid_t *uid)
{
	struct passwd *pw;
	long v;

	if (!parse_num(name, 0, INT32_MAX, &v)) {
		*uid = v;
		return 0;
	}
	pw = getpwnam(name);
	if (!pw) {
		log_err("unknown user %s", name);
		return -1;
	}
	*uid = pw->pw_uid;
	return 0;
}

static int lookup_group(const char *name, gid_t *gid)
{
	struct group *gr;
	long v;

	if (!parse_num(name, 0, INT32_MAX, &v)) {
		*gid = v;
		return 0;
	}
	gr = getgrnam(name);
	if (!gr) {
		log_err("unknown group %s", name);
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

static int lookup_ids(const struct options *o, uid_t *uid, gid_t *gid)
{
	if (o->user && lookup_user(o->user, uid))
		return -1;
	if (o->group && lookup_group(o->group, gid))
		return -1;
	return 0;
}

/*
 * -u/-g: give up root once the control device and the sockets are open.
 * Note that the kernel may still check capabilities on some ioctls.
 */
static int drop_privileges(const struct options *o, uid_t uid, gid_t gid)
{
	if (o->group) {
		if (setgroups(0, NULL) && errno != EPERM)
			return -1;
		if (setgid(gid))
			return -1;
	}
	if (o->user && setuid(uid))
		return -1;
	return 0;
}

/*
 * Fork into the background.  The parent waits until the child reports
 * through a pipe that it is ready (or failed) and exits with that status.
 */
static int daemonize(int *ready_fd)
{
	int p[2], nul;
	char status = 1;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &status, 1) != 1)
			status = 1;
		_exit(status);
	}
	close(p[0]);
	if (setsid() < 0)
		return -1;
	/* no controlling terminal ever again */
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/"))
		return -1;
	umask(022);
	nul = open("/dev/null", O_RDWR);
	if (nul >= 0) {
		dup2(nul, STDIN_FILENO);
		dup2(nul, STDOUT_FILENO);
		/* stderr stays until the child reports, for early errors */
		if (nul > STDERR_FILENO)
			close(nul);
	}
	*ready_fd = p[1];
	return 0;
}

static void report_ready(int *ready_fd, char status)
{
	int nul;

	if (*ready_fd < 0)
		return;
	if (write(*ready_fd, &status, 1) != 1)
		log_err("cannot report to the parent: %s", strerror(errno));
	close(*ready_fd);
	*ready_fd = -1;
	nul = open("/dev/null", O_RDWR);
	if (nul >= 0) {
		dup2(nul, STDERR_FILENO);
		if (nul > STDERR_FILENO)
			close(nul);
	}
}

static const char *pidfile_path(bool fake)
{
	const char *p = getenv("ISCSI_SCSTD_PIDFILE");

	if (p)
		return *p ? p : NULL;
	/* a test daemon must not take the real daemon's pid file */
	return fake ? NULL : DEFAULT_PIDFILE;
}

int main(int argc, char **argv)
{
	struct options o;
	struct login_env env;
	struct kern k;
	const char *fake = getenv("ISCSI_SCSTD_FAKE_KERNEL");
	uid_t uid = 0;
	gid_t gid = 0;
	int ready_fd = -1, pid_fd = -1, r, status;

	memset(&o, 0, sizeof(o));
	o.srv.port = ISCSI_LISTEN_PORT;
	r = parse_options(argc, argv, &o);
	if (r)
		return r < 0 ? 1 : 0;
	o.srv.login_timeout = env_int("ISCSI_SCSTD_LOGIN_TIMEOUT",
				      LOGIN_TIMEOUT, 1, 3600);
	o.srv.idle_timeout = env_int("ISCSI_SCSTD_IDLE_TIMEOUT", IDLE_TIMEOUT,
				     1, 86400);
	o.srv.max_conns = env_int("ISCSI_SCSTD_MAX_CONNS", MAX_CONNS, 1, 4096);
	o.pidfile = pidfile_path(fake && *fake);

	/* stderr until the daemon detaches (only problems if it will), syslog */
	log_init("iscsi-scstd", true, true, o.debug);
	if (!o.foreground)
		log_stderr_max(LOG_WARNING);
	signal(SIGPIPE, SIG_IGN);
	if (lookup_ids(&o, &uid, &gid))
		return 1;
	r = fake && *fake ? kern_open_fake(&k, fake) : kern_open(&k);
	if (r)
		return 1;
	memset(&env, 0, sizeof(env));
	env.kcall = kern_call;
	env.kctx = &k;
	env.random = get_random;
	env.kmax_dsl = k.max_data_seg_len;
	env.kmax_queued = k.max_queued_cmds;
	if (get_random(&env.next_disc_tsih, sizeof(env.next_disc_tsih)) ||
	    server_listen(&o.srv, &env)) {
		kern_close(&k);
		return 1;
	}
	if (!o.foreground && daemonize(&ready_fd)) {
		log_err("cannot daemonize: %s", strerror(errno));
		return 1;
	}
	if (o.pidfile) {
		pid_fd = pidfile_create(o.pidfile);
		if (pid_fd < 0) {
			report_ready(&ready_fd, 1);
			return 1;
		}
	}
	if (drop_privileges(&o, uid, gid)) {
		log_err("cannot change to uid %u gid %u: %s", (unsigned int)uid,
			(unsigned int)gid, strerror(errno));
		report_ready(&ready_fd, 1);
		return 1;
	}
	log_init("iscsi-scstd", o.foreground, true, o.debug);
	log_stderr_max(LOG_DEBUG);
	log_info("iscsi-scstd %s started (port %u)", ISCSI_SCSTD_VERSION,
		 o.srv.port);
	report_ready(&ready_fd, 0);

	status = server_run(&o.srv, &env, &k);

	kern_close(&k);
	if (pid_fd >= 0) {
		unlink(o.pidfile);
		close(pid_fd);
	}
	log_info("iscsi-scstd stopped");
	log_close();
	for (r = 0; r < o.srv.naddrs; r++)
		free(o.addr_buf[r]);
	return status;
}
