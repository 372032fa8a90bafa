/*
 * Unix-cron expressions as schedulers read them (sg_cron_parse): the
 * bitsets say when a scheduler fires; the messages are what validate prints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pipeline/cron.h"

#include <string.h>

static uint64_t bits(const int *vals, size_t n)
{
	uint64_t b = 0;
	for (size_t i = 0; i < n; i++)
		b |= 1ULL << vals[i];
	return b;
}

static uint64_t range(int lo, int hi, int step)
{
	uint64_t b = 0;
	for (int v = lo; v <= hi; v += step)
		b |= 1ULL << v;
	return b;
}

static void parse_ok(const char *expr, sg_cron *c)
{
	sg_buf why = SG_BUF_INIT;
	int rc = sg_cron_parse(expr, c, &why);
	if (rc != 0)
		fail_msg("\"%s\" refused: %s", expr, sg_buf_cstr(&why));
	sg_buf_free(&why);
}

static void test_every_15_minutes(void **state)
{
	(void)state;
	sg_cron c;
	parse_ok("*/15 * * * *", &c);
	int mins[] = { 0, 15, 30, 45 };
	assert_int_equal(c.minute, bits(mins, 4));
	assert_int_equal(c.hour, range(0, 23, 1));
	assert_int_equal(c.mday, range(1, 31, 1));
	assert_int_equal(c.month, range(1, 12, 1));
	assert_int_equal(c.wday, 0x7f);
	assert_true(c.mday_any);
	assert_true(c.wday_any);
}

static void test_weekdays_by_name(void **state)
{
	(void)state;
	sg_cron c;
	parse_ok("0 3 * * MON-FRI", &c);
	assert_int_equal(c.minute, 1);
	assert_int_equal(c.hour, 1u << 3);
	assert_true(c.mday_any);
	assert_false(c.wday_any);
	assert_int_equal(c.wday, range(1, 5, 1));
	/* names are case-insensitive */
	sg_cron lower;
	parse_ok("0 3 * * mon-fri", &lower);
	assert_int_equal(lower.wday, c.wday);
	/* extra blanks between fields are fine */
	parse_ok("  0   3 *\t* MON-FRI ", &lower);
	assert_int_equal(lower.wday, c.wday);
	assert_int_equal(lower.hour, c.hour);
}

static void test_month_by_name(void **state)
{
	(void)state;
	sg_cron c;
	parse_ok("0 8 1 JAN *", &c);
	assert_int_equal(c.minute, 1);
	assert_int_equal(c.hour, 1u << 8);
	assert_int_equal(c.mday, 1u << 1);
	assert_int_equal(c.month, 1u << 1);
	assert_false(c.mday_any);
	assert_true(c.wday_any);
	parse_ok("0 0 1 DEC *", &c);
	assert_int_equal(c.month, 1u << 12);
	parse_ok("0 0 1 JUN-AUG *", &c);
	assert_int_equal(c.month, range(6, 8, 1));
}

static void test_lists_ranges_steps_sunday_7(void **state)
{
	(void)state;
	sg_cron c;
	parse_ok("5,35 0-6/2 1 */3 7", &c);
	int mins[] = { 5, 35 };
	assert_int_equal(c.minute, bits(mins, 2));
	int hours[] = { 0, 2, 4, 6 };
	assert_int_equal(c.hour, bits(hours, 4));
	assert_int_equal(c.mday, 1u << 1);
	int months[] = { 1, 4, 7, 10 };
	assert_int_equal(c.month, bits(months, 4));
	assert_int_equal(c.wday, 1u << 0); /* 7 is Sunday, bit 0 */
	assert_false(c.mday_any);
	assert_false(c.wday_any);

	/* 0 is Sunday too; SUN,SAT; 5-7 is Friday, Saturday, Sunday */
	parse_ok("0 0 * * 0", &c);
	assert_int_equal(c.wday, 1u << 0);
	parse_ok("0 0 * * SUN,SAT", &c);
	assert_int_equal(c.wday, (1u << 0) | (1u << 6));
	parse_ok("0 0 * * 5-7", &c);
	assert_int_equal(c.wday, (1u << 5) | (1u << 6) | (1u << 0));

	/* "a/n" means from a to the end in steps of n; the last minute, hour, day */
	parse_ok("10/20 23 31 * *", &c);
	int m2[] = { 10, 30, 50 };
	assert_int_equal(c.minute, bits(m2, 3));
	assert_int_equal(c.hour, 1u << 23);
	assert_int_equal(c.mday, 1u << 31);
	parse_ok("59 * * * *", &c);
	assert_int_equal(c.minute, 1ULL << 59);
}

static void test_degenerate_range_with_step(void **state)
{
	(void)state;
	sg_cron c;
	/*
	 * Regression test for a BUG found by this test (fixed in fbbdd2e): a
	 * range whose ends are equal, with a step ("5-5/10"), was read as "5/10"
	 * (5 to the end of the field), so the scheduler fired at minutes 5, 15,
	 * 25, 35, 45, 55 instead of only at 5: cron.c checked p[-1] != '*' after
	 * the step number had been parsed, when p[-1] is always a digit.
	 * Vixie cron reads 5-5/10 as {5}.
	 */
	parse_ok("5-5/10 * * * *", &c);
	assert_int_equal(c.minute, 1ULL << 5);
	parse_ok("0 7-7/2 * * *", &c);
	assert_int_equal(c.hour, 1u << 7);
	/* while a single value with a step still runs to the end of the field */
	parse_ok("0 20/2 * * *", &c);
	assert_int_equal(c.hour, (1u << 20) | (1u << 22));
}

typedef struct bad_cron {
	const char *expr;
	const char *why; /* substring of the explanation */
} bad_cron;

static void test_invalid(void **state)
{
	(void)state;
	static const bad_cron cases[] = {
		{ "0 25 * * *", "field 2 (hour): 25 is out of range 0-23" },
		{ "60 * * * *", "field 1 (minute): 60 is out of range 0-59" },
		{ "* * 0 * *", "field 3 (day of month): 0 is out of range 1-31" },
		{ "* * 32 * *", "field 3 (day of month)" },
		{ "* * * 13 *", "field 4 (month): 13 is out of range 1-12" },
		{ "* * * 0 *", "field 4 (month)" },
		{ "* * * * 8", "field 5 (day of week): 8 is out of range 0-7" },
		{ "* * * FOO *", "field 4 (month): expected a number or a name, found \"FOO\"" },
		{ "* * * * MONDAY", "field 5 (day of week)" },
		{ "* * * JAN-MON *", "field 4 (month)" },
		{ "* MON * * *", "field 2 (hour): expected a number, found \"MON\"" },
		{ "*/0 * * * *", "field 1 (minute): step 0 is out of range" },
		{ "*/ * * * *", "field 1 (minute): expected a step number after '/'" },
		{ "30-10 * * * *", "field 1 (minute): range 30-10 is backwards" },
		{ "1,,2 * * * *", "field 1 (minute)" },
		{ "5x * * * *", "field 1 (minute): unexpected 'x'" },
		{ "* * * *", "expected 5 fields" },
		{ "* * * * * *", "expected 5 fields" },
		{ "", "expected 5 fields" },
		{ "-1 * * * *", "field 1 (minute)" },
		{ "99999999999999999999 * * * *", "field 1 (minute)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sg_cron c;
		sg_buf why = SG_BUF_INIT;
		int rc = sg_cron_parse(cases[i].expr, &c, &why);
		if (rc != -1 || !strstr(sg_buf_cstr(&why), cases[i].why))
			fail_msg("\"%s\": rc %d, why \"%s\", expected \"%s\"", cases[i].expr, rc, sg_buf_cstr(&why),
				 cases[i].why);
		sg_buf_free(&why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_15_minutes),
		cmocka_unit_test(test_weekdays_by_name),
		cmocka_unit_test(test_month_by_name),
		cmocka_unit_test(test_lists_ranges_steps_sunday_7),
		cmocka_unit_test(test_degenerate_range_with_step),
		cmocka_unit_test(test_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
