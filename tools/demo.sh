#!/usr/bin/env bash
# The pfswitch demo: three hosts in network namespaces, each linked by a veth pair to
# pfswitchd (net_af_packet ports veth-a, veth-b, veth-c = OpenFlow ports 1, 2, 3 of
# bridge br0 in config/pfswitch.ini), all pinging each other through the switch.
# With no controller the bridge runs standalone (a MAC-learning switch); with
# --controller it connects there too (and still forwards while the controller is away).
# --local gives br0 its LOCAL port, a tap interface pfs-br0 in this (the root)
# namespace with address 10.0.0.254/24, so this host pings the hosts through the switch.
#
#   tools/demo.sh [--controller tcp:IP[:PORT]] [--local] [--stay] [--config FILE]
#
# --stay keeps the topology up until Ctrl-C (the default when run on a terminal), so
# you can try `ip netns exec pfs-h1 ping 10.0.0.2` or `build/tools/pfs-ofctl show br0`.
# Everything is torn down on exit, on Ctrl-C and on failure. Needs root.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
config=$top/config/pfswitch.ini
controller=
stay=
local_port=
local_if=pfs-br0
local_ip=10.0.0.254
[ -t 0 ] && [ -t 1 ] && stay=1
while [ $# -gt 0 ]; do
	case $1 in
	--controller) controller=${2:?--controller needs tcp:IP[:PORT]}; shift ;;
	--controller=*) controller=${1#*=} ;;
	--stay) stay=1 ;;
	--local) local_port=1 ;;
	--no-stay) stay= ;;
	--config) config=${2:?}; shift ;;
	-h | --help) sed -n '2,14p' "$0"; exit 0 ;;
	*) echo "demo: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (network namespaces)" >&2; exit 1; }
pfswitchd=$top/build/tools/pfswitchd
ofctl=$top/build/tools/pfs-ofctl
for b in "$pfswitchd" "$ofctl"; do
	[ -x "$b" ] || { echo "demo: $b is not built (ninja -C build)" >&2; exit 1; }
done

hosts=(pfs-h1 pfs-h2 pfs-h3)
ports=(veth-a veth-b veth-c)
work=$(mktemp -d /tmp/pfs-demo.XXXXXX)
rundir=$work/run
pid=

cleanup() {
	trap - EXIT INT TERM
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	fi
	for i in 0 1 2; do
		ip link del "${ports[$i]}" 2>/dev/null
		ip netns del "${hosts[$i]}" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'echo; echo "demo: stopping"; exit 0' INT TERM

step() { printf '\n== %s\n' "$*"; }

step "hosts: ${hosts[*]} (10.0.0.1-3) linked to switch ports ${ports[*]}"
for i in 0 1 2; do
	h=${hosts[$i]} p=${ports[$i]}
	ip netns del "$h" 2>/dev/null
	ip link del "$p" 2>/dev/null
	ip netns add "$h" || exit 1
	ip link add "$p" type veth peer name eth0 netns "$h" || exit 1
	# A switch port carries the hosts' traffic only: the kernel must not send its own
	# IPv6 neighbour discovery out of it (af_packet would pass those frames on as if
	# a host had sent them).
	sysctl -qw "net.ipv6.conf.$p.disable_ipv6=1"
	ip link set "$p" up
	ip -n "$h" addr add "10.0.0.$((i + 1))/24" dev eth0
	ip -n "$h" link set eth0 up
	ip -n "$h" link set lo up
	# The switch forwards frames as they are: let the hosts compute their own
	# checksums instead of leaving them to an offload that never happens on veth.
	ip netns exec "$h" ethtool -K eth0 tx off >/dev/null 2>&1
done

# The shipped config, with the demo's rundir and, if asked, a controller.
mkdir -p "$rundir"
sed -e "s|^rundir *=.*|rundir = $rundir|" "$config" >"$work/pfswitch.ini"
if [ -n "$controller" ]; then
	sed -i "/^\[bridge br0\]/a controller = $controller" "$work/pfswitch.ini"
fi
if [ -n "$local_port" ]; then
	ip link show "$local_if" >/dev/null 2>&1 &&
		{ echo "demo: interface $local_if already exists" >&2; exit 1; }
	sed -i -e '/^local_port\(_name\)\? *=/d' \
		-e "/^\[bridge br0\]/a local_port = true\nlocal_port_name = $local_if" "$work/pfswitch.ini"
fi

step "starting pfswitchd (config $config${controller:+, controller $controller})"
"$pfswitchd" --config "$work/pfswitch.ini" >"$work/pfswitchd.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ -S "$rundir/br0.mgmt" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ ! -S "$rundir/br0.mgmt" ]; then
	echo "demo: pfswitchd did not come up; its log:" >&2
	cat "$work/pfswitchd.log" >&2
	exit 1
fi

if [ -n "$local_port" ]; then
	step "LOCAL port: tap $local_if in this namespace, $local_ip/24"
	for _ in $(seq 50); do ip link show "$local_if" >/dev/null 2>&1 && break; sleep 0.1; done
	sysctl -qw "net.ipv6.conf.$local_if.disable_ipv6=1"
	ip addr add "$local_ip/24" dev "$local_if" && ip link set "$local_if" up || exit 1
fi

step "pfs-ofctl show br0"
"$ofctl" --rundir "$rundir" show br0

step "ping between every pair of hosts"
failed=0
for i in 0 1 2; do
	for j in 0 1 2; do
		[ "$i" = "$j" ] && continue
		if ip netns exec "${hosts[$i]}" ping -c 2 -W 2 -q "10.0.0.$((j + 1))" >/dev/null; then
			echo "  ${hosts[$i]} -> 10.0.0.$((j + 1)): ok"
		else
			echo "  ${hosts[$i]} -> 10.0.0.$((j + 1)): FAILED"
			failed=$((failed + 1))
		fi
	done
done

if [ -n "$local_port" ]; then
	for j in 0 1 2; do
		if ping -c 2 -W 2 -q -I "$local_if" "10.0.0.$((j + 1))" >/dev/null; then
			echo "  this host ($local_ip) -> 10.0.0.$((j + 1)): ok"
		else
			echo "  this host ($local_ip) -> 10.0.0.$((j + 1)): FAILED"
			failed=$((failed + 1))
		fi
	done
fi

step "pfs-ofctl dump-flows br0 (empty while standalone: forwarding is MAC learning)"
"$ofctl" --rundir "$rundir" dump-flows br0
step "pfs-ofctl dump-ports br0"
"$ofctl" --rundir "$rundir" dump-ports br0

if [ "$failed" -ne 0 ]; then
	echo "demo: $failed pings failed; pfswitchd log:" >&2
	tail -20 "$work/pfswitchd.log" >&2
	exit 1
fi
echo
echo "demo: all hosts reach each other through pfswitch."
if [ -n "$stay" ]; then
	cat <<MSG
The topology stays up until Ctrl-C. Try:
  ip netns exec pfs-h1 ping 10.0.0.3${local_port:+
  ping 10.0.0.1   (from this host, over the LOCAL port $local_if)}
  $ofctl --rundir $rundir dump-ports br0
  ovs-ofctl -O OpenFlow13 show unix:$rundir/br0.mgmt
MSG
	while kill -0 "$pid" 2>/dev/null; do sleep 1; done
	echo "demo: pfswitchd exited; its log:" >&2
	tail -20 "$work/pfswitchd.log" >&2
	exit 1
fi
