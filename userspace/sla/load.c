// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - loading an SLA: bytes to a libyaml document to a fresh struct
 * sla. The SLA is built apart from anything in use and only handed out when
 * the whole file was valid, so a bad file can never be half applied.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* SLA files are hand-written; anything this big is a mistake or an attack. */
#define SLA_FILE_MAX	(4u << 20)

static int yaml_failure(yaml_parser_t *p, const char *name, char *err,
			size_t errlen)
{
	if (p->error == YAML_MEMORY_ERROR) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	if (p->error == YAML_READER_ERROR) {
		snprintf(err, errlen, "%s: YAML error at byte %zu: %s", name,
			 p->problem_offset, p->problem);
		return -EINVAL;
	}
	if (p->context)
		snprintf(err, errlen,
			 "%s:%zu:%zu: YAML syntax error: %s (%s at line %zu, column %zu)",
			 name, p->problem_mark.line + 1,
			 p->problem_mark.column + 1, p->problem, p->context,
			 p->context_mark.line + 1, p->context_mark.column + 1);
	else
		snprintf(err, errlen, "%s:%zu:%zu: YAML syntax error: %s",
			 name, p->problem_mark.line + 1,
			 p->problem_mark.column + 1,
			 p->problem ? p->problem : "unknown problem");
	return -EINVAL;
}

/* A second document would be silently ignored, so it is an error. */
static int check_single_document(yaml_parser_t *p, const char *name,
				 char *err, size_t errlen)
{
	yaml_document_t extra;
	yaml_node_t *root;
	int ret = 0;

	if (!yaml_parser_load(p, &extra))
		return yaml_failure(p, name, err, errlen);
	root = yaml_document_get_root_node(&extra);
	if (root) {
		snprintf(err, errlen,
			 "%s:%zu:%zu: expected one YAML document, got a second one",
			 name, extra.start_mark.line + 1,
			 extra.start_mark.column + 1);
		ret = -EINVAL;
	}
	yaml_document_delete(&extra);
	return ret;
}

static int build(yaml_document_t *doc, const char *name, struct sla **out,
		 char *err, size_t errlen)
{
	struct sla_ctx c = {
		.doc = doc, .name = name, .err = err, .errlen = errlen,
	};
	struct sla *sla = calloc(1, sizeof(*sla));
	int ret;

	if (!sla)
		return -ENOMEM;
	c.sla = sla;
	sla->source = strdup(name);
	ret = sla->source ? sla_parse_root(&c) : -ENOMEM;
	if (ret == 0)
		ret = sla_check_module_limits(&c);
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, errlen, "%s: out of memory", name);
		sla_free(sla);
		return ret;
	}
	*out = sla;
	return 0;
}

static int build_sla(yaml_document_t *doc, const char *name, void *out,
		     char *err, size_t errlen)
{
	return build(doc, name, out, err, errlen);
}

int sla_yaml_load(const char *text, size_t len, const char *name,
		  sla_doc_fn fn, void *arg, char *err, size_t errlen)
{
	char scratch[1];
	yaml_parser_t parser;
	yaml_document_t doc;
	int ret;

	if (!name)
		name = "<string>";
	if (!err || !errlen) {
		err = scratch;
		errlen = sizeof(scratch);
	}
	err[0] = '\0';
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		ret = yaml_failure(&parser, name, err, errlen);
		yaml_parser_delete(&parser);
		return ret;
	}
	ret = check_single_document(&parser, name, err, errlen);
	if (ret == 0)
		ret = fn(&doc, name, arg, err, errlen);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return ret;
}

int sla_load_string(const char *text, size_t len, const char *name,
		    struct sla **out, char *err, size_t errlen)
{
	*out = NULL;
	return sla_yaml_load(text, len, name, build_sla, out, err, errlen);
}

/* Grows BUF to hold at least NEED bytes, doubling from 64 KiB. */
static int grow(char **buf, size_t *size, size_t need)
{
	size_t n = *size ? *size : 65536;
	char *p;

	while (n < need)
		n *= 2;
	if (n == *size)
		return 0;
	p = realloc(*buf, n);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*size = n;
	return 0;
}

/* The whole file in memory, so read errors are errnos, not YAML errors. */
int sla_read_whole_file(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "re");
	size_t used = 0, size = 0, got;
	char *buf = NULL;
	int ret = 0;

	if (!f)
		return -errno;
	do {
		ret = grow(&buf, &size, used + 4096);
		if (ret)
			break;
		got = fread(buf + used, 1, size - used, f);
		used += got;
		if (used > SLA_FILE_MAX)
			ret = -EFBIG;
	} while (!ret && got > 0);
	if (!ret && ferror(f))
		ret = errno ? -errno : -EIO;
	fclose(f);
	if (ret) {
		free(buf);
		return ret;
	}
	*text = buf;
	*len = used;
	return 0;
}

int sla_load_file(const char *path, struct sla **out, char *err,
		  size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	ret = sla_read_whole_file(path, &text, &len);
	if (ret) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = sla_load_string(text, len, path, out, err, errlen);
	free(text);
	return ret;
}
