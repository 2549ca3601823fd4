// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A tiny login service that reports to slaguardd through libslaguard-app:
 * failed logins, the records its users read and the roles they are
 * granted. It serves requests read on standard input, one per line:
 *
 *   login USER PASSWORD [CLIENT-ADDRESS]
 *   read USER RESOURCE [CLIENT-ADDRESS]
 *   grant USER ROLE
 *
 * Build and run (after `make install`):
 *
 *   cc -o login-service login-service.c $(pkg-config --cflags --libs slaguard-app)
 *   printf 'login alice wrong 192.0.2.7\n' | ./login-service -c web
 *
 * The socket is /run/slaguard/app.sock, or $SLAGUARD_APP_SOCKET. The SLA's
 * `reporters:` must let this program's uid report for the component (see
 * docs/app-events.md). Reporting never delays a request: when the daemon
 * is away, events wait briefly in a bounded queue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>

#include <slaguard-app.h>

/* The service's users; a real one asks its user database. */
static const struct { const char *user, *password; } users[] = {
	{ "alice", "wonderland" },
	{ "shop", "s3cret" },
};

static int check_password(const char *user, const char *password)
{
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		if (!strcmp(users[i].user, user) && !strcmp(users[i].password, password))
			return 0;
	return -1;
}

static void complain(struct slaguard_app *app, int ret)
{
	struct slaguard_app_stats st;

	if (!ret)
		return;
	slaguard_app_get_stats(app, &st);
	fprintf(stderr, "login-service: event not reported: %s\n", st.last_error);
}

static void serve(struct slaguard_app *app, const char *component, char *line)
{
	char *cmd = strtok(line, " \t\n"), *user = strtok(NULL, " \t\n");
	char *arg = strtok(NULL, " \t\n"), *addr = strtok(NULL, " \t\n");

	if (!cmd || !user || !arg) {
		printf("error: expected login USER PASSWORD, read USER RESOURCE or grant USER ROLE\n");
		return;
	}
	if (!strcmp(cmd, "login")) {
		if (check_password(user, arg) == 0) {
			printf("welcome %s\n", user);
			return;
		}
		printf("login failed\n");
		complain(app, slaguard_app_login_failure(app, component, user, "login-service", addr));
	} else if (!strcmp(cmd, "read")) {
		printf("%s: (contents of %s)\n", user, arg);
		complain(app, slaguard_app_access(app, component, user, SLAGUARD_APP_READ, arg, addr));
	} else if (!strcmp(cmd, "grant")) {
		printf("%s is now %s\n", user, arg);
		complain(app, slaguard_app_privilege_change(app, component, user, arg, NULL));
	} else {
		printf("error: unknown request '%s'\n", cmd);
	}
}

int main(int argc, char **argv)
{
	const char *component = "web";
	struct slaguard_app_stats st;
	struct slaguard_app *app;
	char line[1024];
	int opt;

	while ((opt = getopt(argc, argv, "c:")) != -1) {
		if (opt != 'c') {
			fprintf(stderr, "usage: %s [-c COMPONENT] < requests\n", argv[0]);
			return 2;
		}
		component = optarg;
	}
	/* Defaults for everything: path from $SLAGUARD_APP_SOCKET or /run/slaguard. */
	app = slaguard_app_open(NULL);
	if (!app) {
		perror("login-service: slaguard_app_open");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin))
		serve(app, component, line);
	/* Before exiting, give the daemon a second to take what is queued. */
	if (slaguard_app_flush(app, 1000))
		fprintf(stderr, "login-service: events left unsent\n");
	/* And a moment for its answer, should it refuse one. */
	poll(NULL, 0, 200);
	slaguard_app_flush(app, 0);
	slaguard_app_get_stats(app, &st);
	fprintf(stderr, "login-service: %llu events sent, %llu dropped, %llu refused by slaguardd%s%s\n",
		(unsigned long long)st.sent, (unsigned long long)(st.dropped + st.expired),
		(unsigned long long)st.refused, st.last_error[0] ? "; last error: " : "",
		st.last_error);
	slaguard_app_close(app);
	return 0;
}
