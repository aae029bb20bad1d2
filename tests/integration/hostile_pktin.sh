#!/bin/bash
# Hostile: a port flooding table misses, and a port flooding source MACs.
#
# Three hosts h1..h3 on net_af_packet ports 1..3 of br0.
#  1. Packet-in fairness (fail_mode secure, controller pktin_ctl.py: table-miss ->
#     CONTROLLER, counts packet-ins per in_port, ECHO every 100 ms; packet-in rate
#     limit 100/s, burst 10: low enough that the storm exceeds it many times over even
#     when a loaded machine lets the switch receive only a few thousand frames/s). h1
#     floods table misses at full rate (random unknown destination MACs, pkt_flood.py)
#     while h3 sends 20 ARP requests, 0.2 s apart. Checks: at least 16 of h3's ARP requests reach the
#     controller (before the fair queues, nearly all tokens went to the flood); the
#     controller's ECHOs are all answered, the worst within 1 s; a new mgmt connection
#     gets its ECHO within 1 s (pfs_healthy) and RSS stays bounded; h1's flood still
#     gets packet-ins too (fair share, not starved either).
#  2. MAC flood (fail_mode standalone, no controller, default mac_max_per_port 1024):
#     h2 and h3 learn each other, then h1 sends from random source MACs at full rate
#     (far beyond the per-port limit). h2 pings h3; then h3 takes a new MAC (a host
#     arriving during the flood) and h2 pings it again. Checks: the pings pass, and
#     tcpdump on h1 sees none of their ICMP unicast (before the fix, the flood evicted
#     their entries and their unicast was flooded to every port).
#
# usage: hostile_pktin.sh PATH/TO/pfswitchd
# Exit: 0 pass, 1 failure, 77 skipped (not root, tools missing). Namespaces, veths and
# processes are removed on exit, also on failure.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
pfs_init hostile-pktin "$1" tcpdump ethtool
[ -x /usr/bin/python3 ] || pfs_skip "/usr/bin/python3 missing"

CPORT=$((30000 + TAG % 20000))
pfs_hosts 3
MAC1=$(pfs_mac 1)
MAC2=$(pfs_mac 2)
MAC3=$(pfs_mac 3)
for i in 1 2 3; do sysctl -qw "net.ipv6.conf.pfv$i-$TAG.disable_ipv6=1"; done

# send_arps NS SRC_MAC SRC_IP DST_IP COUNT: ARP requests, 0.2 s apart
send_arps() {
	ip netns exec "$1" /usr/bin/python3 - "$2" "$3" "$4" "$5" <<'PY'
import socket, struct, sys, time
mac = bytes.fromhex(sys.argv[1].replace(":", ""))
sip, tip = socket.inet_aton(sys.argv[2]), socket.inet_aton(sys.argv[3])
f = b"\xff" * 6 + mac + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
f += mac + sip + b"\x00" * 6 + tip + b"\x00" * 18
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for _ in range(int(sys.argv[4])):
    s.send(f)
    time.sleep(0.2)
PY
}

status() { cat "$TMP/ctl.status" 2>/dev/null; }
field() { status | awk -v k="$1" -v p="$2" '$1 == k && $2 == p {print $NF}'; }

# ---- 1. packet-in storm from one port -------------------------------------------------------
pfs_config "$TMP/storm.ini" "fail_mode = secure
controller = tcp:127.0.0.1:$CPORT
inactivity_probe = 5
packet_in_rate = 100
packet_in_burst = 10"
pfs_bg /usr/bin/python3 "$DIR/pktin_ctl.py" --port "$CPORT" --status "$TMP/ctl.status"
CTL=$BGPID
sleep 0.5
pfs_start "$TMP/storm.ini"
pfs_wait 20 grep -q "flows_installed 1" "$TMP/ctl.status" || fail "controller did not install its table-miss flow"
sleep 1
RSS0=$(pfs_rss_kb)

pfs_bg ip netns exec "$NS1" /usr/bin/python3 "$DIR/pkt_flood.py" eth0 30 dst "$MAC1"
FLOOD=$BGPID
sleep 3
P1_BEFORE=$(field pin 1)
send_arps "$NS3" "$MAC3" "$(pfs_ip 3)" "$(pfs_ip 2)" 20
sleep 1
pfs_healthy "during the table-miss storm" $((RSS0 + 65536))
sleep 0.6
ARPS=$(status | awk -v m="$MAC3" '$1 == "arp" && $2 == 3 && $3 == m {print $4}')
P1=$(field pin 1)
read -r _ N_ECHO MAX_MS P99_MS LOST < <(status | grep '^echo ')
kill "$FLOOD" 2>/dev/null
echo "storm: h3 ARP packet-ins ${ARPS:-0}/20, h1 packet-ins ${P1_BEFORE:-0} -> ${P1:-0}," \
	"controller ECHO n=$N_ECHO max ${MAX_MS} ms p99 ${P99_MS} ms lost $LOST"
if [ "${ARPS:-0}" -ge 16 ]; then pass "h3's ARP requests reach the controller during h1's storm (${ARPS}/20)"
else fail "h3's ARP requests starved by h1's storm: ${ARPS:-0}/20 reached the controller"; fi
if [ "${P1:-0}" -gt "${P1_BEFORE:-0}" ]; then pass "h1's table misses still come up (fair share)"
else fail "no packet-in from h1 during its storm"; fi
if [ "${N_ECHO:-0}" -ge 20 ] && [ "${LOST:-1}" = 0 ] && awk -v m="$MAX_MS" 'BEGIN {exit !(m < 1000)}'; then
	pass "controller's ECHOs answered during the storm (worst ${MAX_MS} ms)"
else
	fail "controller's ECHOs during the storm: n=${N_ECHO:-0} max ${MAX_MS:-?} ms lost ${LOST:-?}"
fi
check "SIGTERM after the storm" pfs_stop_within 10
kill "$CTL" 2>/dev/null

# ---- 2. MAC flood in standalone mode --------------------------------------------------------
pfs_config "$TMP/mac.ini" "fail_mode = standalone"
pfs_start "$TMP/mac.ini"
pfs_wait 10 pfs_ping 2 3 1 || fail "h2 cannot ping h3 before the flood"
check "h3 pings h2 before the flood" pfs_ping 3 2 2
RSS0=$(pfs_rss_kb)

pfs_bg ip netns exec "$NS1" /usr/bin/python3 "$DIR/pkt_flood.py" eth0 40 src
FLOOD=$BGPID
sleep 4
ip netns exec "$NS1" timeout 20 tcpdump -i eth0 -U -n -w "$TMP/h1.pcap" \
	"icmp and (ether src $MAC2 or ether src $MAC3 or ether dst $MAC2 or ether dst $MAC3 or ether host 02:33:33:33:33:03)" \
	2>"$TMP/tcpdump.err" &
DUMP=$!
PFS_PIDS+=("$DUMP")
pfs_wait 5 grep -q listening "$TMP/tcpdump.err"
check "h2 pings h3 during the MAC flood" ip netns exec "$NS2" ping -c 20 -i 0.2 -W 2 -q "$(pfs_ip 3)"
# A host arriving during the flood: h3 with a new MAC.
ip -n "$NS3" link set eth0 address 02:33:33:33:33:03
ip -n "$NS2" neigh flush all
check "h2 pings h3's new MAC during the MAC flood" ip netns exec "$NS2" ping -c 10 -i 0.2 -W 2 -q "$(pfs_ip 3)"
sleep 0.5
kill -INT "$DUMP" 2>/dev/null
wait "$DUMP" 2>/dev/null
LEAKED=$(tcpdump -r "$TMP/h1.pcap" -n 2>/dev/null | wc -l)
echo "MAC flood: $LEAKED of h2/h3's ICMP frames seen on h1"
if [ "$LEAKED" = 0 ]; then pass "h2<->h3 unicast not flooded to h1 during the MAC flood"
else fail "h2<->h3 unicast flooded to h1 during the MAC flood ($LEAKED frames)"; fi
pfs_healthy "during the MAC flood" $((RSS0 + 65536))
kill "$FLOOD" 2>/dev/null
check "SIGTERM after the MAC flood" pfs_stop_within 10
pfs_done
