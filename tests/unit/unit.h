/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal host unit test harness.
 *
 *	TEST(name) { CHECK(x); CHECK_EQ_INT(a, b); CHECK_MEM(p, q, n); }
 *
 * Tests register themselves; main() runs them all (or those whose name
 * contains argv[1]), prints each failed check and a summary line
 * "<program>: N passed, M failed" and exits with 1 if any check failed.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_MAX_TESTS	512

struct unit_test {
	const char *name;
	void (*fn)(void);
};

static struct unit_test unit_tests[UNIT_MAX_TESTS];
static int unit_ntests;
static int unit_cur_failed;
static long unit_nchecks;

static inline void unit_register(const char *name, void (*fn)(void))
{
	if (unit_ntests >= UNIT_MAX_TESTS) {
		fprintf(stderr, "too many tests\n");
		exit(2);
	}
	unit_tests[unit_ntests].name = name;
	unit_tests[unit_ntests].fn = fn;
	unit_ntests++;
}

#define TEST(fn)							\
	static void fn(void);						\
	__attribute__((constructor)) static void fn##_register(void)	\
	{								\
		unit_register(#fn, fn);					\
	}								\
	static void fn(void)

static inline void unit_fail_hdr(const char *file, int line)
{
	unit_cur_failed++;
	fprintf(stderr, "%s:%d: FAILED: ", file, line);
}

#define CHECK(expr)							\
	do {								\
		unit_nchecks++;						\
		if (!(expr)) {						\
			unit_fail_hdr(__FILE__, __LINE__);		\
			fprintf(stderr, "CHECK(%s)\n", #expr);		\
		}							\
	} while (0)

#define CHECK_EQ_INT(a, b)						\
	do {								\
		long long __ua = (long long)(a);			\
		long long __ub = (long long)(b);			\
		unit_nchecks++;						\
		if (__ua != __ub) {					\
			unit_fail_hdr(__FILE__, __LINE__);		\
			fprintf(stderr, "%s == %s: %lld (0x%llx) != %lld (0x%llx)\n", \
				#a, #b, __ua, (unsigned long long)__ua,	\
				__ub, (unsigned long long)__ub);	\
		}							\
	} while (0)

#define CHECK_EQ_U64(a, b)						\
	do {								\
		unsigned long long __ua = (a);				\
		unsigned long long __ub = (b);				\
		unit_nchecks++;						\
		if (__ua != __ub) {					\
			unit_fail_hdr(__FILE__, __LINE__);		\
			fprintf(stderr, "%s == %s: 0x%llx != 0x%llx\n",	\
				#a, #b, __ua, __ub);			\
		}							\
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *__ua = (a);					\
		const char *__ub = (b);					\
		unit_nchecks++;						\
		if (!__ua || !__ub || strcmp(__ua, __ub)) {		\
			unit_fail_hdr(__FILE__, __LINE__);		\
			fprintf(stderr, "%s == %s: \"%s\" != \"%s\"\n",	\
				#a, #b, __ua ? __ua : "(null)",		\
				__ub ? __ub : "(null)");		\
		}							\
	} while (0)

static inline void unit_hexdump(const char *what, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	fprintf(stderr, "  %s:", what);
	for (i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n    ", b[i]);
	fprintf(stderr, "\n");
}

#define CHECK_MEM(a, b, len)						\
	do {								\
		size_t __ul = (len);					\
		unit_nchecks++;						\
		if (memcmp((a), (b), __ul)) {				\
			unit_fail_hdr(__FILE__, __LINE__);		\
			fprintf(stderr, "CHECK_MEM(%s, %s, %s)\n",	\
				#a, #b, #len);				\
			unit_hexdump("got", (a), __ul);			\
			unit_hexdump("expected", (b), __ul);		\
		}							\
	} while (0)

int main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/');
	int i, passed = 0, failed = 0;

	prog = prog ? prog + 1 : argv[0];
	for (i = 0; i < unit_ntests; i++) {
		if (argc > 1 && !strstr(unit_tests[i].name, argv[1]))
			continue;
		unit_cur_failed = 0;
		unit_tests[i].fn();
		if (unit_cur_failed) {
			failed++;
			fprintf(stderr, "FAIL %s\n", unit_tests[i].name);
		} else {
			passed++;
		}
	}
	printf("%s: %ld checks\n", prog, unit_nchecks);
	printf("%s: %d passed, %d failed\n", prog, passed, failed);
	return failed ? 1 : 0;
}

#endif /* UNIT_H */
