# os-ken app for fabric.sh: run under `osken-manager --observe-links`, it lets
# os_ken.topology discover the fabric (LLDP frames sent as PACKET_OUT on every port and
# returned as PACKET_IN by the neighbour) and prints, once a second, what the topology
# API knows: "switches DPID..." and one "link SRC_DPID SRC_PORT DST_DPID DST_PORT" line
# per directed link.
import sys

from os_ken.base import app_manager
from os_ken.lib import hub
from os_ken.topology import api


class FabricTopo(app_manager.OSKenApp):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last = None
        hub.spawn(self.report)

    def report(self):
        while True:
            hub.sleep(1)
            sws = sorted(s.dp.id for s in api.get_all_switch(self))
            links = sorted(
                (l.src.dpid, l.src.port_no, l.dst.dpid, l.dst.port_no)
                for l in api.get_all_link(self)
            )
            now = (sws, links)
            if now == self.last:
                continue
            self.last = now
            out = ["switches " + " ".join(str(d) for d in sws)]
            out += ["link %d %d %d %d" % l for l in links]
            print("\n".join(out), flush=True)
            sys.stdout.flush()
