#!/usr/bin/python3
"""Clients of tests/integration/hostile_quota.sh: a hostile tenant and a well-behaved one.

    hostile_quota.py hostile HOST:PORT SECS   bridge A's controller: table-miss ->
        CONTROLLER, then 1500 flow adds over tables 0-3, 80 group adds, 80 meter adds
        (pipelined, one barrier), then adds of all three kinds without pause for SECS
        seconds. Prints the features it was told (max_groups, max_meter), the counts of
        accepted and refused adds per phase with every error's type/code, the packet-ins.
    hostile_quota.py tenant HOST:PORT SECS    bridge B's controller: forwarding flows
        (in_port 1 <-> 2 for IPv4 and ARP), table-miss -> CONTROLLER, then for SECS
        seconds a new flow (table 1) + BARRIER every 20 ms, each timed; counts packet-ins
        of ethertype 0x88b6. Prints "ready" once its flows are in, then the figures.
    hostile_quota.py send IFACE SECS PPS ETHERTYPE   (inside a host's namespace) sends
        frames of that ethertype out of IFACE at PPS (0: as fast as it can) for SECS s;
        prints the count.
Each result is one "key=value ..." line for the shell to check.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

OFPT_ERROR, OFPT_PACKET_IN, OFPT_GROUP_MOD, OFPT_METER_MOD = 1, 10, 15, 29
OFPT_MULTIPART_REQUEST, OFPT_MULTIPART_REPLY, OFPT_BARRIER_REQUEST = 18, 19, 20
OFPT_BARRIER_REPLY = 21
OFPMP_GROUP_FEATURES, OFPMP_METER_FEATURES = 8, 11
TABLE_FULL = (5, 1)
OUT_OF_GROUPS = (6, 3)
OUT_OF_METERS = (12, 10)


def send_frames(iface, secs, pps, ethertype):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    frame = (b"\x02\xee\x00\x00\x00\x01" + b"\x02\xdd\x00\x00\x00\x01" +
             struct.pack("!H", ethertype) + b"\x00" * 46)
    n, t0 = 0, time.time()
    end = t0 + secs
    while time.time() < end:
        try:
            s.send(frame)
            n += 1
        except OSError:
            time.sleep(0.001)
        if pps and n % 20 == 0:
            ahead = n / pps - (time.time() - t0)
            if ahead > 0:
                time.sleep(ahead)
    print("send sent=%d secs=%.1f" % (n, time.time() - t0), flush=True)


def ipv4_dst(a):
    import of_raw
    return of_raw.oxm(12, struct.pack("!I", a))


def group_mod(gid, xid):
    import of_raw
    acts = of_raw.output(1)
    bucket = struct.pack("!HHII4x", 16 + len(acts), 0, 0xffffffff, 0xffffffff) + acts
    return of_raw.msg(OFPT_GROUP_MOD, struct.pack("!HBxI", 0, 0, gid) + bucket, xid)


def meter_mod(mid, xid):
    import of_raw
    band = struct.pack("!HHII4x", 1, 16, 1000, 0)
    return of_raw.msg(OFPT_METER_MOD, struct.pack("!HHI", 0, 1, mid) + band, xid)


def features(c, mp_type):
    import of_raw
    x = c.next_xid()
    c.send(of_raw.msg(OFPT_MULTIPART_REQUEST, struct.pack("!HH4x", mp_type, 0), x))
    r = c.recv_type(OFPT_MULTIPART_REPLY, 5, xid=x)
    if r is None or r[1] != OFPT_MULTIPART_REPLY:
        return -1
    if mp_type == OFPMP_GROUP_FEATURES:
        return struct.unpack("!I", r[24:28])[0]  # max_groups[ALL]
    return struct.unpack("!I", r[16:20])[0]  # max_meter


class Counter:
    """Reads everything the switch sends; sorts errors by the kind of request (xid)."""

    def __init__(self, c):
        self.c = c
        self.errors = {}  # (kind, type, code) -> n
        self.packet_ins = 0
        self.pin_by_type = {}
        self.barriers = set()

    def take(self, m):
        _, t, x, data = m
        if t == OFPT_ERROR:
            et, ec = struct.unpack("!HH", data[8:12])
            key = (x // 1000000, et, ec)
            self.errors[key] = self.errors.get(key, 0) + 1
        elif t == OFPT_PACKET_IN:
            self.packet_ins += 1
            mlen = struct.unpack("!H", data[26:28])[0]
            frame = data[24 + (mlen + 7) // 8 * 8 + 2:]
            if len(frame) >= 14:
                et = struct.unpack("!H", frame[12:14])[0]
                self.pin_by_type[et] = self.pin_by_type.get(et, 0) + 1
        elif t == OFPT_BARRIER_REPLY:
            self.barriers.add(x)

    def drain(self, timeout=0.001):
        # of_raw's recv(0) does not look at the socket: wait at least a millisecond
        while True:
            m = self.c.recv(max(timeout, 0.001))
            if m is None:
                return
            self.take(m)
            timeout = 0.001

    def barrier(self, timeout=10.0):
        import of_raw
        x = self.c.next_xid()
        self.c.send(of_raw.msg(OFPT_BARRIER_REQUEST, xid=x))
        end = time.time() + timeout
        while x not in self.barriers:
            left = end - time.time()
            if left <= 0:
                return False
            m = self.c.recv(left)
            if m is None:
                return False
            self.take(m)
        return True

    def n(self, kind, err=None):
        return sum(v for (k, t, c), v in self.errors.items()
                   if k == kind and (err is None or (t, c) == err))


def table_miss():
    import of_raw
    return of_raw.flow_mod(of_raw.match(), of_raw.apply_actions(of_raw.output(0xfffffffd)),
                           priority=0, xid=1)


def hostile(target, secs):
    import of_raw
    c = of_raw.Conn(target)
    k = Counter(c)
    c.send(table_miss())
    k.barrier()
    print("features max_groups=%d max_meter=%d" %
          (features(c, OFPMP_GROUP_FEATURES), features(c, OFPMP_METER_FEATURES)), flush=True)
    # Kinds by xid: 1xxxxxx flows, 2xxxxxx groups, 3xxxxxx meters (phase 1);
    # 4, 5, 6 the same in the flood.
    for i in range(1500):
        m = of_raw.match(of_raw.eth_type(0x0800), ipv4_dst(0x0a010000 + i))
        c.send(of_raw.flow_mod(m, of_raw.apply_actions(of_raw.output(1)), table=i % 4,
                               priority=1000, xid=1000000 + i))
        if i % 100 == 99:
            k.drain()
    for i in range(80):
        c.send(group_mod(i + 1, 2000000 + i))
        c.send(meter_mod(i + 1, 3000000 + i))
    ok = k.barrier(30)
    print("phase1 barrier=%d flows_refused=%d table_full=%d groups_refused=%d "
          "out_of_groups=%d meters_refused=%d out_of_meters=%d" %
          (ok, k.n(1), k.n(1, TABLE_FULL), k.n(2), k.n(2, OUT_OF_GROUPS), k.n(3),
           k.n(3, OUT_OF_METERS)), flush=True)
    sent = [0, 0, 0]
    end = time.time() + secs
    i = 0
    while time.time() < end:
        for _ in range(50):
            m = of_raw.match(of_raw.eth_type(0x0800), ipv4_dst(0x0a020000 + i))
            c.send(of_raw.flow_mod(m, of_raw.apply_actions(of_raw.output(1)), table=i % 8,
                                   priority=2000, xid=4000000 + i % 1000000))
            sent[0] += 1
            if i % 5 == 0:
                c.send(group_mod(1000 + i, 5000000 + i % 1000000))
                c.send(meter_mod(1000 + i, 6000000 + i % 1000000))
                sent[1] += 1
                sent[2] += 1
            i += 1
        k.drain()
    ok = k.barrier(30)
    other = {key: v for key, v in k.errors.items()
             if (key[0], (key[1], key[2])) not in
             ((1, TABLE_FULL), (2, OUT_OF_GROUPS), (3, OUT_OF_METERS),
              (4, TABLE_FULL), (5, OUT_OF_GROUPS), (6, OUT_OF_METERS))}
    print("flood barrier=%d flow_mods=%d table_full=%d group_mods=%d out_of_groups=%d "
          "meter_mods=%d out_of_meters=%d other_errors=%d packet_ins=%d" %
          (ok, sent[0], k.n(4, TABLE_FULL), sent[1], k.n(5, OUT_OF_GROUPS), sent[2],
           k.n(6, OUT_OF_METERS), sum(other.values()), k.packet_ins), flush=True)
    if other:
        print("other errors (kind, type, code): %s" % other, flush=True)
    c.close()


def tenant(target, secs):
    import of_raw
    c = of_raw.Conn(target)
    # flow-mod and barrier go out as two writes: without this, Nagle holds the barrier
    # back for the switch's delayed ACK (40 ms) and that is what would be measured
    c.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    k = Counter(c)
    c.send(table_miss())
    for a, b in ((1, 2), (2, 1)):
        for et in (0x0800, 0x0806):
            m = of_raw.match(of_raw.in_port(a), of_raw.eth_type(et))
            c.send(of_raw.flow_mod(m, of_raw.apply_actions(of_raw.output(b)), priority=100,
                                   xid=1))
    if not k.barrier():
        print("ready failed", flush=True)
        return
    print("ready", flush=True)
    lat = []
    timeouts = 0
    end = time.time() + secs
    i = 0
    while time.time() < end:
        m = of_raw.match(of_raw.eth_type(0x0800), ipv4_dst(0x0a030000 + i))
        t0 = time.time()
        c.send(of_raw.flow_mod(m, of_raw.apply_actions(of_raw.output(2)), table=1,
                               priority=100, xid=7000000 + i))
        if not k.barrier(5):
            lat.append(5.0)
            timeouts += 1
        else:
            lat.append(time.time() - t0)
        i += 1
        k.drain(0.02)
    k.drain(0.5)
    lat.sort()
    n = len(lat)
    print("tenant flow_mods=%d timeouts=%d errors=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f "
          "packet_ins_88b6=%d packet_ins=%d" %
          (n, timeouts, sum(k.errors.values()), 1000 * lat[n // 2] if n else -1,
           1000 * lat[min(n - 1, n * 99 // 100)] if n else -1, 1000 * lat[-1] if n else -1,
           k.pin_by_type.get(0x88b6, 0), k.packet_ins), flush=True)
    c.close()


def main():
    role = sys.argv[1]
    if role == "send":
        send_frames(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5], 0))
    elif role == "hostile":
        hostile(sys.argv[2], float(sys.argv[3]))
    elif role == "tenant":
        tenant(sys.argv[2], float(sys.argv[3]))
    else:
        print("unknown role %s" % role)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
