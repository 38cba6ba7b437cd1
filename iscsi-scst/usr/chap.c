// SPDX-License-Identifier: GPL-2.0
/*
 * chap.c - CHAP computations for iSCSI login.
 */
#include <errno.h>
#include <string.h>
#include "chap.h"
#include "text.h"

/* Ours, strongest first */
static const int chap_pref[] = {
	CHAP_A_SHA3_256, CHAP_A_SHA256, CHAP_A_SHA1, CHAP_A_MD5,
};

int chap_select_alg(const char *list)
{
	const char *pos = list, *item;
	unsigned int offered = 0;
	char num[24];
	size_t len, i;
	uint64_t v;

	while ((item = text_list_next(&pos, &len))) {
		if (!len || len >= sizeof(num))
			return -EINVAL;
		memcpy(num, item, len);
		num[len] = '\0';
		/* unknown numbers are fine, only garbage is not */
		if (text_num(num, UINT32_MAX, &v))
			return -EINVAL;
		if (v < 32)
			offered |= 1U << v;
	}
	for (i = 0; i < sizeof(chap_pref) / sizeof(chap_pref[0]); i++)
		if (offered & (1U << chap_pref[i]))
			return chap_pref[i];
	return -ENOENT;
}

size_t chap_challenge_len(int alg)
{
	const struct hash_alg *h = hash_by_chap_a(alg);

	/* as long as the digest, never shorter than 16 bytes */
	if (!h || h->len < CHAP_MIN_CHALLENGE)
		return CHAP_MIN_CHALLENGE;
	return h->len;
}

int chap_response(int alg, uint8_t id, const char *secret,
		  const uint8_t *chal, size_t chal_len, uint8_t *out)
{
	const struct hash_alg *h = hash_by_chap_a(alg);
	union hash_ctx ctx;

	if (!h)
		return -EINVAL;
	h->init(&ctx);
	h->update(&ctx, &id, 1);
	h->update(&ctx, secret, strlen(secret));
	h->update(&ctx, chal, chal_len);
	h->final(&ctx, out);
	return h->len;
}

bool chap_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
	volatile uint8_t diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= a[i] ^ b[i];
	return !diff;
}
