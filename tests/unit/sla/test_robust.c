// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Damaged files: every truncation of the examples and a thousand
 * deterministic byte mutations must either load or fail with a located
 * message, never crash, leak (ASan watches) or hand out half an SLA.
 */
#include "sla_test.h"

static char *read_example(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", SLA_EXAMPLES_DIR, name);
	f = fopen(path, "r");
	assert_non_null(f);
	buf = malloc(1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* Either a model and no message, or no model and a message with a place. */
static void load_either_way(const char *text, size_t len)
{
	char err[512] = "";
	struct sla *sla = (struct sla *)1;
	int ret = sla_load_string(text, len, "x", &sla, err, sizeof(err));

	if (ret == 0) {
		assert_non_null(sla);
		assert_string_equal(err, "");
		sla_free(sla);
		return;
	}
	assert_int_equal(ret, -EINVAL);
	assert_null(sla);
	assert_memory_equal(err, "x:", 2);
}

static void truncations(const char *name)
{
	size_t len;
	char *text = read_example(name, &len);

	for (size_t cut = 0; cut <= len; cut++)
		load_either_way(text, cut);
	free(text);
}

static void truncated_webshop(void **state)
{
	(void)state;
	truncations("webshop.yaml");
}

static void truncated_hypervisor(void **state)
{
	(void)state;
	truncations("hypervisor.yaml");
}

/* xorshift: the same mutations on every run, so failures reproduce. */
static uint32_t next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void mutated_examples(void **state)
{
	static const char alphabet[] = " :-[]{},'\"#&*!|>\n\t0aZ/.";
	const char *names[] = { "webshop.yaml", "hypervisor.yaml" };
	uint32_t seed = 0x5eed1e55;

	(void)state;
	for (size_t f = 0; f < 2; f++) {
		size_t len;
		char *text = read_example(names[f], &len);
		char *copy = malloc(len + 1);

		assert_non_null(copy);
		for (int round = 0; round < 500; round++) {
			memcpy(copy, text, len + 1);
			for (int k = 0; k < 3; k++)
				copy[next(&seed) % len] =
					alphabet[next(&seed) % (sizeof(alphabet) - 1)];
			load_either_way(copy, len);
		}
		free(copy);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(truncated_webshop),
		cmocka_unit_test(truncated_hypervisor),
		cmocka_unit_test(mutated_examples),
	};

	return cmocka_run_group_tests_name("sla robustness", tests, NULL, NULL);
}
