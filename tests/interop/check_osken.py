#!/usr/bin/python3
"""pfswitch <-> os-ken interop test (meson suite 'interop', test 'osken').

    check_osken.py OFP_INTEROP [WORKDIR]

os-ken -> pfswitch: osken_gen.py writes a stream of os-ken-built messages of every
type; `OFP_INTEROP decode` must decode each (or refuse it with the error the JSON
names), re-encode it to the identical bytes, and print text containing the expected
substrings.

pfswitch -> os-ken: `OFP_INTEROP encode` writes pfswitch's samples; os-ken must parse
every one without an exception and read back the values in the JSON's "checks". os-ken
only has parsers for the messages a switch sends; for the ones a controller sends,
this script reads them with os-ken's layout strings (ofproto_v1_3.*_PACK_STR) and
element parsers (OFPMatch, OFPAction, OFPBucket, OFPMeterBandHeader,
OFPTableFeaturesStats), builds the os-ken message object, and has os-ken serialize it
again: the bytes must be the ones pfswitch wrote. Wherever os-ken can serialize a
message it parsed, that byte comparison is done too.

Exits 0 on success, 1 on any failure, 77 (skip) when /usr/bin/python3 has no os_ken.
"""
import codecs
import ipaddress
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile
import traceback

try:
    from os_ken.ofproto import ofproto_parser
    from os_ken.ofproto import ofproto_v1_3 as ofp
    from os_ken.ofproto import ofproto_v1_3_parser as p
    from os_ken.lib import addrconv
except ImportError as e:
    print('SKIP: os-ken is not importable by %s (%s); install python3-os-ken' %
          (sys.executable, e))
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))


class Datapath:
    """The little of os_ken.controller.Datapath that parsing and serializing use."""
    ofproto = ofp
    ofproto_parser = p
    id = 1


DP = Datapath()
failures = []


def fail(name, what):
    failures.append('%s: %s' % (name, what))


def unescape(text):
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == '\\' and i + 1 < len(text):
            n = text[i + 1]
            if n == 'x':
                out.append(chr(int(text[i + 2:i + 4], 16)))
                i += 4
                continue
            out.append({'n': '\n', 't': '\t', '\\': '\\'}.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return ''.join(out)


# ---- os-ken -> pfswitch ------------------------------------------------------------------

def check_osken_to_pfswitch(tool, workdir):
    stream = os.path.join(workdir, 'osken.bin')
    index = os.path.join(workdir, 'osken.json')
    subprocess.run([sys.executable, os.path.join(HERE, 'osken_gen.py'), stream, index],
                   check=True)
    with open(index) as f:
        entries = json.load(f)
    res = subprocess.run([tool, 'decode', stream], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, universal_newlines=True)
    if res.returncode not in (0, 1):  # 1: some message not "same", judged below
        fail('osken stream', 'ofp_interop decode exited with %d: %s' %
             (res.returncode, res.stderr))
        if res.returncode == 2:
            return 0
    lines = res.stdout.splitlines()
    if len(lines) != len(entries):
        fail('osken stream', 'ofp_interop decoded %d messages, os-ken wrote %d' %
             (len(lines), len(entries)))
    same = 0
    for line, e in zip(lines, entries):
        _, status, text = line.split('\t', 2)
        name = e['name']
        want_err = e.get('expect_error')
        if want_err:
            if status != 'error:' + want_err:
                fail(name, 'expected pfswitch to refuse it with %s, got %s' % (want_err, status))
            continue
        if status.startswith('error:') or status.startswith('encode-error:'):
            fail(name, 'pfswitch: %s (bytes %s)' % (status, text))
            continue
        if status != 'same':
            if e.get('reencode_diff'):
                print('note: %s re-encodes differently (%s): %s' %
                      (name, status, e['reencode_diff']))
            else:
                fail(name, 'pfswitch re-encodes it differently (%s); see stderr:\n%s' %
                     (status, res.stderr))
        else:
            same += 1
        text = unescape(text)
        prefix = 'OFPT_%s (OF1.3) (xid=' % e['type']
        if not text.startswith(prefix):
            fail(name, 'text does not start with %r: %r' % (prefix, text[:80]))
        for want in e['expect']:
            if want not in text:
                fail(name, 'text lacks %r:\n    %s' % (want, text.replace('\n', '\n    ')))
    print('os-ken -> pfswitch: %d messages, %d byte-identical re-encodings, %d refused as '
          'expected' % (len(entries), same, sum(1 for e in entries if e.get('expect_error'))))
    return len(entries)


# ---- pfswitch -> os-ken: readers for what os-ken can only serialize --------------------

def actions_at(buf, offset, end):
    acts = []
    while offset < end:
        a = p.OFPAction.parser(buf, offset)
        acts.append(a)
        offset += a.len
    return acts


def rd_empty(cls):
    return lambda buf: cls(DP)


def rd_set_config(buf):
    flags, miss = struct.unpack_from(ofp.OFP_SWITCH_CONFIG_PACK_STR, buf, 8)
    return p.OFPSetConfig(DP, flags, miss)


def rd_packet_out(buf):
    buffer_id, in_port, alen = struct.unpack_from(ofp.OFP_PACKET_OUT_PACK_STR, buf, 8)
    start = ofp.OFP_PACKET_OUT_SIZE
    data = buf[start + alen:] or None
    return p.OFPPacketOut(DP, buffer_id, in_port, actions_at(buf, start, start + alen), data)


def rd_group_mod(buf):
    command, type_, group_id = struct.unpack_from(ofp.OFP_GROUP_MOD_PACK_STR, buf, 8)
    buckets, off = [], ofp.OFP_GROUP_MOD_SIZE
    while off < len(buf):
        b = p.OFPBucket.parser(buf, off)
        buckets.append(b)
        off += b.len
    return p.OFPGroupMod(DP, command, type_, group_id, buckets)


def rd_port_mod(buf):
    port_no, hw, config, mask, adv = struct.unpack_from(ofp.OFP_PORT_MOD_PACK_STR, buf, 8)
    return p.OFPPortMod(DP, port_no, addrconv.mac.bin_to_text(hw), config, mask, adv)


def rd_table_mod(buf):
    return p.OFPTableMod(DP, *struct.unpack_from(ofp.OFP_TABLE_MOD_PACK_STR, buf, 8))


def rd_queue_get_config_request(buf):
    (port,) = struct.unpack_from(ofp.OFP_QUEUE_GET_CONFIG_REQUEST_PACK_STR, buf, 8)
    return p.OFPQueueGetConfigRequest(DP, port)


def rd_role_request(buf):
    role, gen = struct.unpack_from(ofp.OFP_ROLE_REQUEST_PACK_STR, buf, 8)
    return p.OFPRoleRequest(DP, role, gen)


def rd_set_async(buf):
    v = struct.unpack_from(ofp.OFP_ASYNC_CONFIG_PACK_STR, buf, 8)
    return p.OFPSetAsync(DP, list(v[0:2]), list(v[2:4]), list(v[4:6]))


def rd_meter_mod(buf):
    command, flags, meter_id = struct.unpack_from(ofp.OFP_METER_MOD_PACK_STR, buf, 8)
    bands, off = [], ofp.OFP_METER_MOD_SIZE
    while off < len(buf):
        b = p.OFPMeterBandHeader.parser(buf, off)
        bands.append(b)
        off += b.len
    return p.OFPMeterMod(DP, command, flags, meter_id, bands)


def rd_flow_stats_request(cls):
    def rd(buf, flags):
        fields = struct.unpack_from(ofp.OFP_FLOW_STATS_REQUEST_0_PACK_STR, buf, 16)
        match = p.OFPMatch.parser(buf, 16 + struct.calcsize(ofp.OFP_FLOW_STATS_REQUEST_0_PACK_STR))
        return cls(DP, flags, *fields, match)
    return rd


def rd_one_u32(cls, pack):
    return lambda buf, flags: cls(DP, flags, *struct.unpack_from(pack, buf, 16))


def rd_table_features_request(buf, flags):
    body, off = [], ofp.OFP_MULTIPART_REQUEST_SIZE
    while off < len(buf):
        tf = p.OFPTableFeaturesStats.parser(buf, off)
        body.append(tf)
        off += tf.length
    return p.OFPTableFeaturesStatsRequest(DP, flags, body)


def rd_experimenter_request(buf, flags):
    exp, exp_type = struct.unpack_from(ofp.OFP_EXPERIMENTER_MULTIPART_HEADER_PACK_STR, buf, 16)
    return p.OFPExperimenterStatsRequest(DP, flags, exp, exp_type, buf[24:])


MP_REQUESTS = {
    ofp.OFPMP_DESC: lambda buf, flags: p.OFPDescStatsRequest(DP, flags),
    ofp.OFPMP_FLOW: rd_flow_stats_request(p.OFPFlowStatsRequest),
    ofp.OFPMP_AGGREGATE: rd_flow_stats_request(p.OFPAggregateStatsRequest),
    ofp.OFPMP_TABLE: lambda buf, flags: p.OFPTableStatsRequest(DP, flags),
    ofp.OFPMP_PORT_STATS: rd_one_u32(p.OFPPortStatsRequest, ofp.OFP_PORT_STATS_REQUEST_PACK_STR),
    ofp.OFPMP_QUEUE: rd_one_u32(p.OFPQueueStatsRequest, ofp.OFP_QUEUE_STATS_REQUEST_PACK_STR),
    ofp.OFPMP_GROUP: rd_one_u32(p.OFPGroupStatsRequest, ofp.OFP_GROUP_STATS_REQUEST_PACK_STR),
    ofp.OFPMP_GROUP_DESC: lambda buf, flags: p.OFPGroupDescStatsRequest(DP, flags),
    ofp.OFPMP_GROUP_FEATURES: lambda buf, flags: p.OFPGroupFeaturesStatsRequest(DP, flags),
    ofp.OFPMP_METER: rd_one_u32(p.OFPMeterStatsRequest, ofp.OFP_METER_MULTIPART_REQUEST_PACK_STR),
    ofp.OFPMP_METER_CONFIG: rd_one_u32(p.OFPMeterConfigStatsRequest,
                                       ofp.OFP_METER_MULTIPART_REQUEST_PACK_STR),
    ofp.OFPMP_METER_FEATURES: lambda buf, flags: p.OFPMeterFeaturesStatsRequest(DP, flags),
    ofp.OFPMP_TABLE_FEATURES: rd_table_features_request,
    ofp.OFPMP_PORT_DESC: lambda buf, flags: p.OFPPortDescStatsRequest(DP, flags),
    ofp.OFPMP_EXPERIMENTER: rd_experimenter_request,
}


def rd_multipart_request(buf):
    type_, flags = struct.unpack_from(ofp.OFP_MULTIPART_REQUEST_PACK_STR, buf, 8)
    return MP_REQUESTS[type_](buf, flags)


READERS = {
    ofp.OFPT_FEATURES_REQUEST: rd_empty(p.OFPFeaturesRequest),
    ofp.OFPT_GET_CONFIG_REQUEST: rd_empty(p.OFPGetConfigRequest),
    ofp.OFPT_SET_CONFIG: rd_set_config,
    ofp.OFPT_PACKET_OUT: rd_packet_out,
    ofp.OFPT_GROUP_MOD: rd_group_mod,
    ofp.OFPT_PORT_MOD: rd_port_mod,
    ofp.OFPT_TABLE_MOD: rd_table_mod,
    ofp.OFPT_MULTIPART_REQUEST: rd_multipart_request,
    ofp.OFPT_BARRIER_REQUEST: rd_empty(p.OFPBarrierRequest),
    ofp.OFPT_QUEUE_GET_CONFIG_REQUEST: rd_queue_get_config_request,
    ofp.OFPT_ROLE_REQUEST: rd_role_request,
    ofp.OFPT_GET_ASYNC_REQUEST: rd_empty(p.OFPGetAsyncRequest),
    ofp.OFPT_SET_ASYNC: rd_set_async,
    ofp.OFPT_METER_MOD: rd_meter_mod,
}

# Where os-ken's own serializer writes something else than the spec's bytes pfswitch
# sends, the byte comparison is skipped for these message names, with the reason.
RESERIALIZE_EXCEPTIONS = {
    # OFPOxmId.serialize() writes every OXM id with length 0 ("XXX see the comment on
    # OFPOxmId" in os-ken); the spec's OXM header, which pfswitch sends, carries the
    # field's payload length. os-ken's parser ignores the length, so parsing is checked.
    'pfs-mp_request-table_features':
        'os-ken serializes table-features OXM ids with length 0',
}


def onf_bundle_add(msg):
    """os-ken parses an ONF BUNDLE_ADD_MESSAGE as a plain OFPExperimenter (ONFBundleAddMsg
    has a serializer and no parser): rebuilt from its bundle id, flags and the embedded
    message parsed by os-ken, so the checks and the re-serialization see os-ken's class."""
    if not (isinstance(msg, p.OFPExperimenter) and msg.experimenter == 0x4F4E4600 and
            msg.exp_type == ofp.ONF_ET_BUNDLE_ADD_MESSAGE):
        return msg
    bundle_id, flags = struct.unpack_from(ofp.ONF_BUNDLE_ADD_MSG_PACK_STR, msg.data, 0)
    inner = bytes(msg.data[ofp.ONF_BUNDLE_ADD_MSG_SIZE:])
    version, msg_type, msg_len, xid = ofproto_parser.header(inner)
    embedded = p.msg_parser(DP, version, msg_type, msg_len, xid, inner[:msg_len])
    return p.ONFBundleAddMsg(DP, bundle_id, flags, embedded, [])


def serializes(obj):
    """True if os-ken has a serializer for this message class."""
    return any('_serialize_body' in vars(c) or '_serialize_stats_body' in vars(c)
               for c in type(obj).__mro__ if c is not ofproto_parser.MsgBase)


# ---- checks ----------------------------------------------------------------------------

def resolve(obj, path):
    for part in path.split('.'):
        name, _, idx = part.partition('[')
        if name == '@cls':
            obj = type(obj).__name__
        elif name == 'len' and isinstance(obj, (bytes, bytearray)):
            obj = len(obj)
        elif isinstance(obj, p.OFPMatch):
            obj = obj[name]
        elif name:
            obj = getattr(obj, name)
        for i in filter(None, idx.replace(']', '').split('[')) if idx else []:
            obj = obj[int(i)]
    return obj


def same_value(actual, want):
    if isinstance(actual, (list, tuple)):
        parts = want.split('/') if isinstance(actual, tuple) and '/' in want else \
            ([] if want == '' else want.split(','))
        return len(parts) == len(actual) and all(same_value(a, w)
                                                 for a, w in zip(actual, parts))
    if isinstance(actual, (bytes, bytearray)):
        return bytes(actual) == codecs.escape_decode(want)[0]
    if isinstance(actual, bool):
        return str(actual) == want
    if isinstance(actual, int):
        try:
            return actual == int(want, 0)
        except ValueError:
            return False
    if isinstance(actual, str):
        if ':' in actual and actual.count(':') != 5:
            try:
                return ipaddress.ip_address(actual) == ipaddress.ip_address(want)
            except ValueError:
                return False
        return actual.lower() == want.lower()
    return str(actual) == want


class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout()


def check_pfswitch_to_osken(tool, workdir):
    stream = os.path.join(workdir, 'pfs.bin')
    index = os.path.join(workdir, 'pfs.json')
    res = subprocess.run([tool, 'encode', stream, index], stderr=subprocess.PIPE,
                         universal_newlines=True)
    if res.returncode:
        fail('pfs samples', 'ofp_interop encode failed (%d): %s' % (res.returncode, res.stderr))
        if not os.path.exists(index):
            return 0
    with open(stream, 'rb') as f:
        data = f.read()
    with open(index) as f:
        entries = json.load(f)
    signal.signal(signal.SIGALRM, on_alarm)
    parsed = compared = 0
    types = set()
    for e in entries:
        name = e['name']
        buf = data[e['offset']:e['offset'] + e['length']]
        try:
            signal.alarm(10)  # os-ken loops forever on a zero-length entry
            version, msg_type, msg_len, xid = ofproto_parser.header(buf)
            if version != ofp.OFP_VERSION or msg_len != len(buf):
                fail(name, 'bad header: version %d length %d' % (version, msg_len))
                continue
            types.add(msg_type)
            if msg_type in p._MSG_PARSERS:
                msg = onf_bundle_add(p.msg_parser(DP, version, msg_type, msg_len, xid, buf))
                parsed += 1
            else:
                msg = READERS[msg_type](buf)
            if msg is None:
                fail(name, 'os-ken returned no message')
                continue
            if serializes(msg) and name not in RESERIALIZE_EXCEPTIONS:
                msg.xid = None
                msg.set_xid(xid)
                msg.serialize()
                compared += 1
                if bytes(msg.buf) != buf:
                    fail(name, 'os-ken re-serializes it differently:\n  pfswitch %s\n  os-ken   %s'
                         % (buf.hex(), bytes(msg.buf).hex()))
            for path, want in e['checks'].items():
                try:
                    got = resolve(msg, path)
                except (AttributeError, IndexError, KeyError, TypeError) as ex:
                    fail(name, '%s: not in os-ken\'s message (%r)' % (path, ex))
                    continue
                if not same_value(got, want):
                    fail(name, '%s: os-ken reads %r, expected %s' % (path, got, want))
        except Exception:
            fail(name, 'os-ken raised:\n' + traceback.format_exc())
        finally:
            signal.alarm(0)
    print('pfswitch -> os-ken: %d messages of %d types; %d parsed by os-ken\'s message '
          'parsers, %d read with its layouts and element parsers; %d re-serialized by '
          'os-ken byte for byte' % (len(entries), len(types), parsed, len(entries) - parsed,
                                    compared))
    return len(entries)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit('usage: check_osken.py OFP_INTEROP [WORKDIR]')
    tool = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix='pfs-osken-') as tmp:
        workdir = sys.argv[2] if len(sys.argv) == 3 else tmp
        os.makedirs(workdir, exist_ok=True)
        check_osken_to_pfswitch(tool, workdir)
        check_pfswitch_to_osken(tool, workdir)
    if failures:
        print('\nFAILED: %d problem(s):' % len(failures))
        for f in failures:
            print(' - ' + f)
        return 1
    print('PASS')
    return 0


if __name__ == '__main__':
    sys.exit(main())
