// SPDX-License-Identifier: GPL-2.0
/* Management interface tokenizer, parameter and number parsing, names. */

#include "scst_pure.h"
#include "unit.h"

static char str[1024];

static char *set(const char *s)
{
	snprintf(str, sizeof(str), "%s", s);
	return str;
}

TEST(lexems_basic)
{
	char *pos = set("  add_device\tdisk1  filename=/dev/sdb  ");

	CHECK_STR(scst_next_lexem(&pos), "add_device");
	CHECK_STR(scst_next_lexem(&pos), "disk1");
	CHECK_STR(pos, " filename=/dev/sdb  ");
	CHECK_STR(scst_next_lexem(&pos), "filename");
	CHECK_STR(scst_next_lexem(&pos), "/dev/sdb");
	CHECK_STR(scst_next_lexem(&pos), "");
	CHECK_STR(scst_next_lexem(&pos), "");
	CHECK(*pos == '\0');
	CHECK(pos < str + sizeof(str));
}

TEST(lexems_separators)
{
	char *pos = set("a==b = c\n\nd\r\ve");

	CHECK_STR(scst_next_lexem(&pos), "a");
	CHECK_STR(scst_next_lexem(&pos), "b");
	CHECK_STR(scst_next_lexem(&pos), "c");
	CHECK_STR(scst_next_lexem(&pos), "d");
	CHECK_STR(scst_next_lexem(&pos), "e");
	CHECK_STR(scst_next_lexem(&pos), "");

	pos = set("");
	CHECK_STR(scst_next_lexem(&pos), "");
	pos = set(" = \t\n ");
	CHECK_STR(scst_next_lexem(&pos), "");

	/* ';' is not a lexeme separator, only a group separator */
	pos = set("x=1;y");
	CHECK_STR(scst_next_lexem(&pos), "x");
	CHECK_STR(scst_next_lexem(&pos), "1;y");
}

static const char *const disk_params[] = {
	"filename", "blocksize", "read_only", "nv_cache", NULL
};

TEST(params_basic)
{
	struct scst_param prm[8];
	const char *bad = NULL;

	set("filename=/dev/sdb\nblocksize=4096");
	CHECK_EQ_INT(scst_parse_params(str, disk_params, prm, 8, &bad), 2);
	CHECK_STR(prm[0].name, "filename");
	CHECK_STR(prm[0].value, "/dev/sdb");
	CHECK_EQ_INT(prm[0].idx, 0);
	CHECK_STR(prm[1].name, "blocksize");
	CHECK_STR(prm[1].value, "4096");
	CHECK_EQ_INT(prm[1].idx, 1);
	CHECK(!bad);
}

TEST(params_equivalent_syntaxes)
{
	static const char *const inputs[] = {
		"a=1; b=2", "a 1;b 2", "a = 1 ;\tb=2;", ";;a=1\n\nb 2\n",
		"  a  1 ;  b = 2  ",
	};
	static const char *const allowed[] = { "a", "b", NULL };
	struct scst_param prm[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(inputs); i++) {
		set(inputs[i]);
		CHECK_EQ_INT(scst_parse_params(str, allowed, prm, 4, NULL), 2);
		CHECK_STR(prm[0].name, "a");
		CHECK_STR(prm[0].value, "1");
		CHECK_EQ_INT(prm[0].idx, 0);
		CHECK_STR(prm[1].name, "b");
		CHECK_STR(prm[1].value, "2");
		CHECK_EQ_INT(prm[1].idx, 1);
	}
}

TEST(params_empty)
{
	struct scst_param prm[2];

	set("");
	CHECK_EQ_INT(scst_parse_params(str, disk_params, prm, 2, NULL), 0);
	set(" ;\n ; ");
	CHECK_EQ_INT(scst_parse_params(str, disk_params, prm, 2, NULL), 0);
	set("");
	CHECK_EQ_INT(scst_parse_params(str, disk_params, prm, 0, NULL), 0);
}

TEST(params_errors)
{
	struct scst_param prm[8];
	const char *bad;

	bad = NULL;
	set("filename=/x; zzz=1");
	CHECK_EQ_INT(scst_parse_params(str, disk_params, prm, 8, &bad),
		     -EINVAL);
	CHECK_STR(bad, "zzz");

	/* names are case sensitive */
	bad = NULL;
	set("FILENAME=/x");
	CHECK_EQ_INT(scst_parse_params(str, disk_params, prm, 8, &bad),
		     -EINVAL);
	CHECK_STR(bad, "FILENAME");

	bad = NULL;
	set("read_only=1; blocksize=512; read_only=0");
	CHECK_EQ_INT(scst_parse_params(str, disk_params, prm, 8, &bad),
		     -EINVAL);
	CHECK_STR(bad, "read_only");
	CHECK(bad > str + 10);

	bad = NULL;
	set("filename=; blocksize=512");
	CHECK_EQ_INT(scst_parse_params(str, disk_params, prm, 8, &bad),
		     -EINVAL);
	CHECK_STR(bad, "filename");

	bad = NULL;
	set("blocksize=512;nv_cache");
	CHECK_EQ_INT(scst_parse_params(str, disk_params, prm, 8, &bad),
		     -EINVAL);
	CHECK_STR(bad, "nv_cache");

	bad = NULL;
	set("blocksize=512 4096");
	CHECK_EQ_INT(scst_parse_params(str, disk_params, prm, 8, &bad),
		     -EINVAL);
	CHECK_STR(bad, "4096");

	bad = NULL;
	set("blocksize=512=4096");
	CHECK_EQ_INT(scst_parse_params(str, disk_params, prm, 8, &bad),
		     -EINVAL);
	CHECK_STR(bad, "4096");

	bad = NULL;
	set("filename=/x;blocksize=512;read_only=1");
	CHECK_EQ_INT(scst_parse_params(str, disk_params, prm, 2, &bad),
		     -E2BIG);
	CHECK_STR(bad, "read_only");

	/* bad may be NULL */
	set("zzz=1");
	CHECK_EQ_INT(scst_parse_params(str, disk_params, prm, 8, NULL),
		     -EINVAL);
}

TEST(params_any_name)
{
	struct scst_param prm[4];

	set("x=1; y=2");
	CHECK_EQ_INT(scst_parse_params(str, NULL, prm, 4, NULL), 2);
	CHECK_STR(prm[1].name, "y");
	CHECK_EQ_INT(prm[0].idx, -1);
	CHECK_EQ_INT(prm[1].idx, -1);
	set("x=1; x=2");
	CHECK_EQ_INT(scst_parse_params(str, NULL, prm, 4, NULL), -EINVAL);
}

TEST(parse_u64)
{
	u64 v;

	CHECK_EQ_INT(scst_parse_u64("0", &v), 0);
	CHECK_EQ_U64(v, 0);
	CHECK_EQ_INT(scst_parse_u64("4096", &v), 0);
	CHECK_EQ_U64(v, 4096);
	CHECK_EQ_INT(scst_parse_u64("010", &v), 0);
	CHECK_EQ_U64(v, 10);
	CHECK_EQ_INT(scst_parse_u64("18446744073709551615", &v), 0);
	CHECK_EQ_U64(v, 0xffffffffffffffffULL);
	CHECK_EQ_INT(scst_parse_u64("0x0", &v), 0);
	CHECK_EQ_U64(v, 0);
	CHECK_EQ_INT(scst_parse_u64("0X1F", &v), 0);
	CHECK_EQ_U64(v, 31);
	CHECK_EQ_INT(scst_parse_u64("0xAbCdEf", &v), 0);
	CHECK_EQ_U64(v, 0xabcdef);
	CHECK_EQ_INT(scst_parse_u64("0xffffffffffffffff", &v), 0);
	CHECK_EQ_U64(v, 0xffffffffffffffffULL);

	v = 77;
	CHECK_EQ_INT(scst_parse_u64("18446744073709551616", &v), -ERANGE);
	CHECK_EQ_INT(scst_parse_u64("99999999999999999999", &v), -ERANGE);
	CHECK_EQ_INT(scst_parse_u64("0x10000000000000000", &v), -ERANGE);
	CHECK_EQ_INT(scst_parse_u64("99999999999999999999x", &v), -EINVAL);
	CHECK_EQ_INT(scst_parse_u64("", &v), -EINVAL);
	CHECK_EQ_INT(scst_parse_u64(NULL, &v), -EINVAL);
	CHECK_EQ_INT(scst_parse_u64("0x", &v), -EINVAL);
	CHECK_EQ_INT(scst_parse_u64("x1", &v), -EINVAL);
	CHECK_EQ_INT(scst_parse_u64("12a", &v), -EINVAL);
	CHECK_EQ_INT(scst_parse_u64("ff", &v), -EINVAL);
	CHECK_EQ_INT(scst_parse_u64("0xfg", &v), -EINVAL);
	CHECK_EQ_INT(scst_parse_u64(" 12", &v), -EINVAL);
	CHECK_EQ_INT(scst_parse_u64("12 ", &v), -EINVAL);
	CHECK_EQ_INT(scst_parse_u64("12\n", &v), -EINVAL);
	CHECK_EQ_INT(scst_parse_u64("-1", &v), -EINVAL);
	CHECK_EQ_INT(scst_parse_u64("+1", &v), -EINVAL);
	CHECK_EQ_INT(scst_parse_u64("1e3", &v), -EINVAL);
	CHECK_EQ_INT(scst_parse_u64("1.0", &v), -EINVAL);
	CHECK_EQ_U64(v, 77);
}

TEST(parse_u32)
{
	u32 v;

	CHECK_EQ_INT(scst_parse_u32("4294967295", &v), 0);
	CHECK_EQ_U64(v, 0xffffffffU);
	CHECK_EQ_INT(scst_parse_u32("0x200", &v), 0);
	CHECK_EQ_U64(v, 512);
	v = 5;
	CHECK_EQ_INT(scst_parse_u32("4294967296", &v), -ERANGE);
	CHECK_EQ_INT(scst_parse_u32("0x100000000", &v), -ERANGE);
	CHECK_EQ_INT(scst_parse_u32("abc", &v), -EINVAL);
	CHECK_EQ_INT(scst_parse_u32("", &v), -EINVAL);
	CHECK_EQ_U64(v, 5);
}

TEST(parse_bool)
{
	bool b = false;

	CHECK_EQ_INT(scst_parse_bool("1", &b), 0);
	CHECK(b);
	CHECK_EQ_INT(scst_parse_bool("0", &b), 0);
	CHECK(!b);
	b = true;
	CHECK_EQ_INT(scst_parse_bool("2", &b), -EINVAL);
	CHECK_EQ_INT(scst_parse_bool("01", &b), -EINVAL);
	CHECK_EQ_INT(scst_parse_bool("10", &b), -EINVAL);
	CHECK_EQ_INT(scst_parse_bool("true", &b), -EINVAL);
	CHECK_EQ_INT(scst_parse_bool("y", &b), -EINVAL);
	CHECK_EQ_INT(scst_parse_bool("", &b), -EINVAL);
	CHECK_EQ_INT(scst_parse_bool("1 ", &b), -EINVAL);
	CHECK_EQ_INT(scst_parse_bool(NULL, &b), -EINVAL);
	CHECK(b);
}

TEST(names)
{
	char name[SCST_MAX_NAME_LEN + 2];

	CHECK(scst_is_valid_name("disk1"));
	CHECK(scst_is_valid_name("iqn.2001-04.com.example:storage.disk2"));
	CHECK(scst_is_valid_name("21:00:00:24:ff:31:4c:48"));
	CHECK(scst_is_valid_name("..."));
	CHECK(scst_is_valid_name(".hidden"));
	CHECK(scst_is_valid_name("a"));

	CHECK(!scst_is_valid_name(NULL));
	CHECK(!scst_is_valid_name(""));
	CHECK(!scst_is_valid_name("."));
	CHECK(!scst_is_valid_name(".."));
	CHECK(!scst_is_valid_name("a/b"));
	CHECK(!scst_is_valid_name("/"));
	CHECK(!scst_is_valid_name("a b"));
	CHECK(!scst_is_valid_name("a\tb"));
	CHECK(!scst_is_valid_name("ab\n"));
	CHECK(!scst_is_valid_name("a\x7f"));
	CHECK(!scst_is_valid_name("\x01"));
	CHECK(!scst_is_valid_name("caf\xc3\xa9"));

	memset(name, 'n', sizeof(name));
	name[SCST_MAX_NAME_LEN] = '\0';
	CHECK(scst_is_valid_name(name));
	name[SCST_MAX_NAME_LEN] = 'n';
	name[SCST_MAX_NAME_LEN + 1] = '\0';
	CHECK(!scst_is_valid_name(name));
}
