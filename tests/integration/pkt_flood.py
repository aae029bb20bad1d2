#!/usr/bin/python3
"""Frame flooder for the hostile tests: sends prebuilt Ethernet frames on one interface
as fast as a raw socket takes them.

    pkt_flood.py IFACE SECS MODE [SRC_MAC]

MODE dst: unicast frames from SRC_MAC to random unknown destination MACs (every frame a
          table miss on a switch that has no flow for them);
     src: frames from random (unicast, locally administered) source MACs to random
          destinations (a MAC-learning flood: every frame a new address).
Each run draws 65536 distinct addresses; the frames are 60-byte IPv4/UDP. Prints
"sent N in T s" at the end. Standard library only.
"""
import os
import socket
import struct
import sys
import time


def rand_mac(rnd):
    b = bytearray(rnd)
    b[0] = (b[0] & 0xfc) | 0x02  # unicast, locally administered
    return bytes(b)


def main():
    iface, secs, mode = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    src = bytes.fromhex(sys.argv[4].replace(":", "")) if len(sys.argv) > 4 else b"\x02\x00\x00\x00\x00\x01"
    payload = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 46, 0, 0, 64, 17, 0,
                          b"\x0a\xfe\x00\x01", b"\x0a\xfe\x00\x02")
    payload += struct.pack("!HHHH", 9, 9, 26, 0) + bytes(18)
    rnd = os.urandom(65536 * 12)
    frames = []
    for i in range(65536):
        dst = rand_mac(rnd[i * 12:i * 12 + 6])
        s = rand_mac(rnd[i * 12 + 6:i * 12 + 12]) if mode == "src" else src
        frames.append(dst + s + b"\x08\x00" + payload)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
    send = s.send
    n = 0
    start = time.time()
    end = start + secs
    while time.time() < end:
        for f in frames[(n & 0xffff):(n & 0xffff) + 1024]:
            try:
                send(f)
            except OSError:
                pass
        n += 1024
    print("sent %d in %.1f s" % (n, time.time() - start), flush=True)


if __name__ == "__main__":
    main()
