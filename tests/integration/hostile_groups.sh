#!/bin/bash
# Hostile group programming (issue #12 findings 1, 2, 11a): a controller on the mgmt
# socket sends valid GROUP_MODs built to hang or explode the switch: a fast-failover group
# whose 64 buckets watch itself, watch and action cycles, a chain of ALL groups with 64
# buckets each, a chain deeper than the datapath executes, a 71-hop watch loop, and host
# traffic into the deepest fan-out group accepted. After each: the expected OFPT_ERROR
# (hostile_groups.py), then ECHO within 1 s, an RSS bound and a ping between hosts 1 and 2
# on the flows installed first; at the end SIGTERM stops the daemon within 5 s.
#
# usage: hostile_groups.sh PATH/TO/pfswitchd
. "$(dirname "$0")/pfs_testlib.sh"

pfs_init hostile-groups "$1" /usr/bin/python3
HERE=$(dirname "$(readlink -f "$0")")
pfs_hosts 2
pfs_config "$TMP/pfs.ini" "fail_mode = secure"
pfs_start "$TMP/pfs.ini"

step() { timeout 60 /usr/bin/python3 "$HERE/hostile_groups.py" "$RUN/br0.mgmt" "$@"; }

check "flows between host 1 and 2" step flows
pfs_wait 10 pfs_ping 1 2 1 || fail "hosts 1 and 2 do not ping before the attacks"
BOUND=$(($(pfs_rss_kb) + 131072))

for s in ffself watch fanout depth longloop; do
	check "attack $s" step "$s"
	pfs_healthy "after $s" "$BOUND" 1 2
done
check "attack traffic" step traffic "$NS1" "$(pfs_mac 2)"
pfs_healthy "after traffic" "$BOUND" 1 2
check "SIGTERM stops pfswitchd within 5 s" pfs_stop_within 5
pfs_done
