#include "providers/schema.h"

#include "providers/local/objects.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define END { NULL, 0, 0, NULL, NULL, NULL, NULL, NULL }

static const sg_attr string_elem = { "", SG_T_STRING, 0, NULL, NULL, NULL, NULL, NULL };

static const char *const storage_classes[] = { "STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE",
					       "MULTI_REGIONAL", "REGIONAL", NULL };
static const char *const lifecycle_actions[] = { "Delete", "SetStorageClass", NULL };

static const sg_attr lifecycle_fields[] = {
	{ "age", SG_T_INT, SG_A_REQUIRED, NULL, NULL, NULL, NULL, "age in days after which the rule applies" },
	{ "action", SG_T_STRING, 0, NULL, NULL, lifecycle_actions, "\"Delete\"", "what to do" },
	{ "storage_class", SG_T_STRING, SG_A_UPPER, NULL, NULL, storage_classes, NULL,
	  "target class of SetStorageClass" },
	END,
};
static const sg_attr lifecycle_elem = { "", SG_T_OBJECT, 0, NULL, lifecycle_fields, NULL, NULL, NULL };

static const sg_attr notification_fields[] = {
	{ "workflow", SG_T_STRING, SG_A_REQUIRED, NULL, NULL, NULL, NULL,
	  "the workflow_template run when an object lands" },
	{ "prefix", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "only objects whose name starts with this" },
	END,
};

const sg_attr sg_schema_bucket[] = {
	{ "name", SG_T_STRING, SG_A_FORCE_NEW, NULL, NULL, NULL, NULL, "the bucket's name" },
	{ "location", SG_T_STRING, SG_A_FORCE_NEW | SG_A_UPPER, NULL, NULL, NULL, "\"US\"", "location" },
	{ "storage_class", SG_T_STRING, SG_A_UPPER, NULL, NULL, storage_classes, "\"STANDARD\"", "default class" },
	{ "versioning", SG_T_BOOL, 0, NULL, NULL, NULL, "false", "keep noncurrent versions" },
	{ "labels", SG_T_MAP, 0, &string_elem, NULL, NULL, NULL, "labels" },
	{ "lifecycle", SG_T_LIST, 0, &lifecycle_elem, NULL, NULL, NULL, "lifecycle rules" },
	{ "force_destroy", SG_T_BOOL, 0, NULL, NULL, NULL, "false", "destroy even when it holds objects" },
	{ "notification", SG_T_OBJECT, 0, NULL, notification_fields, NULL, NULL, "run a workflow on upload" },
	{ "url", SG_T_STRING, SG_A_COMPUTED, NULL, NULL, NULL, NULL, "gs://NAME" },
	{ "self_link", SG_T_STRING, SG_A_COMPUTED, NULL, NULL, NULL, NULL, "where the bucket lives" },
	END,
};

const sg_attr sg_schema_dataset[] = {
	{ "name", SG_T_STRING, SG_A_FORCE_NEW, NULL, NULL, NULL, NULL, "the dataset id" },
	{ "location", SG_T_STRING, SG_A_FORCE_NEW | SG_A_UPPER, NULL, NULL, NULL, "\"US\"", "location" },
	{ "description", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "description" },
	{ "labels", SG_T_MAP, 0, &string_elem, NULL, NULL, NULL, "labels" },
	{ "delete_contents_on_destroy", SG_T_BOOL, 0, NULL, NULL, NULL, "false",
	  "drop tables sigma does not manage when destroying" },
	{ "self_link", SG_T_STRING, SG_A_COMPUTED, NULL, NULL, NULL, NULL, "where the dataset lives" },
	END,
};

const char *const sg_column_types[] = { "STRING",  "INT64",   "INTEGER",    "FLOAT64", "FLOAT",
					"NUMERIC", "BIGNUMERIC", "DECIMAL", "BIGDECIMAL", "BOOL",
					"BOOLEAN", "DATE",    "DATETIME",   "TIME",    "TIMESTAMP",
					"JSON",    "BYTES",   NULL };
static const char *const column_modes[] = { "NULLABLE", "REQUIRED", "REPEATED", NULL };

static const sg_attr column_fields[] = {
	{ "name", SG_T_STRING, SG_A_REQUIRED, NULL, NULL, NULL, NULL, "column name" },
	{ "type", SG_T_STRING, SG_A_REQUIRED | SG_A_UPPER, NULL, NULL, sg_column_types, NULL, "BigQuery type" },
	{ "mode", SG_T_STRING, SG_A_UPPER, NULL, NULL, column_modes, "\"NULLABLE\"", "NULLABLE, REQUIRED or REPEATED" },
	{ "description", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "column description" },
	END,
};
static const sg_attr column_elem = { "", SG_T_OBJECT, 0, NULL, column_fields, NULL, NULL, NULL };

static const char *const partition_types[] = { "HOUR", "DAY", "MONTH", "YEAR", NULL };
static const sg_attr partitioning_fields[] = {
	{ "field", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "partitioning column (none: ingestion time)" },
	{ "type", SG_T_STRING, SG_A_UPPER, NULL, NULL, partition_types, "\"DAY\"", "granularity" },
	END,
};

const sg_attr sg_schema_table[] = {
	{ "name", SG_T_STRING, SG_A_FORCE_NEW, NULL, NULL, NULL, NULL, "the table id" },
	{ "dataset", SG_T_STRING, SG_A_REQUIRED | SG_A_FORCE_NEW, NULL, NULL, NULL, NULL, "the dataset (its key)" },
	{ "schema", SG_T_LIST, SG_A_REQUIRED | SG_A_FORCE_NEW, &column_elem, NULL, NULL, NULL, "columns" },
	{ "partitioning", SG_T_OBJECT, SG_A_FORCE_NEW, NULL, partitioning_fields, NULL, NULL, "time partitioning" },
	{ "clustering", SG_T_LIST, SG_A_FORCE_NEW, &string_elem, NULL, NULL, NULL, "clustering columns" },
	{ "description", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "description" },
	{ "labels", SG_T_MAP, 0, &string_elem, NULL, NULL, NULL, "labels" },
	{ "self_link", SG_T_STRING, SG_A_COMPUTED, NULL, NULL, NULL, NULL, "where the table lives" },
	END,
};

const sg_attr sg_schema_view[] = {
	{ "name", SG_T_STRING, SG_A_FORCE_NEW, NULL, NULL, NULL, NULL, "the view id" },
	{ "dataset", SG_T_STRING, SG_A_REQUIRED | SG_A_FORCE_NEW, NULL, NULL, NULL, NULL, "the dataset (its key)" },
	{ "query", SG_T_STRING, SG_A_REQUIRED, NULL, NULL, NULL, NULL, "the view's SQL" },
	{ "description", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "description" },
	{ "labels", SG_T_MAP, 0, &string_elem, NULL, NULL, NULL, "labels" },
	{ "self_link", SG_T_STRING, SG_A_COMPUTED, NULL, NULL, NULL, NULL, "where the view lives" },
	END,
};

static const char *const ext_formats[] = { "CSV", "NEWLINE_DELIMITED_JSON", "PARQUET", NULL };
static const char *const hive_modes[] = { "AUTO", "STRINGS", "CUSTOM", NULL };
static const sg_attr hive_fields[] = {
	{ "mode", SG_T_STRING, SG_A_UPPER, NULL, NULL, hive_modes, "\"AUTO\"", "how partition keys are typed" },
	{ "source_uri_prefix", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "the gs:// prefix before the key=value path" },
	END,
};
const sg_attr sg_schema_csv_fields[] = {
	{ "skip_leading_rows", SG_T_INT, 0, NULL, NULL, NULL, "0", "header rows to skip" },
	{ "field_delimiter", SG_T_STRING, 0, NULL, NULL, NULL, "\",\"", "field separator" },
	{ "quote", SG_T_STRING, 0, NULL, NULL, NULL, "\"\\\"\"", "quote character" },
	END,
};

const sg_attr sg_schema_external_table[] = {
	{ "name", SG_T_STRING, SG_A_FORCE_NEW, NULL, NULL, NULL, NULL, "the table id" },
	{ "dataset", SG_T_STRING, SG_A_REQUIRED | SG_A_FORCE_NEW, NULL, NULL, NULL, NULL, "the dataset (its key)" },
	{ "format", SG_T_STRING, SG_A_REQUIRED | SG_A_UPPER, NULL, NULL, ext_formats, NULL, "source format" },
	{ "source_uris", SG_T_LIST, SG_A_REQUIRED, &string_elem, NULL, NULL, NULL, "gs:// URIs, * allowed" },
	{ "hive_partitioning", SG_T_OBJECT, 0, NULL, hive_fields, NULL, NULL, "hive partitioning" },
	{ "csv", SG_T_OBJECT, 0, NULL, sg_schema_csv_fields, NULL, NULL, "CSV options" },
	{ "schema", SG_T_LIST, 0, &column_elem, NULL, NULL, NULL, "columns (detected when absent)" },
	{ "description", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "description" },
	{ "labels", SG_T_MAP, 0, &string_elem, NULL, NULL, NULL, "labels" },
	{ "self_link", SG_T_STRING, SG_A_COMPUTED, NULL, NULL, NULL, NULL, "where the table lives" },
	END,
};

static const sg_attr param_fields[] = {
	{ "default", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "value when a run does not set it" },
	{ "description", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "what it means" },
	END,
};
static const sg_attr param_elem = { "", SG_T_OBJECT, 0, NULL, param_fields, NULL, NULL, NULL };
static const sg_attr any_elem = { "", SG_T_ANY, 0, NULL, NULL, NULL, NULL, NULL };

const sg_attr sg_schema_workflow_template[] = {
	{ "name", SG_T_STRING, SG_A_FORCE_NEW, NULL, NULL, NULL, NULL, "the template id" },
	{ "description", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "description" },
	{ "params", SG_T_MAP, 0, &param_elem, NULL, NULL, NULL, "parameters, with defaults" },
	{ "steps", SG_T_LIST, SG_A_REQUIRED, &any_elem, NULL, NULL, NULL, "the steps, a DAG by `needs`" },
	{ "on_failure", SG_T_LIST, 0, &any_elem, NULL, NULL, NULL, "steps run when a run fails" },
	{ "labels", SG_T_MAP, 0, &string_elem, NULL, NULL, NULL, "labels" },
	END,
};

const sg_attr sg_schema_retry_fields[] = {
	{ "count", SG_T_INT, 0, NULL, NULL, NULL, "0", "retries after a failure" },
	{ "interval", SG_T_DURATION, 0, NULL, NULL, NULL, "0", "wait between retries" },
	END,
};

const sg_attr sg_schema_scheduler[] = {
	{ "name", SG_T_STRING, SG_A_FORCE_NEW, NULL, NULL, NULL, NULL, "the job id" },
	{ "description", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "description" },
	{ "schedule", SG_T_STRING, SG_A_REQUIRED, NULL, NULL, NULL, NULL, "unix-cron expression" },
	{ "time_zone", SG_T_STRING, 0, NULL, NULL, NULL, "\"Etc/UTC\"", "IANA time zone" },
	{ "workflow", SG_T_STRING, SG_A_REQUIRED, NULL, NULL, NULL, NULL, "the workflow_template it runs" },
	{ "args", SG_T_MAP, 0, &string_elem, NULL, NULL, NULL, "arguments of each run" },
	{ "paused", SG_T_BOOL, 0, NULL, NULL, NULL, "false", "do not run until resumed" },
	{ "retry", SG_T_OBJECT, 0, NULL, sg_schema_retry_fields, NULL, NULL, "retries of a failed run" },
	END,
};

static const char *const repo_formats[] = { "DOCKER", "PYTHON", "GENERIC", NULL };
static const sg_attr cleanup_fields[] = {
	{ "keep_count", SG_T_INT, 0, NULL, NULL, NULL, NULL, "versions kept per package" },
	END,
};

const sg_attr sg_schema_artifact_repo[] = {
	{ "name", SG_T_STRING, SG_A_FORCE_NEW, NULL, NULL, NULL, NULL, "the repository id" },
	{ "format", SG_T_STRING, SG_A_REQUIRED | SG_A_FORCE_NEW | SG_A_UPPER, NULL, NULL, repo_formats, NULL,
	  "DOCKER, PYTHON or GENERIC" },
	{ "location", SG_T_STRING, SG_A_FORCE_NEW, NULL, NULL, NULL, "\"us\"", "location" },
	{ "description", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "description" },
	{ "labels", SG_T_MAP, 0, &string_elem, NULL, NULL, NULL, "labels" },
	{ "cleanup", SG_T_OBJECT, 0, NULL, cleanup_fields, NULL, NULL, "cleanup policy" },
	{ "url", SG_T_STRING, SG_A_COMPUTED, NULL, NULL, NULL, NULL, "where artifacts are pushed" },
	END,
};

bool sg_name_valid_bucket(const char *name, sg_buf *why)
{
	return sg_bucket_name_valid(name, why);
}

bool sg_name_valid_bigquery(const char *name, sg_buf *why)
{
	size_t n = strlen(name);
	if (n == 0 || n > 1024) {
		sg_buf_printf(why, "a BigQuery name has 1 to 1024 characters");
		return false;
	}
	if (!(isalpha((unsigned char)name[0]) || name[0] == '_')) {
		sg_buf_printf(why, "a BigQuery name starts with a letter or '_': \"%s\"", name);
		return false;
	}
	for (const char *p = name; *p; p++) {
		if (!(isalnum((unsigned char)*p) || *p == '_')) {
			sg_buf_printf(why, "a BigQuery name has only letters, digits and '_', \"%s\" has '%c'", name, *p);
			return false;
		}
	}
	return true;
}

bool sg_name_valid_workflow_template(const char *name, sg_buf *why)
{
	size_t n = strlen(name);
	if (n < 3 || n > 50) {
		sg_buf_printf(why, "a workflow template id has 3 to 50 characters, \"%s\" has %zu", name, n);
		return false;
	}
	for (const char *p = name; *p; p++) {
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-')) {
			sg_buf_printf(why, "a workflow template id has only letters, digits, '_' and '-', \"%s\" has '%c'",
				      name, *p);
			return false;
		}
	}
	if (!isalnum((unsigned char)name[0]) || !isalnum((unsigned char)name[n - 1])) {
		sg_buf_printf(why, "a workflow template id starts and ends with a letter or digit: \"%s\"", name);
		return false;
	}
	return true;
}

bool sg_name_valid_scheduler(const char *name, sg_buf *why)
{
	size_t n = strlen(name);
	if (n == 0 || n > 500) {
		sg_buf_printf(why, "a scheduler job id has 1 to 500 characters");
		return false;
	}
	for (const char *p = name; *p; p++) {
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-')) {
			sg_buf_printf(why, "a scheduler job id has only letters, digits, '_' and '-', \"%s\" has '%c'",
				      name, *p);
			return false;
		}
	}
	return true;
}

bool sg_name_valid_artifact_repo(const char *name, sg_buf *why)
{
	size_t n = strlen(name);
	if (n == 0 || n > 63) {
		sg_buf_printf(why, "a repository id has 1 to 63 characters");
		return false;
	}
	for (const char *p = name; *p; p++) {
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-')) {
			sg_buf_printf(why, "a repository id has only lower-case letters, digits and '-', \"%s\" has '%c'",
				      name, *p);
			return false;
		}
	}
	if (!islower((unsigned char)name[0]) || name[n - 1] == '-') {
		sg_buf_printf(why, "a repository id starts with a letter and does not end with '-': \"%s\"", name);
		return false;
	}
	return true;
}

const char *sg_column_type_canonical(const char *type)
{
	static const char *const aliases[][2] = {
		{ "INTEGER", "INT64" },	  { "FLOAT", "FLOAT64" },     { "BOOLEAN", "BOOL" },
		{ "DECIMAL", "NUMERIC" }, { "BIGDECIMAL", "BIGNUMERIC" },
	};
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (!strcasecmp(type, aliases[i][0]))
			return aliases[i][1];
	}
	return type;
}

bool sg_name_valid_column(const char *name, sg_buf *why)
{
	if (strlen(name) > 300) {
		sg_buf_printf(why, "a column name has at most 300 characters");
		return false;
	}
	return sg_name_valid_bigquery(name, why);
}
