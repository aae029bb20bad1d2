#!/bin/bash
# pfswitchd's DPDK telemetry commands (/pfswitch/bridges, ports, drops, flows, workers)
# read with dpdk-telemetry.py over the EAL's telemetry socket: two hosts, two flows
# between them, pings; the counters must show the traffic.
# Usage: telemetry.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
OFCTLBIN=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd PATH/TO/pfs-ofctl}")
pfs_init telemetry "$1" python3 dpdk-telemetry.py

PREFIX=pfstel$TAG
PFS="timeout 20 $OFCTLBIN --rundir $RUN"
pfs_hosts 2
pfs_config "$TMP/sw.ini" "fail_mode = secure"
# The telemetry socket lives in the EAL's runtime dir, /var/run/dpdk/PREFIX.
sed -i "s/^eal = .*/& --file-prefix=$PREFIX/" "$TMP/sw.ini"
trap 'rm -rf "/var/run/dpdk/$PREFIX"; pfs_cleanup' EXIT
pfs_start "$TMP/sw.ini"

# tel CMD[,PARAM]: the command's JSON value (dpdk-telemetry.py prints {"CMD": VALUE}).
tel() {
	echo "$1" | timeout 10 dpdk-telemetry.py -f "$PREFIX" >"$TMP/tel.json" 2>&1 &&
		/usr/bin/python3 -c 'import json,sys; print(json.dumps(json.loads(open(sys.argv[1]).read())[sys.argv[2].split(",")[0]]))' \
			"$TMP/tel.json" "$1"
}
# jtrue CMD PYEXPR: PYEXPR (on v, the command's value) holds
jtrue() {
	local v
	v=$(tel "$1") || { echo "telemetry $1 failed: $(cat "$TMP/tel.json")"; return 1; }
	echo "$v" | head -c 2000
	/usr/bin/python3 -c 'import json,sys; v=json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' "$v" "$2"
}

check "socket /var/run/dpdk/$PREFIX/dpdk_telemetry.v2" test -S "/var/run/dpdk/$PREFIX/dpdk_telemetry.v2"
check "/ lists the pfswitch commands" jtrue / \
	'all(c in v for c in ["/pfswitch/bridges","/pfswitch/ports","/pfswitch/drops","/pfswitch/flows","/pfswitch/workers"])'
check "add flows" $PFS add-flow br0 "priority=10,in_port=1 actions=output:2"
check "add flows" $PFS add-flow br0 "priority=10,in_port=2 actions=output:1"
check "bridges: br0 with its dpid, fail mode, 2 ports, 2 flows in table 0" jtrue /pfswitch/bridges \
	"v['br0']['datapath_id'] == '0x%016x' % 0x$NET and v['br0']['fail_mode'] == 'secure' and v['br0']['ports'] == 2 and v['br0']['flows'] == 2 and v['br0']['table0_flows'] == 2"
check "ports: p1 and p2 with bridge, ofport, devargs, link up" jtrue /pfswitch/ports \
	"v['p1']['bridge'] == 'br0' and v['p1']['ofport'] == 1 and v['p2']['ofport'] == 2 and v['p1']['devargs'].startswith('net_af_packet0,iface=') and v['p1']['link'] == 'up'"
RX0=$(tel /pfswitch/ports,p1 | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["rx_packets"])')
check "ping h1 -> h2 over the flows" pfs_ping 1 2 5
check "ports,p1: rx_packets grew by the pings" jtrue /pfswitch/ports,p1 "v['rx_packets'] >= ${RX0:-0} + 5 and v['tx_packets'] >= 5"
check "ports,p2: tx and rx" jtrue /pfswitch/ports,p2 "v['tx_packets'] >= 5 and v['rx_packets'] >= 5 and v['tx_bytes'] > 0"
check_not "ports,nosuch: an error" jtrue /pfswitch/ports,nosuch "v is not None"
check "flows: br0/t0 active 2, lookups and matches counted" jtrue /pfswitch/flows \
	"v['br0/t0']['active'] == 2 and v['br0/t0']['matched'] >= 10 and v['br0/t0']['lookups'] >= v['br0/t0']['matched']"
check "flows: br0/t0 compiled to an in_port array (two in_port rules)" jtrue /pfswitch/flows \
	"v['br0/t0']['shape'] == 'in_port'"
# A VLAN table (in_port + vlan_vid, untagged and tagged) compiles to the in_port+VLAN array.
check "add VLAN flows to table 1" $PFS add-flow br0 "table=1,priority=10,in_port=1,vlan_vid=0 actions=drop"
check "add VLAN flows to table 1" $PFS add-flow br0 "table=1,priority=10,in_port=2,vlan_vid=4196 actions=drop"
check "flows: br0/t1 compiled to an in_port+VLAN array" jtrue /pfswitch/flows \
	"v['br0/t1']['shape'] == 'in_port_vlan'"
check "delete table 1's flows" $PFS del-flows br0 "table=1"
# Without h1's flow its pings miss table 0 (secure mode: dropped as table_miss).
check "delete h1's flow" $PFS del-flows br0 "in_port=1"
pfs_ping 1 2 3
check "drops: table_miss total and per worker" jtrue /pfswitch/drops \
	"v['table_miss']['total'] >= 3 and v['table_miss']['worker0'] == v['table_miss']['total'] and 'tx_full' in v"
check "bridges: 1 flow left" jtrue /pfswitch/bridges "v['br0']['flows'] == 1"
check "flows: br0/t0 still an in_port array after the delete" jtrue /pfswitch/flows \
	"v['br0/t0']['shape'] == 'in_port'"
check "workers: worker0 polled" jtrue /pfswitch/workers "v['worker0']['polls'] > 0"
# Repeated queries while traffic flows leave the daemon running.
pfs_bg ip netns exec "$NS2" ping -q -i 0.05 -c 100 "$(pfs_ip 1)"
for _ in $(seq 20); do printf '/pfswitch/ports\n/pfswitch/bridges\n/pfswitch/flows\n' |
	timeout 10 dpdk-telemetry.py -f "$PREFIX" >/dev/null 2>&1; done
check "daemon alive after 60 queries" kill -0 "$PID"
# Queries while the daemon shuts down (bridges, ports and workers freed): exit status 0.
(for _ in $(seq 200); do printf '/pfswitch/ports\n/pfswitch/bridges\n/pfswitch/drops\n/pfswitch/workers\n'; done |
	timeout 20 dpdk-telemetry.py -f "$PREFIX" >/dev/null 2>&1) &
QPID=$!
sleep 0.3
kill -TERM "$PID"
wait "$PID"
RC=$?
PID=
wait "$QPID"
check "exit status 0 when stopped during queries" test "$RC" = 0
pfs_done
