// SPDX-License-Identifier: GPL-2.0
/*
 * What slaguardctl prints from slaguardd's answers (tables, alert lines),
 * including answers with members missing or of the wrong type; and
 * "sla check", which needs no daemon.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "control_client.h"
#include "ctl.h"
#include "helpers.h"

static char *render(int (*fn)(struct json_object *, FILE *), const char *json)
{
	struct json_object *o = json_tokener_parse(json);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(o);
	assert_non_null(f);
	assert_int_equal(fn(o, f), 0);
	fclose(f);
	json_object_put(o);
	return buf;
}

static void expect_has(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("expected '%s' in:\n%s", part, text);
}

static void alerts_table(void **state)
{
	char *out;

	(void)state;
	out = render(cc_print_alerts,
		     "[{\"id\":\"A1\",\"time\":\"2026-11-23T10:00:01Z\",\"severity\":\"high\","
		     "\"kind\":\"rule\",\"ref\":\"no-telnet\",\"source\":\"10.77.0.2\",\"component\":\"web\","
		     "\"summary\":\"10.77.0.2 reached web port 23\",\"evidence\":{},\"actions\":[\"C1\",\"C2\"]},"
		     "{\"id\":\"A2\",\"time\":\"2026-11-23T10:00:02Z\",\"severity\":\"medium\","
		     "\"kind\":\"lost_events\",\"ref\":null,\"source\":null,\"component\":null,"
		     "\"summary\":\"3 events lost\",\"evidence\":{},\"actions\":[]}]");
	assert_string_equal(out,
		"ID  TIME                  SEVERITY  KIND         REF        SOURCE     COMPONENT  ACTIONS  SUMMARY\n"
		"A1  2026-11-23T10:00:01Z  high      rule         no-telnet  10.77.0.2  web        C1,C2    10.77.0.2 reached web port 23\n"
		"A2  2026-11-23T10:00:02Z  medium    lost_events  -          -          -          -        3 events lost\n");
	free(out);
}

/* Whatever the daemon leaves out or gets wrong prints as "-", never crashes. */
static void alerts_malformed(void **state)
{
	char *out;

	(void)state;
	out = render(cc_print_alerts, "[{}, 7, null, {\"id\":5,\"actions\":\"C1\",\"severity\":[1]}]");
	expect_has(out, "-   -     -         -     -    -       -          -        -\n");
	expect_has(out, "5   -     [1]");
	free(out);
	out = render(cc_print_alerts, "[]");
	assert_string_equal(out, "no alerts\n");
	free(out);
}

static void alert_line_fields(void **state)
{
	struct json_object *o = json_tokener_parse(
		"{\"id\":\"A9\",\"time\":\"T\",\"severity\":\"low\",\"kind\":\"anomaly\","
		"\"ref\":\"web-conn-rate\",\"source\":null,\"component\":\"web\",\"summary\":\"x\","
		"\"actions\":[]}");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	cc_print_alert_line(o, f);
	fclose(f);
	assert_string_equal(buf, "T A9 low anomaly web-conn-rate source=- component=web actions=-: x\n");
	free(buf);
	json_object_put(o);
}

static void status_numbers(void **state)
{
	char *out;

	(void)state;
	out = render(cc_print_status,
		     "{\"ok\":true,\"sla\":\"s\",\"file\":\"/f\",\"dry_run\":true,\"started\":\"T\","
		     "\"slos\":[{\"id\":\"a\",\"metric\":\"m\",\"state\":\"compliant\",\"value\":1.5,"
		     "\"bound\":200.0,\"window_ms\":5000,\"evidence\":{}},"
		     "{\"id\":\"b\",\"state\":\"violated\",\"value\":18446744073709551615}],"
		     "\"events\":{\"received\":1},\"alerts\":0,\"countermeasures\":0}");
	expect_has(out, "mode:             dry run");
	expect_has(out, "events:           1 received, - lost\n");
	expect_has(out, "SLOs:             2, 1 violated, 0 unknown");
	expect_has(out, "a    m       compliant                   1.5    200    5.0s  -\n");
	expect_has(out, "b    -       violated   18446744073709551615      -       -  -\n");
	assert_null(strstr(out, "sequences:"));
	free(out);
	/* Sequence rules: their keys against the bound, evictions shown. */
	out = render(cc_print_status,
		     "{\"ok\":true,\"sequences\":[{\"rule\":\"scan-then-db\",\"keys\":3,"
		     "\"max_keys\":4096,\"fired\":1,\"expired\":2,\"evicted\":0},"
		     "{\"rule\":\"guessed\",\"keys\":4096,\"max_keys\":4096,"
		     "\"fired\":0,\"expired\":0,\"evicted\":17}]}");
	expect_has(out, "sequences:        scan-then-db: 3/4096 keys, 1 fired, 2 expired, 0 evicted\n"
		   "                  guessed: 4096/4096 keys, 0 fired, 0 expired, 17 evicted\n");
	free(out);
	/* No SLOs at all: the header lines only. */
	out = render(cc_print_status, "{\"ok\":true}");
	expect_has(out, "sla:              - (-)\n");
	expect_has(out, "SLOs:             0, 0 violated, 0 unknown");
	free(out);
}

static void countermeasures_empty(void **state)
{
	char *out;

	(void)state;
	out = render(cc_print_countermeasures, "[]");
	assert_string_equal(out, "no active countermeasures\n");
	free(out);
	out = render(cc_print_countermeasures, "[{\"id\":\"C1\",\"remaining_s\":-1}]");
	expect_has(out, "C1  -       -          -  -        -      -\n");
	free(out);
}

struct check_run {
	int ret;
	char out[16384];
	struct ctl c;
};

static void sla_check_run(struct check_run *r, bool json, const char *file)
{
	char *argv[] = { "check", (char *)file, NULL };
	FILE *tmp = tmpfile();
	int saved;
	size_t n;

	memset(r, 0, sizeof(*r));
	r->c.json = json;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fileno(tmp), STDOUT_FILENO);
	r->ret = cmd_sla(&r->c, 2, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(r->out, 1, sizeof(r->out) - 1, tmp);
	r->out[n] = '\0';
	fclose(tmp);
}

static const char good_sla[] =
	"sla: demo\n"
	"components:\n"
	"  web: { addresses: [10.77.0.1, fd77::1], ports: [80] }\n"
	"rules:\n"
	"  - { id: no-telnet, deny: { to: web, port: 23, proto: tcp }, severity: high }\n"
	"slos:\n"
	"  - { id: web-portscan, metric: net.portscan_ports, per: source, component: web, max: 20, window: 10s, severity: high }\n"
	"countermeasures:\n"
	"  - { when: { severity: high }, do: block-source, for: 5s }\n";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void sla_check_ok(void **state)
{
	char path[] = "/tmp/sgctl-sla-XXXXXX";
	struct check_run r;
	struct json_object *o, *v;
	char want[256];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, good_sla);
	sla_check_run(&r, false, path);
	snprintf(want, sizeof(want),
		 "%s: ok (1 component, 1 rule, 1 SLO, 1 countermeasure)\n", path);
	assert_int_equal(r.ret, 0);
	assert_string_equal(r.out, want);

	sla_check_run(&r, true, path);
	assert_int_equal(r.ret, 0);
	o = json_tokener_parse(r.out);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "sla", &v));
	assert_string_equal(json_object_get_string(json_object_object_get(v, "sla")), "demo");
	assert_true(json_object_object_get_ex(o, "module", &v));
	assert_true(json_object_is_type(v, json_type_object));
	json_object_put(o);
	unlink(path);
}

/* A broken file: exit 1, the parser's FILE:LINE:COL on stderr, nothing on stdout. */
static void sla_check_broken(void **state)
{
	char path[] = "/tmp/sgctl-sla-XXXXXX";
	struct check_run r;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "sla: demo\ncomponents:\n  web: { addresses: [10.77.0.300] }\n");
	sla_check_run(&r, false, path);
	assert_true(r.ret < 0);
	assert_true(r.c.reported);
	assert_false(r.c.err.usage);
	assert_string_equal(r.out, "");
	unlink(path);

	sla_check_run(&r, false, "/nonexistent/sla.yaml");
	assert_true(r.ret < 0);
	assert_true(r.c.reported);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alerts_table),
		cmocka_unit_test(alerts_malformed),
		cmocka_unit_test(alert_line_fields),
		cmocka_unit_test(status_numbers),
		cmocka_unit_test(countermeasures_empty),
		cmocka_unit_test(sla_check_ok),
		cmocka_unit_test(sla_check_broken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
