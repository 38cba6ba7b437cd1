// SPDX-License-Identifier: GPL-2.0
/*
 * text.c - iSCSI text key syntax (RFC 7143 6.1, 6.2).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "text.h"

int text_parse(char *buf, size_t len, struct kv *kv, int max)
{
	char *p = buf, *end = buf + len, *eq;
	int n = 0;

	buf[len] = '\0';
	while (p < end) {
		size_t l = strlen(p);

		if (!l) {
			p++;
			continue;
		}
		eq = strchr(p, '=');
		if (!eq || eq == p)
			return -EINVAL;
		if (n >= max)
			return -E2BIG;
		*eq = '\0';
		kv[n].key = p;
		kv[n].val = eq + 1;
		n++;
		p += l + 1;
	}
	return n;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int text_num(const char *s, uint64_t max, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		d = hexval((unsigned char)*s);
		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int text_bool(const char *s)
{
	if (!strcmp(s, "Yes"))
		return 1;
	if (!strcmp(s, "No"))
		return 0;
	return -1;
}

const char *text_list_next(const char **pos, size_t *len)
{
	const char *p = *pos, *comma;

	if (!p)
		return NULL;
	comma = strchr(p, ',');
	if (comma) {
		*len = comma - p;
		*pos = comma + 1;
	} else {
		*len = strlen(p);
		*pos = NULL;
	}
	return p;
}

bool text_item_is(const char *item, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(item, word, len);
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static ssize_t hex_decode(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s), i, o = 0;
	int hi, lo;

	if (!n)
		return -EINVAL;
	if ((n + 1) / 2 > max)
		return -E2BIG;
	i = 0;
	if (n & 1) {
		lo = hexval((unsigned char)s[0]);
		if (lo < 0)
			return -EINVAL;
		out[o++] = lo;
		i = 1;
	}
	for (; i < n; i += 2) {
		hi = hexval((unsigned char)s[i]);
		lo = hexval((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[o++] = hi << 4 | lo;
	}
	return o;
}

static ssize_t b64_decode(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s), i, o = 0, pad = 0;
	uint32_t acc = 0;
	int v, bits = 0;

	while (n && s[n - 1] == '=' && pad < 2) {
		n--;
		pad++;
	}
	if (!n || (pad && (n + pad) % 4) || n % 4 == 1)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		v = b64val((unsigned char)s[i]);
		if (v < 0)
			return -EINVAL;
		acc = (acc << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= max)
				return -E2BIG;
			out[o++] = acc >> bits;
			acc &= (1U << bits) - 1;
		}
	}
	/* leftover bits must be zero in a canonical encoding */
	if (acc)
		return -EINVAL;
	return o;
}

ssize_t text_bin_decode(const char *s, uint8_t *out, size_t max)
{
	if (s[0] != '0')
		return -EINVAL;
	if (s[1] == 'x' || s[1] == 'X')
		return hex_decode(s + 2, out, max);
	if (s[1] == 'b' || s[1] == 'B')
		return b64_decode(s + 2, out, max);
	return -EINVAL;
}

void text_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	*out++ = '0';
	*out++ = 'x';
	for (i = 0; i < len; i++) {
		*out++ = digits[in[i] >> 4];
		*out++ = digits[in[i] & 15];
	}
	*out = '\0';
}

bool text_name_ok(const char *s, size_t max, bool allow_space)
{
	size_t n = 0;

	for (; *s; s++, n++) {
		unsigned char c = *s;

		if (c < 0x20 || c >= 0x7f || (c == ' ' && !allow_space))
			return false;
	}
	return n > 0 && n < max;
}

void tbuf_init(struct tbuf *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
}

void tbuf_free(struct tbuf *t)
{
	free(t->buf);
	tbuf_init(t, t->max);
}

void tbuf_reset(struct tbuf *t)
{
	t->len = 0;
	t->overflow = false;
}

int tbuf_put(struct tbuf *t, const void *data, size_t len)
{
	if (t->overflow || len > t->max - t->len) {
		t->overflow = true;
		return -ENOSPC;
	}
	if (!len)	/* t->buf may still be NULL: memcpy() must not see it */
		return 0;
	if (t->len + len > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		char *nb;

		while (cap < t->len + len)
			cap *= 2;
		if (cap > t->max)
			cap = t->max;
		nb = realloc(t->buf, cap);
		if (!nb) {
			t->overflow = true;
			return -ENOSPC;
		}
		t->buf = nb;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, data, len);
	t->len += len;
	return 0;
}

int tbuf_add(struct tbuf *t, const char *key, const char *val)
{
	size_t kl = strlen(key), vl = strlen(val);
	size_t save = t->len;

	if (tbuf_put(t, key, kl) || tbuf_put(t, "=", 1) ||
	    tbuf_put(t, val, vl + 1)) {
		t->len = save;
		t->overflow = true;
		return -ENOSPC;
	}
	return 0;
}

int tbuf_addf(struct tbuf *t, const char *key, const char *fmt, ...)
{
	char val[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(val)) {
		t->overflow = true;
		return -ENOSPC;
	}
	return tbuf_add(t, key, val);
}

size_t text_chunk_len(const char *text, size_t len, size_t max)
{
	size_t i;

	if (len <= max)
		return len;
	for (i = max; i > 0; i--)
		if (text[i - 1] == '\0')
			return i;
	return max;
}
