#include "pipeline/cron.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct field_spec {
	const char *label;
	int min, max;
	const char *const *names; /* names[i] is value min+i, or NULL */
} field_spec;

static const char *const month_names[] = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN",
					   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL };
static const char *const day_names[] = { "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL };

static const field_spec specs[5] = {
	{ "minute", 0, 59, NULL },
	{ "hour", 0, 23, NULL },
	{ "day of month", 1, 31, NULL },
	{ "month", 1, 12, month_names },
	{ "day of week", 0, 7, day_names },
};

/* A number or a name at *p; advances *p. */
static int parse_value(const char **p, const field_spec *f, int *out, sg_buf *why, int field)
{
	const char *s = *p;
	if (isdigit((unsigned char)*s)) {
		long v = 0;
		while (isdigit((unsigned char)*s)) {
			v = v * 10 + (*s - '0');
			if (v > 1000)
				break;
			s++;
		}
		if (v < f->min || v > f->max) {
			sg_buf_printf(why, "field %d (%s): %ld is out of range %d-%d", field + 1, f->label, v, f->min,
				      f->max);
			return -1;
		}
		*out = (int)v;
		*p = s;
		return 0;
	}
	if (f->names && isalpha((unsigned char)s[0])) {
		for (int i = 0; f->names[i]; i++) {
			if (!strncasecmp(s, f->names[i], 3) && !isalpha((unsigned char)s[3])) {
				*out = f->min + i;
				*p = s + 3;
				return 0;
			}
		}
	}
	sg_buf_printf(why, "field %d (%s): expected a number%s, found \"%.*s\"", field + 1, f->label,
		      f->names ? " or a name" : "", (int)strcspn(s, ",-/"), s);
	return -1;
}

static int parse_field(const char *text, const field_spec *f, uint64_t *bits, bool *any, sg_buf *why,
		       int field)
{
	*bits = 0;
	*any = !strcmp(text, "*") || !strcmp(text, "?");
	const char *p = text;
	for (;;) {
		int lo, hi, step = 1;
		bool ranged = false; /* '*' or "a-b": a step stays inside it */
		if (*p == '*' || *p == '?') {
			lo = f->min;
			hi = f->max;
			ranged = true;
			p++;
		} else {
			if (parse_value(&p, f, &lo, why, field) < 0)
				return -1;
			hi = lo;
			if (*p == '-') {
				ranged = true;
				p++;
				if (parse_value(&p, f, &hi, why, field) < 0)
					return -1;
				if (hi < lo) {
					sg_buf_printf(why, "field %d (%s): range %d-%d is backwards", field + 1, f->label, lo, hi);
					return -1;
				}
			}
		}
		if (*p == '/') {
			p++;
			if (!isdigit((unsigned char)*p)) {
				sg_buf_printf(why, "field %d (%s): expected a step number after '/'", field + 1, f->label);
				return -1;
			}
			long s = strtol(p, (char **)&p, 10);
			if (s < 1 || s > f->max) {
				sg_buf_printf(why, "field %d (%s): step %ld is out of range 1-%d", field + 1, f->label, s, f->max);
				return -1;
			}
			step = (int)s;
			if (!ranged)
				hi = f->max; /* "5/15" means 5-max/15 */
		}
		for (int v = lo; v <= hi; v += step)
			*bits |= 1ULL << v;
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p != '\0') {
			sg_buf_printf(why, "field %d (%s): unexpected '%c' in \"%s\"", field + 1, f->label, *p, text);
			return -1;
		}
		return 0;
	}
}

int sg_cron_parse(const char *expr, sg_cron *out, sg_buf *why)
{
	memset(out, 0, sizeof(*out));
	char fields[5][64];
	int n = 0;
	const char *p = expr;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		size_t len = strcspn(p, " \t");
		if (n == 5) {
			sg_buf_printf(why, "expected 5 fields (minute hour day-of-month month day-of-week), found more");
			return -1;
		}
		if (len >= sizeof(fields[0])) {
			sg_buf_printf(why, "field %d (%s) is too long", n + 1, specs[n].label);
			return -1;
		}
		memcpy(fields[n], p, len);
		fields[n][len] = '\0';
		n++;
		p += len;
	}
	if (n != 5) {
		sg_buf_printf(why, "expected 5 fields (minute hour day-of-month month day-of-week), found %d", n);
		return -1;
	}
	uint64_t bits[5];
	bool any[5];
	for (int i = 0; i < 5; i++) {
		if (parse_field(fields[i], &specs[i], &bits[i], &any[i], why, i) < 0)
			return -1;
	}
	out->minute = bits[0];
	out->hour = (uint32_t)bits[1];
	out->mday = (uint32_t)bits[2];
	out->month = (uint16_t)bits[3];
	out->wday = (uint8_t)((bits[4] | (bits[4] >> 7)) & 0x7f); /* 7 is Sunday */
	out->mday_any = any[2];
	out->wday_any = any[4];
	return 0;
}
