/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal declarations of scst_vdisk.ko: virtual SCSI disks
 * backed by a file (vdisk_fileio), a block device (vdisk_blockio) or
 * nothing (vdisk_nullio).
 *
 * Files:
 *   vdisk_main.c     module, handler templates, add_device/del_device,
 *                    device life cycle (activation, resizing)
 *   vdisk_sysfs.c    device sysfs attributes
 *   vdisk_cmd.c      exec(): SCSI command emulation common to all backends
 *   vdisk_pages.c    pure INQUIRY/VPD/MODE/LOG data builders (host tested)
 *   vdisk_fileio.c   file backend (kiocb based, optionally asynchronous)
 *   vdisk_blockio.c  block device backend (bios built on the command's sg)
 *   vdisk_nullio.c   no backend
 *   vcdrom.c         the vcdrom handler: MMC commands, media changes
 *   vcdrom_pages.c   pure MMC data builders (host tested)
 */
#ifndef __VDISK_H
#define __VDISK_H

#include <linux/fs.h>
#include <linux/blkdev.h>
#include <linux/percpu-refcount.h>
#include <linux/workqueue.h>

#include "scst.h"
#include "vdisk_pages.h"

#define VDISK_FILEIO_NAME	"vdisk_fileio"
#define VDISK_BLOCKIO_NAME	"vdisk_blockio"
#define VDISK_NULLIO_NAME	"vdisk_nullio"
#define VCDROM_NAME		"vcdrom"

#define VDISK_DEF_BLOCK_SHIFT	9
#define VDISK_DEF_OPT_TRANS_LEN	524288
/* Largest transfer we accept in one command (block limits VPD page) */
#define VDISK_MAX_XFER_BYTES	(4U << 20)
/* Product revision level reported by default (left aligned) */
#define VDISK_DEF_PROD_REV	"010"

struct vdisk_dev;

/*
 * Backend operations.  rw() and flush() own the command from then on and
 * complete it with vdisk_cmd_done(); the *_sync() helpers run in process
 * context and return 0 or a negative errno.
 */
struct vdisk_backend_ops {
	int (*open)(struct vdisk_dev *vdev);
	void (*close)(struct vdisk_dev *vdev);
	/* Current size of the backing store in bytes */
	int (*get_size)(struct vdisk_dev *vdev, loff_t *size);
	/* Transfer cmd->nr_blocks from/to cmd->lba; sync: write through */
	void (*rw)(struct scst_cmd *cmd, struct vdisk_dev *vdev, bool write,
		   bool sync);
	/* Make [start, start + len) durable; len 0: up to the end */
	void (*flush)(struct scst_cmd *cmd, struct vdisk_dev *vdev,
		      loff_t start, loff_t len);
	int (*read_sync)(struct vdisk_dev *vdev, loff_t pos, void *buf,
			 size_t len);
	/* buf as for read_sync(); sync: durable before returning */
	int (*write_sync)(struct vdisk_dev *vdev, loff_t pos, const void *buf,
			  size_t len, bool sync);
	int (*flush_sync)(struct vdisk_dev *vdev);
	/* Deallocate; NULL if the backend cannot */
	int (*unmap_sync)(struct vdisk_dev *vdev, loff_t pos, loff_t len);
	/*
	 * Make [pos, pos + len) read as zeros without sending data, and
	 * deallocate it if unmap; -EOPNOTSUPP: the caller writes zeros.
	 */
	int (*zero_sync)(struct vdisk_dev *vdev, loff_t pos, loff_t len,
			 bool unmap, bool sync);
	/*
	 * Provisioning status of the extent at pos (before end): *mapped
	 * and where the extent ends (*next > pos).  NULL: all mapped.
	 */
	void (*map_status)(struct vdisk_dev *vdev, loff_t pos, loff_t end,
			   bool *mapped, loff_t *next);
	/* Start reading [pos, pos + len) into a cache; NULL: no cache */
	void (*prefetch)(struct vdisk_dev *vdev, loff_t pos, loff_t len);
};

/* Per handler constants */
struct vdisk_type {
	const char *name;
	const char *vend_id;		/* default t10_vend_id */
	const struct vdisk_backend_ops *ops;
	bool has_file;			/* needs a filename */
	bool cdrom;			/* vcdrom: media come and go */
};

/* Attributes/parameters that can be marked [key] */
enum vdisk_key {
	VDISK_KEY_BLOCKSIZE,
	VDISK_KEY_READ_ONLY,
	VDISK_KEY_WRITE_THROUGH,
	VDISK_KEY_NV_CACHE,
	VDISK_KEY_O_DIRECT,
	VDISK_KEY_THIN,
	VDISK_KEY_ROTATIONAL,
	VDISK_KEY_REMOVABLE,
	VDISK_KEY_TST,
	VDISK_KEY_ASYNC,
	VDISK_KEY_SIZE,
	VDISK_KEY_T10_VEND_ID,
	VDISK_KEY_PROD_ID,
	VDISK_KEY_PROD_REV,
	VDISK_KEY_T10_DEV_ID,
	VDISK_KEY_USN,
	VDISK_KEY_NAA_ID,
	VDISK_KEY_VEND_SPEC_ID,
	VDISK_KEY_OPT_TRANS_LEN,
	VDISK_KEY_ACTIVE,
	VDISK_KEY_SCSI_NAME,
	VDISK_KEY_EUI64_ID,
	VDISK_KEY_INQ_VEND_SPEC,
	VDISK_KEY_LB_PER_PB_EXP,	/* set: explicit, overrides the bdev's */
	VDISK_KEY_READ_ZERO,
	VDISK_KEY_BIND_ALUA,
	VDISK_NR_KEYS
};

struct vdisk_dev {
	struct list_head list_entry;	/* in vdisk_dev_list */
	const struct vdisk_type *vt;
	struct scst_device *dev;	/* set by attach() */
	char *name;
	char *filename;			/* NULL for nullio */

	/* Backing store, valid while the device is active */
	struct file *fd;
	struct block_device *bdev;
	fmode_t bdev_mode;
	loff_t size;			/* bytes */

	/* Creation parameters */
	unsigned int block_shift;
	bool read_only;
	bool wt_param;			/* write_through parameter */
	bool nv_cache;
	bool o_direct;
	bool async;
	u8 tst;

	/* Runtime state */
	bool write_through;		/* !WCE: writes are durable */
	bool ejected;			/* removable medium unloaded (LOEJ) */
	bool active;			/* backing store open */
	/*
	 * bind_alua_state: the backing store follows the ALUA state of the
	 * device on this node (vdisk_alua_work()).  alua_state is the last
	 * state the core reported; alua_closed: the ALUA binding, not the
	 * administrator, closed the backing store.  Under mutex (alua_state
	 * also READ/WRITE_ONCE).
	 */
	bool bind_alua_state;
	bool alua_closed;
	u8 alua_state;
	struct work_struct alua_work;
	int cd_event;			/* vcdrom: pending media event */
	u32 opt_trans_len;
	/* lb_per_pb_exp without an explicit value (blockio: of the bdev) */
	u8 lb_per_pb_exp_dflt;
	bool read_zero;			/* nullio: only reported, see sysfs */
	DECLARE_BITMAP(keys, VDISK_NR_KEYS);

	/*
	 * Commands that touch the backing store hold io_ref; deactivating
	 * the device kills it and waits for io_drained before closing.
	 */
	struct percpu_ref io_ref;
	struct completion io_drained;

	/* Serialises sysfs writes and MODE SELECT against each other */
	struct mutex mutex;
	/* Makes COMPARE AND WRITE atomic against the other ones */
	struct mutex caw_mutex;
	/* Protects pg (identity strings, geometry and mode state) */
	spinlock_t lock;
	struct vdisk_pg_dev pg;
};

static inline struct vdisk_dev *vdisk_from_cmd(struct scst_cmd *cmd)
{
	return cmd->dev->dh_priv;
}

static inline loff_t vdisk_pos(struct vdisk_dev *vdev, u64 lba)
{
	return (loff_t)lba << vdev->block_shift;
}

/* Bytes to transfer: the decoded length, never more than the buffer */
static inline size_t vdisk_xfer_len(struct scst_cmd *cmd,
				    struct vdisk_dev *vdev)
{
	u64 len = (u64)cmd->nr_blocks << vdev->block_shift;

	return min_t(u64, len, cmd->bufflen);
}

extern const struct vdisk_backend_ops vdisk_fileio_ops;
extern const struct vdisk_backend_ops vdisk_blockio_ops;
extern const struct vdisk_backend_ops vdisk_nullio_ops;

/* vdisk_cmd.c */
enum scst_exec_res vdisk_exec(struct scst_cmd *cmd);
bool vdisk_opcode_supported(struct scst_device *dev,
			    const struct scst_cdb_info *info);
void vdisk_cmd_done(struct scst_cmd *cmd, enum scst_exec_context ctx);
void vdisk_set_io_error(struct scst_cmd *cmd, int err, bool write, u64 lba);
void vdisk_set_err(struct scst_cmd *cmd, const struct vdisk_err *err);
void vdisk_send(struct scst_cmd *cmd, const u8 *buf, int len);
void vdisk_fill_port(struct scst_cmd *cmd, struct vdisk_port *port);

/* vdisk_main.c */
void vdisk_update_geometry(struct vdisk_dev *vdev, loff_t size);
void vdisk_default_id(const struct vdisk_dev *vdev, enum vdisk_key key,
		      struct vdisk_pg_dev *pg, u64 setup_id);
int vdisk_set_active(struct vdisk_dev *vdev, bool active);
bool vdisk_bind_alua_default(const struct vdisk_dev *vdev);
void vdisk_set_bind_alua(struct vdisk_dev *vdev, bool bind);
int vdisk_resync_size(struct vdisk_dev *vdev);
int vdisk_resize(struct vdisk_dev *vdev, loff_t size);

/* vdisk_sysfs.c */
extern const struct attribute *vdisk_fileio_attrs[];
extern const struct attribute *vdisk_blockio_attrs[];
extern const struct attribute *vdisk_nullio_attrs[];
extern const struct attribute *vcdrom_attrs[];

/* vcdrom.c */
extern struct kobj_attribute vcdrom_attr_filename;
void vcdrom_setup(struct vdisk_dev *vdev);
enum scst_exec_res vcdrom_exec(struct scst_cmd *cmd);
bool vcdrom_opcode_supported(struct scst_device *dev,
			     const struct scst_cdb_info *info);

/* vdisk_blockio.c */
int vdisk_blockio_init(void);
void vdisk_blockio_exit(void);

#endif /* __VDISK_H */
