#!/usr/bin/python3
"""Builds one or more OpenFlow 1.3 messages of every type with os-ken (the Python
OpenFlow library of OpenStack, Debian package python3-os-ken) and writes them as one
stream plus a JSON index, for pfswitch's ofp_interop tool to decode.

    osken_gen.py STREAM JSON

os-ken serializes the messages a controller sends (FLOW_MOD, GROUP_MOD, multipart
requests, ...) with its message classes. It only *parses* the messages a switch sends
(FEATURES_REPLY, PACKET_IN, multipart replies, ...), so those are packed here from
os-ken's own layout strings (ofproto_v1_3.*_PACK_STR) and its element serializers
(OFPMatch, instructions, actions, buckets, meter bands, table features), and every
message of the stream that os-ken has a parser for is parsed back with os-ken before it
is written: os-ken must accept every byte it is credited with.

JSON: a list with one object per message, in stream order:
    name          "osken-flow_mod-01": unique, also the seed corpus file name
    type          "FLOW_MOD": OFPT_ name without the prefix
    expect        substrings that pfswitch's ofp_message_format text must contain
    expect_error  (optional) "OFPET_X/OFPxx_Y": pfswitch must refuse the message with
                  exactly this error (os-ken sends what a switch must refuse)
    reencode_diff (optional) why pfswitch's re-encoding may differ from os-ken's bytes
"""
import json
import struct
import sys

from os_ken.ofproto import ofproto_parser
from os_ken.ofproto import ofproto_v1_3 as ofp
from os_ken.ofproto import ofproto_v1_3_parser as p


class Datapath:
    """The little of os_ken.controller.Datapath that serializing and parsing use."""
    ofproto = ofp
    ofproto_parser = p
    id = 1


DP = Datapath()
MSGS = []


def name_xid(name):
    """FNV-1a of the name: a message keeps its xid (and its seed file its bytes) when
    messages are added or removed around it."""
    h = 0x811c9dc5
    for c in name.encode():
        h = ((h ^ c) * 0x01000193) & 0xffffffff
    return h


def add(name, buf, expect, parse_back=True, **extra):
    buf = bytes(buf[:4]) + struct.pack('!I', name_xid('osken-' + name)) + bytes(buf[8:])
    version, msg_type, msg_len, xid = ofproto_parser.header(buf)
    assert version == ofp.OFP_VERSION and msg_len == len(buf), name
    entry = {'name': 'osken-' + name, 'type': TYPE_NAMES[msg_type],
             'expect': list(expect)}
    entry.update(extra)
    if parse_back and msg_type in p._MSG_PARSERS:
        parsed = ofproto_parser.msg(DP, version, msg_type, msg_len, xid, buf)
        assert parsed is not None, 'os-ken cannot parse its own ' + name
    MSGS.append((entry, buf))


TYPE_NAMES = {v: k[len('OFPT_'):] for k, v in vars(ofp).items()
              if k.startswith('OFPT_') and isinstance(v, int)}


def xid():
    return 0x100 + len(MSGS)


def ser(msg):
    """Serializes an os-ken message class instance with the next xid."""
    msg.set_xid(xid())
    msg.serialize()
    return msg.buf


def raw(msg_type, body):
    """A message os-ken has no serializer for: header packed with os-ken's layout."""
    return struct.pack(ofp.OFP_HEADER_PACK_STR, ofp.OFP_VERSION, msg_type,
                       ofp.OFP_HEADER_SIZE + len(body), xid()) + bytes(body)


def match_bytes(match):
    buf = bytearray()
    match.serialize(buf, 0)
    return bytes(buf)


def list_bytes(items):
    """Instructions, actions, buckets or meter bands serialized one after another."""
    buf = bytearray()
    for it in items:
        it.serialize(buf, len(buf))
    return bytes(buf)


def mp_reply(stats_type, body, flags=0):
    return raw(ofp.OFPT_MULTIPART_REPLY,
               struct.pack(ofp.OFP_MULTIPART_REPLY_PACK_STR, stats_type, flags) + body)


def port_bytes(port_no, hw_addr, name, config, state, curr, advertised, supported,
               peer, curr_speed, max_speed):
    return struct.pack(ofp.OFP_PORT_PACK_STR, port_no, bytes.fromhex(hw_addr.replace(':', '')),
                       name.encode(), config, state, curr, advertised, supported, peer,
                       curr_speed, max_speed)


def apply(*actions):
    return p.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, list(actions))


def write(*actions):
    return p.OFPInstructionActions(ofp.OFPIT_WRITE_ACTIONS, list(actions))


# A small TCP/IPv4 frame for PACKET_IN / PACKET_OUT data.
FRAME = bytes.fromhex(
    '0a0000000002' '0a0000000001' '0800'
    '4500002800010000400666cb0a0000010a000002'
    '04d2005000000001000000005002200000000000')

# ---- Symmetric and switch-config messages ----------------------------------------

# os-ken's OFPHello serializes no elements; the version bitmap element is packed from
# its layout: versions 1 and 4.
elem = struct.pack(ofp.OFP_HELLO_ELEM_VERSIONBITMAP_HEADER_PACK_STR,
                   ofp.OFPHET_VERSIONBITMAP, 8) + struct.pack('!I', (1 << 1) | (1 << 4))
add('hello-01', raw(ofp.OFPT_HELLO, elem), ['version bitmap: 0x01, 0x04'])
add('hello-02', ser(p.OFPHello(DP)), ['OFPT_HELLO'])

FM_FOR_ERROR = p.OFPFlowMod(DP, priority=7, match=p.OFPMatch(in_port=1),
                            instructions=[apply(p.OFPActionOutput(2))])
add('error-01', ser(p.OFPErrorMsg(DP, type_=ofp.OFPET_BAD_MATCH,
                                  code=ofp.OFPBMC_BAD_PREREQ,
                                  data=bytes(ser(FM_FOR_ERROR))[:64])),
    ['OFPBMC_BAD_PREREQ', 'OFPT_FLOW_MOD'])
add('error-02', ser(p.OFPErrorMsg(DP, type_=ofp.OFPET_HELLO_FAILED,
                                  code=ofp.OFPHFC_INCOMPATIBLE,
                                  data=b'only OpenFlow 1.3 supported')),
    ['OFPHFC_INCOMPATIBLE', 'only OpenFlow 1.3 supported'])
add('error-03', ser(p.OFPErrorMsg(DP, type_=ofp.OFPET_EXPERIMENTER, exp_type=0x42,
                                  experimenter=0x00abcdef, data=b'\x01\x02\x03')),
    ['experimenter'])

add('echo_request', ser(p.OFPEchoRequest(DP, data=b'ping-0123456789')),
    ['15 bytes of payload'])
add('echo_reply', ser(p.OFPEchoReply(DP, data=b'pong')), ['4 bytes of payload'])
add('experimenter', ser(p.OFPExperimenter(DP, experimenter=0x00abcdef, exp_type=7,
                                          data=b'\xaa\xbb\xcc\xdd\xee')),
    ['experimenter=0x00abcdef', 'exp_type=7'])
# Bundles (ONF extension 230): control messages of every request type, and an add whose
# embedded flow mod carries the add's xid (os-ken sets it so when serializing).
for i, (t, flags) in enumerate([(ofp.ONF_BCT_OPEN_REQUEST, ofp.ONF_BF_ATOMIC),
                                (ofp.ONF_BCT_CLOSE_REQUEST, 0),
                                (ofp.ONF_BCT_COMMIT_REQUEST,
                                 ofp.ONF_BF_ATOMIC | ofp.ONF_BF_ORDERED),
                                (ofp.ONF_BCT_DISCARD_REQUEST, ofp.ONF_BF_ORDERED)]):
    names = ['OPEN_REQUEST', 'CLOSE_REQUEST', 'COMMIT_REQUEST', 'DISCARD_REQUEST']
    add('bundle_ctrl-%02d' % i, ser(p.ONFBundleCtrlMsg(DP, 0x100 + i, t, flags, [])),
        ['ONFT_BUNDLE_CONTROL bundle_id=%#x type=%s' % (0x100 + i, names[i])])
BUNDLED_FM = p.OFPFlowMod(DP, cookie=0x77, table_id=1, command=ofp.OFPFC_ADD, priority=321,
                          buffer_id=ofp.OFP_NO_BUFFER, match=p.OFPMatch(in_port=2),
                          instructions=[p.OFPInstructionActions(
                              ofp.OFPIT_APPLY_ACTIONS, [p.OFPActionOutput(1)])])
BUNDLE_ADD = p.ONFBundleAddMsg(DP, 0x100, ofp.ONF_BF_ATOMIC, BUNDLED_FM, [])
BUNDLE_ADD.set_xid(name_xid('osken-bundle_add'))
BUNDLE_ADD.serialize()
add('bundle_add', BUNDLE_ADD.buf,
    ['ONFT_BUNDLE_ADD_MESSAGE bundle_id=0x100 flags=atomic', 'OFPT_FLOW_MOD (OF1.3)',
     'priority=321', 'in_port=2', 'output:1'])
add('features_request', ser(p.OFPFeaturesRequest(DP)), ['OFPT_FEATURES_REQUEST'])
add('features_reply', raw(ofp.OFPT_FEATURES_REPLY, struct.pack(
    ofp.OFP_SWITCH_FEATURES_PACK_STR, 0x0000aabbccddeeff, 256, 64, 0,
    ofp.OFPC_FLOW_STATS | ofp.OFPC_TABLE_STATS | ofp.OFPC_PORT_STATS |
    ofp.OFPC_GROUP_STATS | ofp.OFPC_QUEUE_STATS, 0)),
    ['dpid:0000aabbccddeeff', 'n_tables:64', 'n_buffers:256', 'FLOW_STATS',
     'QUEUE_STATS'])
add('get_config_request', ser(p.OFPGetConfigRequest(DP)), ['OFPT_GET_CONFIG_REQUEST'])
add('get_config_reply', raw(ofp.OFPT_GET_CONFIG_REPLY, struct.pack(
    ofp.OFP_SWITCH_CONFIG_PACK_STR, ofp.OFPC_FRAG_DROP, 0xffff)),
    ['frags=drop', 'miss_send_len=NO_BUFFER'])
add('set_config', ser(p.OFPSetConfig(DP, ofp.OFPC_FRAG_REASM, 512)),
    ['frags=reassemble', 'miss_send_len=512'])

# ---- Asynchronous messages (switch to controller) ------------------------------------

pin_match = p.OFPMatch(in_port=3, in_phy_port=3, metadata=0x1122334455667788,
                       tunnel_id=0x99)
add('packet_in', raw(ofp.OFPT_PACKET_IN, struct.pack(
    ofp.OFP_PACKET_IN_PACK_STR, ofp.OFP_NO_BUFFER, len(FRAME), ofp.OFPR_ACTION, 2, 0x55)
    + match_bytes(pin_match) + b'\0\0' + FRAME),
    ['table_id=2', 'cookie=0x55', 'total_len=54', 'in_port=3', 'tun_id=0x99',
     'metadata=0x1122334455667788', '(via action)', 'data_len=54'])

fr_match = p.OFPMatch(in_port=1, eth_type=0x0800, ipv4_dst=('10.1.0.0', '255.255.0.0'))
fr = struct.pack(ofp.OFP_FLOW_REMOVED_PACK_STR0, 0x1234, 100, ofp.OFPRR_HARD_TIMEOUT, 3,
                 12, 500000000, 10, 20, 42, 4200)
add('flow_removed', raw(ofp.OFPT_FLOW_REMOVED, fr + match_bytes(fr_match)),
    ['priority=100', 'nw_dst=10.1.0.0/16', 'reason=hard', 'table_id=3', 'cookie:0x1234',
     'duration12.500s', 'idle10', 'hard20', 'pkts42', 'bytes4200'])

add('port_status', raw(ofp.OFPT_PORT_STATUS, struct.pack('!B7x', ofp.OFPPR_MODIFY) +
    port_bytes(7, '02:00:00:00:00:07', 'eth7', ofp.OFPPC_NO_PACKET_IN, ofp.OFPPS_LIVE,
               ofp.OFPPF_10GB_FD | ofp.OFPPF_FIBER, ofp.OFPPF_10GB_FD, ofp.OFPPF_10GB_FD,
               0, 10000000, 10000000)),
    ['MOD', '7(eth7)', 'addr:02:00:00:00:00:07', 'NO_PACKET_IN', 'LIVE', '10GB-FD'])

# ---- Controller to switch ------------------------------------------------------------

add('packet_out', ser(p.OFPPacketOut(
    DP, buffer_id=ofp.OFP_NO_BUFFER, in_port=1,
    actions=[p.OFPActionSetField(eth_dst='0a:00:00:00:00:09'), p.OFPActionOutput(2)],
    data=FRAME)),
    ['in_port=1', 'actions=set_field:0a:00:00:00:00:09->eth_dst,output:2', 'data_len=54'])
add('packet_out-buffered', ser(p.OFPPacketOut(
    DP, buffer_id=0x101, in_port=ofp.OFPP_CONTROLLER,
    actions=[p.OFPActionOutput(ofp.OFPP_FLOOD)])),
    ['in_port=CONTROLLER', 'actions=FLOOD', 'buffer=0x00000101'])

# FLOW_MODs: every OXM field over the set (each maskable field masked at least once,
# every field exact at least once), every action type, every instruction type.
M = p.OFPMatch
flow_mods = [
    # L2/VLAN/IPv4/TCP, pipeline fields; apply + write_actions + write_metadata + goto.
    (dict(command=ofp.OFPFC_ADD, table_id=1, priority=100, cookie=0x1234,
          idle_timeout=10, hard_timeout=300, flags=ofp.OFPFF_SEND_FLOW_REM,
          match=M(in_port=1, in_phy_port=1, metadata=(0x1200, 0xff00),
                  eth_dst='00:11:22:33:44:55', eth_src=('00:aa:00:00:00:00',
                                                        'ff:ff:00:00:00:00'),
                  eth_type=0x0800, vlan_vid=(0x1000 | 100), vlan_pcp=3,
                  ip_dscp=10, ip_ecn=1, ip_proto=6,
                  ipv4_src=('10.0.0.0', '255.0.0.0'), ipv4_dst='192.168.1.1',
                  tcp_src=1234, tcp_dst=80, tunnel_id=(0x10, 0xf0)),
          instructions=[
              apply(p.OFPActionSetField(ipv4_dst='10.9.9.9'),
                    p.OFPActionSetField(tcp_dst=8080),
                    p.OFPActionSetNwTtl(9), p.OFPActionDecNwTtl(),
                    p.OFPActionSetQueue(3), p.OFPActionPushVlan(0x8100),
                    p.OFPActionSetField(vlan_vid=(0x1000 | 200)),
                    p.OFPActionPopVlan(),
                    p.OFPActionOutput(ofp.OFPP_CONTROLLER, 128)),
              write(p.OFPActionGroup(5), p.OFPActionOutput(2)),
              p.OFPInstructionWriteMetadata(0x10, 0xff),
              p.OFPInstructionGotoTable(2)]),
     ['ADD', 'table:1', 'priority=100', 'cookie:0x1234', 'idle:10', 'hard:300',
      'send_flow_rem', 'in_port=1', 'in_phy_port=1', 'metadata=0x1200/0xff00',
      'dl_dst=00:11:22:33:44:55', 'dl_src=00:aa:00:00:00:00/ff:ff:00:00:00:00',
      'dl_vlan=100', 'dl_vlan_pcp=3', 'nw_tos=40', 'nw_ecn=1',
      'nw_src=10.0.0.0/8', 'nw_dst=192.168.1.1', 'tp_src=1234', 'tp_dst=80',
      'tun_id=0x10/0xf0', 'set_field:10.9.9.9->ip_dst', 'set_field:8080->tcp_dst',
      'mod_nw_ttl:9', 'dec_ttl', 'set_queue:3', 'push_vlan:0x8100',
      'set_field:4296->vlan_vid', 'pop_vlan', 'CONTROLLER:128',
      'write_actions(group:5,output:2)', 'write_metadata:0x10/0xff', 'goto_table:2']),
    # UDP, meter + clear_actions.
    (dict(command=ofp.OFPFC_MODIFY, table_id=2, priority=200,
          match=M(eth_type=0x0800, ip_proto=17, ipv4_dst=('172.16.0.0', '255.240.0.0'),
                  udp_src=5000, udp_dst=53),
          instructions=[p.OFPInstructionMeter(4),
                        p.OFPInstructionActions(ofp.OFPIT_CLEAR_ACTIONS, []),
                        apply(p.OFPActionSetField(udp_dst=5353), p.OFPActionOutput(3))]),
     ['MOD', 'table:2', 'priority=200', 'udp', 'nw_dst=172.16.0.0/12', 'tp_src=5000',
      'tp_dst=53', 'meter:4', 'clear_actions', 'set_field:5353->udp_dst', 'output:3']),
    # SCTP.
    (dict(command=ofp.OFPFC_ADD, priority=300,
          match=M(eth_type=0x0800, ip_proto=132, sctp_src=3868, sctp_dst=2905),
          instructions=[apply(p.OFPActionSetField(sctp_src=1), p.OFPActionOutput(4))]),
     ['priority=300', 'sctp', 'tp_src=3868', 'tp_dst=2905', 'set_field:1->sctp_src']),
    # ICMPv4.
    (dict(command=ofp.OFPFC_ADD, priority=400,
          match=M(eth_type=0x0800, ip_proto=1, icmpv4_type=8, icmpv4_code=0),
          instructions=[apply(p.OFPActionSetField(icmpv4_type=0),
                              p.OFPActionOutput(ofp.OFPP_IN_PORT))]),
     ['priority=400', 'icmp', 'icmp_type=8', 'icmp_code=0', 'IN_PORT']),
    # ARP.
    (dict(command=ofp.OFPFC_ADD, priority=500,
          match=M(eth_type=0x0806, arp_op=1, arp_spa=('10.0.0.0', '255.255.255.0'),
                  arp_tpa='10.0.0.1', arp_sha=('02:00:00:00:00:00', 'ff:ff:ff:00:00:00'),
                  arp_tha='02:00:00:00:00:02'),
          instructions=[apply(p.OFPActionSetField(arp_op=2),
                              p.OFPActionSetField(arp_tha='02:00:00:00:00:03'),
                              p.OFPActionOutput(ofp.OFPP_ALL))]),
     ['priority=500', 'arp', 'arp_op=1', 'arp_spa=10.0.0.0/24', 'arp_tpa=10.0.0.1',
      'arp_sha=02:00:00:00:00:00/ff:ff:ff:00:00:00', 'arp_tha=02:00:00:00:00:02',
      'set_field:2->arp_op', 'ALL']),
    # IPv6 neighbour solicitation: ipv6 fields, flabel and exthdr masked, nd_sll.
    (dict(command=ofp.OFPFC_ADD, priority=600,
          match=M(eth_type=0x86dd, ip_proto=58,
                  ipv6_src=('2001:db8::', 'ffff:ffff::'), ipv6_dst='2001:db8::1',
                  ipv6_flabel=(0x12345, 0xfffff), ipv6_exthdr=(0x0004, 0x00ff),
                  icmpv6_type=135, icmpv6_code=0, ipv6_nd_target='2001:db8::2',
                  ipv6_nd_sll='02:00:00:00:00:05'),
          instructions=[apply(p.OFPActionSetField(ipv6_src='2001:db8::99'),
                              p.OFPActionOutput(5))]),
     ['priority=600', 'icmp6', 'ipv6_src=2001:db8::/32', 'ipv6_dst=2001:db8::1',
      'ipv6_label=0x12345', 'ipv6_exthdr=0x4/0xff', 'icmp_type=135', 'icmp_code=0',
      'nd_target=2001:db8::2', 'nd_sll=02:00:00:00:00:05',
      'set_field:2001:db8::99->ipv6_src']),
    # IPv6 neighbour advertisement: nd_tll, exact flabel and ipv6_exthdr.
    (dict(command=ofp.OFPFC_ADD, priority=601,
          match=M(eth_type=0x86dd, ip_proto=58, ipv6_flabel=7, ipv6_exthdr=1,
                  icmpv6_type=136, ipv6_nd_tll='02:00:00:00:00:06'),
          instructions=[apply(p.OFPActionOutput(6))]),
     ['priority=601', 'ipv6_label=0x00007', 'icmp_type=136', 'nd_tll=02:00:00:00:00:06']),
    # MPLS: MPLS fields and actions.
    (dict(command=ofp.OFPFC_ADD, priority=700,
          match=M(eth_type=0x8847, mpls_label=0x12345, mpls_tc=5, mpls_bos=1),
          instructions=[apply(p.OFPActionSetMplsTtl(64), p.OFPActionDecMplsTtl(),
                              p.OFPActionCopyTtlOut(), p.OFPActionCopyTtlIn(),
                              p.OFPActionSetField(mpls_label=77),
                              p.OFPActionPopMpls(0x0800), p.OFPActionOutput(7))]),
     ['priority=700', 'mpls', 'mpls_label=74565', 'mpls_tc=5', 'mpls_bos=1',
      'set_mpls_ttl(64)', 'dec_mpls_ttl', 'copy_ttl_out', 'copy_ttl_in',
      'set_field:77->mpls_label', 'pop_mpls:0x0800']),
    # PBB: pbb_isid masked, pop_pbb; push_mpls and push_pbb on an IPv4 flow.
    (dict(command=ofp.OFPFC_ADD, priority=800,
          match=M(eth_type=0x88e7, pbb_isid=(0x123456, 0xffff00)),
          instructions=[apply(p.OFPActionPopPbb(), p.OFPActionOutput(8))]),
     ['priority=800', 'pbb_isid=0x123400/0xffff00', 'pop_pbb']),
    (dict(command=ofp.OFPFC_ADD, priority=801,
          match=M(eth_type=0x0800, vlan_vid=(0x1000, 0x1000), tunnel_id=0x77),
          instructions=[apply(p.OFPActionPushMpls(0x8847), p.OFPActionPushPbb(0x88e7),
                              p.OFPActionSetField(eth_src='02:00:00:00:00:aa'),
                              p.OFPActionOutput(ofp.OFPP_LOCAL))]),
     ['priority=801', 'vlan_tci=0x1000/0x1000', 'tun_id=0x77', 'push_mpls:0x8847',
      'push_pbb:0x88e7', 'set_field:02:00:00:00:00:aa->eth_src', 'LOCAL']),
    # Exact pbb_isid.
    (dict(command=ofp.OFPFC_ADD, priority=802, match=M(eth_type=0x88e7, pbb_isid=0x10)),
     ['priority=802', 'dl_type=0x88e7', 'pbb_isid=16', 'actions=drop']),
    # The maskable fields not masked above: eth_dst, ipv6_dst; arp_tpa, arp_tha.
    (dict(command=ofp.OFPFC_ADD, priority=1000,
          match=M(eth_dst=('01:00:00:00:00:00', '01:00:00:00:00:00'), eth_type=0x86dd,
                  ipv6_dst=('ff02::', 'ffff::'))),
     ['priority=1000', 'dl_dst=01:00:00:00:00:00/01:00:00:00:00:00', 'ipv6_dst=ff02::/16']),
    (dict(command=ofp.OFPFC_ADD, priority=1001,
          match=M(eth_type=0x0806, arp_tpa=('192.168.0.0', '255.255.0.0'),
                  arp_tha=('00:00:5e:00:00:00', 'ff:ff:ff:00:00:00'))),
     ['priority=1001', 'arp_tpa=192.168.0.0/16',
      'arp_tha=00:00:5e:00:00:00/ff:ff:ff:00:00:00']),
    # Delete with out_port / out_group and a cookie mask.
    (dict(command=ofp.OFPFC_DELETE_STRICT, table_id=ofp.OFPTT_ALL, priority=900,
          cookie=0xf0, cookie_mask=0xff, out_port=3, out_group=4,
          match=M(in_port=9, vlan_vid=0x0000)),
     ['DEL_STRICT', 'priority=900', 'in_port=9', 'out_port:3']),
]
for i, (kw, expect) in enumerate(flow_mods, 1):
    add('flow_mod-%02d' % i, ser(p.OFPFlowMod(DP, **kw)), expect)

# An experimenter action: pfswitch knows no experimenter and must refuse it with the
# spec's error rather than crash or accept it.
add('flow_mod-exp', ser(p.OFPFlowMod(
    DP, priority=1, match=M(in_port=1),
    instructions=[apply(p.OFPActionExperimenterUnknown(0x00abcdef, data=b'\x01\x02\x03\x04'))])),
    [], expect_error='OFPET_BAD_ACTION/OFPBAC_BAD_EXPERIMENTER')



class ExperimenterInstruction(p.OFPInstruction):
    """os-ken has no class for OFPIT_EXPERIMENTER: type, len, experimenter id, data."""

    def __init__(self, experimenter, data):
        self.buf = struct.pack('!HHI', ofp.OFPIT_EXPERIMENTER, 8 + len(data),
                               experimenter) + data
        self.len = len(self.buf)

    def serialize(self, buf, offset):
        p.msg_pack_into('!%ds' % self.len, buf, offset, self.buf)


# Likewise an experimenter instruction. os-ken cannot parse this one back: its
# OFPFlowMod parser loops forever on an instruction type it has no class for.
add('flow_mod-exp-inst', ser(p.OFPFlowMod(
    DP, priority=1, match=M(in_port=1),
    instructions=[ExperimenterInstruction(0x00abcdef, b'\x01\x02\x03\x04\0\0\0\0')])),
    [], parse_back=False, expect_error='OFPET_BAD_INSTRUCTION/OFPBIC_BAD_EXPERIMENTER')

bucket = p.OFPBucket
group_mods = [
    (dict(command=ofp.OFPGC_ADD, type_=ofp.OFPGT_ALL, group_id=1,
          buckets=[bucket(actions=[p.OFPActionOutput(1)]),
                   bucket(actions=[p.OFPActionSetField(vlan_vid=0x1000 | 5),
                                   p.OFPActionOutput(2)])]),
     ['ADD', 'group_id=1', 'type=all', 'bucket=actions=output:1',
      'set_field:4101->vlan_vid']),
    (dict(command=ofp.OFPGC_MODIFY, type_=ofp.OFPGT_SELECT, group_id=2,
          buckets=[bucket(weight=10, actions=[p.OFPActionOutput(1)]),
                   bucket(weight=20, actions=[p.OFPActionOutput(2)])]),
     ['MOD', 'group_id=2', 'type=select', 'weight:10', 'weight:20']),
    (dict(command=ofp.OFPGC_ADD, type_=ofp.OFPGT_INDIRECT, group_id=3,
          buckets=[bucket(actions=[p.OFPActionDecNwTtl(), p.OFPActionGroup(1)])]),
     ['group_id=3', 'type=indirect', 'dec_ttl', 'group:1']),
    (dict(command=ofp.OFPGC_ADD, type_=ofp.OFPGT_FF, group_id=4,
          buckets=[bucket(watch_port=1, actions=[p.OFPActionOutput(1)]),
                   bucket(watch_group=2, actions=[p.OFPActionOutput(2)])]),
     ['group_id=4', 'type=ff', 'watch_port:1', 'watch_group:2']),
    (dict(command=ofp.OFPGC_DELETE, type_=ofp.OFPGT_ALL, group_id=ofp.OFPG_ALL),
     ['DEL', 'group_id=ALL']),
]
for i, (kw, expect) in enumerate(group_mods, 1):
    add('group_mod-%02d' % i, ser(p.OFPGroupMod(DP, **kw)), expect)

add('port_mod', ser(p.OFPPortMod(DP, port_no=2, hw_addr='02:00:00:00:00:02',
                                 config=ofp.OFPPC_PORT_DOWN,
                                 mask=ofp.OFPPC_PORT_DOWN | ofp.OFPPC_NO_PACKET_IN,
                                 advertise=ofp.OFPPF_10GB_FD | ofp.OFPPF_FIBER)),
    ['port: 2', 'addr:02:00:00:00:00:02', 'PORT_DOWN', 'NO_PACKET_IN', '10GB-FD', 'FIBER'])
add('table_mod', ser(p.OFPTableMod(DP, 5, 3)), ['table_id=5', 'config=0x3'])

# ---- Multipart requests ------------------------------------------------------------

fs_match = M(in_port=1, eth_type=0x0800, ipv4_src='10.0.0.1')
oxm_ids = [p.OFPOxmId(n) for n in ('in_port', 'eth_type', 'ipv4_src', 'tcp_dst')]
masked_ids = [p.OFPOxmId('ipv4_src', hasmask=True), p.OFPOxmId('metadata', hasmask=True)]
inst_ids = [p.OFPInstructionId(t) for t in (
    ofp.OFPIT_GOTO_TABLE, ofp.OFPIT_WRITE_METADATA, ofp.OFPIT_WRITE_ACTIONS,
    ofp.OFPIT_APPLY_ACTIONS, ofp.OFPIT_CLEAR_ACTIONS, ofp.OFPIT_METER)]
act_ids = [p.OFPActionId(t) for t in (
    ofp.OFPAT_OUTPUT, ofp.OFPAT_COPY_TTL_OUT, ofp.OFPAT_COPY_TTL_IN, ofp.OFPAT_SET_MPLS_TTL,
    ofp.OFPAT_DEC_MPLS_TTL, ofp.OFPAT_PUSH_VLAN, ofp.OFPAT_POP_VLAN, ofp.OFPAT_PUSH_MPLS,
    ofp.OFPAT_POP_MPLS, ofp.OFPAT_SET_QUEUE, ofp.OFPAT_GROUP, ofp.OFPAT_SET_NW_TTL,
    ofp.OFPAT_DEC_NW_TTL, ofp.OFPAT_SET_FIELD, ofp.OFPAT_PUSH_PBB, ofp.OFPAT_POP_PBB)]


def table_features(table_id, name):
    """One ofp_table_features with one property of every type."""
    T = p.OFPTableFeaturePropInstructions
    A = p.OFPTableFeaturePropActions
    O = p.OFPTableFeaturePropOxm
    N = p.OFPTableFeaturePropNextTables
    E = p.OFPTableFeaturePropExperimenter
    props = [
        T(type_=ofp.OFPTFPT_INSTRUCTIONS, instruction_ids=inst_ids),
        T(type_=ofp.OFPTFPT_INSTRUCTIONS_MISS, instruction_ids=inst_ids[:4]),
        N(type_=ofp.OFPTFPT_NEXT_TABLES, table_ids=[table_id + 1, table_id + 2, 9]),
        N(type_=ofp.OFPTFPT_NEXT_TABLES_MISS, table_ids=[table_id + 1]),
        A(type_=ofp.OFPTFPT_WRITE_ACTIONS, action_ids=act_ids),
        A(type_=ofp.OFPTFPT_WRITE_ACTIONS_MISS, action_ids=act_ids[:3]),
        A(type_=ofp.OFPTFPT_APPLY_ACTIONS, action_ids=act_ids),
        A(type_=ofp.OFPTFPT_APPLY_ACTIONS_MISS, action_ids=act_ids[:1]),
        O(type_=ofp.OFPTFPT_MATCH, oxm_ids=oxm_ids),
        O(type_=ofp.OFPTFPT_WILDCARDS, oxm_ids=masked_ids),
        O(type_=ofp.OFPTFPT_WRITE_SETFIELD, oxm_ids=oxm_ids[1:]),
        O(type_=ofp.OFPTFPT_WRITE_SETFIELD_MISS, oxm_ids=oxm_ids[2:]),
        O(type_=ofp.OFPTFPT_APPLY_SETFIELD, oxm_ids=oxm_ids[1:3]),
        O(type_=ofp.OFPTFPT_APPLY_SETFIELD_MISS, oxm_ids=oxm_ids[3:]),
        E(type_=ofp.OFPTFPT_EXPERIMENTER, experimenter=0x00abcdef, exp_type=1,
          data=[0x11111111, 0x22222222]),
        E(type_=ofp.OFPTFPT_EXPERIMENTER_MISS, experimenter=0x00abcdef, exp_type=2, data=[]),
    ]
    return p.OFPTableFeaturesStats(table_id=table_id, name=name.encode(),
                                   metadata_match=0xffffffffffffffff,
                                   metadata_write=0xff00, config=0, max_entries=4096,
                                   properties=props)


TF_EXPECT = ['table 0', 'max_entries=4096', 'goto_table', 'write_metadata', 'meter',
             'apply_actions', 'clear_actions', 'copy_ttl_out', 'push_pbb', 'set_field',
             'match: in_port,eth_type,ipv4_src,tcp_dst', 'wildcards: ipv4_src/mask',
             'next_tables: ', 'experimenter=0x00abcdef exp_type=1']

requests = [
    ('desc', p.OFPDescStatsRequest(DP), ['DESC']),
    ('flow', p.OFPFlowStatsRequest(DP, 0, 1, 2, ofp.OFPG_ANY, 0x10, 0xff, fs_match),
     ['FLOW', 'table=1', 'out_port=2', 'cookie=0x10/0xff', 'nw_src=10.0.0.1']),
    ('aggregate', p.OFPAggregateStatsRequest(DP, 0, ofp.OFPTT_ALL, ofp.OFPP_ANY, 7, 0, 0,
                                             M(eth_type=0x86dd)),
     ['AGGREGATE', 'out_group=7', 'ipv6']),
    ('table', p.OFPTableStatsRequest(DP), ['TABLE']),
    ('port_stats', p.OFPPortStatsRequest(DP, 0, 5), ['OFPST_PORT request', 'port_no=5']),
    ('queue', p.OFPQueueStatsRequest(DP, 0, ofp.OFPP_ANY, 3), ['QUEUE', 'port=ANY',
                                                              'queue=3']),
    ('group', p.OFPGroupStatsRequest(DP, 0, 6), ['GROUP', 'group_id=6']),
    ('group_desc', p.OFPGroupDescStatsRequest(DP), ['GROUP_DESC']),
    ('group_features', p.OFPGroupFeaturesStatsRequest(DP), ['GROUP_FEATURES']),
    ('meter', p.OFPMeterStatsRequest(DP, 0, 8), ['METER', 'meter=8']),
    ('meter_config', p.OFPMeterConfigStatsRequest(DP, 0, ofp.OFPM_ALL),
     ['METER_CONFIG', 'meter=all']),
    ('meter_features', p.OFPMeterFeaturesStatsRequest(DP), ['METER_FEATURES']),
    ('table_features', p.OFPTableFeaturesStatsRequest(DP, 0, [table_features(0, 'first')]),
     ['TABLE_FEATURES', '"first"'] + TF_EXPECT),
    ('table_features-query', p.OFPTableFeaturesStatsRequest(DP, 0, []),
     ['TABLE_FEATURES']),
    ('port_desc', p.OFPPortDescStatsRequest(DP), ['PORT_DESC']),
    ('experimenter', p.OFPExperimenterStatsRequest(DP, 0, 0x00abcdef, 3, b'\x01\x02\x03\x04'),
     ['EXPERIMENTER']),
]
for name, req, expect in requests:
    add('mp_request-' + name, ser(req), expect)

# ---- Multipart replies (packed from os-ken's layouts and element serializers) -------


def flow_stats(table_id, prio, cookie, match, insts, flags=0):
    match_b = match_bytes(match)
    inst_b = list_bytes(insts)
    length = struct.calcsize(ofp.OFP_FLOW_STATS_0_PACK_STR) + len(match_b) + len(inst_b)
    return struct.pack(ofp.OFP_FLOW_STATS_0_PACK_STR, length, table_id, 3, 250000000,
                       prio, 30, 0, flags, cookie, 11, 1100) + match_b + inst_b


def desc_field(s, n):
    return s.encode().ljust(n, b'\0')


desc = struct.pack(ofp.OFP_DESC_PACK_STR, b'os-ken mfr', b'os-ken hw', b'os-ken sw',
                   b'SN-0001', b'dp under test')
add('mp_reply-desc', mp_reply(ofp.OFPMP_DESC, desc),
    ['Manufacturer: os-ken mfr', 'Hardware: os-ken hw', 'Software: os-ken sw',
     'Serial Num: SN-0001', 'DP Description: dp under test'])
add('mp_reply-flow', mp_reply(ofp.OFPMP_FLOW, flow_stats(
    0, 100, 0xabc, M(in_port=1, eth_type=0x0800, ip_proto=6, tcp_dst=22),
    [apply(p.OFPActionOutput(2))], ofp.OFPFF_SEND_FLOW_REM) + flow_stats(
    1, 5, 0, M(), [p.OFPInstructionGotoTable(4)])),
    ['cookie=0xabc', 'duration=3.250s', 'n_packets=11', 'n_bytes=1100', 'idle_timeout=30',
     'priority=100', 'tcp', 'tp_dst=22', 'actions=output:2', 'table=1',
     'goto_table:4'])
add('mp_reply-aggregate', mp_reply(ofp.OFPMP_AGGREGATE, struct.pack(
    ofp.OFP_AGGREGATE_STATS_REPLY_PACK_STR, 77, 7700, 3)),
    ['packet_count=77', 'byte_count=7700', 'flow_count=3'])
add('mp_reply-table', mp_reply(ofp.OFPMP_TABLE, struct.pack(
    ofp.OFP_TABLE_STATS_PACK_STR, 0, 4, 1000, 900) + struct.pack(
    ofp.OFP_TABLE_STATS_PACK_STR, 1, 0, 100, 0)),
    ['table 0', 'active=4', 'lookup=1000', 'matched=900', 'table 1'])
add('mp_reply-port_stats', mp_reply(ofp.OFPMP_PORT_STATS, struct.pack(
    ofp.OFP_PORT_STATS_PACK_STR, 5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 500000000)),
    ['port  5', 'rx pkts=1', 'bytes=3', 'drop=5', 'errs=7', 'frame=9', 'over=10',
     'crc=11', 'tx pkts=2', 'coll=12', 'duration=13.500s'])
add('mp_reply-queue', mp_reply(ofp.OFPMP_QUEUE, struct.pack(
    ofp.OFP_QUEUE_STATS_PACK_STR, 5, 1, 1000, 10, 1, 2, 0)),
    ['port 5 queue 1', 'bytes=1000', 'pkts=10', 'errors=1', 'duration=2'])
gs = struct.pack(ofp.OFP_GROUP_STATS_PACK_STR, 40 + 32, 6, 2, 99, 9900, 4, 0) + \
    struct.pack(ofp.OFP_BUCKET_COUNTER_PACK_STR, 50, 5000) + \
    struct.pack(ofp.OFP_BUCKET_COUNTER_PACK_STR, 49, 4900)
add('mp_reply-group', mp_reply(ofp.OFPMP_GROUP, gs),
    ['group_id=6', 'ref_count=2', 'packet_count=99', 'byte_count=9900',
     'bucket0:packet_count=50,byte_count=5000', 'bucket1:packet_count=49'])
gd_buckets = list_bytes([bucket(weight=3, actions=[p.OFPActionOutput(1)]),
                         bucket(weight=4, actions=[p.OFPActionSetField(ipv4_src='1.2.3.4'),
                                                   p.OFPActionOutput(2)])])
gd = struct.pack(ofp.OFP_GROUP_DESC_STATS_PACK_STR, 8 + len(gd_buckets), ofp.OFPGT_SELECT,
                 9) + gd_buckets
add('mp_reply-group_desc', mp_reply(ofp.OFPMP_GROUP_DESC, gd),
    ['group_id=9', 'type=select', 'weight:3', 'weight:4', 'set_field:1.2.3.4->ip_src'])
add('mp_reply-group_features', mp_reply(ofp.OFPMP_GROUP_FEATURES, struct.pack(
    ofp.OFP_GROUP_FEATURES_PACK_STR, 0xf, ofp.OFPGFC_SELECT_WEIGHT | ofp.OFPGFC_CHAINING,
    100, 200, 300, 400, 1 << ofp.OFPAT_OUTPUT, 1 << ofp.OFPAT_GROUP, 1, 1)),
    ['all select indirect fast_failover', 'weight chaining', 'max_groups=0x64',
     'max_groups=0x190'])
ms = struct.pack(ofp.OFP_METER_STATS_PACK_STR, 8, 40 + 16, 2, 300, 30000, 7, 0) + \
    struct.pack(ofp.OFP_METER_BAND_STATS_PACK_STR, 12, 1200)
add('mp_reply-meter', mp_reply(ofp.OFPMP_METER, ms),
    ['meter:8', 'flow_count:2', 'packet_in_count:300', 'byte_in_count:30000',
     'packet_count:12', 'byte_count:1200'])
mc_bands = list_bytes([p.OFPMeterBandDrop(rate=1000, burst_size=100),
                       p.OFPMeterBandDscpRemark(rate=500, burst_size=50, prec_level=1)])
add('mp_reply-meter_config', mp_reply(ofp.OFPMP_METER_CONFIG, struct.pack(
    ofp.OFP_METER_CONFIG_PACK_STR, 8 + len(mc_bands),
    ofp.OFPMF_KBPS | ofp.OFPMF_BURST | ofp.OFPMF_STATS, 8) + mc_bands),
    ['meter=8', 'kbps', 'burst', 'stats', 'type=drop rate=1000 burst_size=100',
     'type=dscp_remark rate=500 burst_size=50 prec_level=1'])
add('mp_reply-meter_features', mp_reply(ofp.OFPMP_METER_FEATURES, struct.pack(
    ofp.OFP_METER_FEATURES_PACK_STR, 1024, (1 << ofp.OFPMBT_DROP) |
    (1 << ofp.OFPMBT_DSCP_REMARK), ofp.OFPMF_KBPS | ofp.OFPMF_PKTPS | ofp.OFPMF_BURST |
    ofp.OFPMF_STATS, 2, 0)),
    ['max_meter:1024', 'drop', 'dscp_remark', 'max_bands:2'])
add('mp_reply-table_features', mp_reply(
    ofp.OFPMP_TABLE_FEATURES, bytes(table_features(0, 'first').serialize()) +
    bytes(table_features(1, 'second').serialize())),
    ['"first"', 'table 1', '"second"'] + TF_EXPECT)
add('mp_reply-port_desc', mp_reply(ofp.OFPMP_PORT_DESC, port_bytes(
    1, '02:00:00:00:00:01', 'eth1', 0, 0, ofp.OFPPF_1GB_FD | ofp.OFPPF_COPPER,
    ofp.OFPPF_1GB_FD, ofp.OFPPF_1GB_FD | ofp.OFPPF_100MB_FD, 0, 1000000, 1000000) +
    port_bytes(ofp.OFPP_LOCAL, '02:00:00:00:00:fe', 'br0', ofp.OFPPC_PORT_DOWN,
               ofp.OFPPS_LINK_DOWN, 0, 0, 0, 0, 0, 0)),
    ['1(eth1)', 'addr:02:00:00:00:00:01', '1GB-FD', 'COPPER', 'LOCAL(br0)', 'PORT_DOWN',
     'LINK_DOWN'])
add('mp_reply-experimenter', mp_reply(ofp.OFPMP_EXPERIMENTER, struct.pack(
    ofp.OFP_EXPERIMENTER_MULTIPART_HEADER_PACK_STR, 0x00abcdef, 3) + b'\x05\x06\x07\x08'),
    ['EXPERIMENTER'])

# ---- Barrier, queue config, role, async, meter -------------------------------------

add('barrier_request', ser(p.OFPBarrierRequest(DP)), ['OFPT_BARRIER_REQUEST'])
add('barrier_reply', ser(p.OFPBarrierReply(DP)), ['OFPT_BARRIER_REPLY'])
add('queue_get_config_request', ser(p.OFPQueueGetConfigRequest(DP, 3)), ['port=3'])


def queue(queue_id, port, props):
    body = b''.join(props)
    return struct.pack(ofp.OFP_PACKET_QUEUE_PACK_STR, queue_id, port,
                       ofp.OFP_PACKET_QUEUE_SIZE + len(body)) + body


def qprop(prop, payload):
    return struct.pack(ofp.OFP_QUEUE_PROP_HEADER_PACK_STR, prop, 8 + len(payload)) + payload


add('queue_get_config_reply', raw(ofp.OFPT_QUEUE_GET_CONFIG_REPLY, struct.pack(
    ofp.OFP_QUEUE_GET_CONFIG_REPLY_PACK_STR, 3) +
    queue(1, 3, [qprop(ofp.OFPQT_MIN_RATE, struct.pack(ofp.OFP_QUEUE_PROP_MIN_RATE_PACK_STR,
                                                       500)),
                 qprop(ofp.OFPQT_MAX_RATE, struct.pack(ofp.OFP_QUEUE_PROP_MAX_RATE_PACK_STR,
                                                       1000))]) +
    queue(2, 3, [qprop(ofp.OFPQT_EXPERIMENTER, struct.pack(
        ofp.OFP_QUEUE_PROP_EXPERIMENTER_PACK_STR, 0x00abcdef) + b'\x01\x02\x03\x04\0\0\0\0')])),
    ['port=3', 'queue 1', 'min_rate:50.0%', 'max_rate:100.0%', 'queue 2'])
add('role_request', ser(p.OFPRoleRequest(DP, ofp.OFPCR_ROLE_MASTER, 7)),
    ['role=master', 'generation_id=7'])
add('role_reply', raw(ofp.OFPT_ROLE_REPLY, struct.pack(ofp.OFP_ROLE_REQUEST_PACK_STR,
                                                       ofp.OFPCR_ROLE_SLAVE, 9)),
    ['role=slave', 'generation_id=9'])
add('get_async_request', ser(p.OFPGetAsyncRequest(DP)), ['OFPT_GET_ASYNC_REQUEST'])
add('get_async_reply', raw(ofp.OFPT_GET_ASYNC_REPLY, struct.pack(
    ofp.OFP_ASYNC_CONFIG_PACK_STR, 0x3, 0x0, 0x7, 0x7, 0x1, 0x0)),
    ['master', 'slave', 'no_match', 'action'])
add('set_async', ser(p.OFPSetAsync(DP, [0x1, 0x2], [0x7, 0x1], [0xf, 0x0])),
    ['master', 'slave'])
add('meter_mod', ser(p.OFPMeterMod(
    DP, ofp.OFPMC_ADD, ofp.OFPMF_KBPS | ofp.OFPMF_BURST | ofp.OFPMF_STATS, 8,
    [p.OFPMeterBandDrop(rate=1000, burst_size=100),
     p.OFPMeterBandDscpRemark(rate=500, burst_size=50, prec_level=2)])),
    ['ADD', 'meter=8', 'kbps', 'burst', 'stats', 'type=drop rate=1000 burst_size=100',
     'type=dscp_remark rate=500 burst_size=50 prec_level=2'])
add('meter_mod-pktps', ser(p.OFPMeterMod(DP, ofp.OFPMC_MODIFY, ofp.OFPMF_PKTPS, 9,
                                         [p.OFPMeterBandDrop(rate=10, burst_size=0)])),
    ['MOD', 'meter=9', 'pktps', 'type=drop rate=10'])
add('meter_mod-delete', ser(p.OFPMeterMod(DP, ofp.OFPMC_DELETE, 0, ofp.OFPM_ALL, [])),
    ['DEL', 'meter=all'])


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: osken_gen.py STREAM JSON')
    names = [e['name'] for e, _ in MSGS]
    assert len(names) == len(set(names)), 'duplicate message names'
    with open(sys.argv[1], 'wb') as f:
        for _, buf in MSGS:
            f.write(buf)
    with open(sys.argv[2], 'w') as f:
        json.dump([e for e, _ in MSGS], f, indent=1)
        f.write('\n')
    print('osken_gen: %d messages of %d types' %
          (len(MSGS), len({e['type'] for e, _ in MSGS})))


if __name__ == '__main__':
    main()
