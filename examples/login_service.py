#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A tiny login service that reports to slaguardd through slaguard_app:
failed logins, the records its users read and the roles they are granted.
It serves requests read on standard input, one per line:

    login USER PASSWORD [CLIENT-ADDRESS]
    read USER RESOURCE [CLIENT-ADDRESS]
    grant USER ROLE

Run (after `make install`, which puts slaguard_app on python3's path):

    printf 'login alice wrong 192.0.2.7\\n' | ./login_service.py -c web

The socket is /run/slaguard/app.sock, or $SLAGUARD_APP_SOCKET. The SLA's
`reporters:` must let this program's uid report for the component (see
docs/app-events.md). Reporting never delays a request: when the daemon is
away, events wait briefly in a bounded queue.
"""

import argparse
import sys
import time

import slaguard_app

# The service's users; a real one asks its user database.
USERS = {"alice": "wonderland", "shop": "s3cret"}


def serve(app, component, line):
    words = line.split()
    if len(words) < 3:
        print("error: expected login USER PASSWORD, read USER RESOURCE or grant USER ROLE")
        return
    cmd, user, arg = words[:3]
    addr = words[3] if len(words) > 3 else None
    try:
        if cmd == "login":
            if USERS.get(user) == arg:
                print("welcome %s" % user)
                return
            print("login failed")
            app.login_failure(component, user, "login-service", source=addr)
        elif cmd == "read":
            print("%s: (contents of %s)" % (user, arg))
            app.access(component, user, "read", arg, source=addr)
        elif cmd == "grant":
            print("%s is now %s" % (user, arg))
            app.privilege_change(component, user, arg)
        else:
            print("error: unknown request '%s'" % cmd)
    except ValueError as e:
        print("login_service: event not reported: %s" % e, file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description="A tiny login service reporting to slaguardd.")
    p.add_argument("-c", "--component", default="web")
    args = p.parse_args()
    # Defaults for everything: path from $SLAGUARD_APP_SOCKET or /run/slaguard.
    with slaguard_app.App() as app:
        for line in sys.stdin:
            serve(app, args.component, line)
            sys.stdout.flush()
        # Before exiting, give the daemon a second to take what is queued,
        # and a moment for its answer, should it refuse one.
        if app.flush(1.0):
            print("login_service: events left unsent", file=sys.stderr)
        time.sleep(0.2)
        app.flush()
        st = app.stats()
        print("login_service: %d events sent, %d dropped, %d refused by slaguardd%s"
              % (st["sent"], st["dropped"] + st["expired"], st["refused"],
                 "; last error: " + st["last_error"] if st["last_error"] else ""),
              file=sys.stderr)


if __name__ == "__main__":
    main()
