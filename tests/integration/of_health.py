#!/usr/bin/python3
"""Liveness probe for the hostile tests: a fresh OpenFlow connection must get its HELLO and an
ECHO_REPLY within a deadline.

    of_health.py TARGET [SECS]     TARGET: a unix socket path or HOST:PORT; SECS default 1

Exit 0 and "echo-ok RTT_MS" when the reply came in time, 1 with the reason otherwise.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import of_raw  # noqa: E402


def main():
    target = sys.argv[1]
    secs = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    start = time.time()
    try:
        c = of_raw.Conn(target)
    except OSError as e:
        print("connect failed: %s" % e)
        return 1
    if c.hello is None:
        print("no HELLO")
        return 1
    x = c.next_xid()
    c.send(of_raw.msg(of_raw.ECHO_REQUEST, b"health", x))
    r = c.recv_type(of_raw.ECHO_REPLY, max(0.0, secs - (time.time() - start)), xid=x)
    rtt = (time.time() - start) * 1000
    c.close()
    if r is None or rtt > secs * 1000:
        print("no ECHO_REPLY within %.1f s (%.0f ms)" % (secs, rtt))
        return 1
    print("echo-ok %.1f" % rtt)
    return 0


if __name__ == "__main__":
    sys.exit(main())
