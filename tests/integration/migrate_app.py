# An os-ken controller app that reroutes a destination after a VM live migration, for
# tests/integration/migrate.sh and tools/migrate-demo.sh (both through migrate_lib.sh):
#     osken-manager --ofp-tcp-listen-port PORT tests/integration/migrate_app.py
# Settings come from the environment (osken-manager owns the command line):
#   MIGRATE_DIR      directory for the files below (required)
#   MIGRATE_NFLOWS   pfs-pktgen flows, UDP source ports 1024.. to 10.1.0.1 (default 64)
#   MIGRATE_DST_MAC  the migrating host's MAC; MIGRATE_SRC_MAC the pinging host's MAC
#   MIGRATE_MODE     bundle (default): every flow of the destination rerouted in one
#                    ONF bundle (ext 230, ATOMIC|ORDERED) then a barrier; flowmods: the
#                    same flow-mods sent loose, then a barrier (for a switch without
#                    bundles)
# Ports (migrate_lib.sh's config): 1 pfs-pktgen tx, 2 its rx A, 3 its rx B (memif);
# 4 host h1, 5 host h2 = the destination before the move, 6 host h3 = after (af_packet).
# Files: the app writes ready.json once its flows are installed (after a barrier); the
# script creates `go` to migrate; the app then sends the reroute, and on the barrier
# reply sends SIGUSR1 to the pid in pktgen.pid (pfs-pktgen counts what it receives
# built after that instant), reads the port counters and writes moved.json (times,
# counters, any OpenFlow error); the script creates `end` when the traffic is over, and
# the app writes final.json with the port counters then.
import json
import os
import signal
import time

from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER, set_ev_cls
from os_ken.lib import hub
from os_ken.ofproto import ofproto_v1_3

DST_COOKIE = 0x4d16  # every flow towards the migrating destination carries it
TX, MEMIF_A, MEMIF_B, H1, HOST_A, HOST_B = 1, 2, 3, 4, 5, 6
PKTGEN_DST = '10.1.0.1'
BUNDLE_ID = 7


class Migrate(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dir = os.environ['MIGRATE_DIR']
        self.nflows = int(os.environ.get('MIGRATE_NFLOWS', '64'))
        self.dst_mac = os.environ['MIGRATE_DST_MAC']
        self.src_mac = os.environ['MIGRATE_SRC_MAC']
        self.mode = os.environ.get('MIGRATE_MODE', 'bundle')
        self.dp = None
        self.waits = {}  # xid -> what its reply means
        self.errors = []
        self.moved = {}
        self.state = 'init'

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, doc):
        tmp = self.path(name + '.tmp')
        with open(tmp, 'w') as f:
            json.dump(doc, f)
        os.rename(tmp, self.path(name))

    def send(self, msg, what=None):
        self.dp.set_xid(msg)
        if what:
            self.waits[msg.xid] = what
        self.dp.send_msg(msg)
        return msg.xid

    # Every flow towards the destination: (match, port before, port after).
    def dst_flows(self, parser):
        flows = [(parser.OFPMatch(in_port=TX, eth_type=0x0800, ip_proto=17,
                                  ipv4_dst=PKTGEN_DST, udp_src=1024 + i), MEMIF_A, MEMIF_B)
                 for i in range(self.nflows)]
        flows.append((parser.OFPMatch(eth_dst=self.dst_mac), HOST_A, HOST_B))
        return flows

    def flow_mod(self, match, port, command, cookie=DST_COOKIE):
        ofp, parser = self.dp.ofproto, self.dp.ofproto_parser
        inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS,
                                             [parser.OFPActionOutput(port)])]
        return parser.OFPFlowMod(self.dp, cookie=cookie, command=command, priority=100,
                                 match=match, instructions=inst, out_port=ofp.OFPP_ANY,
                                 out_group=ofp.OFPG_ANY)

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def features(self, ev):
        self.dp = ev.msg.datapath
        ofp, parser = self.dp.ofproto, self.dp.ofproto_parser
        self.send(parser.OFPFlowMod(self.dp, command=ofp.OFPFC_DELETE, table_id=ofp.OFPTT_ALL,
                                    out_port=ofp.OFPP_ANY, out_group=ofp.OFPG_ANY,
                                    match=parser.OFPMatch()))
        for match, before, _ in self.dst_flows(parser):
            self.send(self.flow_mod(match, before, ofp.OFPFC_ADD))
        self.send(self.flow_mod(parser.OFPMatch(eth_dst=self.src_mac), H1, ofp.OFPFC_ADD, 0))
        self.send(parser.OFPBarrierRequest(self.dp), 'installed')
        self.logger.info('migrate: switch %016x connected, mode %s', self.dp.id, self.mode)

    @set_ev_cls(ofp_event.EventOFPErrorMsg, [CONFIG_DISPATCHER, MAIN_DISPATCHER])
    def error(self, ev):
        m = ev.msg
        self.errors.append({'type': m.type, 'code': m.code, 'xid': m.xid,
                            'what': self.waits.get(m.xid, '')})
        self.logger.error('migrate: OFPT_ERROR type %d code %d (xid %d)', m.type, m.code,
                          m.xid)

    @set_ev_cls(ofp_event.EventOFPBarrierReply, MAIN_DISPATCHER)
    def barrier_reply(self, ev):
        now = time.time()
        what = self.waits.pop(ev.msg.xid, None)
        if what == 'installed':
            self.state = 'ready'
            self.write('ready.json', {'errors': self.errors})
            hub.spawn(self.wait_for, 'go', self.migrate)
        elif what == 'rerouted':
            self.moved['t_barrier_reply'] = now
            try:
                with open(self.path('pktgen.pid')) as f:
                    os.kill(int(f.read().strip()), signal.SIGUSR1)
                self.moved['t_mark'] = time.time()
            except (OSError, ValueError) as e:
                self.moved['mark_error'] = str(e)
            self.send(self.dp.ofproto_parser.OFPPortStatsRequest(
                self.dp, 0, self.dp.ofproto.OFPP_ANY), 'stats-moved')

    @set_ev_cls(ofp_event.EventONFBundleCtrlMsg, MAIN_DISPATCHER)
    def bundle_reply(self, ev):
        ofp = self.dp.ofproto
        names = {ofp.ONF_BCT_OPEN_REPLY: 'open', ofp.ONF_BCT_COMMIT_REPLY: 'commit'}
        name = names.get(ev.msg.type, 'type %d' % ev.msg.type)
        self.moved['t_%s_reply' % name.replace(' ', '')] = time.time()

    @set_ev_cls(ofp_event.EventOFPPortStatsReply, MAIN_DISPATCHER)
    def port_stats(self, ev):
        what = self.waits.pop(ev.msg.xid, None)
        ports = {str(s.port_no): {'tx_packets': s.tx_packets, 'rx_packets': s.rx_packets,
                                  'tx_dropped': s.tx_dropped, 'rx_dropped': s.rx_dropped}
                 for s in ev.msg.body}
        if what == 'stats-moved':
            self.moved['ports'] = ports
            self.moved['errors'] = self.errors
            self.write('moved.json', self.moved)
            hub.spawn(self.wait_for, 'end', self.finish)
        elif what == 'stats-final':
            self.write('final.json', {'ports': ports, 'errors': self.errors})

    def wait_for(self, name, then):
        while not os.path.exists(self.path(name)):
            hub.sleep(0.002)
        then()

    def migrate(self):
        ofp, parser = self.dp.ofproto, self.dp.ofproto_parser
        self.moved = {'mode': self.mode, 't_go': time.time()}
        mods = [self.flow_mod(match, after, ofp.OFPFC_MODIFY_STRICT)
                for match, _, after in self.dst_flows(parser)]
        self.moved['flow_mods'] = len(mods)
        if self.mode == 'bundle':
            flags = ofp.ONF_BF_ATOMIC | ofp.ONF_BF_ORDERED
            self.send(parser.ONFBundleCtrlMsg(self.dp, BUNDLE_ID, ofp.ONF_BCT_OPEN_REQUEST,
                                              flags, []), 'bundle open')
            for m in mods:
                self.send(parser.ONFBundleAddMsg(self.dp, BUNDLE_ID, flags, m, []),
                          'bundle add')
            self.send(parser.ONFBundleCtrlMsg(self.dp, BUNDLE_ID, ofp.ONF_BCT_COMMIT_REQUEST,
                                              flags, []), 'bundle commit')
        else:
            for m in mods:
                self.send(m, 'flow-mod')
        self.moved['t_sent'] = time.time()
        self.send(parser.OFPBarrierRequest(self.dp), 'rerouted')

    def finish(self):
        self.send(self.dp.ofproto_parser.OFPPortStatsRequest(
            self.dp, 0, self.dp.ofproto.OFPP_ANY), 'stats-final')
