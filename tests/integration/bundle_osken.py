#!/usr/bin/python3
"""Bundles against a running pfswitchd with os-ken's message classes (driven by bundle.sh).

    bundle_osken.py PATH/TO/br0.mgmt

Every message is built and parsed by os-ken's ofproto_v1_3_parser (ONFBundleCtrlMsg,
ONFBundleAddMsg, OFPFlowMod, OFPGroupMod, OFPPortMod, OFPFlowStatsRequest...), sent over
the bridge's mgmt socket:
  commit    open, add flow mods, close, commit: OPEN/CLOSE/COMMIT replies, flows there.
  failure   a bundle (group add, flow mods, port mod, a flow to a missing group) whose last
            message fails: its error carries that message's xid, the commit gets the ONF
            MSG_FAILED error, and flows, groups and the port are as before.
  refusals  unknown bundle id (BAD_ID), add to a closed bundle (BUNDLE_CLOSED), an
            unsupported message (MSG_UNSUP), discard.
  expiry    a bundle left open past bundle_idle_timeout (2 s) is gone (BAD_ID).
Prints "ok: ..." / "FAIL: ..." lines; exit status 0 when everything passed, 1 otherwise.
"""
import socket
import struct
import sys
import time

from os_ken.ofproto import ofproto_parser
from os_ken.ofproto import ofproto_v1_3 as ofp
from os_ken.ofproto import ofproto_v1_3_parser as parser

FAILS = 0
ONF = 0x4F4E4600


def ok(what):
    print("ok: " + what, flush=True)


def fail(what):
    global FAILS
    FAILS += 1
    print("FAIL: " + what, flush=True)


def expect(cond, what, detail=""):
    if cond:
        ok(what)
    else:
        fail(what + (" (" + detail + ")" if detail else ""))
    return cond


class Datapath:
    """What os-ken's message classes need of a datapath."""

    ofproto = ofp
    ofproto_parser = parser
    id = 0


class Conn:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(5)
        self.s.connect(path)
        self.dp = Datapath()
        self.xid = 100
        self.buf = b""
        self.s.sendall(struct.pack("!BBHI", 4, ofp.OFPT_HELLO, 8, 1))
        self.recv()  # the switch's HELLO

    def send(self, msg):
        self.xid += 1
        msg.set_xid(self.xid)
        msg.serialize()
        self.s.sendall(bytes(msg.buf))
        return self.xid

    def recv(self, timeout=5):
        self.s.settimeout(timeout)
        while True:
            if len(self.buf) >= 8:
                version, mtype, length, xid = struct.unpack_from("!BBHI", self.buf)
                if len(self.buf) >= length:
                    raw, self.buf = self.buf[:length], self.buf[length:]
                    if mtype == ofp.OFPT_ECHO_REQUEST:
                        continue
                    return ofproto_parser.msg(self.dp, version, mtype, length, xid, raw)
            data = self.s.recv(65536)
            if not data:
                raise ConnectionError("switch closed the connection")
            self.buf += data

    def until_barrier(self):
        """Sends a barrier; returns every message before its reply."""
        xid = self.send(parser.OFPBarrierRequest(self.dp))
        got = []
        while True:
            m = self.recv()
            if m.msg_type == ofp.OFPT_BARRIER_REPLY and m.xid == xid:
                return got
            got.append(m)

    def ctrl(self, bid, type_, flags=0):
        """BUNDLE_CONTROL; returns (reply or None, errors before it)."""
        xid = self.send(parser.ONFBundleCtrlMsg(self.dp, bid, type_, flags, []))
        errors = []
        while True:
            m = self.recv()
            if m.xid == xid:
                if m.msg_type == ofp.OFPT_ERROR:
                    errors.append(m)
                    return None, errors
                return m, errors
            if m.msg_type == ofp.OFPT_ERROR:
                errors.append(m)

    def add(self, bid, msg, flags=0):
        """BUNDLE_ADD_MESSAGE; returns the errors it got (none expected)."""
        self.last_add_xid = self.send(parser.ONFBundleAddMsg(self.dp, bid, flags, msg, []))
        return [m for m in self.until_barrier() if m.msg_type == ofp.OFPT_ERROR]

    def flows(self):
        self.send(parser.OFPFlowStatsRequest(self.dp, 0, ofp.OFPTT_ALL, ofp.OFPP_ANY,
                                             ofp.OFPG_ANY, 0, 0, parser.OFPMatch()))
        out = []
        while True:
            m = self.recv()
            if m.msg_type != ofp.OFPT_MULTIPART_REPLY:
                continue
            for f in m.body:
                out.append((f.table_id, f.priority, str(f.match), str(f.instructions)))
            if not m.flags & ofp.OFPMPF_REPLY_MORE:
                return sorted(out)

    def groups(self):
        self.send(parser.OFPGroupDescStatsRequest(self.dp, 0))
        m = self.recv()
        return sorted((g.group_id, g.type, len(g.buckets)) for g in m.body)

    def port_config(self, no):
        self.send(parser.OFPPortDescStatsRequest(self.dp, 0))
        m = self.recv()
        for p in m.body:
            if p.port_no == no:
                return p.config, p.hw_addr
        return None, None


def flow(dp, priority, match, actions, table=0, cmd=ofp.OFPFC_ADD):
    inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, actions)]
    return parser.OFPFlowMod(dp, table_id=table, command=cmd, priority=priority,
                             buffer_id=ofp.OFP_NO_BUFFER, out_port=ofp.OFPP_ANY,
                             out_group=ofp.OFPG_ANY, match=match, instructions=inst)


def onf_code(err):
    """The OFPBFC code of an ONF bundle error, or None."""
    if err.type != ofp.OFPET_EXPERIMENTER or err.experimenter != ONF:
        return None
    return err.exp_type - 2300


def main():
    c = Conn(sys.argv[1])
    dp = c.dp
    out = parser.OFPActionOutput
    AO = ofp.ONF_BF_ATOMIC | ofp.ONF_BF_ORDERED

    # ---- commit ----
    rep, _ = c.ctrl(1, ofp.ONF_BCT_OPEN_REQUEST, AO)
    expect(rep is not None and rep.type == ofp.ONF_BCT_OPEN_REPLY and rep.bundle_id == 1,
           "OPEN_REPLY", str(rep))
    errs = []
    for i in range(50):
        errs += c.add(1, flow(dp, 100, parser.OFPMatch(eth_type=0x0800, ipv4_dst="10.9.%d.1" % i),
                              [out(1)]), AO)
    expect(not errs, "50 flow mods added", str(errs[:1]))
    expect(len(c.flows()) == 0, "nothing applies before the commit")
    rep, _ = c.ctrl(1, ofp.ONF_BCT_CLOSE_REQUEST, AO)
    expect(rep is not None and rep.type == ofp.ONF_BCT_CLOSE_REPLY, "CLOSE_REPLY")
    errs = c.add(1, flow(dp, 1, parser.OFPMatch(), []), AO)
    expect(len(errs) == 1 and onf_code(errs[0]) == 4, "add to a closed bundle: BUNDLE_CLOSED",
           str(errs))
    rep, _ = c.ctrl(1, ofp.ONF_BCT_COMMIT_REQUEST, AO)
    expect(rep is not None and rep.type == ofp.ONF_BCT_COMMIT_REPLY, "COMMIT_REPLY")
    expect(len(c.flows()) == 50, "50 flows after the commit")

    # ---- failure ----
    before_flows, before_groups = c.flows(), c.groups()
    cfg0, hw = c.port_config(1)
    rep, _ = c.ctrl(2, ofp.ONF_BCT_OPEN_REQUEST, 0)
    errs = c.add(2, parser.OFPGroupMod(dp, ofp.OFPGC_ADD, ofp.OFPGT_ALL, 5,
                                       [parser.OFPBucket(actions=[out(2)])]))
    errs += c.add(2, flow(dp, 0, parser.OFPMatch(), [], cmd=ofp.OFPFC_DELETE))
    errs += c.add(2, flow(dp, 300, parser.OFPMatch(in_port=1), [parser.OFPActionGroup(5)]))
    errs += c.add(2, parser.OFPPortMod(dp, 1, hw, ofp.OFPPC_NO_FWD, ofp.OFPPC_NO_FWD, 0))
    bad = flow(dp, 301, parser.OFPMatch(in_port=2), [parser.OFPActionGroup(77)])
    errs += c.add(2, bad)
    bad_xid = c.last_add_xid
    expect(not errs, "group, delete-all, flow, port mod, bad flow added", str(errs[:1]))
    rep, errs = c.ctrl(2, ofp.ONF_BCT_COMMIT_REQUEST, 0)
    expect(rep is None and len(errs) == 2, "failed commit: two errors", str(errs))
    if len(errs) == 2:
        e = errs[0]
        expect(e.xid == bad_xid and e.type == ofp.OFPET_BAD_ACTION and
               e.code == ofp.OFPBAC_BAD_OUT_GROUP,
               "first error names the failing flow mod (its xid, BAD_OUT_GROUP)", str(e))
        expect(len(e.data) >= 8 and e.data[1] == ofp.OFPT_FLOW_MOD,
               "first error carries the failing flow mod")
        expect(onf_code(errs[1]) == 13, "commit answered MSG_FAILED", str(errs[1]))
    expect(c.flows() == before_flows, "flows unchanged after the failed commit")
    expect(c.groups() == before_groups, "groups unchanged after the failed commit",
           str(c.groups()))
    expect(c.port_config(1)[0] == cfg0, "port config unchanged after the failed commit")
    rep, _ = c.ctrl(2, ofp.ONF_BCT_DISCARD_REQUEST, 0)
    expect(rep is None, "a failed commit discards the bundle")

    # ---- refusals ----
    rep, errs = c.ctrl(9, ofp.ONF_BCT_COMMIT_REQUEST, 0)
    expect(rep is None and errs and onf_code(errs[-1]) == 2, "commit of an unknown id: BAD_ID")
    c.ctrl(3, ofp.ONF_BCT_OPEN_REQUEST, 0)
    errs = c.add(3, parser.OFPEchoRequest(dp, b"x"))
    expect(len(errs) == 1 and onf_code(errs[0]) == 10, "echo in a bundle: MSG_UNSUP", str(errs))
    c.add(3, flow(dp, 5, parser.OFPMatch(), []))
    rep, _ = c.ctrl(3, ofp.ONF_BCT_DISCARD_REQUEST, 0)
    expect(rep is not None and rep.type == ofp.ONF_BCT_DISCARD_REPLY, "DISCARD_REPLY")
    expect(c.flows() == before_flows, "a discarded bundle applies nothing")

    # ---- expiry ----
    c.ctrl(4, ofp.ONF_BCT_OPEN_REQUEST, 0)
    c.add(4, flow(dp, 6, parser.OFPMatch(), []))
    time.sleep(3.5)
    rep, errs = c.ctrl(4, ofp.ONF_BCT_COMMIT_REQUEST, 0)
    expect(rep is None and errs and onf_code(errs[-1]) == 2,
           "a bundle idle past bundle_idle_timeout is gone (BAD_ID)")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
