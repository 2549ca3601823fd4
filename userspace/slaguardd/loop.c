// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"

int loop_init(struct loop *l)
{
	l->stop = false;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -errno : 0;
}

void loop_fini(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

static int ctl(struct loop *l, int op, struct loop_handler *h, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	return epoll_ctl(l->epfd, op, h->fd, &ev) < 0 ? -errno : 0;
}

int loop_add(struct loop *l, struct loop_handler *h, uint32_t events)
{
	return ctl(l, EPOLL_CTL_ADD, h, events);
}

int loop_mod(struct loop *l, struct loop_handler *h, uint32_t events)
{
	return ctl(l, EPOLL_CTL_MOD, h, events);
}

void loop_del(struct loop *l, struct loop_handler *h)
{
	if (h->fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, h->fd, NULL);
}

/*
 * One event per wait: a handler may close and free other handlers (a
 * control client disconnecting, the genl socket being reopened), so a
 * batch of ready events could point at freed memory.
 */
int loop_run(struct loop *l)
{
	while (!l->stop) {
		struct epoll_event ev;
		struct loop_handler *h;
		int n = epoll_wait(l->epfd, &ev, 1, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			continue;
		h = ev.data.ptr;
		h->fn(h, ev.events);
	}
	return 0;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}
