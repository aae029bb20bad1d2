#!/bin/bash
# Faucet's table-features hardware modes on pfswitchd: Faucet sends its whole pipeline
# in a TABLE_FEATURES request (OpenFlow 1.3.5 section 7.3.5.18), then programs its flows
# into it. Runs "GenericTFM" (its own ~10 tables with OXM ids, next tables, actions) and
# then, with the switch still running, "Open vSwitch TFM" (tables 0..253, no OXM ids):
# three hosts in one VLAN ping each other, dump-table-features shows Faucet's table
# names, and Faucet logged no OFError and no exception.
#
# usage: faucet_tfm.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failure, 77 skipped (not root, Faucet or its Python modules missing).
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
. "$DIR/faucet_lib.sh"
OFCTLBIN=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd PATH/TO/pfs-ofctl}")
pfs_init faucet-tfm "$1" ethtool
faucet_init

CPORT=$((30000 + TAG % 20000))
PFS="timeout 20 $OFCTLBIN --rundir $RUN"
pfs_hosts 3
pfs_config "$TMP/sw.ini" "fail_mode = secure
controller = tcp:127.0.0.1:$CPORT
max_backoff = 1"
pfs_start "$TMP/sw.ini"

# faucet_yaml HARDWARE FILE
faucet_yaml() {
	cat >"$2" <<EOY
vlans:
  office:
    vid: 100
dps:
  sw1:
    dp_id: 0x$NET
    hardware: "$1"
    interfaces:
      1:
        native_vlan: office
      2:
        native_vlan: office
      3:
        native_vlan: office
EOY
}

# run_mode NAME HARDWARE MIN_TABLES
run_mode() {
	local name=$1 hw=$2 min=$3 i j ok n
	faucet_yaml "$hw" "$TMP/$name.yaml"
	faucet_start "$name" "$TMP/$name.yaml" "$CPORT"
	if faucet_wait_programmed "$name" 60; then pass "$hw: Faucet programmed the switch"; else
		fail "$hw: Faucet did not program the switch"
		tail -20 "$TMP/$name.log" "$TMP/$name.out"
		return
	fi
	ok=1
	for i in 1 2 3; do
		for j in 1 2 3; do
			[ "$i" = "$j" ] && continue
			pfs_wait 10 pfs_ping "$i" "$j" 1 || { ok=0; echo "    h$i -> h$j fails"; }
		done
	done
	[ "$ok" = 1 ] && pass "$hw: every host pings every other" || fail "$hw: pings"
	check "$hw: dump-table-features" $PFS dump-table-features br0
	n=$(grep -c '^  table ' "$TMP/out")
	if [ "$n" -ge "$min" ] && grep -q '("vlan")' "$TMP/out" && grep -q '("eth_src")' "$TMP/out" &&
		grep -q '("eth_dst")' "$TMP/out" && grep -q '("flood")' "$TMP/out"; then
		pass "$hw: $n tables, Faucet's names (vlan, eth_src, eth_dst, flood)"
	else
		fail "$hw: tables"
		grep '^  table ' "$TMP/out" | head -20
	fi
	n=$($PFS dump-flows br0 | grep -c 'actions=')
	[ "$n" -gt 5 ] && pass "$hw: $n flows installed" || fail "$hw: only $n flows"
	if [ -z "$(faucet_errors "$name")" ]; then pass "$hw: no OFPT_ERROR"; else
		fail "$hw: Faucet logged errors"
		faucet_errors "$name" | head -10
	fi
	if grep -q " refused: " "$TMP/daemon.log"; then
		fail "$hw: pfswitchd refused a message"
		grep " refused: " "$TMP/daemon.log" | head -5
	else
		pass "$hw: pfswitchd refused nothing"
	fi
	[ -s "$TMP/$name.exc.log" ] && { fail "$hw: Faucet exception"; head -20 "$TMP/$name.exc.log"; } ||
		pass "$hw: no Faucet exception"
	faucet_stop "$name"
}

run_mode generic GenericTFM 4
# The switch keeps running: the next controller replaces the pipeline.
run_mode ovstfm "Open vSwitch TFM" 254
kill -0 "$PID" && pass "pfswitchd alive" || fail "pfswitchd died"
pfs_done
