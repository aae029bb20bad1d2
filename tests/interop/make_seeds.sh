#!/bin/sh
# Regenerates the interop messages of the message fuzzer's seed corpus: every message
# os-ken builds (osken_gen.py) and every sample pfswitch encodes (ofp_interop encode),
# one file each, named after the message: tests/fuzz/corpus/ofp_msg/osken-flow_mod-01,
# tests/fuzz/corpus/ofp_msg/pfs-packet_out, ... Other files in the corpus (crashes found
# by the fuzzer, hand-written seeds) are left alone.
#
#   tests/interop/make_seeds.sh [BUILDDIR]     (default: build; run from the repo root)
set -eu

builddir=${1:-build}
tool=$builddir/tests/interop/ofp_interop
here=$(dirname "$0")
corpus=$here/../fuzz/corpus/ofp_msg

[ -x "$tool" ] || { echo "make_seeds: build $tool first (ninja -C $builddir)" >&2; exit 1; }
/usr/bin/python3 -c 'import os_ken' 2>/dev/null ||
	{ echo "make_seeds: /usr/bin/python3 needs os_ken (python3-os-ken)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$here/osken_gen.py" "$tmp/osken.bin" "$tmp/osken.json"
"$tool" encode "$tmp/pfs.bin" "$tmp/pfs.json"
mkdir -p "$corpus"
rm -f "$corpus"/osken-* "$corpus"/pfs-*

/usr/bin/python3 - "$tmp" "$corpus" <<'EOF'
import json, os, struct, sys
tmp, corpus = sys.argv[1:]
n = 0
for stream in ('osken', 'pfs'):
    data = open(os.path.join(tmp, stream + '.bin'), 'rb').read()
    ofs = 0
    for e in json.load(open(os.path.join(tmp, stream + '.json'))):
        length = struct.unpack_from('!H', data, ofs + 2)[0]
        assert e.get('offset', ofs) == ofs, e['name']
        with open(os.path.join(corpus, e['name']), 'wb') as f:
            f.write(data[ofs:ofs + length])
        ofs += length
        n += 1
    assert ofs == len(data), stream
print('make_seeds: %d seed files in %s' % (n, corpus))
EOF
