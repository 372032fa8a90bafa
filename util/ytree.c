#include "util/ytree.h"

#include "util/alloc.h"
#include "util/strmap.h"
#include "util/vec.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct frame {
	sg_ynode *node;
	sg_vec children; /* sequence items, or alternating keys and values */
} frame;

typedef struct parser {
	sg_arena *arena;
	const char *file;
	sg_diags *diags;
	frame *stack;
	size_t depth, cap;
	size_t used; /* frames whose child vector has been initialised */
	sg_strmap anchors;
	sg_ynode *root;
	bool failed;
} parser;

static sg_pos mark_pos(const parser *p, yaml_mark_t m)
{
	sg_pos pos = { p->file, (int)m.line + 1, (int)m.column + 1 };
	return pos;
}

static sg_ynode *new_node(parser *p, sg_ynode_kind kind, yaml_mark_t m)
{
	sg_ynode *n = sg_arena_alloc(p->arena, sizeof(*n));
	n->kind = kind;
	n->pos = mark_pos(p, m);
	return n;
}

static void remember_anchor(parser *p, const yaml_char_t *anchor, sg_ynode *n)
{
	if (anchor)
		sg_strmap_put(&p->anchors, sg_arena_strdup(p->arena, (const char *)anchor), n);
}

/* Attach a finished node to its parent (or make it the root). */
static void attach(parser *p, sg_ynode *n)
{
	if (p->depth == 0) {
		p->root = n;
		return;
	}
	sg_vec_push(&p->stack[p->depth - 1].children, n);
}

static void push(parser *p, sg_ynode *n)
{
	if (p->depth == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->stack = sg_realloc(p->stack, p->cap * sizeof(*p->stack));
	}
	/* a level's child vector is kept between nodes: far fewer mallocs on big files */
	frame *f = &p->stack[p->depth++];
	if (p->depth > p->used) {
		memset(&f->children, 0, sizeof(f->children));
		p->used = p->depth;
	}
	f->node = n;
	f->children.n = 0;
}

static void pop(parser *p)
{
	frame *f = &p->stack[--p->depth];
	sg_ynode *n = f->node;
	if (n->kind == SG_Y_SEQ) {
		n->n = f->children.n;
		n->items = sg_arena_alloc(p->arena, n->n * sizeof(*n->items));
		memcpy(n->items, f->children.items, n->n * sizeof(*n->items));
	} else {
		n->n = f->children.n / 2;
		n->pairs = sg_arena_alloc(p->arena, n->n * sizeof(*n->pairs));
		for (size_t i = 0; i < n->n; i++) {
			sg_ynode *k = f->children.items[2 * i];
			sg_ynode *v = f->children.items[2 * i + 1];
			if (k->kind != SG_Y_SCALAR) {
				sg_diags_error(p->diags, &k->pos, "a mapping key must be a plain string, found a %s",
					       sg_ynode_describe(k));
				p->failed = true;
			} else {
				for (size_t j = 0; j < i; j++) {
					const sg_ynode *pk = n->pairs[j].key;
					if (pk->kind == SG_Y_SCALAR && pk->len == k->len &&
					    !memcmp(pk->str, k->str, k->len)) {
						sg_diags_error(p->diags, &k->pos,
							       "duplicate key \"%s\" (first at line %d)", k->str,
							       pk->pos.line);
						p->failed = true;
						break;
					}
				}
			}
			n->pairs[i].key = k;
			n->pairs[i].value = v;
		}
	}
	attach(p, n);
}

int sg_yaml_parse(sg_arena *a, const char *file, const char *data, size_t len, sg_ynode **out,
		  sg_diags *d)
{
	parser p = { 0 };
	p.arena = a;
	p.file = file;
	p.diags = d;
	*out = NULL;

	yaml_parser_t yp;
	if (!yaml_parser_initialize(&yp)) {
		sg_pos pos = { p.file, 0, 0 };
		sg_diags_error(d, &pos, "cannot initialise the YAML parser");
		return -1;
	}
	yaml_parser_set_input_string(&yp, (const unsigned char *)data, len);
	yaml_parser_set_encoding(&yp, YAML_UTF8_ENCODING);

	int documents = 0;
	bool done = false;
	while (!done && !p.failed) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&yp, &ev)) {
			sg_pos pos = mark_pos(&p, yp.problem_mark);
			/* ${...} inside { } or [ ] is the usual cause: braces end a flow mapping */
			const char *hint = "";
			const char *line = data;
			for (size_t ln = 0; line && ln < yp.problem_mark.line; ln++) {
				line = memchr(line, '\n', len - (size_t)(line - data));
				line = line ? line + 1 : NULL;
			}
			if (line) {
				const char *end = memchr(line, '\n', len - (size_t)(line - data));
				size_t n = end ? (size_t)(end - line) : len - (size_t)(line - data);
				if (memmem(line, n, "${", 2) && (memchr(line, '{', n) != memmem(line, n, "${", 2) + 1 || memchr(line, '[', n)))
					hint = " (a value holding ${...} inside { } or [ ] must be quoted: \"${...}\")";
			}
			if (yp.context)
				sg_diags_error(d, &pos, "YAML syntax error: %s %s%s", yp.problem ? yp.problem : "",
					       yp.context, hint);
			else
				sg_diags_error(d, &pos, "YAML syntax error: %s%s", yp.problem ? yp.problem : "invalid YAML", hint);
			p.failed = true;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1) {
				sg_pos pos = mark_pos(&p, ev.start_mark);
				sg_diags_error(d, &pos, "expected one YAML document per file, found a second one");
				p.failed = true;
			}
			break;
		case YAML_SCALAR_EVENT: {
			sg_ynode *n = new_node(&p, SG_Y_SCALAR, ev.start_mark);
			n->str = sg_arena_strndup(a, (const char *)ev.data.scalar.value, ev.data.scalar.length);
			n->len = ev.data.scalar.length;
			n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev.data.scalar.tag;
			if (ev.data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
			    ev.data.scalar.style == YAML_FOLDED_SCALAR_STYLE) {
				/* the text starts on the line after the indicator, at its indentation */
				size_t at = ev.start_mark.index;
				while (at < len && data[at] != '\n')
					at++;
				int line = (int)ev.start_mark.line + 1;
				while (at < len) {
					at++; /* past the newline */
					line++;
					size_t col = 0;
					while (at + col < len && data[at + col] == ' ')
						col++;
					if (at + col < len && data[at + col] != '\n') {
						n->block_line = line;
						n->block_col = (int)col + 1;
						break;
					}
					at += col;
				}
				n->literal = ev.data.scalar.style == YAML_LITERAL_SCALAR_STYLE;
			}
			if (memchr(n->str, '\0', n->len)) {
				sg_diags_error(d, &n->pos, "a NUL character is not allowed in a value");
				p.failed = true;
			}
			remember_anchor(&p, ev.data.scalar.anchor, n);
			attach(&p, n);
			break;
		}
		case YAML_ALIAS_EVENT: {
			sg_ynode *n = sg_strmap_get(&p.anchors, (const char *)ev.data.alias.anchor);
			if (!n) {
				sg_pos pos = mark_pos(&p, ev.start_mark);
				sg_diags_error(d, &pos, "unknown YAML alias *%s", (const char *)ev.data.alias.anchor);
				p.failed = true;
			} else {
				attach(&p, n);
			}
			break;
		}
		case YAML_SEQUENCE_START_EVENT: {
			sg_ynode *n = new_node(&p, SG_Y_SEQ, ev.start_mark);
			remember_anchor(&p, ev.data.sequence_start.anchor, n);
			push(&p, n);
			break;
		}
		case YAML_MAPPING_START_EVENT: {
			sg_ynode *n = new_node(&p, SG_Y_MAP, ev.start_mark);
			remember_anchor(&p, ev.data.mapping_start.anchor, n);
			push(&p, n);
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			pop(&p);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&yp);
	for (size_t i = 0; i < p.used; i++)
		sg_vec_free(&p.stack[i].children);
	free(p.stack);
	sg_strmap_free(&p.anchors);
	if (p.failed)
		return -1;
	*out = p.root;
	if (p.root && p.root->kind == SG_Y_SCALAR && sg_yscalar_is_null(p.root))
		*out = NULL;
	return 0;
}

const sg_ypair *sg_ymap_pair(const sg_ynode *map, const char *key)
{
	if (!map || map->kind != SG_Y_MAP)
		return NULL;
	size_t klen = strlen(key);
	for (size_t i = 0; i < map->n; i++) {
		const sg_ynode *k = map->pairs[i].key;
		if (k->kind == SG_Y_SCALAR && k->len == klen && !memcmp(k->str, key, klen))
			return &map->pairs[i];
	}
	return NULL;
}

sg_ynode *sg_ymap_get(const sg_ynode *map, const char *key)
{
	const sg_ypair *p = sg_ymap_pair(map, key);
	return p ? p->value : NULL;
}

bool sg_yscalar_is_null(const sg_ynode *n)
{
	if (!n || n->kind != SG_Y_SCALAR || !n->plain)
		return false;
	return n->len == 0 || !strcmp(n->str, "~") || !strcmp(n->str, "null") ||
	       !strcmp(n->str, "Null") || !strcmp(n->str, "NULL");
}

int sg_yscalar_bool(const sg_ynode *n)
{
	if (!n || n->kind != SG_Y_SCALAR || !n->plain)
		return -1;
	if (!strcmp(n->str, "true") || !strcmp(n->str, "True") || !strcmp(n->str, "TRUE"))
		return 1;
	if (!strcmp(n->str, "false") || !strcmp(n->str, "False") || !strcmp(n->str, "FALSE"))
		return 0;
	return -1;
}

int sg_yscalar_int(const sg_ynode *n, int64_t *out)
{
	if (!n || n->kind != SG_Y_SCALAR || !n->plain || n->len == 0)
		return -1;
	const char *s = n->str;
	const char *digits = (*s == '-' || *s == '+') ? s + 1 : s;
	if (!isdigit((unsigned char)*digits))
		return -1;
	int base = 10;
	if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
		base = 16;
	else if (digits[0] == '0' && digits[1] == 'o')
		base = 8;
	errno = 0;
	char *end = NULL;
	const char *start = base == 10 ? s : digits + 2;
	long long v = strtoll(start, &end, base);
	if (errno || !end || *end || end == start)
		return -1;
	if (base != 10 && *s == '-')
		v = -v;
	*out = v;
	return 0;
}

int sg_yscalar_number(const sg_ynode *n, double *out)
{
	int64_t i;
	if (sg_yscalar_int(n, &i) == 0) {
		*out = (double)i;
		return 0;
	}
	if (!n || n->kind != SG_Y_SCALAR || !n->plain || n->len == 0)
		return -1;
	errno = 0;
	char *end = NULL;
	double v = strtod(n->str, &end);
	if (errno || !end || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

const char *sg_ynode_describe(const sg_ynode *n)
{
	if (!n)
		return "nothing";
	switch (n->kind) {
	case SG_Y_MAP:
		return "mapping";
	case SG_Y_SEQ:
		return "sequence";
	case SG_Y_SCALAR:
		break;
	}
	if (sg_yscalar_is_null(n))
		return "null";
	if (sg_yscalar_bool(n) >= 0)
		return "boolean";
	double dv;
	if (sg_yscalar_number(n, &dv) == 0)
		return "number";
	return "string";
}
