// SPDX-License-Identifier: GPL-2.0
/*
 * Tokenizer and value parsing of the SCST management interface grammar:
 * lexemes are separated by white space and '=', parameter groups by ';' or
 * new line, e.g. "filename=/dev/sdb; blocksize=4096".
 */

#include "scst_pure.h"

static bool scst_is_lexem_sep(char c)
{
	return c == '=' || isspace((unsigned char)c);
}

char *scst_next_lexem(char **pos)
{
	char *p = *pos, *start;

	while (*p && scst_is_lexem_sep(*p))
		p++;
	start = p;
	while (*p && !scst_is_lexem_sep(*p))
		p++;
	if (*p)
		*p++ = '\0';
	*pos = p;
	return start;
}
EXPORT_SYMBOL_GPL(scst_next_lexem);

static int scst_param_fail(const char **bad, const char *lexem, int err)
{
	if (bad)
		*bad = lexem;
	return err;
}

int scst_parse_params(char *str, const char *const *allowed,
		      struct scst_param *params, unsigned int max,
		      const char **bad)
{
	unsigned int n = 0, i;
	char *group = str;

	while (group) {
		char *end = strpbrk(group, ";\n");
		char *pos = group, *name, *value, *extra;
		int idx = -1;

		if (end)
			*end++ = '\0';
		group = end;

		name = scst_next_lexem(&pos);
		if (!*name)
			continue;
		value = scst_next_lexem(&pos);
		if (!*value)
			return scst_param_fail(bad, name, -EINVAL);
		extra = scst_next_lexem(&pos);
		if (*extra)
			return scst_param_fail(bad, extra, -EINVAL);

		if (allowed) {
			for (i = 0; allowed[i]; i++)
				if (!strcmp(allowed[i], name))
					break;
			if (!allowed[i])
				return scst_param_fail(bad, name, -EINVAL);
			idx = i;
		}
		for (i = 0; i < n; i++)
			if (!strcmp(params[i].name, name))
				return scst_param_fail(bad, name, -EINVAL);
		if (n >= max)
			return scst_param_fail(bad, name, -E2BIG);

		params[n].name = name;
		params[n].value = value;
		params[n].idx = idx;
		n++;
	}
	return n;
}
EXPORT_SYMBOL_GPL(scst_parse_params);

int scst_parse_u64(const char *s, u64 *val)
{
	unsigned int base = 10;
	bool overflow = false;
	u64 v = 0;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -EINVAL;
	}
	for (; *s; s++) {
		int d = hex_to_bin(*s);

		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		if (v > (U64_MAX - d) / base)
			overflow = true;
		v = v * base + d;
	}
	if (overflow)
		return -ERANGE;
	*val = v;
	return 0;
}
EXPORT_SYMBOL_GPL(scst_parse_u64);

int scst_parse_u32(const char *s, u32 *val)
{
	u64 v;
	int res;

	res = scst_parse_u64(s, &v);
	if (res)
		return res;
	if (v > U32_MAX)
		return -ERANGE;
	*val = v;
	return 0;
}
EXPORT_SYMBOL_GPL(scst_parse_u32);

int scst_parse_bool(const char *s, bool *val)
{
	if (!s || (s[0] != '0' && s[0] != '1') || s[1])
		return -EINVAL;
	*val = s[0] == '1';
	return 0;
}
EXPORT_SYMBOL_GPL(scst_parse_bool);

bool scst_is_valid_name(const char *name)
{
	size_t len, i;

	if (!name)
		return false;
	len = strnlen(name, SCST_MAX_NAME_LEN + 1);
	if (len == 0 || len > SCST_MAX_NAME_LEN)
		return false;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = name[i];

		if (c <= ' ' || c >= 0x7f || c == '/')
			return false;
	}
	return true;
}
EXPORT_SYMBOL_GPL(scst_is_valid_name);
