# SPDX-License-Identifier: GPL-2.0-or-later
"""The Python module slaguard_app against a fake slaguardd: a unix socket
the test opens, accepts on, reads from, stops reading, closes and reopens.

    PYTHONPATH=userspace/python python3 -m unittest test_slaguard_app
"""

import contextlib
import errno
import json
import os
import select
import signal
import socket
import tempfile
import threading
import time
import unittest

import slaguard_app


class FakeDaemon:
    def __init__(self, path):
        self.path = path
        self.lsock = None
        self.conn = None
        self.buf = b""

    def listen(self):
        self.lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.lsock.bind(self.path)
        self.lsock.listen(16)

    def stop(self):
        if self.conn:
            self.conn.close()
            self.conn = None
        if self.lsock:
            self.lsock.close()
            self.lsock = None
        if os.path.exists(self.path):
            os.unlink(self.path)

    def accept(self):
        r, _, _ = select.select([self.lsock], [], [], 2.0)
        assert r, "the client did not connect"
        if self.conn:
            self.conn.close()
        self.conn, _ = self.lsock.accept()

    def read(self, quiet=0.1):
        """Read until the client is quiet; the complete lines as objects."""
        while select.select([self.conn], [], [], quiet)[0]:
            data = self.conn.recv(65536)
            if not data:
                break
            self.buf += data
        lines = self.buf.split(b"\n")[:-1]
        out = []
        for raw in lines:
            o = json.loads(raw.decode("utf-8"))
            assert isinstance(o, dict) and o.get("v") == 1, raw
            out.append(o)
        return out


@contextlib.contextmanager
def socket_takes(budget):
    """The client's sendmsg() takes BUDGET bytes, then finds the socket full,
    as a daemon's socket can be in the middle of a line."""
    real = socket.socket.sendmsg
    left = [budget]

    def limited(sock, bufs, anc=(), flags=0, *rest):
        if not left[0]:
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        out, room = [], left[0]
        for b in bufs:
            b = memoryview(b)[:room]
            out.append(b)
            room -= len(b)
            if not room:
                break
        n = real(sock, out, anc, flags, *rest)
        left[0] -= n
        return n

    socket.socket.sendmsg = limited
    try:
        yield
    finally:
        socket.socket.sendmsg = real


class AppTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sg-app-py-")
        self.path = os.path.join(self.dir, "app.sock")
        self.d = FakeDaemon(self.path)
        self.apps = []

    def tearDown(self):
        for a in self.apps:
            a.close()
        self.d.stop()
        os.rmdir(self.dir)

    def app(self, **kw):
        kw.setdefault("backoff_min", 0.01)
        kw.setdefault("backoff_max", 0.04)
        a = slaguard_app.App(self.path, **kw)
        self.apps.append(a)
        return a

    def test_buffers_while_away(self):
        a = self.app()
        for i in range(5):
            a.access("db", "shop", "read", "r%d" % i)
        st = a.stats()
        self.assertEqual((st["pending"], st["queued"], st["sent"], st["connected"]),
                         (5, 5, 0, False))
        self.assertIn("cannot connect to", st["last_error"])
        self.d.listen()
        time.sleep(0.06)
        self.assertEqual(a.flush(2.0), 0)
        self.d.accept()
        got = self.d.read()
        self.assertEqual([o["resource"] for o in got], ["r%d" % i for i in range(5)])
        self.assertEqual(got[0], {"v": 1, "component": "db", "user": "shop",
                                  "action": "read", "resource": "r0"})
        self.assertEqual(a.stats()["sent"], 5)

    def test_drops_oldest(self):
        a = self.app(max_lines=4)
        for i in range(10):
            a.access("db", "shop", "read", "r%d" % i)
        st = a.stats()
        self.assertEqual((st["pending"], st["dropped"]), (4, 6))
        self.d.listen()
        time.sleep(0.06)
        self.assertEqual(a.flush(2.0), 0)
        self.d.accept()
        self.assertEqual([o["resource"] for o in self.d.read()], ["r6", "r7", "r8", "r9"])

    def test_bounded_in_bytes(self):
        a = self.app(max_lines=1000, max_bytes=4096)
        for _ in range(100):
            a.access("db", "shop", "read", "x" * 255)
        st = a.stats()
        self.assertTrue(10 <= st["pending"] <= 14, st)
        self.assertEqual(st["pending"] + st["dropped"], 100)

    def test_expires_old_lines(self):
        a = self.app(max_age=0.03)
        for i in range(3):
            a.access("db", "shop", "read", "r%d" % i)
        time.sleep(0.08)
        self.assertEqual(a.flush(), 0)
        st = a.stats()
        self.assertEqual((st["expired"], st["dropped"]), (3, 0))

    def test_reconnects(self):
        self.d.listen()
        a = self.app()
        a.access("db", "shop", "read", "r0")
        self.d.accept()
        self.assertEqual(len(self.d.read(0.05)), 1)
        self.d.stop()
        a.access("db", "shop", "read", "r1")
        st = a.stats()
        self.assertEqual((st["disconnects"], st["connected"], st["pending"]), (1, False, 1))
        self.d.buf = b""
        self.d.listen()
        time.sleep(0.06)
        a.access("db", "shop", "read", "r2")
        self.assertEqual(a.flush(2.0), 0)
        self.d.accept()
        self.assertEqual([o["resource"] for o in self.d.read()], ["r1", "r2"])
        self.assertEqual((a.stats()["connects"], a.stats()["sent"]), (2, 3))

    def test_backs_off(self):
        a = self.app(max_lines=8, backoff_min=0.02, backoff_max=5.0)
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            a.access("db", "shop", "read", "r")
            time.sleep(0.001)
        self.assertTrue(1 <= a.stats()["connect_failures"] <= 6, a.stats())
        self.d.listen()
        time.sleep(0.7)
        a.flush()
        self.assertEqual(a.stats()["connects"], 1)

    def test_escapes_hostile_strings(self):
        users = ['a"b\\c', 'x","source":"198.51.100.1","user":"root',
                 "zo\u00eb \U0001F600", "</script>/\\u0000"]
        self.d.listen()
        a = self.app()
        for u in users:
            a.access("db", u, "read", 'r"}\\')
        a.report("db", "u", "privilege-change", "role/admin", role='sup"port',
                 source="2001:db8::1")
        self.d.accept()
        got = self.d.read()
        self.assertEqual(len(got), 5)
        for u, o in zip(users, got):
            self.assertEqual(o, {"v": 1, "component": "db", "user": u,
                                 "action": "read", "resource": 'r"}\\'})
        self.assertEqual((got[4]["role"], got[4]["source"]), ('sup"port', "2001:db8::1"))

    def test_refuses_bad_events(self):
        bad = [
            (("a\nb", "read", "r"), {}, "field 'user': expected text without control "
                                        "characters, got U+000A at offset 1"),
            (("a", "read", 'r\n{"component":"x"}'), {}, "U+000A"),
            (("a\x1b[2J", "read", "r"), {}, "U+001B"),
            (("a\u009b", "read", "r"), {}, "U+009B"),
            (("a\u202e", "read", "r"), {}, "U+202E"),
            (("a\u2028", "read", "r"), {}, "U+2028"),
            (("a", "read", "r\udcff"), {}, "field 'resource': expected UTF-8"),
            (("a", "reads", "r"), {}, "field 'action': expected one of read, write, "
                                      "delete, login-failure, privilege-change, got 'reads'"),
            (("a", "read", "r"), {"source": "10.0.0.300"},
             "field 'source': expected an IPv4 or IPv6 address"),
            (("", "read", "r"), {}, "field 'user': expected a non-empty string"),
            ((None, "read", "r"), {}, "field 'user': expected a non-empty string"),
            ((7, "read", "r"), {}, "field 'user': expected a string, got int"),
            (("a", "read", "r" * 256), {}, "field 'resource': expected at most 255 bytes"),
            (("\u00e9" * 32, "read", "r"), {}, "field 'user': expected at most 63 bytes"),
        ]
        self.d.listen()
        a = self.app()
        for args, kw, why in bad:
            with self.assertRaises(ValueError) as cm:
                a.report("db", *args, **kw)
            self.assertIn(why, str(cm.exception))
            self.assertIn(why, a.stats()["last_error"])
        a.access("n" * 63, "u", "read", "r" * 255, source="192.0.2.1")
        self.d.accept()
        self.assertEqual(len(self.d.read()), 1)
        self.assertEqual((a.stats()["invalid"], a.stats()["queued"]), (len(bad), 1))

    def test_never_blocks(self):
        old = signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        try:
            self.d.listen()
            a = self.app(max_lines=64)
            self.d.accept()
            n, worst, t0 = 30000, 0.0, time.monotonic()
            for i in range(n):
                t = time.monotonic()
                a.access("db", "shop", "read", "r%d" % i)
                worst = max(worst, time.monotonic() - t)
            st = a.stats()
            print("\nnever_blocks: %d events in %.0f ms, slowest call %.0f ms; sent %d, "
                  "dropped %d, pending %d" % (n, (time.monotonic() - t0) * 1000,
                                              worst * 1000, st["sent"], st["dropped"],
                                              st["pending"]))
            self.assertLess(worst, 2.0)
            self.assertGreater(st["sent"], 0)
            self.assertGreater(st["dropped"], 0)
            self.assertEqual(st["pending"], 64)
            self.assertEqual(st["sent"] + st["dropped"] + st["pending"], n)
            # The daemon stops reading: EPIPE, and no SIGPIPE (it would kill us).
            self.d.conn.shutdown(socket.SHUT_RD)
            a.access("db", "shop", "read", "r%d" % n)
            self.assertEqual(a.stats()["disconnects"], 1)
            self.d.conn.close()
            self.d.conn = None
            self.d.buf = b""
            time.sleep(0.06)
            self.assertEqual(a.flush(2.0), 0)
            self.d.accept()
            got = self.d.read()
            self.assertEqual(len(got), 64)
            self.assertEqual(got[-1]["resource"], "r%d" % n)
        finally:
            signal.signal(signal.SIGPIPE, old)

    def test_full_backlog_is_a_failed_connect(self):
        self.d.lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.d.lsock.bind(self.path)
        self.d.lsock.listen(0)
        first = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        first.connect(self.path)        # fills a backlog of 0 (nobody accepts)
        try:
            a = self.app()
            a.access("db", "shop", "read", "r0")
            st = a.stats()
            self.assertEqual((st["connected"], st["connects"], st["pending"]), (False, 0, 1))
            self.assertGreaterEqual(st["connect_failures"], 1)
            self.assertIn("Resource temporarily unavailable", st["last_error"])
        finally:
            first.close()

    def test_partial_line_resent_whole(self):
        self.d.listen()
        a = self.app()
        self.d.accept()
        with socket_takes(10):
            a.access("db", "shop", "read", "r0")
        self.assertEqual(self.d.read(0.05), [])
        self.assertEqual(len(self.d.buf), 10)       # a part of the line
        self.d.conn.close()
        self.d.conn = None
        self.d.buf = b""
        a.access("db", "shop", "read", "r1")
        self.assertEqual(a.stats()["disconnects"], 1)
        time.sleep(0.06)
        self.assertEqual(a.flush(2.0), 0)
        self.d.accept()
        self.assertEqual([o["resource"] for o in self.d.read()], ["r0", "r1"])

    def test_partial_head_kept(self):
        self.d.listen()
        a = self.app(max_lines=2)
        self.d.accept()
        with socket_takes(10):
            for i in range(4):
                a.access("db", "shop", "read", "r%d" % i)
            st = a.stats()
            self.assertEqual((st["pending"], st["dropped"]), (2, 2))
        self.assertEqual(a.flush(2.0), 0)
        self.assertEqual([o["resource"] for o in self.d.read()], ["r0", "r3"])

    def test_refused_connections_back_off(self):
        self.d.listen()
        a = self.app(backoff_min=0.02, backoff_max=5.0)
        why = b'{"ok":false,"error":"connection of uid 1000 refused: it has 16"}\n'
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            a.access("db", "shop", "read", "r")
            if select.select([self.d.lsock], [], [], 0.001)[0]:
                c, _ = self.d.lsock.accept()
                c.send(why)
                c.close()
        st = a.stats()
        self.assertTrue(1 <= st["connects"] <= 6, st)
        self.assertGreaterEqual(st["refused"], 1)

    def test_reads_replies(self):
        self.d.listen()
        a = self.app()
        self.d.accept()
        self.d.conn.send(b'{"ok":false,"error":"uid 1000 may not rep')
        a.flush()
        self.d.conn.send(b'ort for component db"}\n' + b"j" * 5000 + b"\n")
        self.d.conn.send(b'{"ok":false,"error":"field \'v\': expected the event '
                         b'schema version 1, got 2"}\n')
        time.sleep(0.01)
        a.flush()
        st = a.stats()
        self.assertEqual(st["refused"], 2)
        self.assertEqual(st["last_error"], "slaguardd: field 'v': expected the event "
                                           "schema version 1, got 2")
        self.assertTrue(st["connected"])

    def test_socket_from_environment(self):
        os.environ[slaguard_app.SOCKET_ENV] = self.path
        try:
            self.assertEqual(slaguard_app.App().path, self.path)
            self.assertEqual(slaguard_app.App("/tmp/other.sock").path, "/tmp/other.sock")
        finally:
            del os.environ[slaguard_app.SOCKET_ENV]
        self.assertEqual(slaguard_app.App().path, "/run/slaguard/app.sock")
        with self.assertRaises(ValueError):
            slaguard_app.App("/tmp/" + "x" * 120)

    def test_thread_safe(self):
        self.d.listen()
        a = self.app(max_lines=2000, max_bytes=1 << 20)
        self.d.accept()

        def many(base):
            for i in range(500):
                a.access("db", "shop", "read", "r%d" % (base + i))

        ts = [threading.Thread(target=many, args=(k * 500,)) for k in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        end = time.monotonic() + 5
        while a.flush() and time.monotonic() < end:
            self.d.read(0.005)
        got = self.d.read()
        self.assertEqual(sorted(int(o["resource"][1:]) for o in got), list(range(2000)))
        self.assertEqual((a.stats()["sent"], a.stats()["dropped"]), (2000, 0))


if __name__ == "__main__":
    unittest.main()
