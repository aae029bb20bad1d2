#!/usr/bin/python3
"""A tiny recording OpenFlow 1.3 controller for tests/integration/two_bridges.sh.

    two_bridges_ctl.py --port PORT --log FILE

Listens on 127.0.0.1:PORT (any number of switch connections, one select loop). Per
connection: HELLO, FEATURES_REQUEST; the FEATURES_REPLY's datapath id is logged as
    features conn=N dpid=0x...
then a table-miss flow (priority 0, output:CONTROLLER, whole frame) is installed. It
installs no other flow, so every frame the bridge receives comes up as a PACKET_IN,
logged as
    packet_in conn=N dpid=0x... in_port=P src=MAC dst=MAC type=0xETHTYPE
and is sent back with PACKET_OUT: to the port its destination MAC was learned on (per
dpid), else FLOOD. ECHO_REQUESTs are answered. Connection ends are logged as
    closed conn=N dpid=0x...
Standard library only.
"""
import argparse
import select
import socket
import struct
import sys

OFP_VERSION = 4
HELLO, ERROR, ECHO_REQUEST, ECHO_REPLY = 0, 1, 2, 3
FEATURES_REQUEST, FEATURES_REPLY, PACKET_IN, PACKET_OUT, FLOW_MOD = 5, 6, 10, 13, 14
OFPP_CONTROLLER, OFPP_FLOOD, OFPP_ANY = 0xfffffffd, 0xfffffffb, 0xffffffff
OFPG_ANY, NO_BUFFER = 0xffffffff, 0xffffffff


def msg(mtype, body=b"", xid=0):
    return struct.pack("!BBHI", OFP_VERSION, mtype, 8 + len(body), xid) + body


def output(port, max_len=0xffff):
    return struct.pack("!HHIH6x", 0, 16, port, max_len)


def table_miss():
    m = struct.pack("!HH4x", 1, 4)  # empty OXM match, padded to 8
    acts = output(OFPP_CONTROLLER)
    inst = struct.pack("!HH4x", 4, 8 + len(acts)) + acts
    body = struct.pack("!QQBBHHHIIIH2x", 0, 0, 0, 0, 0, 0, 0, NO_BUFFER, OFPP_ANY,
                       OFPG_ANY, 0)
    return msg(FLOW_MOD, body + m + inst, 2)


def mac(b):
    return ":".join("%02x" % x for x in b)


class Conn:
    def __init__(self, sock, n):
        self.s = sock
        self.n = n
        self.buf = b""
        self.dpid = None
        self.s.sendall(msg(HELLO, xid=1) + msg(FEATURES_REQUEST, xid=2))


class Ctl:
    def __init__(self, port, log):
        self.log = log
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", port))
        self.lsock.listen(4)
        self.conns = {}
        self.nconn = 0
        self.macs = {}  # dpid -> {mac: port}

    def say(self, line):
        self.log.write(line + "\n")
        self.log.flush()

    def dp(self, c):
        return "0x%x" % c.dpid if c.dpid is not None else "?"

    def handle(self, c, m):
        _, t, _, x = struct.unpack("!BBHI", m[:8])
        if t == ECHO_REQUEST:
            c.s.sendall(msg(ECHO_REPLY, m[8:], x))
        elif t == FEATURES_REPLY:
            c.dpid = struct.unpack("!Q", m[8:16])[0]
            self.say("features conn=%d dpid=%s" % (c.n, self.dp(c)))
            c.s.sendall(table_miss())
        elif t == ERROR:
            et, ec = struct.unpack("!HH", m[8:12])
            self.say("error conn=%d dpid=%s type=%d code=%d" % (c.n, self.dp(c), et, ec))
        elif t == PACKET_IN:
            self.packet_in(c, m)

    def packet_in(self, c, m):
        mlen = struct.unpack("!H", m[26:28])[0]
        oxms, in_port = m[28:24 + mlen], None
        while len(oxms) >= 4:
            cls, fh, ln = struct.unpack("!HBB", oxms[:4])
            if cls == 0x8000 and fh >> 1 == 0:
                in_port = struct.unpack("!I", oxms[4:8])[0]
            oxms = oxms[4 + ln:]
        data = m[24 + (mlen + 7) // 8 * 8 + 2:]
        if len(data) < 14 or in_port is None:
            self.say("bad packet_in conn=%d dpid=%s" % (c.n, self.dp(c)))
            return
        dst, src, etype = data[0:6], data[6:12], struct.unpack("!H", data[12:14])[0]
        self.say("packet_in conn=%d dpid=%s in_port=%d src=%s dst=%s type=0x%04x"
                 % (c.n, self.dp(c), in_port, mac(src), mac(dst), etype))
        table = self.macs.setdefault(c.dpid, {})
        table[src] = in_port
        out = table.get(dst, OFPP_FLOOD)
        acts = output(out)
        c.s.sendall(msg(PACKET_OUT, struct.pack("!IIH6x", NO_BUFFER, in_port, len(acts))
                        + acts + data, 3))

    def run(self):
        while True:
            socks = [self.lsock] + [c.s for c in self.conns.values()]
            r, _, _ = select.select(socks, [], [])
            for s in r:
                if s is self.lsock:
                    ns, peer = self.lsock.accept()
                    self.nconn += 1
                    self.say("connected conn=%d peer=%s:%d" % (self.nconn, *peer))
                    self.conns[ns] = Conn(ns, self.nconn)
                    continue
                c = self.conns[s]
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    self.say("closed conn=%d dpid=%s" % (c.n, self.dp(c)))
                    del self.conns[s]
                    s.close()
                    continue
                c.buf += data
                while len(c.buf) >= 8:
                    ln = struct.unpack("!H", c.buf[2:4])[0]
                    if ln < 8 or len(c.buf) < ln:
                        break
                    m, c.buf = c.buf[:ln], c.buf[ln:]
                    self.handle(c, m)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    with open(a.log, "a") as log:
        ctl = Ctl(a.port, log)
        ctl.say("listening port=%d" % a.port)
        ctl.run()


if __name__ == "__main__":
    sys.exit(main())
