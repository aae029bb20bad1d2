# The emulated leaf-spine fabric (sourced after pfs_testlib.sh and faucet_lib.sh; used by
# tests/integration/fabric.sh and tools/fabric-demo.sh).
#
# Two spines sp1, sp2 and three leaves lf1..lf3, each a pfswitchd bridge; every spine is
# wired to every leaf by a veth pair in the root namespace (both ends are af_packet ports):
#   spine S port L  <->  leaf L port S       veths fsSlL-TAG (spine side), flLsS-TAG
# Two hosts per leaf: namespace fabLI-TAG, eth0 10.NET.0.LI/24, root-side veth fhLI-TAG
# on leaf L port 2+I.  Datapath ids: sp1 0x1, sp2 0x2, lfL 0x1L.
#
#   fab_build                     creates the hosts and the links (removed at exit)
#   fab_config FILE RUNDIR CTLPORT BRIDGE...
#                                 a pfswitchd config holding those bridges (fail_mode
#                                 secure, controller tcp:127.0.0.1:CTLPORT)
#   fab_faucet_yaml FILE          Faucet config: the five dps stacked, sp1 the root,
#                                 sp2 the backup root (a spine stays root while a third
#                                 of its stack ports is up), LLDP every
#                                 $FAB_LLDP_INTERVAL s, one VLAN on the host ports
#   fab_stack_up LOG              Faucet's log last reported all 12 stack ports UP
#   fab_start_daemon CONFIG RUNDIR BRIDGE   starts a pfswitchd (retried on a fanout clash)
#   fab_reroute FROM TO LOG       cuts FROM's busy uplink during a ping flood (see there)
#   fab_ping_gap FILE             the longest gap (s) between replies in a ping -D log
#   fab_ping H1 H2 [COUNT]        host H1 (e.g. 11) pings H2's address
#   fab_link_ends S L             the two veth names of the spine S - leaf L link
FAB_SPINES="1 2"
FAB_LEAVES="1 2 3"
FAB_HOSTS="11 12 21 22 31 32"
# Faucet's LLDP beacon interval on stack ports (s): a cut link is declared GONE after 3
# beacons are missed (Faucet's default interval is 5 s, so 15 s)
FAB_LLDP_INTERVAL=${FAB_LLDP_INTERVAL:-2}

fab_ns() { echo "fab$1-$TAG"; }
fab_ip() { echo "10.$NET.0.$1"; }
fab_link_ends() { echo "fs$1l$2-$TAG fl$2s$1-$TAG"; }
fab_ping() {
	ip netns exec "$(fab_ns "$1")" ping -c "${3:-2}" -i 0.2 -W 2 -q "$(fab_ip "$2")" >/dev/null 2>&1
}

# _fab_quiet IF: no IPv6 chatter (MLD, DAD, RS) from a kernel-side end
_fab_quiet() { sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1" 2>/dev/null; }

fab_build() {
	local s l h ns v a b
	for h in $FAB_HOSTS; do
		ns=$(fab_ns "$h")
		v=fh$h-$TAG
		ip netns add "$ns" || pfs_skip "cannot create network namespaces"
		PFS_NS+=("$ns")
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip link add "$v" type veth peer name eth0 netns "$ns" || exit 1
		PFS_LINKS+=("$v")
		_fab_quiet "$v"
		ip link set "$v" up
		ip -n "$ns" link set eth0 address "02:fa:00:00:00:$h"
		ip -n "$ns" addr add "$(fab_ip "$h")/24" dev eth0
		ip -n "$ns" link set eth0 up
		ip -n "$ns" link set lo up
		ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null 2>&1
	done
	for s in $FAB_SPINES; do
		for l in $FAB_LEAVES; do
			read -r a b <<<"$(fab_link_ends "$s" "$l")"
			ip link add "$a" type veth peer name "$b" || exit 1
			PFS_LINKS+=("$a")
			_fab_quiet "$a"
			_fab_quiet "$b"
			ip link set "$a" up
			ip link set "$b" up
		done
	done
}

# _fab_ports BRIDGE: "ofport iface" lines for a bridge's ports
_fab_ports() {
	local n=${1:2:1} s l i
	case $1 in
	sp?) for l in $FAB_LEAVES; do echo "$l fs${n}l$l-$TAG"; done ;;
	lf?)
		for s in $FAB_SPINES; do echo "$s fl${n}s$s-$TAG"; done
		for i in 1 2; do echo "$((2 + i)) fh$n$i-$TAG"; done
		;;
	esac
}

fab_dpid() { case $1 in sp?) echo "0x${1:2:1}" ;; lf?) echo "0x1${1:2:1}" ;; esac; }

fab_config() {
	local file=$1 rundir=$2 port=$3 br k=0 ofp ifc
	shift 3
	{
		cat <<EOC
[dpdk]
eal = -l 0-1 --no-huge --no-shconf --no-pci --log-level=lib.eal:error -m 512
[switch]
workers = 1
rundir = $rundir
idle_polls_before_sleep = 100
idle_sleep_us = 200
EOC
		for br in "$@"; do
			printf '[bridge %s]\ndatapath_id = %s\nfail_mode = secure\n' "$br" "$(fab_dpid "$br")"
			printf 'controller = tcp:127.0.0.1:%s\nmax_backoff = 1\n' "$port"
		done
		for br in "$@"; do
			while read -r ofp ifc; do
				printf '[port %s]\nbridge = %s\nofport = %s\ndevargs = net_af_packet%d,iface=%s\n' \
					"${ifc%-*}" "$br" "$ofp" "$k" "$ifc"
				k=$((k + 1))
			done < <(_fab_ports "$br")
		done
	} >"$file"
}

fab_faucet_yaml() {
	local s l
	{
		printf 'vlans:\n  fabric:\n    vid: 100\ndps:\n'
		for s in $FAB_SPINES; do
			printf '  sp%s:\n    dp_id: %s\n    hardware: "Open vSwitch"\n' "$s" "$(fab_dpid "sp$s")"
			printf '    stack: {priority: %s, min_stack_health: 0.3}\n' "$s"
			printf '    lldp_beacon: {send_interval: %s, max_per_interval: 10}\n    interfaces:\n' "$FAB_LLDP_INTERVAL"
			for l in $FAB_LEAVES; do
				printf '      %s: {description: to-lf%s, stack: {dp: lf%s, port: %s}}\n' "$l" "$l" "$l" "$s"
			done
		done
		for l in $FAB_LEAVES; do
			printf '  lf%s:\n    dp_id: %s\n    hardware: "Open vSwitch"\n' "$l" "$(fab_dpid "lf$l")"
			printf '    lldp_beacon: {send_interval: %s, max_per_interval: 10}\n    interfaces:\n' "$FAB_LLDP_INTERVAL"
			for s in $FAB_SPINES; do
				printf '      %s: {description: to-sp%s, stack: {dp: sp%s, port: %s}}\n' "$s" "$s" "$s" "$l"
			done
			printf '      3: {description: h%s1, native_vlan: fabric}\n' "$l"
			printf '      4: {description: h%s2, native_vlan: fabric}\n' "$l"
		done
	} >"$1"
}

# fab_stack_up LOG: every one of the 12 stack ports was last reported UP in Faucet's log
fab_stack_up() {
	local n
	n=$(grep -o "[a-z0-9]* Stack Port [0-9]* state [A-Z]*" "$1" 2>/dev/null |
		awk '{key=$0; sub(/ state .*/, "", key); last[key]=$NF}
		     END {n=0; for (k in last) if (last[k] == "UP") n++; print n}')
	[ "${n:-0}" -ge 12 ]
}

# fab_ping_gap FILE: the longest time (seconds, 3 decimals) between two consecutive
# replies in the output of ping -D (the outage a flood saw)
fab_ping_gap() {
	sed -n 's/^\[\([0-9.]*\)\].*icmp_seq=.*time=.*/\1/p' "$1" |
		awk 'NR > 1 && $1 - p > g {g = $1 - p} {p = $1} END {printf "%.3f\n", g}'
}

# fab_start_daemon CONFIG RUNDIR FIRST_BRIDGE: starts a pfswitchd, sets DPID_STARTED.
# DPDK's af_packet PMD names its PACKET_FANOUT group (pid ^ ifindex): a second daemon can
# collide with the first one's group and fail to attach a port (EINVAL); a new pid cures
# that, so a start that died with that error is retried.
fab_start_daemon() {
	local try log=$TMP/daemon-$3.log n
	[ "$3" = lf3 ] || log=$TMP/daemon.log
	for try in 1 2 3 4 5; do
		n=$(cat "$log" 2>/dev/null | wc -l)
		"$PFSWITCHD" --config "$1" --log-level info >>"$log" 2>&1 &
		DPID_STARTED=$!
		pfs_wait 20 sh -c "test -S '$2/$3.mgmt' || ! kill -0 $DPID_STARTED"
		kill -0 "$DPID_STARTED" 2>/dev/null && [ -S "$2/$3.mgmt" ] && return 0
		wait "$DPID_STARTED" 2>/dev/null
		tail -n +$((n + 1)) "$log" | grep -q "PACKET_FANOUT" || break
		echo "note: af_packet fanout group collision starting $3, retrying ($try)"
	done
	fail "pfswitchd ($1) did not start"
	tail -20 "$log"
	pfs_done
}

# _fab_pk IF: frames through a veth end, both ways
_fab_pk() {
	echo $(($(cat "/sys/class/net/$1/statistics/tx_packets") + $(cat "/sys/class/net/$1/statistics/rx_packets")))
}

# fab_reroute FROM TO LOG: host FROM (on leaf L) pings host TO (another leaf) 100 times a
# second; 2 s in, the uplink of L that carries the traffic is cut (its leaf end set down).
# Sets FAB_CUT (the spine cut off), FAB_OTHER, FAB_BOUND (s), FAB_RECV, FAB_LOSS (%),
# FAB_GAP (the longest gap between replies, s: the convergence time) and
# FAB_OTHER_FRAMES (frames on the other uplink after the cut). fab_restore undoes the cut.
fab_reroute() {
	local l=${1:0:1} a1 a2 d1 d2 o0 flood n
	a1=$(_fab_pk "fl${l}s1-$TAG") a2=$(_fab_pk "fl${l}s2-$TAG")
	ip netns exec "$(fab_ns "$1")" ping -q -c 50 -i 0.01 "$(fab_ip "$2")" >/dev/null 2>&1
	d1=$(($(_fab_pk "fl${l}s1-$TAG") - a1)) d2=$(($(_fab_pk "fl${l}s2-$TAG") - a2))
	echo "lf$l uplinks during 50 pings h$1 -> h$2: to sp1 $d1 frames, to sp2 $d2 frames"
	FAB_CUT=1 FAB_OTHER=2
	[ "$d2" -gt "$d1" ] && FAB_CUT=2 FAB_OTHER=1
	# Faucet declares a stack link GONE after 3 LLDP beacons are missed, then reroutes
	FAB_BOUND=$((3 * FAB_LLDP_INTERVAL + 5))
	n=$((100 * (FAB_BOUND + 5)))
	ip netns exec "$(fab_ns "$1")" ping -D -i 0.01 -c "$n" -W 1 "$(fab_ip "$2")" >"$3" 2>&1 &
	flood=$!
	sleep 2
	read -r _ FAB_CUT_END <<<"$(fab_link_ends "$FAB_CUT" "$l")"
	o0=$(_fab_pk "fl${l}s$FAB_OTHER-$TAG")
	ip link set "$FAB_CUT_END" down
	wait "$flood"
	FAB_OTHER_FRAMES=$(($(_fab_pk "fl${l}s$FAB_OTHER-$TAG") - o0))
	FAB_LOSS=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$3")
	FAB_RECV=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$3")
	FAB_GAP=$(fab_ping_gap "$3")
	echo "REROUTE: cut lf$l-sp$FAB_CUT during $n pings at 100/s: received ${FAB_RECV:-0}," \
		"loss ${FAB_LOSS:-?}%, convergence (longest gap) $FAB_GAP s"
}
fab_restore() { ip link set "$FAB_CUT_END" up; }
