#!/bin/bash
# The Prometheus / OpenMetrics endpoint ([switch] metrics = tcp:127.0.0.1:PORT).
#
# pfswitchd with bridge br0 (standalone), two hosts on af_packet ports 1 and 2, the
# endpoint on a free loopback port. Checks:
#  - after pings, GET /metrics (curl) shows the ports' rx counters, the flow added with
#    pfs-ofctl in pfswitch_table_active_flows, FLOW_MOD in the messages by type, a
#    barrier latency observation, the drop reasons and the worker's cycles, and the
#    counters grow with more traffic;
#  - `promtool check metrics` accepts the text; OpenMetrics is served when asked for;
#  - HTTP edges: HEAD, 404, 405, an oversized request (431);
#  - Debian's real `prometheus` server, scraping every second, stores a value of
#    pfswitch_port_rx_packets_total (its HTTP query API) and up == 1;
#  - config/pfswitch-grafana.json queries only metrics the scrape has, and its queries
#    parse (promtool check rules).
#
# usage: metrics.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failure, 77 skipped. Everything is removed on exit, also on failure.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
OFCTL=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd PATH/TO/pfs-ofctl}")
pfs_init metrics "$1" curl promtool prometheus ethtool

PFS="timeout 20 $OFCTL --rundir $RUN"
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
MPORT=$(free_port)
PPORT=$(free_port)
URL=http://127.0.0.1:$MPORT/metrics

pfs_hosts 2
pfs_config "$TMP/m.ini" "fail_mode = standalone"
sed -i "/^\[switch\]/a metrics = tcp:127.0.0.1:$MPORT" "$TMP/m.ini"
pfs_start "$TMP/m.ini"
check "log says where metrics are served" grep -q "serving metrics on tcp:127.0.0.1:$MPORT" "$TMP/daemon.log"

check "ping h1 -> h2 (standalone)" pfs_wait 10 pfs_ping 1 2
check "add-flow table=1 (a flow to count)" $PFS add-flow br0 "table=1,priority=5,ip,actions=drop"
check "add-group 7" $PFS add-group br0 "group_id=7,type=all,bucket=actions=output:2"
check "add-meter 3" $PFS add-meter br0 "meter=3,pktps,stats,bands=type=drop,rate=1000"

# value FILE SERIES: the value of one series line (exact labels)
value() { awk -v s="$2" '$1 == s { print $2 }' "$1"; }
scrape() { curl -sf --max-time 5 "$URL" -o "$1"; }

check "GET /metrics answers 200" scrape "$TMP/m1"
RX1=$(value "$TMP/m1" 'pfswitch_port_rx_packets_total{bridge="br0",port="p1"}')
echo "  p1 rx packets: ${RX1:-none}"
check "port p1 rx packets > 0" test "${RX1:-0}" -gt 0
check "table 1 has 1 active flow" \
	test "$(value "$TMP/m1" 'pfswitch_table_active_flows{bridge="br0",table="1"}')" = 1
check "flow-mods counted" test "$(value "$TMP/m1" 'pfswitch_flow_mods_total{bridge="br0"}')" -ge 1
check "FLOW_MOD among messages by type" \
	test "$(value "$TMP/m1" 'pfswitch_messages_received_total{bridge="br0",type="FLOW_MOD"}')" -ge 1
check "barrier latency histogram has observations" \
	test "$(value "$TMP/m1" 'pfswitch_barrier_latency_seconds_count{bridge="br0"}')" -ge 1
check "group 7 bucket 0 listed" \
	grep -q '^pfswitch_group_bucket_packets_total{bridge="br0",group="7",bucket="0"} 0' "$TMP/m1"
check "meter 3 band 0 listed" \
	grep -q '^pfswitch_meter_band_packets_total{bridge="br0",meter="3",band="0"} 0' "$TMP/m1"
check "a drop reason is listed" grep -q '^pfswitch_drops_total{reason="' "$TMP/m1"
check "worker 0 busy cycles > 0" \
	test "$(value "$TMP/m1" 'pfswitch_worker_busy_cycles_total{worker="0"}')" -gt 0
check "worker 0 burst-size histogram counts bursts" \
	test "$(value "$TMP/m1" 'pfswitch_worker_rx_burst_size_count{worker="0"}')" -gt 0
check "packet-in drop reasons listed" \
	grep -q '^pfswitch_packet_ins_dropped_total{bridge="br0",reason="rate_limit"}' "$TMP/m1"
check "mgmt connection states listed" grep -q '^pfswitch_connections{bridge="br0",type="mgmt"' "$TMP/m1"
check "PMD xstats listed" grep -q '^pfswitch_port_xstats_total{bridge="br0",port="p1",xstat="' "$TMP/m1"
check "promtool check metrics accepts it" bash -c "promtool check metrics <'$TMP/m1'"
check "Grafana dashboard queries only served metrics" /usr/bin/python3 "$DIR/grafana_check.py" \
	"$DIR/../../config/pfswitch-grafana.json" "$TMP/m1" "$TMP/dash_rules.yml"
check "Grafana dashboard queries parse (promtool check rules)" promtool check rules "$TMP/dash_rules.yml"

pfs_ping 1 2 5
scrape "$TMP/m2"
RX2=$(value "$TMP/m2" 'pfswitch_port_rx_packets_total{bridge="br0",port="p1"}')
check "p1 rx packets grew (${RX1:-?} -> ${RX2:-?})" test "${RX2:-0}" -gt "${RX1:-0}"

# OpenMetrics on request
curl -sf --max-time 5 -D "$TMP/omh" -H 'Accept: application/openmetrics-text; version=1.0.0' \
	"$URL" -o "$TMP/om"
check "OpenMetrics content type" grep -qi '^Content-Type: application/openmetrics-text' "$TMP/omh"
check "OpenMetrics ends with # EOF" test "$(tail -1 "$TMP/om")" = "# EOF"
check "OpenMetrics counter TYPE names the family" \
	grep -q '^# TYPE pfswitch_port_rx_packets counter$' "$TMP/om"

# HTTP edges
code() { curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$@"; }
check "HEAD /metrics: 200" test "$(code -I "$URL")" = 200
check "GET /nope: 404" test "$(code "http://127.0.0.1:$MPORT/nope")" = 404
check "POST /metrics: 405" test "$(code -X POST "$URL")" = 405
BIG=$(head -c 9000 /dev/zero | tr '\0' a)
check "oversized request header: 431" test "$(code -H "X-Big: $BIG" "$URL")" = 431
check "still serving after the edges" scrape "$TMP/m3"

# The real Prometheus server scraping every second.
cat >"$TMP/prom.yml" <<EOC
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: pfswitch
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOC
check "promtool check config" promtool check config "$TMP/prom.yml"
pfs_bg prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$TMP/prometheus.log" 2>&1
query() {
	curl -sf --max-time 3 "http://127.0.0.1:$PPORT/api/v1/query" \
		--data-urlencode "query=$1" -o "$TMP/q.json" &&
		/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["data"]["result"]
v = [float(x["value"][1]) for x in r]
print(sys.argv[2], v)
sys.exit(0 if v and max(v) >= float(sys.argv[3]) else 1)' "$TMP/q.json" "$1" "$2"
}
check "prometheus scraped pfswitch: up == 1" pfs_wait 60 query 'up{job="pfswitch"}' 1
check "prometheus has pfswitch_port_rx_packets_total > 0" \
	pfs_wait 20 query 'pfswitch_port_rx_packets_total{port="p1"}' 1
check "prometheus has the barrier latency histogram" \
	pfs_wait 10 query 'pfswitch_barrier_latency_seconds_count' 1
if [ "$FAILS" -gt 0 ]; then tail -20 "$TMP/prometheus.log"; fi
kill -TERM "$BGPID" 2>/dev/null
pfs_wait 20 bash -c "! kill -0 $BGPID 2>/dev/null" || echo "prometheus slow to stop"

if pfs_stop_within 10; then pass "pfswitchd exits on SIGTERM"; else fail "exit"; fi
pfs_done
