#!/bin/bash
# tests/bench/pktin_storm.sh: control-path latency during a table-miss storm (not in CI).
#
# usage: pktin_storm.sh NEW_PFSWITCHD [OLD_PFSWITCHD] [--secs S] [--rates LIST]
#
# For each binary and each packet_in_rate in LIST (default "1000 0"; 0 = no limit):
# three hosts on net_af_packet ports of br0 (fail_mode secure), a controller
# (tests/integration/pktin_ctl.py: table-miss -> CONTROLLER, counts packet-ins, sends
# an ECHO every 50 ms) and a second connection on the mgmt socket (pktin_rtt.py
# --no-packet-in) that measures ECHO round trips and FLOW_MOD-to-BARRIER_REPLY times,
# first idle for S seconds (default 8), then while h1 floods table misses at full rate
# (pkt_flood.py: random unknown destination MACs). Prints per run the second
# connection's figures idle and in the storm, and the controller connection's own ECHO
# figures and packet-in count (its ECHO replies share the socket with the packet-ins).
# Needs root. Figures depend on the machine's load: compare runs made together.
set -u
BENCH=$(cd "$(dirname "$0")" && pwd)
DIR=$BENCH/../integration
NEW=$(readlink -f "${1:?usage: $0 NEW_PFSWITCHD [OLD_PFSWITCHD] [--secs S] [--rates LIST]}")
shift
OLD=
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then OLD=$(readlink -f "$1"); shift; fi
SECS=8
RATES="1000 0"
while [ $# -gt 0 ]; do
	case $1 in
	--secs) SECS=$2; shift 2 ;;
	--rates) RATES=$2; shift 2 ;;
	*) echo "unknown option $1"; exit 2 ;;
	esac
done
. "$DIR/pfs_testlib.sh"
pfs_init pktin-storm "$NEW" ethtool
pfs_hosts 3
MAC1=$(pfs_mac 1)
for i in 1 2 3; do sysctl -qw "net.ipv6.conf.pfv$i-$TAG.disable_ipv6=1"; done

run() { # LABEL BINARY RATE
	local label=$1 bin=$2 rate=$3 cport=$((30000 + (TAG + RANDOM) % 20000)) ctl flood idle storm
	PFSWITCHD=$bin
	pfs_config "$TMP/b.ini" "fail_mode = secure
controller = tcp:127.0.0.1:$cport
packet_in_rate = $rate"
	rm -f "$TMP/ctl.status"
	pfs_bg /usr/bin/python3 "$DIR/pktin_ctl.py" --port "$cport" --status "$TMP/ctl.status" --echo-ms 50
	ctl=$BGPID
	sleep 0.5
	pfs_start "$TMP/b.ini"
	pfs_wait 20 grep -q "flows_installed 1" "$TMP/ctl.status"
	idle=$(/usr/bin/python3 "$BENCH/pktin_rtt.py" --no-packet-in "$RUN/br0.mgmt" "$SECS")
	cp "$TMP/ctl.status" "$TMP/ctl.idle"
	pfs_bg ip netns exec "$NS1" /usr/bin/python3 "$DIR/pkt_flood.py" eth0 $((SECS + 4)) dst "$MAC1"
	flood=$BGPID
	sleep 2
	storm=$(/usr/bin/python3 "$BENCH/pktin_rtt.py" --no-packet-in "$RUN/br0.mgmt" "$SECS")
	kill "$flood" "$ctl" 2>/dev/null
	pfs_stop_within 10 || { kill -9 "$PID"; PID=; }
	printf '%-4s rate=%-5s idle:  %s\n' "$label" "$rate" "$idle"
	printf '%-4s rate=%-5s storm: %s\n' "$label" "$rate" "$storm"
	# pktin_ctl's echo line is cumulative: N MAX P99 LOST over idle + storm.
	printf '%-4s rate=%-5s controller conn: packet-ins %s; ECHO (idle+storm) n/max/p99/lost %s\n' \
		"$label" "$rate" "$(awk '$1 == "pin" {s += $3} END {print s + 0}' "$TMP/ctl.status")" \
		"$(awk '$1 == "echo" {print $2 "/" $3 "/" $4 "/" $5}' "$TMP/ctl.status")"
}

for rate in $RATES; do
	run new "$NEW" "$rate"
	[ -n "$OLD" ] && run old "$OLD" "$rate"
done
exit 0
