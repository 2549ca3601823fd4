// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ids.h"
#include "util.h"

int id_store_open(struct id_store *s, const char *dir, uint64_t *alert_from,
		  uint64_t *cm_from)
{
	unsigned long long a, c;
	FILE *f;
	int n;

	memset(s, 0, sizeof(*s));
	if ((size_t)snprintf(s->path, sizeof(s->path), "%s/ids", dir) >= sizeof(s->path))
		return -ENAMETOOLONG;
	*alert_from = *cm_from = 1;
	f = fopen(s->path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	n = fscanf(f, "alert %llu countermeasure %llu", &a, &c);
	fclose(f);
	if (n != 2 || !a || !c)
		return -EINVAL;
	*alert_from = s->alert = a;
	*cm_from = s->countermeasure = c;
	return 0;
}

static int write_store(const struct id_store *s, uint64_t alert, uint64_t cm)
{
	struct sgd_rewrite w;
	int ret = sgd_rewrite_open(&w, s->path);

	if (ret < 0)
		return ret;
	fprintf(w.f, "alert %llu\ncountermeasure %llu\n",
		(unsigned long long)alert, (unsigned long long)cm);
	return sgd_rewrite_commit(&w);
}

int id_store_reserve(struct id_store *s, uint64_t next_alert, uint64_t next_cm)
{
	uint64_t a = s->alert, c = s->countermeasure;
	int ret;

	if (next_alert + ID_RESERVE / 2 > a)
		a = next_alert + ID_RESERVE;
	if (next_cm + ID_RESERVE / 2 > c)
		c = next_cm + ID_RESERVE;
	if (a == s->alert && c == s->countermeasure)
		return 0;
	ret = write_store(s, a, c);
	if (ret < 0) {
		if (!s->failed)
			sgd_log(LOG_WARNING, "%s: %s: alert and countermeasure ids may repeat after a restart",
				s->path, strerror(-ret));
		s->failed = true;
		return ret;
	}
	s->failed = false;
	s->alert = a;
	s->countermeasure = c;
	return 0;
}
