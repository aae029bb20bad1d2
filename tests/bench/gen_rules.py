#!/usr/bin/python3
"""Rule sets and matching traffic for the pfswitch benchmarks (tests/bench/run.sh).

One source for both switches: the rules come out in ovs-ofctl flow syntax, loaded with
`ovs-ofctl -O OpenFlow13 add-flows` into Open vSwitch and with `pfs-ofctl add-flows`
into pfswitchd, and the pfs-pktgen arguments that produce the matching traffic come
from the same parameters, so rules and flows cannot drift apart.

    gen_rules.py rules SCENARIO [--n N]     rule set on stdout, one flow per line
    gen_rules.py pktgen SCENARIO [--n N]    pfs-pktgen flow arguments on one line
    gen_rules.py describe SCENARIO [--n N]  one line saying what the set is

SCENARIO (N is the size knob each one documents):
  s0          no rules (bare forwarder); traffic: N flows (default 1)
  s1          in_port=1,actions=output:2; traffic: N flows (default 1)
  s2          N exact 5-tuple rules (udp src/dst IP and ports) -> output:2; N flows,
              one per rule (default 10000)
  s3          1000 rules on 20 masks (nw_dst exact, nw_src prefixes /3../22);
              N flows spread over all rules (default 1000000)
  s4          mask explosion: a few overlapping drop rules on tp_dst, tp_src, nw_src,
              nw_dst and nw_tos over a catch-all output:2; N flows with every field
              hashed over its whole range (default 100000). Open vSwitch derives a
              megaflow mask per combination of the prefix lengths it had to look at,
              so it ends with hundreds of masks.
  s5          4-table pipeline: ACL (table 0) -> L2 (1) -> L3 with set_field and dec_ttl
              over 64 routes of 3 prefix lengths (2) -> output by next-hop MAC (3);
              N flows (default 10000)
  s6          the s2 set, sent as flow-mods by ofclient.py (flow setup)
  s7          table-miss to the controller (packet-in); N flows (default 1)
  s8          the s2 set; ofclient.py churns it (modify/add/delete)
  s10         a Faucet-shaped L2 pipeline: what Faucet installs for one VLAN (100) on
              two untagged ports with 1000 learned hosts, in Faucet's table order:
              vlan (0: in_port/VLAN classification, push_vlan), vlan_acl (1) and
              classification (2) with only their "goto next" defaults, eth_src (3:
              in_port+VLAN+eth_src per learned host), eth_dst_hairpin (4, default
              only), eth_dst (5: VLAN+eth_dst per host, pop_vlan + output), egress_acl
              (6, default only), flood (7); N flows between two of the hosts
              (default 10000)
  s9          Tuple Space Explosion (Csikor et al., CoNEXT'19; CVE-2019-25076): an
              allow-some/deny-rest ACL of 40 UDP rules over IPv4 source/destination
              prefixes and exact ports, N legitimate flows that one allow rule
              takes (default 10000), plus 1% attack packets of random addresses and
              ports (pfs-pktgen --attack-pct 1), which the deny-rest rule drops
  s9clean     the s9 rules and legitimate flows without the attack packets: the
              baseline s9 is compared with (legitimate throughput in % of it)

Traffic layout of pfs-pktgen: flow i takes the source IP, destination IP, source port,
destination port from i in mixed radix (source IP fastest), see pfs-pktgen --help.
"""
import argparse
import ipaddress
import sys

SRC_BASE = int(ipaddress.IPv4Address("10.0.0.0"))
DST_IP = "10.1.0.1"
SPORT_BASE = 1024
DPORT = 80
S2_SRC_IPS = 1000  # source addresses per source port in s2

ROUTER_MAC = "02:00:00:00:00:02"  # pfs-pktgen's default destination MAC
NEXTHOP_MAC = "02:00:00:00:02:01"
OUR_MAC = "02:00:00:00:01:fe"

DEFAULT_N = {"s0": 1, "s1": 1, "s2": 10000, "s3": 1000000, "s4": 100000, "s5": 10000,
             "s6": 100000, "s7": 1, "s8": 10000, "s10": 10000}


def ip(v):
    return str(ipaddress.IPv4Address(v))


def src_range(n_src):
    return "%s-%s" % (ip(SRC_BASE), ip(SRC_BASE + n_src - 1))


def s2_layout(n):
    """(source IPs, source ports) of the s2 flow space holding n flows."""
    n_src = min(n, S2_SRC_IPS)
    n_sport = (n + n_src - 1) // n_src
    return n_src, n_sport


def s2_tuples(n):
    """The n 5-tuples of s2 in pfs-pktgen's order: (src ip, dst ip, sport, dport)."""
    n_src, _ = s2_layout(n)
    for i in range(n):
        yield ip(SRC_BASE + i % n_src), DST_IP, SPORT_BASE + i // n_src, DPORT


def rules_s1(n):
    return ["in_port=1,actions=output:2"]


def rules_s2(n):
    return ["priority=100,udp,nw_src=%s,nw_dst=%s,tp_src=%d,tp_dst=%d,actions=output:2" % t
            for t in s2_tuples(n)]


S3_RULES = 1000
S3_MASKS = 20
S3_SRC = int(ipaddress.IPv4Address("20.0.0.0"))
S3_DST = int(ipaddress.IPv4Address("11.0.0.0"))


def rules_s3(n):
    out = []
    for k in range(S3_RULES):
        plen = 3 + k % S3_MASKS  # /3 .. /22: all hold 20.0.0.0-20.0.3.231
        net = ipaddress.IPv4Network((S3_SRC, plen), strict=False)
        out.append("priority=100,ip,nw_dst=%s,nw_src=%s,actions=output:2"
                   % (ip(S3_DST + k), net.with_prefixlen))
    return out


def rules_s4(n):
    return [
        "priority=200,udp,tp_dst=53,actions=drop",
        "priority=190,udp,tp_src=123,actions=drop",
        "priority=180,ip,nw_src=172.16.5.5,actions=drop",
        "priority=170,ip,nw_dst=192.168.7.7,actions=drop",
        "priority=160,ip,nw_tos=32,actions=drop",
        "priority=150,udp,nw_src=10.10.10.10,tp_dst=8080,actions=drop",
        "priority=1,actions=output:2",
    ]


S5_ROUTES = 64


def rules_s5(n):
    out = [
        # table 0: ACL
        "table=0,priority=300,ip,nw_src=10.0.99.0/24,actions=drop",
        "table=0,priority=290,udp,tp_dst=23,actions=drop",
        "table=0,priority=280,tcp,tp_dst=23,actions=drop",
        "table=0,priority=0,actions=goto_table:1",
        # table 1: L2, packets for the router MAC go to L3
        "table=1,priority=100,dl_dst=%s,actions=goto_table:2" % ROUTER_MAC,
        # table 3: output by next-hop MAC
        "table=3,priority=100,dl_dst=%s,actions=output:2" % NEXTHOP_MAC,
    ]
    # table 2: routes of three prefix lengths; the traffic's 10.1.0.1 hits a /16.
    l3 = "set_field:%s->eth_src,set_field:%s->eth_dst,dec_ttl,goto_table:3" % (
        OUR_MAC, NEXTHOP_MAC)
    for r in range(S5_ROUTES):
        plen = (24, 16, 8)[r % 3]
        base = (10 + r) << 24 if plen == 8 else (10 << 24 | r << 16) if plen == 16 \
            else (10 << 24 | 200 << 16 | r << 8)
        net = ipaddress.IPv4Network((base, plen), strict=False)
        out.append("table=2,priority=%d,ip,nw_dst=%s,actions=%s"
                   % (plen, net.with_prefixlen, l3))
    return out


def rules_s7(n):
    return ["priority=0,actions=CONTROLLER:65535"]


S10_HOSTS = 1000
S10_VID = 0x1000 | 100  # OFPVID_PRESENT | VLAN 100


def s10_host(i):
    """(MAC, port) of learned host i: hosts 0 and 1 are pfs-pktgen's source and
    destination (port 1 -> port 2), the rest alternate over the two ports."""
    if i < 2:
        return "02:00:00:00:00:%02x" % (i + 1), i + 1
    return "0e:00:00:00:%02x:%02x" % (i >> 8, i & 0xff), 1 + i % 2


def rules_s10(n):
    vid = S10_VID
    out = [
        # vlan: drop IEEE 802.1D/LLDP reserved addresses; untagged on ports 1 and 2 -> VLAN 100
        "table=0,priority=9001,dl_dst=01:80:c2:00:00:00/ff:ff:ff:ff:ff:f0,actions=drop",
        "table=0,priority=0,actions=drop",
    ]
    for p in (1, 2):
        out.append("table=0,priority=9000,in_port=%d,vlan_vid=0,actions=push_vlan:0x8100,"
                   "set_field:%d->vlan_vid,goto_table:1" % (p, vid))
    out += [
        "table=1,priority=0,actions=goto_table:2",   # vlan_acl: no ACL
        "table=2,priority=0,actions=goto_table:3",   # classification: no routing
        # eth_src: multicast sources dropped; unknown sources go on (Faucet also sends
        # them to the controller to learn: not here, every host is learned)
        "table=3,priority=9099,dl_src=01:00:00:00:00:00/01:00:00:00:00:00,actions=drop",
        "table=3,priority=0,actions=goto_table:4",
        "table=4,priority=0,actions=goto_table:5",   # eth_dst_hairpin: none
        "table=5,priority=0,actions=goto_table:6",   # eth_dst: unknown -> flood
        "table=6,priority=0,actions=goto_table:7",   # egress_acl: no ACL
        "table=7,priority=0,actions=drop",
    ]
    for i in range(S10_HOSTS):
        mac, port = s10_host(i)
        out.append("table=3,priority=8191,in_port=%d,vlan_vid=%d,dl_src=%s,"
                   "actions=goto_table:4" % (port, vid, mac))
        out.append("table=5,priority=8192,vlan_vid=%d,dl_dst=%s,actions=pop_vlan,output:%d"
                   % (vid, mac, port))
    for p, q in ((1, 2), (2, 1)):
        out.append("table=7,priority=9004,in_port=%d,vlan_vid=%d,dl_dst=ff:ff:ff:ff:ff:ff,"
                   "actions=pop_vlan,output:%d" % (p, vid, q))
        out.append("table=7,priority=9000,in_port=%d,vlan_vid=%d,actions=pop_vlan,output:%d"
                   % (p, vid, q))
    return out


# ---- S9: Tuple Space Explosion -------------------------------------------------------
# The ACL allows a few dozen UDP services and denies the rest; the legitimate traffic is
# the s1 layout (UDP 10.0.x.y -> 10.1.0.1:80), which the first rule allows. The other
# allow rules match exact ports under no or short source prefixes, so a random packet
# gets past the addresses and fails on the ports: Open vSwitch then un-wildcards the port
# bits up to the first one that differs (its ports trie) and the source prefix bits its
# prefix trie looked at, so random headers make a megaflow mask per combination of those
# lengths, and every legitimate packet probes all the masks.
S9_ATTACK_PCT = 1


def rules_s9(n):
    out = ["priority=1000,udp,nw_src=10.0.0.0/16,nw_dst=10.1.0.0/24,tp_dst=80,"
           "actions=output:2"]
    for i in range(38):
        dport = 1 + (i * 1733) % 65535
        if i % 3 == 0:
            match = "tp_dst=%d" % dport
        elif i % 3 == 1:
            match = "tp_src=%d,tp_dst=%d" % (1 + (i * 4099) % 65535, dport)
        else:
            plen = 1 + i % 4
            net = ipaddress.IPv4Network(((i * 0x9e3779b1) & 0xffffffff, plen), strict=False)
            match = "nw_src=%s,tp_dst=%d" % (net.with_prefixlen, dport)
        out.append("priority=%d,udp,%s,actions=output:2" % (900 - i, match))
    out.append("priority=0,actions=drop")
    return out


RULES_S9 = {"s9": rules_s9, "s9clean": rules_s9}
DEFAULT_N.update({"s9": 10000, "s9clean": 10000})


RULES = {"s0": lambda n: [], "s1": rules_s1, "s2": rules_s2, "s3": rules_s3,
         "s4": rules_s4, "s5": rules_s5, "s6": rules_s2, "s7": rules_s7, "s8": rules_s2,
         "s10": rules_s10}
RULES.update(RULES_S9)


def pktgen_args(scen, n):
    if scen in ("s9", "s9clean"):
        args = pktgen_args("s1", n)
        return args + ["--attack-pct", str(S9_ATTACK_PCT)] if scen == "s9" else args
    if scen in ("s0", "s1", "s5", "s7", "s10"):
        n_src = min(n, 1000)
        n_sport = (n + n_src - 1) // n_src
        return ["--src-ip", src_range(n_src), "--dst-ip", DST_IP,
                "--sport", "%d-%d" % (SPORT_BASE, SPORT_BASE + n_sport - 1),
                "--dport", str(DPORT), "--flows", str(n)]
    if scen in ("s2", "s6", "s8"):
        n_src, n_sport = s2_layout(n)
        return ["--src-ip", src_range(n_src), "--dst-ip", DST_IP,
                "--sport", "%d-%d" % (SPORT_BASE, SPORT_BASE + n_sport - 1),
                "--dport", str(DPORT), "--flows", str(n)]
    if scen == "s3":
        # Every rule (destination) gets as many sources as n allows; the flow count
        # is the whole product, so the radix order does not matter.
        n_src = max(1, min(1000, n // S3_RULES))
        return ["--dst-ip", "%s-%s" % (ip(S3_DST), ip(S3_DST + S3_RULES - 1)),
                "--src-ip", "%s-%s" % (ip(S3_SRC), ip(S3_SRC + n_src - 1)),
                "--sport", str(SPORT_BASE), "--dport", str(DPORT),
                "--flows", str(n_src * S3_RULES)]
    if scen == "s4":
        return ["--src-ip", "1.0.0.0-223.255.255.255", "--dst-ip", "1.0.0.0-223.255.255.255",
                "--sport", "1-65535", "--dport", "1-65535", "--scatter", "--flows", str(n)]
    raise ValueError(scen)


def describe(scen, n):
    rules = RULES[scen](n)
    tables = sorted({int(r.split(",")[0][6:]) if r.startswith("table=") else 0
                     for r in rules}) if rules else []
    return "%s: %d rules in %d table(s), %d flows" % (scen, len(rules), len(tables),
                                                      n if scen != "s3" else
                                                      max(1, min(1000, n // S3_RULES)) *
                                                      S3_RULES)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=("rules", "pktgen", "describe"))
    ap.add_argument("scenario", choices=sorted(RULES))
    ap.add_argument("--n", type=int, help="size knob (see the scenario list)")
    a = ap.parse_args()
    n = a.n if a.n else DEFAULT_N[a.scenario]
    if a.what == "rules":
        sys.stdout.write("".join(r + "\n" for r in RULES[a.scenario](n)))
    elif a.what == "pktgen":
        print(" ".join(pktgen_args(a.scenario, n)))
    else:
        print(describe(a.scenario, n))


if __name__ == "__main__":
    main()
