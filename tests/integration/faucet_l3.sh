#!/bin/bash
# Faucet (../shared/faucet) routes between two VLANs on pfswitchd: h1, h2 in VLAN 100
# (10.N.1.0/24, fc00:N:1::/64), h3, h4 in VLAN 200 (10.N.2.0/24, fc00:N:2::/64); one
# router with faucet_vips .254 / ::254 on each VLAN (hardware $FAUCET_HW).
# Checks, for IPv4 and IPv6: the router answers ARP/ND for its VIP with its faucet_mac and
# answers pings to it; hosts reach each other across the VLANs (ping and TCP); the TTL /
# hop limit is decremented once; the routed packet arrives with the router's MAC as source
# and the host's MAC as destination. Faucet logs no OFPT_ERROR.
# usage: faucet_l3.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failure, 77 skipped (not root, no ../shared/faucet, tools missing).
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
. "$DIR/faucet_lib.sh"
OFCTL=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd PATH/TO/pfs-ofctl}")
pfs_init faucet-l3 "$1" tcpdump ethtool
faucet_init
faucet_ports
T0=$SECONDS
MAC100=0e:00:00:00:01:01
MAC200=0e:00:00:00:02:01

pfs_hosts 4
faucet_switch_config "$TMP/sw.ini"
# host I in VLAN V (1 or 2): 10.N.V.I/24 and fc00:N:V::I/64, default routes via the VIPs
for i in 1 2 3 4; do
	v=$(((i + 1) / 2))
	ns=pfsh$i-$TAG
	ip -n "$ns" addr flush dev eth0
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.eth0.disable_ipv6=0 \
		net.ipv6.conf.eth0.accept_dad=0 net.ipv6.conf.eth0.accept_ra=0
	ip -n "$ns" addr add "10.$NET.$v.$i/24" dev eth0
	ip -n "$ns" addr add "fc00:$NET:$v::$i/64" dev eth0 nodad
	ip -n "$ns" route add default via "10.$NET.$v.254"
	ip -n "$ns" -6 route add default via "fc00:$NET:$v::254"
done
cat >"$TMP/l3.yaml" <<EOY
vlans:
    v100:
        vid: 100
        faucet_mac: "$MAC100"
        faucet_vips: ["10.$NET.1.254/24", "fc00:$NET:1::254/64", "fe80::c00:ff:fe00:101/64"]
    v200:
        vid: 200
        faucet_mac: "$MAC200"
        faucet_vips: ["10.$NET.2.254/24", "fc00:$NET:2::254/64", "fe80::c00:ff:fe00:201/64"]
routers:
    r1:
        vlans: [v100, v200]
$(faucet_dp)
            1: {native_vlan: v100}
            2: {native_vlan: v100}
            3: {native_vlan: v200}
            4: {native_vlan: v200}
EOY
pfs_start "$TMP/sw.ini"
faucet_up l3 "$TMP/l3.yaml" || pfs_done

# ping6/ping from host I to IP, COUNT; prints the output
pingx() { ip netns exec "pfsh$1-$TAG" ping -c "${3:-2}" -i 0.2 -W 2 "$2" 2>&1; }
ping_ok() { pingx "$@" | grep -q " 0% packet loss"; }
neigh_mac() { ip -n "pfsh$1-$TAG" neigh show "$2" | grep -o "lladdr [0-9a-f:]*" | cut -d' ' -f2; }

for fam in 4 6; do
	if [ $fam = 4 ]; then vip1=10.$NET.1.254 vip2=10.$NET.2.254 a1=10.$NET.1.1 a3=10.$NET.2.3 a4=10.$NET.2.4 a2=10.$NET.1.2
	else vip1=fc00:$NET:1::254 vip2=fc00:$NET:2::254 a1=fc00:$NET:1::1 a3=fc00:$NET:2::3 a4=fc00:$NET:2::4 a2=fc00:$NET:1::2; fi
	p=IPv$fam
	check "$p: h1 pings the router's VIP $vip1" pfs_wait 15 ping_ok 1 "$vip1" 1
	m=$(neigh_mac 1 "$vip1")
	[ "$m" = "$MAC100" ] && pass "$p: router answered ARP/ND for $vip1 with $MAC100" ||
		fail "$p: h1's neighbour entry for $vip1 is '${m:-none}'"
	check "$p: h3 pings the router's VIP $vip2" pfs_wait 15 ping_ok 3 "$vip2" 1
	# routed: the first packets may be spent while Faucet resolves the next hop
	check "$p: h1 -> h3 routed" pfs_wait 20 ping_ok 1 "$a3" 1
	check "$p: h4 -> h2 routed" pfs_wait 20 ping_ok 4 "$a2" 1
	ttl=$(pingx 1 "$a3" 1 | sed -n 's/.*ttl=\([0-9]*\).*/\1/p')
	[ "$ttl" = 63 ] && pass "$p: TTL/hop limit decremented once (reply ttl=$ttl)" ||
		fail "$p: reply ttl=${ttl:-none} (want 63)"
	faucet_capture 3 eth0 "icmp or icmp6"
	pingx 1 "$a3" 3 >/dev/null
	m3=$(pfs_mac 3)
	n=$(faucet_captured 3 "ether src $MAC200 and ether dst $m3 and src host $a1 and dst host $a3" 3)
	[ "$n" -ge 3 ] && pass "$p: routed packets reach h3 from $MAC200 to its MAC ($n)" ||
		{ fail "$p: $n routed packets at h3 with rewritten MACs"; tcpdump -nn -e -r "$TMP/cap3.pcap" 2>/dev/null | head -5; }
	faucet_tcp_server 4 $((7000 + fam)) "$([ $fam = 6 ] && echo :: || echo 0.0.0.0)"
	check "$p: TCP h2 -> h4 across VLANs" faucet_tcp 2 "$a4" $((7000 + fam))
done
faucet_flows >"$TMP/flows.txt"
n4=$(grep -c "nw_dst=10.$NET" "$TMP/flows.txt")
n6=$(grep -c "ipv6_dst=fc00" "$TMP/flows.txt")
echo "   FIB flows: IPv4 $n4, IPv6 $n6"
[ "$n4" -ge 4 ] && [ "$n6" -ge 4 ] && pass "routes installed: $n4 IPv4, $n6 IPv6 FIB flows" ||
	fail "FIB flows: IPv4 $n4, IPv6 $n6"
faucet_no_errors "routing" l3
echo "   run time $((SECONDS - T0)) s"
pfs_done
