/*
 * sigma fernet: make keys, encrypt and decrypt Fernet (+gzip) files.
 *
 *   sigma fernet keygen
 *   sigma fernet encrypt [--gzip] (--key-file F | --key-env VAR) IN OUT
 *   sigma fernet decrypt [--gunzip] [--ttl SECONDS] (--key-file F | --key-env VAR) IN OUT
 *
 * IN and OUT are a local path, "-" (standard input or output) or a
 * gs://BUCKET/OBJECT of the local provider. Keys never come from the
 * command line (ps and shell history would show them) and never appear in
 * a message.
 *
 * Nothing unverified is ever published: a file or object is written to a
 * temporary file (beside it, or in LOCAL_ROOT/tmp for gs://) and renamed
 * into place only once every check passed. Decrypting to standard output
 * spools the plaintext to an anonymous temporary file and copies it out
 * only after the token verified, since what was written to a pipe cannot
 * be taken back. Encrypting to standard output streams directly: a partial
 * token has no valid HMAC, so no reader can take it for a whole one.
 */
#include "cli/cli.h"

#include "pipeline/fernet.h"
#include "providers/local/objects.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_all[] =
	"sigma fernet keygen\n"
	"       sigma fernet encrypt [--gzip] (--key-file FILE | --key-env VAR) IN OUT\n"
	"       sigma fernet decrypt [--gunzip] [--ttl SECONDS] (--key-file FILE | --key-env VAR) IN OUT\n"
	"IN, OUT: a path, - (standard input/output) or gs://BUCKET/OBJECT";
static const char usage_encrypt[] =
	"sigma fernet encrypt [--gzip] (--key-file FILE | --key-env VAR) IN OUT";
static const char usage_decrypt[] =
	"sigma fernet decrypt [--gunzip] [--ttl SECONDS] (--key-file FILE | --key-env VAR) IN OUT";

/* Start writing a large output back to disk as it comes, so the fsync before the rename is short. */
#define WRITEBACK_EVERY (8u << 20)

typedef struct fernet_args {
	bool gzip;   /* encrypt --gzip, decrypt --gunzip */
	const char *key_file;
	const char *key_env;
	const char *ttl;
	const char *in;
	const char *out;
} fernet_args;

/* An input or output as the user named it, resolved to a file. */
typedef struct endpoint {
	const char *spec;  /* as given */
	bool is_std;       /* "-" */
	bool is_gs;
	sg_buf path;       /* the file (gs:// resolved) */
	sg_buf tmp_dir;    /* for gs:// outputs: LOCAL_ROOT/tmp */
} endpoint;

/* The flag's name without any "=value", so a mistyped --key=SECRET is never echoed. */
static void flag_name(const char *arg, sg_buf *out)
{
	const char *eq = strchr(arg, '=');
	sg_buf_put(out, arg, eq ? (size_t)(eq - arg) : strlen(arg));
}

static int parse_args(int argc, char **argv, const sg_cli *cli, bool is_encrypt, fernet_args *a)
{
	const char *usage = is_encrypt ? usage_encrypt : usage_decrypt;
	const char *pos[2];
	int npos = 0;
	bool only_pos = false;
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc;) {
		const char *v = NULL;
		if (only_pos || !sg_arg_is_flag(argv[i])) {
			if (npos == 2)
				return sg_cli_usage(cli, usage, "too many arguments: expected IN and OUT");
			pos[npos++] = argv[i++];
		} else if (!strcmp(argv[i], "--")) {
			only_pos = true;
			i++;
		} else if (sg_arg_bool(argc, argv, &i, is_encrypt ? "gzip" : "gunzip", &a->gzip)) {
			/* taken */
		} else if (sg_arg_value(argc, argv, &i, "key-file", &v)) {
			if (!v)
				return sg_cli_usage(cli, usage, "--key-file needs a file name");
			a->key_file = v;
		} else if (sg_arg_value(argc, argv, &i, "key-env", &v)) {
			if (!v)
				return sg_cli_usage(cli, usage, "--key-env needs the name of an environment variable");
			a->key_env = v;
		} else if (!is_encrypt && sg_arg_value(argc, argv, &i, "ttl", &v)) {
			if (!v)
				return sg_cli_usage(cli, usage, "--ttl needs a number of seconds");
			a->ttl = v;
		} else {
			sg_buf name = SG_BUF_INIT;
			flag_name(argv[i], &name);
			bool is_key = !strcmp(name.ptr, "-key") || !strcmp(name.ptr, "--key") ||
				      !strcmp(name.ptr, "-k");
			sg_cli_usage(cli, usage, "unknown flag %s%s", name.ptr,
				     is_key ? " (keys are read from --key-file or --key-env, never from the "
					      "command line)"
					    : "");
			sg_buf_free(&name);
			return 1;
		}
	}
	if (npos < 2)
		return sg_cli_usage(cli, usage, "expected IN and OUT, found %d argument%s", npos,
				    npos == 1 ? "" : "s");
	if (a->key_file && a->key_env)
		return sg_cli_usage(cli, usage, "give --key-file or --key-env, not both");
	if (!a->key_file && !a->key_env)
		return sg_cli_usage(cli, usage,
				    "no key: give --key-file FILE or --key-env VAR (keys never go on the "
				    "command line)");
	a->in = pos[0];
	a->out = pos[1];
	return 0;
}

static int load_keys(const fernet_args *a, sg_fernet_keys *keys, sg_error *err)
{
	if (a->key_env) {
		const char *text = getenv(a->key_env);
		if (!text)
			return sg_error_set(err, "environment variable %s is not set", a->key_env);
		sg_buf origin = SG_BUF_INIT;
		sg_buf_printf(&origin, "$%s", a->key_env);
		int rc = sg_fernet_keys_parse(keys, text, strlen(text), origin.ptr, err);
		sg_buf_free(&origin);
		return rc;
	}
	sg_buf text = SG_BUF_INIT, origin = SG_BUF_INIT;
	int rc = sg_fs_read_file(a->key_file, &text, err);
	if (rc < 0) {
		sg_error_prefix(err, "key file: ");
	} else {
		sg_buf_printf(&origin, "key file %s", a->key_file);
		rc = sg_fernet_keys_parse(keys, sg_buf_cstr(&text), text.len, origin.ptr, err);
	}
	sg_buf_free_secret(&text);
	sg_buf_free(&origin);
	return rc;
}

static void endpoint_free(endpoint *e)
{
	sg_buf_free(&e->path);
	sg_buf_free(&e->tmp_dir);
}

static int resolve(const sg_cli *cli, const char *spec, bool is_output, endpoint *e, sg_error *err)
{
	memset(e, 0, sizeof(*e));
	e->spec = spec;
	if (!strcmp(spec, "-")) {
		e->is_std = true;
		return 0;
	}
	if (!sg_str_starts_with(spec, "gs://")) {
		sg_buf_puts(&e->path, spec);
		return 0;
	}
	e->is_gs = true;
	sg_buf root = SG_BUF_INIT;
	int rc = sg_cli_local_root(cli, &root, err);
	if (rc == 0)
		rc = sg_local_object_path(root.ptr, spec, &e->path, err);
	if (rc == 0 && is_output)
		rc = sg_local_tmp_dir(root.ptr, &e->tmp_dir, err);
	sg_buf_free(&root);
	return rc;
}

static const char *display_name(const endpoint *e, bool is_output)
{
	if (e->is_std)
		return is_output ? "standard output" : "standard input";
	return e->spec;
}

static int open_input(const endpoint *e, int *fd, sg_error *err)
{
	if (e->is_std) {
		*fd = STDIN_FILENO;
		return 0;
	}
	*fd = open(e->path.ptr, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return sg_error_set(err, "cannot read %s: %s", e->spec, strerror(errno));
	struct stat st;
	if (fstat(*fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(*fd);
		*fd = -1;
		return sg_error_set(err, "cannot read %s: it is a directory", e->spec);
	}
	return 0;
}

/* Publish the atomic file; a gs:// object's "directories" come into being with it. */
static int publish(const endpoint *e, sg_atomic_file *f, sg_error *err)
{
	if (e->is_gs) {
		sg_buf dir = SG_BUF_INIT;
		sg_fs_dirname(e->path.ptr, &dir);
		int rc = sg_fs_mkdir_p(dir.ptr, err);
		sg_buf_free(&dir);
		if (rc < 0)
			return -1;
	}
	return sg_atomic_file_commit(f, err);
}

static int run_keygen(int argc, char **argv, sg_cli *cli)
{
	(void)argv;
	if (argc > 1)
		return sg_cli_usage(cli, "sigma fernet keygen", "keygen takes no arguments");
	sg_fernet_key key;
	char text[SG_FERNET_KEY_TEXT_LEN + 2];
	sg_fernet_key_generate(&key);
	sg_fernet_key_format(&key, text);
	text[SG_FERNET_KEY_TEXT_LEN] = '\n';
	/* straight to the descriptor: stdio's buffer would keep a copy we cannot wipe */
	int rc = sg_fs_write_all(STDOUT_FILENO, text, SG_FERNET_KEY_TEXT_LEN + 1) < 0;
	sg_wipe(&key, sizeof(key));
	sg_wipe(text, sizeof(text));
	if (rc) {
		sg_cli_error(cli, "cannot write the key to standard output");
		return 1;
	}
	return 0;
}

static int run_encrypt(int argc, char **argv, sg_cli *cli)
{
	fernet_args a;
	int urc = parse_args(argc, argv, cli, true, &a);
	if (urc)
		return urc;
	sg_fernet_keys keys = SG_FERNET_KEYS_INIT;
	sg_error err = SG_ERROR_INIT;
	endpoint in, out;
	sg_atomic_file f = { .fd = -1 };
	int in_fd = -1, rc = -1;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));

	if (load_keys(&a, &keys, &err) < 0 || resolve(cli, a.in, false, &in, &err) < 0 ||
	    resolve(cli, a.out, true, &out, &err) < 0 || open_input(&in, &in_fd, &err) < 0)
		goto done;
	int out_fd = STDOUT_FILENO;
	if (!out.is_std) {
		if (sg_atomic_file_open(&f, out.path.ptr, out.is_gs ? out.tmp_dir.ptr : NULL, &err) < 0)
			goto done;
		out_fd = f.fd;
	}
	sg_fd_stream in_ctx, out_ctx;
	sg_source src;
	sg_sink sink;
	sg_source_fd(&src, &in_ctx, in_fd, display_name(&in, false));
	sg_sink_fd(&sink, &out_ctx, out_fd, display_name(&out, true));
	if (!out.is_std)
		out_ctx.writeback_every = WRITEBACK_EVERY;
	sg_fernet_encrypt_opts opts = SG_FERNET_ENCRYPT_OPTS_INIT;
	opts.gzip = a.gzip;
	if (sg_fernet_encrypt_stream(&keys.items[0], &src, &sink, &opts, &err) < 0)
		goto done;
	if (!out.is_std && publish(&out, &f, &err) < 0)
		goto done;
	rc = 0;
done:
	if (rc < 0)
		sg_cli_error(cli, "cannot encrypt %s: %s", display_name(&in, false), sg_error_msg(&err));
	sg_atomic_file_abort(&f);
	if (in_fd > STDIN_FILENO)
		close(in_fd);
	endpoint_free(&in);
	endpoint_free(&out);
	sg_fernet_keys_free(&keys);
	sg_error_clear(&err);
	return rc < 0 ? 1 : 0;
}

/* After the token verified: the spooled plaintext to standard output. */
static int copy_spool_to_stdout(int spool_fd, sg_error *err)
{
	if (lseek(spool_fd, 0, SEEK_SET) < 0)
		return sg_error_set(err, "cannot read back the decrypted data: %s", strerror(errno));
	sg_fd_stream in_ctx, out_ctx;
	sg_source src;
	sg_sink sink;
	sg_source_fd(&src, &in_ctx, spool_fd, "the decrypted data");
	sg_sink_fd(&sink, &out_ctx, STDOUT_FILENO, "standard output");
	return sg_stream_copy(&src, &sink, err);
}

static int run_decrypt(int argc, char **argv, sg_cli *cli)
{
	fernet_args a;
	int urc = parse_args(argc, argv, cli, false, &a);
	if (urc)
		return urc;
	sg_fernet_decrypt_opts opts = SG_FERNET_DECRYPT_OPTS_INIT;
	opts.gunzip = a.gzip;
	if (a.ttl && sg_parse_duration(a.ttl, &opts.ttl_sec) < 0)
		return sg_cli_usage(cli, usage_decrypt,
				    "--ttl: \"%s\" is not a number of seconds (or a duration like 90s, 1h30m)",
				    a.ttl);

	sg_fernet_keys keys = SG_FERNET_KEYS_INIT;
	sg_error err = SG_ERROR_INIT;
	endpoint in, out;
	sg_atomic_file f = { .fd = -1 };
	int in_fd = -1, spool_fd = -1, rc = -1;
	bool verified = false;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));

	if (load_keys(&a, &keys, &err) < 0 || resolve(cli, a.in, false, &in, &err) < 0 ||
	    resolve(cli, a.out, true, &out, &err) < 0 || open_input(&in, &in_fd, &err) < 0)
		goto done;
	int out_fd;
	if (out.is_std) {
		if (sg_tmpfile_anon(NULL, &spool_fd, &err) < 0)
			goto done;
		out_fd = spool_fd;
	} else {
		if (sg_atomic_file_open(&f, out.path.ptr, out.is_gs ? out.tmp_dir.ptr : NULL, &err) < 0)
			goto done;
		/* plaintext of an encrypted file: for its owner only */
		fchmod(f.fd, 0600);
		out_fd = f.fd;
	}
	opts.spool_dir = out.is_gs ? out.tmp_dir.ptr : NULL;
	sg_fd_stream in_ctx, out_ctx;
	sg_source src;
	sg_sink sink;
	sg_source_fd(&src, &in_ctx, in_fd, display_name(&in, false));
	sg_sink_fd(&sink, &out_ctx, out_fd, out.is_std ? "the spool file" : display_name(&out, true));
	if (!out.is_std)
		out_ctx.writeback_every = WRITEBACK_EVERY;
	sg_fernet_result res;
	if (sg_fernet_decrypt_stream(&keys, &src, &sink, &opts, &res, &err) < 0)
		goto done;
	verified = true;
	if (out.is_std ? copy_spool_to_stdout(spool_fd, &err) < 0 : publish(&out, &f, &err) < 0)
		goto done;
	rc = 0;
done:
	if (rc < 0)
		sg_cli_error(cli, "cannot decrypt %s%s: %s", display_name(&in, false),
			     verified ? " (the token verified)" : "", sg_error_msg(&err));
	sg_atomic_file_abort(&f);
	if (spool_fd >= 0)
		close(spool_fd);
	if (in_fd > STDIN_FILENO)
		close(in_fd);
	endpoint_free(&in);
	endpoint_free(&out);
	sg_fernet_keys_free(&keys);
	sg_error_clear(&err);
	return rc < 0 ? 1 : 0;
}

int cmd_fernet(int argc, char **argv, sg_cli *cli)
{
	if (argc < 2)
		return sg_cli_usage(cli, usage_all, "expected a subcommand: keygen, encrypt or decrypt");
	const char *sub = argv[1];
	if (!strcmp(sub, "keygen"))
		return run_keygen(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "encrypt"))
		return run_encrypt(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "decrypt"))
		return run_decrypt(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "-help") || !strcmp(sub, "help")) {
		printf("usage: %s\n", usage_all);
		return 0;
	}
	return sg_cli_usage(cli, usage_all, "unknown subcommand \"%s\": expected keygen, encrypt or decrypt",
			    sub);
}
