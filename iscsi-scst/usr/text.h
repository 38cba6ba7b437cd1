/* SPDX-License-Identifier: GPL-2.0 */
/*
 * text.h - iSCSI text keys (RFC 7143 6.1): key=value pairs, value syntax
 * (numbers, booleans, lists, binary values) and an output text buffer.
 * Pure functions, no I/O.
 */
#ifndef ISCSID_TEXT_H
#define ISCSID_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KEY_NAME_MAX	63	/* RFC 7143 6.1 */
#define VALUE_MAX	255	/* simple values; binary CHAP values are longer */

struct kv {
	char *key;
	char *val;
};

/*
 * Split buf[0..len) into key=value pairs in place; buf[len] must be
 * writable (it is set to NUL, so a missing final NUL is tolerated).  Empty
 * strings between NULs are skipped.  Returns the number of pairs, -EINVAL
 * if a pair has no '=' or an empty key, -E2BIG if there are more than max.
 */
int text_parse(char *buf, size_t len, struct kv *kv, int max);

/* Decimal or 0x-hex unsigned number <= max; 0 or -EINVAL/-ERANGE */
int text_num(const char *s, uint64_t max, uint64_t *out);

/* "Yes" -> 1, "No" -> 0, anything else -1 */
int text_bool(const char *s);

/*
 * Iterate over a comma-separated list: returns the next item (not NUL
 * terminated, *len bytes) or NULL at the end.  Empty items are returned
 * as such (len 0) so that callers can reject them.
 */
const char *text_list_next(const char **pos, size_t *len);

/* item (len bytes) equals the NUL-terminated word */
bool text_item_is(const char *item, size_t len, const char *word);

/*
 * Binary value: "0x"/"0X" followed by hex digits (an odd count implies a
 * leading zero) or "0b"/"0B" followed by base64.  Returns the decoded
 * length, or -EINVAL if malformed or empty, -E2BIG if longer than max.
 */
ssize_t text_bin_decode(const char *s, uint8_t *out, size_t max);

/* "0x" + lowercase hex + NUL into out (2 * len + 3 bytes) */
void text_hex_encode(const uint8_t *in, size_t len, char *out);

/*
 * iSCSI name or alias sanity: 1..max-1 bytes of printable ASCII (no
 * control characters; spaces only if allow_space).
 */
bool text_name_ok(const char *s, size_t max, bool allow_space);

/* An output text: a sequence of key=value NUL-terminated pairs */
struct tbuf {
	char *buf;
	size_t len;
	size_t cap;
	size_t max;		/* hard limit on len */
	bool overflow;		/* an append failed (size limit or ENOMEM) */
};

void tbuf_init(struct tbuf *t, size_t max);
void tbuf_free(struct tbuf *t);
void tbuf_reset(struct tbuf *t);
/* Append "key=value\0"; on failure sets overflow and returns -ENOSPC */
int tbuf_add(struct tbuf *t, const char *key, const char *val);
int tbuf_addf(struct tbuf *t, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Append raw bytes */
int tbuf_put(struct tbuf *t, const void *data, size_t len);

/*
 * Length of the next chunk of at most max bytes of text[0..len) to send:
 * cut after a NUL when one exists in the window so that a pair is split
 * over two PDUs only when it is longer than a whole PDU.
 */
size_t text_chunk_len(const char *text, size_t len, size_t max);

#endif /* ISCSID_TEXT_H */
