/*
 * Plans (sg_plan_build): what `sigma plan` would show, from manifests in a
 * temporary project and a state in its .sigma directory. "Applying" here
 * means recording each planned change in the state the way apply does
 * (sg_plan_state_entry + sg_state_put), with the computed attributes a
 * provider would return.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/plan.h"
#include "core/schema_check.h"
#include "core/value.h"
#include "providers/local/local.h"
#include "unit_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fixture {
	char *dir;
	sg_manifest *m;
	sg_state *st;
	sg_plan *p;
	sg_diags d;
} fixture;

static void fx_load_manifest(fixture *f, const char *yaml, const sg_load_opts *opts)
{
	sg_manifest_free(f->m);
	f->m = NULL;
	ut_write(f->dir, "sigma.yaml", yaml);
	sg_load_opts none = { 0 };
	sg_diags_free(&f->d);
	int rc = sg_manifest_load(f->dir, sg_local_provider_schema(), opts ? opts : &none, &f->m, &f->d);
	if (rc != 0) {
		ut_print_diags(&f->d);
		fail_msg("the manifest does not load");
	}
}

static void fx_init(fixture *f, const char *yaml)
{
	memset(f, 0, sizeof(*f));
	f->dir = ut_mkdtemp();
	fx_load_manifest(f, yaml, NULL);
	sg_error err = SG_ERROR_INIT;
	if (sg_state_load(f->m->state_dir, &f->st, &err) < 0)
		fail_msg("state: %s", sg_error_msg(&err));
}

static void fx_free(fixture *f)
{
	sg_plan_free(f->p);
	sg_state_free(f->st);
	sg_manifest_free(f->m);
	sg_diags_free(&f->d);
	ut_rmdir(f->dir);
}

/* Plan; asserts success unless `expect_fail`. */
static int fx_plan(fixture *f, bool expect_fail)
{
	sg_plan_free(f->p);
	f->p = NULL;
	sg_diags_free(&f->d);
	int rc = sg_plan_build(f->m, f->st, NULL, &f->p, &f->d);
	if (!expect_fail && rc != 0) {
		ut_print_diags(&f->d);
		fail_msg("the plan failed");
	}
	if (expect_fail && rc == 0)
		fail_msg("the plan succeeded, expected a failure");
	return rc;
}

static sg_change *change(const fixture *f, const char *address)
{
	for (size_t i = 0; i < f->p->changes.n; i++) {
		sg_change *c = f->p->changes.items[i];
		if (!strcmp(c->address, address))
			return c;
	}
	fail_msg("no change for %s in the plan", address);
	return NULL;
}

static bool has_str(const sg_vec *v, const char *needle, bool substring)
{
	for (size_t i = 0; i < v->n; i++) {
		const char *s = v->items[i];
		if (substring ? strstr(s, needle) != NULL : !strcmp(s, needle))
			return true;
	}
	return false;
}

/*
 * Record every create/update/replace of the plan in the state, as apply
 * would: in plan order, each resource's attributes evaluated again against
 * what the resources before it "returned" (sg_change.applied), computed
 * attributes filled in as a provider would.
 */
static void fx_apply(fixture *f)
{
	sg_error err = SG_ERROR_INIT;
	sg_strmap by_address = SG_STRMAP_INIT;
	for (size_t i = 0; i < f->p->changes.n; i++) {
		sg_change *c = f->p->changes.items[i];
		sg_strmap_put(&by_address, c->address, c);
	}
	sg_eval_ctx ctx = { f->m, &by_address };
	for (size_t i = 0; i < f->p->changes.n; i++) {
		sg_change *c = f->p->changes.items[i];
		if (c->action == SG_ACT_NOOP)
			continue;
		if (c->action == SG_ACT_DELETE) {
			assert_int_equal(sg_state_remove(f->st, c->address, &err), 0);
			continue;
		}
		json_t *attrs = json_object();
		const char *k;
		json_t *v;
		json_object_foreach(c->res->config, k, v) {
			bool sens = false;
			json_t *ev = sg_expr_eval(v, sg_eval_resolve, &ctx, &sens, &err);
			if (!ev)
				fail_msg("%s.%s: %s", c->address, k, sg_error_msg(&err));
			json_object_set_new(attrs, k, ev);
		}
		assert_int_equal(sg_schema_coerce_object(c->kind->attrs, attrs, &err), 0);
		for (const sg_attr *a = c->kind->attrs; a->name; a++) {
			if (!(a->flags & SG_A_COMPUTED))
				continue;
			const json_t *pv = json_object_get(c->after, a->name);
			if (pv && !sg_is_unknown(pv)) {
				json_object_set(attrs, a->name, (json_t *)pv);
			} else {
				char cv[300];
				snprintf(cv, sizeof(cv), "computed://%s/%s", c->address, a->name);
				json_object_set_new(attrs, a->name, json_string(cv));
			}
		}
		assert_false(sg_has_unknown(attrs));
		c->applied = json_incref(attrs);
		json_t *e = sg_plan_state_entry(c->res, attrs, c->after_sensitive, c->prior_entry);
		json_decref(attrs);
		if (sg_state_put(f->st, c->address, e, &err) < 0)
			fail_msg("put: %s", sg_error_msg(&err));
	}
	sg_strmap_free(&by_address);
	/* outputs as apply records them: sensitive ones as a protected hash */
	json_t *outputs = json_object();
	const char *ok;
	json_t *o;
	json_object_foreach(f->p->outputs, ok, o) {
		json_t *v = json_object_get(o, "value");
		assert_false(sg_has_unknown(v));
		if (json_is_true(json_object_get(o, "sensitive"))) {
			char *h = sg_state_protect(v, NULL);
			json_object_set_new(outputs, ok, json_pack("{s:s, s:b}", "hash", h, "sensitive", 1));
			free(h);
		} else {
			json_object_set_new(outputs, ok, json_pack("{s:O, s:b}", "value", v, "sensitive", 0));
		}
	}
	assert_int_equal(sg_state_set_outputs(f->st, outputs, &err), 0);
	sg_error_clear(&err);
}

static const char base_yaml[] =
	"bucket:\n"
	"  trigger:\n"
	"    name: company-trigger\n"
	"    labels: {env: dev}\n"
	"  output:\n"
	"    name: company-output\n"
	"    labels: {from: \"${bucket.trigger.url}\", name: \"${bucket.trigger.name}\"}\n"
	"dataset:\n"
	"  raw: {}\n"
	"table:\n"
	"  t:\n"
	"    dataset: raw\n"
	"    schema:\n"
	"      - {name: fecha, type: DATE, mode: REQUIRED}\n"
	"      - {name: anio, type: INT64}\n";

static void test_create_on_empty_state(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f, base_yaml);
	fx_plan(&f, false);
	assert_int_equal(f.p->changes.n, 4);
	assert_int_equal(f.p->nadd, 4);
	assert_int_equal(f.p->nchange, 0);
	assert_int_equal(f.p->ndestroy, 0);
	assert_true(sg_plan_has_changes(f.p));
	for (size_t i = 0; i < f.p->changes.n; i++) {
		sg_change *c = f.p->changes.items[i];
		assert_int_equal(c->action, SG_ACT_CREATE);
		assert_null(c->prior);
	}
	/* dependency order: the table after its dataset, output after trigger */
	size_t pos_t = 0, pos_raw = 0, pos_trigger = 0, pos_output = 0;
	for (size_t i = 0; i < f.p->changes.n; i++) {
		const char *a = ((sg_change *)f.p->changes.items[i])->address;
		if (!strcmp(a, "table.t"))
			pos_t = i;
		else if (!strcmp(a, "dataset.raw"))
			pos_raw = i;
		else if (!strcmp(a, "bucket.trigger"))
			pos_trigger = i;
		else if (!strcmp(a, "bucket.output"))
			pos_output = i;
	}
	assert_true(pos_raw < pos_t);
	assert_true(pos_trigger < pos_output);

	/* computed attributes are unknown until created; references to them too */
	sg_change *trigger = change(&f, "bucket.trigger");
	assert_true(sg_is_unknown(json_object_get(trigger->after, "url")));
	assert_true(sg_is_unknown(json_object_get(trigger->after, "self_link")));
	assert_string_equal(json_string_value(json_object_get(trigger->after, "location")), "US");
	sg_change *output = change(&f, "bucket.output");
	json_t *labels = json_object_get(output->after, "labels");
	assert_true(sg_is_unknown(json_object_get(labels, "from")));
	assert_string_equal(json_string_value(json_object_get(labels, "name")), "company-trigger");
	assert_int_equal(output->deps.n, 1);
	assert_ptr_equal(output->deps.items[0], trigger);
	assert_true(sg_is_unknown(json_object_get(change(&f, "dataset.raw")->after, "self_link")));
	/* `dataset: raw` resolves to the dataset's name */
	assert_string_equal(json_string_value(json_object_get(change(&f, "table.t")->after, "dataset")), "raw");
	fx_free(&f);
}

static void test_noop_after_apply(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f, base_yaml);
	fx_plan(&f, false);
	fx_apply(&f);
	fx_plan(&f, false);
	for (size_t i = 0; i < f.p->changes.n; i++) {
		sg_change *c = f.p->changes.items[i];
		if (c->action != SG_ACT_NOOP || c->changed.n || c->meta_changed)
			fail_msg("%s: action %d, %zu changed, meta_changed %d", c->address, c->action, c->changed.n,
				 c->meta_changed);
	}
	assert_int_equal(f.p->nadd + f.p->nchange + f.p->ndestroy, 0);
	assert_false(sg_plan_has_changes(f.p));
	/* the computed values now come from the state */
	sg_change *trigger = change(&f, "bucket.trigger");
	assert_string_equal(json_string_value(json_object_get(trigger->after, "url")), "computed://bucket.trigger/url");
	json_t *labels = json_object_get(change(&f, "bucket.output")->after, "labels");
	assert_string_equal(json_string_value(json_object_get(labels, "from")), "computed://bucket.trigger/url");

	/* the same holds after the state is persisted and loaded again */
	sg_error err = SG_ERROR_INIT;
	assert_int_equal(sg_state_persist(f.st, &err), 0);
	sg_state_free(f.st);
	assert_int_equal(sg_state_load(f.m->state_dir, &f.st, &err), 0);
	fx_plan(&f, false);
	assert_false(sg_plan_has_changes(f.p));
	fx_free(&f);
}

static void test_label_change_updates(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f, base_yaml);
	fx_plan(&f, false);
	fx_apply(&f);
	char *yaml = strdup(base_yaml);
	memcpy(strstr(yaml, "{env: dev}"), "{env: prd}", 10);
	fx_load_manifest(&f, yaml, NULL);
	free(yaml);
	fx_plan(&f, false);
	sg_change *c = change(&f, "bucket.trigger");
	assert_int_equal(c->action, SG_ACT_UPDATE);
	assert_int_equal(c->changed.n, 1);
	assert_true(has_str(&c->changed, "labels", false));
	assert_int_equal(c->replace_reasons.n, 0);
	/* an update keeps the computed attributes */
	assert_string_equal(json_string_value(json_object_get(c->after, "url")), "computed://bucket.trigger/url");
	assert_int_equal(f.p->nchange, 1);
	assert_int_equal(f.p->nadd, 0);
	assert_int_equal(f.p->ndestroy, 0);
	assert_int_equal(change(&f, "bucket.output")->action, SG_ACT_NOOP);
	fx_free(&f);
}

static void test_location_change_replaces(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f, base_yaml);
	fx_plan(&f, false);
	fx_apply(&f);
	char *yaml = strdup(base_yaml);
	/* give the trigger bucket a location */
	const char *from = "    labels: {env: dev}\n";
	char *at = strstr(yaml, from);
	sg_buf b = SG_BUF_INIT;
	sg_buf_put(&b, yaml, (size_t)(at - yaml));
	sg_buf_puts(&b, "    labels: {env: dev}\n    location: eu\n");
	sg_buf_puts(&b, at + strlen(from));
	free(yaml);
	fx_load_manifest(&f, b.ptr, NULL);
	sg_buf_free(&b);
	fx_plan(&f, false);
	sg_change *c = change(&f, "bucket.trigger");
	assert_int_equal(c->action, SG_ACT_REPLACE);
	assert_true(has_str(&c->changed, "location", false));
	assert_int_equal(c->replace_reasons.n, 1);
	assert_string_equal(c->replace_reasons.items[0], "location");
	/* a replaced resource's computed attributes are unknown again, and so is what refers to them */
	assert_true(sg_is_unknown(json_object_get(c->after, "url")));
	sg_change *out = change(&f, "bucket.output");
	assert_int_equal(out->action, SG_ACT_UPDATE);
	assert_true(has_str(&out->changed, "labels", false));
	assert_int_equal(f.p->nadd, 1);
	assert_int_equal(f.p->ndestroy, 1);
	assert_int_equal(f.p->nchange, 1);
	fx_free(&f);
}

static void test_table_schema_changes(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f, base_yaml);
	fx_plan(&f, false);
	fx_apply(&f);

	/* a new NULLABLE column: in place */
	sg_buf b = SG_BUF_INIT;
	sg_buf_printf(&b, "%s      - {name: mes, type: INT64, mode: NULLABLE}\n", base_yaml);
	fx_load_manifest(&f, b.ptr, NULL);
	fx_plan(&f, false);
	sg_change *c = change(&f, "table.t");
	assert_int_equal(c->action, SG_ACT_UPDATE);
	assert_true(has_str(&c->changed, "schema", false));
	assert_int_equal(c->replace_reasons.n, 0);

	/* a new REQUIRED column: replace, naming the column */
	sg_buf_clear(&b);
	sg_buf_printf(&b, "%s      - {name: mes, type: INT64, mode: REQUIRED}\n", base_yaml);
	fx_load_manifest(&f, b.ptr, NULL);
	fx_plan(&f, false);
	c = change(&f, "table.t");
	assert_int_equal(c->action, SG_ACT_REPLACE);
	assert_true(has_str(&c->replace_reasons, "new column mes is REQUIRED", true));

	/* a column changes type: replace, naming the column */
	char *yaml = strdup(base_yaml);
	memcpy(strstr(yaml, "{name: anio, type: INT64}"), "{name: anio, type: DATE }", 25);
	fx_load_manifest(&f, yaml, NULL);
	free(yaml);
	fx_plan(&f, false);
	c = change(&f, "table.t");
	assert_int_equal(c->action, SG_ACT_REPLACE);
	assert_int_equal(c->replace_reasons.n, 1);
	assert_true(has_str(&c->replace_reasons, "schema: column anio changes type from INT64 to DATE", false));

	/* a dropped column: replace */
	sg_buf_clear(&b);
	sg_buf_put(&b, base_yaml, (size_t)(strstr(base_yaml, "      - {name: anio") - base_yaml));
	fx_load_manifest(&f, b.ptr, NULL);
	fx_plan(&f, false);
	c = change(&f, "table.t");
	assert_int_equal(c->action, SG_ACT_REPLACE);
	assert_true(has_str(&c->replace_reasons, "column anio is dropped", true));
	sg_buf_free(&b);
	fx_free(&f);
}

static void test_dataset_replace_replaces_table(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f, base_yaml);
	fx_plan(&f, false);
	fx_apply(&f);
	sg_buf b = SG_BUF_INIT;
	const char *from = "  raw: {}\n";
	const char *at = strstr(base_yaml, from);
	sg_buf_put(&b, base_yaml, (size_t)(at - base_yaml));
	sg_buf_puts(&b, "  raw: {location: EU}\n");
	sg_buf_puts(&b, at + strlen(from));
	fx_load_manifest(&f, b.ptr, NULL);
	sg_buf_free(&b);
	fx_plan(&f, false);
	assert_int_equal(change(&f, "dataset.raw")->action, SG_ACT_REPLACE);
	sg_change *t = change(&f, "table.t");
	assert_int_equal(t->action, SG_ACT_REPLACE);
	assert_true(has_str(&t->replace_reasons, "dataset.raw is replaced", true));
	fx_free(&f);
}

static void test_removed_resource_deleted(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f, base_yaml);
	fx_plan(&f, false);
	fx_apply(&f);
	/* the manifest no longer declares bucket.output */
	sg_buf b = SG_BUF_INIT;
	const char *start = strstr(base_yaml, "  output:\n");
	const char *end = strstr(base_yaml, "dataset:\n");
	sg_buf_put(&b, base_yaml, (size_t)(start - base_yaml));
	sg_buf_puts(&b, end);
	fx_load_manifest(&f, b.ptr, NULL);
	sg_buf_free(&b);
	fx_plan(&f, false);
	sg_change *c = change(&f, "bucket.output");
	assert_int_equal(c->action, SG_ACT_DELETE);
	assert_null(c->res);
	assert_null(c->after);
	assert_non_null(c->prior);
	assert_string_equal(json_string_value(json_object_get(c->prior, "name")), "company-output");
	assert_ptr_equal(c->kind, sg_provider_kind(sg_local_provider_schema(), "bucket"));
	assert_int_equal(f.p->ndestroy, 1);
	assert_int_equal(f.p->nadd, 0);
	assert_int_equal(f.p->nchange, 0);
	/* destroys come after the declared changes */
	assert_ptr_equal(f.p->changes.items[f.p->changes.n - 1], c);

	/* -destroy: everything in the state goes */
	sg_plan_free(f.p);
	f.p = NULL;
	sg_plan_opts opts = { .destroy = true };
	assert_int_equal(sg_plan_build(f.m, f.st, &opts, &f.p, &f.d), 0);
	assert_true(f.p->is_destroy);
	assert_int_equal(f.p->ndestroy, 4);
	assert_int_equal(f.p->changes.n, 4);
	/* the table goes before its dataset */
	sg_change *t = change(&f, "table.t");
	assert_int_equal(t->dependents.n, 0);
	sg_change *raw = change(&f, "dataset.raw");
	assert_int_equal(raw->dependents.n, 1);
	assert_ptr_equal(raw->dependents.items[0], t);

	/* a resource whose kind the manifests no longer declare at all: still a destroy of that kind */
	sg_plan_free(f.p);
	f.p = NULL;
	fx_load_manifest(&f, "dataset:\n  raw: {}\n", NULL);
	fx_plan(&f, false);
	assert_int_equal(f.p->ndestroy, 3);
	c = change(&f, "bucket.trigger");
	assert_int_equal(c->action, SG_ACT_DELETE);
	assert_ptr_equal(c->kind, sg_provider_kind(sg_local_provider_schema(), "bucket"));
	assert_ptr_equal(change(&f, "table.t")->kind, sg_provider_kind(sg_local_provider_schema(), "table"));
	assert_int_equal(change(&f, "dataset.raw")->action, SG_ACT_NOOP);
	fx_free(&f);
}

static void test_prevent_destroy(void **state)
{
	(void)state;
	static const char yaml[] = "bucket:\n"
				   "  vault:\n"
				   "    name: company-vault\n"
				   "    prevent_destroy: true\n";
	fixture f;
	fx_init(&f, yaml);
	fx_plan(&f, false);
	assert_true(change(&f, "bucket.vault")->res->prevent_destroy);
	fx_apply(&f);
	/* an in-place change is fine */
	fx_load_manifest(&f, "bucket:\n  vault:\n    name: company-vault\n    prevent_destroy: true\n"
			     "    labels: {a: b}\n", NULL);
	fx_plan(&f, false);
	assert_int_equal(change(&f, "bucket.vault")->action, SG_ACT_UPDATE);
	/* a replacing change fails the plan, naming the resource and the cause */
	fx_load_manifest(&f, "bucket:\n  vault:\n    name: company-vault2\n    prevent_destroy: true\n", NULL);
	fx_plan(&f, true);
	const sg_diag *g = ut_expect_diag(&f.d, "prevent_destroy");
	assert_non_null(strstr(g->msg, "would replace bucket.vault"));
	assert_non_null(strstr(g->msg, "forced by name"));
	assert_string_equal(g->address, "bucket.vault");
	assert_int_equal(g->line, 2);
	/* removing it from the manifests fails too (the state remembers prevent_destroy) */
	fx_load_manifest(&f, "dataset:\n  other: {}\n", NULL);
	fx_plan(&f, true);
	g = ut_expect_diag(&f.d, "would destroy bucket.vault");
	assert_non_null(strstr(g->msg, "prevent_destroy"));
	fx_free(&f);
}

static const char secret_yaml[] =
	"variables:\n"
	"  token: {type: string, sensitive: true, default: s3cr3t-t0ken-value}\n"
	"bucket:\n"
	"  vault:\n"
	"    name: company-vault\n"
	"    labels: {token: \"${var.token}\", env: dev}\n"
	"  copy:\n"
	"    name: company-copy\n"
	"    labels: {from: \"${bucket.vault.labels.token}\"}\n"
	"outputs:\n"
	"  vault_name: ${bucket.vault.name}\n"
	"  token_out: {value: \"${var.token}\"}\n";

static void assert_no_secret_in_file(const fixture *f, const char *rel, const char *secret)
{
	if (!ut_exists(f->dir, rel))
		return;
	sg_buf text = SG_BUF_INIT;
	ut_read(&text, f->dir, rel);
	if (strstr(text.ptr, secret))
		fail_msg("%s holds the secret in clear", rel);
	sg_buf_free(&text);
}

static void test_sensitive_values(void **state)
{
	(void)state;
	const char *secret = "s3cr3t-t0ken-value";
	fixture f;
	fx_init(&f, secret_yaml);
	fx_plan(&f, false);
	sg_change *vault = change(&f, "bucket.vault");
	assert_true(json_is_true(json_object_get(vault->after_sensitive, "labels")));
	assert_null(json_object_get(vault->after_sensitive, "name"));
	/* the value built from the secret is sensitive too */
	sg_change *copy = change(&f, "bucket.copy");
	assert_true(json_is_true(json_object_get(copy->after_sensitive, "labels")));
	/* the planned value itself is there for the provider */
	assert_string_equal(json_string_value(json_object_get(json_object_get(vault->after, "labels"), "token")), secret);

	/* the state entry holds a protected hash, not the secret */
	json_t *e = sg_plan_state_entry(vault->res, vault->after, vault->after_sensitive, NULL);
	char *dump = json_dumps(e, JSON_COMPACT);
	assert_null(strstr(dump, secret));
	assert_null(json_object_get(json_object_get(e, "attributes"), "labels"));
	const char *prot = json_string_value(json_object_get(json_object_get(e, "sensitive_attributes"), "labels"));
	assert_non_null(prot);
	assert_true(strncmp(prot, "hmac-sha256:", 12) == 0);
	assert_true(sg_state_protected_matches(prot, json_object_get(vault->after, "labels")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "attributes"), "name")), "company-vault");
	free(dump);
	json_decref(e);

	/* applied and persisted: neither the journal nor the state file holds it */
	fx_apply(&f);
	assert_no_secret_in_file(&f, ".sigma/state.json.journal", secret);
	sg_error err = SG_ERROR_INIT;
	assert_int_equal(sg_state_persist(f.st, &err), 0);
	assert_no_secret_in_file(&f, ".sigma/state.json", secret);

	/* the same secret: no change (the protected hash matches) */
	fx_plan(&f, false);
	assert_int_equal(change(&f, "bucket.vault")->action, SG_ACT_NOOP);
	assert_int_equal(change(&f, "bucket.copy")->action, SG_ACT_NOOP);
	assert_false(sg_plan_has_changes(f.p));

	/* another secret: an update, seen through the hash */
	const char *args[] = { "token=an0ther-s3cret" };
	sg_load_opts opts = { 0 };
	opts.var_args = args;
	opts.nvar_args = 1;
	fx_load_manifest(&f, secret_yaml, &opts);
	fx_plan(&f, false);
	vault = change(&f, "bucket.vault");
	assert_int_equal(vault->action, SG_ACT_UPDATE);
	assert_true(has_str(&vault->changed, "labels", false));
	assert_int_equal(change(&f, "bucket.copy")->action, SG_ACT_UPDATE);

	/* a re-recorded entry keeps the salt of the previous one */
	json_t *prior_prot = json_object_get(vault->prior_entry, "sensitive_attributes");
	const char *old = json_string_value(json_object_get(prior_prot, "labels"));
	e = sg_plan_state_entry(vault->res, vault->after, vault->after_sensitive, vault->prior_entry);
	const char *now = json_string_value(json_object_get(json_object_get(e, "sensitive_attributes"), "labels"));
	const char *salt_end = strchr(old + 12, ':');
	assert_memory_equal(old, now, (size_t)(salt_end - old));
	assert_string_not_equal(old, now);
	dump = json_dumps(e, JSON_COMPACT);
	assert_null(strstr(dump, "an0ther-s3cret"));
	free(dump);
	json_decref(e);
	fx_free(&f);
}

static void test_value_becoming_sensitive(void **state)
{
	(void)state;
	const char *secret = "s3cr3t-t0ken-value";
	static const char clear_yaml[] =
		"variables:\n"
		"  token: {type: string, default: s3cr3t-t0ken-value}\n"
		"bucket:\n"
		"  vault:\n"
		"    name: company-vault\n"
		"    labels: {token: \"${var.token}\"}\n";
	static const char sensitive_yaml[] =
		"variables:\n"
		"  token: {type: string, default: s3cr3t-t0ken-value, sensitive: true}\n"
		"bucket:\n"
		"  vault:\n"
		"    name: company-vault\n"
		"    labels: {token: \"${var.token}\"}\n";
	fixture f;
	fx_init(&f, clear_yaml);
	fx_plan(&f, false);
	fx_apply(&f);
	sg_error err = SG_ERROR_INIT;
	assert_int_equal(sg_state_persist(f.st, &err), 0);
	/* not sensitive yet: in clear, as expected */
	sg_buf text = SG_BUF_INIT;
	assert_non_null(strstr(ut_read(&text, f.dir, ".sigma/state.json"), secret));
	sg_buf_free(&text);

	/*
	 * Regression test for a bug this test found (fixed with it): the user marks the variable `sensitive: true`. The value did not
	 * change, so attr_differs() compares the clear prior with the new value,
	 * finds them equal, and the plan is NOOP with meta_changed false ("No
	 * changes"). Apply then records nothing, and the secret stays in clear
	 * in state.json for good, although the README promises a sensitive
	 * value "never appears in clear in the state file". The change of
	 * sensitivity should be a change (an update that re-records the
	 * attribute protected).
	 */
	fx_load_manifest(&f, sensitive_yaml, NULL);
	fx_plan(&f, false);
	sg_change *c = change(&f, "bucket.vault");
	assert_true(json_is_true(json_object_get(c->after_sensitive, "labels")));
	sg_action action = c->action;
	bool has_changes = sg_plan_has_changes(f.p);
	if (action == SG_ACT_NOOP && !c->meta_changed)
		print_message("bucket.vault: NOOP, the state keeps the now-sensitive labels in clear\n");
	fx_free(&f);
	assert_true(has_changes);
	assert_int_equal(action, SG_ACT_UPDATE);
}

static void test_outputs_planned(void **state)
{
	(void)state;
	fixture f;
	fx_init(&f, secret_yaml);
	fx_plan(&f, false);
	json_t *o = json_object_get(f.p->outputs, "vault_name");
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "value")), "company-vault");
	assert_true(json_is_false(json_object_get(o, "sensitive")));
	/* built from a secret: sensitive */
	o = json_object_get(f.p->outputs, "token_out");
	assert_true(json_is_true(json_object_get(o, "sensitive")));
	assert_true(f.p->outputs_changed);
	/* recorded (the secret one as a hash): no change, until the secret changes */
	fx_apply(&f);
	fx_plan(&f, false);
	assert_false(f.p->outputs_changed);
	const char *args[] = { "token=an0ther-s3cret" };
	sg_load_opts opts = { 0 };
	opts.var_args = args;
	opts.nvar_args = 1;
	fx_load_manifest(&f, secret_yaml, &opts);
	fx_plan(&f, false);
	assert_true(f.p->outputs_changed);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_on_empty_state),
		cmocka_unit_test(test_noop_after_apply),
		cmocka_unit_test(test_label_change_updates),
		cmocka_unit_test(test_location_change_replaces),
		cmocka_unit_test(test_table_schema_changes),
		cmocka_unit_test(test_dataset_replace_replaces_table),
		cmocka_unit_test(test_removed_resource_deleted),
		cmocka_unit_test(test_prevent_destroy),
		cmocka_unit_test(test_sensitive_values),
		cmocka_unit_test(test_value_becoming_sensitive),
		cmocka_unit_test(test_outputs_planned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
