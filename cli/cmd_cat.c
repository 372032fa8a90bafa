/*
 * sigma cat gs://BUCKET/NAME...
 *
 * Writes the objects to standard output, one after the other, as `gsutil
 * cat` does. An object whose crc32c is recorded is checked as it goes out;
 * a mismatch is reported (after the bytes, which a pipe cannot take back)
 * and the exit status is 1.
 */
#include "cli/objects_cli.h"

#include "util/alloc.h"
#include "util/crc32c.h"
#include "util/fs.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] = "sigma cat gs://BUCKET/NAME...";

#define CHUNK (256u * 1024)

static int cat_one(const sg_cli *cli, sg_objects *o, const char *url, char *buf)
{
	sg_buf bucket = SG_BUF_INIT, name = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	int fd = -1;
	int rc = sg_cli_gs_split(cli, url, &bucket, &name);
	if (rc)
		goto out;
	sg_object_info info;
	if (!name.len) {
		sg_error_set(&err, "%s is a bucket, not an object", url);
		goto fail;
	}
	if (sg_objects_open_read(o, bucket.ptr, name.ptr, &fd, &info, &err) < 0)
		goto fail;
	uint32_t crc = 0;
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sg_error_set(&err, "cannot read %s: %s", url, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (info.has_hashes)
			crc = sg_crc32c(crc, buf, (size_t)n);
		if (sg_fs_write_all(STDOUT_FILENO, buf, (size_t)n) < 0) {
			sg_error_set(&err, "cannot write to standard output: %s", strerror(errno));
			goto fail;
		}
	}
	if (info.has_hashes) {
		unsigned char be[4] = { (unsigned char)(crc >> 24), (unsigned char)(crc >> 16),
					(unsigned char)(crc >> 8), (unsigned char)crc };
		char got[SG_CRC32C_B64_SIZE];
		EVP_EncodeBlock((unsigned char *)got, be, 4);
		if (strcmp(got, info.crc32c) != 0) {
			sg_error_set(&err, "%s: the bytes read have crc32c %s, not the recorded %s (the object is damaged)",
				     url, got, info.crc32c);
			goto fail;
		}
	}
	goto out;
fail:
	sg_cli_error(cli, "%s", sg_error_msg(&err));
	rc = 1;
out:
	if (fd >= 0)
		close(fd);
	sg_error_clear(&err);
	sg_buf_free(&bucket);
	sg_buf_free(&name);
	return rc;
}

int cmd_cat(int argc, char **argv, sg_cli *cli)
{
	if (argc < 2)
		return sg_cli_usage(cli, usage, "expected one or more gs:// URLs");
	for (int i = 1; i < argc; i++) {
		if (sg_arg_is_flag(argv[i]))
			return sg_cli_usage(cli, usage, "unknown flag %s", argv[i]);
		if (!sg_cli_is_gs(argv[i]))
			return sg_cli_usage(cli, usage, "expected a gs:// URL, found \"%s\"", argv[i]);
	}
	sg_objects *o = NULL;
	if (sg_cli_objects_open(cli, &o))
		return 1;
	char *buf = sg_malloc(CHUNK);
	int rc = 0;
	for (int i = 1; i < argc && rc == 0; i++)
		rc = cat_one(cli, o, argv[i], buf);
	free(buf);
	sg_objects_close(o);
	return rc;
}
