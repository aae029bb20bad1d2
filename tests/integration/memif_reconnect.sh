#!/bin/bash
# pfs-pktgen as the memif client of a switch that restarts again and again: each time
# the server goes away, the memif PMD tears the connection down in the EAL interrupt
# thread while pfs-pktgen's lcore is in the middle of its rx/tx bursts on the same
# rings (it used to crash there now and then: the takeover_memif failure). Restarts
# pfswitchd MEMIF_RECONNECT_ROUNDS times (default 6) under traffic and checks that
# pfs-pktgen lives through all of them, reconnects each time and that traffic flows
# through the last switch. MEMIF_RECONNECT_LCORES=0-1 gives pfs-pktgen its receiving
# lcore (restarts then hold it off the ports too).
# usage: memif_reconnect.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl PATH/TO/pfs-pktgen
. "$(dirname "$0")/pfs_testlib.sh"
pfs_init memif-reconnect "$1" python3
OFCTL=$(readlink -f "${2:?usage: $0 PFSWITCHD PFS_OFCTL PFS_PKTGEN}")
PKTGEN=$(readlink -f "${3:?usage: $0 PFSWITCHD PFS_OFCTL PFS_PKTGEN}")
[ -x "$PKTGEN" ] || pfs_skip "pfs-pktgen not built"
ROUNDS=${MEMIF_RECONNECT_ROUNDS:-6}
LCORES=${MEMIF_RECONNECT_LCORES:-0}
EAL_LOG="--log-level=lib.eal:error --log-level=pmd.net.memif:error"
SOCK1=$RUN/to-p1.sock
SOCK2=$RUN/to-p2.sock
PG_PID=

trap pfs_pktgen_cleanup EXIT

CONF=$TMP/pfswitch.ini
{
	pfs_switch_head "-l 0-1 --no-huge --no-pci $EAL_LOG -m 256 --file-prefix pfsr$TAG"
	pfs_memif_ports "$SOCK1" "$SOCK2"
} >"$CONF"
# Starts pfswitchd with the flow from port 1 to port 2.
switch_up() {
	"$PFSWITCHD" --config "$CONF" >>"$TMP/daemon.log" 2>&1 &
	PID=$!
	pfs_wait 20 test -S "$SOCK2" -a -S "$RUN/br0.mgmt" || return 1
	pfs_ofc add-flow "priority=5,in_port=1,actions=output:2"
}
switch_up || { fail "pfswitchd did not start"; pfs_done; }

# pfs-pktgen tolerates a link down for 40 s: a restart can take over 10 s on the
# loaded test machine.
pfs_pktgen_start --tx "net_memif0,role=client,socket=$SOCK1,socket-abstract=no,id=0" \
	--rx "net_memif1,role=client,socket=$SOCK2,socket-abstract=no,id=0" \
	--rate 100000 --duration 120 --size 64 --drain-ms 300 --link-timeout 40 --hold 30 \
	-- -l "$LCORES" --no-pci --no-huge --no-shconf -m 256 $EAL_LOG --file-prefix pgr$TAG
up=0
for r in $(seq "$ROUNDS"); do
	sleep 1
	kill -TERM "$PID"
	for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$PID" 2>/dev/null && { fail "round $r: pfswitchd did not stop"; break; }
	rm -f "$SOCK1" "$SOCK2" "$RUN/br0.mgmt"
	kill -0 "$PG_PID" 2>/dev/null || { fail "round $r: pfs-pktgen died"; break; }
	switch_up || { fail "round $r: pfswitchd did not start again"; break; }
	up=$r
done
check "pfswitchd restarted $ROUNDS times under traffic ($up)" test "$up" = "$ROUNDS"
# Traffic through the last switch, then the report (SIGTERM ends the run; the --hold
# keeps the ports until the switch has stopped).
flowing() { test "$(pfs_in1_packets)" -gt 1000; }
pfs_wait 10 flowing
check "traffic flows through the last switch ($(pfs_in1_packets) packets)" flowing
kill -0 "$PG_PID" 2>/dev/null || { fail "pfs-pktgen died"; cat "$TMP/pg.log"; pfs_done; }
kill -TERM "$PG_PID" 2>/dev/null
pfs_pktgen_report 20
echo "pfs-pktgen: $(pfs_pg_json '"tx %d, received %d, link downs %d, reconnects %d" % (d["tx_total"], d["seq_received"], d["link_downs"], d["reconnects"])')"
check "pfs-pktgen reconnected after each restart (reconnects $(pfs_pg_json 'd["reconnects"]'))" \
	test "$(pfs_pg_json 'd["reconnects"]')" -ge "$ROUNDS"
pfs_done
