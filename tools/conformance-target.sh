#!/usr/bin/env bash
# TARGET for the OpenFlow 1.3 conformance suite (run-of13.sh): pfswitchd with three
# net_pcap ports on the given interfaces as OpenFlow ports 1, 2, 3, fail mode
# secure, one controller. Runs in the foreground until SIGTERM/SIGINT.
# net_pcap, not net_af_packet: the kernel strips the outer VLAN tag of every received
# frame, and DPDK 22.11's af_packet PMD puts it back as 0x8100 whatever its TPID was,
# which turns 802.1ad (0x88a8) S-tags into C-tags; libpcap restores the real TPID.
#
#   conformance-target.sh P1 P2 P3 CTL DPID [LOGDIR]
# PFSWITCHD overrides the binary (default: build/tools/pfswitchd beside this script).
set -u
if [ $# -lt 5 ]; then
	sed -n '2,7p' "$0" >&2
	exit 2
fi
P1=$1 P2=$2 P3=$3 CTL=$4 DPID=$5 LOGDIR=${6:-}
top=$(cd "$(dirname "$0")/.." && pwd)
PFSWITCHD=${PFSWITCHD:-$top/build/tools/pfswitchd}
D=$(mktemp -d /tmp/pfs-cf.XXXXXX) || exit 1
[ -n "$LOGDIR" ] || LOGDIR=$D

cat >"$D/pfswitch.ini" <<INI
[dpdk]
eal = -l 0-1 --no-huge --no-shconf -m 512 --no-pci --log-level=lib.eal:error
[switch]
workers = 1
rundir = $D
[bridge cf]
datapath_id = 0x$DPID
fail_mode = secure
controller = tcp:$CTL
max_backoff = 1
[port $P1]
bridge = cf
ofport = 1
devargs = net_pcap0,iface=$P1
[port $P2]
bridge = cf
ofport = 2
devargs = net_pcap1,iface=$P2
[port $P3]
bridge = cf
ofport = 3
devargs = net_pcap2,iface=$P3
INI

pid=
cleanup() {
	trap - TERM INT HUP EXIT
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$D"
}
trap 'cleanup; exit 0' TERM INT HUP
trap cleanup EXIT

"$PFSWITCHD" --config "$D/pfswitch.ini" >>"$LOGDIR/pfswitchd.log" 2>&1 &
pid=$!
wait "$pid"
