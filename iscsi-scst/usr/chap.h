/* SPDX-License-Identifier: GPL-2.0 */
/*
 * chap.h - CHAP (RFC 1994) as used by iSCSI (RFC 7143 12.1.3).  Pure.
 */
#ifndef ISCSID_CHAP_H
#define ISCSID_CHAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hash.h"

#define CHAP_CHALLENGE_MAX	1024	/* longest challenge we accept */
#define CHAP_MIN_CHALLENGE	16	/* what we send, at least */

/*
 * Pick the strongest algorithm we implement from a CHAP_A list
 * ("7,6,5").  Returns the CHAP_A value, -ENOENT if the list holds none of
 * ours, -EINVAL if it is malformed.
 */
int chap_select_alg(const char *list);

/* Length of the challenge we send with algorithm alg */
size_t chap_challenge_len(int alg);

/*
 * response = H(id || secret || challenge).  Returns the digest length or
 * -EINVAL for an unknown algorithm.
 */
int chap_response(int alg, uint8_t id, const char *secret,
		  const uint8_t *chal, size_t chal_len, uint8_t *out);

/* Constant-time comparison of two equally long byte strings */
bool chap_equal(const uint8_t *a, const uint8_t *b, size_t len);

#endif /* ISCSID_CHAP_H */
