/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguard - SLA loader internals shared by the sla_*.c files: the walk over
 * a libyaml document tree with a field path for messages, typed field
 * readers, and one parser per top-level section.
 */
#ifndef SLAGUARDD_SLA_INTERNAL_H
#define SLAGUARDD_SLA_INTERNAL_H

#include <yaml.h>

#include "sla.h"

#define SLA_PATH_MAX	256

struct sla_names {
	const char *const *names;	/* indexed by enum value, holes NULL */
	size_t n;
};

extern const struct sla_names sla_severities, sla_actions, sla_evidences, sla_protos,
	sla_metrics, sla_pers;

/* State of one load: the document, where we are in it, the SLA built. */
struct sla_ctx {
	yaml_document_t *doc;
	const char *name;
	char *err;
	size_t errlen;
	char path[SLA_PATH_MAX];	/* e.g. "slos[2].window" */
	size_t path_len;
	struct sla *sla;
};

/*
 * Formats "NAME:LINE:COL: field 'PATH': expected EXPECTED, got GOT" at node
 * AT and returns -EINVAL, so callers can write `return sla_fail(...)`.
 */
int sla_fail(struct sla_ctx *c, const yaml_node_t *at, const char *expected,
	     const char *got_fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same, with GOT describing the node AT itself. */
int sla_fail_node(struct sla_ctx *c, const yaml_node_t *at,
		  const char *expected);
void sla_describe(const yaml_node_t *n, char *buf, size_t len);

/* Path building: push returns the old length to restore. */
size_t sla_path_key(struct sla_ctx *c, const char *key);
size_t sla_path_index(struct sla_ctx *c, size_t index);
void sla_path_restore(struct sla_ctx *c, size_t len);

unsigned int sla_line(const yaml_node_t *n);
bool sla_is_null(const yaml_node_t *n);
/* The text of a non-null scalar, NULL for anything else. */
const char *sla_scalar(const yaml_node_t *n);
yaml_node_t *sla_find(struct sla_ctx *c, const yaml_node_t *map,
		      const char *key);
/* MAP must be a mapping whose keys are unique and all in KEYS (NULL-ended). */
int sla_check_map(struct sla_ctx *c, const yaml_node_t *map,
		  const char *expected, const char *const *keys);

/* How to read one kind of value from a node into *OUT. */
struct sla_type {
	const char *expected;		/* for "expected ..." */
	int (*parse)(struct sla_ctx *c, yaml_node_t *n,
		     const struct sla_type *t, void *out);
	const struct sla_names *names;	/* enumerations: out is an int */
};

/* Readers for sections to build types with their own "expected" text. */
int sla_read_string(struct sla_ctx *c, yaml_node_t *n,
		    const struct sla_type *t, void *out);
int sla_read_node(struct sla_ctx *c, yaml_node_t *n,
		  const struct sla_type *t, void *out);

/* Reads one of T's names (T->names) into an int: a choice type's reader. */
int sla_read_choice(struct sla_ctx *c, yaml_node_t *n, const struct sla_type *t,
		    void *out);
extern const struct sla_type sla_t_text;	/* const char *, borrowed */
extern const struct sla_type sla_t_string;	/* char *, allocated */
extern const struct sla_type sla_t_name;	/* char *, an identifier */
extern const struct sla_type sla_t_duration;	/* uint64_t ms */
extern const struct sla_type sla_t_number;	/* double */
extern const struct sla_type sla_t_bool;	/* bool */
extern const struct sla_type sla_t_prefix;	/* struct sla_prefix */
extern const struct sla_type sla_t_port;	/* struct sla_port_range */
extern const struct sla_type sla_t_node;	/* yaml_node_t *, any node */
extern const struct sla_type sla_t_severity;	/* int */
extern const struct sla_type sla_t_action;	/* int */
extern const struct sla_type sla_t_evidence;	/* int */
extern const struct sla_type sla_t_proto;	/* int */
extern const struct sla_type sla_t_metric;	/* int */
extern const struct sla_type sla_t_per;		/* int */

/* What T expects, for messages: "one of a, b, c" for enumerations. */
void sla_expected(const struct sla_type *t, char *buf, size_t len);
int sla_parse_as(struct sla_ctx *c, yaml_node_t *n, const struct sla_type *t,
		 void *out);
/*
 * Reads MAP's KEY as T into *OUT. Returns 1 if present, 0 if absent (an
 * error if REQUIRED), or a negative errno.
 */
int sla_get(struct sla_ctx *c, const yaml_node_t *map, const char *key,
	    bool required, const struct sla_type *t, void *out);
/* sla_get() for integers in [MIN, MAX] written as numbers (k/M/G too). */
int sla_get_uint(struct sla_ctx *c, const yaml_node_t *map, const char *key,
		 uint64_t min, uint64_t max, uint64_t *out);

/* A list field being walked; a lone scalar may stand for a list of one. */
struct sla_seq {
	yaml_node_t *node;
	size_t n;
	size_t outer_len, key_len;	/* path lengths to restore */
};

int sla_open_seq(struct sla_ctx *c, const yaml_node_t *map, const char *key,
		 bool required, bool scalar_ok, const char *expected,
		 struct sla_seq *s);
yaml_node_t *sla_seq_item(struct sla_ctx *c, struct sla_seq *s, size_t i);
void sla_close_seq(struct sla_ctx *c, struct sla_seq *s);

/*
 * A list under KEY (a lone scalar is a list of one) of T values of SIZE
 * bytes into a new array *OUT of *N. Absent: 0 and nothing allocated.
 */
int sla_get_list(struct sla_ctx *c, const yaml_node_t *map, const char *key,
		 const char *expected, const struct sla_type *t, size_t size,
		 void **out, size_t *n);

/* Loading any YAML file of slaguard's (SLA, composite SLA): one document. */
typedef int (*sla_doc_fn)(yaml_document_t *doc, const char *name, void *arg,
			  char *err, size_t errlen);
int sla_yaml_load(const char *text, size_t len, const char *name,
		  sla_doc_fn fn, void *arg, char *err, size_t errlen);
/* PATH whole into a new buffer (at most 4 MiB): 0 or -errno. */
int sla_read_whole_file(const char *path, char **text, size_t *len);

/* One parser per section, called in dependency order by sla_parse_root(). */
int sla_parse_root(struct sla_ctx *c);
int sla_parse_components(struct sla_ctx *c, const yaml_node_t *root);
int sla_parse_allowlist(struct sla_ctx *c, const yaml_node_t *root);
int sla_parse_defaults(struct sla_ctx *c, const yaml_node_t *root);
int sla_parse_rules(struct sla_ctx *c, const yaml_node_t *root);
int sla_parse_slos(struct sla_ctx *c, const yaml_node_t *root);
int sla_parse_countermeasures(struct sla_ctx *c, const yaml_node_t *root);
int sla_parse_reporters(struct sla_ctx *c, const yaml_node_t *root);
int sla_parse_fleet(struct sla_ctx *c, const yaml_node_t *root);
/* defaults.app_group: the application socket's group, resolved now. */
int sla_parse_app_group(struct sla_ctx *c, const yaml_node_t *defaults);
/* A rule with "sequence" (sequence.c), and the check once all are read. */
int sla_read_sequence(struct sla_ctx *c, yaml_node_t *map,
		      struct sla_rule *rule);
int sla_check_sequences(struct sla_ctx *c, const yaml_node_t *list);
/* Final check: the module can hold the watches the deny rules need. */
int sla_check_module_limits(struct sla_ctx *c);

/* Shared checks used by several sections. */
void sla_component_names(const struct sla *sla, char *buf, size_t len);
/* Reads a rule's or SLO's "id": required, a name, not used before. */
int sla_read_id(struct sla_ctx *c, yaml_node_t *map, char **id);
int sla_need_component(struct sla_ctx *c, yaml_node_t *n,
		       const struct sla_component **out);
/* HOOK of MAP: required if WANTED (do: run-hook), else an error if given. */
int sla_read_hook(struct sla_ctx *c, const yaml_node_t *map, bool wanted,
		  char **hook);
/* An id must be unique across rules and SLOs: alerts name them. */
int sla_need_unique_id(struct sla_ctx *c, yaml_node_t *n, const char *id);

#endif /* SLAGUARDD_SLA_INTERNAL_H */
