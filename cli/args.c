#include "cli/cli.h"

#include "util/fs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* "-name" / "--name" → pointer past the dashes, or NULL */
static const char *flag_body(const char *arg)
{
	if (arg[0] != '-' || arg[1] == '\0')
		return NULL;
	return arg[1] == '-' ? arg + 2 : arg + 1;
}

bool sg_arg_is_flag(const char *arg)
{
	return arg[0] == '-' && arg[1] != '\0';
}

bool sg_arg_bool(int argc, char **argv, int *i, const char *name, bool *out)
{
	(void)argc;
	const char *body = flag_body(argv[*i]);
	if (!body)
		return false;
	size_t n = strlen(name);
	if (strncmp(body, name, n) != 0)
		return false;
	if (body[n] == '\0') {
		*out = true;
	} else if (body[n] == '=' && !strcmp(body + n + 1, "true")) {
		*out = true;
	} else if (body[n] == '=' && !strcmp(body + n + 1, "false")) {
		*out = false;
	} else {
		return false;
	}
	(*i)++;
	return true;
}

bool sg_arg_value(int argc, char **argv, int *i, const char *name, const char **out)
{
	const char *body = flag_body(argv[*i]);
	if (!body)
		return false;
	size_t n = strlen(name);
	if (strncmp(body, name, n) != 0)
		return false;
	if (body[n] == '=') {
		*out = body + n + 1;
		(*i)++;
		return true;
	}
	if (body[n] != '\0')
		return false;
	if (*i + 1 >= argc) {
		*out = NULL;
		(*i)++;
		return true;
	}
	*out = argv[*i + 1];
	*i += 2;
	return true;
}

const char *sg_c_red(bool on) { return on ? "\033[31m" : ""; }
const char *sg_c_green(bool on) { return on ? "\033[32m" : ""; }
const char *sg_c_yellow(bool on) { return on ? "\033[33m" : ""; }
const char *sg_c_bold(bool on) { return on ? "\033[1m" : ""; }
const char *sg_c_reset(bool on) { return on ? "\033[0m" : ""; }

void sg_cli_error(const sg_cli *cli, const char *fmt, ...)
{
	fflush(stdout); /* what was printed comes first, also through pipes */
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%ssigma: error:%s ", sg_c_red(cli->color_err), sg_c_reset(cli->color_err));
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void sg_cli_warn(const sg_cli *cli, const char *fmt, ...)
{
	fflush(stdout);
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%ssigma: warning:%s ", sg_c_yellow(cli->color_err), sg_c_reset(cli->color_err));
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int sg_cli_usage(const sg_cli *cli, const char *usage, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%ssigma: error:%s ", sg_c_red(cli->color_err), sg_c_reset(cli->color_err));
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nusage: %s\n", usage);
	va_end(ap);
	return 1;
}

void sg_cli_print_diags(const sg_cli *cli, const sg_diags *d)
{
	fflush(stdout);
	for (size_t i = 0; i < d->n; i++) {
		const sg_diag *g = &d->items[i];
		bool err = g->severity == SG_SEV_ERROR;
		const char *color = err ? sg_c_red(cli->color_err) : sg_c_yellow(cli->color_err);
		if (g->file && g->line)
			fprintf(stderr, "%s:%d:%d: ", g->file, g->line, g->col);
		else if (g->file)
			fprintf(stderr, "%s: ", g->file);
		fprintf(stderr, "%s%s:%s ", color, err ? "error" : "warning", sg_c_reset(cli->color_err));
		if (g->address)
			fprintf(stderr, "%s: ", g->address);
		fprintf(stderr, "%s\n", g->msg);
	}
}
