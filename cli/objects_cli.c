#include "cli/objects_cli.h"

#include "providers/local/objects.h"
#include "util/text.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int sg_cli_objects_open(const sg_cli *cli, sg_objects **out)
{
	sg_buf root = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	int rc = 0;
	if (sg_cli_local_root(cli, &root, &err) < 0 || sg_objects_open(root.ptr, NULL, out, &err) < 0) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
		rc = 1;
	}
	sg_error_clear(&err);
	sg_buf_free(&root);
	return rc;
}

bool sg_cli_is_gs(const char *arg)
{
	return sg_str_starts_with(arg, "gs://");
}

int sg_cli_gs_split(const sg_cli *cli, const char *uri, sg_buf *bucket, sg_buf *name)
{
	sg_error err = SG_ERROR_INIT;
	int rc = 0;
	if (sg_gs_uri_split(uri, bucket, name, &err) < 0) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
		rc = 1;
	}
	sg_error_clear(&err);
	return rc;
}

bool sg_cli_short_flags(const char *arg, const char *letters, bool *out)
{
	if (arg[0] != '-' || !arg[1])
		return false;
	for (const char *p = arg + 1; *p; p++) {
		if (!strchr(letters, *p))
			return false;
	}
	for (const char *p = arg + 1; *p; p++)
		out[strchr(letters, *p) - letters] = true;
	return true;
}

void sg_cli_human_size(sg_buf *out, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	if (bytes < 1024) {
		sg_buf_printf(out, "%llu B", (unsigned long long)bytes);
		return;
	}
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	sg_buf_printf(out, "%.2f %s", v, units[u]);
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void sg_progress_start(sg_progress *p, const sg_cli *cli, const char *label, uint64_t total)
{
	(void)cli;
	memset(p, 0, sizeof(*p));
	p->on = isatty(STDERR_FILENO);
	p->label = label;
	p->total = total;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
}

static void draw(sg_progress *p, const struct timespec *now)
{
	sg_buf line = SG_BUF_INIT, num = SG_BUF_INIT;
	double secs = seconds_between(&p->start, now);
	double rate = secs > 0 ? (double)p->done / secs / (1024.0 * 1024.0) : 0;
	sg_cli_human_size(&num, p->done);
	sg_buf_printf(&line, "\r%s: %s", p->label, num.ptr);
	if (p->total) {
		sg_buf_clear(&num);
		sg_cli_human_size(&num, p->total);
		sg_buf_printf(&line, " / %s (%3d%%)", num.ptr,
			      (int)(p->done >= p->total ? 100 : p->done * 100 / p->total));
	}
	sg_buf_printf(&line, ", %.1f MiB/s", rate);
	size_t len = line.len;
	/* blank out what a longer previous line left */
	if (p->last_len > len)
		sg_buf_pad(&line, ' ', p->last_len - len);
	p->last_len = len;
	fputs(line.ptr, stderr);
	fflush(stderr);
	p->shown = true;
	sg_buf_free(&line);
	sg_buf_free(&num);
}

void sg_progress_update(sg_progress *p, uint64_t done)
{
	p->done = done;
	if (!p->on || (p->total ? p->total : done) <= SG_PROGRESS_MIN_BYTES)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (p->shown && seconds_between(&p->last, &now) < 0.1)
		return;
	p->last = now;
	draw(p, &now);
}

void sg_progress_end(sg_progress *p)
{
	if (!p->shown)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	draw(p, &now);
	fputc('\n', stderr);
}
