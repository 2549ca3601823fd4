# SPDX-License-Identifier: GPL-2.0-or-later
"""Report application events to slaguardd (pure Python, standard library).

The same API and behaviour as the C library libslaguard-app
(slaguard-app.h); the schema is docs/app-events.md.

    import slaguard_app
    app = slaguard_app.App()
    app.login_failure("web", "alice", "admin-ui", source="192.0.2.7")
    app.access("db", "shop-web", "read", "payments/cards/42")
    app.flush(1.0)          # only before exiting: the one call that waits
    app.close()

Never in the application's way: the socket is non-blocking and written
with MSG_NOSIGNAL, so a daemon that is away, slow or gone costs nothing but
buffered lines. Lines wait in a bounded queue (count, bytes and age) while
the daemon cannot take them; when it is full the oldest line is dropped and
counted (stats()["dropped"]). A lost connection is retried with exponential
backoff, only ever from a call of the application (there is no thread).
Thread-safe (a lock guards each App); not fork-safe: a child opens its own.
"""

import collections
import errno
import ipaddress
import json
import os
import re
import socket
import threading
import time

__all__ = ["App", "SCHEMA_VERSION", "DEFAULT_SOCKET", "SOCKET_ENV", "ACTIONS"]

SCHEMA_VERSION = 1
DEFAULT_SOCKET = "/run/slaguard/app.sock"
SOCKET_ENV = "SLAGUARD_APP_SOCKET"
NAME_MAX = 63           # component, user, role, action: bytes of UTF-8
RESOURCE_MAX = 255
SOURCE_MAX = 45
ACTIONS = ("read", "write", "delete", "login-failure", "privilege-change")
_REPLY_MAX = 1024       # a longer reply line is skipped
_IOV_BATCH = 64         # lines written by one sendmsg()


# What the daemon refuses: C0 and C1 controls, DEL, line and paragraph
# separators, bidirectional overrides.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _monotonic_ms():
    return int(time.monotonic() * 1000)


class App:
    """One connection to slaguardd's application socket, with its queue."""

    def __init__(self, path=None, max_lines=256, max_bytes=64 << 10,
                 max_age=30.0, backoff_min=0.1, backoff_max=5.0):
        if not path:
            path = os.environ.get(SOCKET_ENV) or DEFAULT_SOCKET
        if len(os.fsencode(path)) >= 108:
            raise ValueError("socket path too long: %r" % path)
        self.path = path
        self._max_lines = max(1, int(max_lines))
        self._max_bytes = max(4096, int(max_bytes))
        self._max_age_ms = int(max_age * 1000)
        self._backoff_min_ms = max(1, int(backoff_min * 1000))
        self._backoff_max_ms = max(self._backoff_min_ms, int(backoff_max * 1000))
        self._backoff_ms = self._backoff_min_ms
        self._lock = threading.Lock()
        self._q = collections.deque()   # [bytes, born_ms]
        self._bytes = 0
        self._off = 0                   # bytes of the head line already written
        self._sock = None
        self._up_since_ms = 0
        self._next_try_ms = 0
        self._in = b""
        self._in_skip = False
        self._st = dict(queued=0, sent=0, dropped=0, expired=0, invalid=0,
                        refused=0, connects=0, connect_failures=0,
                        disconnects=0)
        self._last_error = ""
        with self._lock:
            self._connect(_monotonic_ms())

    # -- reporting ---------------------------------------------------------

    def report(self, component, user, action, resource, role=None, source=None):
        """Queue one event and send what the socket takes now.

        Raises ValueError (the reason also in stats()["last_error"]) when
        the event is malformed; otherwise the event is queued, not
        necessarily delivered.
        """
        with self._lock:
            try:
                line = self._line(component, user, action, resource, role, source)
            except ValueError as e:
                self._st["invalid"] += 1
                self._last_error = str(e)
                raise
            now = _monotonic_ms()
            self._expire(now)
            while self._q and (len(self._q) >= self._max_lines or
                               self._bytes + len(line) > self._max_bytes):
                if not self._drop_oldest():
                    break
                self._st["dropped"] += 1
                self._last_error = ("dropped the oldest line: %d lines waited for the daemon"
                                    % (len(self._q) + 1))
            if len(self._q) >= self._max_lines:
                self._st["dropped"] += 1    # only the partly written head is left
                return
            self._q.append([line, now])
            self._bytes += len(line)
            self._st["queued"] += 1
            self._pump()

    def access(self, component, user, action, resource, source=None, role=None):
        self.report(component, user, action, resource, role=role, source=source)

    def login_failure(self, component, user, resource, source=None, role=None):
        """A failed login of USER into RESOURCE (e.g. "ssh", "admin-ui")."""
        self.report(component, user, "login-failure", resource, role=role, source=source)

    def privilege_change(self, component, user, resource, source=None, role=None):
        """USER gained the right or role RESOURCE (e.g. "role/admin")."""
        self.report(component, user, "privilege-change", resource, role=role, source=source)

    def flush(self, timeout=0.0):
        """Send what is queued; wait at most TIMEOUT seconds for the queue
        to empty (0: never wait). Returns the number of lines left."""
        end = time.monotonic() + timeout
        with self._lock:
            self._pump()
            left = len(self._q)
        while left and time.monotonic() < end:
            time.sleep(0.005)      # without the lock: other threads report
            with self._lock:
                self._pump()
                left = len(self._q)
        return left

    def stats(self):
        """A snapshot of the counters, the queue and the last error."""
        with self._lock:
            d = dict(self._st)
            d["pending"] = len(self._q)
            d["connected"] = self._sock is not None
            d["last_error"] = self._last_error
            return d

    def close(self):
        """Send what the socket takes now without waiting, then let go."""
        with self._lock:
            self._pump()
            if self._sock is not None:
                self._sock.close()
                self._sock = None
            self._q.clear()
            self._bytes = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- the line ----------------------------------------------------------

    @staticmethod
    def _check(key, value, limit, required):
        if value is None or value == "":
            if required:
                raise ValueError("field '%s': expected a non-empty string" % key)
            return None
        if not isinstance(value, str):
            raise ValueError("field '%s': expected a string, got %s"
                             % (key, type(value).__name__))
        try:
            raw = value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise ValueError("field '%s': expected UTF-8 text, got U+%04X at offset %d"
                             % (key, ord(value[e.start]), e.start)) from None
        if len(raw) > limit:
            raise ValueError("field '%s': expected at most %d bytes" % (key, limit))
        m = _UNSAFE.search(value)
        if m:
            raise ValueError("field '%s': expected text without control characters, "
                             "got U+%04X at offset %d"
                             % (key, ord(m.group()), len(value[:m.start()].encode("utf-8"))))
        return value

    def _line(self, component, user, action, resource, role, source):
        ev = {"v": SCHEMA_VERSION}
        ev["component"] = self._check("component", component, NAME_MAX, True)
        ev["user"] = self._check("user", user, NAME_MAX, True)
        ev["action"] = self._check("action", action, NAME_MAX, True)
        ev["resource"] = self._check("resource", resource, RESOURCE_MAX, True)
        role = self._check("role", role, NAME_MAX, False)
        source = self._check("source", source, SOURCE_MAX, False)
        if action not in ACTIONS:
            raise ValueError("field 'action': expected one of %s, got '%.32s'"
                             % (", ".join(ACTIONS), action))
        if role is not None:
            ev["role"] = role
        if source is not None:
            try:
                ipaddress.ip_address(source)
            except ValueError:
                raise ValueError("field 'source': expected an IPv4 or IPv6 address, got '%s'"
                                 % source) from None
            ev["source"] = source
        # json escapes quotes and backslashes; controls were refused above.
        return (json.dumps(ev, ensure_ascii=False, separators=(",", ":"))
                + "\n").encode("utf-8")

    # -- the queue ---------------------------------------------------------

    def _drop_oldest(self):
        """Drop the oldest line that may go: not the head while part of it
        is in the socket, as the rest must follow or the stream is corrupt."""
        if self._off:
            if len(self._q) < 2:
                return False
            head = self._q.popleft()
            gone = self._q.popleft()
            self._q.appendleft(head)
        elif self._q:
            gone = self._q.popleft()
        else:
            return False
        self._bytes -= len(gone[0])
        return True

    def _expire(self, now):
        first = 1 if self._off else 0
        while len(self._q) > first and now - self._q[first][1] > self._max_age_ms:
            if not self._drop_oldest():
                break
            self._st["expired"] += 1
            self._last_error = ("dropped lines older than %d ms: the daemon did not take them"
                                % self._max_age_ms)

    # -- the socket --------------------------------------------------------

    def _later(self, now):
        self._next_try_ms = now + self._backoff_ms
        self._backoff_ms = min(self._backoff_ms * 2, self._backoff_max_ms)

    def _connect(self, now):
        if self._sock is not None or now < self._next_try_ms:
            return
        s = None
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
            s.setblocking(False)
            err = s.connect_ex(self.path)
            if err not in (0, errno.EINPROGRESS):   # EAGAIN: its backlog is full
                raise OSError(err, os.strerror(err))
        except OSError as e:
            if s is not None:
                s.close()
            self._st["connect_failures"] += 1
            self._last_error = "cannot connect to %s: %s" % (self.path, e.strerror or e)
            self._later(now)
            return
        self._sock = s
        self._up_since_ms = now
        self._st["connects"] += 1

    def _disconnect(self, now, why=None):
        if why:
            self._last_error = "connection to %s lost: %s" % (self.path, why)
        self._sock.close()
        self._sock = None
        self._off = 0       # the daemon drops a partial line: resend it whole
        self._in = b""
        self._in_skip = False
        self._st["disconnects"] += 1
        # Long-lived: closed for a reason of its own, reconnect at once.
        # Closed soon after it was made (refused, a limit): back off.
        if now - self._up_since_ms >= self._backoff_max_ms:
            self._backoff_ms = self._backoff_min_ms
            self._next_try_ms = now
        else:
            self._later(now)

    def _on_reply(self, raw):
        try:
            o = json.loads(raw.decode("utf-8", "replace"))
        except ValueError:
            return
        if isinstance(o, dict) and o.get("ok") is False:
            self._st["refused"] += 1
            err = o.get("error")
            self._last_error = ("slaguardd: %s" % err if isinstance(err, str)
                                else "slaguardd refused an event without saying why")

    def _read_replies(self, now):
        while self._sock is not None:
            try:
                data = self._sock.recv(512, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                self._disconnect(now, e.strerror or str(e))
                return
            if not data:
                self._disconnect(now)
                return
            parts = data.split(b"\n")
            for i, part in enumerate(parts):
                if i < len(parts) - 1:          # a whole line ends here
                    line = self._in + part
                    if not self._in_skip and len(line) < _REPLY_MAX:
                        self._on_reply(line)
                    self._in = b""
                    self._in_skip = False
                elif len(self._in) + len(part) < _REPLY_MAX:
                    self._in += part
                else:
                    self._in = b""
                    self._in_skip = True

    def _write_queue(self, now):
        """Write queued lines, many per call; a line may end up partly written."""
        while self._sock is not None and self._q:
            bufs = [memoryview(self._q[0][0])[self._off:]]
            bufs += [self._q[i][0] for i in range(1, min(len(self._q), _IOV_BATCH))]
            try:
                n = self._sock.sendmsg(bufs, [], socket.MSG_DONTWAIT | socket.MSG_NOSIGNAL)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                self._disconnect(now, e.strerror or str(e))
                return
            while n:
                rest = len(self._q[0][0]) - self._off
                if n < rest:
                    self._off += n
                    break
                n -= rest
                self._bytes -= len(self._q.popleft()[0])
                self._off = 0
                self._st["sent"] += 1

    def _pump(self):
        now = _monotonic_ms()
        self._expire(now)
        if not self._q and self._sock is None:
            return              # nothing to say: no need to connect
        self._connect(now)
        self._read_replies(now)
        if self._sock is None:
            self._connect(now)  # lost just now and may retry at once
        self._write_queue(now)
