/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the rule-based inspector: judges watch hits and application
 * events against the SLA's permission rules (sla_net_violation(),
 * sla_data_violation(): a deny that no allow overrides is a violation). A
 * watch hit maps back to the deny rule whose watch reported it.
 */
#ifndef SLAGUARDD_ANALYZE_INSPECTOR_H
#define SLAGUARDD_ANALYZE_INSPECTOR_H

#include "finding.h"
#include "inspect_payload.h"
#include "preprocess.h"
#include "sla.h"

struct inspector {
	const struct sla *sla;
	const struct sla_module_config *cfg;	/* the watches installed */
};

void inspector_init(struct inspector *in, const struct sla *sla,
		    const struct sla_module_config *cfg);

/*
 * Judge S. Returns 1 with *F filled (the caller releases it) for a
 * violation, 0 when S breaks no rule or is not something rules judge.
 */
int inspector_judge(const struct inspector *in, const struct sample *s,
		    struct finding *f);

/*
 * Judge a packet queued for inspection (PKT, LEN bytes from the IP header
 * on) against the payload rules. Returns 1 with *F filled (the caller
 * releases it) when a payload rule forbids it, 0 otherwise: then, and for
 * any packet it cannot parse, the packet is to be accepted.
 */
int inspector_judge_packet(const struct inspector *in, const uint8_t *pkt,
			   size_t len, uint64_t real_ms, struct finding *f);

/* The deny rule whose watch has module id MODULE_ID, or NULL. */
const struct sla_rule *inspector_watch_rule(const struct inspector *in,
					    uint32_t module_id);

#endif /* SLAGUARDD_ANALYZE_INSPECTOR_H */
