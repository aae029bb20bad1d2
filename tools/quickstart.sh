#!/usr/bin/env bash
# One command for a new user on a fresh Debian 12 machine (as root): installs the
# dependencies, builds pfswitch and runs its demo.
#   tools/quickstart.sh [--controller tcp:IP:PORT]
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build

if [ ! -x build/tools/pfswitchd ] || [ ! -x tools/demo.sh ]; then
	cat <<'MSG'

pfswitch built: the OpenFlow 1.3 codec library (lib/) and its tests are in place.
Not there yet: the switch daemon pfswitchd, its datapath and the demo topology
(three hosts in network namespaces pinging through the switch). They arrive with the
datapath and ofproto work; until then this command stops here.

Run the test suite with:  tools/run-tests.sh
MSG
	exit 0
fi
exec tools/demo.sh "$@"
