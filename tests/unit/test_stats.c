// SPDX-License-Identifier: GPL-2.0
/* I/O statistics helpers: latency size classes and 4 KiB alignment. */

#include "../../scst/src/scst_stats_pure.h"
#include "unit.h"

TEST(lat_size_idx_bounds)
{
	CHECK_EQ_INT(scst_lat_size_idx(0), 0);
	CHECK_EQ_INT(scst_lat_size_idx(1), 0);
	CHECK_EQ_INT(scst_lat_size_idx(512), 0);
	CHECK_EQ_INT(scst_lat_size_idx(513), 1);
	CHECK_EQ_INT(scst_lat_size_idx(1024), 1);
	CHECK_EQ_INT(scst_lat_size_idx(4096), 3);
	CHECK_EQ_INT(scst_lat_size_idx(4097), 4);
	CHECK_EQ_INT(scst_lat_size_idx(65536), 7);
	CHECK_EQ_INT(scst_lat_size_idx(262145), 10);
	CHECK_EQ_INT(scst_lat_size_idx(524288), 10);
	/* larger transfers share the last class */
	CHECK_EQ_INT(scst_lat_size_idx(524289), 10);
	CHECK_EQ_INT(scst_lat_size_idx(1ULL << 40), 10);
}

TEST(lat_size_idx_every_class)
{
	unsigned int i;

	for (i = 0; i <= SCST_LAT_MAX_IDX; i++) {
		unsigned long long sz = 512ULL << i;

		CHECK_EQ_INT(scst_lat_size_idx(sz), i);
		if (i)
			CHECK_EQ_INT(scst_lat_size_idx(sz / 2 + 1), i);
	}
}

TEST(unaligned)
{
	/* 512-byte blocks */
	CHECK(!scst_stats_is_unaligned(0, 8, 9));
	CHECK(!scst_stats_is_unaligned(8, 16, 9));
	CHECK(scst_stats_is_unaligned(1, 1, 9));
	CHECK(scst_stats_is_unaligned(0, 1, 9));
	CHECK(scst_stats_is_unaligned(8, 9, 9));
	CHECK(scst_stats_is_unaligned(7, 8, 9));
	/* 4 KiB blocks are always aligned */
	CHECK(!scst_stats_is_unaligned(3, 1, 12));
	/* no LBA range: never counted */
	CHECK(!scst_stats_is_unaligned(1, 0, 9));
	/* large LBAs do not overflow into false alignment */
	CHECK(scst_stats_is_unaligned((1ULL << 50) + 1, 8, 9));
}
