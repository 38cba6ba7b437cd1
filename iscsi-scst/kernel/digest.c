// SPDX-License-Identifier: GPL-2.0
/*
 * digest.c - CRC32C header and data digests (RFC 7143 12.1) and the
 * scatterlist walking they share with the receive and transmit paths.
 *
 * A digest is crc32c() started with ~0 over the covered bytes (for data:
 * the data segment plus its padding), inverted, and sent least significant
 * byte first.  The kernel's crc32c() uses the CPU's CRC32 instruction when
 * available.  Command buffers are walked page by page with
 * kmap_local_page(), so the digest is computed over the very pages that are
 * received into or sent from, without a bounce copy.
 */

#include <linux/crc32c.h>
#include <linux/highmem.h>
#include <asm/unaligned.h>

#include "iscsi_dp.h"

u32 iscsi_crc_buf(u32 crc, const void *buf, u32 len)
{
	return crc32c(crc, buf, len);
}

/* off may exceed PAGE_SIZE: pages of a compound chunk are contiguous */
static u32 iscsi_crc_page(u32 crc, struct page *page, u32 off, u32 len)
{
	while (len) {
		struct page *p = nth_page(page, off >> PAGE_SHIFT);
		u32 poff = off & ~PAGE_MASK;
		u32 n = min_t(u32, len, PAGE_SIZE - poff);
		void *addr = kmap_local_page(p);

		crc = crc32c(crc, addr + poff, n);
		kunmap_local(addr);
		off += n;
		len -= n;
	}
	return crc;
}

void iscsi_sg_pos_init(struct iscsi_sg_pos *pos, struct scatterlist *sg)
{
	pos->head = sg;
	pos->sg = sg;
	pos->start = 0;
}

/*
 * The entry holding buffer offset off, or NULL past the end.  Walks on
 * from the cached position when possible: receive and transmit move
 * forward through a buffer, so a whole transfer costs one pass.
 */
struct scatterlist *iscsi_sg_seek(struct iscsi_sg_pos *pos, u32 off)
{
	struct scatterlist *sg = pos->sg;
	u32 start = pos->start;

	if (!sg || off < start) {
		sg = pos->head;
		start = 0;
	}
	while (sg && off - start >= sg->length) {
		start += sg->length;
		sg = sg_next(sg);
	}
	if (sg) {
		pos->sg = sg;
		pos->start = start;
	}
	return sg;
}

u32 iscsi_crc_sg(u32 crc, struct iscsi_sg_pos *pos, u32 off, u32 len)
{
	while (len) {
		struct scatterlist *sg = iscsi_sg_seek(pos, off);
		u32 in, n;

		if (!sg)
			break;
		in = off - pos->start;
		n = min(len, sg->length - in);
		crc = iscsi_crc_page(crc, sg_page(sg), sg->offset + in, n);
		off += n;
		len -= n;
	}
	return crc;
}

u32 iscsi_crc_bvec(u32 crc, const struct bio_vec *bv, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		crc = iscsi_crc_page(crc, bv[i].bv_page, bv[i].bv_offset,
				     bv[i].bv_len);
	return crc;
}

/* The zero padding after a data segment of len bytes */
u32 iscsi_crc_pad(u32 crc, u32 len)
{
	static const u8 zero[ISCSI_PAD_LEN];
	u32 pad = iscsi_pad_len(len);

	return pad ? crc32c(crc, zero, pad) : crc;
}

void iscsi_put_digest(u8 *p, u32 crc)
{
	put_unaligned_le32(~crc, p);
}

bool iscsi_digest_ok(const u8 *p, u32 crc)
{
	return get_unaligned_le32(p) == ~crc;
}
