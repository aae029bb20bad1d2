#!/bin/bash
# Packet capture with dpdk-dumpcap: pfswitchd runs with the EAL's shared configuration on
# hugepages and a file prefix, dumpcap attaches as a secondary process and captures ICMP
# on a port (rx and tx, with a filter) into pcapng, which tshark reads back. The daemon
# keeps forwarding after dumpcap exits.
# Needs root, 2 MiB hugepages (reserved here, 128 pages, given back at exit), hugetlbfs,
# dpdk-dumpcap and tshark; skips (77) without them.
# Usage: capture.sh PATH/TO/pfswitchd
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
pfs_init capture "$1" dpdk-dumpcap tshark mount umount

PREFIX=pfscap$TAG
NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
ADDED=0
HUGE=
# The EAL leaves its hugepage files behind; remove them before unmounting: a mount
# namespace created meanwhile (ip netns exec, by any test) holds a copy of the mount, and
# the pages stay in use while their files exist. Give back only the pages added here.
cap_cleanup() {
	pfs_cleanup
	if [ -n "$HUGE" ]; then
		rm -f "$HUGE"/*
		umount "$HUGE" 2>/dev/null
		rmdir "$HUGE"
	fi
	if [ "$ADDED" -gt 0 ]; then
		local cur
		cur=$(cat "$NR")
		echo $((cur > ADDED ? cur - ADDED : 0)) >"$NR"
	fi
	rm -rf "/var/run/dpdk/$PREFIX"
}
trap cap_cleanup EXIT

[ -w "$NR" ] || pfs_skip "no 2 MiB hugepages ($NR)"
HUGE_ORIG=$(cat "$NR")
free0=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
echo $((HUGE_ORIG + 128)) >"$NR"
ADDED=$(($(cat "$NR") - HUGE_ORIG))
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "$free" -ge $((free0 + 100)) ] || pfs_skip "could not reserve hugepages ($free free)"
HUGE=$(mktemp -d /tmp/pfs-huge.XXXXXX)
mount -t hugetlbfs -o pagesize=2M nodev "$HUGE" || { rmdir "$HUGE"; HUGE=; pfs_skip "cannot mount hugetlbfs"; }

pfs_hosts 2
pfs_config "$TMP/sw.ini" "fail_mode = standalone"
# Multi-process EAL: no --no-shconf/--no-huge; hugepages from our mount, our own prefix.
# A secondary maps the primary's memory at the same addresses. The EAL's default base
# (4 GiB) lies in AddressSanitizer's shadow, so an ASan build would map it wherever mmap
# puts it, where dumpcap may have libraries: give it a base both leave free.
BASE=
ldd "$PFSWITCHD" | grep -q libasan && BASE=--base-virtaddr=0x500000000000
sed -i "s|^eal = .*|eal = -l 0-1 --no-pci --log-level=lib.eal:error -m 256 --huge-dir=$HUGE --file-prefix=$PREFIX $BASE|" "$TMP/sw.ini"
pfs_start "$TMP/sw.ini"
check "log: packet capture on" grep -q "packet capture on" "$TMP/daemon.log"
check "learning switch forwards" pfs_ping 1 2 2

# capture N IFACE OUT: dumpcap on IFACE (name or port index) with an ICMP filter, N packets,
# while h1 pings h2; true if dumpcap stopped by itself.
capture() {
	local n=$1 ifc=$2 out=$3 ping
	timeout 40 dpdk-dumpcap --file-prefix="$PREFIX" -i "$ifc" -f icmp -w "$out" -c "$n" \
		>"$TMP/dumpcap.log" 2>&1 &
	local dc=$!
	ip netns exec "$NS1" ping -q -i 0.2 -c 150 "$(pfs_ip 2)" >/dev/null 2>&1 &
	ping=$!
	wait "$dc"
	local rc=$?
	kill "$ping" 2>/dev/null
	wait "$ping" 2>/dev/null
	[ $rc = 0 ] || { echo "dumpcap exit $rc"; cat "$TMP/dumpcap.log"; }
	return $rc
}
# types FILE: ICMP types and directions (1 in, 2 out) of FILE's packets, "type/dir" per line
types() { tshark -r "$1" -T fields -e icmp.type -e frame.packet_flags_direction 2>/dev/null | tr '\t' /; }

check "dumpcap -i net_af_packet0 -f icmp -c 10 (port p1)" capture 10 net_af_packet0 "$TMP/p1.pcapng"
types "$TMP/p1.pcapng" >"$TMP/p1.types"
sed 's/^/    /' "$TMP/p1.types" | sort | uniq -c
check "p1: 10 packets, all ICMP" test "$(grep -c '^[0-9]' "$TMP/p1.types")/$(wc -l <"$TMP/p1.types")" = 10/10
check "p1: echo requests received (rx)" grep -qx '8/0x00000001' "$TMP/p1.types"
check "p1: echo replies sent (tx)" grep -qx '0/0x00000002' "$TMP/p1.types"
check "daemon alive after dumpcap exits" kill -0 "$PID"
check "forwarding after the capture" pfs_ping 1 2 3

check "dumpcap -i 1 -c 6 (port p2 by index)" capture 6 1 "$TMP/p2.pcapng"
types "$TMP/p2.pcapng" >"$TMP/p2.types"
check "p2: requests sent, replies received" sh -c "grep -qx '8/0x00000002' $TMP/p2.types && grep -qx '0/0x00000001' $TMP/p2.types"
check "tshark reads the pcapng" sh -c "tshark -r $TMP/p2.pcapng | grep -q 'Echo (ping) request'"
check "daemon alive after the second capture" kill -0 "$PID"
check "forwarding after the second capture" pfs_ping 1 2 3
# Stopped from outside (Ctrl-C): dumpcap turns capture off, so the port captures again.
timeout 40 dpdk-dumpcap --file-prefix="$PREFIX" -i net_af_packet0 -w "$TMP/int.pcapng" \
	>"$TMP/dumpcap.log" 2>&1 &
DC=$!
sleep 4
kill -INT "$DC"
check "dumpcap stops on SIGINT" wait "$DC"
check "p1 captures again after that" capture 4 net_af_packet0 "$TMP/again.pcapng"
check "daemon alive after the third capture" kill -0 "$PID"
check "stops cleanly" pfs_stop_within 10
pfs_done
