/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure helpers of the I/O statistics (scst_stats.c), free of kernel
 * dependencies so that the host unit tests can include them.
 */
#ifndef __SCST_STATS_PURE_H
#define __SCST_STATS_PURE_H

/* Alignment that the *_unaligned_cmd_count counters check */
#define SCST_STATS_ALIGN	4096ULL
/* Smallest and largest latency size class: 512 and 524288 bytes */
#define SCST_LAT_MIN_SHIFT	9
#define SCST_LAT_MAX_IDX	10

/*
 * Size class of a transfer of len bytes: the smallest 512 << i that holds
 * it; transfers above 512 KiB are counted in the last class.
 */
static inline unsigned int scst_lat_size_idx(unsigned long long len)
{
	unsigned int i = 0;

	while (i < SCST_LAT_MAX_IDX &&
	       len > (1ULL << (SCST_LAT_MIN_SHIFT + i)))
		i++;
	return i;
}

/* Byte offset or length of an LBA range not a multiple of 4 KiB */
static inline int scst_stats_is_unaligned(unsigned long long lba,
					  unsigned int nr_blocks,
					  unsigned int block_shift)
{
	unsigned long long off = lba << block_shift;
	unsigned long long len = (unsigned long long)nr_blocks << block_shift;

	return nr_blocks && ((off | len) & (SCST_STATS_ALIGN - 1)) != 0;
}

#endif /* __SCST_STATS_PURE_H */
