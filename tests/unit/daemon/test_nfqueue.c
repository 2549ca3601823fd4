// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Verdicts on packets queued for inspection, from hand-built IPv4/IPv6
 * TCP/UDP buffers: a payload a payload rule forbids is dropped with an
 * alert; anything else, truncated and malformed packets included, is
 * accepted (fail-open). And the queue number comes from the rules file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "engine.h"
#include "helpers.h"
#include "inspect.h"

static const char sla_yaml[] =
	"sla: inspect\n"
	"components:\n"
	"  web: { addresses: [10.0.0.10, 2001:db8::10], ports: [80] }\n"
	"  db: { addresses: [10.0.1.20], ports: [5432] }\n"
	"rules:\n"
	"  - { id: db-from-web, allow: { from: [web], to: db, port: 5432, proto: tcp } }\n"
	"  - { id: no-sqli, deny: { to: db, port: 5432, proto: tcp, payload: 'DROP TABLE' }, severity: critical }\n"
	"  - { id: no-admin, deny: { to: web, port: 80, payload: 'GET /admin' }, severity: high }\n"
	"  - { id: no-exfil, deny: { to: web, port: 53, proto: udp, payload: exfil }, severity: high }\n"
	"countermeasures:\n"
	"  - { when: { severity: high }, do: block-source, for: 1m }\n"
	"defaults: { holdoff: 5s }\n";

struct fixture {
	struct fake_backend fb;
	struct engine e;
	uint8_t pkt[1600];
};

static int setup_mode(void **state, bool dry_run)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct engine_opts o = { .ops = &fake_ops, .ops_ctx = &f->fb,
				 .dry_run = dry_run,
				 .alerts = { .rate = 100, .burst = 100 } };

	assert_non_null(f);
	assert_int_equal(engine_init(&f->e, load_sla_text(sla_yaml), "inspect.yaml", &o), 0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_mode(state, false);
}

static int setup_dry(void **state)
{
	return setup_mode(state, true);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	engine_fini(&f->e);
	free(f);
	return 0;
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* The transport header and payload at B; returns their length. */
static size_t l4(uint8_t *b, uint8_t proto, uint16_t dport, const char *data)
{
	size_t hlen = proto == IPPROTO_TCP ? 32 : 8;	/* TCP with 12 bytes of options */
	size_t n = strlen(data);

	memset(b, 0, hlen);
	put16(b, 40000);
	put16(b + 2, dport);
	if (proto == IPPROTO_TCP)
		b[12] = (uint8_t)((hlen / 4) << 4);
	else
		put16(b + 4, (uint16_t)(hlen + n));
	memcpy(b + hlen, data, n);
	return hlen + n;
}

static size_t ipv4(uint8_t *b, const char *src, const char *dst, uint8_t proto,
		   uint16_t dport, const char *data)
{
	size_t n;

	memset(b, 0, 24);
	b[0] = 0x46;		/* version 4, 24-byte header (options) */
	b[8] = 64;
	b[9] = proto;
	assert_int_equal(inet_pton(AF_INET, src, b + 12), 1);
	assert_int_equal(inet_pton(AF_INET, dst, b + 16), 1);
	n = 24 + l4(b + 24, proto, dport, data);
	put16(b + 2, (uint16_t)n);
	return n;
}

/* With a hop-by-hop options header before the transport. */
static size_t ipv6(uint8_t *b, const char *src, const char *dst, uint8_t proto,
		   uint16_t dport, const char *data)
{
	size_t n;

	memset(b, 0, 48);
	b[0] = 0x60;
	b[6] = IPPROTO_HOPOPTS;
	b[7] = 64;
	assert_int_equal(inet_pton(AF_INET6, src, b + 8), 1);
	assert_int_equal(inet_pton(AF_INET6, dst, b + 24), 1);
	b[40] = proto;		/* next header */
	b[41] = 0;		/* 8 bytes */
	n = 48 + l4(b + 48, proto, dport, data);
	put16(b + 4, (uint16_t)(n - 40));
	return n;
}

static const char *rule_id(const struct sla *sla, const uint8_t *pkt, size_t len)
{
	const struct sla_rule *r = inspect_judge(sla, pkt, len, NULL);

	return r ? r->id : NULL;
}

static void ipv4_tcp(void **state)
{
	struct fixture *f = *state;
	const struct sla *sla = f->e.sla;
	struct inspect_packet p;
	size_t n;

	n = ipv4(f->pkt, "10.0.0.10", "10.0.1.20", IPPROTO_TCP, 5432,
		 "Q\1\2select 1; drop table users;");
	/* the allow for web does not lift a payload rule */
	assert_string_equal(rule_id(sla, f->pkt, n), "no-sqli");
	assert_int_equal(inspect_parse(f->pkt, n, &p), 0);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.proto, IPPROTO_TCP);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 5432);
	assert_int_equal(p.payload_len, 30);
	n = ipv4(f->pkt, "10.0.0.10", "10.0.1.20", IPPROTO_TCP, 5432, "select * from users");
	assert_null(rule_id(sla, f->pkt, n));
	n = ipv4(f->pkt, "10.0.0.10", "10.0.1.20", IPPROTO_TCP, 5433, "drop table users");
	assert_null(rule_id(sla, f->pkt, n));
	n = ipv4(f->pkt, "10.0.0.10", "10.0.1.21", IPPROTO_TCP, 5432, "drop table users");
	assert_null(rule_id(sla, f->pkt, n));
	/* no-sqli is tcp only */
	n = ipv4(f->pkt, "10.0.0.10", "10.0.1.20", IPPROTO_UDP, 5432, "drop table users");
	assert_null(rule_id(sla, f->pkt, n));
}

static void ipv4_udp_and_ipv6(void **state)
{
	struct fixture *f = *state;
	const struct sla *sla = f->e.sla;
	size_t n;

	n = ipv4(f->pkt, "192.0.2.1", "10.0.0.10", IPPROTO_UDP, 53, "xxEXFILxx");
	assert_string_equal(rule_id(sla, f->pkt, n), "no-exfil");
	n = ipv4(f->pkt, "192.0.2.1", "10.0.0.10", IPPROTO_TCP, 53, "exfil");
	assert_null(rule_id(sla, f->pkt, n));
	n = ipv6(f->pkt, "2001:db8::99", "2001:db8::10", IPPROTO_TCP, 80,
		 "GET /admin HTTP/1.1\r\n");
	assert_string_equal(rule_id(sla, f->pkt, n), "no-admin");
	n = ipv6(f->pkt, "2001:db8::99", "2001:db8::10", IPPROTO_UDP, 80, "get /ADMIN");
	assert_string_equal(rule_id(sla, f->pkt, n), "no-admin");
	n = ipv6(f->pkt, "2001:db8::99", "2001:db8::10", IPPROTO_TCP, 80,
		 "GET /index.html HTTP/1.1\r\n");
	assert_null(rule_id(sla, f->pkt, n));
	n = ipv6(f->pkt, "2001:db8::99", "2001:db8::11", IPPROTO_TCP, 80, "GET /admin");
	assert_null(rule_id(sla, f->pkt, n));
}

/* Every cut of a matching packet: no read past the copy; cut headers accept. */
static void truncated_accepts(void **state)
{
	struct fixture *f = *state;
	size_t n4, n6;
	uint8_t *copy;

	n4 = ipv4(f->pkt, "192.0.2.1", "10.0.0.10", IPPROTO_TCP, 80, "GET /admin");
	for (size_t len = 0; len <= n4; len++) {
		copy = malloc(len ? len : 1);	/* exact size: ASan sees overreads */
		memcpy(copy, f->pkt, len);
		if (len < n4)
			assert_null(rule_id(f->e.sla, copy, len));
		else
			assert_string_equal(rule_id(f->e.sla, copy, len), "no-admin");
		assert_false(len < 24 + 32 && engine_on_packet(&f->e, copy, len));
		free(copy);
	}
	n6 = ipv6(f->pkt, "2001:db8::99", "2001:db8::10", IPPROTO_TCP, 80, "GET /admin");
	for (size_t len = 0; len < 48 + 32; len++) {
		copy = malloc(len ? len : 1);
		memcpy(copy, f->pkt, len);
		assert_null(rule_id(f->e.sla, copy, len));
		free(copy);
	}
	assert_non_null(rule_id(f->e.sla, f->pkt, n6));
}

static void malformed_accepts(void **state)
{
	struct fixture *f = *state;
	struct inspect_packet p;
	size_t n;

	n = ipv4(f->pkt, "192.0.2.1", "10.0.0.10", IPPROTO_TCP, 80, "GET /admin");
	f->pkt[24 + 12] = 0x40;		/* TCP data offset 16 bytes < 20 */
	assert_int_equal(inspect_parse(f->pkt, n, &p), -EBADMSG);
	assert_false(engine_on_packet(&f->e, f->pkt, n));
	n = ipv4(f->pkt, "192.0.2.1", "10.0.0.10", IPPROTO_TCP, 80, "GET /admin");
	f->pkt[24 + 12] = 0xf0;		/* 60 bytes: beyond the packet */
	assert_false(engine_on_packet(&f->e, f->pkt, n));
	n = ipv4(f->pkt, "192.0.2.1", "10.0.0.10", IPPROTO_TCP, 80, "GET /admin");
	f->pkt[0] = 0x44;		/* IHL 16 bytes */
	assert_false(engine_on_packet(&f->e, f->pkt, n));
	n = ipv4(f->pkt, "192.0.2.1", "10.0.0.10", IPPROTO_TCP, 80, "GET /admin");
	put16(f->pkt + 6, 185);		/* a later fragment: no transport header */
	assert_int_equal(inspect_parse(f->pkt, n, &p), -ENOENT);
	assert_false(engine_on_packet(&f->e, f->pkt, n));
	n = ipv4(f->pkt, "192.0.2.1", "10.0.0.10", IPPROTO_TCP, 80, "GET /admin");
	put16(f->pkt + 2, 24 + 32 + 4);	/* total length ends inside the payload */
	assert_false(engine_on_packet(&f->e, f->pkt, n));
	f->pkt[0] = 0x50;		/* version 5 */
	assert_false(engine_on_packet(&f->e, f->pkt, n));
	n = ipv6(f->pkt, "2001:db8::99", "2001:db8::10", IPPROTO_TCP, 80, "GET /admin");
	f->pkt[41] = 200;		/* extension header runs past the packet */
	assert_false(engine_on_packet(&f->e, f->pkt, n));
	n = ipv6(f->pkt, "2001:db8::99", "2001:db8::10", IPPROTO_ICMPV6, 80, "GET /admin");
	assert_int_equal(inspect_parse(f->pkt, n, &p), -ENOENT);
	assert_false(engine_on_packet(&f->e, f->pkt, n));
	assert_int_equal(alerts_counters(f->e.alerts)->raised, 0);
}

/* Only the first INSPECT_PAYLOAD_MAX bytes of a payload are judged. */
static void payload_window(void **state)
{
	struct fixture *f = *state;
	char data[INSPECT_PAYLOAD_MAX + 32];
	size_t n;

	memset(data, 'a', sizeof(data) - 1);
	data[sizeof(data) - 1] = '\0';
	memcpy(data + INSPECT_PAYLOAD_MAX - 10, "GET /admin", 10);
	n = ipv4(f->pkt, "192.0.2.1", "10.0.0.10", IPPROTO_TCP, 80, data);
	assert_string_equal(rule_id(f->e.sla, f->pkt, n), "no-admin");
	memset(data, 'a', sizeof(data) - 1);
	memcpy(data + INSPECT_PAYLOAD_MAX - 9, "GET /admin", 10);
	n = ipv4(f->pkt, "192.0.2.1", "10.0.0.10", IPPROTO_TCP, 80, data);
	assert_null(rule_id(f->e.sla, f->pkt, n));
}

/* The newest alert as JSON (the caller puts it). */
static struct json_object *last_alert(struct fixture *f)
{
	struct json_object *list = alerts_recent_json(f->e.alerts, 1);
	struct json_object *a;

	assert_non_null(list);
	assert_int_equal(json_object_array_length(list), 1);
	a = json_object_get(json_object_array_get_idx(list, 0));
	json_object_put(list);
	return a;
}

/* Drop, one alert naming the rule and the source, de-duplicated after. */
static void drop_and_alert(void **state)
{
	struct fixture *f = *state;
	struct json_object *o, *v;
	size_t n;

	n = ipv4(f->pkt, "192.0.2.7", "10.0.0.10", IPPROTO_TCP, 80, "GET /admin HTTP/1.0");
	assert_true(engine_on_packet(&f->e, f->pkt, n));
	assert_true(engine_on_packet(&f->e, f->pkt, n));
	assert_int_equal(alerts_counters(f->e.alerts)->raised, 1);
	assert_int_equal(alerts_counters(f->e.alerts)->deduplicated, 1);
	o = last_alert(f);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "ref", &v));
	assert_string_equal(json_object_get_string(v), "no-admin");
	assert_true(json_object_object_get_ex(o, "kind", &v));
	assert_string_equal(json_object_get_string(v), "rule");
	assert_true(json_object_object_get_ex(o, "source", &v));
	assert_string_equal(json_object_get_string(v), "192.0.2.7");
	assert_true(json_object_object_get_ex(o, "component", &v));
	assert_string_equal(json_object_get_string(v), "web");
	assert_true(json_object_object_get_ex(o, "evidence", &v));
	assert_true(json_object_object_get_ex(v, "verdict", &v));
	assert_string_equal(json_object_get_string(v), "drop");
	json_object_put(o);
	/* severity high -> block-source of the sender */
	assert_int_equal(f->fb.applies, 1);
	assert_string_equal(f->fb.last_target, "192.0.2.7");
	/* an ordinary request of the same source passes */
	n = ipv4(f->pkt, "192.0.2.7", "10.0.0.10", IPPROTO_TCP, 80, "GET / HTTP/1.0");
	assert_false(engine_on_packet(&f->e, f->pkt, n));
}

static void dry_run_accepts(void **state)
{
	struct fixture *f = *state;
	size_t n = ipv4(f->pkt, "192.0.2.7", "10.0.1.20", IPPROTO_TCP, 5432, "DROP TABLE x");

	assert_false(engine_on_packet(&f->e, f->pkt, n));
	assert_int_equal(alerts_counters(f->e.alerts)->raised, 1);
	assert_int_equal(f->fb.applies, 0);
}

static bool has_verdict(const struct nfqueue_verdict *v, size_t n, bool batch,
			uint32_t id, bool drop)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].batch == batch && v[i].id == id && v[i].drop == drop)
			return true;
	return false;
}

/*
 * Packet ids are 32 bits and wrap: the batch accept must cover the packets
 * after the wrap (the kernel compares ids wrap-safe), and a packet the
 * reader could not parse is accepted by its own id, never by a batch that
 * its id would drive.
 */
static void verdicts_wrap_and_unparsed(void **state)
{
	struct nfqueue_burst b = { 0 };
	struct nfqueue_verdict v[NFQUEUE_BURST + 2];
	size_t n;

	(void)state;
	nfqueue_burst_add(&b, 0xfffffffeU, NFQUEUE_ACCEPT);
	nfqueue_burst_add(&b, 0xffffffffU, NFQUEUE_DROP);
	nfqueue_burst_add(&b, 0, NFQUEUE_ACCEPT);
	nfqueue_burst_add(&b, 1, NFQUEUE_ACCEPT);
	n = nfqueue_burst_verdicts(&b, v);
	assert_int_equal(n, 2);
	assert_true(has_verdict(v, n, false, 0xffffffffU, true));
	assert_true(has_verdict(v, n, true, 1, false));
	/* The drop goes first: the batch must not take it. */
	assert_true(v[0].drop);

	memset(&b, 0, sizeof(b));
	nfqueue_burst_add(&b, 7, NFQUEUE_ACCEPT);
	nfqueue_burst_add(&b, 900, NFQUEUE_ACCEPT_ALONE);
	n = nfqueue_burst_verdicts(&b, v);
	assert_int_equal(n, 2);
	assert_true(has_verdict(v, n, false, 900, false));
	assert_true(has_verdict(v, n, true, 7, false));
}

static void queue_number(void **state)
{
	uint16_t num = 0;

	(void)state;
	assert_int_equal(nfqueue_num_from_file(SGD_NFT_DIR "/slaguard-inspect.nft", &num), 0);
	assert_int_equal(num, 100);
	assert_int_equal(nfqueue_num_from_text(
		"# queue num 5 in a comment\n"
		"add rule inet t c counter comment \"queue num 6\" queue flags bypass to 7\n", &num), 0);
	assert_int_equal(num, 7);
	assert_int_equal(nfqueue_num_from_text("add rule inet t c queue num 42; accept\n", &num), 0);
	assert_int_equal(num, 42);
	assert_int_equal(nfqueue_num_from_text("add rule inet t c queue bypass\n", &num), 0);
	assert_int_equal(num, 0);
	assert_int_equal(nfqueue_num_from_text("add rule inet t c queue num 3-5 fanout\n", &num), -EINVAL);
	assert_int_equal(nfqueue_num_from_text("add rule inet t c queue num 70000\n", &num), -EINVAL);
	assert_int_equal(nfqueue_num_from_text("# queue num 1\nadd rule inet t c accept\n", &num), -ENOENT);
	assert_int_equal(nfqueue_num_from_file("/nonexistent/inspect.nft", &num), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(ipv4_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(ipv4_udp_and_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(truncated_accepts, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_accepts, setup, teardown),
		cmocka_unit_test_setup_teardown(payload_window, setup, teardown),
		cmocka_unit_test_setup_teardown(drop_and_alert, setup, teardown),
		cmocka_unit_test_setup_teardown(dry_run_accepts, setup_dry, teardown),
		cmocka_unit_test(queue_number),
		cmocka_unit_test(verdicts_wrap_and_unparsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
