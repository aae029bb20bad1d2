#!/bin/bash
# Upgrade (pfswitchd --takeover) with net_memif ports: pfswitchd is the memif server of
# two ports, pfs-pktgen the client of both, sending sequence-numbered UDP from port 1
# to port 2. A memif socket is one process's: the old process drains and closes its
# memif ports once the new one is ready, the new one opens them, and pfs-pktgen (a
# client whose server went away) reconnects by itself. Reports the gap (how long
# the link was down at pfs-pktgen, and the longest time without a packet at the
# receiver), the packets lost in it, the reconnects; checks
# that traffic flows again through the new process, that the gap stays under
# TAKEOVER_MEMIF_GAP_MS (default 1000 ms on this shared test machine; the target on
# an idle one is 50 ms) and that the flow's counters continue.
# usage: takeover_memif.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl PATH/TO/pfs-pktgen
. "$(dirname "$0")/pfs_testlib.sh"
pfs_init takeover-memif "$1" python3
OFCTL=$(readlink -f "${2:?usage: $0 PFSWITCHD PFS_OFCTL PFS_PKTGEN}")
PKTGEN=$(readlink -f "${3:?usage: $0 PFSWITCHD PFS_OFCTL PFS_PKTGEN}")
[ -x "$PKTGEN" ] || pfs_skip "pfs-pktgen not built"
RATE=${TAKEOVER_RATE:-100000}
MAX_GAP_MS=${TAKEOVER_MEMIF_GAP_MS:-1000}
EAL_LOG="--log-level=lib.eal:error --log-level=pmd.net.memif:error"
SOCK1=$RUN/to-p1.sock
SOCK2=$RUN/to-p2.sock
PG_PID=

trap pfs_pktgen_cleanup EXIT

CONF=$TMP/pfswitch.ini
{
	pfs_switch_head "-l 0-1 --no-huge --no-pci $EAL_LOG -m 256 --file-prefix pfsm$TAG"
	pfs_memif_ports "$SOCK1" "$SOCK2"
} >"$CONF"
"$PFSWITCHD" --config "$CONF" >>"$TMP/daemon.log" 2>&1 &
PID=$!
OLD=
pfs_wait 20 test -S "$SOCK2" || { fail "pfswitchd did not create its memif sockets"; pfs_done; }
pfs_ofc add-flow "priority=5,in_port=1,actions=output:2" || fail "add-flow"

pfs_pktgen_start --tx "net_memif0,role=client,socket=$SOCK1,socket-abstract=no,id=0" \
	--rx "net_memif1,role=client,socket=$SOCK2,socket-abstract=no,id=0" \
	--rate "$RATE" --duration 10 --size 64 --drain-ms 300 --link-timeout 10 --timeline 10 \
	--hold 30 -- -l 0 --no-pci --no-huge --no-shconf -m 256 $EAL_LOG --file-prefix pgm$TAG
sleep 3
pk_before=$(pfs_in1_packets)
pfs_takeover "$CONF" "$TMP/new.log"
# Wait for the traffic's end (its report), not for the --hold.
pfs_pktgen_report 30
pk_after=$(pfs_in1_packets)
check "flow counters continue ($pk_before before, $pk_after after)" test "${pk_after:-0}" -gt "${pk_before:-0}"
echo "pfs-pktgen: $(pfs_pg_json '"tx %d, received %d distinct, missing %d (longest run %d), copies %d, longest rx silence %.1f ms, link downs %d (longest %.1f ms), reconnects %d" % (d["tx_total"], d["seq_received"], d["seq_missing"], d["seq_longest_missing_run"], d["seq_copies"], d["max_rx_silence_ms"], d["link_downs"], d["max_link_down_ms"], d["reconnects"])')"
grep -h "handover done\|takeover: pid" "$TMP/daemon.log" "$TMP/new.log" | sed 's/^/    /'
# The gap: the memif link down (old port closed -> new port open -> pfs-pktgen
# reconnected); the longest rx silence also counts any time the sender was not
# scheduled at all (the test machine's load), so it is reported, not checked.
gap=$(pfs_pg_json 'int(d["max_link_down_ms"])')
echo "memif takeover gap: link down $gap ms, longest rx silence $(pfs_pg_json 'd["max_rx_silence_ms"]') ms, $(pfs_pg_json 'd["seq_missing"]') packets lost (takeover $(echo "$PFS_T1 - $PFS_T0" | bc) s from the new process's start)"
check "pfs-pktgen reconnected by itself (reconnects $(pfs_pg_json 'd["reconnects"]'))" test "$(pfs_pg_json 'd["reconnects"]')" -ge 1
check "traffic flows through the new process (received $(pfs_pg_json 'd["seq_received"]') of $(pfs_pg_json 'd["tx_total"]'))" \
	test "$(pfs_pg_json 'd["seq_received"] > d["tx_total"] * 0.5')" = True
check "memif gap ${gap} ms <= ${MAX_GAP_MS} ms" test "$gap" -le "$MAX_GAP_MS"
cat "$TMP/new.log" >>"$TMP/daemon.log"
pfs_done
