/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text from outside (applications, process and cgroup names) must not
 * steer a terminal or forge a log line. A character is unsafe if it is a
 * C0 or C1 control, DEL, a line or paragraph separator, a bidirectional
 * override, or not valid UTF-8. Header-only: the daemon checks what it
 * receives with it, and the application library (which links nothing of
 * the daemon's) refuses the same before sending.
 */
#ifndef SG_TEXT_H
#define SG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SG_NOT_UTF8	0x80000000u

static inline bool sg_unsafe_cp(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	       cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Length of the UTF-8 sequence at P (at most LEFT bytes), 0 if invalid. */
static inline size_t sg_utf8_seq(const unsigned char *p, size_t left,
				 uint32_t *cp)
{
	size_t n;
	uint32_t v, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		n = 2; v = p[0] & 0x1f; min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3; v = p[0] & 0x0f; min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4; v = p[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/*
 * The offset of the first unsafe character in TEXT[0..LEN) (its code point,
 * or SG_NOT_UTF8 | the byte, in *CP), or LEN if there is none.
 */
static inline size_t sg_text_check(const char *text, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0;

	while (i < len) {
		size_t n = sg_utf8_seq(p + i, len - i, cp);

		if (!n) {
			*cp = SG_NOT_UTF8 | p[i];
			return i;
		}
		if (sg_unsafe_cp(*cp))
			return i;
		i += n;
	}
	return len;
}

#endif
