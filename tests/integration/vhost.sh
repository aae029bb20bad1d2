#!/bin/bash
# vhost-user ports: pfswitchd between two "guests" made of DPDK's net_virtio_user (the
# virtio device a VM's QEMU or a container would have), no VM needed. pfs-pktgen is the
# guest: its virtio-user ports are the vhost-user servers (server=1, as QEMU with
# "server=on"), pfswitchd's ports are `type = vhost` in the default client mode.
#  1. The switch starts before any guest: its ports are down and it keeps retrying.
#  2. The guest comes: both links come up (PORT_STATUS MODIFY seen by a monitor), 20000
#     frames go through flows vm1 -> vm2, none lost; flow and port counters exact.
#  3. The guest goes: links go down (PORT_STATUS); the guest restarts: the switch
#     reconnects by itself, traffic flows the other way (vm2 -> vm1), counters exact.
#  4. The switch restarts under a running guest: it reconnects and forwards again.
#  5. vhost_mode = server: pfswitchd creates the socket, a guest connects as client.
#
# usage: vhost.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl PATH/TO/pfs-pktgen
# Exit: 0 pass, 1 failure, 77 skipped (not root, tools missing).
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
OFCTL=$(readlink -f "${2:?usage: $0 PFSWITCHD PFS_OFCTL PFS_PKTGEN}")
PKTGEN=$(readlink -f "${3:?usage: $0 PFSWITCHD PFS_OFCTL PFS_PKTGEN}")
pfs_init vhost "$1"
[ -x /usr/bin/python3 ] || pfs_skip "/usr/bin/python3 missing"
[ -x "$PKTGEN" ] || pfs_skip "pfs-pktgen not built"
ls /usr/lib/*/dpdk/pmds-*/librte_net_vhost.so* >/dev/null 2>&1 ||
	pfs_skip "DPDK's net_vhost PMD is not installed"

OF="timeout 20 $OFCTL --rundir $RUN"
S1=$TMP/vm1.sock
S2=$TMP/vm2.sock
S3=$RUN/vm3.sock
PG_EAL="-l 0 --no-pci --no-huge --no-shconf -m 256 --log-level=lib.eal:error"
PG_EAL="$PG_EAL --log-level=pmd.net.virtio.*:error --file-prefix=pfsvh$TAG"
COUNT=20000

cat >"$TMP/sw.ini" <<EOF
[dpdk]
eal = -l 0-1 --no-huge --no-shconf --no-pci --log-level=lib.eal:error --log-level=lib.vhost.*:error -m 512
[switch]
workers = 1
rundir = $RUN
idle_polls_before_sleep = 100
idle_sleep_us = 200
[bridge br0]
datapath_id = 0x$NET
fail_mode = secure
$(pfs_vhost_ports "$S1" "$S2")
[port vm3]
bridge = br0
ofport = 3
type = vhost
vhost_socket = $S3
vhost_mode = server
EOF

# guest NAME TX_SOCK RX_SOCK [PKTGEN ARGS...]: one guest run (virtio-user servers on
# both sockets unless TX_SOCK is the switch's server socket), report in $TMP/NAME.json.
# It sends G_COUNT frames (COUNT) at 20000/s, for G_DURATION s (0: until all are sent,
# however slowly a loaded machine lets it), and waits 2 s for the last to come back.
# With G_BG=1 it runs in the background (BGPID), killed at exit if still there.
guest() {
	local name=$1 tx=$2 rx=$3 txs=1
	shift 3
	[ "$tx" = "$S3" ] && txs=0
	local cmd=(timeout 60 "$PKTGEN" --tx "net_virtio_user0,path=$tx,server=$txs,queues=1"
		--rx "net_virtio_user1,path=$rx,server=1,queues=1" --rate 20000
		--count "${G_COUNT:-$COUNT}" --duration "${G_DURATION:-0}" --drain-ms 2000
		--link-timeout 20 --json "$TMP/$name.json" "$@" -- $PG_EAL)
	if [ "${G_BG:-0}" = 1 ]; then
		pfs_bg "${cmd[@]}" >"$TMP/$name.log" 2>&1
	else
		"${cmd[@]}" >"$TMP/$name.log" 2>&1
	fi
}
jq_() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$2)" "$1"; }
# Flow packet count of the flow matching in_port=$1.
flow_pkts() { $OF dump-flows br0 "in_port=$1" | sed -n 's/.*n_packets=\([0-9]*\).*/\1/p'; }
# Port counter: port_ctr PORT rx|tx
port_ctr() {
	$OF dump-ports br0 "$1" | awk -v d="$2" '$1 == d || $3 == d {for (i = 1; i <= NF; i++)
		if ($i ~ /^pkts=/) {sub("pkts=", "", $i); sub(",", "", $i); print $i; exit}}'
}
port_drop() {
	$OF dump-ports br0 "$1" | awk -v d="$2" '$1 == d || $3 == d {for (i = 1; i <= NF; i++)
		if ($i ~ /^drop=/) {sub("drop=", "", $i); sub(",", "", $i); print $i; exit}}'
}
port_state() { $OF dump-ports-desc br0 | grep -A3 "^ *$1(" | grep -q "state: *$2"; }
eq() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
flow_gt() { [ "$(flow_pkts "$1")" -gt "$2" ]; }
# guest_exact NAME IN OUT: the guest's run against the switch's counters. The switch's
# flow saw every frame the guest sent; what it sent to the other guest port, and only
# that, was received (the guest's virtio rx ring, 256 slots, can overflow when the guest
# is not scheduled: such frames are counted as tx drops), at least 95% of them.
# snap IN OUT: the counters guest_exact compares against, before a guest run.
snap() {
	B_FLOW=$(flow_pkts "$1")
	B_RX=$(port_ctr "$1" rx)
	B_TX=$(port_ctr "$2" tx)
	B_DROP=$(port_drop "$2" tx)
}
guest_exact() {
	local j=$TMP/$1.json tx rx
	tx=$(jq_ "$j" "['tx_total']")
	rx=$(jq_ "$j" "['rx_total']")
	check "$1: $COUNT frames sent" eq "$tx" "$COUNT"
	check "$1: flow in_port=$2 counted every frame" eq "$(($(flow_pkts "$2") - B_FLOW))" "$tx"
	check "$1: port $2 rx counted every frame" eq "$(($(port_ctr "$2" rx) - B_RX))" "$tx"
	check "$1: port $3 tx = frames the guest received" \
		eq "$(($(port_ctr "$3" tx) - B_TX))" "$rx"
	check "$1: port $3 tx + tx drops = frames sent" \
		eq "$(($(port_ctr "$3" tx) - B_TX + $(port_drop "$3" tx) - B_DROP))" "$tx"
	check "$1: at least 95% received ($rx)" test "$rx" -ge $((COUNT * 95 / 100))
}
monitor() { # PORT_STATUS and the rest, in $TMP/mon
	pfs_bg $OF --timeout 120 monitor br0 >>"$TMP/mon" 2>&1
	sleep 0.5
}
mon_count() { grep -c "PORT_STATUS.*MOD: $1(" "$TMP/mon"; }
mon_ge() { [ "$(mon_count "$1")" -ge "$2" ]; } # PORT: at least N PORT_STATUS MODs

# 1. No guest yet: the switch starts and its vhost ports are down.
pfs_start "$TMP/sw.ini"
check "vm3's server socket created by the switch" test -S "$S3"
check "vm1 down without a guest" port_state 1 LINK_DOWN
$OF add-flow br0 "in_port=1,actions=output:2"
$OF add-flow br0 "in_port=2,actions=output:1"
$OF add-flow br0 "in_port=3,actions=output:2"
: >"$TMP/mon"
monitor

# 2. A guest: links up, traffic vm1 -> vm2.
snap 1 2
guest g1 "$S1" "$S2"
check "guest 1: pfs-pktgen ran" test -s "$TMP/g1.json"
guest_exact g1 1 2
check "PORT_STATUS: vm1 link up" grep -q "PORT_STATUS.*MOD: 1(vm1)" "$TMP/mon"
check "PORT_STATUS: vm2 link up" grep -q "PORT_STATUS.*MOD: 2(vm2)" "$TMP/mon"

# 3. The guest went away: links down. It comes back (new sockets): reconnect, traffic
# the other way.
check "vm1 down after the guest left" pfs_wait 5 port_state 1 LINK_DOWN
check "vm2 down after the guest left" pfs_wait 5 port_state 2 LINK_DOWN
check "PORT_STATUS: vm1 up and down" pfs_wait 5 mon_ge 1 2
snap 2 1
guest g2 "$S2" "$S1"
guest_exact g2 2 1
check "PORT_STATUS: vm1 up again" pfs_wait 5 mon_ge 1 3

# 4. The switch restarts under a running guest (it tolerates link downs for 20 s): the
# switch reconnects to the guest's sockets and the traffic goes on.
G_BG=1 G_COUNT=400000 G_DURATION=20 guest g3 "$S1" "$S2"
G3=$BGPID
check "guest 3: links up" pfs_wait 20 port_state 2 LIVE
kill -TERM "$PID"
wait "$PID" 2>/dev/null
PID=
rm -f "$RUN/br0.mgmt"
pfs_start "$TMP/sw.ini"
$OF add-flow br0 "in_port=1,actions=output:2"
check "switch restarted: vm1 reconnected" pfs_wait 15 port_state 1 LIVE
# DPDK 22.11's net_virtio_user (the guest here, not a VM's QEMU) may abort while it
# reconnects or at exit after a reconnect ("PANIC in eal_intr_thread_main: Error adding
# fd ... epoll_ctl"); its report is written before the exit one. When it died before
# the traffic resumed, that is the guest's bug: said, not counted against the switch.
if pfs_wait 15 flow_gt 1 1000; then
	pass "switch restarted: traffic forwarded again"
	wait "$G3" 2>/dev/null
	check "guest 3: saw the link go down and come back" \
		test "$(jq_ "$TMP/g3.json" "['link_downs']")" -ge 1
elif grep -q "PANIC in eal_intr_thread_main" "$TMP/g3.log"; then
	echo "note: the net_virtio_user guest died reconnecting (DPDK 22.11 bug, see" \
		"$TMP/g3.log): traffic after the switch restart not checked"
else
	fail "switch restarted: traffic forwarded again (flow in_port=1: $(flow_pkts 1))"
fi
wait "$G3" 2>/dev/null

# 5. vhost_mode = server: the guest is the client of the switch's socket.
$OF add-flow br0 "in_port=3,actions=output:2"
snap 3 2
guest g4 "$S3" "$S2"
check "server mode: guest ran" test -s "$TMP/g4.json"
guest_exact g4 3 2
pfs_done
