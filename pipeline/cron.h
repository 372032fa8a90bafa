/*
 * Unix-cron expressions, as Cloud Scheduler reads them: five fields
 * (minute hour day-of-month month day-of-week), each `*`, a value, a range
 * `a-b`, a step `*\/n` or `a-b/n`, or a comma list of those. Months and
 * weekdays take names (JAN, MON); day-of-week 7 is Sunday, like 0.
 */
#ifndef SG_PIPELINE_CRON_H
#define SG_PIPELINE_CRON_H

#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct sg_cron {
	uint64_t minute;  /* bit n: minute n */
	uint32_t hour;
	uint32_t mday;    /* bits 1..31 */
	uint16_t month;   /* bits 1..12 */
	uint8_t wday;     /* bits 0..6, Sunday = 0 */
	bool mday_any, wday_any;
} sg_cron;

/*
 * Parse `expr`. On failure returns -1 and explains in `why`, naming the
 * field ("field 2 (hour): 25 is out of range 0-23").
 */
int sg_cron_parse(const char *expr, sg_cron *out, sg_buf *why);

#endif
