#!/usr/bin/python3
"""Control-path latency probe for tests/bench/pktin_storm.sh.

    pktin_rtt.py TARGET SECS [--interval MS] [--no-packet-in]

Opens one OpenFlow connection to TARGET (unix socket path or HOST:PORT; default async
config, so it also receives packet-ins, which it reads and discards; with
--no-packet-in it first turns them off with SET_ASYNC, to time the agent alone) and for
SECS
alternates, every --interval ms (default 20): an ECHO_REQUEST timed to its ECHO_REPLY,
and a FLOW_MOD (a new rule each time) plus BARRIER_REQUEST timed to the BARRIER_REPLY.
Prints one line:
    echo n=N p50=MS p99=MS max=MS lost=N  barrier n=N p50=MS p99=MS max=MS lost=N
(a reply later than 5 s counts as lost).
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import of_raw  # noqa: E402

SET_ASYNC = 28
from of_raw import (BARRIER_REQUEST, BARRIER_REPLY, ECHO_REQUEST, ECHO_REPLY,  # noqa: E402
                    apply_actions, eth_type, flow_mod, in_port, ip_proto, match, msg, output,
                    udp_dst)


def pct(xs, p):
    if not xs:
        return 0.0
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * p))]


def fmt(name, xs, lost):
    return "%s n=%d p50=%.1f p99=%.1f max=%.1f lost=%d" % (
        name, len(xs), pct(xs, 0.5), pct(xs, 0.99), max(xs) if xs else 0.0, lost)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("target")
    ap.add_argument("secs", type=float)
    ap.add_argument("--interval", type=float, default=20)
    ap.add_argument("--no-packet-in", action="store_true")
    a = ap.parse_args()
    c = of_raw.Conn(a.target)
    if a.no_packet_in:
        # SET_ASYNC: no packet-in, port-status or flow-removed reasons for any role.
        c.send(msg(SET_ASYNC, bytes(24), c.next_xid()))
        if not c.barrier():
            sys.exit("SET_ASYNC: no barrier reply")
    echo, barrier = [], []
    lost_e = lost_b = 0
    end = time.time() + a.secs
    i = 0
    while time.time() < end:
        i += 1
        x = c.next_xid()
        t0 = time.time()
        c.send(msg(ECHO_REQUEST, b"rtt", x))
        if c.recv_type(ECHO_REPLY, 5, xid=x) is None:
            lost_e += 1
        else:
            echo.append((time.time() - t0) * 1000)
        m = match(in_port(2), eth_type(0x0800), ip_proto(17), udp_dst(i & 0xffff))
        fm = flow_mod(m, apply_actions(output(3)), priority=100, xid=c.next_xid())
        x = c.next_xid()
        t0 = time.time()
        c.send(fm + msg(BARRIER_REQUEST, xid=x))
        if c.recv_type(BARRIER_REPLY, 5, xid=x) is None:
            lost_b += 1
        else:
            barrier.append((time.time() - t0) * 1000)
        time.sleep(a.interval / 1000.0)
    print(fmt("echo", echo, lost_e) + "  " + fmt("barrier", barrier, lost_b), flush=True)


if __name__ == "__main__":
    main()
