#!/usr/bin/python3
"""A counting OpenFlow 1.3 controller for tests/integration/hostile_pktin.sh.

    pktin_ctl.py --port PORT --status FILE [--echo-ms MS]

Listens on 127.0.0.1:PORT for one switch. After HELLO and FEATURES it installs a
table-miss flow (priority 0, output:CONTROLLER, whole frame) and counts PACKET_INs per
in_port, and ARP packet-ins per (in_port, sender MAC). Every --echo-ms (default 100) it
sends an ECHO_REQUEST and records the round trip. Twice a second, and at exit, it
rewrites FILE (atomically) with lines
    pin PORT N                  packet-ins from in_port PORT
    arp PORT SENDER_MAC N       ARP packet-ins
    echo N MAX_MS P99_MS LOST   round trips measured, worst, 99th percentile, unanswered
    flows_installed 0|1
Standard library only.
"""
import argparse
import os
import select
import signal
import socket
import struct
import sys
import time

OFP_VERSION = 4
HELLO, ERROR, ECHO_REQUEST, ECHO_REPLY = 0, 1, 2, 3
FEATURES_REQUEST, FEATURES_REPLY, PACKET_IN, FLOW_MOD = 5, 6, 10, 14
BARRIER_REQUEST, BARRIER_REPLY = 20, 21
OFPP_CONTROLLER, OFPP_ANY, OFPG_ANY, NO_BUFFER = 0xfffffffd, 0xffffffff, 0xffffffff, 0xffffffff


def msg(mtype, body=b"", xid=0):
    return struct.pack("!BBHI", OFP_VERSION, mtype, 8 + len(body), xid) + body


def table_miss():
    m = struct.pack("!HH4x", 1, 4)
    acts = struct.pack("!HHIH6x", 0, 16, OFPP_CONTROLLER, 0xffff)
    inst = struct.pack("!HH4x", 4, 8 + len(acts)) + acts
    body = struct.pack("!QQBBHHHIIIH2x", 0, 0, 0, 0, 0, 0, 0, NO_BUFFER, OFPP_ANY, OFPG_ANY, 0)
    return msg(FLOW_MOD, body + m + inst, 2) + msg(BARRIER_REQUEST, xid=3)


class Ctl:
    def __init__(self, args):
        self.args = args
        self.pins = {}
        self.arps = {}
        self.rtts = []
        self.echo_out = {}  # xid -> send time
        self.lost = 0
        self.installed = 0
        self.buf = b""
        self.sock = None
        self.xid = 100

    def write_status(self):
        r = sorted(self.rtts)
        p99 = r[min(len(r) - 1, int(len(r) * 0.99))] if r else 0.0
        now = time.time()
        lost = self.lost + sum(1 for t in self.echo_out.values() if now - t > 1.0)
        lines = ["pin %d %d" % kv for kv in sorted(self.pins.items())]
        lines += ["arp %d %s %d" % (p, m, n) for (p, m), n in sorted(self.arps.items())]
        lines.append("echo %d %.1f %.1f %d" % (len(r), r[-1] if r else 0.0, p99, lost))
        lines.append("flows_installed %d" % self.installed)
        tmp = self.args.status + ".tmp"
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.rename(tmp, self.args.status)

    def packet_in(self, m):
        mlen = struct.unpack("!H", m[26:28])[0]
        oxms, in_port = m[28:24 + mlen], None
        while len(oxms) >= 4:
            cls, fh, ln = struct.unpack("!HBB", oxms[:4])
            if cls == 0x8000 and fh >> 1 == 0:
                in_port = struct.unpack("!I", oxms[4:8])[0]
            oxms = oxms[4 + ln:]
        data = m[24 + (mlen + 7) // 8 * 8 + 2:]
        if in_port is None or len(data) < 14:
            return
        self.pins[in_port] = self.pins.get(in_port, 0) + 1
        if data[12:14] == b"\x08\x06" and len(data) >= 28:
            sender = ":".join("%02x" % b for b in data[22:28])
            key = (in_port, sender)
            self.arps[key] = self.arps.get(key, 0) + 1

    def handle(self, m):
        _, t, _, x = struct.unpack("!BBHI", m[:8])
        if t == ECHO_REQUEST:
            self.sock.sendall(msg(ECHO_REPLY, m[8:], x))
        elif t == ECHO_REPLY and x in self.echo_out:
            self.rtts.append((time.time() - self.echo_out.pop(x)) * 1000)
        elif t == FEATURES_REPLY:
            self.sock.sendall(table_miss())
        elif t == BARRIER_REPLY and x == 3:
            self.installed = 1
        elif t == PACKET_IN:
            self.packet_in(m)

    def run(self):
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsock.bind(("127.0.0.1", self.args.port))
        lsock.listen(1)
        self.sock, _ = lsock.accept()
        self.sock.sendall(msg(HELLO, xid=1) + msg(FEATURES_REQUEST, xid=2))
        next_echo = next_status = time.time()
        while True:
            now = time.time()
            if now >= next_echo and self.installed:
                self.xid += 1
                self.echo_out[self.xid] = now
                self.sock.sendall(msg(ECHO_REQUEST, b"pktin", self.xid))
                next_echo = now + self.args.echo_ms / 1000.0
            if now >= next_status:
                self.write_status()
                next_status = now + 0.5
            r, _, _ = select.select([self.sock], [], [], 0.02)
            if not r:
                continue
            data = self.sock.recv(1 << 20)
            if not data:
                self.write_status()
                return
            self.buf += data
            while len(self.buf) >= 8:
                ln = struct.unpack("!H", self.buf[2:4])[0]
                if ln < 8 or len(self.buf) < ln:
                    break
                m, self.buf = self.buf[:ln], self.buf[ln:]
                self.handle(m)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--status", required=True)
    ap.add_argument("--echo-ms", type=float, default=100)
    ctl = Ctl(ap.parse_args())
    signal.signal(signal.SIGTERM, lambda *_: (ctl.write_status(), sys.exit(0)))
    ctl.run()


if __name__ == "__main__":
    main()
