// SPDX-License-Identifier: GPL-2.0
/*
 * Attributes of scst_vdisk devices in
 * /sys/kernel/scst_tgt/devices/<dev>/.
 *
 * Creation parameters are read-only afterwards.  An attribute whose value
 * was set explicitly (or differs from the default) ends with a "[key]"
 * line so that scstadmin saves it.  Every write is validated completely
 * before anything changes; identification changes raise INQUIRY DATA HAS
 * CHANGED on every I_T nexus.
 *
 * Writes that open, close, flush or resize the backing store (active,
 * sync, resync_size, size and size_mb) may take long: after validation
 * they run in the core's sysfs work thread (scst_dev_sysfs_work()), so
 * that they are serialised with device deletion and the writer gets
 * EAGAIN instead of hanging.  The other writes only change memory and
 * stay synchronous.
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/string.h>

#include "vdisk.h"

/* Longest value accepted by a store (scsi_device_name: 251 characters) */
#define VDISK_ATTR_MAX		256

static struct scst_device *kobj_dev(struct kobject *kobj)
{
	return container_of(kobj, struct scst_device, dev_kobj);
}

static struct vdisk_dev *kobj_vdev(struct kobject *kobj)
{
	return kobj_dev(kobj)->dh_priv;
}

static __printf(3, 4) ssize_t vdisk_emit(char *buf, bool key,
					 const char *fmt, ...)
{
	va_list args;
	int len;

	va_start(args, fmt);
	len = vscnprintf(buf, PAGE_SIZE, fmt, args);
	va_end(args);
	if (key)
		len += sysfs_emit_at(buf, len, "%s\n", SCST_SYSFS_KEY_MARK);
	return len;
}

/* Copy a written value without its trailing newline */
static int vdisk_get_val(const char *buf, size_t count, char *val)
{
	if (count >= VDISK_ATTR_MAX)
		return -EINVAL;
	memcpy(val, buf, count);
	val[count] = '\0';
	if (count && val[count - 1] == '\n')
		val[count - 1] = '\0';
	return 0;
}

static bool vdisk_key(struct vdisk_dev *vdev, enum vdisk_key key)
{
	return test_bit(key, vdev->keys);
}

/*
 * Read-only boolean creation parameters
 */
struct vdisk_bool_attr {
	struct kobj_attribute attr;
	size_t off;			/* in struct vdisk_dev */
	enum vdisk_key key;
};

static ssize_t vdisk_bool_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	struct vdisk_bool_attr *a = container_of(attr, struct vdisk_bool_attr,
						 attr);
	struct vdisk_dev *vdev = kobj_vdev(kobj);
	bool v = *(bool *)((char *)vdev + a->off);

	return vdisk_emit(buf, vdisk_key(vdev, a->key), "%d\n", v);
}

#define VDISK_BOOL_ATTR(_name, _field, _key)				\
static struct vdisk_bool_attr vdisk_attr_##_name = {			\
	.attr = __ATTR(_name, 0444, vdisk_bool_show, NULL),		\
	.off = offsetof(struct vdisk_dev, _field),			\
	.key = _key,							\
}

VDISK_BOOL_ATTR(read_only, read_only, VDISK_KEY_READ_ONLY);
VDISK_BOOL_ATTR(write_through, wt_param, VDISK_KEY_WRITE_THROUGH);
VDISK_BOOL_ATTR(nv_cache, nv_cache, VDISK_KEY_NV_CACHE);
VDISK_BOOL_ATTR(o_direct, o_direct, VDISK_KEY_O_DIRECT);
VDISK_BOOL_ATTR(async, async, VDISK_KEY_ASYNC);
VDISK_BOOL_ATTR(thin_provisioned, pg.thin_provisioned, VDISK_KEY_THIN);
VDISK_BOOL_ATTR(rotational, pg.rotational, VDISK_KEY_ROTATIONAL);
VDISK_BOOL_ATTR(removable, pg.removable, VDISK_KEY_REMOVABLE);

/*
 * Other read-only values
 */
static ssize_t blocksize_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);

	return vdisk_emit(buf, vdisk_key(vdev, VDISK_KEY_BLOCKSIZE), "%u\n",
			  1U << vdev->block_shift);
}

static ssize_t tst_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);

	return vdisk_emit(buf, vdisk_key(vdev, VDISK_KEY_TST), "%u\n",
			  vdev->tst);
}

static ssize_t filename_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);

	/* Mandatory creation parameter: always saved */
	return vdisk_emit(buf, true, "%s\n", vdev->filename);
}

static ssize_t dummy_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "0\n");
}

static ssize_t size_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);

	return vdisk_emit(buf, vdisk_key(vdev, VDISK_KEY_SIZE), "%lld\n",
			  READ_ONCE(vdev->size));
}

static ssize_t size_mb_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);

	return vdisk_emit(buf, vdisk_key(vdev, VDISK_KEY_SIZE), "%lld\n",
			  READ_ONCE(vdev->size) >> 20);
}

/* Work: new capacity in bytes */
static int vdisk_size_work(struct scst_device *dev, u64 size)
{
	struct vdisk_dev *vdev = dev->dh_priv;
	int ret;

	mutex_lock(&vdev->mutex);
	ret = vdisk_resize(vdev, size);
	if (!ret)
		set_bit(VDISK_KEY_SIZE, vdev->keys);
	mutex_unlock(&vdev->mutex);
	return ret;
}

/* nullio only: the capacity is whatever the administrator says */
static ssize_t vdisk_size_store(struct kobject *kobj, const char *buf,
				size_t count, unsigned int shift)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);
	char val[VDISK_ATTR_MAX];
	u64 v;

	if (vdisk_get_val(buf, count, val) || scst_parse_u64(val, &v) ||
	    v > (LLONG_MAX >> shift)) {
		pr_err("vdisk: %s: invalid size\n", vdev->name);
		return -EINVAL;
	}
	return scst_dev_sysfs_work(kobj_dev(kobj), vdisk_size_work, v << shift,
				   count);
}

static ssize_t size_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	return vdisk_size_store(kobj, buf, count, 0);
}

static ssize_t size_mb_store(struct kobject *kobj,
			     struct kobj_attribute *attr, const char *buf,
			     size_t count)
{
	return vdisk_size_store(kobj, buf, count, 20);
}

static struct kobj_attribute vdisk_attr_blocksize = __ATTR_RO(blocksize);
static struct kobj_attribute vdisk_attr_tst = __ATTR_RO(tst);
static struct kobj_attribute vdisk_attr_filename = __ATTR_RO(filename);
static struct kobj_attribute vdisk_attr_dummy = __ATTR_RO(dummy);
static struct kobj_attribute vdisk_attr_size_ro = __ATTR_RO(size);
static struct kobj_attribute vdisk_attr_size_mb_ro = __ATTR_RO(size_mb);
static struct kobj_attribute vdisk_attr_size_rw = __ATTR_RW(size);
static struct kobj_attribute vdisk_attr_size_mb_rw = __ATTR_RW(size_mb);

/*
 * Runtime controls
 */
static ssize_t active_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);

	return vdisk_emit(buf, vdisk_key(vdev, VDISK_KEY_ACTIVE), "%d\n",
			  READ_ONCE(vdev->active));
}

/* Work: opens or closes the backing store; closing waits for its I/O */
static int vdisk_active_work(struct scst_device *dev, u64 active)
{
	return vdisk_set_active(dev->dh_priv, active);
}

static ssize_t active_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);
	char val[VDISK_ATTR_MAX];
	bool v;

	if (vdisk_get_val(buf, count, val) || scst_parse_bool(val, &v)) {
		pr_err("vdisk: %s: invalid active value: 0 or 1 expected\n",
		       vdev->name);
		return -EINVAL;
	}
	return scst_dev_sysfs_work(kobj_dev(kobj), vdisk_active_work, v,
				   count);
}

/* Work: asks the backing store for its size */
static int vdisk_resync_size_work(struct scst_device *dev, u64 unused)
{
	struct vdisk_dev *vdev = dev->dh_priv;
	int ret;

	mutex_lock(&vdev->mutex);
	ret = vdisk_resync_size(vdev);
	mutex_unlock(&vdev->mutex);
	return ret;
}

static ssize_t resync_size_store(struct kobject *kobj,
				 struct kobj_attribute *attr,
				 const char *buf, size_t count)
{
	return scst_dev_sysfs_work(kobj_dev(kobj), vdisk_resync_size_work, 0,
				   count);
}

/* Work: writes back the whole backing store */
static int vdisk_sync_work(struct scst_device *dev, u64 unused)
{
	struct vdisk_dev *vdev = dev->dh_priv;
	int ret = -EBUSY;

	mutex_lock(&vdev->mutex);
	if (vdev->active)
		ret = vdev->vt->ops->flush_sync(vdev);
	else
		pr_err("vdisk: %s: not active\n", vdev->name);
	mutex_unlock(&vdev->mutex);
	return ret;
}

static ssize_t sync_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	return scst_dev_sysfs_work(kobj_dev(kobj), vdisk_sync_work, 0, count);
}

static ssize_t opt_trans_len_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);

	return vdisk_emit(buf, vdisk_key(vdev, VDISK_KEY_OPT_TRANS_LEN),
			  "%u\n", READ_ONCE(vdev->opt_trans_len));
}

static ssize_t opt_trans_len_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);
	char val[VDISK_ATTR_MAX];
	u32 v;

	/* Whole blocks, and not beyond what we accept in one command */
	if (vdisk_get_val(buf, count, val) || scst_parse_u32(val, &v) ||
	    (v & ((1U << vdev->block_shift) - 1)) || v > VDISK_MAX_XFER_BYTES) {
		pr_err("vdisk: %s: invalid opt_trans_len: a multiple of the block size up to %u expected\n",
		       vdev->name, VDISK_MAX_XFER_BYTES);
		return -EINVAL;
	}
	mutex_lock(&vdev->mutex);
	WRITE_ONCE(vdev->opt_trans_len, v);
	spin_lock(&vdev->lock);
	vdev->pg.opt_xfer_blocks = v >> vdev->block_shift;
	spin_unlock(&vdev->lock);
	if (v != VDISK_DEF_OPT_TRANS_LEN)
		set_bit(VDISK_KEY_OPT_TRANS_LEN, vdev->keys);
	else
		clear_bit(VDISK_KEY_OPT_TRANS_LEN, vdev->keys);
	mutex_unlock(&vdev->mutex);
	return count;
}

/* Quick: the open or close it may cause runs in vdisk_alua_work() */
static ssize_t bind_alua_state_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);

	return vdisk_emit(buf, vdisk_key(vdev, VDISK_KEY_BIND_ALUA), "%d\n",
			  READ_ONCE(vdev->bind_alua_state));
}

static ssize_t bind_alua_state_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);
	char val[VDISK_ATTR_MAX];
	bool v;

	if (vdisk_get_val(buf, count, val) || scst_parse_bool(val, &v)) {
		pr_err("vdisk: %s: invalid bind_alua_state value: 0 or 1 expected\n",
		       vdev->name);
		return -EINVAL;
	}
	vdisk_set_bind_alua(vdev, v);
	return count;
}

static struct kobj_attribute vdisk_attr_active = __ATTR_RW(active);
static struct kobj_attribute vdisk_attr_bind_alua_state =
	__ATTR_RW(bind_alua_state);
static struct kobj_attribute vdisk_attr_resync_size = __ATTR_WO(resync_size);
static struct kobj_attribute vdisk_attr_sync = __ATTR_WO(sync);
static struct kobj_attribute vdisk_attr_opt_trans_len =
	__ATTR_RW(opt_trans_len);

/*
 * Identification strings (INQUIRY and VPD data)
 */
struct vdisk_id_attr {
	struct kobj_attribute attr;
	size_t off;			/* char array in struct vdisk_pg_dev */
	size_t size;			/* its size */
	bool allow_space;
	enum vdisk_key key;
};

static ssize_t vdisk_id_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	struct vdisk_id_attr *a = container_of(attr, struct vdisk_id_attr,
					       attr);
	struct vdisk_dev *vdev = kobj_vdev(kobj);
	char val[VDISK_ATTR_MAX];

	spin_lock(&vdev->lock);
	strscpy(val, (char *)&vdev->pg + a->off, sizeof(val));
	spin_unlock(&vdev->lock);
	return vdisk_emit(buf, vdisk_key(vdev, a->key), "%s\n", val);
}

/* The INQUIRY data changed: every I_T nexus must learn it (SPC-4 6.6) */
static void vdisk_inquiry_changed(struct vdisk_dev *vdev)
{
	if (vdev->dev)
		scst_dev_queue_ua(vdev->dev, NULL,
				  SCST_LOAD_SENSE(scst_sense_inquiry_data_changed));
}

static ssize_t vdisk_id_store(struct kobject *kobj,
			      struct kobj_attribute *attr, const char *buf,
			      size_t count)
{
	struct vdisk_id_attr *a = container_of(attr, struct vdisk_id_attr,
					       attr);
	struct vdisk_dev *vdev = kobj_vdev(kobj);
	char val[VDISK_ATTR_MAX];
	struct vdisk_pg_dev *tmp;

	if (vdisk_get_val(buf, count, val) ||
	    !vdisk_valid_id_string(val, a->size - 1, a->allow_space)) {
		pr_err("vdisk: %s: invalid %s: at most %zu printable characters%s\n",
		       vdev->name, attr->attr.name, a->size - 1,
		       a->allow_space ? "" : " without spaces");
		return -EINVAL;
	}
	/* An empty value restores the default */
	tmp = kzalloc(sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	if (*val)
		strscpy((char *)tmp + a->off, val, a->size);
	else
		vdisk_default_id(vdev, a->key, tmp, scst_get_setup_id());

	mutex_lock(&vdev->mutex);
	spin_lock(&vdev->lock);
	memcpy((char *)&vdev->pg + a->off, (char *)tmp + a->off, a->size);
	spin_unlock(&vdev->lock);
	if (*val)
		set_bit(a->key, vdev->keys);
	else
		clear_bit(a->key, vdev->keys);
	mutex_unlock(&vdev->mutex);
	kfree(tmp);
	vdisk_inquiry_changed(vdev);
	return count;
}

#define VDISK_ID_ATTR(_name, _field, _space, _key)			\
static struct vdisk_id_attr vdisk_attr_##_name = {			\
	.attr = __ATTR(_name, 0644, vdisk_id_show, vdisk_id_store),	\
	.off = offsetof(struct vdisk_pg_dev, _field),			\
	.size = sizeof_field(struct vdisk_pg_dev, _field),		\
	.allow_space = _space,						\
	.key = _key,							\
}

VDISK_ID_ATTR(t10_vend_id, vend_id, true, VDISK_KEY_T10_VEND_ID);
VDISK_ID_ATTR(prod_id, prod_id, true, VDISK_KEY_PROD_ID);
VDISK_ID_ATTR(prod_rev_lvl, prod_rev, true, VDISK_KEY_PROD_REV);
VDISK_ID_ATTR(t10_dev_id, t10_dev_id, false, VDISK_KEY_T10_DEV_ID);
VDISK_ID_ATTR(usn, usn, false, VDISK_KEY_USN);
VDISK_ID_ATTR(vend_specific_id, vend_spec_id, true, VDISK_KEY_VEND_SPEC_ID);
/* Empty by default: no SCSI name string designator, zero bytes 36..55 */
VDISK_ID_ATTR(scsi_device_name, scsi_dev_name, false, VDISK_KEY_SCSI_NAME);
VDISK_ID_ATTR(inq_vend_specific, inq_vend_spec, true,
	      VDISK_KEY_INQ_VEND_SPEC);

/*
 * Binary designators (naa_id, eui64_id): replace the bytes, mark the key
 * when the value was written explicitly, tell the initiators.
 */
static void vdisk_set_id_bytes(struct vdisk_dev *vdev, int key, u8 *dst,
			       u8 *dst_len, size_t size, const u8 *src,
			       u8 len, bool explicit)
{
	mutex_lock(&vdev->mutex);
	spin_lock(&vdev->lock);
	memcpy(dst, src, size);
	*dst_len = len;
	spin_unlock(&vdev->lock);
	if (explicit)
		set_bit(key, vdev->keys);
	else
		clear_bit(key, vdev->keys);
	mutex_unlock(&vdev->mutex);
	vdisk_inquiry_changed(vdev);
}

static ssize_t naa_id_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);
	u8 naa[VDISK_NAA_MAX_LEN];
	u8 len;

	spin_lock(&vdev->lock);
	len = vdev->pg.naa_id_len;
	memcpy(naa, vdev->pg.naa_id, len);
	spin_unlock(&vdev->lock);
	return vdisk_emit(buf, vdisk_key(vdev, VDISK_KEY_NAA_ID), "%*phN\n",
			  len, naa);
}

static ssize_t naa_id_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);
	struct vdisk_pg_dev *tmp;
	char val[VDISK_ATTR_MAX];
	int ret;

	ret = vdisk_get_val(buf, count, val);
	tmp = kzalloc(sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	if (!ret && *val)
		ret = vdisk_parse_naa_id(val, tmp->naa_id, &tmp->naa_id_len);
	else if (!ret)
		vdisk_default_id(vdev, VDISK_KEY_NAA_ID, tmp,
				 scst_get_setup_id());
	if (ret) {
		pr_err("vdisk: %s: invalid naa_id: 16 or 32 hex digits of NAA 2, 3, 5 or 6 expected\n",
		       vdev->name);
		kfree(tmp);
		return -EINVAL;
	}
	vdisk_set_id_bytes(vdev, VDISK_KEY_NAA_ID, vdev->pg.naa_id,
			   &vdev->pg.naa_id_len, sizeof(tmp->naa_id),
			   tmp->naa_id, tmp->naa_id_len, *val);
	kfree(tmp);
	return count;
}

static struct kobj_attribute vdisk_attr_naa_id = __ATTR_RW(naa_id);

/* EUI-64 designator; empty (the default): none reported */
static ssize_t eui64_id_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);
	u8 eui[VDISK_EUI64_MAX_LEN];
	u8 len;

	spin_lock(&vdev->lock);
	len = vdev->pg.eui64_id_len;
	memcpy(eui, vdev->pg.eui64_id, len);
	spin_unlock(&vdev->lock);
	if (!len)
		return sysfs_emit(buf, "\n");
	return vdisk_emit(buf, vdisk_key(vdev, VDISK_KEY_EUI64_ID), "%*phN\n",
			  len, eui);
}

static ssize_t eui64_id_store(struct kobject *kobj,
			      struct kobj_attribute *attr, const char *buf,
			      size_t count)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);
	u8 eui[VDISK_EUI64_MAX_LEN] = {};
	char val[VDISK_ATTR_MAX];
	u8 len = 0;
	int ret;

	ret = vdisk_get_val(buf, count, val);
	if (!ret && *val)
		ret = vdisk_parse_eui64_id(val, eui, &len);
	if (ret) {
		pr_err("vdisk: %s: invalid eui64_id: 16, 24 or 32 hex digits expected\n",
		       vdev->name);
		return -EINVAL;
	}
	vdisk_set_id_bytes(vdev, VDISK_KEY_EUI64_ID, vdev->pg.eui64_id,
			   &vdev->pg.eui64_id_len, sizeof(eui), eui, len, len);
	return count;
}

static struct kobj_attribute vdisk_attr_eui64_id = __ATTR_RW(eui64_id);

/*
 * LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT of READ CAPACITY(16) (and
 * the granularities of the block limits VPD page).  Without an explicit
 * value it is 0, or for blockio derived from the physical block size of
 * the bdev at activation (vdisk_blockio_open()).  A written value 0..15
 * is explicit ([key]) and sticks across re-activations; writing an empty
 * value returns to the default.
 */
static ssize_t lb_per_pb_exp_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);
	u8 v;

	spin_lock(&vdev->lock);
	v = vdev->pg.lb_per_pb_exp;
	spin_unlock(&vdev->lock);
	return vdisk_emit(buf, vdisk_key(vdev, VDISK_KEY_LB_PER_PB_EXP),
			  "%u\n", v);
}

static ssize_t lb_per_pb_exp_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);
	char val[VDISK_ATTR_MAX];
	bool changed;
	u32 v = 0;

	if (vdisk_get_val(buf, count, val) ||
	    (*val && (scst_parse_u32(val, &v) || v > 15))) {
		pr_err("vdisk: %s: invalid lb_per_pb_exp: 0 to 15 expected\n",
		       vdev->name);
		return -EINVAL;
	}
	mutex_lock(&vdev->mutex);
	if (*val) {
		set_bit(VDISK_KEY_LB_PER_PB_EXP, vdev->keys);
	} else {
		v = vdev->lb_per_pb_exp_dflt;
		clear_bit(VDISK_KEY_LB_PER_PB_EXP, vdev->keys);
	}
	spin_lock(&vdev->lock);
	changed = vdev->pg.lb_per_pb_exp != v;
	vdev->pg.lb_per_pb_exp = v;
	spin_unlock(&vdev->lock);
	mutex_unlock(&vdev->mutex);
	if (changed && vdev->dev)
		scst_capacity_data_changed(vdev->dev);
	return count;
}

static struct kobj_attribute vdisk_attr_lb_per_pb_exp =
	__ATTR_RW(lb_per_pb_exp);

/*
 * nullio read_zero.  Classic SCST leaves the read buffer untouched with
 * read_zero 0, but our buffers come from a pool shared by all sessions
 * and are not zeroed when reused: an untouched buffer could send another
 * initiator's data.  So nullio reads always return zeros
 * (vdisk_nullio_rw()) and read_zero is only kept, shown and saved for
 * compatibility; 1 is what happens either way.
 */
static ssize_t read_zero_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);

	return vdisk_emit(buf, vdisk_key(vdev, VDISK_KEY_READ_ZERO), "%d\n",
			  READ_ONCE(vdev->read_zero));
}

static ssize_t read_zero_store(struct kobject *kobj,
			       struct kobj_attribute *attr, const char *buf,
			       size_t count)
{
	struct vdisk_dev *vdev = kobj_vdev(kobj);
	char val[VDISK_ATTR_MAX];
	bool v;

	if (vdisk_get_val(buf, count, val) || scst_parse_bool(val, &v)) {
		pr_err("vdisk: %s: invalid read_zero value: 0 or 1 expected\n",
		       vdev->name);
		return -EINVAL;
	}
	mutex_lock(&vdev->mutex);
	WRITE_ONCE(vdev->read_zero, v);
	if (v)
		set_bit(VDISK_KEY_READ_ZERO, vdev->keys);
	else
		clear_bit(VDISK_KEY_READ_ZERO, vdev->keys);
	mutex_unlock(&vdev->mutex);
	return count;
}

static struct kobj_attribute vdisk_attr_read_zero = __ATTR_RW(read_zero);

const struct attribute *vdisk_fileio_attrs[] = {
	&vdisk_attr_blocksize.attr,
	&vdisk_attr_read_only.attr.attr,
	&vdisk_attr_write_through.attr.attr,
	&vdisk_attr_nv_cache.attr.attr,
	&vdisk_attr_o_direct.attr.attr,
	&vdisk_attr_async.attr.attr,
	&vdisk_attr_thin_provisioned.attr.attr,
	&vdisk_attr_rotational.attr.attr,
	&vdisk_attr_removable.attr.attr,
	&vdisk_attr_tst.attr,
	&vdisk_attr_size_ro.attr,
	&vdisk_attr_size_mb_ro.attr,
	&vdisk_attr_filename.attr,
	&vdisk_attr_active.attr,
	&vdisk_attr_bind_alua_state.attr,
	&vdisk_attr_resync_size.attr,
	&vdisk_attr_sync.attr,
	&vdisk_attr_opt_trans_len.attr,
	&vdisk_attr_t10_vend_id.attr.attr,
	&vdisk_attr_prod_id.attr.attr,
	&vdisk_attr_prod_rev_lvl.attr.attr,
	&vdisk_attr_t10_dev_id.attr.attr,
	&vdisk_attr_usn.attr.attr,
	&vdisk_attr_naa_id.attr,
	&vdisk_attr_vend_specific_id.attr.attr,
	&vdisk_attr_scsi_device_name.attr.attr,
	&vdisk_attr_eui64_id.attr,
	&vdisk_attr_inq_vend_specific.attr.attr,
	&vdisk_attr_lb_per_pb_exp.attr,
	NULL
};

const struct attribute *vdisk_blockio_attrs[] = {
	&vdisk_attr_blocksize.attr,
	&vdisk_attr_read_only.attr.attr,
	&vdisk_attr_write_through.attr.attr,
	&vdisk_attr_nv_cache.attr.attr,
	&vdisk_attr_thin_provisioned.attr.attr,
	&vdisk_attr_rotational.attr.attr,
	&vdisk_attr_removable.attr.attr,
	&vdisk_attr_tst.attr,
	&vdisk_attr_size_ro.attr,
	&vdisk_attr_size_mb_ro.attr,
	&vdisk_attr_filename.attr,
	&vdisk_attr_active.attr,
	&vdisk_attr_bind_alua_state.attr,
	&vdisk_attr_resync_size.attr,
	&vdisk_attr_sync.attr,
	&vdisk_attr_opt_trans_len.attr,
	&vdisk_attr_t10_vend_id.attr.attr,
	&vdisk_attr_prod_id.attr.attr,
	&vdisk_attr_prod_rev_lvl.attr.attr,
	&vdisk_attr_t10_dev_id.attr.attr,
	&vdisk_attr_usn.attr.attr,
	&vdisk_attr_naa_id.attr,
	&vdisk_attr_vend_specific_id.attr.attr,
	&vdisk_attr_scsi_device_name.attr.attr,
	&vdisk_attr_eui64_id.attr,
	&vdisk_attr_inq_vend_specific.attr.attr,
	&vdisk_attr_lb_per_pb_exp.attr,
	NULL
};

const struct attribute *vdisk_nullio_attrs[] = {
	&vdisk_attr_blocksize.attr,
	&vdisk_attr_read_only.attr.attr,
	&vdisk_attr_rotational.attr.attr,
	&vdisk_attr_removable.attr.attr,
	&vdisk_attr_tst.attr,
	&vdisk_attr_size_rw.attr,
	&vdisk_attr_size_mb_rw.attr,
	&vdisk_attr_dummy.attr,
	&vdisk_attr_opt_trans_len.attr,
	&vdisk_attr_t10_vend_id.attr.attr,
	&vdisk_attr_prod_id.attr.attr,
	&vdisk_attr_prod_rev_lvl.attr.attr,
	&vdisk_attr_t10_dev_id.attr.attr,
	&vdisk_attr_usn.attr.attr,
	&vdisk_attr_naa_id.attr,
	&vdisk_attr_vend_specific_id.attr.attr,
	&vdisk_attr_scsi_device_name.attr.attr,
	&vdisk_attr_eui64_id.attr,
	&vdisk_attr_inq_vend_specific.attr.attr,
	&vdisk_attr_lb_per_pb_exp.attr,
	&vdisk_attr_read_zero.attr,
	NULL
};

/* vcdrom: the medium is changed through filename (vcdrom.c) */
const struct attribute *vcdrom_attrs[] = {
	&vdisk_attr_blocksize.attr,
	&vdisk_attr_tst.attr,
	&vdisk_attr_size_ro.attr,
	&vdisk_attr_size_mb_ro.attr,
	&vcdrom_attr_filename.attr,
	&vdisk_attr_t10_vend_id.attr.attr,
	&vdisk_attr_prod_id.attr.attr,
	&vdisk_attr_prod_rev_lvl.attr.attr,
	&vdisk_attr_t10_dev_id.attr.attr,
	&vdisk_attr_usn.attr.attr,
	&vdisk_attr_naa_id.attr,
	&vdisk_attr_vend_specific_id.attr.attr,
	NULL
};
