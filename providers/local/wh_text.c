#include "providers/local/wh_text.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define DATE_INFINITY INT32_MAX
#define TS_INFINITY INT64_MAX

bool sg_wh_text_supported(duckdb_type type)
{
	switch (type) {
	case DUCKDB_TYPE_DATE: case DUCKDB_TYPE_TIME: case DUCKDB_TYPE_TIMESTAMP: case DUCKDB_TYPE_TIMESTAMP_S:
	case DUCKDB_TYPE_TIMESTAMP_MS: case DUCKDB_TYPE_TIMESTAMP_NS: case DUCKDB_TYPE_TIMESTAMP_TZ:
	case DUCKDB_TYPE_DECIMAL: case DUCKDB_TYPE_HUGEINT: case DUCKDB_TYPE_UHUGEINT:
		return true;
	default:
		return false;
	}
}

bool sg_wh_text_column(duckdb_result *res, idx_t c, sg_wh_text_col *col)
{
	memset(col, 0, sizeof(*col));
	col->type = duckdb_column_type(res, c);
	if (!sg_wh_text_supported(col->type))
		return false;
	if (col->type == DUCKDB_TYPE_DECIMAL) {
		duckdb_logical_type lt = duckdb_column_logical_type(res, c);
		if (!lt)
			return false;
		col->decimal_scale = duckdb_decimal_scale(lt);
		col->decimal_storage = duckdb_decimal_internal_type(lt);
		duckdb_destroy_logical_type(&lt);
		if (col->decimal_storage != DUCKDB_TYPE_SMALLINT && col->decimal_storage != DUCKDB_TYPE_INTEGER &&
		    col->decimal_storage != DUCKDB_TYPE_BIGINT && col->decimal_storage != DUCKDB_TYPE_HUGEINT)
			return false;
	}
	return true;
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's days_from_civil, inverted). */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	unsigned doe = (unsigned)(days - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void put_date(sg_buf *out, int64_t days)
{
	int64_t y;
	unsigned m, d;
	civil(days, &y, &m, &d);
	if (y > 0)
		sg_buf_printf(out, "%04" PRId64 "-%02u-%02u", y, m, d);
	else
		sg_buf_printf(out, "%04" PRId64 "-%02u-%02u (BC)", 1 - y, m, d);
}

/* HH:MM:SS and the fraction without trailing zeros; `frac` has `digits` digits. */
static void put_time(sg_buf *out, int64_t secs_of_day, int64_t frac, int digits)
{
	sg_buf_printf(out, "%02" PRId64 ":%02" PRId64 ":%02" PRId64, secs_of_day / 3600, secs_of_day / 60 % 60,
		      secs_of_day % 60);
	if (frac) {
		char f[32];
		snprintf(f, sizeof(f), "%0*" PRId64, digits, frac);
		size_t n = strlen(f);
		while (n && f[n - 1] == '0')
			n--;
		sg_buf_putc(out, '.');
		sg_buf_put(out, f, n);
	}
}

/* A timestamp of `per_sec` units per second since the epoch. */
static void put_timestamp(sg_buf *out, int64_t v, int64_t per_sec, int digits, bool tz)
{
	if (v == TS_INFINITY || v == -TS_INFINITY) {
		sg_buf_puts(out, v > 0 ? "infinity" : "-infinity");
		return;
	}
	int64_t per_day = 86400 * per_sec;
	int64_t days = v / per_day, rem = v % per_day;
	if (rem < 0) {
		rem += per_day;
		days--;
	}
	int64_t y;
	unsigned m, d;
	civil(days, &y, &m, &d);
	/* DuckDB writes "0101-02-03 (BC) 04:05:06" */
	sg_buf_printf(out, "%04" PRId64 "-%02u-%02u%s ", y > 0 ? y : 1 - y, m, d, y > 0 ? "" : " (BC)");
	put_time(out, rem / per_sec, rem % per_sec, digits);
	if (tz)
		sg_buf_puts(out, "+00");
}

static void put_u128(sg_buf *out, unsigned __int128 v)
{
	char buf[48];
	size_t i = sizeof(buf);
	buf[--i] = '\0';
	do {
		buf[--i] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	sg_buf_puts(out, buf + i);
}

static void put_i128(sg_buf *out, __int128 v)
{
	if (v < 0) {
		sg_buf_putc(out, '-');
		put_u128(out, (unsigned __int128)(-(v + 1)) + 1);
	} else {
		put_u128(out, (unsigned __int128)v);
	}
}

static void put_decimal(sg_buf *out, __int128 v, unsigned scale)
{
	if (!scale) {
		put_i128(out, v);
		return;
	}
	sg_buf digits = SG_BUF_INIT;
	bool neg = v < 0;
	put_u128(&digits, neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v);
	if (neg)
		sg_buf_putc(out, '-');
	if (digits.len <= scale) {
		sg_buf_putc(out, '0');
		sg_buf_putc(out, '.');
		sg_buf_pad(out, '0', scale - digits.len);
		sg_buf_puts(out, digits.ptr);
	} else {
		sg_buf_put(out, digits.ptr, digits.len - scale);
		sg_buf_putc(out, '.');
		sg_buf_puts(out, digits.ptr + digits.len - scale);
	}
	sg_buf_free(&digits);
}

static __int128 hugeint(const void *data, idx_t row)
{
	const duckdb_hugeint *h = &((const duckdb_hugeint *)data)[row];
	return (__int128)(((unsigned __int128)(uint64_t)h->upper << 64) | h->lower);
}

void sg_wh_text_cell(const sg_wh_text_col *col, const void *data, idx_t row, sg_buf *out)
{
	switch (col->type) {
	case DUCKDB_TYPE_DATE: {
		int32_t v = ((const int32_t *)data)[row];
		if (v == DATE_INFINITY || v == -DATE_INFINITY)
			sg_buf_puts(out, v > 0 ? "infinity" : "-infinity");
		else
			put_date(out, v);
		break;
	}
	case DUCKDB_TYPE_TIME: {
		int64_t v = ((const int64_t *)data)[row];
		put_time(out, v / 1000000, v % 1000000, 6);
		break;
	}
	case DUCKDB_TYPE_TIMESTAMP:
		put_timestamp(out, ((const int64_t *)data)[row], 1000000, 6, false);
		break;
	case DUCKDB_TYPE_TIMESTAMP_TZ:
		put_timestamp(out, ((const int64_t *)data)[row], 1000000, 6, true);
		break;
	case DUCKDB_TYPE_TIMESTAMP_S:
		put_timestamp(out, ((const int64_t *)data)[row], 1, 0, false);
		break;
	case DUCKDB_TYPE_TIMESTAMP_MS:
		put_timestamp(out, ((const int64_t *)data)[row], 1000, 3, false);
		break;
	case DUCKDB_TYPE_TIMESTAMP_NS:
		put_timestamp(out, ((const int64_t *)data)[row], 1000000000, 9, false);
		break;
	case DUCKDB_TYPE_HUGEINT:
		put_i128(out, hugeint(data, row));
		break;
	case DUCKDB_TYPE_UHUGEINT: {
		const duckdb_uhugeint *h = &((const duckdb_uhugeint *)data)[row];
		put_u128(out, ((unsigned __int128)h->upper << 64) | h->lower);
		break;
	}
	case DUCKDB_TYPE_DECIMAL: {
		__int128 v;
		switch (col->decimal_storage) {
		case DUCKDB_TYPE_SMALLINT: v = ((const int16_t *)data)[row]; break;
		case DUCKDB_TYPE_INTEGER: v = ((const int32_t *)data)[row]; break;
		case DUCKDB_TYPE_BIGINT: v = ((const int64_t *)data)[row]; break;
		default: v = hugeint(data, row); break;
		}
		put_decimal(out, v, col->decimal_scale);
		break;
	}
	default:
		break;
	}
}
