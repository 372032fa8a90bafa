/* Printing plans and apply progress the way Terraform users read them. */
#ifndef SG_CLI_RENDER_H
#define SG_CLI_RENDER_H

#include "cli/cli.h"
#include "core/apply.h"
#include "core/plan.h"

#include <jansson.h>
#include <stdio.h>

/* The whole plan: actions, changes to outputs (against `old_outputs`, the state's), summary line. */
void sg_render_plan(FILE *out, const sg_cli *cli, const sg_plan *plan, const json_t *old_outputs);
/* "Objects have changed outside of sigma:" and each drift; nothing when there is none. */
void sg_render_drift(FILE *out, const sg_cli *cli, const sg_vec *drifts);
/* One value as the plan shows it ("x", 3, true, (known after apply), { ... }). */
void sg_render_value(sg_buf *out, const json_t *v, int indent);
/* The apply observer (ctx is the sg_cli). */
void sg_render_apply_event(const sg_apply_event *ev, void *ctx);
/* "Outputs:" and each output, from the state's outputs object. */
void sg_render_outputs(FILE *out, const sg_cli *cli, const json_t *outputs);

#endif
