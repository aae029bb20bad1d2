#!/usr/bin/python3
"""Hostile group programming against a running pfswitchd (driven by hostile_groups.sh).

    hostile_groups.py MGMT STEP [NS1 MAC2]

Every message is valid OpenFlow 1.3; each step checks the switch's answer (OFPT_ERROR
type/code, or acceptance) and gives up on a step after a deadline instead of hanging.
STEP is one of:
  flows     in_port=1 -> output:2 and in_port=2 -> output:1 (host 1 and 2 ping)
  ffself    fast-failover group whose 64 buckets watch the group itself: LOOP; a
            PACKET_OUT to it (it does not exist): BAD_ACTION/BAD_OUT_GROUP
  watch     a watch cycle between two groups: LOOP; a watch of a missing group:
            BAD_WATCH; an action cycle made by a MODIFY: LOOP
  fanout    a chain of 10 ALL groups with 64 buckets each pointing at the next:
            the first accepted, the second OUT_OF_BUCKETS (fan-out over the budget),
            the rest refused (they name a refused group)
  depth     a chain of 10 indirect groups: 8 accepted, the 9th CHAINING_UNSUPPORTED
  longloop  71 fast-failover groups, each watching the next, closed by a MODIFY: LOOP
  traffic   the deepest accepted fan-out chain (ALL groups with 2 buckets: 7 levels,
            the 8th OUT_OF_BUCKETS) and a flow sending host 1's UDP into it; 200
            frames sent from host 1
Prints "ok: ..." / "FAIL: ..." lines; exit status 0 when everything passed.
"""
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import of_raw as o  # noqa: E402

GROUP_MOD_FAILED, BAD_ACTION = 6, 2
OUT_OF_BUCKETS, CHAINING_UNSUPPORTED, LOOP, BAD_WATCH = 4, 5, 7, 13
BAD_OUT_GROUP = 9
STEP_SECS = 10


def request(c, build):
    """Sends build(xid) and a barrier: (type, code) of the error for it, None when
    accepted, or "timeout" when the barrier did not come back in time."""
    x = c.next_xid()
    c.send(build(x))
    bx = c.next_xid()
    c.send(o.msg(o.BARRIER_REQUEST, xid=bx))
    err = None
    end = time.time() + STEP_SECS
    while True:
        m = c.recv(max(0, end - time.time()))
        if m is None:
            return "timeout"
        _, t, xid, data = m
        if t == o.ERROR and xid == x:
            err = struct.unpack("!HH", data[8:12])
        elif t == o.BARRIER_REPLY and xid == bx:
            return err


def expect_err(c, what, build, want):
    got = request(c, build)
    return o.expect(got == want, what, "got %s, want %s" % (got, want))


def expect_ok(c, what, build):
    got = request(c, build)
    return o.expect(got is None, what, "got %s" % (got,))


def gm(gid, gtype, buckets, command=o.OFPGC_ADD):
    return lambda x: o.group_mod(gid, gtype, buckets, command, x)


def out2():
    return o.output(2)


def step_flows(c, args):
    for a, b in ((1, 2), (2, 1)):
        expect_ok(c, "flow in_port=%d -> output:%d" % (a, b), lambda x, a=a, b=b: o.flow_mod(
            o.match(o.in_port(a)), o.apply_actions(o.output(b)), priority=100, xid=x))


def step_ffself(c, args):
    buckets = [o.bucket([out2()], watch_group=1) for _ in range(64)]
    expect_err(c, "FF group watching itself from 64 buckets: LOOP",
               gm(1, o.OFPGT_FF, buckets), (GROUP_MOD_FAILED, LOOP))
    frame = bytes(64)
    expect_err(c, "PACKET_OUT to a missing group: BAD_OUT_GROUP",
               lambda x: o.packet_out(frame, [o.group_action(1)], xid=x),
               (BAD_ACTION, BAD_OUT_GROUP))


def step_watch(c, args):
    expect_ok(c, "FF group 900 watching port 2", gm(900, o.OFPGT_FF, [
        o.bucket([out2()], watch_port=2)]))
    expect_ok(c, "FF group 901 watching group 900", gm(901, o.OFPGT_FF, [
        o.bucket([out2()], watch_group=900)]))
    expect_err(c, "MODIFY 900 to watch 901 (watch cycle): LOOP", gm(900, o.OFPGT_FF, [
        o.bucket([out2()], watch_group=901)], o.OFPGC_MODIFY), (GROUP_MOD_FAILED, LOOP))
    expect_err(c, "FF group watching a missing group: BAD_WATCH", gm(902, o.OFPGT_FF, [
        o.bucket([out2()], watch_group=999)]), (GROUP_MOD_FAILED, BAD_WATCH))
    expect_ok(c, "indirect 800 -> output:2", gm(800, o.OFPGT_INDIRECT, [o.bucket([out2()])]))
    expect_ok(c, "indirect 801 -> group 800", gm(801, o.OFPGT_INDIRECT, [
        o.bucket([o.group_action(800)])]))
    expect_err(c, "MODIFY 800 -> group 801 (action cycle): LOOP", gm(800, o.OFPGT_INDIRECT, [
        o.bucket([o.group_action(801)])], o.OFPGC_MODIFY), (GROUP_MOD_FAILED, LOOP))


def step_fanout(c, args):
    expect_ok(c, "ALL group 200, 64 buckets output:2",
              gm(200, o.OFPGT_ALL, [o.bucket([out2()]) for _ in range(64)]))
    for lvl in range(1, 10):
        gid = 200 + lvl
        buckets = [o.bucket([o.group_action(gid - 1)]) for _ in range(64)]
        got = request(c, gm(gid, o.OFPGT_ALL, buckets))
        if lvl == 1:
            o.expect(got == (GROUP_MOD_FAILED, OUT_OF_BUCKETS),
                     "ALL group 201: 64 x 64 fan-out over the budget: OUT_OF_BUCKETS",
                     "got %s" % (got,))
        else:
            o.expect(got not in (None, "timeout"), "ALL group %d on a refused group: refused"
                     % gid, "got %s" % (got,))
        if got == "timeout":
            return


def step_depth(c, args):
    expect_ok(c, "indirect 600 -> output:2", gm(600, o.OFPGT_INDIRECT, [o.bucket([out2()])]))
    for gid in range(601, 610):
        got = request(c, gm(gid, o.OFPGT_INDIRECT, [o.bucket([o.group_action(gid - 1)])]))
        depth = gid - 600 + 1
        if depth <= 8:
            o.expect(got is None, "indirect chain depth %d accepted" % depth, "got %s" % (got,))
        elif depth == 9:
            o.expect(got == (GROUP_MOD_FAILED, CHAINING_UNSUPPORTED),
                     "indirect chain depth 9: CHAINING_UNSUPPORTED", "got %s" % (got,))
        if got == "timeout":
            return


def step_longloop(c, args):
    good = request(c, gm(700, o.OFPGT_FF, [o.bucket([out2()], watch_port=2)])) is None
    for gid in range(701, 771):
        good &= request(c, gm(gid, o.OFPGT_FF, [
            o.bucket([out2()], watch_group=gid - 1)])) is None
    o.expect(good, "watch chain of 71 FF groups accepted")
    expect_err(c, "MODIFY 700 to watch 770 (71-hop loop): LOOP", gm(700, o.OFPGT_FF, [
        o.bucket([out2()], watch_group=770)], o.OFPGC_MODIFY), (GROUP_MOD_FAILED, LOOP))


def step_traffic(c, args):
    deepest = None
    expect_ok(c, "ALL group 500, 2 buckets output:2",
              gm(500, o.OFPGT_ALL, [o.bucket([out2()]) for _ in range(2)]))
    for gid in range(501, 510):
        got = request(c, gm(gid, o.OFPGT_ALL, [o.bucket([o.group_action(gid - 1)])
                                                for _ in range(2)]))
        if got is not None:
            o.expect(got == (GROUP_MOD_FAILED, OUT_OF_BUCKETS) and gid == 507,
                     "2-bucket ALL chain refused at level %d: OUT_OF_BUCKETS" % (gid - 499),
                     "got %s" % (got,))
            break
        deepest = gid
    if deepest is None:
        o.fail("no 2-bucket ALL chain accepted")
        return
    m = o.match(o.in_port(1), o.eth_type(0x0800), o.ip_proto(17))
    expect_ok(c, "flow: host 1 UDP -> group %d" % deepest, lambda x: o.flow_mod(
        m, o.apply_actions(o.group_action(deepest)), priority=200, xid=x))
    frame = bytes(o.Ether(src="02:00:00:00:00:01", dst=args[1]) /
                  o.IP(src="10.0.0.1", dst="10.0.0.2") / o.UDP(sport=1, dport=9) /
                  o.Raw(b"x" * 32))
    o.host_send(args[0], frame, 200)
    o.ok("200 frames sent into group %d" % deepest)


STEPS = {"flows": step_flows, "ffself": step_ffself, "watch": step_watch,
         "fanout": step_fanout, "depth": step_depth, "longloop": step_longloop,
         "traffic": step_traffic}


def main():
    c = o.Conn(sys.argv[1])
    if c.hello is None:
        o.fail("no HELLO")
        sys.exit(1)
    STEPS[sys.argv[2]](c, sys.argv[3:])
    sys.exit(1 if o.FAILS else 0)


if __name__ == "__main__":
    main()
