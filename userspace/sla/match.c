// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - what the rules of an SLA mean for one packet or one access,
 * and which countermeasures an alert triggers. Kept beside the model so the
 * inspector, the policy and `sla check` share one reading of the file.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "sla.h"

static bool component_has(const struct sla_component *c, int family,
			  const void *addr)
{
	for (size_t i = 0; i < c->n_addresses; i++)
		if (sla_prefix_contains(&c->addresses[i], family, addr))
			return true;
	return false;
}

static bool peer_has(const struct sla_peer *p, int family, const void *addr)
{
	switch (p->kind) {
	case SLA_PEER_PREFIX:
		return sla_prefix_contains(&p->prefix, family, addr);
	case SLA_PEER_COMPONENT:
		return component_has(p->component, family, addr);
	default:
		return true;
	}
}

bool sla_proto_matches(enum sla_proto want, uint8_t proto)
{
	switch (want) {
	case SLA_PROTO_TCP:
		return proto == IPPROTO_TCP;
	case SLA_PROTO_UDP:
		return proto == IPPROTO_UDP;
	case SLA_PROTO_ICMP:
		return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
	default:
		return true;
	}
}

/* Ports only exist for TCP and UDP; a port-bound rule never matches ICMP. */
bool sla_ports_match(const struct sla_port_range *ports, size_t n_ports,
		     uint8_t proto, uint16_t dport)
{
	if (!n_ports)
		return true;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return false;
	for (size_t i = 0; i < n_ports; i++)
		if (dport >= ports[i].min && dport <= ports[i].max)
			return true;
	return false;
}

/* A component known only by processes is reached at any address. */
bool sla_net_rule_matches(const struct sla_rule *r, int family,
			  const void *src, const void *dst, uint8_t proto,
			  uint16_t dport)
{
	bool from = false;

	if (r->kind != SLA_RULE_NET || !sla_proto_matches(r->proto, proto) ||
	    !sla_ports_match(r->ports, r->n_ports, proto, dport))
		return false;
	if (r->to->n_addresses && !component_has(r->to, family, dst))
		return false;
	for (size_t i = 0; i < r->n_from && !from; i++)
		from = peer_has(&r->from[i], family, src);
	return from;
}

const struct sla_rule *sla_net_violation(const struct sla *sla, int family,
					 const void *src, const void *dst,
					 uint8_t proto, uint16_t dport)
{
	const struct sla_rule *deny = NULL;

	for (size_t i = 0; i < sla->n_rules; i++) {
		const struct sla_rule *r = &sla->rules[i];

		if (r->payload ||
		    !sla_net_rule_matches(r, family, src, dst, proto, dport))
			continue;
		if (!r->deny)
			return NULL;	/* an allow wins wherever it is */
		if (!deny)
			deny = r;
	}
	return deny;
}

/*
 * Substring search, ASCII case-insensitive; the payload may hold NULs, so no
 * str* function fits. Patterns are stored lower-case (sla_rules.c).
 */
static bool payload_has(const char *pattern, const uint8_t *payload, size_t len)
{
	size_t plen = strlen(pattern), j;

	for (size_t i = 0; plen && i + plen <= len; i++) {
		for (j = 0; j < plen; j++)
			if (tolower(payload[i + j]) != (unsigned char)pattern[j])
				break;
		if (j == plen)
			return true;
	}
	return false;
}

bool sla_has_payload_rules(const struct sla *sla)
{
	for (size_t i = 0; i < sla->n_rules; i++)
		if (sla->rules[i].payload)
			return true;
	return false;
}

const struct sla_rule *sla_payload_violation(const struct sla *sla, int family,
					     const void *src, const void *dst,
					     uint8_t proto, uint16_t dport,
					     const void *payload, size_t len)
{
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return NULL;
	for (size_t i = 0; i < sla->n_rules; i++) {
		const struct sla_rule *r = &sla->rules[i];

		if (r->payload &&
		    sla_net_rule_matches(r, family, src, dst, proto, dport) &&
		    payload_has(r->payload, payload, len))
			return r;
	}
	return NULL;
}

static bool subject_matches(const struct sla_rule *r, const char *user,
			    const char *const *roles, size_t n_roles)
{
	if (r->subject_kind == SLA_SUBJECT_USER)
		return user && !strcmp(user, r->subject);
	for (size_t i = 0; i < n_roles; i++)
		if (roles[i] && !strcmp(roles[i], r->subject))
			return true;
	return false;
}

/*
 * No FNM_PATHNAME: a star also crosses '/', so "cards/" plus a star covers
 * everything under cards/. For a deny rule, matching too much is the safe
 * mistake.
 */
bool sla_data_rule_matches(const struct sla_rule *r,
			   enum sla_data_action action, const char *user,
			   const char *const *roles, size_t n_roles,
			   const char *component, const char *resource)
{
	if (r->kind != SLA_RULE_DATA || r->action != action)
		return false;
	if (r->component && (!component || strcmp(component, r->component->name)))
		return false;
	return subject_matches(r, user, roles, n_roles) &&
	       fnmatch(r->resource, resource, 0) == 0;
}

const struct sla_rule *sla_data_violation(const struct sla *sla,
					  enum sla_data_action action,
					  const char *user,
					  const char *const *roles,
					  size_t n_roles, const char *component,
					  const char *resource)
{
	const struct sla_rule *deny = NULL;

	for (size_t i = 0; i < sla->n_rules; i++) {
		const struct sla_rule *r = &sla->rules[i];

		if (!sla_data_rule_matches(r, action, user, roles, n_roles,
					   component, resource))
			continue;
		if (!r->deny)
			return NULL;
		if (!deny)
			deny = r;
	}
	return deny;
}

bool sla_countermeasure_applies(const struct sla_countermeasure *cm,
				enum sla_severity severity,
				const struct sla_slo *slo,
				const struct sla_rule *rule)
{
	switch (cm->when) {
	case SLA_WHEN_SEVERITY:
		return severity >= cm->severity;
	case SLA_WHEN_SLO:
		return slo && slo == cm->slo;
	case SLA_WHEN_RULE:
		return rule && rule == cm->rule;
	}
	return false;
}
