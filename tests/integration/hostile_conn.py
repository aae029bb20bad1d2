#!/usr/bin/python3
"""Hostile OpenFlow peers for hostile_conn.sh (one attack per call).

    hostile_conn.py flows TARGET N           install N flows in table 1 (plus the ping
                                             flows in table 0), wait for the barrier
    hostile_conn.py noread TARGET N HOLD     send N table-features and N flow-stats
                                             requests without reading, hold HOLD s;
                                             prints "closed-by-switch" if it was dropped
    hostile_conn.py idle TARGET N HOLD       open N TCP connections (no HELLO), hold
    hostile_conn.py partial TARGET N [HOLD]  start N multipart requests of 960 KiB each
                                             (REQ_MORE, never finished); print the
                                             errors, check ECHO, hold HOLD s
    hostile_conn.py slowdump TARGET MIN BPS  dump flows reading at most BPS bytes/s;
                                             fails unless >= MIN flows and a last part

TARGET: a unix socket path or HOST:PORT. Exit 0 on success, 1 with a reason.
"""
import os
import resource
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import of_raw  # noqa: E402
from of_raw import msg, MULTIPART_REQUEST  # noqa: E402

OFPMP_FLOW, OFPMP_TABLE_FEATURES = 1, 12
OFPMPF_MORE = 1


def mp_request(mp_type, body=b"", xid=0, flags=0):
    return msg(MULTIPART_REQUEST, struct.pack("!HH4x", mp_type, flags) + body, xid)


def flow_stats_body(table=of_raw.OFPTT_ALL):
    return struct.pack("!B3xII4xQQ", table, of_raw.OFPP_ANY, of_raw.OFPG_ANY, 0, 0) + \
        of_raw.match()


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(max(n, soft), hard) if hard != resource.RLIM_INFINITY else max(n, soft)
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def flows(target, n):
    c = of_raw.Conn(target)
    ins = of_raw.apply_actions(of_raw.output(2))
    c.send(of_raw.flow_mod(of_raw.match(of_raw.in_port(1)), of_raw.apply_actions(
        of_raw.output(2)), priority=100))
    c.send(of_raw.flow_mod(of_raw.match(of_raw.in_port(2)), of_raw.apply_actions(
        of_raw.output(1)), priority=100))
    batch = []
    for i in range(n):
        m = of_raw.match(of_raw.eth_type(0x0800), of_raw.oxm(12, struct.pack("!I",
                                                                         0x0a000000 + i)))
        batch.append(of_raw.flow_mod(m, ins, table=1, priority=10))
        if len(batch) == 2000:
            c.send(b"".join(batch))
            batch = []
            # Keep the switch's error answers (if any) from filling our buffer.
            while c.recv(0) is not None:
                pass
    c.send(b"".join(batch))
    if not c.barrier():
        print("no barrier reply after the flow-mods")
        return 1
    return 0


def noread(target, n, hold):
    c = of_raw.Conn(target)
    c.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    reqs = b"".join(mp_request(OFPMP_TABLE_FEATURES, xid=i) + mp_request(
        OFPMP_FLOW, flow_stats_body(), xid=n + i) for i in range(n))
    c.s.setblocking(False)
    sent, end = 0, time.time() + hold
    # The switch stops reading once its queue for us is full; keep pushing until then.
    while time.time() < end:
        if sent < len(reqs):
            try:
                sent += c.s.send(reqs[sent:sent + 65536])
                continue
            except BlockingIOError:
                pass
            except OSError:
                print("closed-by-switch after %d of %d bytes" % (sent, len(reqs)))
                return 0
        time.sleep(0.1)
        # Peek at the connection state without reading replies.
        try:
            if c.s.recv(1, socket.MSG_PEEK) == b"":
                print("closed-by-switch after %d of %d bytes" % (sent, len(reqs)))
                return 0
        except BlockingIOError:
            pass
        except OSError:
            print("closed-by-switch after %d of %d bytes" % (sent, len(reqs)))
            return 0
    print("held: %d of %d request bytes taken by the switch" % (sent, len(reqs)))
    return 0


def idle(target, n, hold):
    raise_nofile(n + 64)
    host, port = target.rsplit(":", 1)
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect((host, int(port)))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            continue
        socks.append(s)
    print("opened %d connections" % len(socks), flush=True)
    time.sleep(hold)
    for s in socks:
        s.close()
    return 0


def partial(target, n, hold=0):
    c = of_raw.Conn(target)
    part = b"\0" * (60 * 1024)
    errors = 0
    for x in range(n):
        for _ in range(16):
            c.send(mp_request(OFPMP_TABLE_FEATURES, part, xid=100 + x, flags=OFPMPF_MORE))
    end = time.time() + 1
    while time.time() < end:
        m = c.recv(0.2)
        if m and m[1] == of_raw.ERROR:
            errors += 1
    print("errors %d" % errors)
    if not c.echo_ok():
        print("connection lost")
        return 1
    time.sleep(hold)
    return 0


def slowdump(target, want, bps):
    c = of_raw.Conn(target)
    c.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    x = c.next_xid()
    c.send(mp_request(OFPMP_FLOW, flow_stats_body(), xid=x))
    n_flows, n_msgs, n_bytes, last = 0, 0, 0, False
    chunk = max(4096, bps // 20)
    t0 = time.time()
    buf = b""
    while not last:
        if time.time() - t0 > 120:
            print("timed out after %d flows" % n_flows)
            return 1
        c.s.settimeout(30)
        try:
            data = c.s.recv(chunk)
        except OSError as e:
            print("receive failed after %d flows: %s" % (n_flows, e))
            return 1
        if not data:
            print("disconnected by the switch after %d flows" % n_flows)
            return 1
        n_bytes += len(data)
        buf += data
        while len(buf) >= 8:
            length = struct.unpack("!H", buf[2:4])[0]
            if len(buf) < length:
                break
            m, buf = buf[:length], buf[length:]
            v, t, _, mx = struct.unpack("!BBHI", m[:8])
            if t == of_raw.ECHO_REQUEST:
                c.send(msg(of_raw.ECHO_REPLY, m[8:], mx))
                continue
            if mx != x:
                continue
            if t != of_raw.MULTIPART_REQUEST + 1:
                print("unexpected message type %d" % t)
                return 1
            n_msgs += 1
            flags = struct.unpack("!H", m[10:12])[0]
            ofs = 16
            while ofs + 2 <= len(m):
                el = struct.unpack("!H", m[ofs:ofs + 2])[0]
                if el == 0:
                    break
                n_flows += 1
                ofs += el
            last = not flags & OFPMPF_MORE
        time.sleep(len(data) / bps)
    secs = time.time() - t0
    print("dump: %d flows, %d messages, %d bytes in %.1f s" % (n_flows, n_msgs, n_bytes, secs))
    if n_flows < want:
        print("expected at least %d flows" % want)
        return 1
    return 0


def main():
    cmd, target = sys.argv[1], sys.argv[2]
    a = [int(v) for v in sys.argv[3:]]
    if cmd == "flows":
        return flows(target, a[0])
    if cmd == "noread":
        return noread(target, a[0], a[1])
    if cmd == "idle":
        return idle(target, a[0], a[1])
    if cmd == "partial":
        return partial(target, a[0], a[1] if len(a) > 1 else 0)
    if cmd == "slowdump":
        return slowdump(target, a[0], a[1])
    print(__doc__)
    return 1


if __name__ == "__main__":
    sys.exit(main())
