#!/usr/bin/python3
"""A host on a tagged trunk port, in user space (the test kernel has no 802.1Q module).

usage: faucet_trunk.py IFACE VID:IP:MAC...
Answers ARP requests and ICMP echo requests for each IP only when they arrive tagged
with its VID, and replies tagged with that VID. Runs until killed.
"""
import socket
import struct
import sys

SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main():
    iface = sys.argv[1]
    hosts = {}
    for spec in sys.argv[2:]:
        vid, ip, mac = spec.split(":", 2)
        hosts[(int(vid), socket.inet_aton(ip))] = bytes.fromhex(mac.replace(":", ""))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((iface, 0))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    while True:
        data, anc, _, _ = s.recvmsg(2048, socket.CMSG_SPACE(20))
        vid = None
        for level, kind, cdata in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA:
                status, _, _, _, _, tci, _ = struct.unpack("IIIHHHH", cdata[:20])
                if status & TP_STATUS_VLAN_VALID:
                    vid = tci & 0xFFF
        if vid is None and data[12:14] == b"\x81\x00":  # tag left in the frame
            vid = struct.unpack("!H", data[14:16])[0] & 0xFFF
            data = data[:12] + data[16:]
        if vid is None:
            continue
        src, ethertype, body = data[6:12], data[12:14], data[14:]
        tag = b"\x81\x00" + struct.pack("!H", vid)
        if ethertype == b"\x08\x06" and body[6:8] == b"\x00\x01":
            mac = hosts.get((vid, body[24:28]))
            if mac:
                arp = body[:6] + b"\x00\x02" + mac + body[24:28] + body[8:14] + body[14:18]
                s.send(src + mac + tag + b"\x08\x06" + arp)
        elif ethertype == b"\x08\x00" and body[9] == 1:
            ihl = (body[0] & 15) * 4
            mac = hosts.get((vid, body[16:20]))
            if mac and body[ihl] == 8:
                icmp = b"\x00\x00\x00\x00" + body[ihl + 4:]
                icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
                ip = bytearray(body[:ihl])
                ip[12:16], ip[16:20] = body[16:20], body[12:16]
                ip[8] = 64
                ip[10:12] = b"\0\0"
                ip[10:12] = struct.pack("!H", csum(bytes(ip)))
                s.send(src + mac + tag + b"\x08\x00" + bytes(ip) + icmp)


if __name__ == "__main__":
    main()
