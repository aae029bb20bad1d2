#!/usr/bin/env bash
# The pfswitch live-migration demo: a VM moves and the controller reroutes its traffic
# in one atomic bundle, with nothing lost and nothing delivered the old way afterwards.
#
# One bridge, six ports: pfs-pktgen (memif) sends UDP flows with sequence numbers
# through port 1 to a destination behind port 2 (A); host h1 pings host h2, behind
# port 5 (A), over veth. Halfway, the "VM" moves: its copy (h3, same MAC and address)
# and pfs-pktgen's second receive port are behind ports 6 and 3 (B), and an os-ken app
# (tests/integration/migrate_app.py) rewrites every flow of the destination to B in ONE
# bundle (ONF extension 230, ATOMIC|ORDERED) followed by a barrier. The demo prints:
# packets lost (and how many of those were a full port queue: CPU starvation, not the
# reroute), duplicated and reordered; packets delivered the old way after the barrier
# reply (built after it and received at A, and the switch's tx counter of port A since
# it); the time from the move to the barrier reply.
#
#   tools/migrate-demo.sh [--rate PPS] [--seconds S] [--flows N] [--ping flood|INTERVAL]
#                         [--no-bundle] [--json FILE]
#
# --rate: pfs-pktgen's offered rate (default 1000000; on a small VM it reaches less: the
# figures say what it sent). --seconds: traffic time (default 10; the move is halfway).
# --flows: pfs-pktgen flows, one OpenFlow rule each (default 64). --ping: interval of
# the ping in seconds (default 0.001) or `flood` (as fast as replies come back; on a
# 2-core machine it takes CPU from pfs-pktgen). --no-bundle: send the reroute as loose
# flow-mods and a barrier (for a switch without bundles). --json: write the figures
# there. Everything is torn down on exit, on Ctrl-C and on failure. Needs root, a
# built tree (ninja -C build) and python3-os-ken.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
rate=1000000
secs=10
flows=64
ping=0.001
json=
export MIGRATE_MODE=bundle
while [ $# -gt 0 ]; do
	case $1 in
	--rate) rate=${2:?--rate needs PPS}; shift ;;
	--seconds) secs=${2:?--seconds needs S}; shift ;;
	--flows) flows=${2:?--flows needs N}; shift ;;
	--ping) ping=${2:?--ping needs flood or an interval}; shift ;;
	--no-bundle) MIGRATE_MODE=flowmods ;;
	--json) json=${2:?--json needs FILE}; shift ;;
	-h | --help) sed -n '2,26p' "$0"; exit 0 ;;
	*) echo "migrate-demo: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case $rate$secs$flows in *[!0-9]*) echo "migrate-demo: --rate, --seconds, --flows take integers" >&2; exit 2 ;; esac
if [ "$flows" -lt 1 ] || [ "$flows" -gt 1000 ]; then echo "migrate-demo: --flows 1..1000" >&2; exit 2; fi
[ "$secs" -ge 2 ] || { echo "migrate-demo: --seconds 2 or more" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "migrate-demo: needs root (network namespaces, memif)" >&2; exit 1; }
for b in pfswitchd pfs-pktgen; do
	[ -x "$top/build/tools/$b" ] || { echo "migrate-demo: build first (ninja -C build)" >&2; exit 1; }
done
lib=$top/tests/integration
. "$lib/pfs_testlib.sh"
. "$lib/migrate_lib.sh"
pfs_init migrate-demo "$top/build/tools/pfswitchd" osken-manager ss ethtool
say() { printf '\n== %s\n' "$*"; }

say "building: pfswitchd (memif ports 1-3, veth ports 4-6), os-ken app, hosts h1 h2 h3"
mig_setup "$top/build/tools/pfs-pktgen" "$flows" || exit 1
echo "the app installed $((flows + 2)) flows; the destination is behind port A (2 and 5)"
say "traffic for ${secs} s: pfs-pktgen at ${rate} pps offered, ping (${ping}) h1 -> h2;" \
	"the VM moves to B (3 and 6) at $((secs / 2)) s, rerouted by $([ "$MIGRATE_MODE" = bundle ] && echo "one bundle" || echo "loose flow-mods")"
mig_run "$rate" "$secs" "$ping" || exit 1
if [ -n "$json" ]; then
	cp "$TMP/figures.json" "$json" && echo "figures written to $json"
fi
ok=$(mig_get "f['of_errors'] == [] and f['pktgen']['lost_in_pipeline'] == 0 and f['pktgen']['a_built_after_barrier'] == 0 and f['pktgen']['old_port_tx_after_barrier'] == 0 and f['ping']['old_port_tx_after_barrier'] == 0 and f['ping']['lost'] <= (1 if f['ping']['flood'] else 0)")
say "$([ "$ok" = True ] && echo "the reroute lost nothing and nothing went the old way after the barrier reply" || echo "targets missed: see the figures above")"
[ "$ok" = True ]
