// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static bool log_stderr = true;
static bool log_syslog;
static int log_max = LOG_INFO;

void sgd_log_setup(bool to_stderr, bool to_syslog, int max_level)
{
	log_stderr = to_stderr;
	log_syslog = to_syslog;
	log_max = max_level;
	if (to_syslog)
		openlog("slaguardd", LOG_PID, LOG_DAEMON);
}

void sgd_printable(char *s)
{
	size_t len = strlen(s), out = 0;
	unsigned char *p = (unsigned char *)s;

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = sg_utf8_seq(p + i, len - i, &cp);

		if (!n || sg_unsafe_cp(cp)) {
			p[out++] = '?';
			i += n ? n : 1;
			continue;
		}
		memmove(p + out, p + i, n);
		out += n;
		i += n;
	}
	p[out] = '\0';
}

void sgd_log(int level, const char *fmt, ...)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "error", "warning", "notice", "info",
		"debug",
	};
	char msg[1024];
	va_list ap;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Multi-line texts (nft's errors) stay one line; nothing steers a terminal. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	sgd_printable(msg);
	if (log_stderr)
		fprintf(stderr, "slaguardd: %s: %s\n", names[level & 7], msg);
	if (log_syslog)
		syslog(level, "%s", msg);
}

static uint64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t sgd_mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

uint64_t sgd_real_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

uint64_t sgd_mono_to_real(uint64_t mono)
{
	uint64_t now_mono = sgd_mono_ms(), now_real = sgd_real_ms();

	return mono >= now_mono ? now_real + (mono - now_mono)
				: now_real - (now_mono - mono);
}

/*
 * IPv4 by hand: every sample of a module event names its source, and
 * glibc's inet_ntop() formats through sprintf() - a tenth of the engine's
 * time in bench/replay.
 */
void sgd_format_addr(int family, const void *addr, char *buf, size_t size)
{
	const uint8_t *a = addr;
	char *p = buf;

	if (family == AF_INET && size >= INET_ADDRSTRLEN) {
		for (int i = 0; i < 4; i++) {
			if (a[i] >= 100)
				*p++ = (char)('0' + a[i] / 100);
			if (a[i] >= 10)
				*p++ = (char)('0' + a[i] / 10 % 10);
			*p++ = (char)('0' + a[i] % 10);
			*p++ = i < 3 ? '.' : '\0';
		}
		return;
	}
	if (!inet_ntop(family, addr, buf, (socklen_t)size) && size)
		buf[0] = '\0';
}

bool sgd_unmap_v4(uint8_t addr[16])
{
	static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };

	if (memcmp(addr, prefix, sizeof(prefix)))
		return false;
	memmove(addr, addr + 12, 4);
	memset(addr + 4, 0, 12);
	return true;
}

int sgd_parse_addr(const char *text, uint8_t addr[16])
{
	if (inet_pton(AF_INET, text, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, text, addr) == 1)
		return sgd_unmap_v4(addr) ? AF_INET : AF_INET6;
	return 0;
}

int sgd_rewrite_open(struct sgd_rewrite *r, const char *path)
{
	int fd;

	r->f = NULL;
	r->path = path;
	if (snprintf(r->tmp, sizeof(r->tmp), "%s.tmp", path) >= (int)sizeof(r->tmp))
		return -ENAMETOOLONG;
	fd = open(r->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r->f = fdopen(fd, "w");
	if (!r->f) {
		int err = errno;

		close(fd);
		unlink(r->tmp);
		return -err;
	}
	return 0;
}

int sgd_rewrite_commit(struct sgd_rewrite *r)
{
	int ret = 0;

	if (ferror(r->f) || fflush(r->f) || fsync(fileno(r->f)))
		ret = errno ? -errno : -EIO;
	if (fclose(r->f) && !ret)
		ret = -errno;
	r->f = NULL;
	if (!ret && rename(r->tmp, r->path) < 0)
		ret = -errno;
	if (ret)
		unlink(r->tmp);
	return ret;
}
