# Faucet (../shared/faucet, run from its sources with Debian's Python packages) for the
# integration tests; sourced after pfs_testlib.sh (needs TMP, pfs_skip, pfs_bg).
#
#   faucet_init                 skip (77) with a clear message unless ../shared/faucet and
#                               its Python dependencies are there; builds pytricia once
#                               into $FAUCET_PY (cached under /tmp across runs)
#   faucet_start NAME YAML PORT [gauge]
#                               starts Faucet (or Gauge) on 127.0.0.1:PORT with config YAML;
#                               its log is $TMP/NAME.log; FAUCET_PID_<NAME> holds the pid
#   faucet_wait_programmed NAME SECS
#                               waits for "Cold start configuring DP" (or "warm starting");
#                               false at once if Faucet logged "New config bad"
#   faucet_errors NAME          prints the OFError lines Faucet logged (none expected)
#   faucet_stop NAME            stops it (the EXIT trap also does)
#
# Helpers shared by the faucet-* suites (after pfs_init, pfs_hosts):
#   faucet_ports                sets CPORT (Faucet) and GPORT (Gauge) from $TAG
#   FAUCET_HW                   the dp's hardware type ("Open vSwitch" unless set in the
#                               environment, e.g. FAUCET_HW=GenericTFM)
#   faucet_dp [DP_KEYS]         prints the yaml 'dps:' header for br0 (dp_id, hardware,
#                               extra keys given as indented text) up to 'interfaces:'
#   faucet_switch_config FILE [KEYS]
#                               pfs_config with fail_mode secure and the Faucet controller
#   faucet_up NAME YAML [SECS]  starts Faucet and waits until it programmed the switch
#   faucet_no_errors LABEL NAME check: no OFError in NAME's log
#   faucet_flows                the switch's flows (pfs-ofctl dump-flows br0)
#   faucet_tcp FROM IP PORT     a TCP connection from host FROM to IP:PORT carries data
#                               (faucet_tcp_server I PORT started it on host I)
#   faucet_metric NAME METRIC   sum of a Prometheus metric Faucet/Gauge exports
#   faucet_capture I IF FILTER  tcpdump in host I's namespace to $TMP/capI.pcap (background)
#   faucet_captured I FILTER [MIN]
#                               packets in that capture matching FILTER; waits up to 4 s
#                               for MIN of them (default 1), then stops the capture

FAUCET_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." 2>/dev/null && pwd)/shared/faucet/src
FAUCET_PY=/tmp/pfs-faucet-py

faucet_init() {
	[ -d "$FAUCET_SRC/faucet/faucet" ] ||
		pfs_skip "Faucet sources not found at $FAUCET_SRC (../shared/faucet is absent)"
	local m
	for m in os_ken prometheus_client ruamel.yaml networkx netaddr requests transitions \
		yaml pbr eventlet; do
		/usr/bin/python3 -c "import $m" 2>/dev/null ||
			pfs_skip "Python module $m missing (tools/install-deps.sh installs it)"
	done
	if ! PYTHONPATH=$FAUCET_PY /usr/bin/python3 -c 'import pytricia, beka, chewie' 2>/dev/null; then
		local b
		b=$(mktemp -d /tmp/pfs-pytricia.XXXXXX)
		mkdir -p "$FAUCET_PY"
		cp -r "$FAUCET_SRC/beka/beka" "$FAUCET_SRC/chewie/chewie" "$FAUCET_PY/"
		cp -r "$FAUCET_SRC/pytricia/." "$b/"
		(cd "$b" && /usr/bin/python3 setup.py build_ext --build-lib "$FAUCET_PY") \
			>"$TMP/pytricia-build.log" 2>&1 || {
			rm -rf "$b"
			pfs_skip "pytricia did not build (see $TMP/pytricia-build.log)"
		}
		rm -rf "$b"
	fi
}

faucet_start() {
	local name=$1 yaml=$2 port=$3 kind=${4:-faucet} mode=() prom
	[ "$kind" = gauge ] && mode=(--gauge)
	# a free port for its Prometheus exporter (one the kernel just handed out)
	prom=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	eval "FAUCET_PROM_$name=$prom"
	PYTHONPATH=$FAUCET_SRC/faucet:$FAUCET_PY PBR_VERSION=1.10.12 \
		FAUCET_CONFIG=$yaml GAUGE_CONFIG=$yaml \
		FAUCET_LOG=$TMP/$name.log GAUGE_LOG=$TMP/$name.log \
		FAUCET_EXCEPTION_LOG=$TMP/$name.exc.log GAUGE_EXCEPTION_LOG=$TMP/$name.exc.log \
		FAUCET_PROMETHEUS_ADDR=127.0.0.1 FAUCET_PROMETHEUS_PORT=$prom \
		GAUGE_PROMETHEUS_ADDR=127.0.0.1 GAUGE_PROMETHEUS_PORT=$prom \
		pfs_bg /usr/bin/python3 -m faucet "${mode[@]}" --use-stderr \
		--ryu-ofp-listen-host=127.0.0.1 --ryu-ofp-tcp-listen-port="$port" \
		>"$TMP/$name.out" 2>&1
	eval "FAUCET_PID_$name=$BGPID"
}

faucet_wait_programmed() {
	# gives up at once when Faucet rejected its configuration
	pfs_wait "$2" grep -qE "Cold start configuring DP|warm starting|New config bad" "$TMP/$1.log" &&
		grep -qE "Cold start configuring DP|warm starting" "$TMP/$1.log"
}

faucet_errors() { grep -h "OFError" "$TMP/$1.log" 2>/dev/null; }

faucet_stop() {
	local pid
	eval "pid=\${FAUCET_PID_$1:-}"
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	return 0
}

FAUCET_HW=${FAUCET_HW:-Open vSwitch}

faucet_ports() {
	CPORT=$((20000 + (TAG % 5000) * 2))
	GPORT=$((CPORT + 1))
}

faucet_dp() {
	printf 'dps:\n    br0:\n        dp_id: 0x%s\n        hardware: "%s"\n' "$NET" "$FAUCET_HW"
	[ -n "${1:-}" ] && printf '%s\n' "$1"
	printf '        interfaces:\n'
}

faucet_switch_config() {
	pfs_config "$1" "fail_mode = secure
controller = tcp:127.0.0.1:$CPORT
max_backoff = 2
${2:-}"
}

faucet_up() {
	faucet_start "$1" "$2" "$CPORT"
	if faucet_wait_programmed "$1" "${3:-60}"; then
		pass "$1: Faucet programmed the switch"
	else
		fail "$1: Faucet did not program the switch"
		tail -n 20 "$TMP/$1.log" "$TMP/$1.out"
		return 1
	fi
}

faucet_no_errors() {
	local e
	e=$(faucet_errors "$2")
	if [ -z "$e" ]; then pass "$1: no OFPT_ERROR in Faucet's log"; else
		fail "$1: OFPT_ERRORs in Faucet's log"
		echo "$e" | head -10 | cut -c1-400 | sed "s/^/    /"
	fi
}

faucet_flows() { timeout 20 "$OFCTL" --rundir "$RUN" dump-flows br0; }

faucet_tcp_server() {
	pfs_bg ip netns exec "pfsh$1-$TAG" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8)
while True:
    c, _ = s.accept(); d = c.recv(100); c.sendall(b"echo:" + d); c.close()
' "${3:-0.0.0.0}" "$2"
	sleep 0.5
}

faucet_tcp() {
	ip netns exec "pfsh$1-$TAG" timeout 8 /usr/bin/python3 -c '
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
c.sendall(b"pfs"); d = c.recv(100)
sys.exit(0 if d == b"echo:pfs" else 1)
' "$2" "$3"
}

faucet_metric() {
	local prom
	eval "prom=\${FAUCET_PROM_$1:-0}"
	timeout 10 /usr/bin/python3 -c '
import sys, urllib.request
t = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
v = [float(l.split()[-1]) for l in t.splitlines() if l.startswith(sys.argv[2] + "{") or l.startswith(sys.argv[2] + " ")]
if not v: sys.exit(1)
print(int(sum(v)))
' "$prom" "$2"
}

faucet_capture() {
	pfs_bg ip netns exec "pfsh$1-$TAG" tcpdump -i "$2" -nn -U -w "$TMP/cap$1.pcap" $3 2>/dev/null
	eval "FAUCET_CAP_$1=$BGPID"
	sleep 1
}

faucet_captured() {
	local pid n end=$((SECONDS + 4))
	eval "pid=\${FAUCET_CAP_$1:-}"
	# the switch may hold a packet a little under load: wait for MIN (default 1) of them
	while :; do
		n=$(tcpdump -nn -e -r "$TMP/cap$1.pcap" $2 2>/dev/null | wc -l)
		[ "$n" -ge "${3:-1}" ] || [ "$SECONDS" -ge "$end" ] && break
		sleep 0.3
	done
	[ -n "$pid" ] && kill -INT "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	tcpdump -nn -e -r "$TMP/cap$1.pcap" $2 2>/dev/null | wc -l
}
