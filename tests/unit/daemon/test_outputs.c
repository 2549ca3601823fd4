// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Alert outputs: the webhook queue (bounded, the oldest dropped and
 * counted), the retry backoff, the journal's fields, webhook URLs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "alert.h"
#include "helpers.h"
#include "outputs.h"
#include "outq.h"

static char *body(int n)
{
	char *s;

	assert_true(asprintf(&s, "{\"n\":%d}", n) > 0);
	return s;
}

static void test_queue_fifo(void **state)
{
	struct outq q;

	(void)state;
	assert_int_equal(outq_init(&q, 4), 0);
	assert_null(outq_peek(&q));
	for (int i = 1; i <= 3; i++)
		assert_int_equal(outq_push(&q, body(i), 100 + i), 0);
	assert_int_equal(q.len, 3);
	assert_string_equal(outq_peek(&q)->body, "{\"n\":1}");
	assert_int_equal(outq_peek(&q)->not_before, 101);
	assert_int_equal(outq_peek(&q)->attempts, 0);
	outq_pop(&q);
	assert_string_equal(outq_peek(&q)->body, "{\"n\":2}");
	outq_pop(&q);
	outq_pop(&q);
	assert_null(outq_peek(&q));
	outq_pop(&q);		/* popping an empty queue is harmless */
	assert_int_equal(q.dropped, 0);
	outq_fini(&q);
}

/* Full: the oldest goes, counted; the ring wraps; bodies are freed (ASan). */
static void test_queue_drops_oldest(void **state)
{
	struct outq q;

	(void)state;
	assert_int_equal(outq_init(&q, 3), 0);
	for (int i = 1; i <= 10; i++)
		assert_int_equal(outq_push(&q, body(i), 0), 0);
	assert_int_equal(q.len, 3);
	assert_int_equal(q.dropped, 7);
	for (int i = 8; i <= 10; i++) {
		char want[32];

		snprintf(want, sizeof(want), "{\"n\":%d}", i);
		assert_string_equal(outq_peek(&q)->body, want);
		outq_pop(&q);
	}
	assert_null(outq_peek(&q));
	/* Items left at the end are freed by fini. */
	outq_push(&q, body(11), 0);
	outq_push(&q, body(12), 0);
	outq_fini(&q);
}

static void test_queue_bad(void **state)
{
	struct outq q;

	(void)state;
	assert_int_equal(outq_init(&q, 0), -EINVAL);
	/* A push to a queue that failed to start frees the body (ASan). */
	assert_int_equal(outq_push(&q, body(1), 0), -EINVAL);
	outq_fini(&q);
}

static void test_backoff(void **state)
{
	(void)state;
	assert_int_equal(outq_backoff(1, 1000, 30000), 1000);
	assert_int_equal(outq_backoff(2, 1000, 30000), 2000);
	assert_int_equal(outq_backoff(3, 1000, 30000), 4000);
	assert_int_equal(outq_backoff(4, 1000, 30000), 8000);
	assert_int_equal(outq_backoff(5, 1000, 30000), 16000);
	assert_int_equal(outq_backoff(6, 1000, 30000), 30000);
	/* Capped, and no overflow however many attempts. */
	assert_int_equal(outq_backoff(1000000, 1000, 30000), 30000);
	assert_int_equal(outq_backoff(0, 1000, 30000), 1000);
	assert_int_equal(outq_backoff(3, 50000, 30000), 30000);
	assert_int_equal(outq_backoff(4000000000u, 0, 30000), 0);
}

static const char *field_of(char **f, size_t n, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < n; i++)
		if (!strncmp(f[i], name, len) && f[i][len] == '=')
			return f[i] + len + 1;
	return NULL;
}

static void alert_init(struct alert *a)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "A42");
	a->severity = SLA_SEV_CRITICAL;
	a->kind = FINDING_RULE;
	snprintf(a->ref, sizeof(a->ref), "no-cards");
	snprintf(a->summary, sizeof(a->summary), "user shop read cards/1");
	a->evidence = json_object_new_object();
	a->actions = json_object_new_array();
}

static void test_journal_fields(void **state)
{
	struct alert a;
	char *f[16];
	size_t n;

	(void)state;
	alert_init(&a);
	a.has_source = true;
	a.family = AF_INET;
	snprintf(a.source, sizeof(a.source), "192.0.2.7");
	snprintf(a.component, sizeof(a.component), "db");
	json_object_array_add(a.actions, json_object_new_string("C1"));
	json_object_array_add(a.actions, json_object_new_string("C2"));
	n = outputs_journal_fields(&a, "{\"id\":\"A42\"}", f, 16);
	assert_string_equal(field_of(f, n, "MESSAGE"), "alert A42 [critical] user shop read cards/1");
	assert_string_equal(field_of(f, n, "PRIORITY"), "2");	/* LOG_CRIT */
	assert_string_equal(field_of(f, n, "SYSLOG_IDENTIFIER"), "slaguardd");
	assert_string_equal(field_of(f, n, "SLAGUARD_ALERT_ID"), "A42");
	assert_string_equal(field_of(f, n, "SLAGUARD_SEVERITY"), "critical");
	assert_string_equal(field_of(f, n, "SLAGUARD_KIND"), "rule");
	assert_string_equal(field_of(f, n, "SLAGUARD_REF"), "no-cards");
	assert_string_equal(field_of(f, n, "SLAGUARD_SOURCE"), "192.0.2.7");
	assert_string_equal(field_of(f, n, "SLAGUARD_COMPONENT"), "db");
	assert_string_equal(field_of(f, n, "SLAGUARD_ACTIONS"), "C1 C2");
	assert_string_equal(field_of(f, n, "SLAGUARD_JSON"), "{\"id\":\"A42\"}");
	outputs_fields_free(f, n);

	/* No source, component or actions: no empty fields; MAX is honoured. */
	json_object_put(a.actions);
	a.actions = json_object_new_array();
	a.has_source = false;
	a.component[0] = '\0';
	a.severity = SLA_SEV_LOW;
	n = outputs_journal_fields(&a, NULL, f, 16);
	assert_null(field_of(f, n, "SLAGUARD_SOURCE"));
	assert_null(field_of(f, n, "SLAGUARD_COMPONENT"));
	assert_null(field_of(f, n, "SLAGUARD_ACTIONS"));
	assert_null(field_of(f, n, "SLAGUARD_JSON"));
	assert_string_equal(field_of(f, n, "PRIORITY"), "5");	/* LOG_NOTICE */
	outputs_fields_free(f, n);
	assert_int_equal(outputs_journal_fields(&a, NULL, f, 2), 2);
	outputs_fields_free(f, 2);
	json_object_put(a.evidence);
	json_object_put(a.actions);
}

static void test_urls(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(outputs_check_url("http://127.0.0.1:8080/hook", err, sizeof(err)), 0);
	assert_int_equal(outputs_check_url("https://hooks.example.org/x?token=1", err, sizeof(err)), 0);
	assert_int_equal(outputs_check_url("ftp://example.org/", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "only http:// and https://"));
	assert_int_equal(outputs_check_url("file:///etc/passwd", err, sizeof(err)), -EINVAL);
	assert_int_equal(outputs_check_url("not a url", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "is not a URL"));
}

/* Without outputs, status still says what is there (nothing). */
static void test_status_none(void **state)
{
	struct json_object *o = outputs_status_json(NULL), *j, *v;

	(void)state;
	assert_true(json_object_object_get_ex(o, "journal", &j));
	assert_true(json_object_object_get_ex(j, "enabled", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "webhooks", &v));
	assert_int_equal(json_object_array_length(v), 0);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_fifo),
		cmocka_unit_test(test_queue_drops_oldest),
		cmocka_unit_test(test_queue_bad),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_journal_fields),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_status_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
