// SPDX-License-Identifier: GPL-2.0
/*
 * kern.c - the control device of iscsi-scst.ko.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "../include/iscsi_scst.h"
#include "kern.h"
#include "log.h"

int kern_open(struct kern *k)
{
	struct iscsi_ioc_register reg;
	int err;

	memset(k, 0, sizeof(*k));
	k->fd = open(ISCSI_SCST_CTL_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0) {
		err = -errno;
		log_err("cannot open %s: %s%s", ISCSI_SCST_CTL_DEV,
			strerror(errno), errno == ENOENT ?
			" (is iscsi-scst.ko loaded?)" : "");
		return err;
	}
	memset(&reg, 0, sizeof(reg));
	reg.version = ISCSI_SCST_IFACE_VERSION;
	if (ioctl(k->fd, ISCSI_IOC_REGISTER, &reg) < 0) {
		err = -errno;
		log_err("ISCSI_IOC_REGISTER: %s%s", strerror(errno),
			errno == EBUSY ? " (another iscsi-scstd is running)" :
			errno == EINVAL || errno == EPROTO ?
			" (kernel module of another version?)" : "");
		close(k->fd);
		k->fd = -1;
		return err;
	}
	k->max_data_seg_len = reg.max_data_seg_len;
	k->max_queued_cmds = reg.max_queued_cmds;
	log_info("registered with iscsi-scst: max_data_seg_len %u, "
		 "max_queued_cmds %u", reg.max_data_seg_len,
		 reg.max_queued_cmds);
	return 0;
}

int kern_open_fake(struct kern *k, const char *path)
{
	int err;

	memset(k, 0, sizeof(*k));
	k->fd = -1;
	k->fake = fake_open(path, &err);
	if (!k->fake)
		return err;
	k->max_data_seg_len = fake_max_data_seg_len(k->fake);
	k->max_queued_cmds = fake_max_queued_cmds(k->fake);
	log_warn("TEST MODE: fake kernel from %s, no session reaches the "
		 "kernel", path);
	return 0;
}

void kern_close(struct kern *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	if (k->fake)
		fake_close(k->fake);
	k->fake = NULL;
}

int kern_call(void *kctx, unsigned long req, void *arg)
{
	struct kern *k = kctx;
	int flags;

	if (k->fake)
		return fake_call(k->fake, req, arg);
	if (req == ISCSI_IOC_LOGIN_DONE) {
		struct iscsi_ioc_login_done *ld = arg;

		/*
		 * The kernel gets the socket as accept() made it, blocking;
		 * the daemon sends the final response with MSG_DONTWAIT.
		 */
		flags = fcntl(ld->fd, F_GETFL);
		if (flags >= 0)
			fcntl(ld->fd, F_SETFL, flags & ~O_NONBLOCK);
	}
	while (ioctl(k->fd, req, arg) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

static const char *event_name(uint32_t code)
{
	switch (code) {
	case ISCSI_EV_TARGET_ADDED:
		return "target added";
	case ISCSI_EV_TARGET_REMOVED:
		return "target removed";
	case ISCSI_EV_TARGET_CHANGED:
		return "target changed";
	case ISCSI_EV_SESSION_ADDED:
		return "session added";
	case ISCSI_EV_SESSION_REMOVED:
		return "session removed";
	case ISCSI_EV_CONN_CLOSED:
		return "connection closed";
	default:
		return "unknown event";
	}
}

int kern_read_events(struct kern *k)
{
	struct iscsi_event ev[16];
	ssize_t n;
	size_t i;

	if (k->fd < 0)
		return 0;
	n = read(k->fd, ev, sizeof(ev));
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		log_err("reading events from %s: %s", ISCSI_SCST_CTL_DEV,
			strerror(errno));
		return -1;
	}
	if (n == 0 || n % sizeof(ev[0])) {
		log_err("reading events from %s: unexpected length %zd",
			ISCSI_SCST_CTL_DEV, n);
		return -1;
	}
	for (i = 0; i < n / sizeof(ev[0]); i++) {
		ev[i].name[sizeof(ev[i].name) - 1] = '\0';
		if (ev[i].flags & ISCSI_EV_OVERFLOW)
			log_warn("kernel event queue overflowed, events lost");
		log_info("kernel: %s: tid %u tsih %u cid %u %s",
			 event_name(ev[i].code), ev[i].tid, ev[i].tsih,
			 ev[i].cid, ev[i].name);
	}
	return 0;
}
