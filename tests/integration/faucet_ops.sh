#!/bin/bash
# Faucet (../shared/faucet) operating pfswitchd over time: three hosts on VLAN 100, br0
# with two controllers, Faucet and Gauge (hardware $FAUCET_HW).
#  1. use_idle_timeout: a silent host's eth_src flow idles out, the switch sends
#     FLOW_REMOVED (seen on the snoop socket) and Faucet logs the expiry; the host is
#     relearned on its next ping.
#  2. config reload: an ACL blocking TCP 6001 on h1's port is added to the yaml and Faucet
#     gets SIGHUP: it warm-starts (no cold start, traffic flows on), the new ACL blocks.
#  3. port down/up: h3's veth goes down and up; Faucet logs both port status changes and
#     h3 is reachable again.
#  4. Gauge, the second controller, exports port stats (Prometheus) and flow tables (text).
#  5. Faucet killed: the switch keeps forwarding on its flows (fail_mode secure); Faucet
#     restarted: it programs the switch again and hosts reach each other.
# No OFPT_ERROR in Faucet's (or Gauge's) log after each step.
# usage: faucet_ops.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failure, 77 skipped (not root, no ../shared/faucet, tools missing).
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
. "$DIR/faucet_lib.sh"
OFCTL=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd PATH/TO/pfs-ofctl}")
pfs_init faucet-ops "$1" ethtool
faucet_init
faucet_ports
T0=$SECONDS
GPROM=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

pfs_hosts 3
faucet_switch_config "$TMP/sw.ini" "controller = tcp:127.0.0.1:$GPORT"
# ops.yaml with ACL TEXT on port 1 (none at first; port 3's ACL makes the port ACL table
# exist from the start, so that adding one to port 1 is a warm start, not a cold one)
write_yaml() {
	cat >"$TMP/ops.yaml" <<EOY
vlans:
    v100:
        vid: 100
acls:
    allow-all:
        - rule:
            actions: {allow: 1}
    h1-acl:
        - rule:
            dl_type: 0x800
            nw_proto: 6
            tcp_dst: 6001
            actions: {allow: 0}
        - rule:
            actions: {allow: 1}
$(faucet_dp "        use_idle_timeout: true
        timeout: 16
        arp_neighbor_timeout: 5
        nd_neighbor_timeout: 5")
            1: {native_vlan: v100$1}
            2: {native_vlan: v100}
            3: {native_vlan: v100, acls_in: [allow-all]}
EOY
}
write_yaml ""
mkdir -p "$TMP/gauge"
cat >"$TMP/gauge.yaml" <<EOY
faucet_configs: ["$TMP/ops.yaml"]
watchers:
    port_stats:
        type: port_stats
        dps: [br0]
        interval: 5
        db: prom
    flow_table:
        type: flow_table
        dps: [br0]
        interval: 5
        db: ft
dbs:
    prom:
        type: prometheus
        prometheus_addr: 127.0.0.1
        prometheus_port: $GPROM
    ft:
        type: text
        path: $TMP/gauge
EOY
all_pairs() {
	local i j bad=0
	for i in 1 2 3; do
		for j in 1 2 3; do
			[ "$i" = "$j" ] || pfs_ping "$i" "$j" 2 || { echo "h$i -> h$j failed"; bad=1; }
		done
	done
	return $bad
}

pfs_start "$TMP/sw.ini"
timeout 200 "$OFCTL" --rundir "$RUN" snoop br0 >"$TMP/snoop.txt" 2>&1 &
PFS_PIDS+=($!)
faucet_up faucet "$TMP/ops.yaml" || pfs_done
check "all hosts reach each other" all_pairs

# ---- 1. idle timeout ----
H3MAC=$(pfs_mac 3)
check "idle: h3's eth_src flow has an idle_timeout" sh -c "$OFCTL --rundir $RUN dump-flows br0 | grep -i 'dl_src=$H3MAC' | grep -q idle_timeout"
# h3 stays silent (h1 <-> h2 talk on); its flow idles out within the timeout (16 s, jittered)
expired() { grep -qi "expired src_rule for host $H3MAC" "$TMP/faucet.log"; }
t=$SECONDS
if pfs_wait 40 expired; then
	pass "idle: Faucet got FLOW_REMOVED and expired h3 after $((SECONDS - t)) s"
else
	fail "idle: no expiry of h3 in Faucet's log"
fi
grep -q "FLOW_REMOVED" "$TMP/snoop.txt" && pass "idle: FLOW_REMOVED on the controller connection (snoop)" ||
	{ fail "idle: no FLOW_REMOVED in the snoop"; grep -c . "$TMP/snoop.txt"; }
check_not "idle: h3's eth_src flow is gone" sh -c "$OFCTL --rundir $RUN dump-flows br0 | grep -qi 'dl_src=$H3MAC.*idle_timeout'"
check "idle: h3 relearned on its next ping" pfs_ping 3 1 3
faucet_no_errors "idle timeout" faucet

# ---- 2. reload with a warm start ----
faucet_tcp_server 2 6001
check "reload: TCP h1 -> h2:6001 before" faucet_tcp 1 "10.$NET.0.2" 6001
cold0=$(grep -c "cold starting" "$TMP/faucet.log")
write_yaml ", acls_in: [h1-acl]"
kill -HUP "$FAUCET_PID_faucet"
case $FAUCET_HW in
*TFM)
	# Faucet's TFM valves restart cold on any change of the pipeline they send (a new
	# ACL changes the ACL table's match fields): the switch gets a new table-features
	# set and its flows again, and traffic must come back.
	cold() { [ "$(grep -c "cold starting" "$TMP/faucet.log")" -gt "$cold0" ]; }
	if pfs_wait 30 cold; then pass "reload: SIGHUP -> cold start (TFM: the pipeline changed)"; else
		fail "reload: no restart"
		grep -i "reload\|start" "$TMP/faucet.log" | tail -5
	fi
	pfs_wait 20 pfs_ping 2 3 1
	blocked() { ! faucet_tcp 1 "10.$NET.0.2" 6001; }
	pfs_wait 20 blocked
	;;
*)
	warm() { grep -q "warm starting" "$TMP/faucet.log"; }
	if pfs_wait 30 warm; then pass "reload: SIGHUP -> warm start"; else
		fail "reload: no warm start"
		grep -i "reload\|start" "$TMP/faucet.log" | tail -5
	fi
	cold1=$(grep -c "cold starting" "$TMP/faucet.log")
	[ "$cold1" = "$cold0" ] && pass "reload: no cold start" ||
		fail "reload: cold start ($cold0 -> $cold1)"
	;;
esac
check "reload: h2 <-> h3 still" pfs_ping 2 3 2
check_not "reload: the new ACL blocks TCP h1 -> h2:6001" faucet_tcp 1 "10.$NET.0.2" 6001
check "reload: h1 -> h2 ping allowed" pfs_ping 1 2 2
faucet_no_errors "reload" faucet

# ---- 3. port down/up ----
ip link set "$V3" down
down() { grep -q "status change: Port 3 up status False" "$TMP/faucet.log"; }
pfs_wait 20 down && pass "port: Faucet saw port 3 go down" || { fail "port: no down in Faucet's log"; grep "status change" "$TMP/faucet.log"; }
check_not "port: h3 unreachable while down" pfs_ping 1 3 1
ip link set "$V3" up
up() { grep -q "status change: Port 3 up status True" "$TMP/faucet.log"; }
pfs_wait 20 up && pass "port: Faucet saw port 3 come up" || { fail "port: no up in Faucet's log"; grep "status change" "$TMP/faucet.log"; }
check "port: h3 reachable again" pfs_wait 20 pfs_ping 1 3 1
faucet_no_errors "port down/up" faucet

# ---- 4. Gauge ----
faucet_start gauge "$TMP/gauge.yaml" "$GPORT" gauge
FAUCET_PROM_gauge=$GPROM
rx() { v=$(faucet_metric gauge of_port_rx_packets) && [ "$v" -gt 0 ]; }
if pfs_wait 60 rx; then pass "Gauge: port stats exported (rx packets $(faucet_metric gauge of_port_rx_packets))"; else
	fail "Gauge: no port stats"
	tail -5 "$TMP/gauge.log" "$TMP/gauge.out"
fi
ft() { ls "$TMP/gauge" | grep -q flowtable && grep -lq "OFPFlowStats\|priority" "$TMP"/gauge/*flowtable*; }
pfs_wait 30 ft && pass "Gauge: flow table dumped ($(ls "$TMP/gauge" | wc -l) files)" || fail "Gauge: no flow table file"
check "Gauge: forwarding unaffected" pfs_ping 1 2 2
faucet_no_errors "Gauge" gauge
faucet_no_errors "Gauge beside Faucet" faucet

# ---- 5. Faucet restart ----
kill -9 "$FAUCET_PID_faucet"
wait "$FAUCET_PID_faucet" 2>/dev/null
check "restart: h2 <-> h3 forwarded while Faucet is down" pfs_ping 2 3 3
n=$(ip netns exec "$NS2" ping -c 20 -i 0.1 -W 1 -q "10.$NET.0.3" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
[ "${n:-0}" -ge 18 ] && pass "restart: $n of 20 pings while Faucet is down" || fail "restart: ${n:-0} of 20 pings"
mv "$TMP/faucet.log" "$TMP/faucet-1.log"
faucet_up faucet "$TMP/ops.yaml"
check "restart: all hosts reach each other" pfs_wait 20 all_pairs
faucet_no_errors "restart" faucet
faucet_no_errors "before the restart" faucet-1
echo "   run time $((SECONDS - T0)) s"
pfs_done
