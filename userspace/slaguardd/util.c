// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

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

void sgd_format_time(uint64_t real_ms, char *buf, size_t size)
{
	time_t secs = (time_t)(real_ms / 1000);
	struct tm tm;
	char base[24];

	gmtime_r(&secs, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03uZ", base, (unsigned int)(real_ms % 1000));
}

void sgd_format_addr(int family, const void *addr, char *buf, size_t size)
{
	if (!inet_ntop(family, addr, buf, (socklen_t)size) && size)
		buf[0] = '\0';
}

int sgd_parse_addr(const char *text, uint8_t addr[16])
{
	if (inet_pton(AF_INET, text, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, text, addr) == 1)
		return AF_INET6;
	return 0;
}
