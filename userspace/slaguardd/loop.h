/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the epoll loop. Every file descriptor the daemon waits on has
 * a handler; the loop only dispatches, so each stage owns its own fds.
 */
#ifndef SLAGUARDD_LOOP_H
#define SLAGUARDD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop_handler;
typedef void (*loop_fn)(struct loop_handler *h, uint32_t events);

struct loop_handler {
	int fd;
	loop_fn fn;
	void *arg;
};

struct loop {
	int epfd;
	bool stop;
};

int loop_init(struct loop *l);
void loop_fini(struct loop *l);
/* EPOLLIN and friends; returns 0 or -errno. */
int loop_add(struct loop *l, struct loop_handler *h, uint32_t events);
int loop_mod(struct loop *l, struct loop_handler *h, uint32_t events);
void loop_del(struct loop *l, struct loop_handler *h);
/* Dispatch until loop_stop(); returns 0 or -errno of epoll_wait. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);

#endif /* SLAGUARDD_LOOP_H */
