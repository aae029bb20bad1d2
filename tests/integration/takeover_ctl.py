#!/usr/bin/python3
"""A minimal OpenFlow 1.3 controller for tests/integration/takeover.sh: listens on
127.0.0.1:PORT, says HELLO to every switch connection, answers ECHO_REQUEST, and logs
"connect T" / "close T" lines (T: time.time()) to LOG, so the test sees how soon the
new pfswitchd connects after a takeover.

    takeover_ctl.py PORT LOG
"""
import select
import socket
import struct
import sys
import time


def main():
    port, log = int(sys.argv[1]), open(sys.argv[2], "a", buffering=1)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(8)
    conns = {}
    while True:
        r, _, _ = select.select([ls] + list(conns), [], [], 1.0)
        for s in r:
            if s is ls:
                c, _ = ls.accept()
                conns[c] = b""
                c.sendall(struct.pack("!BBHI", 4, 0, 8, 1))  # HELLO
                log.write("connect %.6f\n" % time.time())
                continue
            try:
                data = s.recv(65536)
            except OSError:  # reset by a switch that exits
                data = b""
            if not data:
                log.write("close %.6f\n" % time.time())
                del conns[s]
                s.close()
                continue
            buf = conns[s] + data
            while len(buf) >= 8:
                ver, typ, length, xid = struct.unpack("!BBHI", buf[:8])
                if len(buf) < length:
                    break
                if typ == 2:  # ECHO_REQUEST -> ECHO_REPLY
                    try:
                        s.sendall(struct.pack("!BBHI", 4, 3, length, xid) + buf[8:length])
                    except OSError:
                        pass
                buf = buf[length:]
            conns[s] = buf


if __name__ == "__main__":
    main()
