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
#                               waits for "Cold start configuring DP" (or a warm start)
#   faucet_errors NAME          prints the OFError lines Faucet logged (none expected)
#   faucet_stop NAME            stops it (the EXIT trap also does)

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
	local name=$1 yaml=$2 port=$3 kind=${4:-faucet} mode=() prom=$((9300 + RANDOM % 600))
	[ "$kind" = gauge ] && mode=(--gauge)
	PYTHONPATH=$FAUCET_SRC/faucet:$FAUCET_PY PBR_VERSION=1.10.12 \
		FAUCET_CONFIG=$yaml GAUGE_CONFIG=$yaml \
		FAUCET_LOG=$TMP/$name.log GAUGE_LOG=$TMP/$name.log \
		FAUCET_EXCEPTION_LOG=$TMP/$name.exc.log GAUGE_EXCEPTION_LOG=$TMP/$name.exc.log \
		FAUCET_PROMETHEUS_ADDR=127.0.0.1 FAUCET_PROMETHEUS_PORT=$prom \
		GAUGE_PROMETHEUS_ADDR=127.0.0.1 GAUGE_PROMETHEUS_PORT=$((prom + 1)) \
		pfs_bg /usr/bin/python3 -m faucet "${mode[@]}" --use-stderr \
		--ryu-ofp-listen-host=127.0.0.1 --ryu-ofp-tcp-listen-port="$port" \
		>"$TMP/$name.out" 2>&1
	eval "FAUCET_PID_$name=$BGPID"
}

faucet_wait_programmed() {
	pfs_wait "$2" grep -qE "(Cold|Warm) start configuring DP" "$TMP/$1.log"
}

faucet_errors() { grep -h "OFError" "$TMP/$1.log" 2>/dev/null; }

faucet_stop() {
	local pid
	eval "pid=\${FAUCET_PID_$1:-}"
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	return 0
}
