#!/bin/bash
# SIGTERM must stop pfswitchd within 5 s, whatever the datapath is doing.
#
#   shutdown_stress.sh PATH/TO/pfswitchd [ITERATIONS]
#
# 1. A congested egress: port 2 sends through a 8 kbit/s qdisc (net_af_packet with
#    qdisc_bypass=0, tbf on its veth) while h1 sends broadcasts the bridge floods to it. The
#    socket's send buffer fills, and net_af_packet's tx then waits in poll() without a
#    timeout for a free ring frame: the worker stays in rte_eth_tx_burst() (before the
#    fix: for good, and dp_stop() with it). SIGTERM in the middle of it.
# 2. ITERATIONS (default 8) starts under the soak's load loops (tests/bench/soakctl.py:
#    flow churn, controller flaps, packet-out bursts, UDP traffic from every host), each
#    SIGTERMed after a random 0.3-2 s, on odd iterations just after the load stopped.
# A daemon still alive 5 s after SIGTERM fails the test: its threads' stacks are printed
# (gdb), then it is killed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/pfs_testlib.sh"
PY=/usr/bin/python3
pfs_init shutdown-stress "${1:?usage: $0 PATH/TO/pfswitchd [ITERATIONS]}" "$PY" tc
ITER=${2:-8}
CTL="$HERE/../bench/soakctl.py"
"$PY" -c 'import socket; socket.AF_PACKET' 2>/dev/null || pfs_skip "$PY without AF_PACKET"
CPORT=$((20000 + TAG % 20000))
pfs_hosts 3
MGMT="$RUN/br0.mgmt"
MAX_MS=0

stop_loops() {
	local p
	for p in "${PFS_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PFS_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	PFS_PIDS=()
}

# stop_checked LABEL: SIGTERM; pass/fail on a 5 s bound; stacks and SIGKILL on a hang.
stop_checked() {
	local t0 ms
	t0=$(date +%s%N)
	if pfs_stop_within 5; then
		ms=$((($(date +%s%N) - t0) / 1000000))
		echo "$1: stopped in $ms ms"
		[ "$ms" -gt "$MAX_MS" ] && MAX_MS=$ms
		if grep -q "did not stop\|shutdown still not done" "$TMP/daemon.log"; then
			fail "$1: the stop was forced"
			grep "did not stop\|shutdown still not done" "$TMP/daemon.log"
			return 1
		fi
		return 0
	fi
	fail "$1: pfswitchd did not stop within 5 s of SIGTERM"
	if command -v gdb >/dev/null; then
		timeout 60 gdb -p "$PID" -batch -ex "thread apply all bt" 2>&1 | grep -E "^Thread|^#"
	fi
	tail -5 "$TMP/daemon.log"
	kill -9 "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	PID=
	return 1
}

# ---- 1. A worker blocked in net_af_packet's tx ----------------------------------------------
pfs_config "$TMP/slow.ini" "fail_mode = standalone"
sed -i "s/iface=pfv2-$TAG\$/iface=pfv2-$TAG,qdisc_bypass=0/" "$TMP/slow.ini"
tc qdisc add dev "pfv2-$TAG" root tbf rate 8kbit burst 1600 limit 100000000 ||
	pfs_skip "no tbf qdisc"
: >"$TMP/daemon.log"
pfs_start "$TMP/slow.ini"
# 1000-byte UDP broadcasts from h1 (the bridge floods them to ports 2 and 3): at
# 8 kbit/s port 2 takes one a second.
pfs_bg ip netns exec "pfsh1-$TAG" "$PY" -c '
import socket, struct, sys, time
data = b"x" * 1000
udp = struct.pack("!HHHH", 9, 9, 8 + len(data), 0) + data
ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                           bytes([10, 9, 0, 9]), bytes([255] * 4)))
s = sum(struct.unpack("!10H", ip))
s = (s & 0xffff) + (s >> 16)
ip[10:12] = struct.pack("!H", ~((s & 0xffff) + (s >> 16)) & 0xffff)
frame = b"\xff" * 6 + bytes([2, 0, 0, 0, 0, 9]) + b"\x08\x00" + bytes(ip) + udp
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock.bind(("eth0", 0))
end = time.time() + 20
while time.time() < end:
    for _ in range(50):
        try:
            sock.send(frame)
        except OSError:
            pass
    time.sleep(0.01)
'
sleep 3
BACKLOG=$(tc -s qdisc show dev "pfv2-$TAG" | sed -n 's/.*backlog [0-9]*b \([0-9]*\)p.*/\1/p')
# About 100 frames fill the socket's send buffer (half its 208 KiB, in skb truesize).
if [ "${BACKLOG:-0}" -ge 50 ]; then
	pass "port 2's egress is congested (${BACKLOG} frames queued)"
else
	fail "port 2's egress did not congest (${BACKLOG:-?} frames queued)"
fi
check "ECHO answered while a worker waits on port 2" pfs_echo_ok 2
stop_checked "congested egress" && pass "SIGTERM with a worker blocked in tx: stopped in time"
stop_loops
tc qdisc del dev "pfv2-$TAG" root 2>/dev/null

# ---- 2. SIGTERM at random moments under load -------------------------------------------------
pfs_config "$TMP/sw.ini" "fail_mode = secure
controller = ptcp:$CPORT:127.0.0.1"
ok=0
for it in $(seq "$ITER"); do
	: >"$TMP/daemon.log"
	pfs_start "$TMP/sw.ini"
	pfs_bg "$PY" "$CTL" churn "$MGMT" --duration 5 --flows 500 >/dev/null 2>&1
	pfs_bg "$PY" "$CTL" flap "tcp:127.0.0.1:$CPORT" --duration 5 >/dev/null 2>&1
	pfs_bg "$PY" "$CTL" pktout "$MGMT" --duration 5 >/dev/null 2>&1
	for i in 1 2 3; do
		pfs_bg ip netns exec "pfsh$i-$TAG" "$PY" "$CTL" traffic eth0 --duration 5 \
			--pps 3000 >/dev/null 2>&1
	done
	sleep "0.$((RANDOM % 10 + 3))"
	[ $((RANDOM % 2)) = 1 ] && sleep 1
	# Odd iterations: the load stops first (the hostile suites' order).
	[ $((it % 2)) = 1 ] && stop_loops
	stop_checked "iteration $it" && ok=$((ok + 1))
	stop_loops
	[ -z "$PID" ] || break
done
[ "$ok" = "$ITER" ] && pass "$ITER SIGTERMs under load: every stop within 5 s"
echo "slowest stop: $MAX_MS ms"
pfs_done
