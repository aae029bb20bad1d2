#!/bin/bash
# A VM live migration rerouted in one bundle, measured (issue #13 item 4; migrate_lib.sh
# builds it: pfs-pktgen over memif with sequence numbers and a ping between namespaces
# over veth, both to a destination behind port A that moves behind port B halfway;
# migrate_app.py, an os-ken app, reroutes every flow of the destination in one ONF
# bundle (ATOMIC|ORDERED) followed by a barrier). Checks:
#  - the app's flows install, the bundle commits (COMMIT_REPLY), no OFPT_ERROR;
#  - pfs-pktgen: no packet lost in the switch's pipeline (a full port queue, from CPU
#    starvation on a loaded machine, is reported apart), none duplicated or reordered
#    within a flow, traffic seen on both A and B;
#  - nothing delivered the old way after the barrier reply: no packet built after it
#    reaches A, and the switch's tx counters of both old ports stand still from the
#    barrier reply on;
#  - the ping: no loss, no duplicate, replies come from the new place after the move;
#  - dump-flows afterwards: every flow of the destination outputs to B.
# usage: migrate.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl PATH/TO/pfs-pktgen
# Environment: MIGRATE_RATE (pps, default 100000), MIGRATE_SECONDS (default 6),
# MIGRATE_MODE=flowmods (loose flow-mods and a barrier instead of the bundle).
# Exit: 0 pass, 1 failure, 77 skipped (not root, tools missing). Processes, namespaces
# and veths are removed on exit, also on failure (the switch stops first).
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
. "$DIR/migrate_lib.sh"
OFCTL=$(readlink -f "${2:?usage: $0 PFSWITCHD PFS_OFCTL PFS_PKTGEN}")
PKTGEN=$(readlink -f "${3:?usage: $0 PFSWITCHD PFS_OFCTL PFS_PKTGEN}")
pfs_init migrate "$1" osken-manager ss ethtool
[ -x /usr/bin/python3 ] || pfs_skip "/usr/bin/python3 missing"
[ -x "$PKTGEN" ] || pfs_skip "pfs-pktgen not built"
/usr/bin/python3 -c 'from os_ken.ofproto.ofproto_v1_3_parser import ONFBundleCtrlMsg' \
	2>/dev/null || pfs_skip "python3-os-ken lacks the bundle messages"
NFLOWS=64

export MIGRATE_MODE=${MIGRATE_MODE:-bundle}
mig_setup "$PKTGEN" "$NFLOWS" || { fail "setup"; pfs_done; }
pass "the app installed $((NFLOWS + 2)) flows"
mig_run "${MIGRATE_RATE:-100000}" "${MIGRATE_SECONDS:-6}" 0.002 || { fail "traffic"; pfs_done; }

is() { # WHAT EXPR: EXPR (Python over figures.json as f) is true
	if [ "$(mig_get "$2")" = True ]; then pass "$1"; else fail "$1 ($2)"; fi
}
is "no OpenFlow error" "f['of_errors'] == []"
[ "$MIGRATE_MODE" = bundle ] && is "the bundle committed (COMMIT_REPLY)" "f['commit_reply']"
is "pfs-pktgen got the SIGUSR1 mark" "f['pktgen']['marked']"
is "pfs-pktgen: no packet lost in the pipeline" "f['pktgen']['lost_in_pipeline'] == 0"
is "pfs-pktgen: no duplicate" "f['pktgen']['duplicates'] == 0"
is "pfs-pktgen: no reordering within a flow" "f['pktgen']['reordered'] == 0"
is "pfs-pktgen: traffic before and after the move" "f['pktgen']['rx_a'] > 0 and f['pktgen']['rx_b'] > 0"
is "pfs-pktgen: nothing built after the barrier reply reached A" \
	"f['pktgen']['a_built_after_barrier'] == 0 and f['pktgen']['b_built_after_barrier'] > 0"
is "memif port A sent nothing after the barrier reply" \
	"f['pktgen']['old_port_tx_after_barrier'] == 0 and f['pktgen']['new_port_tx_after_barrier'] > 0"
is "ping: no loss, no duplicate" "f['ping']['tx'] > 0 and f['ping']['lost'] == 0 and f['ping']['duplicates'] == 0"
is "veth port A sent nothing after the barrier reply" \
	"f['ping']['old_port_tx_after_barrier'] == 0 and f['ping']['new_port_tx_after_barrier'] > 0"
timeout 20 "$OFCTL" --rundir "$RUN" dump-flows br0 "cookie=0x4d16/-1" >"$TMP/flows" 2>&1
n=$(grep -c "actions=output:[36]\$" "$TMP/flows")
if [ "$n" = $((NFLOWS + 1)) ]; then
	pass "dump-flows: all $n flows of the destination go to B"
else
	fail "dump-flows: $n of $((NFLOWS + 1)) flows go to B"
	cat "$TMP/flows"
fi
pfs_done
