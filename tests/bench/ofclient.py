#!/usr/bin/python3
"""OpenFlow 1.3 load client for the pfswitch benchmarks (S6 flow setup, S8 churn).

Speaks to any OpenFlow 1.3 switch over one connection (unix:PATH or tcp:IP:PORT, e.g.
a bridge's mgmt socket) with flow-mods encoded here by hand from the s2 rule set of
gen_rules.py (exact udp 5-tuple -> output:2), all encoded before the clock starts.

    ofclient.py setup TARGET --n N
        send N ADD flow-mods back to back, then a BARRIER_REQUEST; print JSON with the
        send start time and the time the BARRIER_REPLY came (Unix time, s).
    ofclient.py churn TARGET --n N --rate R --duration S
        for S seconds, R flow-mods/s: MODIFY_STRICT of the N traffic rules (same
        action, so traffic must not notice), ADD and DELETE_STRICT of as many other
        rules that no traffic hits; a barrier every 1000 mods. Print JSON.
Errors from the switch are counted and reported, never fatal.
"""
import argparse
import json
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_rules  # noqa: E402

OFP_VERSION = 4
OFPT_HELLO, OFPT_ERROR, OFPT_ECHO_REQUEST, OFPT_ECHO_REPLY = 0, 1, 2, 3
OFPT_FLOW_MOD, OFPT_BARRIER_REQUEST, OFPT_BARRIER_REPLY = 14, 20, 21
OFPFC_ADD, OFPFC_MODIFY_STRICT, OFPFC_DELETE_STRICT = 0, 2, 4
OFP_NO_BUFFER = 0xffffffff
OFPP_ANY = 0xffffffff
OFPG_ANY = 0xffffffff


def oxm(field, payload):
    return struct.pack("!HBB", 0x8000, field << 1, len(payload)) + payload


def ip4(s):
    return socket.inet_aton(s)


def match_5tuple(sip, dip, sport, dport):
    fields = (oxm(5, struct.pack("!H", 0x0800)) + oxm(10, b"\x11") + oxm(11, ip4(sip)) +
              oxm(12, ip4(dip)) + oxm(15, struct.pack("!H", sport)) +
              oxm(16, struct.pack("!H", dport)))
    m = struct.pack("!HH", 1, 4 + len(fields)) + fields
    return m + b"\0" * (-len(m) % 8)


def output_insts(port):
    action = struct.pack("!HHIH6x", 0, 16, port, 0)
    return struct.pack("!HH4x", 4, 8 + len(action)) + action


def flow_mod(xid, command, match, insts, priority=100):
    body = struct.pack("!QQBBHHHIIIH2x", 0, 0, 0, command, 0, 0, priority, OFP_NO_BUFFER,
                       OFPP_ANY, OFPG_ANY, 0) + match + insts
    return struct.pack("!BBHI", OFP_VERSION, OFPT_FLOW_MOD, 8 + len(body), xid) + body


def barrier(xid):
    return struct.pack("!BBHI", OFP_VERSION, OFPT_BARRIER_REQUEST, 8, xid)


class Conn:
    def __init__(self, target):
        if target.startswith("unix:"):
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.s.connect(target[5:])
        elif target.startswith("tcp:"):
            host, port = target[4:].rsplit(":", 1)
            self.s = socket.create_connection((host, int(port)))
            self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        else:
            raise SystemExit("ofclient: target must be unix:PATH or tcp:IP:PORT")
        self.buf = b""
        self.errors = 0
        self.error_sample = None
        self.barriers = set()
        self.s.sendall(struct.pack("!BBHI", OFP_VERSION, OFPT_HELLO, 8, 1))
        deadline = time.time() + 10
        while not self.hello_seen():
            if time.time() > deadline:
                raise SystemExit("ofclient: no HELLO from the switch")
            self.pump(0.5)

    def hello_seen(self):
        return getattr(self, "_hello", False)

    def pump(self, timeout):
        """Read what is there (waiting up to timeout), handle every whole message."""
        r, _, _ = select.select([self.s], [], [], timeout)
        if not r:
            return
        data = self.s.recv(1 << 20)
        if not data:
            raise SystemExit("ofclient: the switch closed the connection")
        self.buf += data
        while len(self.buf) >= 8:
            _, mtype, length, xid = struct.unpack_from("!BBHI", self.buf)
            if length < 8:
                raise SystemExit("ofclient: bad message length from the switch")
            if len(self.buf) < length:
                break
            msg, self.buf = self.buf[:length], self.buf[length:]
            if mtype == OFPT_HELLO:
                self._hello = True
            elif mtype == OFPT_ECHO_REQUEST:
                self.s.sendall(struct.pack("!BBHI", OFP_VERSION, OFPT_ECHO_REPLY, length, xid)
                               + msg[8:])
            elif mtype == OFPT_ERROR:
                self.errors += 1
                if self.error_sample is None:
                    self.error_sample = "type %d code %d" % struct.unpack_from("!HH", msg, 8)
            elif mtype == OFPT_BARRIER_REPLY:
                self.barriers.discard(xid)

    def send(self, data):
        """Send everything, reading whatever the switch says meanwhile (no deadlock)."""
        view = memoryview(data)
        while view:
            r, w, _ = select.select([self.s], [self.s], [], 5)
            if r:
                self.pump(0)
            if w:
                n = self.s.send(view[:1 << 18])
                view = view[n:]

    def barrier(self, xid):
        self.barriers.add(xid)
        self.send(barrier(xid))

    def wait_barriers(self, max_outstanding=0, timeout=120):
        deadline = time.time() + timeout
        while len(self.barriers) > max_outstanding:
            if time.time() > deadline:
                raise SystemExit("ofclient: no BARRIER_REPLY within %d s" % timeout)
            self.pump(0.05)


def cmd_setup(a):
    tuples = list(gen_rules.s2_tuples(a.n))
    insts = output_insts(2)
    data = b"".join(flow_mod(100 + i, OFPFC_ADD, match_5tuple(*t), insts)
                    for i, t in enumerate(tuples))
    c = Conn(a.target)
    t0 = time.time()
    c.send(data)
    c.barrier(7)
    c.wait_barriers(0, timeout=600)
    t1 = time.time()
    print(json.dumps({"n": a.n, "t_start": t0, "t_barrier": t1, "secs": t1 - t0,
                      "mods_per_s": a.n / (t1 - t0), "bytes": len(data),
                      "errors": c.errors, "error_sample": c.error_sample}))


def cmd_churn(a):
    traffic = list(gen_rules.s2_tuples(a.n))
    insts = output_insts(2)
    # Extra rules no traffic hits: another source network.
    extra = [("10.77.%d.%d" % (i >> 8 & 255, i & 255), gen_rules.DST_IP, 4000 + (i >> 16), 80)
             for i in range(max(1, a.n))]
    mods_traffic = [flow_mod(0, OFPFC_MODIFY_STRICT, match_5tuple(*t), insts) for t in traffic]
    c = Conn(a.target)
    tick = 0.01
    per_tick = max(1, int(round(a.rate * tick)))
    sent = adds = dels = mods = 0
    added = []
    ti = ei = 0
    t0 = time.time()
    next_t = t0
    xid = 1000
    while time.time() - t0 < a.duration:
        now = time.time()
        if now < next_t:
            c.pump(next_t - now)
            continue
        next_t += tick
        out = []
        for _ in range(per_tick):
            k = sent % 4
            if k in (0, 2):  # half the load: modify traffic rules in place
                out.append(mods_traffic[ti])
                ti = (ti + 1) % len(mods_traffic)
                mods += 1
            elif k == 1 or not added:
                t = extra[ei]
                ei = (ei + 1) % len(extra)
                out.append(flow_mod(0, OFPFC_ADD, match_5tuple(*t), insts))
                added.append(t)
                adds += 1
            else:
                t = added.pop(0)
                out.append(flow_mod(0, OFPFC_DELETE_STRICT, match_5tuple(*t), b""))
                dels += 1
            sent += 1
            if sent % 1000 == 0:
                xid += 1
                out.append(barrier(xid))
                c.barriers.add(xid)
        c.send(b"".join(out))
        # Keep at most two barriers in flight: the switch sets the pace if it must.
        c.wait_barriers(2)
    xid += 1
    c.barrier(xid)
    c.wait_barriers(0)
    t1 = time.time()
    print(json.dumps({"n": a.n, "t_start": t0, "t_end": t1, "secs": t1 - t0,
                      "flow_mods": sent, "modify": mods, "add": adds, "delete": dels,
                      "mods_per_s": sent / (t1 - t0), "errors": c.errors,
                      "error_sample": c.error_sample}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("setup")
    p.add_argument("target")
    p.add_argument("--n", type=int, default=100000)
    p = sub.add_parser("churn")
    p.add_argument("target")
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--rate", type=float, default=10000)
    p.add_argument("--duration", type=float, default=10)
    a = ap.parse_args()
    {"setup": cmd_setup, "churn": cmd_churn}[a.cmd](a)


if __name__ == "__main__":
    main()
