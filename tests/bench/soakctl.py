#!/usr/bin/python3
"""OpenFlow 1.3 load loops for the memory soak (tests/bench/mem-soak.sh).

Each command loops until --duration seconds have passed, then prints one JSON line of
counts. Errors the switch sends back are counted, never fatal; a switch that cannot be
reached for 10 s, or a connection that breaks outside a planned flap, is fatal (exit 1).

    soakctl.py churn TARGET --duration S [--flows N]
        rounds of: ADD N flows (udp_dst in a range, some matching the traffic, idle and
        hard timeouts of 1-4 s, half with SEND_FLOW_REM), BARRIER, MODIFY half of them,
        DELETE a quarter by cookie, BARRIER; what is left expires by itself.
    soakctl.py flap TARGET --duration S [--ports P]
        a controller that connects, sets the table-miss flow to CONTROLLER, installs a
        few forwarding flows, answers PACKET_INs with PACKET_OUTs for 0.2-2 s, then
        disconnects (a clean close or a reset, alternately) and comes back.
    soakctl.py pktout TARGET --duration S [--ports P]
        bursts of 500 PACKET_OUTs (to each port, FLOOD, ALL, TABLE, IN_PORT, LOCAL and
        CONTROLLER, 60-1500 bytes), a BARRIER after each burst.
    soakctl.py traffic IFACE --duration S [--pps R]
        (run inside a host namespace) raw UDP frames out of IFACE at about R frames/s,
        udp_dst cycling over 0..4095 (some match churned flows, the rest miss).
TARGET: unix:PATH, PATH (unix) or tcp:IP:PORT.
"""
import argparse
import json
import random
import select
import socket
import struct
import sys
import time

OFP_VERSION = 4
HELLO, ERROR, ECHO_REQUEST, ECHO_REPLY = 0, 1, 2, 3
FEATURES_REQUEST, PACKET_IN, FLOW_REMOVED, PACKET_OUT, FLOW_MOD = 5, 10, 11, 13, 14
BARRIER_REQUEST, BARRIER_REPLY, ROLE_REQUEST = 20, 21, 24
OFPFC_ADD, OFPFC_MODIFY, OFPFC_DELETE = 0, 1, 3
OFPFF_SEND_FLOW_REM = 1
OFPP_IN_PORT, OFPP_TABLE, OFPP_FLOOD, OFPP_ALL = 0xfffffff8, 0xfffffff9, 0xfffffffb, 0xfffffffc
OFPP_CONTROLLER, OFPP_LOCAL, OFPP_ANY = 0xfffffffd, 0xfffffffe, 0xffffffff
OFPG_ANY = 0xffffffff
NO_BUFFER = 0xffffffff
UDP_BASE = 20000  # traffic's udp_dst is UDP_BASE + 0..4095


def msg(mtype, body=b"", xid=0):
    return struct.pack("!BBHI", OFP_VERSION, mtype, 8 + len(body), xid) + body


def oxm(field, payload):
    return struct.pack("!HBB", 0x8000, field << 1, len(payload)) + payload


def match(*fields):
    body = b"".join(fields)
    m = struct.pack("!HH", 1, 4 + len(body)) + body
    return m + b"\0" * (-len(m) % 8)


def match_udp_dst(port, in_port=None):
    f = [oxm(5, b"\x08\x00"), oxm(10, b"\x11"), oxm(16, struct.pack("!H", port))]
    if in_port is not None:
        f.insert(0, oxm(0, struct.pack("!I", in_port)))
    return match(*f)


def output(port, max_len=0xffff):
    return struct.pack("!HHIH6x", 0, 16, port, max_len)


def apply_actions(*actions):
    body = b"".join(actions)
    return struct.pack("!HH4x", 4, 8 + len(body)) + body


def flow_mod(m, insts, command=OFPFC_ADD, priority=100, idle=0, hard=0, cookie=0,
             cookie_mask=0, flags=0, xid=0):
    body = struct.pack("!QQBBHHHIIIH2x", cookie, cookie_mask, 0, command, idle, hard,
                       priority, NO_BUFFER, OFPP_ANY, OFPG_ANY, flags)
    return msg(FLOW_MOD, body + m + insts, xid)


def packet_out(data, actions, in_port=OFPP_CONTROLLER, xid=0):
    acts = b"".join(actions)
    return msg(PACKET_OUT, struct.pack("!IIH6x", NO_BUFFER, in_port, len(acts)) + acts + data,
               xid)


def udp_frame(dport, size=64, src=b"\x02\x00\x00\x00\x00\x01", dst=b"\x02\x00\x00\x00\x00\x02"):
    size = max(size, 60)
    payload_len = size - 42
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28 + payload_len, 0, 0, 64, 17, 0,
                     bytes([10, 99, 0, 1]), bytes([10, 99, 0, 2]))
    udp = struct.pack("!HHHH", 40000, dport, 8 + payload_len, 0)
    return dst + src + b"\x08\x00" + ip + udp + b"\xa5" * payload_len


class Conn:
    """One OpenFlow connection; answers ECHO_REQUESTs, counts what comes back."""

    def __init__(self, target, stats):
        self.stats = stats
        if target.startswith("tcp:"):
            host, port = target[4:].rsplit(":", 1)
            self.s = socket.create_connection((host, int(port)), timeout=10)
        else:
            path = target[5:] if target.startswith("unix:") else target
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.s.settimeout(10)
            self.s.connect(path)
        self.s.setblocking(False)
        self.buf = b""
        self.xid = 100
        self.out = b""
        self.send(msg(HELLO, xid=1))

    def next_xid(self):
        self.xid += 1
        return self.xid

    def send(self, data):
        self.out += data
        self.flush(block=len(self.out) > (1 << 20))

    def flush(self, block=True):
        deadline = time.time() + 30
        while self.out:
            try:
                n = self.s.send(self.out)
                self.out = self.out[n:]
            except BlockingIOError:
                if not block:
                    return
                self.pump(0.05)  # read while the switch waits for us to read
                if time.time() > deadline:
                    raise RuntimeError("switch does not take our messages for 30 s")

    def pump(self, timeout):
        """Reads what is there (waiting up to timeout); returns the messages."""
        msgs = []
        r, _, _ = select.select([self.s], [], [], timeout)
        if not r:
            return msgs
        try:
            data = self.s.recv(1 << 20)
        except BlockingIOError:
            return msgs
        if not data:
            raise ConnectionError("switch closed the connection")
        self.buf += data
        while len(self.buf) >= 8:
            length = struct.unpack("!H", self.buf[2:4])[0]
            if length < 8:
                raise RuntimeError("bad length %d from the switch" % length)
            if len(self.buf) < length:
                break
            m, self.buf = self.buf[:length], self.buf[length:]
            t, x = m[1], struct.unpack("!I", m[4:8])[0]
            if t == ECHO_REQUEST:
                self.out += msg(ECHO_REPLY, m[8:], x)
            elif t == ERROR:
                self.stats["errors"] = self.stats.get("errors", 0) + 1
            elif t == PACKET_IN:
                self.stats["packet_ins"] = self.stats.get("packet_ins", 0) + 1
            elif t == FLOW_REMOVED:
                self.stats["flow_removed"] = self.stats.get("flow_removed", 0) + 1
            msgs.append((t, x, m))
        return msgs

    def barrier(self, timeout=30):
        x = self.next_xid()
        self.send(msg(BARRIER_REQUEST, xid=x))
        self.flush()
        end = time.time() + timeout
        while time.time() < end:
            for t, rx, _ in self.pump(0.1):
                if t == BARRIER_REPLY and rx == x:
                    return
        raise RuntimeError("no BARRIER_REPLY in %d s" % timeout)

    def close(self, reset=False):
        if reset:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.s.close()


def connect(target, stats, end):
    """Connects, retrying for up to 10 s (the switch may be busy)."""
    give_up = min(end, time.time()) + 10
    while True:
        try:
            return Conn(target, stats)
        except OSError as e:
            if time.time() > give_up:
                raise RuntimeError("cannot connect to %s: %s" % (target, e))
            time.sleep(0.2)


def cmd_churn(a, stats):
    end = time.time() + a.duration
    c = connect(a.target, stats, end)
    rnd = random.Random(1)
    rounds = 0
    while time.time() < end:
        cookie = 0x5000 + rounds % 16
        for i in range(a.flows):
            port = UDP_BASE + rnd.randrange(4096)
            c.send(flow_mod(match_udp_dst(port, 1 + i % 2), apply_actions(output(3 - i % 2)),
                            priority=100 + i % 50, idle=rnd.randint(1, 4),
                            hard=rnd.choice((0, 2, 4)), cookie=cookie,
                            flags=OFPFF_SEND_FLOW_REM if i % 2 else 0, xid=c.next_xid()))
        stats["flow_adds"] = stats.get("flow_adds", 0) + a.flows
        c.barrier()
        for i in range(0, a.flows, 2):
            c.send(flow_mod(match_udp_dst(UDP_BASE + rnd.randrange(4096)),
                            apply_actions(output(2)), command=OFPFC_MODIFY,
                            xid=c.next_xid()))
        stats["flow_mods"] = stats.get("flow_mods", 0) + a.flows // 2
        c.send(flow_mod(match(), b"", command=OFPFC_DELETE, cookie=0x5000 + (rounds + 8) % 16,
                        cookie_mask=0xffffffffffffffff, xid=c.next_xid()))
        c.barrier()
        c.pump(0.2)
        rounds += 1
    stats["rounds"] = rounds
    c.close()


def cmd_flap(a, stats):
    end = time.time() + a.duration
    rnd = random.Random(2)
    flaps = 0
    while time.time() < end:
        c = connect(a.target, stats, end)
        c.send(msg(FEATURES_REQUEST, xid=c.next_xid()))
        c.send(flow_mod(match(), apply_actions(output(OFPP_CONTROLLER, 128)), priority=0,
                        xid=c.next_xid()))
        for p in range(1, a.ports + 1):
            c.send(flow_mod(match_udp_dst(UDP_BASE + 4000 + p, p),
                            apply_actions(output(p % a.ports + 1)), priority=200,
                            idle=rnd.randint(1, 3), xid=c.next_xid()))
        stay = time.time() + rnd.uniform(0.2, 2.0)
        try:
            while time.time() < min(stay, end):
                for t, _, m in c.pump(0.05):
                    if t == PACKET_IN and rnd.random() < 0.5:
                        # ofp_packet_in: header 8, buffer_id 4, total_len 2, reason 1,
                        # table 1, cookie 8, match (padded), 2 pad, then the frame.
                        mlen = struct.unpack("!H", m[26:28])[0]
                        data = m[24 + (mlen + 7) // 8 * 8 + 2:]
                        c.send(packet_out(data, [output(OFPP_FLOOD)], in_port=1,
                                          xid=c.next_xid()))
                        stats["replies"] = stats.get("replies", 0) + 1
                c.flush(block=False)
        except ConnectionError:
            raise RuntimeError("the switch dropped a controller connection")
        c.close(reset=flaps % 2 == 1)
        flaps += 1
        time.sleep(rnd.uniform(0.05, 0.5))
    stats["flaps"] = flaps


def cmd_pktout(a, stats):
    end = time.time() + a.duration
    c = connect(a.target, stats, end)
    rnd = random.Random(3)
    dests = list(range(1, a.ports + 1)) + [OFPP_FLOOD, OFPP_ALL, OFPP_TABLE, OFPP_IN_PORT,
                                          OFPP_LOCAL, OFPP_CONTROLLER]
    bursts = sent = 0
    while time.time() < end:
        for i in range(500):
            d = dests[i % len(dests)]
            frame = udp_frame(UDP_BASE + rnd.randrange(4096), rnd.choice((60, 128, 512, 1500)))
            c.send(packet_out(frame, [output(d)], in_port=1 if d == OFPP_IN_PORT or
                              d == OFPP_TABLE else OFPP_CONTROLLER, xid=c.next_xid()))
        sent += 500
        c.barrier()
        bursts += 1
        time.sleep(0.1)
    stats["bursts"] = bursts
    stats["packet_outs"] = sent
    c.close()


def cmd_traffic(a, stats):
    end = time.time() + a.duration
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.target, 0))
    frames = [udp_frame(UDP_BASE + p) for p in range(4096)]
    sent = i = 0
    t0 = time.time()
    while time.time() < end:
        for _ in range(50):
            try:
                s.send(frames[i % 4096])
                sent += 1
            except OSError:
                stats["send_errors"] = stats.get("send_errors", 0) + 1
            i += 7
        ahead = t0 + sent / a.pps - time.time()
        if ahead > 0:
            time.sleep(ahead)
    stats["frames"] = sent


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("command", choices=["churn", "flap", "pktout", "traffic"])
    p.add_argument("target")
    p.add_argument("--duration", type=float, required=True)
    p.add_argument("--flows", type=int, default=2000)
    p.add_argument("--ports", type=int, default=3)
    p.add_argument("--pps", type=float, default=2000)
    a = p.parse_args()
    stats = {"command": a.command}
    rc = 0
    try:
        globals()["cmd_" + a.command](a, stats)
    except (RuntimeError, OSError) as e:
        stats["fatal"] = str(e)
        rc = 1
    print(json.dumps(stats))
    return rc


if __name__ == "__main__":
    sys.exit(main())
