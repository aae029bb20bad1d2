#!/bin/sh
# Makes throw-away TLS certificates for the tests with the openssl CLI, in DIR:
#   ca.pem (+ ca-key.pem)            the test CA
#   switch-key.pem switch-cert.pem   signed by the CA (CN=pfs-switch)
#   ctl-key.pem ctl-cert.pem         signed by the CA (CN=pfs-controller)
#   rogue-ca.pem, rogue-key.pem rogue-cert.pem   another CA and a certificate it signed
# EC P-256 keys (fast to make), valid for 2 days, subjectAltName IP:127.0.0.1.
set -eu
dir=${1:?usage: make_certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
printf 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\n' >leaf.ext
ca() { # NAME CN
	openssl req -x509 $ec -keyout "$1-key.pem" -out "$1.pem" -days 2 -subj "/CN=$2" \
		2>/dev/null
}
leaf() { # NAME CN CA
	openssl req $ec -keyout "$1-key.pem" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3-key.pem" -CAcreateserial \
		-out "$1-cert.pem" -days 2 -extfile leaf.ext 2>/dev/null
	rm -f "$1.csr"
}
ca ca pfs-test-ca
ca rogue-ca pfs-rogue-ca
leaf switch pfs-switch ca
leaf ctl pfs-controller ca
leaf rogue pfs-rogue rogue-ca
