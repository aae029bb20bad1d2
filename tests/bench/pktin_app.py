"""os-ken application for the S7 benchmark (packet-in latency).

Every PACKET_IN is answered with a PACKET_OUT of the same bytes to port 2, so
pfs-pktgen, sending into port 1 with a table-miss rule to the controller, measures the
whole round trip: switch -> controller -> switch -> port 2. Nothing else is installed
(run.sh loads the table-miss rule). Run with:
    osken-manager --ofp-listen-host 127.0.0.1 --ofp-tcp-listen-port PORT pktin_app.py
"""
from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import MAIN_DISPATCHER, set_ev_cls
from os_ken.ofproto import ofproto_v1_3


class PacketInBench(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def packet_in(self, ev):
        msg = ev.msg
        dp = msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        dp.send_msg(parser.OFPPacketOut(
            datapath=dp, buffer_id=ofp.OFP_NO_BUFFER, in_port=msg.match["in_port"],
            actions=[parser.OFPActionOutput(2)], data=msg.data))
