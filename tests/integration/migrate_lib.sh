# shellcheck shell=bash
# A VM live migration, emulated and measured (sourced by tests/integration/migrate.sh
# and tools/migrate-demo.sh, after pfs_testlib.sh and pfs_init).
#
# One pfswitchd bridge (fail_mode secure) with six ports, driven by migrate_app.py under
# osken-manager:
#   memif  1 <- pfs-pktgen tx        2 -> pfs-pktgen rx (A)    3 -> pfs-pktgen rx2 (B)
#   veth   4 -- host h1              5 -- host h2 (A)          6 -- host h3 (B)
# h3 is the migrated copy of h2: same MAC, same IP, up all along, so the destination is
# reachable both ways and every loss or duplicate is the switch's doing. Two streams go
# to the destination behind A: pfs-pktgen's UDP flows with sequence numbers (to
# 10.1.0.1) and a ping flood from h1 to h2's address. Halfway, the app reroutes every
# flow of the destination to B (one bundle, or loose flow-mods with MIGRATE_MODE=
# flowmods) followed by a barrier; at the barrier reply it marks the instant in
# pfs-pktgen (SIGUSR1) and reads the port counters, and again when the traffic ends.
#
#   mig_setup PKTGEN NFLOWS             build, start the switch ($PFSWITCHD) and the app
#   mig_run RATE SECONDS PING           run the traffic (PING: flood or an interval
#                                       in s), migrate halfway, write
#                                       $TMP/figures.json and print every figure
#   mig_get EXPR                        a Python expression over figures.json (as f)
# The EXIT trap stops the switch before pfs-pktgen lets go of its memif ports (a DPDK
# 22.11 memif server polling while its client leaves can crash), then pfs_cleanup.

MIG_DIR=
MIG_PG=
MIG_EAL_LOG="--log-level=lib.eal:error --log-level=pmd.net.memif:error"

mig_stop_switch() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$PID" 2>/dev/null
	fi
	[ -n "$PID" ] && wait "$PID" 2>/dev/null
	PID=
}
mig_stop_pktgen() {
	[ -n "$MIG_PG" ] || return 0
	kill -TERM "$MIG_PG" 2>/dev/null # ends the traffic, a second one the hold
	sleep 0.3
	kill -TERM "$MIG_PG" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$MIG_PG" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$MIG_PG" 2>/dev/null
	wait "$MIG_PG" 2>/dev/null
	MIG_PG=
}
mig_cleanup() {
	mig_stop_switch
	mig_stop_pktgen
	pfs_cleanup
}

mig_get() { /usr/bin/python3 -c "import json,sys; f=json.load(open(sys.argv[1])); print($1)" "$TMP/figures.json"; }

mig_setup() {
	local i sock
	MIG_PKTGEN=$1
	MIG_NFLOWS=$2
	MIG_DIR=$TMP/mig
	mkdir -p "$MIG_DIR"
	trap mig_cleanup EXIT
	pfs_hosts 3
	# h3 becomes h2's copy: same MAC, same address.
	MIG_H1_MAC=$(pfs_mac 1)
	MIG_DST_MAC=$(pfs_mac 2)
	ip -n "$NS3" link set eth0 down
	ip -n "$NS3" link set eth0 address "$MIG_DST_MAC"
	ip -n "$NS3" addr flush dev eth0
	ip -n "$NS3" addr add "$(pfs_ip 2)/24" dev eth0
	ip -n "$NS3" link set eth0 up
	# No ARP: the app installs unicast flows only.
	ip -n "$NS1" neigh replace "$(pfs_ip 2)" lladdr "$MIG_DST_MAC" dev eth0 nud permanent
	for i in 2 3; do
		ip -n "pfsh$i-$TAG" neigh replace "$(pfs_ip 1)" lladdr "$MIG_H1_MAC" dev eth0 \
			nud permanent
	done
	MIG_CP=$((30000 + TAG % 20000))
	{
		cat <<EOC
[dpdk]
eal = -l 0-1 --no-huge --no-shconf --no-pci $MIG_EAL_LOG -m 512
[switch]
workers = 1
rundir = $RUN
idle_polls_before_sleep = 100
idle_sleep_us = 100
[bridge br0]
datapath_id = 0x$NET
fail_mode = secure
controller = tcp:127.0.0.1:$MIG_CP
EOC
		for i in 1 2 3; do
			sock=$RUN/mig-p$i.sock
			printf '[port m%d]\nbridge = br0\nofport = %d\n' "$i" "$i"
			printf 'devargs = net_memif%d,role=server,socket=%s,socket-abstract=no,id=0\n' \
				"$((i - 1))" "$sock"
		done
		for i in 1 2 3; do
			printf '[port h%d]\nbridge = br0\nofport = %d\n' "$i" "$((i + 3))"
			printf 'devargs = net_af_packet%d,iface=pfv%d-%s\n' "$((i - 1))" "$i" "$TAG"
		done
	} >"$TMP/migrate.ini"
	MIGRATE_DIR=$MIG_DIR MIGRATE_NFLOWS=$MIG_NFLOWS MIGRATE_DST_MAC=$MIG_DST_MAC \
		MIGRATE_SRC_MAC=$MIG_H1_MAC MIGRATE_MODE=${MIGRATE_MODE:-bundle} \
		pfs_bg /usr/bin/python3 /usr/bin/osken-manager --ofp-listen-host 127.0.0.1 \
		--ofp-tcp-listen-port "$MIG_CP" "$(dirname "${BASH_SOURCE[0]}")/migrate_app.py" \
		>"$TMP/osken.log" 2>&1
	pfs_wait 20 ss -Htln "( sport = :$MIG_CP )" || {
		echo "osken-manager did not listen on $MIG_CP:"
		cat "$TMP/osken.log"
		return 1
	}
	pfs_start "$TMP/migrate.ini"
	pfs_wait 20 test -e "$MIG_DIR/ready.json" || {
		echo "the app did not install its flows:"
		cat "$TMP/osken.log"
		return 1
	}
}

# mig_run RATE SECONDS PING
mig_run() {
	local rate=$1 secs=$2 ping_opt=(-f -w "$2") i
	# A fixed rate sends a count (ping then waits for every reply); a flood runs
	# until the deadline.
	[ "$3" = flood ] ||
		ping_opt=(-i "$3" -W 1 -c "$(awk -v s="$secs" -v i="$3" 'BEGIN { printf "%d", s / i }')")
	"$MIG_PKTGEN" \
		--tx "net_memif0,role=client,socket=$RUN/mig-p1.sock,socket-abstract=no,id=0" \
		--rx "net_memif1,role=client,socket=$RUN/mig-p2.sock,socket-abstract=no,id=0" \
		--rx2 "net_memif2,role=client,socket=$RUN/mig-p3.sock,socket-abstract=no,id=0" \
		--rate "$rate" --duration "$secs" --sport "1024-$((1023 + MIG_NFLOWS))" \
		--dst-ip 10.1.0.1 --drain-ms 500 --timeline 10 --link-timeout 15 --first-seen \
		--ready-file "$MIG_DIR/pg.ready" --json "$MIG_DIR/pktgen.json" --hold 120 \
		-- -l 0 --no-pci --no-huge --no-shconf -m 256 $MIG_EAL_LOG \
		>"$TMP/pktgen.log" 2>&1 &
	MIG_PG=$!
	echo "$MIG_PG" >"$MIG_DIR/pktgen.pid"
	pfs_wait 20 test -e "$MIG_DIR/pg.ready" || {
		echo "pfs-pktgen did not start:"
		cat "$TMP/pktgen.log"
		return 1
	}
	ip netns exec "$NS1" ping "${ping_opt[@]}" -q "$(pfs_ip 2)" \
		>"$MIG_DIR/ping.out" 2>&1 &
	local ping_pid=$!
	# Halfway: the VM has moved; the controller reroutes.
	sleep "$(awk -v s="$secs" 'BEGIN { print s / 2 }')"
	touch "$MIG_DIR/go"
	pfs_wait 10 test -e "$MIG_DIR/moved.json" || echo "no reroute result from the app"
	wait "$ping_pid"
	for i in $(seq $((secs * 5 + 50))); do
		[ -e "$MIG_DIR/pktgen.json" ] && break
		sleep 0.2
	done
	touch "$MIG_DIR/end"
	pfs_wait 10 test -e "$MIG_DIR/final.json" || echo "no final counters from the app"
	/usr/bin/python3 - "$MIG_DIR" "$TMP/figures.json" "$MIG_NFLOWS" "$3" <<'EOF'
import json, os, re, sys
d, out = sys.argv[1], sys.argv[2]
def load(name):
    try:
        with open(os.path.join(d, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}
pg, moved, final = load('pktgen.json'), load('moved.json'), load('final.json')
ping = open(os.path.join(d, 'ping.out')).read()
def num(pat):
    m = re.search(pat, ping)
    return int(m.group(1)) if m else 0
def port_delta(p, key='tx_packets'):
    try:
        return final['ports'][str(p)][key] - moved['ports'][str(p)][key]
    except KeyError:
        return None
def port_total(p, key):
    return final.get('ports', {}).get(str(p), {}).get(key, 0)
rx_ports = pg.get('rx_ports', [{}, {}])
# Frames the switch forwarded but could not queue (pfs-pktgen's receive ring full, or
# its own receive ring full): CPU starvation, not the reroute.
queue_drops = port_total(2, 'tx_dropped') + port_total(3, 'tx_dropped') + \
    port_total(1, 'rx_dropped')
t_br = moved.get('t_barrier_reply')
fs = pg.get('first_seen', {})
nflows = int(sys.argv[3])
rate = pg.get('tx_pkts', 0) / pg['seconds'] if pg.get('seconds') else 0
f = {
    'mode': moved.get('mode'),
    'flow_mods': moved.get('flow_mods'),
    'of_errors': moved.get('errors', []) + final.get('errors', []),
    'commit_reply': 't_commit_reply' in moved,
    'reroute_ms': (t_br - moved['t_go']) * 1e3 if t_br and 't_go' in moved else None,
    'pktgen': {
        'rate_pps': rate,
        'tx': pg.get('tx_total'), 'rx': pg.get('rx_total'),
        'lost': pg.get('loss_pkts'), 'duplicates': pg.get('duplicates'),
        'lost_queue_full': queue_drops,
        'lost_in_pipeline': (pg['loss_pkts'] - queue_drops) if 'loss_pkts' in pg else None,
        'reordered': pg.get('reordered'), 'foreign': pg.get('foreign'),
        'rx_a': rx_ports[0].get('pkts'), 'rx_b': rx_ports[1].get('pkts'),
        'a_built_after_barrier': rx_ports[0].get('after_mark'),
        'b_built_after_barrier': rx_ports[1].get('after_mark'),
        'marked': pg.get('mark_wall') is not None,
        'old_port_tx_after_barrier': port_delta(2),
        'new_port_tx_after_barrier': port_delta(3),
        'link_downs': pg.get('link_downs'),
    },
    'switch_over': {
        # When each flow first reached B (pfs-pktgen --first-seen with --rx2): how
        # spread the move was across the flows, and where the last one came.
        'flows_moved': fs.get('flows'),
        'spread_ms': (fs['wall_last'] - fs['wall_first']) * 1e3 if 'wall_last' in fs else None,
        'last_flow_vs_barrier_ms': (fs['wall_last'] - t_br) * 1e3
        if 'wall_last' in fs and t_br else None,
        'resolution_ms': nflows / rate * 1e3 if rate else None,
    },
    'ping': {
        'tx': num(r'(\d+) packets transmitted'), 'rx': num(r'(\d+) received'),
        'duplicates': num(r'\+(\d+) duplicates'),
        'lost': num(r'(\d+) packets transmitted') - num(r'(\d+) received'),
        # A flood ends at ping's deadline (-w), which counts the echo then in flight
        # as lost; a fixed rate sends a count and waits for every reply.
        'flood': sys.argv[4] == 'flood',
        'old_port_tx_after_barrier': port_delta(5),
        'new_port_tx_after_barrier': port_delta(6),
    },
}
with open(out, 'w') as fo:
    json.dump(f, fo, indent=1)
p, q = f['pktgen'], f['ping']
for e in f['of_errors'][:5]:
    print('OFPT_ERROR type %(type)d code %(code)d for the %(what)s message' % e)
if len(f['of_errors']) > 5:
    print('... %d OFPT_ERRORs in all' % len(f['of_errors']))
print('reroute: %s, %s flow-mods, barrier reply %.1f ms after the move started, '
      'OpenFlow errors: %d' % (f['mode'], f['flow_mods'], f['reroute_ms'] or -1,
                               len(f['of_errors'])))
print('pfs-pktgen over memif (%d UDP flows): %.0f pps offered, %s sent, %s received '
      '(%s via A, %s via B)' % (nflows, p['rate_pps'],
                                p['tx'], p['rx'], p['rx_a'], p['rx_b']))
print('  lost %s (%s of them a full port queue, %s elsewhere), duplicated %s, reordered %s'
      % (p['lost'], p['lost_queue_full'], p['lost_in_pipeline'], p['duplicates'],
         p['reordered']))
print('  delivered the old way after the barrier reply: %s (built after it, received '
      'at A), %s (switch port A tx counter since the barrier reply)'
      % (p['a_built_after_barrier'], p['old_port_tx_after_barrier']))
w = f['switch_over']
if w['spread_ms'] is not None:
    print('  the move reached all %s flows within %.3f ms (one packet per flow every %.3f ms); '
          'the last one %.3f ms after the barrier reply'
          % (w['flows_moved'], w['spread_ms'], w['resolution_ms'] or -1,
             w['last_flow_vs_barrier_ms'] if w['last_flow_vs_barrier_ms'] is not None else -1))
print('ping h1 -> h2 over veth: %s sent, %s received, lost %s%s, duplicated %s'
      % (q['tx'], q['rx'], q['lost'],
         ' (a flood: the echo in flight at its deadline counts as lost)'
         if q['flood'] and q['lost'] else '',
         q['duplicates']))
print('  delivered the old way after the barrier reply: %s (switch port A tx counter), '
      'new way: %s' % (q['old_port_tx_after_barrier'], q['new_port_tx_after_barrier']))
EOF
}
