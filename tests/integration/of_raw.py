#!/usr/bin/python3
"""Raw OpenFlow 1.3 client checks against a running pfswitchd (driven by of_raw.sh).

    of_raw.py --ctl HOST:PORT --mgmt PATH --ns NS1,NS2,NS3 --mac MAC1,MAC2,MAC3 TEST...

TEST is one of:
  errors   malformed, truncated and unsupported messages on the controller connection and on
           the mgmt socket: each gets OFPT_ERROR with the right type/code, the request's xid
           and (the start of) the offending request; an ECHO after each still gets its reply.
           A HELLO offering only OpenFlow 1.0 gets HELLO_FAILED/INCOMPATIBLE.
  pktio    PACKET_IN for a table-miss flow (whole frame, in_port, reason NO_MATCH, table,
           cookie) and for an output:CONTROLLER action (reason ACTION); PACKET_OUT to a port:
           the frame arrives at that host byte for byte (tcpdump in its namespace).
  flowrem  a flow with hard_timeout=2 and SEND_FLOW_REM matched by N frames: FLOW_REMOVED
           with reason HARD_TIMEOUT, N packets, N * len bytes, its cookie/priority/match.
Prints "ok: ..." / "FAIL: ..." lines; exit status 0 when everything passed, 1 otherwise.
"""
import argparse
import os
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time

from scapy.all import IP, UDP, Ether, Raw  # noqa: E402

OFP_VERSION = 4
HELLO, ERROR, ECHO_REQUEST, ECHO_REPLY, EXPERIMENTER, FEATURES_REQUEST = 0, 1, 2, 3, 4, 5
PACKET_IN, FLOW_REMOVED, PORT_STATUS, PACKET_OUT, FLOW_MOD = 10, 11, 12, 13, 14
MULTIPART_REQUEST, BARRIER_REQUEST, BARRIER_REPLY = 18, 20, 21
OFPP_CONTROLLER, OFPP_ANY = 0xfffffffd, 0xffffffff
OFPG_ANY = 0xffffffff
NO_BUFFER = 0xffffffff
OFPTT_ALL = 0xff

FAILS = 0


def ok(what):
    print("ok: " + what, flush=True)


def fail(what):
    global FAILS
    FAILS += 1
    print("FAIL: " + what, flush=True)


def expect(cond, what, detail=""):
    if cond:
        ok(what)
    else:
        fail(what + (" (" + detail + ")" if detail else ""))
    return cond


def header(mtype, length, xid, version=OFP_VERSION):
    return struct.pack("!BBHI", version, mtype, length, xid)


def msg(mtype, body=b"", xid=0, version=OFP_VERSION):
    return header(mtype, 8 + len(body), xid, version) + body


def oxm(field, value, mask=None):
    has = mask is not None
    payload = value + (mask if has else b"")
    return struct.pack("!HBB", 0x8000, (field << 1) | has, len(payload)) + payload


def match(*fields):
    body = b"".join(fields)
    length = 4 + len(body)
    return struct.pack("!HH", 1, length) + body + b"\0" * ((8 - length % 8) % 8)


def in_port(p):
    return oxm(0, struct.pack("!I", p))


def eth_type(t):
    return oxm(5, struct.pack("!H", t))


def ip_proto(p):
    return oxm(10, struct.pack("!B", p))


def udp_dst(p):
    return oxm(16, struct.pack("!H", p))


def tcp_dst(p):
    return oxm(14, struct.pack("!H", p))


def output(port, max_len=0xffff):
    return struct.pack("!HHIH6x", 0, 16, port, max_len)


def apply_actions(*actions):
    body = b"".join(actions)
    return struct.pack("!HH4x", 4, 8 + len(body)) + body


def flow_mod(m, insts=b"", command=0, table=0, priority=0x8000, idle=0, hard=0, cookie=0,
             flags=0, out_port=OFPP_ANY, xid=0):
    body = struct.pack("!QQBBHHHIIIH2x", cookie, 0, table, command, idle, hard, priority,
                       NO_BUFFER, out_port, OFPG_ANY, flags)
    return msg(FLOW_MOD, body + m + insts, xid)


def packet_out(data, actions, in_port_no=OFPP_CONTROLLER, xid=0):
    acts = b"".join(actions)
    return msg(PACKET_OUT, struct.pack("!IIH6x", NO_BUFFER, in_port_no, len(acts)) + acts + data,
               xid)


# ---- groups (GROUP_MOD builders; used by hostile_groups.py) ------------------------------

GROUP_MOD = 15
OFPGT_ALL, OFPGT_SELECT, OFPGT_INDIRECT, OFPGT_FF = 0, 1, 2, 3
OFPGC_ADD, OFPGC_MODIFY, OFPGC_DELETE = 0, 1, 2
OFPG_ALL = 0xfffffffc


def group_action(group_id):
    return struct.pack("!HHI", 22, 8, group_id)


def bucket(actions, weight=0, watch_port=OFPP_ANY, watch_group=OFPG_ANY):
    acts = b"".join(actions)
    return struct.pack("!HHII4x", 16 + len(acts), weight, watch_port, watch_group) + acts


def group_mod(group_id, gtype, buckets, command=OFPGC_ADD, xid=0):
    return msg(GROUP_MOD, struct.pack("!HBxI", command, gtype, group_id) + b"".join(buckets),
               xid)


class Conn:
    def __init__(self, target, hello_version=OFP_VERSION):
        if target.startswith("/"):
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.s.connect(target)
        else:
            host, port = target.rsplit(":", 1)
            self.s = socket.create_connection((host, int(port)), timeout=5)
        self.buf = b""
        self.xid = 1000
        self.s.sendall(msg(HELLO, xid=1, version=hello_version))
        self.hello = self.recv_type(HELLO, 5, any_version=True)

    def close(self):
        self.s.close()

    def send(self, data):
        self.s.sendall(data)

    def next_xid(self):
        self.xid += 1
        return self.xid

    def recv(self, timeout):
        """Next message as (version, type, xid, whole bytes), or None on timeout/EOF."""
        end = time.time() + timeout
        while True:
            if len(self.buf) >= 8:
                length = struct.unpack("!H", self.buf[2:4])[0]
                if length < 8:
                    raise RuntimeError("bad length from switch: %d" % length)
                if len(self.buf) >= length:
                    m, self.buf = self.buf[:length], self.buf[length:]
                    v, t, _, x = struct.unpack("!BBHI", m[:8])
                    if t == ECHO_REQUEST and v == OFP_VERSION:  # keep the switch happy
                        self.send(msg(ECHO_REPLY, m[8:], x))
                        continue
                    return v, t, x, m
            left = end - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.s], [], [], left)
            if not r:
                return None
            data = self.s.recv(65536)
            if not data:
                return None
            self.buf += data

    def recv_type(self, mtype, timeout, xid=None, any_version=False, pred=None):
        end = time.time() + timeout
        while True:
            m = self.recv(max(0, end - time.time()))
            if m is None:
                return None
            v, t, x, data = m
            if t == mtype and (xid is None or x == xid) and (pred is None or pred(data)):
                return data
            if t == ERROR and xid is not None and x == xid:
                return data  # caller sees the error

    def barrier(self):
        x = self.next_xid()
        self.send(msg(BARRIER_REQUEST, xid=x))
        return self.recv_type(BARRIER_REPLY, 5, xid=x) is not None

    def echo_ok(self):
        x = self.next_xid()
        payload = b"pfs-echo-%d" % x
        self.send(msg(ECHO_REQUEST, payload, x))
        r = self.recv_type(ECHO_REPLY, 5, xid=x)
        return r is not None and r[1] == ECHO_REPLY and r[8:] == payload


# ---- errors ----------------------------------------------------------------------------

BAD_REQUEST, BAD_ACTION, BAD_INSTRUCTION, BAD_MATCH, FLOW_MOD_FAILED = 1, 2, 3, 4, 5
ERR_NAMES = {0: "HELLO_FAILED", 1: "BAD_REQUEST", 2: "BAD_ACTION", 3: "BAD_INSTRUCTION",
             4: "BAD_MATCH", 5: "FLOW_MOD_FAILED"}


def error_cases(xid):
    """(name, raw message with xid, expected (type, code))"""
    m_ok = match(in_port(1))
    out1 = apply_actions(output(2))
    cases = [
        ("bad version (1.0 ECHO_REQUEST after 1.3 HELLO)", msg(ECHO_REQUEST, b"x", xid, 1),
         (BAD_REQUEST, 0)),  # OFPBRC_BAD_VERSION
        ("bad type 0xfe", msg(0xfe, b"\0" * 8, xid), (BAD_REQUEST, 1)),  # BAD_TYPE
        ("truncated flow_mod (header only + 12 bytes)", msg(FLOW_MOD, b"\0" * 12, xid),
         (BAD_REQUEST, 6)),  # BAD_LEN
        ("flow_mod match longer than the message",
         header(FLOW_MOD, 56, xid) + flow_mod(m_ok)[8:48] + struct.pack("!HH4x", 1, 64),
         (BAD_MATCH, 1)),  # OFPBMC_BAD_LEN
        ("match prereq: tcp_dst without ip_proto", flow_mod(match(tcp_dst(80)), out1, xid=xid),
         (BAD_MATCH, 9)),  # BAD_PREREQ
        ("match prereq: ip_proto without eth_type", flow_mod(match(ip_proto(6)), out1, xid=xid),
         (BAD_MATCH, 9)),
        ("unknown OXM field", flow_mod(match(oxm(99, b"\0\0")), out1, xid=xid),
         (BAD_MATCH, 6)),  # BAD_FIELD
        ("bad action type 0x7777", flow_mod(m_ok, apply_actions(struct.pack("!HH4x", 0x7777, 8)),
                                           xid=xid), (BAD_ACTION, 0)),  # BAD_TYPE
        # Port 0 can never be valid (4000 could be added later: accepted, like OVS does).
        ("action output:0",
         flow_mod(m_ok, apply_actions(output(0)), xid=xid), (BAD_ACTION, 4)),  # BAD_OUT_PORT
        ("unknown instruction type", flow_mod(m_ok, struct.pack("!HH4x", 0x99, 8), xid=xid),
         (BAD_INSTRUCTION, 0)),  # UNKNOWN_INST
        ("flow_mod to table 255 (add)", flow_mod(m_ok, out1, table=255, xid=xid),
         (FLOW_MOD_FAILED, 2)),  # BAD_TABLE_ID
        ("bad flow_mod command 9", flow_mod(m_ok, out1, command=9, xid=xid),
         (FLOW_MOD_FAILED, 6)),  # BAD_COMMAND
        ("unknown multipart type 0x7777", msg(MULTIPART_REQUEST,
                                               struct.pack("!HH4x", 0x7777, 0), xid),
         (BAD_REQUEST, 2)),  # BAD_MULTIPART
        ("experimenter message, unknown experimenter",
         msg(EXPERIMENTER, struct.pack("!II", 0x00abcdef, 1) + b"data", xid),
         (BAD_REQUEST, 3)),  # BAD_EXPERIMENTER
        ("experimenter multipart, unknown experimenter",
         msg(MULTIPART_REQUEST, struct.pack("!HH4xII", 0xffff, 0, 0x00abcdef, 1), xid),
         (BAD_REQUEST, 3)),
        ("packet_out to port 0",
         packet_out(b"\xff" * 6 + b"\x02" * 6 + b"\x08\x00" + b"\0" * 46, [output(0)],
                    xid=xid), (BAD_ACTION, 4)),
        ("packet_out with bad in_port", packet_out(b"\xff" * 60, [output(2)], in_port_no=4000,
                                                     xid=xid), (BAD_REQUEST, 11)),  # BAD_PORT
    ]
    return cases


def test_errors(target, label):
    try:
        c = Conn(target)
    except OSError as e:
        fail("%s: connect: %s" % (label, e))
        return
    expect(c.hello is not None and c.hello[0] >= OFP_VERSION, "%s: HELLO exchanged" % label)
    for i in range(len(error_cases(0))):
        x = c.next_xid()
        name, raw, (etype, ecode) = error_cases(x)[i]
        c.send(raw)
        r = c.recv_type(ERROR, 5, xid=x)
        if r is None:
            fail("%s: %s: no reply" % (label, name))
        elif r[1] != ERROR:
            fail("%s: %s: got type %d instead of ERROR" % (label, name, r[1]))
        else:
            t, code = struct.unpack("!HH", r[8:12])
            data = r[12:]
            good = (t, code) == (etype, ecode)
            expect(good, "%s: %s -> %s/%d" % (label, name, ERR_NAMES.get(etype, etype), ecode),
                   "got type %d code %d" % (t, code))
            want = raw[:min(len(raw), 64)]
            # Bad-version errors carry the request as sent; the data holds >= 64 bytes of it.
            expect(data[:len(want)] == want, "%s: %s: error data holds the request" % (label, name),
                   "data %s" % data[:16].hex())
        if not expect(c.echo_ok(), "%s: session alive after %s" % (label, name)):
            try:
                c = Conn(target)
            except OSError:
                return
    c.close()
    # A HELLO offering only 1.0: HELLO_FAILED/INCOMPATIBLE, then the switch hangs up.
    try:
        c = Conn(target, hello_version=1)
        r = c.recv_type(ERROR, 5, any_version=True)
        good = r is not None and struct.unpack("!HH", r[8:12]) == (0, 0)
        expect(good, "%s: HELLO 1.0 only -> HELLO_FAILED/INCOMPATIBLE" % label,
               r[8:12].hex() if r else "no error")
        expect(c.recv(3) is None, "%s: connection closed after HELLO_FAILED" % label)
        c.close()
    except OSError as e:
        fail("%s: HELLO 1.0: %s" % (label, e))
    # The switch still takes new sessions.
    c = Conn(target)
    expect(c.echo_ok(), "%s: new session after the errors" % label)
    c.close()


# ---- hosts -----------------------------------------------------------------------------

def host_send(ns, frame, count=1):
    code = ("import socket,sys\n"
            "s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\n"
            "s.bind(('eth0',0))\n"
            "f=bytes.fromhex(sys.argv[1])\n"
            "for _ in range(int(sys.argv[2])): s.send(f)\n")
    subprocess.run(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c", code, frame.hex(),
                    str(count)], check=True)


class Capture:
    """tcpdump on eth0 of namespace ns, for frames from src_mac."""

    def __init__(self, ns, src_mac):
        self.fd, self.path = tempfile.mkstemp(suffix=".pcap")
        os.close(self.fd)
        self.p = subprocess.Popen(["ip", "netns", "exec", ns, "timeout", "15", "tcpdump", "-i",
                                   "eth0", "-U", "-n", "-w", self.path, "-c", "1",
                                   "ether src " + src_mac],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # Ready once tcpdump says it listens.
        line = self.p.stderr.readline()
        if b"listening" not in line:
            raise RuntimeError("tcpdump: " + line.decode(errors="replace"))

    def frames(self, timeout):
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        with open(self.path, "rb") as f:
            data = f.read()
        os.unlink(self.path)
        out, off = [], 24
        while off + 16 <= len(data):
            caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
            out.append(data[off + 16:off + 16 + caplen])
            off += 16 + caplen
        return out


def parse_match(data):
    """OXM fields of an ofp_match at data[0:], as {field: value}, and its padded length."""
    mtype, length = struct.unpack("!HH", data[:4])
    fields, off = {}, 4
    while off + 4 <= length:
        cls, fh, flen = struct.unpack("!HBB", data[off:off + 4])
        fields[fh >> 1] = data[off + 4:off + 4 + flen]
        off += 4 + flen
    return fields, (length + 7) // 8 * 8


def frame(src, dst, dport, size=120):
    f = bytes(Ether(src=src, dst=dst) / IP(src="10.250.0.1", dst="10.250.0.2") /
              UDP(sport=40000, dport=dport))
    return f + bytes(range(256))[: size - len(f)] if size > len(f) else f


def test_pktio(args):
    ns, mac = args.ns, args.mac
    c = Conn(args.ctl)
    c.send(flow_mod(match(), command=3, table=OFPTT_ALL))  # delete all
    c.send(flow_mod(match(), apply_actions(output(OFPP_CONTROLLER)), priority=0, cookie=0xabc))
    c.send(flow_mod(match(eth_type(0x800), ip_proto(17), udp_dst(4322)),
                    apply_actions(output(OFPP_CONTROLLER)), priority=10, cookie=0xdef))
    expect(c.barrier(), "pktio: flows installed (barrier)")

    # Table miss: the whole frame, in_port 1, reason NO_MATCH, table 0, the flow's cookie.
    f = frame(mac[0], "02:00:00:00:00:99", 4321, 150)
    host_send(ns[0], f)
    r = c.recv_type(PACKET_IN, 5, pred=lambda m: m.endswith(f))
    if expect(r is not None, "pktio: PACKET_IN for the table-miss frame"):
        buf, total, reason, table, cookie = struct.unpack("!IHBBQ", r[8:24])
        fields, mlen = parse_match(r[24:])
        data = r[24 + mlen + 2:]
        expect(data == f, "pktio: PACKET_IN carries the whole frame (%d bytes)" % len(f),
               "got %d bytes" % len(data))
        expect(total == len(f), "pktio: total_len %d" % total)
        expect(buf == NO_BUFFER, "pktio: buffer_id NO_BUFFER", hex(buf))
        expect(reason == 0, "pktio: reason NO_MATCH for the table-miss flow", "reason %d" % reason)
        expect(table == 0 and cookie == 0xabc, "pktio: table 0, cookie 0xabc",
               "table %d cookie %#x" % (table, cookie))
        expect(fields.get(0) == struct.pack("!I", 1), "pktio: match in_port=1",
               repr(fields.get(0)))

    # output:CONTROLLER action: reason ACTION, in_port 2.
    f2 = frame(mac[1], "02:00:00:00:00:98", 4322, 90)
    host_send(ns[1], f2)
    r = c.recv_type(PACKET_IN, 5, pred=lambda m: m.endswith(f2))
    if expect(r is not None, "pktio: PACKET_IN for output:CONTROLLER"):
        buf, total, reason, table, cookie = struct.unpack("!IHBBQ", r[8:24])
        fields, mlen = parse_match(r[24:])
        expect(reason == 1 and cookie == 0xdef, "pktio: reason ACTION, cookie 0xdef",
               "reason %d cookie %#x" % (reason, cookie))
        expect(fields.get(0) == struct.pack("!I", 2), "pktio: match in_port=2")
        expect(r[24 + mlen + 2:] == f2, "pktio: frame intact")

    # PACKET_OUT from the controller to port 3: arrives at host 3 unchanged.
    fo = frame("02:00:00:00:00:77", mac[2], 9999, 200)
    cap = Capture(ns[2], "02:00:00:00:00:77")
    c.send(packet_out(fo, [output(3)]))
    got = cap.frames(5)
    expect(got and got[0] == fo, "pktio: PACKET_OUT in_port=CONTROLLER output:3 reaches host 3",
           "captured %s" % [g[:16].hex() for g in got])
    # PACKET_OUT as if from port 1, output:2.
    fo2 = frame("02:00:00:00:00:76", mac[1], 9998, 64)
    cap = Capture(ns[1], "02:00:00:00:00:76")
    c.send(packet_out(fo2, [output(2)], in_port_no=1))
    got = cap.frames(5)
    expect(got and got[0] == fo2, "pktio: PACKET_OUT in_port=1 output:2 reaches host 2")
    expect(c.echo_ok(), "pktio: session alive")
    c.send(flow_mod(match(), command=3, table=OFPTT_ALL))
    c.barrier()
    c.close()


def test_flowrem(args):
    ns, mac = args.ns, args.mac
    c = Conn(args.ctl)
    c.send(flow_mod(match(), command=3, table=OFPTT_ALL))
    m = match(in_port(1), eth_type(0x800), ip_proto(17), udp_dst(5555))
    c.send(flow_mod(m, apply_actions(output(2)), priority=200, hard=2, cookie=0x5eed, flags=1))
    # A flow without SEND_FLOW_REM expires silently.
    c.send(flow_mod(match(in_port(3)), apply_actions(output(2)), priority=201, hard=1,
                    cookie=0x51e))
    expect(c.barrier(), "flowrem: flows installed")
    t0 = time.time()
    n, size = 7, 142
    f = frame(mac[0], mac[1], 5555, size)
    host_send(ns[0], f, n)
    host_send(ns[0], frame(mac[0], mac[1], 5556, size), 3)  # not matching
    r = c.recv_type(FLOW_REMOVED, 6)
    dt = time.time() - t0
    if not expect(r is not None, "flowrem: FLOW_REMOVED received after %.1f s" % dt):
        return
    (cookie, prio, reason, table, dsec, dnsec, idle, hard, pkts,
     nbytes) = struct.unpack("!QHBBIIHHQQ", r[8:48])
    fields, _ = parse_match(r[48:])
    expect(reason == 1, "flowrem: reason HARD_TIMEOUT", "reason %d" % reason)
    expect(cookie == 0x5eed and prio == 200 and table == 0 and hard == 2 and idle == 0,
           "flowrem: cookie, priority, table, timeouts",
           "cookie %#x prio %d table %d idle %d hard %d" % (cookie, prio, table, idle, hard))
    expect(pkts == n, "flowrem: packet_count %d" % n, "got %d" % pkts)
    expect(nbytes == n * size, "flowrem: byte_count %d" % (n * size), "got %d" % nbytes)
    expect(2 <= dsec <= 3, "flowrem: duration %d.%09d s" % (dsec, dnsec))
    expect(1.5 <= dt <= 4, "flowrem: expired on time (%.1f s after install)" % dt)
    expect(fields.get(16) == struct.pack("!H", 5555) and fields.get(0) == struct.pack("!I", 1),
           "flowrem: match udp_dst=5555,in_port=1")
    r2 = c.recv_type(FLOW_REMOVED, 1.5)
    expect(r2 is None, "flowrem: no FLOW_REMOVED for the flow without SEND_FLOW_REM")
    expect(c.echo_ok(), "flowrem: session alive")
    c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctl", required=True)
    ap.add_argument("--mgmt", required=True)
    ap.add_argument("--ns", required=True, type=lambda s: s.split(","))
    ap.add_argument("--mac", required=True, type=lambda s: s.split(","))
    ap.add_argument("tests", nargs="+")
    args = ap.parse_args()
    for t in args.tests:
        if t == "errors":
            test_errors(args.ctl, "controller")
            test_errors(args.mgmt, "mgmt")
        elif t == "pktio":
            test_pktio(args)
        elif t == "flowrem":
            test_flowrem(args)
        else:
            fail("unknown test " + t)
    print("%s: %d failures" % (" ".join(args.tests), FAILS))
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
