#!/bin/bash
# tests/bench/pktin_storm.sh: control-path latency during a table-miss storm (not in CI).
#
# usage: pktin_storm.sh NEW_PFSWITCHD [OLD_PFSWITCHD] [--secs S] [--rates LIST]
#
# For each binary and each packet_in_rate in LIST (default "1000 0"; 0 = no limit):
# three hosts on net_af_packet ports of br0 (fail_mode secure), a controller
# (tests/integration/pktin_ctl.py: table-miss -> CONTROLLER, counts packet-ins) and a
# second connection on the mgmt socket (pktin_rtt.py) that measures ECHO round trips and
# FLOW_MOD-to-BARRIER_REPLY times, first idle for S seconds (default 8), then while h1
# floods table misses at full rate (pkt_flood.py: random unknown destination MACs).
# Prints one line per run; needs root. Figures depend on the machine's load: compare
# runs made together.
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
	pfs_bg /usr/bin/python3 "$DIR/pktin_ctl.py" --port "$cport" --status "$TMP/ctl.status" --echo-ms 1000
	ctl=$BGPID
	sleep 0.5
	pfs_start "$TMP/b.ini"
	pfs_wait 20 grep -q "flows_installed 1" "$TMP/ctl.status"
	idle=$(/usr/bin/python3 "$BENCH/pktin_rtt.py" "$RUN/br0.mgmt" "$SECS")
	pfs_bg ip netns exec "$NS1" /usr/bin/python3 "$DIR/pkt_flood.py" eth0 $((SECS + 4)) dst "$MAC1"
	flood=$BGPID
	sleep 2
	storm=$(/usr/bin/python3 "$BENCH/pktin_rtt.py" "$RUN/br0.mgmt" "$SECS")
	kill "$flood" "$ctl" 2>/dev/null
	pfs_stop_within 10 || { kill -9 "$PID"; PID=; }
	printf '%-4s rate=%-5s idle:  %s\n' "$label" "$rate" "$idle"
	printf '%-4s rate=%-5s storm: %s   controller %s\n' "$label" "$rate" "$storm" \
		"$(grep '^pin ' "$TMP/ctl.status" | tr '\n' ' ')"
}

for rate in $RATES; do
	run new "$NEW" "$rate"
	[ -n "$OLD" ] && run old "$OLD" "$rate"
done
exit 0
