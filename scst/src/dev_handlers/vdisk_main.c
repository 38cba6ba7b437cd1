// SPDX-License-Identifier: GPL-2.0
/*
 * The scst_vdisk module: the vdisk_fileio, vdisk_blockio,
 * vdisk_nullio and vcdrom handlers, device creation from add_device parameters,
 * deletion, and device life cycle.  The sysfs attributes live in
 * vdisk_sysfs.c.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vdisk.h"
#include "scst_alua_pure.h"

static unsigned int num_threads = 8;
module_param(num_threads, uint, 0444);
MODULE_PARM_DESC(num_threads,
		 "Per-device threads of vdisk_fileio devices (default 8)");

/* Default size of a nullio device: 1.5 TiB */
#define VDISK_NULLIO_DEF_SIZE	(3ULL << 39)
/* Most parameters one add_device takes */
#define VDISK_MAX_PARAMS	32

/* All devices of the module; protected by vdisk_mutex */
static LIST_HEAD(vdisk_dev_list);
static DEFINE_MUTEX(vdisk_mutex);

static const struct vdisk_type vdisk_fileio_type = {
	.name = VDISK_FILEIO_NAME,
	.vend_id = "SCST_FIO",
	.ops = &vdisk_fileio_ops,
	.has_file = true,
};

static const struct vdisk_type vdisk_blockio_type = {
	.name = VDISK_BLOCKIO_NAME,
	.vend_id = "SCST_BIO",
	.ops = &vdisk_blockio_ops,
	.has_file = true,
};

/* Classic SCST reports the FILEIO vendor for nullio devices too */
static const struct vdisk_type vdisk_nullio_type = {
	.name = VDISK_NULLIO_NAME,
	.vend_id = "SCST_FIO",
	.ops = &vdisk_nullio_ops,
};

/* File backed, read-only, media loaded through the filename attribute */
static const struct vdisk_type vcdrom_type = {
	.name = VCDROM_NAME,
	.vend_id = "SCST_FIO",
	.ops = &vdisk_fileio_ops,
	.cdrom = true,
};

static struct scst_dev_type vdisk_fileio_devt;
static struct scst_dev_type vdisk_blockio_devt;
static struct scst_dev_type vdisk_nullio_devt;
static struct scst_dev_type vcdrom_devt;

static struct scst_dev_type *vdisk_devt(const struct vdisk_type *vt)
{
	if (vt == &vdisk_fileio_type)
		return &vdisk_fileio_devt;
	if (vt == &vdisk_blockio_type)
		return &vdisk_blockio_devt;
	if (vt == &vcdrom_type)
		return &vcdrom_devt;
	return &vdisk_nullio_devt;
}

/*
 * Geometry.  dev->nr_blocks is what the core range checks against; it is
 * only changed here, after which the caller raises CAPACITY DATA HAS
 * CHANGED.
 */
void vdisk_update_geometry(struct vdisk_dev *vdev, loff_t size)
{
	u64 nr = size >> vdev->block_shift;

	WRITE_ONCE(vdev->size, size);
	spin_lock(&vdev->lock);
	vdev->pg.nr_blocks = nr;
	spin_unlock(&vdev->lock);
	if (vdev->dev)
		WRITE_ONCE(vdev->dev->nr_blocks, nr);
}

/*
 * Identification defaults, also restored when an attribute is cleared.
 * Writes into the strings of pg, of the size struct vdisk_pg_dev has.
 */
void vdisk_default_id(const struct vdisk_dev *vdev, enum vdisk_key key,
		      struct vdisk_pg_dev *pg, u64 setup_id)
{
	u64 hash = vdisk_name_hash(vdev->name, setup_id);

	switch (key) {
	case VDISK_KEY_T10_VEND_ID:
		strscpy(pg->vend_id, vdev->vt->vend_id, sizeof(pg->vend_id));
		break;
	case VDISK_KEY_PROD_ID:
		/* The device name, truncated to the field */
		strscpy(pg->prod_id, vdev->name, sizeof(pg->prod_id));
		break;
	case VDISK_KEY_PROD_REV:
		strscpy(pg->prod_rev, VDISK_DEF_PROD_REV, sizeof(pg->prod_rev));
		break;
	case VDISK_KEY_T10_DEV_ID:
		vdisk_gen_t10_dev_id(pg->t10_dev_id, sizeof(pg->t10_dev_id),
				     vdev->name, setup_id);
		break;
	case VDISK_KEY_USN:
		vdisk_gen_usn(pg->usn, sizeof(pg->usn), hash);
		break;
	case VDISK_KEY_NAA_ID:
		vdisk_gen_naa(pg->naa_id, hash);
		pg->naa_id_len = 8;
		break;
	case VDISK_KEY_VEND_SPEC_ID:
		pg->vend_spec_id[0] = '\0';
		break;
	/* Optional identification: not reported unless set */
	case VDISK_KEY_SCSI_NAME:
		pg->scsi_dev_name[0] = '\0';
		break;
	case VDISK_KEY_EUI64_ID:
		memset(pg->eui64_id, 0, sizeof(pg->eui64_id));
		pg->eui64_id_len = 0;
		break;
	case VDISK_KEY_INQ_VEND_SPEC:
		pg->inq_vend_spec[0] = '\0';
		break;
	default:
		break;
	}
}

static void vdisk_init_ids(struct vdisk_dev *vdev)
{
	static const enum vdisk_key ids[] = {
		VDISK_KEY_T10_VEND_ID, VDISK_KEY_PROD_ID, VDISK_KEY_PROD_REV,
		VDISK_KEY_T10_DEV_ID, VDISK_KEY_USN, VDISK_KEY_NAA_ID,
		VDISK_KEY_VEND_SPEC_ID, VDISK_KEY_SCSI_NAME, VDISK_KEY_EUI64_ID,
		VDISK_KEY_INQ_VEND_SPEC,
	};
	u64 setup_id = scst_get_setup_id();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		if (!test_bit(ids[i], vdev->keys))
			vdisk_default_id(vdev, ids[i], &vdev->pg, setup_id);
}

/*
 * add_device parameters
 */
static const char *const vdisk_fileio_params[] = {
	"active", "async", "bind_alua_state", "blocksize", "cluster_mode",
	"filename",
	"numa_node_id", "nv_cache", "o_direct", "read_only", "removable",
	"rotational", "thin_provisioned", "tst", "t10_dev_id",
	"write_through", NULL
};

static const char *const vdisk_blockio_params[] = {
	"active", "bind_alua_state", "blocksize", "cluster_mode", "filename",
	"numa_node_id",
	"nv_cache", "read_only", "removable", "rotational",
	"thin_provisioned", "tst", "t10_dev_id", "write_through", NULL
};

static const char *const vdisk_nullio_params[] = {
	"blocksize", "cluster_mode", "dummy", "numa_node_id", "read_only",
	"removable", "rotational", "size", "size_mb", "tst", "t10_dev_id",
	NULL
};

static const char *const vcdrom_params[] = { "tst", NULL };

/* Boolean creation parameters stored in struct vdisk_dev */
struct vdisk_bool_param {
	const char *name;
	size_t off;
	enum vdisk_key key;
};

static const struct vdisk_bool_param vdisk_bool_params[] = {
	{ "read_only", offsetof(struct vdisk_dev, read_only),
	  VDISK_KEY_READ_ONLY },
	{ "write_through", offsetof(struct vdisk_dev, wt_param),
	  VDISK_KEY_WRITE_THROUGH },
	{ "nv_cache", offsetof(struct vdisk_dev, nv_cache),
	  VDISK_KEY_NV_CACHE },
	{ "o_direct", offsetof(struct vdisk_dev, o_direct),
	  VDISK_KEY_O_DIRECT },
	{ "async", offsetof(struct vdisk_dev, async), VDISK_KEY_ASYNC },
	{ "thin_provisioned", offsetof(struct vdisk_dev, pg.thin_provisioned),
	  VDISK_KEY_THIN },
	{ "rotational", offsetof(struct vdisk_dev, pg.rotational),
	  VDISK_KEY_ROTATIONAL },
	{ "removable", offsetof(struct vdisk_dev, pg.removable),
	  VDISK_KEY_REMOVABLE },
	{ "active", offsetof(struct vdisk_dev, active), VDISK_KEY_ACTIVE },
};

static int vdisk_bad_param(struct vdisk_dev *vdev, const char *name,
			   const char *val, const char *why)
{
	pr_err("vdisk: %s: invalid value \"%s\" of parameter %s: %s\n",
	       vdev->name, val, name, why);
	return -EINVAL;
}

static int vdisk_set_bool(struct vdisk_dev *vdev, const char *name,
			  const char *val, bool *handled)
{
	unsigned int i;
	bool v;

	for (i = 0; i < ARRAY_SIZE(vdisk_bool_params); i++) {
		const struct vdisk_bool_param *p = &vdisk_bool_params[i];

		if (strcmp(p->name, name))
			continue;
		*handled = true;
		if (scst_parse_bool(val, &v))
			return vdisk_bad_param(vdev, name, val, "not 0 or 1");
		*(bool *)((char *)vdev + p->off) = v;
		set_bit(p->key, vdev->keys);
		return 0;
	}
	*handled = false;
	return 0;
}

static int vdisk_set_blocksize(struct vdisk_dev *vdev, const char *val)
{
	u32 bs;

	if (scst_parse_u32(val, &bs) ||
	    (bs != 512 && bs != 1024 && bs != 2048 && bs != 4096))
		return vdisk_bad_param(vdev, "blocksize", val,
				       "not 512, 1024, 2048 or 4096");
	vdev->block_shift = ilog2(bs);
	set_bit(VDISK_KEY_BLOCKSIZE, vdev->keys);
	return 0;
}

static int vdisk_set_size(struct vdisk_dev *vdev, const char *name,
			  const char *val)
{
	u64 v;

	if (test_bit(VDISK_KEY_SIZE, vdev->keys))
		return vdisk_bad_param(vdev, name, val,
				       "size and size_mb are exclusive");
	if (scst_parse_u64(val, &v) || !v)
		return vdisk_bad_param(vdev, name, val, "not a positive number");
	if (!strcmp(name, "size_mb")) {
		if (v > (LLONG_MAX >> 20))
			return vdisk_bad_param(vdev, name, val, "too large");
		v <<= 20;
	} else if (v > LLONG_MAX) {
		return vdisk_bad_param(vdev, name, val, "too large");
	}
	vdev->size = v;
	set_bit(VDISK_KEY_SIZE, vdev->keys);
	return 0;
}

static int vdisk_set_t10_dev_id(struct vdisk_dev *vdev, const char *val)
{
	if (!*val || !vdisk_valid_id_string(val, VDISK_T10_DEV_ID_LEN, false))
		return vdisk_bad_param(vdev, "t10_dev_id", val,
				       "not 1 to 64 printable characters");
	strscpy(vdev->pg.t10_dev_id, val, sizeof(vdev->pg.t10_dev_id));
	set_bit(VDISK_KEY_T10_DEV_ID, vdev->keys);
	return 0;
}

static int vdisk_set_filename(struct vdisk_dev *vdev, const char *val)
{
	if (val[0] != '/')
		return vdisk_bad_param(vdev, "filename", val,
				       "not an absolute path");
	kfree(vdev->filename);
	vdev->filename = kstrdup(val, GFP_KERNEL);
	return vdev->filename ? 0 : -ENOMEM;
}

/* Accepted for compatibility; only their default value is supported */
static int vdisk_set_compat(struct vdisk_dev *vdev, const char *name,
			    const char *val)
{
	u32 v;

	if (!strcmp(name, "numa_node_id")) {
		/* NUMA placement is the core's business (device attribute) */
		if (strcmp(val, "-1") && scst_parse_u32(val, &v))
			return vdisk_bad_param(vdev, name, val,
					       "not a node number");
		return 0;
	}
	/* cluster_mode and dummy */
	if (strcmp(val, "0"))
		return vdisk_bad_param(vdev, name, val, "only 0 is supported");
	return 0;
}

static int vdisk_set_param(struct vdisk_dev *vdev, const char *name,
			   const char *val)
{
	bool handled;
	int ret;
	u32 v;

	ret = vdisk_set_bool(vdev, name, val, &handled);
	if (handled)
		return ret;
	if (!strcmp(name, "filename"))
		return vdisk_set_filename(vdev, val);
	if (!strcmp(name, "blocksize"))
		return vdisk_set_blocksize(vdev, val);
	if (!strcmp(name, "size") || !strcmp(name, "size_mb"))
		return vdisk_set_size(vdev, name, val);
	if (!strcmp(name, "t10_dev_id"))
		return vdisk_set_t10_dev_id(vdev, val);
	if (!strcmp(name, "bind_alua_state")) {
		bool b;

		if (scst_parse_bool(val, &b))
			return vdisk_bad_param(vdev, name, val, "not 0 or 1");
		vdev->bind_alua_state = b;
		if (b != vdisk_bind_alua_default(vdev))
			set_bit(VDISK_KEY_BIND_ALUA, vdev->keys);
		return 0;
	}
	if (!strcmp(name, "tst")) {
		/* 0: one task set, 1: a task set per I_T nexus */
		if (scst_parse_u32(val, &v) || v > 1)
			return vdisk_bad_param(vdev, name, val, "not 0 or 1");
		vdev->tst = v;
		set_bit(VDISK_KEY_TST, vdev->keys);
		return 0;
	}
	return vdisk_set_compat(vdev, name, val);
}

static int vdisk_parse_params(struct vdisk_dev *vdev, char *params,
			      const char *const *allowed)
{
	struct scst_param *p;
	const char *bad = NULL;
	int n, i, ret = 0;

	if (!params)
		return 0;
	p = kcalloc(VDISK_MAX_PARAMS, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	n = scst_parse_params(params, allowed, p, VDISK_MAX_PARAMS, &bad);
	if (n < 0) {
		pr_err("vdisk: %s: invalid parameter \"%s\"\n", vdev->name,
		       bad ? bad : "");
		ret = n;
		goto out;
	}
	for (i = 0; i < n && !ret; i++)
		ret = vdisk_set_param(vdev, p[i].name, p[i].value);
out:
	kfree(p);
	return ret;
}

/* Cross-parameter checks once all parameters are known */
static int vdisk_check_params(struct vdisk_dev *vdev)
{
	if (vdev->vt->has_file && !vdev->filename) {
		pr_err("vdisk: %s: parameter filename is required\n",
		       vdev->name);
		return -EINVAL;
	}
	if (!vdev->vt->has_file && !vdev->vt->cdrom &&
	    !test_bit(VDISK_KEY_SIZE, vdev->keys))
		vdev->size = VDISK_NULLIO_DEF_SIZE;
	return 0;
}

/*
 * Device life cycle
 */
static void vdisk_io_ref_release(struct percpu_ref *ref)
{
	struct vdisk_dev *vdev = container_of(ref, struct vdisk_dev, io_ref);

	complete(&vdev->io_drained);
}

static void vdisk_alua_work(struct work_struct *work);

static struct vdisk_dev *vdisk_alloc(const struct vdisk_type *vt,
				     const char *name)
{
	struct vdisk_dev *vdev = kzalloc(sizeof(*vdev), GFP_KERNEL);

	if (!vdev)
		return NULL;
	vdev->name = kstrdup(name, GFP_KERNEL);
	if (!vdev->name) {
		kfree(vdev);
		return NULL;
	}
	vdev->vt = vt;
	vdev->block_shift = VDISK_DEF_BLOCK_SHIFT;
	vdev->active = true;
	vdev->opt_trans_len = VDISK_DEF_OPT_TRANS_LEN;
	vdev->pg.type = TYPE_DISK;
	vdev->pg.rotational = true;
	mutex_init(&vdev->mutex);
	mutex_init(&vdev->caw_mutex);
	spin_lock_init(&vdev->lock);
	init_completion(&vdev->io_drained);
	vdev->bind_alua_state = vdisk_bind_alua_default(vdev);
	vdev->alua_state = SCST_ALUA_OPTIMIZED;
	INIT_WORK(&vdev->alua_work, vdisk_alua_work);
	if (vt->cdrom)
		vcdrom_setup(vdev);
	return vdev;
}

/*
 * Backing store activation ("active" attribute).  io_ref is live exactly
 * while the device is active; vdev->mutex serialises the transitions.
 */
static void vdisk_deactivate(struct vdisk_dev *vdev)
{
	WRITE_ONCE(vdev->active, false);
	reinit_completion(&vdev->io_drained);
	percpu_ref_kill(&vdev->io_ref);
	/* Commands holding io_ref finish their I/O first */
	wait_for_completion(&vdev->io_drained);
	vdev->vt->ops->close(vdev);
}

static int vdisk_activate(struct vdisk_dev *vdev)
{
	u64 old_nr = vdev->pg.nr_blocks;
	int ret;

	ret = vdev->vt->ops->open(vdev);
	if (ret)
		return ret;
	if (!(vdev->size >> vdev->block_shift)) {
		pr_err("vdisk: %s: %s is smaller than one block\n",
		       vdev->name, vdev->filename);
		vdev->vt->ops->close(vdev);
		return -EINVAL;
	}
	vdisk_update_geometry(vdev, vdev->size);
	WRITE_ONCE(vdev->active, true);
	percpu_ref_reinit(&vdev->io_ref);
	if (vdev->dev && vdev->pg.nr_blocks != old_nr)
		scst_capacity_data_changed(vdev->dev);
	return 0;
}

int vdisk_set_active(struct vdisk_dev *vdev, bool active)
{
	int ret = 0;

	mutex_lock(&vdev->mutex);
	/* the administrator decides now, until the next ALUA change */
	vdev->alua_closed = false;
	if (active && !vdev->active)
		ret = vdisk_activate(vdev);
	else if (!active && vdev->active)
		vdisk_deactivate(vdev);
	if (!ret) {
		if (active)
			clear_bit(VDISK_KEY_ACTIVE, vdev->keys);
		else
			set_bit(VDISK_KEY_ACTIVE, vdev->keys);
	}
	mutex_unlock(&vdev->mutex);
	return ret;
}

/*
 * bind_alua_state (SCST's HA binding of the backing store to ALUA).  A
 * bound device follows the ALUA state that the core reports for it on this
 * node (on_alua_state_change, see struct scst_dev_type): when the local
 * target port groups become standby, unavailable, offline or
 * transitioning -- states in which this node does not access the medium,
 * typically because the other node of a cluster owns it -- the backing
 * store is closed exactly as by writing 0 to "active"; when they become
 * active/optimized or active/non-optimized again it is reopened, as by
 * writing 1, but only if the binding closed it: a device the
 * administrator deactivated stays so.  An error reopening is logged and
 * leaves the device inactive.  Closing waits for the I/O in flight, so
 * the change runs in a work item, outside scst_mutex.  Defaults: 1 for
 * vdisk_blockio, 0 for vdisk_fileio; nullio and vcdrom have no backing
 * store to bind.
 */
bool vdisk_bind_alua_default(const struct vdisk_dev *vdev)
{
	return vdev->vt == &vdisk_blockio_type;
}

static bool vdisk_alua_accessible(u8 state)
{
	return state == SCST_ALUA_OPTIMIZED || state == SCST_ALUA_NONOPTIMIZED;
}

static void vdisk_alua_work(struct work_struct *work)
{
	struct vdisk_dev *vdev = container_of(work, struct vdisk_dev,
					      alua_work);
	u8 state;
	int ret;

	mutex_lock(&vdev->mutex);
	state = READ_ONCE(vdev->alua_state);
	if (!vdev->bind_alua_state)
		goto out;
	if (!vdisk_alua_accessible(state)) {
		if (!vdev->active)
			goto out;
		pr_info("vdisk: %s: ALUA state %s: closing the backing store\n",
			vdev->name, scst_alua_state_name(state));
		vdisk_deactivate(vdev);
		set_bit(VDISK_KEY_ACTIVE, vdev->keys);
		vdev->alua_closed = true;
	} else if (vdev->alua_closed && !vdev->active) {
		ret = vdisk_activate(vdev);
		if (ret) {
			pr_err("vdisk: %s: ALUA state %s: cannot reopen %s: %d; the device stays inactive\n",
			       vdev->name, scst_alua_state_name(state),
			       vdev->filename, ret);
			goto out;
		}
		pr_info("vdisk: %s: ALUA state %s: backing store reopened\n",
			vdev->name, scst_alua_state_name(state));
		clear_bit(VDISK_KEY_ACTIVE, vdev->keys);
		vdev->alua_closed = false;
	}
out:
	mutex_unlock(&vdev->mutex);
}

/* on_alua_state_change() of the handlers: scst_mutex held, must not wait */
static void vdisk_on_alua_state_change(struct scst_device *dev, u8 state)
{
	struct vdisk_dev *vdev = dev->dh_priv;

	WRITE_ONCE(vdev->alua_state, state);
	if (READ_ONCE(vdev->bind_alua_state))
		queue_work(system_long_wq, &vdev->alua_work);
}

/* The bind_alua_state attribute; binding applies the current state */
void vdisk_set_bind_alua(struct vdisk_dev *vdev, bool bind)
{
	mutex_lock(&vdev->mutex);
	vdev->bind_alua_state = bind;
	if (bind != vdisk_bind_alua_default(vdev))
		set_bit(VDISK_KEY_BIND_ALUA, vdev->keys);
	else
		clear_bit(VDISK_KEY_BIND_ALUA, vdev->keys);
	if (!bind)
		vdev->alua_closed = false;
	mutex_unlock(&vdev->mutex);
	if (bind)
		queue_work(system_long_wq, &vdev->alua_work);
}

/* Re-read the backing store size ("resync_size"); vdev->mutex held */
int vdisk_resync_size(struct vdisk_dev *vdev)
{
	loff_t size;
	int ret;

	lockdep_assert_held(&vdev->mutex);
	if (!vdev->active) {
		pr_err("vdisk: %s: not active\n", vdev->name);
		return -EBUSY;
	}
	ret = vdev->vt->ops->get_size(vdev, &size);
	if (ret)
		return ret;
	return vdisk_resize(vdev, size);
}

/* Set a new capacity and tell the initiators; vdev->mutex held */
int vdisk_resize(struct vdisk_dev *vdev, loff_t size)
{
	u64 old_nr = vdev->pg.nr_blocks;

	lockdep_assert_held(&vdev->mutex);
	if (!(size >> vdev->block_shift)) {
		pr_err("vdisk: %s: new size %lld is smaller than one block\n",
		       vdev->name, size);
		return -EINVAL;
	}
	vdisk_update_geometry(vdev, size);
	if (vdev->dev && vdev->pg.nr_blocks != old_nr)
		scst_capacity_data_changed(vdev->dev);
	return 0;
}

static void vdisk_free(struct vdisk_dev *vdev)
{
	if (vdev->active)
		vdisk_deactivate(vdev);
	percpu_ref_exit(&vdev->io_ref);
	kfree(vdev->filename);
	kfree(vdev->name);
	kfree(vdev);
}

/* Derived state: page builder snapshot and mode defaults */
static void vdisk_init_state(struct vdisk_dev *vdev)
{
	struct vdisk_pg_dev *pg = &vdev->pg;

	pg->block_shift = vdev->block_shift;
	pg->nv_cache = vdev->nv_cache;
	pg->tst = vdev->tst;
	pg->max_xfer_blocks = VDISK_MAX_XFER_BYTES >> vdev->block_shift;
	pg->opt_xfer_blocks = vdev->opt_trans_len >> vdev->block_shift;
	vdisk_default_mode(pg, &pg->def_mode, vdev->wt_param);
	pg->mode = pg->def_mode;
	vdev->write_through = !pg->mode.wce;
	vdisk_init_ids(vdev);
}

static int vdisk_open_backing(struct vdisk_dev *vdev)
{
	int ret;

	if (!vdev->active) {
		/* Opened when "active" is set to 1 */
		vdev->size = 0;
		return percpu_ref_init(&vdev->io_ref, vdisk_io_ref_release,
				       PERCPU_REF_INIT_DEAD, GFP_KERNEL);
	}
	ret = vdev->vt->ops->open(vdev);
	if (ret)
		return ret;
	if (vdev->size >> vdev->block_shift == 0) {
		pr_err("vdisk: %s: %s is smaller than one block\n",
		       vdev->name, vdev->filename ? vdev->filename : "size");
		vdev->vt->ops->close(vdev);
		return -EINVAL;
	}
	/* ALLOW_REINIT: "active" may kill and revive it */
	ret = percpu_ref_init(&vdev->io_ref, vdisk_io_ref_release,
			      PERCPU_REF_ALLOW_REINIT, GFP_KERNEL);
	if (ret)
		vdev->vt->ops->close(vdev);
	return ret;
}

static ssize_t vdisk_add_device(const struct vdisk_type *vt,
				const char *name, char *params,
				const char *const *allowed)
{
	struct scst_device *dev;
	struct vdisk_dev *vdev;
	int ret;

	vdev = vdisk_alloc(vt, name);
	if (!vdev)
		return -ENOMEM;
	ret = vdisk_parse_params(vdev, params, allowed);
	if (!ret)
		ret = vdisk_check_params(vdev);
	if (ret)
		goto free_unopened;
	ret = vdisk_open_backing(vdev);
	if (ret)
		goto free_unopened;
	vdisk_init_state(vdev);
	vdisk_update_geometry(vdev, vdev->size);

	mutex_lock(&vdisk_mutex);
	ret = scst_register_virtual_device(vdisk_devt(vt), name, vdev, &dev);
	if (!ret)
		list_add_tail(&vdev->list_entry, &vdisk_dev_list);
	mutex_unlock(&vdisk_mutex);
	if (ret) {
		pr_err("vdisk: %s: registration failed: %d\n", name, ret);
		vdisk_free(vdev);
		return ret;
	}
	pr_info("vdisk: %s: %s device, %llu blocks of %u bytes\n", name,
		vt->name, vdev->pg.nr_blocks, 1U << vdev->block_shift);
	SCST_DEVT_TRACE(vdisk_devt(vt), SCST_TRACE_MGMT,
			"vdisk: %s: added (%s, %s)", name, vt->name,
			vdev->active ? "active" : "inactive");
	return 0;

free_unopened:
	kfree(vdev->filename);
	kfree(vdev->name);
	kfree(vdev);
	return ret;
}

/* Called by the core from scst_register_virtual_device() */
static int vdisk_attach(struct scst_device *dev)
{
	struct vdisk_dev *vdev = dev->dh_priv;
	const struct vdisk_mode_state *ms = &vdev->pg.mode;

	vdev->dev = dev;
	dev->block_shift = vdev->block_shift;
	dev->nr_blocks = vdev->pg.nr_blocks;
	dev->rd_only = vdev->read_only;
	dev->max_xfer_blocks = vdev->pg.max_xfer_blocks;
	dev->tst = vdev->tst;
	dev->d_sense = ms->d_sense;
	dev->swp = ms->swp;
	dev->tas = ms->tas;
	dev->qerr = ms->qerr;
	dev->queue_alg = ms->queue_alg;
	return 0;
}

static void vdisk_detach(struct scst_device *dev)
{
	struct vdisk_dev *vdev = dev->dh_priv;

	/* the device left its ALUA group: nothing queues the work again */
	cancel_work_sync(&vdev->alua_work);
	vdev->dev = NULL;
}

static struct vdisk_dev *vdisk_find(const struct vdisk_type *vt,
				    const char *name)
{
	struct vdisk_dev *vdev;

	lockdep_assert_held(&vdisk_mutex);
	list_for_each_entry(vdev, &vdisk_dev_list, list_entry)
		if (vdev->vt == vt && !strcmp(vdev->name, name))
			return vdev;
	return NULL;
}

/* Unregister and free one device; vdisk_mutex held.  The only path. */
static int vdisk_remove(struct vdisk_dev *vdev)
{
	int ret;

	lockdep_assert_held(&vdisk_mutex);
	ret = scst_unregister_virtual_device(vdev->dev);
	if (ret) {
		pr_err("vdisk: %s: cannot unregister: %d\n", vdev->name, ret);
		return ret;
	}
	list_del(&vdev->list_entry);
	vdisk_free(vdev);
	return 0;
}

static ssize_t vdisk_del_device(const struct vdisk_type *vt, const char *name)
{
	struct vdisk_dev *vdev;
	int ret;

	mutex_lock(&vdisk_mutex);
	vdev = vdisk_find(vt, name);
	if (vdev) {
		ret = vdisk_remove(vdev);
		SCST_DEVT_TRACE(vdisk_devt(vt), SCST_TRACE_MGMT,
				"vdisk: %s: deleted: %d", name, ret);
	} else {
		pr_err("vdisk: %s: no such %s device\n", name, vt->name);
		ret = -ENOENT;
	}
	mutex_unlock(&vdisk_mutex);
	return ret;
}

static ssize_t vdisk_fileio_add(const char *name, char *params)
{
	return vdisk_add_device(&vdisk_fileio_type, name, params,
				vdisk_fileio_params);
}

static ssize_t vdisk_blockio_add(const char *name, char *params)
{
	return vdisk_add_device(&vdisk_blockio_type, name, params,
				vdisk_blockio_params);
}

static ssize_t vdisk_nullio_add(const char *name, char *params)
{
	return vdisk_add_device(&vdisk_nullio_type, name, params,
				vdisk_nullio_params);
}

static ssize_t vcdrom_add(const char *name, char *params)
{
	return vdisk_add_device(&vcdrom_type, name, params, vcdrom_params);
}

static ssize_t vdisk_fileio_del(const char *name)
{
	return vdisk_del_device(&vdisk_fileio_type, name);
}

static ssize_t vdisk_blockio_del(const char *name)
{
	return vdisk_del_device(&vdisk_blockio_type, name);
}

static ssize_t vdisk_nullio_del(const char *name)
{
	return vdisk_del_device(&vdisk_nullio_type, name);
}

static ssize_t vcdrom_del(const char *name)
{
	return vdisk_del_device(&vcdrom_type, name);
}

/*
 * Every command, if the handler's own trace_level has "scsi": one handler
 * (fileio, blockio or nullio) can be watched without the others' output.
 */
static enum scst_exec_res vdisk_traced_exec(struct scst_cmd *cmd)
{
	SCST_DEVT_TRACE(cmd->dev->handler, SCST_TRACE_SCSI,
			"vdisk: %s: %s cdb %*phN lba %llu blocks %u",
			cmd->dev->virt_name, cmd->dev->handler->name,
			(int)min(cmd->cdb_len, 16U), cmd->cdb, cmd->lba,
			cmd->nr_blocks);
	return vdisk_exec(cmd);
}

/*
 * Handler templates
 */
#define VDISK_DEVT_COMMON				\
	.type = TYPE_DISK,				\
	.exec_atomic = 0,				\
	.exec = vdisk_traced_exec,			\
	.attach = vdisk_attach,				\
	.detach = vdisk_detach,				\
	.opcode_supported = vdisk_opcode_supported

static struct scst_dev_type vdisk_fileio_devt = {
	.name = VDISK_FILEIO_NAME,
	VDISK_DEVT_COMMON,
	.on_alua_state_change = vdisk_on_alua_state_change,
	.add_device = vdisk_fileio_add,
	.del_device = vdisk_fileio_del,
	.add_device_parameters = vdisk_fileio_params,
	.dev_attrs = vdisk_fileio_attrs,
};

static struct scst_dev_type vdisk_blockio_devt = {
	.name = VDISK_BLOCKIO_NAME,
	VDISK_DEVT_COMMON,
	.on_alua_state_change = vdisk_on_alua_state_change,
	.add_device = vdisk_blockio_add,
	.del_device = vdisk_blockio_del,
	.add_device_parameters = vdisk_blockio_params,
	.dev_attrs = vdisk_blockio_attrs,
};

static struct scst_dev_type vdisk_nullio_devt = {
	.name = VDISK_NULLIO_NAME,
	VDISK_DEVT_COMMON,
	.add_device = vdisk_nullio_add,
	.del_device = vdisk_nullio_del,
	.add_device_parameters = vdisk_nullio_params,
	.dev_attrs = vdisk_nullio_attrs,
};

/* MMC device: its own exec() and opcode list (vcdrom.c) */
static struct scst_dev_type vcdrom_devt = {
	.name = VCDROM_NAME,
	.type = TYPE_ROM,
	.exec_atomic = 0,
	.exec = vcdrom_exec,
	.attach = vdisk_attach,
	.detach = vdisk_detach,
	.opcode_supported = vcdrom_opcode_supported,
	.add_device = vcdrom_add,
	.del_device = vcdrom_del,
	.add_device_parameters = vcdrom_params,
	.dev_attrs = vcdrom_attrs,
};

static struct scst_dev_type *const vdisk_devts[] = {
	&vdisk_fileio_devt, &vdisk_blockio_devt, &vdisk_nullio_devt,
	&vcdrom_devt,
};

static void vdisk_remove_all(void)
{
	struct vdisk_dev *vdev, *tmp;

	mutex_lock(&vdisk_mutex);
	list_for_each_entry_safe(vdev, tmp, &vdisk_dev_list, list_entry)
		vdisk_remove(vdev);
	mutex_unlock(&vdisk_mutex);
}

static void vdisk_unregister_devts(int n)
{
	while (n-- > 0)
		scst_unregister_virtual_dev_driver(vdisk_devts[n]);
}

static int __init vdisk_init(void)
{
	int ret, i;

	/* File I/O may block: give each fileio device its own threads */
	vdisk_fileio_devt.threads_num = num_threads;
	vcdrom_devt.threads_num = num_threads;
	ret = vdisk_blockio_init();
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(vdisk_devts); i++) {
		ret = scst_register_virtual_dev_driver(vdisk_devts[i]);
		if (ret) {
			pr_err("vdisk: cannot register handler %s: %d\n",
			       vdisk_devts[i]->name, ret);
			vdisk_unregister_devts(i);
			vdisk_blockio_exit();
			return ret;
		}
	}
	return 0;
}

static void __exit vdisk_exit(void)
{
	vdisk_remove_all();
	vdisk_unregister_devts(ARRAY_SIZE(vdisk_devts));
	vdisk_blockio_exit();
}

module_init(vdisk_init);
module_exit(vdisk_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("SCSI disks on files, block devices or nothing; CD-ROMs on images");
