/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kern.h - the daemon's view of iscsi-scst.ko: the control device
 * (kern.c) or, for tests without the kernel module, a fake kernel reading
 * a small configuration file (fake.c).
 */
#ifndef ISCSID_KERN_H
#define ISCSID_KERN_H

#include <stdint.h>

struct fake_kernel;

struct kern {
	int fd;				/* control device, -1 if fake */
	struct fake_kernel *fake;
	uint32_t max_data_seg_len;	/* ISCSI_IOC_REGISTER results */
	uint32_t max_queued_cmds;
};

/* Open and register with the real kernel; 0 or a negative errno */
int kern_open(struct kern *k);
/* Use the fake kernel described by path; 0 or a negative errno */
int kern_open_fake(struct kern *k, const char *path);
void kern_close(struct kern *k);
/* login_env.kcall: one ioctl of iscsi_scst.h */
int kern_call(void *kctx, unsigned long req, void *arg);
/* Read and log the pending events; -1 if the device is unusable */
int kern_read_events(struct kern *k);

/* fake.c */
struct fake_kernel *fake_open(const char *path, int *err);
void fake_close(struct fake_kernel *f);
int fake_call(struct fake_kernel *f, unsigned long req, void *arg);
uint32_t fake_max_data_seg_len(struct fake_kernel *f);
uint32_t fake_max_queued_cmds(struct fake_kernel *f);

#endif /* ISCSID_KERN_H */
