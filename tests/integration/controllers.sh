#!/bin/bash
# pfswitchd under two independent real controllers, with three hosts h1..h3 in network
# namespaces on net_af_packet ports 1..3 of bridge br0 (fail_mode secure, active
# controller tcp:127.0.0.1:PORT, max_backoff 4 s):
#  1. os-ken (osken-manager + osken_l2switch.py, a MAC-learning app): every host pings
#     every other; the learned "in_port,eth_dst -> output" flows and the table-miss flow
#     appear in `pfs-ofctl dump-flows`.
#  2. the controller is killed: ping keeps working on the installed flows (secure mode
#     keeps them), the switch retries with back-off (SYNs towards the controller port
#     timed with tcpdump on lo: gaps grow and stay <= max_backoff); once the flows are deleted the
#     secure bridge drops everything (no controller, table miss).
#  3. ovs-testcontroller -O OpenFlow13 is started on the same port: the switch
#     reconnects within max_backoff (+1 s slack), every host pings every other again
#     and the testcontroller's flows appear in dump-flows.
#
# usage: controllers.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failure, 77 skipped (not root, or osken-manager/ovs-testcontroller/
# tcpdump/ss missing). Namespaces, veths and processes are removed on exit.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
OFCTL=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd PATH/TO/pfs-ofctl}")
pfs_init controllers "$1" osken-manager ovs-testcontroller tcpdump ss ethtool
/usr/bin/python3 -c 'import os_ken' 2>/dev/null || pfs_skip "python3-os-ken missing"

CPORT=$((30000 + TAG % 20000))
BACKOFF=4
PFS="timeout 20 $OFCTL --rundir $RUN"

pfs_hosts 3
pfs_config "$TMP/sw.ini" "fail_mode = secure
controller = tcp:127.0.0.1:$CPORT
max_backoff = $BACKOFF
inactivity_probe = 5"

connected() { [ -n "$(ss -Htn state established "( dport = :$CPORT )")" ]; }

all_pairs() {
	local i j bad=0
	for i in 1 2 3; do
		for j in 1 2 3; do
			[ "$i" = "$j" ] && continue
			pfs_ping "$i" "$j" 2 || { echo "h$i -> h$j failed"; bad=1; }
		done
	done
	return $bad
}

# flows_for_all_macs PATTERN_PREFIX: each host MAC is some flow's destination
flows_for_all_macs() {
	local i mac f
	f=$($PFS dump-flows br0) || return 1
	echo "$f"
	for i in 1 2 3; do
		mac=$(pfs_mac "$i")
		echo "$f" | grep -q "$1$mac" || { echo "no flow to $mac"; return 1; }
	done
}

# ---- 1. os-ken ----
pfs_bg /usr/bin/python3 /usr/bin/osken-manager --ofp-listen-host 127.0.0.1 \
	--ofp-tcp-listen-port "$CPORT" "$DIR/osken_l2switch.py" >"$TMP/osken.log" 2>&1
OSKEN=$BGPID
pfs_wait 10 ss -Htln "( sport = :$CPORT )" || { fail "osken-manager not listening"; cat "$TMP/osken.log"; pfs_done; }
pfs_start "$TMP/sw.ini"
pfs_wait 15 connected && pass "os-ken: switch connected" || fail "os-ken: no connection"
pfs_wait 10 sh -c "$PFS dump-flows br0 | grep -q 'priority=0 actions=CONTROLLER'" &&
	pass "os-ken: table-miss flow installed" || { fail "os-ken: table-miss flow"; $PFS dump-flows br0; }
check "os-ken: all hosts reach each other" all_pairs
check "os-ken: learned eth_dst flows in dump-flows" flows_for_all_macs "priority=1,in_port=[0-9]*,dl_dst="
n=$($PFS dump-flows br0 | grep -c "priority=1,in_port")
[ "$n" -ge 6 ] && pass "os-ken: $n learned flows (>= 6)" || fail "os-ken: only $n learned flows"
grep -q "learned flow" "$TMP/osken.log" && pass "os-ken app logged learning" || fail "os-ken log"

# ---- 2. controller down: secure mode keeps forwarding on installed flows ----
kill -9 "$OSKEN"
wait "$OSKEN" 2>/dev/null
T0=$SECONDS
KILLED=$(date +%s.%N)
timeout 14 tcpdump -i lo -n -l -tt "tcp dst port $CPORT and tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0" \
	>"$TMP/syns" 2>/dev/null &
TCPD=$!
PFS_PIDS+=("$TCPD")
check "controller killed: ping still works on installed flows" all_pairs
pfs_wait 5 sh -c "! ss -Htn state established '( dport = :$CPORT )' | grep -q ." &&
	pass "controller connection gone" || fail "connection still established"
wait "$TCPD" 2>/dev/null
# 14 s of connection attempts: back-off 1, 2, 4, 4 s: the gaps grow, none exceeds
# max_backoff (+0.5 s slack), and there are a few attempts, not a storm.
if awk -v t0="$KILLED" -v max="$BACKOFF" '
	/^[0-9]+\.[0-9]+ IP/ { t[++n] = $1 }
	END {
		prev = t0
		for (i = 1; i <= n; i++) { g = t[i] - prev; printf "attempt %d after %.2f s\n", i, g; if (g > max + 0.5) bad = 1; gap[i] = g; prev = t[i] }
		if (n < 3 || n > 7 || gap[n] < gap[2] + 0.5) bad = 1
		exit bad
	}' "$TMP/syns" >"$TMP/gaps"; then
	pass "reconnect attempts back off up to max_backoff: $(grep -c "^attempt" "$TMP/gaps") in 14 s"
else
	fail "reconnect back-off (max_backoff $BACKOFF s)"
fi
sed 's/^/    /' "$TMP/gaps"
check "still forwarding after $((SECONDS - T0)) s without controller" all_pairs
check "del-flows over mgmt" $PFS del-flows br0
check_not "secure, no flows, no controller: ping dropped" pfs_ping 1 2 2

# ---- 3. ovs-testcontroller on the same port: reconnect within max_backoff ----
pfs_bg ovs-testcontroller -O OpenFlow13 --no-chdir --unixctl="$TMP/tc.ctl" \
	-vconsole:warn "ptcp:$CPORT:127.0.0.1" >"$TMP/tc.log" 2>&1
T1=$(date +%s.%N)
if pfs_wait $((BACKOFF + 1)) connected; then
	dt=$(echo "$(date +%s.%N) - $T1" | bc)
	pass "reconnected to ovs-testcontroller after ${dt}s (max_backoff $BACKOFF s)"
else
	fail "no reconnect within max_backoff + 1 s"
fi
check "ovs-testcontroller: all hosts reach each other" all_pairs
check "ovs-testcontroller: learned flows in dump-flows" flows_for_all_macs "dl_dst="
grep -q "negotiated OpenFlow 1.3" "$TMP/daemon.log" && pass "OpenFlow 1.3 negotiated" || fail "negotiation log"
kill -0 "$PID" && pass "pfswitchd alive" || fail "pfswitchd died"
pfs_done
