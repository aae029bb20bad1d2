#!/usr/bin/env bash
# The pfswitch fabric demo: a leaf-spine network of five pfswitchd bridges (spines sp1,
# sp2; leaves lf1, lf2, lf3; every spine wired to every leaf by a veth pair) with two
# hosts per leaf in network namespaces, all driven by one Faucet controller as a stack
# (sp1 the root, links verified by LLDP, loop-free flooding). It shows the hosts pinging
# across the leaves, then cuts the spine link in use during a ping flood and prints the
# loss and the time traffic took to come back over the other spine.
#
#   tools/fabric-demo.sh [--stay]
#
# --stay keeps the fabric up until Ctrl-C (the default on a terminal) so you can try
# `ip netns exec fab11-PID ping 10.N.0.32` or `build/tools/pfs-ofctl --rundir DIR
# dump-flows lf1` (the exact commands are printed). Everything is torn down on exit, on
# Ctrl-C and on failure. Needs root, a built tree (ninja -C build) and Faucet
# (../shared/faucet, see tests/integration/faucet_lib.sh).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
stay=
[ -t 0 ] && [ -t 1 ] && stay=1
while [ $# -gt 0 ]; do
	case $1 in
	--stay) stay=1 ;;
	--no-stay) stay= ;;
	-h | --help) sed -n '2,15p' "$0"; exit 0 ;;
	*) echo "fabric-demo: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
lib=$top/tests/integration
. "$lib/pfs_testlib.sh"
. "$lib/faucet_lib.sh"
. "$lib/fabric_lib.sh"
[ -x "$top/build/tools/pfswitchd" ] || { echo "fabric-demo: build first (ninja -C build)" >&2; exit 1; }
pfs_init fabric-demo "$top/build/tools/pfswitchd" ethtool ss
faucet_init
say() { printf '\n== %s\n' "$*"; }

CP=$((30000 + TAG % 20000))
say "building the fabric: hosts h11 h12 (lf1), h21 h22 (lf2), h31 h32 (lf3); spines sp1 sp2"
fab_build
fab_config "$TMP/fabric.ini" "$RUN" "$CP" sp1 sp2 lf1 lf2 lf3
fab_faucet_yaml "$TMP/faucet.yaml"
faucet_start faucet "$TMP/faucet.yaml" "$CP"
pfs_wait 20 ss -Htln "( sport = :$CP )" || { echo "Faucet did not start:"; cat "$TMP/faucet.out"; exit 1; }
fab_start_daemon "$TMP/fabric.ini" "$RUN" sp1
PID=$DPID_STARTED
echo "pfswitchd (pid $PID) runs the five bridges; Faucet listens on 127.0.0.1:$CP"

say "waiting for Faucet to verify the 12 stack ports by LLDP and elect the root"
pfs_wait 60 grep -q "Stack root sp1" "$TMP/faucet.log" || { echo "no stack root"; exit 1; }
sleep $((3 * FAB_LLDP_INTERVAL + 2))
pfs_wait 60 fab_stack_up "$TMP/faucet.log" || { echo "stack ports not UP"; exit 1; }
grep -o "[a-z0-9]* Stack Port [0-9]* state UP" "$TMP/faucet.log" | sort -u | sed 's/^/  /'
echo "  root: sp1"

say "every host pings every other host"
printf '%6s' from
for b in $FAB_HOSTS; do printf '%5s' "h$b"; done
echo
for a in $FAB_HOSTS; do
	printf '%6s' "h$a"
	for b in $FAB_HOSTS; do
		if [ "$a" = "$b" ]; then
			printf '%5s' -
		elif fab_ping "$a" "$b" 2 || fab_ping "$a" "$b" 3; then
			printf '%5s' ok
		else
			printf '%5s' LOST
		fi
	done
	echo
done

say "h11 pings h21 100 times a second; 2 s in, lf1's uplink in use is cut"
fab_reroute 11 21 "$TMP/flood.txt"
echo "Faucet noticed the missing LLDP beacons (every $FAB_LLDP_INTERVAL s) and moved lf1's"
echo "traffic to sp$FAB_OTHER ($FAB_OTHER_FRAMES frames there since the cut)."
fab_restore
pfs_wait 30 fab_stack_up "$TMP/faucet.log" && echo "link lf1-sp$FAB_CUT restored, its stack ports UP again"

if [ -n "$stay" ]; then
	say "the fabric stays up until Ctrl-C; try:"
	echo "  ip netns exec $(fab_ns 11) ping $(fab_ip 32)"
	echo "  $top/build/tools/pfs-ofctl --rundir $RUN dump-flows lf1"
	echo "  ip link set $(fab_link_ends 2 3 | cut -d' ' -f2) down   # cut lf3-sp2"
	echo "  less $TMP/faucet.log"
	while kill -0 "$PID" 2>/dev/null; do sleep 1; done
	echo "pfswitchd exited"
fi
say "tearing down"
