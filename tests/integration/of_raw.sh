#!/bin/bash
# Raw OpenFlow 1.3 checks of pfswitchd (of_raw.py) with three hosts h1..h3 on
# net_af_packet ports 1..3 of bridge br0 (fail_mode secure, passive controller
# ptcp:PORT:127.0.0.1, which the python client connects to as a controller):
#   errors   malformed/truncated/unsupported messages get the right OFPT_ERROR and the
#            session survives (controller connection and mgmt socket)
#   pktio    PACKET_IN (table miss, output:CONTROLLER) and PACKET_OUT round trips
#   flowrem  FLOW_REMOVED for a hard timeout with the right reason and counters
# (ofproto_basic.sh covers idle expiry.)
#
# usage: of_raw.sh PATH/TO/pfswitchd [TEST...]   (default: errors pktio flowrem)
# Exit: 0 pass, 1 failure, 77 skipped (not root, or tcpdump/scapy missing).
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
pfs_init of-raw "${1:?usage: $0 PATH/TO/pfswitchd [TEST...]}" tcpdump ss
shift
/usr/bin/python3 -c 'import scapy.all' 2>/dev/null || pfs_skip "python3-scapy missing"
TESTS=${*:-errors pktio flowrem}

CPORT=$((30000 + TAG % 20000))
pfs_hosts 3
pfs_config "$TMP/sw.ini" "fail_mode = secure
controller = ptcp:$CPORT:127.0.0.1
inactivity_probe = 0"
pfs_start "$TMP/sw.ini"
pfs_wait 10 ss -Htln "( sport = :$CPORT )" || { fail "ptcp listener"; pfs_done; }

for t in $TESTS; do
	if timeout 60 /usr/bin/python3 "$DIR/of_raw.py" --ctl "127.0.0.1:$CPORT" --mgmt "$RUN/br0.mgmt" \
		--ns "$NS1,$NS2,$NS3" --mac "$(pfs_mac 1),$(pfs_mac 2),$(pfs_mac 3)" "$t"; then
		pass "of_raw.py $t"
	else
		fail "of_raw.py $t"
	fi
done
kill -0 "$PID" && pass "pfswitchd alive" || fail "pfswitchd died"
pfs_done
