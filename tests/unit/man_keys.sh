#!/usr/bin/env bash
# Every configuration key of ofproto/config.c's key table must be documented in
# pfswitchd.8 (an ".It Cm KEY" entry) and in config/pfswitch.ini (a "key =" line,
# possibly commented out), so a new key cannot ship undocumented; and every key
# the manual's CONFIGURATION section describes must still exist.
# Usage: man_keys.sh ofproto/config.c tools/pfswitchd.8 config/pfswitch.ini
set -euo pipefail
config_c=$1 man=$2 ini=$3

keys=$(sed -n 's/^[[:space:]]*{ SEC_[A-Z]*, "\([a-z0-9_]*\)",.*/\1/p' "$config_c")
n=$(wc -w <<<"$keys")
if [ "$n" -lt 40 ]; then
	echo "man_keys: found only $n keys in $config_c: has the key table's shape changed?" >&2
	exit 1
fi
missing=0
for k in $keys; do
	if ! grep -qx "\.It Cm $k" "$man"; then
		echo "man_keys: $k is not documented in $man (.It Cm $k)" >&2
		missing=1
	fi
	if ! grep -Eq "^;?$k[[:space:]]*=" "$ini"; then
		echo "man_keys: $k has no entry in $ini" >&2
		missing=1
	fi
done
documented=$(sed -n '/^\.Sh CONFIGURATION/,/^\.Sh /s/^\.It Cm \([a-z0-9_]*\)$/\1/p' "$man")
for k in $documented; do
	if ! grep -qx "$k" <<<"$keys"; then
		echo "man_keys: $man documents $k, which $config_c does not know" >&2
		missing=1
	fi
done
[ "$missing" -eq 0 ] && echo "man_keys: all $n keys documented"
exit "$missing"
