#!/bin/bash
# TLS controller connections, with certificates made now by the openssl CLI
# (tests/make_certs.sh: a CA, switch and controller certificates it signed, and a rogue
# CA with a certificate of its own). Bridge br0 (fail_mode secure, two hosts) has an
# active ssl:127.0.0.1:CPORT controller and a pssl:SPORT:127.0.0.1 listener.
#  a. os-ken over TLS (osken-manager --ctl-privkey --ctl-cert --ca-certs
#     --ofp-ssl-listen-port + osken_l2switch.py): the switch connects, the hosts ping
#     each other through the flows os-ken installs.
#  b. ovs-ofctl -O OpenFlow13 --private-key --certificate --ca-cert dump-flows ssl: on
#     the pssl: listener shows those flows.
#  c. pfs-ofctl --private-key --certificate --ca-cert dump-flows ssl: the same.
#  d. a client with a certificate from the rogue CA, or with none, is refused, and so
#     is a controller (openssl s_server) with a rogue certificate; the daemon logs why ("certificate verify failed", "peer did not return a
#     certificate") naming the peer; pfs-ofctl refuses a switch its CA did not sign;
#     a TLS 1.1 client is refused ("unsupported protocol"), TLS 1.2 is accepted.
#  e. pfs-ofctl snoop br0 shows the decrypted controller traffic (PACKET_IN, FLOW_MOD).
#
# usage: tls.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failure, 77 skipped (not root, or a tool missing).
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
OFCTL=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd PATH/TO/pfs-ofctl}")
pfs_init tls "$1" osken-manager ovs-ofctl openssl ss ethtool
/usr/bin/python3 -c 'import os_ken' 2>/dev/null || pfs_skip "python3-os-ken missing"

CPORT=$((30000 + TAG % 20000))
SPORT=$((CPORT + 1))
RPORT=$((CPORT + 2))
PKI=$TMP/pki
sh "$DIR/../make_certs.sh" "$PKI" || { echo "FAIL: cannot make certificates"; exit 1; }
PFS="timeout 20 $OFCTL --rundir $RUN"
CLIENT="--private-key=$PKI/ctl-key.pem --certificate=$PKI/ctl-cert.pem --ca-cert=$PKI/ca.pem"
ROGUE="--private-key=$PKI/rogue-key.pem --certificate=$PKI/rogue-cert.pem --ca-cert=$PKI/ca.pem"

pfs_hosts 2
pfs_config "$TMP/sw.ini" "fail_mode = secure
controller = ssl:127.0.0.1:$CPORT
controller = pssl:$SPORT:127.0.0.1
controller = ssl:127.0.0.1:$RPORT
max_backoff = 1
inactivity_probe = 5"
cat >>"$TMP/sw.ini" <<EOF
[switch]
ssl_private_key = $PKI/switch-key.pem
ssl_certificate = $PKI/switch-cert.pem
ssl_ca_cert = $PKI/ca.pem
EOF

# A TLS server whose certificate comes from the rogue CA, as a third controller.
pfs_bg openssl s_server -accept "$RPORT" -cert "$PKI/rogue-cert.pem" -key "$PKI/rogue-key.pem" \
	-quiet </dev/null >"$TMP/rogue.log" 2>&1
pfs_wait 10 ss -Htln "( sport = :$RPORT )" || fail "openssl s_server not listening"
pfs_start "$TMP/sw.ini"
grep -q "listening on pssl:$SPORT:127.0.0.1" "$TMP/daemon.log" && pass "pssl: listener up" ||
	fail "pssl: listener"

# ---- e (started first): the snoop socket, to see the session from its start ----
$OFCTL --rundir "$RUN" --timeout=60 snoop br0 >"$TMP/snoop" 2>&1 &
PFS_PIDS+=($!)

# ---- a. os-ken over TLS ----
pfs_bg /usr/bin/python3 /usr/bin/osken-manager --ofp-listen-host 127.0.0.1 \
	--ofp-ssl-listen-port "$CPORT" --ctl-privkey "$PKI/ctl-key.pem" \
	--ctl-cert "$PKI/ctl-cert.pem" --ca-certs "$PKI/ca.pem" \
	"$DIR/osken_l2switch.py" >"$TMP/osken.log" 2>&1
pfs_wait 10 ss -Htln "( sport = :$CPORT )" || { fail "osken-manager not listening"; cat "$TMP/osken.log"; pfs_done; }
pfs_wait 15 grep -q "br0->ssl:127.0.0.1:$CPORT: negotiated OpenFlow 1.3 over TLS with /CN=pfs-controller" "$TMP/daemon.log" &&
	pass "os-ken: OpenFlow 1.3 over TLS, controller certificate CN=pfs-controller" ||
	fail "os-ken: no TLS session"
pfs_wait 10 sh -c "$PFS dump-flows br0 | grep -q 'priority=0 actions=CONTROLLER'" &&
	pass "os-ken: table-miss flow installed over TLS" || fail "os-ken: table-miss flow"
check "os-ken: h1 -> h2 ping" pfs_ping 1 2 3
check "os-ken: h2 -> h1 ping" pfs_ping 2 1 3
grep -q "learned flow" "$TMP/osken.log" && pass "os-ken: learned and installed flows" ||
	{ fail "os-ken log"; tail "$TMP/osken.log"; }

# ---- b. ovs-ofctl over ssl: on the pssl: listener ----
check "ovs-ofctl dump-flows ssl:" timeout 20 ovs-ofctl -O OpenFlow13 \
	--private-key="$PKI/ctl-key.pem" --certificate="$PKI/ctl-cert.pem" \
	--ca-cert="$PKI/ca.pem" dump-flows "ssl:127.0.0.1:$SPORT"
grep -q "priority=1,in_port" "$TMP/out" && pass "ovs-ofctl over TLS sees the learned flows" ||
	{ fail "ovs-ofctl flows"; cat "$TMP/out"; }

# ---- c. pfs-ofctl over ssl: ----
check "pfs-ofctl dump-flows ssl:" timeout 20 $OFCTL $CLIENT dump-flows "ssl:127.0.0.1:$SPORT"
grep -q "priority=1,in_port" "$TMP/out" && pass "pfs-ofctl over TLS sees the learned flows" ||
	{ fail "pfs-ofctl flows"; cat "$TMP/out"; }
check "pfs-ofctl -p/-c/-C show ssl:" timeout 20 $OFCTL -p "$PKI/ctl-key.pem" \
	-c "$PKI/ctl-cert.pem" -C "$PKI/ca.pem" show "ssl:127.0.0.1:$SPORT"
check_not "pfs-ofctl ssl: without keys is a usage error" $OFCTL dump-flows "ssl:127.0.0.1:$SPORT"
grep -q "needs --private-key, --certificate and --ca-cert" "$TMP/out" && pass "  ... saying which options" ||
	{ fail "ssl: without keys message"; cat "$TMP/out"; }

# A dump larger than the socket buffers: many TLS records, partial writes both ways.
for i in $(seq 4000); do echo "table=1,priority=5,tcp,tp_dst=$i actions=drop"; done >"$TMP/flows"
check "4000 flows added in table 1" $PFS add-flows br0 "$TMP/flows"
n=$(timeout 30 $OFCTL $CLIENT dump-flows "ssl:127.0.0.1:$SPORT" table=1 | grep -c "tp_dst=")
[ "$n" = 4000 ] && pass "pfs-ofctl dumps 4000 flows over TLS" || fail "pfs-ofctl TLS dump: $n flows"
n=$(timeout 30 ovs-ofctl -O OpenFlow13 --private-key="$PKI/ctl-key.pem" --certificate="$PKI/ctl-cert.pem" \
	--ca-cert="$PKI/ca.pem" dump-flows "ssl:127.0.0.1:$SPORT" table=1 | grep -c "tp_dst=")
[ "$n" = 4000 ] && pass "ovs-ofctl dumps 4000 flows over TLS" || fail "ovs-ofctl TLS dump: $n flows"
sed 's/table=1/table=2/' "$TMP/flows" >"$TMP/flows2"
check "pfs-ofctl add-flows of 4000 flows over TLS" timeout 30 $OFCTL $CLIENT \
	add-flows "ssl:127.0.0.1:$SPORT" "$TMP/flows2"
n=$($PFS dump-flows br0 table=2 | grep -c "tp_dst=")
[ "$n" = 4000 ] && pass "  ... all 4000 arrived" || fail "add-flows over TLS: $n flows"

# ---- d. refusals ----
check_not "a rogue-CA client is refused" timeout 20 $OFCTL $ROGUE dump-flows "ssl:127.0.0.1:$SPORT"
pfs_wait 5 grep -q "TLS handshake with 127.0.0.1:[0-9]* failed: certificate verify failed" "$TMP/daemon.log" &&
	pass "daemon log: TLS handshake with 127.0.0.1:PORT failed: certificate verify failed" ||
	fail "no verify-failed log line"
grep "certificate verify failed" "$TMP/daemon.log" | head -1
pfs_wait 5 grep -q "br0->ssl:127.0.0.1:$RPORT: TLS handshake with 127.0.0.1:$RPORT failed: certificate verify failed" "$TMP/daemon.log" &&
	pass "the switch refuses a controller with a rogue-CA certificate (logged)" ||
	fail "rogue controller not refused"
check_not "pfs-ofctl refuses a switch its CA did not sign" timeout 20 $OFCTL \
	--private-key="$PKI/ctl-key.pem" --certificate="$PKI/ctl-cert.pem" \
	--ca-cert="$PKI/rogue-ca.pem" dump-flows "ssl:127.0.0.1:$SPORT"
grep -q "certificate verify failed" "$TMP/out" && pass "  ... pfs-ofctl says: certificate verify failed" ||
	{ fail "pfs-ofctl verify message"; cat "$TMP/out"; }
echo | timeout 10 openssl s_client -connect "127.0.0.1:$SPORT" -CAfile "$PKI/ca.pem" >"$TMP/nocert" 2>&1
pfs_wait 5 grep -q "failed: peer did not return a certificate" "$TMP/daemon.log" &&
	pass "a client without a certificate is refused (logged)" || fail "no-certificate client"
echo | timeout 10 openssl s_client -connect "127.0.0.1:$SPORT" -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' \
	-cert "$PKI/ctl-cert.pem" -key "$PKI/ctl-key.pem" >"$TMP/tls11" 2>&1
pfs_wait 5 grep -q "failed: unsupported protocol" "$TMP/daemon.log" &&
	pass "a TLS 1.1 client is refused (unsupported protocol)" || { fail "TLS 1.1"; cat "$TMP/tls11"; }
echo | timeout 10 openssl s_client -connect "127.0.0.1:$SPORT" -tls1_2 -CAfile "$PKI/ca.pem" \
	-cert "$PKI/ctl-cert.pem" -key "$PKI/ctl-key.pem" >"$TMP/tls12" 2>&1
grep -q "Protocol *: TLSv1.2" "$TMP/tls12" && grep -q "Verify return code: 0 (ok)" "$TMP/tls12" &&
	pass "a TLS 1.2 client is accepted, switch certificate verified" || { fail "TLS 1.2"; cat "$TMP/tls12"; }
check "the switch still serves after the refusals" pfs_echo_ok 1
check "os-ken session still up: h1 -> h2 ping" pfs_ping 1 2 2

# ---- e. the snoop socket shows the decrypted controller traffic ----
grep -q "OFPT_PACKET_IN" "$TMP/snoop" && pass "snoop shows PACKET_IN of the TLS session" ||
	{ fail "snoop: no PACKET_IN"; head -20 "$TMP/snoop"; }
grep -q "OFPT_FLOW_MOD" "$TMP/snoop" && pass "snoop shows FLOW_MOD of the TLS session" ||
	{ fail "snoop: no FLOW_MOD"; head -20 "$TMP/snoop"; }

pfs_done
