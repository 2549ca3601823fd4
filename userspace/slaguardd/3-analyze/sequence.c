// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguardd - sequence rules: per rule, per key (a source address, a user
 * or a process), how far the key's events have gone through the rule's
 * steps since the first of them. The keys come from outside - an attacker
 * picks source addresses and user names - so each rule holds at most a
 * fixed number of keys in a keyed hash: a new key at the limit evicts the
 * least recently active one, and the eviction is counted (a flood of keys
 * can push a real attacker's progress out; the counter shows it happened).
 */
#include <errno.h>
#include <fnmatch.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analyze.h"
#include "intake.h"
#include "siphash.h"

#define SEQ_KEY_MAX	64
#define SEQ_WHAT_MAX	96

/* What one step's events were: the first one's time, the last one. */
struct seq_seen {
	uint64_t first_real, last_real;
	uint32_t count;
	char what[SEQ_WHAT_MAX];
};

struct seq_entry {
	struct seq_entry *hnext;
	struct seq_entry *newer, *older;	/* the rule's LRU list */
	char key[SEQ_KEY_MAX];
	uint64_t hash;
	unsigned int step;			/* the step waited for */
	uint32_t count;				/* its events so far */
	uint64_t first_mono, last_mono;
	int family;				/* same: source */
	uint8_t src[16];
	struct seq_seen seen[SLA_SEQ_STEPS_MAX];
};

struct seq_rule {
	const struct sla_rule *rule;
	struct seq_entry **buckets;
	size_t mask;
	struct seq_entry *newest, *oldest;
	struct seq_status st;
};

struct seq_set {
	struct seq_rule *rules;
	size_t n;
	const struct sla *sla;
	const struct sla_module_config *cfg;
	struct sg_siphash_key hkey;
	/* Records that bypass preprocess's de-duplication: the last one. */
	uint64_t last_seq;
	uint32_t last_event;
};

/* What an event offers the steps, resolved once for all rules. */
struct seq_event {
	const struct rec *r;
	enum sla_seq_event event;
	bool is_app;
	enum sla_data_action action;
	const struct sla_component *component;	/* app, proc */
	bool has_source;
	char source[SGD_ADDR_MAX];
	char pid[16], ppid[16];
	char what[SEQ_WHAT_MAX];
};

int seq_set_new(struct seq_set **out, const struct sla *sla,
		const struct sla_module_config *cfg, size_t max_keys)
{
	struct seq_set *ss = calloc(1, sizeof(*ss));
	size_t n = 0, buckets = 1;

	if (!ss)
		return -ENOMEM;
	*out = ss;
	ss->sla = sla;
	ss->cfg = cfg;
	sg_siphash_key_random(&ss->hkey);
	for (size_t i = 0; i < sla->n_rules; i++)
		n += sla->rules[i].kind == SLA_RULE_SEQUENCE;
	if (!n)
		return 0;
	while (buckets < max_keys)
		buckets <<= 1;
	ss->rules = calloc(n, sizeof(*ss->rules));
	if (!ss->rules) {
		seq_set_free(ss);
		return -ENOMEM;
	}
	for (size_t i = 0; i < sla->n_rules; i++) {
		struct seq_rule *sr = &ss->rules[ss->n];

		if (sla->rules[i].kind != SLA_RULE_SEQUENCE)
			continue;
		ss->n++;
		sr->rule = &sla->rules[i];
		sr->st.rule = sr->rule;
		sr->st.max_keys = max_keys;
		sr->mask = buckets - 1;
		sr->buckets = calloc(buckets, sizeof(*sr->buckets));
		if (!sr->buckets) {
			seq_set_free(ss);
			return -ENOMEM;
		}
	}
	return 0;
}

void seq_set_free(struct seq_set *ss)
{
	if (!ss)
		return;
	for (size_t i = 0; i < ss->n; i++) {
		struct seq_entry *e = ss->rules[i].newest, *next;

		for (; e; e = next) {
			next = e->older;
			free(e);
		}
		free(ss->rules[i].buckets);
	}
	free(ss->rules);
	free(ss);
}

static void lru_unlink(struct seq_rule *sr, struct seq_entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		sr->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		sr->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void lru_push(struct seq_rule *sr, struct seq_entry *e)
{
	e->older = sr->newest;
	e->newer = NULL;
	if (sr->newest)
		sr->newest->newer = e;
	sr->newest = e;
	if (!sr->oldest)
		sr->oldest = e;
}

static void drop(struct seq_rule *sr, struct seq_entry *e)
{
	struct seq_entry **p = &sr->buckets[e->hash & sr->mask];

	while (*p != e)
		p = &(*p)->hnext;
	*p = e->hnext;
	lru_unlink(sr, e);
	sr->st.keys--;
	free(e);
}

static struct seq_entry *lookup(const struct seq_set *ss, struct seq_rule *sr,
				const char *key, uint64_t *hash)
{
	struct seq_entry *e;

	*hash = sg_siphash(&ss->hkey, key, strlen(key));
	for (e = sr->buckets[*hash & sr->mask]; e; e = e->hnext)
		if (e->hash == *hash && !strcmp(e->key, key))
			return e;
	return NULL;
}

/* A new key; at the limit the least recently active one makes room. */
static struct seq_entry *create(struct seq_rule *sr, const char *key,
				uint64_t hash)
{
	struct seq_entry *e;

	if (sr->st.keys >= sr->st.max_keys && sr->oldest) {
		drop(sr, sr->oldest);
		sr->st.evicted++;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->hash = hash;
	e->hnext = sr->buckets[hash & sr->mask];
	sr->buckets[hash & sr->mask] = e;
	lru_push(sr, e);
	sr->st.keys++;
	sr->st.started++;
	return e;
}

static bool expired(const struct seq_rule *sr, const struct seq_entry *e,
		    uint64_t now)
{
	return now > e->first_mono && now - e->first_mono > sr->rule->within_ms;
}

void seq_expire(struct seq_set *ss, uint64_t now)
{
	for (size_t i = 0; ss && i < ss->n; i++) {
		struct seq_rule *sr = &ss->rules[i];

		/* Oldest activity first: once one is recent, the rest are. */
		while (sr->oldest && now > sr->oldest->last_mono &&
		       now - sr->oldest->last_mono > sr->rule->within_ms) {
			drop(sr, sr->oldest);
			sr->st.expired++;
		}
	}
}

static enum sla_seq_event net_event(uint32_t kind, bool *ok)
{
	*ok = true;
	switch (kind) {
	case SLAGUARD_EVENT_PORTSCAN:
		return SLA_SEQ_NET_PORTSCAN;
	case SLAGUARD_EVENT_SLOW_PORTSCAN:
		return SLA_SEQ_NET_SLOW_PORTSCAN;
	case SLAGUARD_EVENT_SYN_FLOOD:
		return SLA_SEQ_NET_SYN_FLOOD;
	case SLAGUARD_EVENT_CONN_RATE:
		return SLA_SEQ_NET_CONN_RATE;
	case SLAGUARD_EVENT_BANDWIDTH:
		return SLA_SEQ_NET_BANDWIDTH;
	case SLAGUARD_EVENT_ICMP_FLOOD:
		return SLA_SEQ_NET_ICMP_FLOOD;
	case SLAGUARD_EVENT_WATCH_HIT:
		return SLA_SEQ_NET_WATCH_HIT;
	case SLAGUARD_EVENT_PROC_EXEC:
		return SLA_SEQ_PROC_EXEC;
	case SLAGUARD_EVENT_PROC_EXIT:
		return SLA_SEQ_PROC_EXIT;
	case SLAGUARD_EVENT_SCHED_SAMPLE:
		return SLA_SEQ_PROC_SAMPLE;
	default:
		*ok = false;
		return SLA_SEQ_EVENT_COUNT;
	}
}

static bool resolve_net(struct seq_event *ev, const struct rec_net *n)
{
	char dst[SGD_ADDR_MAX] = "";
	bool ok;

	ev->event = net_event(n->event, &ok);
	if (!ok || !sla_seq_event_is_net(ev->event))
		return false;
	if (n->has_src) {
		ev->has_source = true;
		sgd_format_addr(n->family, n->src, ev->source, sizeof(ev->source));
	}
	if (n->has_dst)
		sgd_format_addr(n->family, n->dst, dst, sizeof(dst));
	if (ev->event == SLA_SEQ_NET_WATCH_HIT)
		snprintf(ev->what, sizeof(ev->what), "%s to %s port %u/%s",
			 sla_seq_event_name(ev->event), dst[0] ? dst : "?",
			 n->dport,
			 analyze_proto_name(n->proto) ? analyze_proto_name(n->proto) : "?");
	else
		snprintf(ev->what, sizeof(ev->what), "%s %llu (threshold %llu)",
			 sla_seq_event_name(ev->event),
			 (unsigned long long)n->value,
			 (unsigned long long)n->threshold);
	return true;
}

static bool resolve(const struct seq_set *ss, const struct rec *r,
		    struct seq_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->r = r;
	switch (r->kind) {
	case REC_NET:
		return resolve_net(ev, &r->net);
	case REC_APP:
		if (sla_data_action_from_name(r->app.action, &ev->action) < 0)
			return false;
		ev->is_app = true;
		ev->event = SLA_SEQ_APP;
		ev->component = sla_find_component(ss->sla, r->app.component);
		if (r->app.family) {
			ev->has_source = true;
			sgd_format_addr(r->app.family, r->app.src, ev->source,
					sizeof(ev->source));
		}
		snprintf(ev->what, sizeof(ev->what), "%.16s %.24s by %.16s at %.16s",
			 r->app.action, r->app.resource, r->app.user,
			 r->app.component);
		return true;
	case REC_TASK: {
		bool ok;

		ev->event = net_event(r->task.event, &ok);
		if (!ok || !sla_seq_event_is_proc(ev->event) || !r->task.has_pid)
			return false;
		if (ss->cfg)
			ev->component = sla_task_watch_component(ss->cfg,
				intake_task_watch_sla_id(r->task.watch_id));
		snprintf(ev->pid, sizeof(ev->pid), "%u", r->task.pid);
		if (r->task.has_ppid && r->task.ppid)
			snprintf(ev->ppid, sizeof(ev->ppid), "%u", r->task.ppid);
		snprintf(ev->what, sizeof(ev->what), "%s %.15s[%u]",
			 sla_seq_event_name(ev->event), r->task.comm,
			 r->task.pid);
		return true;
	}
	default:
		return false;
	}
}

static bool hit_matches(const struct sla_seq_step *st, const struct rec_net *n)
{
	bool in = false;

	if (!sla_proto_matches(st->proto, n->proto) ||
	    !sla_ports_match(st->ports, st->n_ports, n->proto, n->dport))
		return false;
	if (!st->to || !st->to->n_addresses)
		return true;
	for (size_t i = 0; n->has_dst && i < st->to->n_addresses && !in; i++)
		in = sla_prefix_contains(&st->to->addresses[i], n->family,
					 n->dst);
	return in;
}

static bool app_matches(const struct sla_seq_step *st,
			const struct seq_event *ev)
{
	const struct rec_app *a = &ev->r->app;

	if (st->action != ev->action)
		return false;
	if (st->component && st->component != ev->component)
		return false;
	if (st->has_subject &&
	    strcmp(st->subject, st->subject_kind == SLA_SUBJECT_USER ?
		   a->user : a->role))
		return false;
	return fnmatch(st->resource, a->resource, 0) == 0;
}

static bool proc_matches(const struct sla_seq_step *st,
			 const struct seq_event *ev)
{
	if (st->component && st->component != ev->component)
		return false;
	for (size_t i = 0; i < st->n_processes; i++)
		if (!strcmp(st->processes[i], ev->r->task.comm))
			return true;
	return !st->n_processes;
}

static bool step_matches(const struct sla_seq_step *st,
			 const struct seq_event *ev)
{
	if (st->event != ev->event)
		return false;
	if (st->event == SLA_SEQ_NET_WATCH_HIT)
		return hit_matches(st, &ev->r->net);
	if (st->event == SLA_SEQ_APP)
		return app_matches(st, ev);
	if (sla_seq_event_is_proc(st->event))
		return proc_matches(st, ev);
	return true;
}

/* The component the sequence ended at, for the alert. */
static const char *last_component(const struct sla_rule *rule)
{
	const struct sla_seq_step *st = &rule->steps[rule->n_steps - 1];

	if (st->to)
		return st->to->name;
	return st->component ? st->component->name : NULL;
}

static void add_json(struct json_object *o, const char *key,
		     struct json_object *v)
{
	if (o && v)
		json_object_object_add(o, key, v);
}

static struct json_object *time_json(uint64_t real_ms)
{
	char when[SG_TIME_MAX];

	sg_format_time(real_ms, when, sizeof(when));
	return json_object_new_string(when);
}

/*
 * The finding is the sequence's: its evidence is the steps' own events,
 * and it names a source only when the key is one.
 */
static void fire(struct seq_rule *sr, struct seq_entry *e,
		 const struct seq_event *ev, finding_fn fn, void *arg)
{
	const struct sla_rule *rule = sr->rule;
	struct json_object *steps = json_object_new_array();
	char within[32], chain[160] = "";
	struct finding f;
	size_t used = 0;

	memset(&f, 0, sizeof(f));
	f.kind = FINDING_RULE;
	f.rule = rule;
	f.severity = rule->severity;
	snprintf(f.ref, sizeof(f.ref), "%s", rule->id);
	if (rule->same == SLA_SAME_SOURCE) {
		f.has_source = true;
		f.family = e->family;
		memcpy(f.src, e->src, sizeof(f.src));
		snprintf(f.source, sizeof(f.source), "%.45s", e->key);
	}
	f.component = last_component(rule);
	f.real_ms = ev->r->real_ms;
	for (size_t i = 0; i < rule->n_steps; i++) {
		const struct seq_seen *s = &e->seen[i];
		struct json_object *o = json_object_new_object();
		int w;

		add_json(o, "event", json_object_new_string(
				 sla_seq_event_name(rule->steps[i].event)));
		add_json(o, "count", json_object_new_int64(s->count));
		add_json(o, "first", time_json(s->first_real));
		add_json(o, "last", time_json(s->last_real));
		add_json(o, "what", json_object_new_string(s->what));
		if (steps && o)
			json_object_array_add(steps, o);
		else
			json_object_put(o);
		if (s->count > 1)
			w = snprintf(chain + used, sizeof(chain) - used,
				     "%s%u x %s", i ? " then " : "", s->count,
				     sla_seq_event_name(rule->steps[i].event));
		else
			w = snprintf(chain + used, sizeof(chain) - used, "%s%s",
				     i ? " then " : "", s->what);
		if (w > 0 && (size_t)w < sizeof(chain) - used)
			used += (size_t)w;
	}
	sla_format_duration(rule->within_ms, within, sizeof(within));
	f.evidence = json_object_new_object();
	add_json(f.evidence, "same", json_object_new_string(sla_seq_key_name(rule->same)));
	add_json(f.evidence, "key", json_object_new_string(e->key));
	add_json(f.evidence, "within", json_object_new_string(within));
	if (f.evidence)
		add_json(f.evidence, "sequence", steps);
	else
		json_object_put(steps);
	snprintf(f.summary, sizeof(f.summary), "%s %.46s: %.100s within %.12s: sequence rule %.63s",
		 sla_seq_key_name(rule->same), e->key, chain, within, rule->id);
	sr->st.fired++;
	drop(sr, e);
	fn(&f, arg);
}

static void note(struct seq_entry *e, const struct seq_event *ev,
		 uint64_t now)
{
	struct seq_seen *s = &e->seen[e->step];

	if (!s->count)
		s->first_real = ev->r->real_ms;
	s->last_real = ev->r->real_ms;
	s->count++;
	snprintf(s->what, sizeof(s->what), "%s", ev->what);
	e->last_mono = now;
}

/* EV is the next event of E's current step: count it, maybe fire. */
static int advance(struct seq_rule *sr, struct seq_entry *e,
		   const struct seq_event *ev, uint64_t now, finding_fn fn,
		   void *arg)
{
	note(e, ev, now);
	lru_unlink(sr, e);
	lru_push(sr, e);
	if (++e->count < sr->rule->steps[e->step].count)
		return 0;
	e->count = 0;
	if (++e->step < sr->rule->n_steps)
		return 0;
	fire(sr, e, ev, fn, arg);
	return 1;
}

static void set_source(struct seq_entry *e, const struct rec *r)
{
	if (r->kind == REC_NET) {
		e->family = r->net.family;
		memcpy(e->src, r->net.src, sizeof(e->src));
	} else if (r->kind == REC_APP) {
		e->family = r->app.family;
		memcpy(e->src, r->app.src, sizeof(e->src));
	}
}

/*
 * One event against one rule under KEY. With PARENT (same: process), the
 * event may also carry on its parent's sequence: a shell a web server
 * forked is the web server's doing.
 */
static int judge(struct seq_set *ss, struct seq_rule *sr, const char *key,
		 const char *parent, const struct seq_event *ev, uint64_t now,
		 finding_fn fn, void *arg)
{
	const struct sla_rule *rule = sr->rule;
	uint64_t hash, phash;
	struct seq_entry *e = lookup(ss, sr, key, &hash), *p;

	if (e && expired(sr, e, now)) {
		drop(sr, e);
		sr->st.expired++;
		e = NULL;
	}
	if (e && step_matches(&rule->steps[e->step], ev))
		return advance(sr, e, ev, now, fn, arg);
	if (parent && parent[0] && (p = lookup(ss, sr, parent, &phash)) &&
	    p->step > 0 && !expired(sr, p, now) &&
	    step_matches(&rule->steps[p->step], ev))
		return advance(sr, p, ev, now, fn, arg);
	if (!step_matches(&rule->steps[0], ev))
		return 0;
	if (e) {
		/*
		 * A repeated single first event while the second is awaited
		 * starts the time again: nothing is lost, as the later start
		 * leaves more of "within" for the rest.
		 */
		if (e->step == 1 && e->count == 0 && rule->steps[0].count == 1) {
			e->first_mono = now;
			e->step = 0;
			memset(&e->seen[0], 0, sizeof(e->seen[0]));
			return advance(sr, e, ev, now, fn, arg);
		}
		return 0;
	}
	e = create(sr, key, hash);
	if (!e)
		return 0;
	e->first_mono = now;
	if (rule->same == SLA_SAME_SOURCE)
		set_source(e, ev->r);
	return advance(sr, e, ev, now, fn, arg);
}

/* An ended process's id may be reused: its sequences end with it. */
static void forget_process(struct seq_set *ss, const char *pid)
{
	for (size_t i = 0; i < ss->n; i++) {
		struct seq_rule *sr = &ss->rules[i];
		uint64_t hash;
		struct seq_entry *e;

		if (sr->rule->same != SLA_SAME_PROCESS)
			continue;
		e = lookup(ss, sr, pid, &hash);
		if (e) {
			drop(sr, e);
			sr->st.expired++;
		}
	}
}

int seq_on_record(struct seq_set *ss, const struct rec *r, uint64_t now,
		  finding_fn fn, void *arg)
{
	struct seq_event ev;
	int fired = 0;

	if (!ss || !ss->n || !resolve(ss, r, &ev))
		return 0;
	for (size_t i = 0; i < ss->n; i++) {
		struct seq_rule *sr = &ss->rules[i];
		const char *key = NULL, *parent = NULL;

		switch (sr->rule->same) {
		case SLA_SAME_SOURCE:
			key = ev.has_source ? ev.source : NULL;
			break;
		case SLA_SAME_USER:
			key = ev.is_app && r->app.user[0] ? r->app.user : NULL;
			break;
		case SLA_SAME_PROCESS:
			key = ev.pid[0] ? ev.pid : NULL;
			parent = ev.ppid;
			break;
		}
		if (key)
			fired += judge(ss, sr, key, parent, &ev, now, fn, arg);
	}
	if (r->kind == REC_TASK && r->task.event == SLAGUARD_EVENT_PROC_EXIT)
		forget_process(ss, ev.pid);
	return fired;
}

int seq_on_unfiltered(struct seq_set *ss, const struct rec *r, uint64_t now,
		      finding_fn fn, void *arg)
{
	uint64_t seq;
	uint32_t event;

	if (!ss || (r->kind != REC_TASK && r->kind != REC_NET))
		return 0;
	seq = r->kind == REC_TASK ? r->task.seq : r->net.seq;
	event = r->kind == REC_TASK ? r->task.event : r->net.event;
	if (seq && seq == ss->last_seq && event == ss->last_event)
		return 0;
	ss->last_seq = seq;
	ss->last_event = event;
	return seq_on_record(ss, r, now, fn, arg);
}

size_t seq_rule_count(const struct seq_set *ss)
{
	return ss ? ss->n : 0;
}

const struct seq_status *seq_status(const struct seq_set *ss, size_t i)
{
	return ss && i < ss->n ? &ss->rules[i].st : NULL;
}

struct json_object *seq_status_json(const struct seq_set *ss)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < seq_rule_count(ss); i++) {
		const struct seq_status *st = seq_status(ss, i);
		struct json_object *o = json_object_new_object();

		add_json(o, "rule", json_object_new_string(st->rule->id));
		add_json(o, "same", json_object_new_string(sla_seq_key_name(st->rule->same)));
		add_json(o, "keys", json_object_new_int64((int64_t)st->keys));
		add_json(o, "max_keys", json_object_new_int64((int64_t)st->max_keys));
		add_json(o, "started", json_object_new_int64((int64_t)st->started));
		add_json(o, "fired", json_object_new_int64((int64_t)st->fired));
		add_json(o, "expired", json_object_new_int64((int64_t)st->expired));
		add_json(o, "evicted", json_object_new_int64((int64_t)st->evicted));
		if (o)
			json_object_array_add(arr, o);
	}
	return arr;
}
