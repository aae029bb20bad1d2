#!/usr/bin/env bash
# Installs every Debian 12 package pfswitch needs to build, test and run its demo.
# Idempotent and quiet when everything is present; run as root.
set -euo pipefail

packages=(
	# build
	build-essential meson ninja-build pkg-config clang llvm libclang-rt-14-dev
	libdpdk-dev dpdk dpdk-dev check libpcap-dev libinih-dev libssl-dev libsystemd-dev
	# Debian package (tests/integration/package.sh)
	dpkg-dev debhelper fakeroot lintian man-db
	# lint
	clang-format cppcheck mandoc
	# tests: real peers, captures, namespaces
	python3 python3-os-ken python3-scapy tshark tcpdump openssl
	# pfs-ofctl show-pipeline --svg (and its test) renders with dot
	graphviz
	# Faucet (from ../shared/faucet) runs on these
	python3-prometheus-client python3-ruamel.yaml python3-networkx python3-netaddr
	python3-requests python3-transitions python3-yaml python3-pbr python3-eventlet
	python3-dev gcc
	openvswitch-switch openvswitch-common openvswitch-testcontroller
	iproute2 iputils-ping ethtool procps psmisc
	# the metrics endpoint test: a real Prometheus server and promtool, curl
	prometheus curl
)

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root (apt-get needs it)" >&2
	exit 1
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
