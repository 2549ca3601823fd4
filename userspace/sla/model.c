// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - lifetime and look-ups of the SLA model. sla_free() accepts a
 * partly built SLA (arrays allocated, entries not yet filled), which is what
 * the loader frees when a file turns out to be bad halfway through.
 */
#include <stdlib.h>
#include <string.h>

#include "sla.h"

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void free_component(struct sla_component *c)
{
	free(c->name);
	free(c->addresses);
	free(c->ports);
	free_strings(c->processes, c->n_processes);
	free_strings(c->cgroups, c->n_cgroups);
}

static void free_rule(struct sla_rule *r)
{
	free(r->id);
	free(r->description);
	free(r->from);
	free(r->ports);
	free(r->subject);
	free(r->resource);
	free(r->payload);
	for (size_t i = 0; r->steps && i < r->n_steps; i++) {
		free(r->steps[i].ports);
		free(r->steps[i].subject);
		free(r->steps[i].resource);
		free_strings(r->steps[i].processes, r->steps[i].n_processes);
	}
	free(r->steps);
}

static void free_slo(struct sla_slo *s)
{
	free(s->id);
	free(s->description);
}

void sla_free(struct sla *sla)
{
	if (!sla)
		return;
	for (size_t i = 0; sla->components && i < sla->n_components; i++)
		free_component(&sla->components[i]);
	for (size_t i = 0; sla->rules && i < sla->n_rules; i++)
		free_rule(&sla->rules[i]);
	for (size_t i = 0; sla->slos && i < sla->n_slos; i++)
		free_slo(&sla->slos[i]);
	for (size_t i = 0; sla->countermeasures &&
	     i < sla->n_countermeasures; i++)
		free(sla->countermeasures[i].hook);
	free(sla->components);
	free(sla->rules);
	free(sla->slos);
	free(sla->countermeasures);
	free(sla->allowlist);
	for (size_t i = 0; sla->reporters && i < sla->n_reporters; i++) {
		free(sla->reporters[i].name);
		free(sla->reporters[i].components);
	}
	free(sla->reporters);
	free(sla->defaults.lost_events.hook);
	free(sla->defaults.app_group_name);
	free_strings(sla->defaults.protected, sla->defaults.n_protected);
	free(sla->name);
	free(sla->description);
	free(sla->source);
	sla_fleet_free(sla->fleet);
	free(sla);
}

/* Entries not parsed yet have no name; the loader looks up as it goes. */
const struct sla_component *sla_find_component(const struct sla *sla,
					       const char *name)
{
	for (size_t i = 0; i < sla->n_components; i++)
		if (sla->components[i].name &&
		    !strcmp(sla->components[i].name, name))
			return &sla->components[i];
	return NULL;
}

const struct sla_rule *sla_find_rule(const struct sla *sla, const char *id)
{
	for (size_t i = 0; i < sla->n_rules; i++)
		if (sla->rules[i].id && !strcmp(sla->rules[i].id, id))
			return &sla->rules[i];
	return NULL;
}

const struct sla_slo *sla_find_slo(const struct sla *sla, const char *id)
{
	for (size_t i = 0; i < sla->n_slos; i++)
		if (sla->slos[i].id && !strcmp(sla->slos[i].id, id))
			return &sla->slos[i];
	return NULL;
}
