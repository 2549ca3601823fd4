#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Stand-ins for where slaguardd's alerts go, for alerts-live.sh.

  alert-sink.py syslog PATH OUT     a /dev/log: each datagram a line of OUT
  alert-sink.py journal PATH OUT    a journald socket: each datagram (the
                                    native protocol) a JSON object in OUT
  alert-sink.py http PORT OUT FAILS a webhook on 127.0.0.1:PORT: the first
                                    FAILS POSTs get 500, later ones 200;
                                    each body (with its status) a line of OUT
  alert-sink.py hang PORT           accepts connections, never answers
"""
import http.server
import json
import os
import socket
import struct
import sys
import time


def dgram(path):
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    return s


def journal_fields(data):
    """The native journal protocol: NAME=value\\n, or NAME\\n<le64 size><value>\\n."""
    out = {}
    i = 0
    while i < len(data):
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            i = nl + 1
        else:
            k = line
            (n,) = struct.unpack("<Q", data[nl + 1:nl + 9])
            v = data[nl + 9:nl + 9 + n]
            i = nl + 9 + n + 1
        out[k.decode()] = v.decode("utf-8", "replace")
    return out


def serve_dgram(kind, path, out):
    s = dgram(path)
    with open(out, "a", buffering=1) as f:
        while True:
            data = s.recv(1 << 20)
            if kind == "syslog":
                f.write(data.decode("utf-8", "replace").rstrip("\n") + "\n")
            else:
                f.write(json.dumps(journal_fields(data)) + "\n")


def serve_http(port, out, fails):
    state = {"n": 0}

    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state["n"] += 1
            code = 500 if state["n"] <= fails else 200
            with open(out, "a") as f:
                f.write(json.dumps({"status": code, "at": time.time(),
                                    "type": self.headers.get("Content-Type"),
                                    "body": json.loads(body)}) + "\n")
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()


def serve_hang(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    held = []
    while True:
        held.append(s.accept()[0])


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode in ("syslog", "journal"):
        serve_dgram(mode, sys.argv[2], sys.argv[3])
    elif mode == "http":
        serve_http(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    elif mode == "hang":
        serve_hang(int(sys.argv[2]))
    else:
        sys.exit(__doc__)
