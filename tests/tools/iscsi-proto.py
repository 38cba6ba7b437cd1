#!/usr/bin/python3
"""Raw iSCSI protocol tests for the iscsi-scst data path (k2).

Logs in through iscsi-scstd, then sends hand-made PDUs and checks the
answers.  usage: iproto.py HOST TARGET [test ...]
"""
import os
import random
import socket
import struct
import sys
import time

HOST = "127.0.0.1"
PORT = 3260
TGT = "iqn.2024-01.org.example:k2"
INI = "iqn.2024-01.org.example:raw"
RESERVED = 0xFFFFFFFF

# ---------------------------------------------------------------- crc32c
_T = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    _T.append(c)


def crc32c(data, crc=0xFFFFFFFF):
    for b in data:
        crc = _T[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def digest(data):
    return struct.pack("<I", crc32c(data) ^ 0xFFFFFFFF)


def pad(n):
    return (4 - n % 4) % 4


class Closed(Exception):
    pass


class PDU:
    def __init__(self, bhs, ahs=b"", data=b""):
        self.bhs = bytearray(bhs)
        self.ahs = ahs
        self.data = data

    op = property(lambda s: s.bhs[0] & 0x3F)
    flags = property(lambda s: s.bhs[1])

    def u32(self, off):
        return struct.unpack(">I", self.bhs[off:off + 4])[0]

    itt = property(lambda s: s.u32(16))
    ttt = property(lambda s: s.u32(20))
    statsn = property(lambda s: s.u32(24))
    expcmdsn = property(lambda s: s.u32(28))
    maxcmdsn = property(lambda s: s.u32(32))

    def __repr__(self):
        return "PDU(op=0x%02x fl=0x%02x itt=0x%x ttt=0x%x statsn=%d dl=%d)" % (
            self.op, self.flags, self.itt, self.ttt, self.statsn, len(self.data))


def bhs(op, flags=0, lun=0, itt=0, f20=0, f24=0, f28=0, f32=0, f36=0,
        f40=0, f44=0, dlen=0, ahslen=0, b2=0, b3=0, tail=None):
    b = bytearray(48)
    b[0] = op
    b[1] = flags
    b[2] = b2
    b[3] = b3
    b[4] = ahslen // 4
    b[5:8] = struct.pack(">I", dlen)[1:]
    b[8:16] = struct.pack(">Q", lun)
    struct.pack_into(">IIIIIIII", b, 16, *[x & 0xFFFFFFFF for x in
                     (itt, f20, f24, f28, f32, f36, f40, f44)])
    if tail is not None:
        b[32:32 + len(tail)] = tail
    return b


def lun0():
    return 0


class Conn:
    def __init__(self, hd=False, dd=False, keys=None, host=HOST, tgt=TGT):
        self.s = socket.create_connection((host, PORT), timeout=10)
        self.hd = False
        self.dd = False
        self.cmdsn = 1
        self.statsn = 0
        self.itt = 0x100
        self.tgt = tgt
        self.isid = bytes([0x80, 0x12, 0x34]) + os.urandom(3)
        self.keys = {}
        self.login(hd, dd, keys or {})
        self.clear_ua()

    def clear_ua(self):
        """A new I_T nexus starts with a unit attention: consume it."""
        for _ in range(5):
            itt = self.scsi_cmd(bytes(6))
            st, _, _, _ = self.collect(itt)
            if st == 0:
                return
        raise AssertionError("TEST UNIT READY keeps failing")

    # ---- raw I/O
    def send_raw(self, b):
        self.s.sendall(b)

    def send(self, bhs_, data=b"", ahs=b"", bad_hd=False, bad_dd=False):
        b = bytearray(bhs_)
        b[4] = len(ahs) // 4
        b[5:8] = struct.pack(">I", len(data))[1:]
        out = bytes(b) + ahs
        if self.hd:
            d = digest(out)
            if bad_hd:
                d = bytes([d[0] ^ 1]) + d[1:]
            out += d
        if data:
            dp = data + b"\0" * pad(len(data))
            out += dp
            if self.dd:
                d = digest(dp)
                if bad_dd:
                    d = bytes([d[0] ^ 1]) + d[1:]
                out += d
        self.s.sendall(out)

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            try:
                c = self.s.recv(n - len(buf))
            except socket.timeout:
                raise TimeoutError("timeout")
            except ConnectionResetError:
                raise Closed()
            if not c:
                raise Closed()
            buf += c
        return buf

    def recv(self, timeout=10):
        self.s.settimeout(timeout)
        h = self.recv_exact(48)
        ahs = self.recv_exact(h[4] * 4) if h[4] else b""
        if self.hd:
            d = self.recv_exact(4)
            assert d == digest(h + ahs), "bad header digest from target"
        dl = struct.unpack(">I", b"\0" + h[5:8])[0]
        data = b""
        if dl:
            data = self.recv_exact(dl + pad(dl))
            if self.dd:
                d = self.recv_exact(4)
                assert d == digest(data), "bad data digest from target"
            data = data[:dl]
        p = PDU(h, ahs, data)
        if p.op in (0x21, 0x22, 0x24, 0x26, 0x3F, 0x32) or \
           (p.op == 0x25 and p.flags & 1) or (p.op == 0x20 and p.itt != RESERVED):
            self.statsn = p.statsn
        return p

    def expect_nothing(self, t=1.0):
        try:
            p = self.recv(timeout=t)
        except TimeoutError:
            return
        raise AssertionError("unexpected %r" % p)

    def expect_closed(self, t=10):
        end = time.time() + t
        while time.time() < end:
            try:
                p = self.recv(timeout=end - time.time())
                print("   (before close: %r)" % p)
            except Closed:
                return
            except TimeoutError:
                break
        raise AssertionError("connection not closed")

    def next_itt(self):
        self.itt += 1
        return self.itt

    def sn(self, imm=False):
        c = self.cmdsn
        if not imm:
            self.cmdsn += 1
        return c

    # ---- login
    @staticmethod
    def kv(d):
        return b"".join(("%s=%s" % (k, v)).encode() + b"\0" for k, v in d.items())

    def login_pdu(self, csg, nsg, keys, transit=True):
        flags = (0x80 if transit else 0) | (csg << 2) | nsg
        data = self.kv(keys)
        b = bytearray(48)
        b[0] = 0x43
        b[1] = flags
        b[5:8] = struct.pack(">I", len(data))[1:]
        b[8:14] = self.isid
        struct.pack_into(">IHHII", b, 16, 0x10, 0, 0, self.cmdsn, self.statsn + 1 if self.statsn else 0)
        self.s.sendall(bytes(b) + data + b"\0" * pad(len(data)))
        h = self.recv_exact(48)
        dl = struct.unpack(">I", b"\0" + h[5:8])[0]
        d = self.recv_exact(dl + pad(dl))[:dl]
        if h[0] & 0x3F != 0x23 or h[36] != 0:
            raise AssertionError("login failed: op %x class %d detail %d" % (h[0], h[36], h[37]))
        self.statsn = struct.unpack(">I", h[24:28])[0]
        self.expcmdsn = struct.unpack(">I", h[28:32])[0]
        self.maxcmdsn = struct.unpack(">I", h[32:36])[0]
        for kvp in d.split(b"\0"):
            if b"=" in kvp:
                k, v = kvp.decode().split("=", 1)
                self.keys[k] = v
        return h

    def login(self, hd, dd, extra):
        self.login_pdu(0, 1, {"InitiatorName": INI, "SessionType": "Normal",
                              "TargetName": self.tgt, "AuthMethod": "None"})
        keys = {"HeaderDigest": "CRC32C" if hd else "None",
                "DataDigest": "CRC32C" if dd else "None",
                "MaxRecvDataSegmentLength": "65536",
                "InitialR2T": "No", "ImmediateData": "Yes",
                "FirstBurstLength": "65536", "MaxBurstLength": "262144",
                "MaxOutstandingR2T": "1", "ErrorRecoveryLevel": "0",
                "DefaultTime2Wait": "0", "DefaultTime2Retain": "0",
                "MaxConnections": "1", "DataPDUInOrder": "Yes",
                "DataSequenceInOrder": "Yes"}
        keys.update(extra)
        h = self.login_pdu(1, 3, keys)
        if not (h[1] & 0x80) or (h[1] & 3) != 3:
            raise AssertionError("no transit to FFP: flags %x keys %r" % (h[1], self.keys))
        self.hd = self.keys.get("HeaderDigest") == "CRC32C"
        self.dd = self.keys.get("DataDigest") == "CRC32C"
        self.mrdsl = int(self.keys.get("MaxRecvDataSegmentLength", "8192"))
        self.cmdsn = self.expcmdsn
        self.statsn += 0

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass

    # ---- FFP helpers
    def scsi_cmd(self, cdb, r=False, w=False, edtl=0, data=b"", final=True,
                 itt=None, attr=1, imm=False, ahs=b"", lun=0, cmdsn=None):
        itt = self.next_itt() if itt is None else itt
        flags = (0x80 if final else 0) | (0x40 if r else 0) | (0x20 if w else 0) | attr
        cdb = cdb + b"\0" * (16 - len(cdb)) if len(cdb) <= 16 else cdb
        b = bhs(0x01 | (0x40 if imm else 0), flags, lun=lun, itt=itt, f20=edtl,
                f24=self.sn(imm) if cmdsn is None else cmdsn,
                f28=self.statsn + 1)
        b[32:48] = cdb[:16]
        self.send(b, data, ahs)
        return itt

    def data_out(self, itt, ttt, off, data, datasn=0, final=True, bad_dd=False):
        b = bhs(0x05, 0x80 if final else 0, itt=itt, f20=ttt, f28=self.statsn + 1,
                f36=datasn, f40=off)
        self.send(b, data, bad_dd=bad_dd)

    def nop(self, data=b"", itt=None, ttt=RESERVED, imm=True):
        itt = self.next_itt() if itt is None else itt
        b = bhs(0x00 | (0x40 if imm else 0), 0x80, itt=itt, f20=ttt,
                f24=self.sn(imm or itt == RESERVED), f28=self.statsn + 1)
        self.send(b, data)
        return itt

    def ping(self, data=b"ping"):
        itt = self.nop(data)
        while True:
            p = self.recv()
            if p.op == 0x20 and p.itt == itt:
                assert p.data == data, "ping data mismatch"
                return p
            print("   (while pinging: %r)" % p)

    def collect(self, itt, write_data=None, timeout=10):
        """Run a task to completion: answer R2Ts from write_data, gather
        Data-In.  Returns (status, data, rsp_pdu, sense)."""
        got = {}
        while True:
            p = self.recv(timeout)
            if p.itt != itt:
                print("   (other pdu %r)" % p)
                continue
            if p.op == 0x31:
                off = p.u32(40)
                ln = p.u32(44)
                chunk = self.mrdsl
                sn = 0
                for o in range(off, off + ln, chunk):
                    n = min(chunk, off + ln - o)
                    self.data_out(itt, p.ttt, o, write_data[o:o + n], sn,
                                  final=(o + n == off + ln))
                    sn += 1
            elif p.op == 0x25:
                got[p.u32(40)] = p.data
                if p.flags & 1:
                    data = b"".join(got[k] for k in sorted(got))
                    return p.bhs[3], data, p, b""
            elif p.op == 0x21:
                data = b"".join(got[k] for k in sorted(got))
                sense = p.data[2:2 + struct.unpack(">H", p.data[:2])[0]] if p.data else b""
                return p.bhs[3], data, p, sense
            elif p.op == 0x3F:
                raise AssertionError("reject %r reason %x" % (p, p.bhs[2]))
            else:
                print("   (unexpected %r)" % p)

    def read10(self, lba, blocks, bs=512):
        cdb = struct.pack(">BBIBHB", 0x28, 0, lba, 0, blocks, 0)
        itt = self.scsi_cmd(cdb, r=True, edtl=blocks * bs)
        return self.collect(itt)

    def write10(self, lba, data, bs=512, imm=None):
        blocks = len(data) // bs
        cdb = struct.pack(">BBIBHB", 0x2A, 0, lba, 0, blocks, 0)
        fb = self.keys.get("FirstBurstLength", "65536")
        fb = int(fb) if fb.isdigit() else 1 << 24
        immlen = min(len(data), self.mrdsl, fb) if \
            self.keys.get("ImmediateData") == "Yes" else 0
        if imm is not None:
            immlen = imm
        unsol = self.keys.get("InitialR2T") == "No"
        itt = self.scsi_cmd(cdb, w=True, edtl=len(data), data=data[:immlen],
                            final=not (unsol and immlen < min(len(data), fb)))
        if unsol and immlen < min(len(data), fb):
            end = min(len(data), fb)
            sn = 0
            for o in range(immlen, end, self.mrdsl):
                n = min(self.mrdsl, end - o)
                self.data_out(itt, RESERVED, o, data[o:o + n], sn, final=(o + n == end))
                sn += 1
        return self.collect(itt, data)

    def xdwriteread(self, lba, data, rlen=None, imm=None, disable_write=False):
        """XDWRITEREAD(10) with a Bidirectional Read Expected Data Transfer
        Length AHS; Data-Out as immediate, unsolicited and R2T data."""
        blocks = len(data) // 512
        cdb = struct.pack(">BBIBHB", 0x53, 0x04 if disable_write else 0, lba,
                          0, blocks, 0)
        rlen = len(data) if rlen is None else rlen
        ahs = struct.pack(">HBBI", 5, 2, 0, rlen)
        fb = int(self.keys.get("FirstBurstLength", "65536"))
        immlen = min(len(data), self.mrdsl, fb) if imm is None else imm
        end = min(len(data), fb)
        unsol = immlen < end
        itt = self.scsi_cmd(cdb, r=True, w=True, edtl=len(data), ahs=ahs,
                            data=data[:immlen], final=not unsol)
        sn = 0
        for o in range(immlen, end if unsol else immlen, self.mrdsl):
            n = min(self.mrdsl, end - o)
            self.data_out(itt, RESERVED, o, data[o:o + n], sn, final=(o + n == end))
            sn += 1
        return self.collect(itt, data)

    def tmf(self, fn, rtt=RESERVED, refcmdsn=0, lun=0, imm=True):
        itt = self.next_itt()
        b = bhs(0x02 | (0x40 if imm else 0), 0x80 | fn, lun=lun, itt=itt,
                f20=rtt, f24=self.sn(imm), f28=self.statsn + 1, f32=refcmdsn)
        self.send(b)
        return itt

    def wait_op(self, op, itt=None, timeout=10):
        while True:
            p = self.recv(timeout)
            if p.op == op and (itt is None or p.itt == itt):
                return p
            print("   (skipping %r)" % p)


# ------------------------------------------------------------------ tests
def t_nop():
    c = Conn()
    s0 = c.statsn
    p = c.ping(b"hello world")
    assert p.ttt == RESERVED
    assert p.statsn == s0 + 1, "statsn %d after %d" % (p.statsn, s0)
    c.ping(os.urandom(5000))
    c.nop(itt=RESERVED)           # no reply wanted
    c.expect_nothing(0.5)
    c.ping()
    c.close()


def t_rw():
    c = Conn()
    st, data, p, sense = c.read10(0, 1)
    assert st == 0 and len(data) == 512, (st, len(data))
    # inquiry: residual underflow reported with the status in Data-In
    itt = c.scsi_cmd(bytes([0x12, 0, 0, 0, 255, 0]), r=True, edtl=255)
    st, data, p, sense = c.collect(itt)
    assert st == 0 and p.op == 0x25 and p.flags & 0x02, "%r %x" % (p, p.flags)
    assert p.u32(44) == 255 - len(data), (p.u32(44), len(data))
    for n in (512, 4096, 65536, 70000 // 512 * 512, 262144, 1048576):
        d = os.urandom(n)
        st, _, p, sense = c.write10(100, d)
        assert st == 0, "write %d: status %x sense %s" % (n, st, sense.hex())
        st, back, p, sense = c.read10(100, n // 512)
        assert st == 0 and back == d, "read back %d mismatch" % n
    # overflow: EDTL smaller than the CDB says
    itt = c.scsi_cmd(struct.pack(">BBIBHB", 0x28, 0, 0, 0, 8, 0), r=True, edtl=2048)
    st, data, p, sense = c.collect(itt)
    print("   overflow read: st %x flags %x resid %d len %d" % (st, p.flags, p.u32(44), len(data)))
    assert len(data) == 2048 and p.flags & 0x04 and p.u32(44) == 2048
    # bad LUN: CHECK CONDITION with sense in a SCSI Response
    itt = c.scsi_cmd(bytes([0, 0, 0, 0, 0, 0]), lun=0x0005000000000000)
    st, data, p, sense = c.collect(itt)
    assert st == 2 and p.op == 0x21 and sense[2] & 0xF == 5, (st, sense.hex())
    c.ping()
    c.close()


def t_rejects():
    c = Conn()
    # unknown opcode
    c.send(bhs(0x1C | 0x40, 0x80, itt=c.next_itt(), f24=c.cmdsn, f28=c.statsn + 1))
    p = c.wait_op(0x3F)
    assert p.bhs[2] == 0x05, hex(p.bhs[2])
    assert bytes(p.data[:1]) == bytes([0x5C]), p.data[:4]
    # SNACK and Login in FFP
    c.send(bhs(0x10, 0x80, itt=RESERVED, f28=c.statsn + 1))
    assert c.wait_op(0x3F).bhs[2] == 0x04
    c.send(bhs(0x43, 0x87, itt=c.next_itt()))
    assert c.wait_op(0x3F).bhs[2] == 0x04
    # bad AHS type on a command
    ahs = struct.pack(">HBB", 5, 9, 0) + b"\0" * 4
    c.scsi_cmd(bytes([0, 0, 0, 0, 0, 0]), ahs=ahs)
    assert c.wait_op(0x3F).bhs[2] == 0x04
    # immediate data on a READ
    c.scsi_cmd(bytes([0x12, 0, 0, 0, 36, 0]), r=True, edtl=36, data=b"x" * 8)
    assert c.wait_op(0x3F).bhs[2] == 0x04
    # reserved ITT
    c.scsi_cmd(bytes([0, 0, 0, 0, 0, 0]), itt=RESERVED)
    assert c.wait_op(0x3F).bhs[2] == 0x09
    # extended CDB through AHS: a 32-byte CDB the device does not know
    cdb = bytes([0x7F]) + b"\0" * 31
    ahs = struct.pack(">HBB", 17, 1, 0) + cdb[16:]
    ahs += b"\0" * pad(len(ahs))
    itt = c.scsi_cmd(cdb[:16], ahs=ahs)
    st, _, p, sense = c.collect(itt)
    print("   32-byte CDB: status %x sense %s" % (st, sense[:14].hex()))
    assert st == 2
    # Data-Out for an unknown task: dropped silently
    c.data_out(0x7777, RESERVED, 0, b"z" * 512)
    c.ping()
    c.close()


def t_window():
    c = Conn()
    # CmdSN below ExpCmdSN and above MaxCmdSN: silently ignored
    c.scsi_cmd(bytes(6), cmdsn=(c.cmdsn - 5) & 0xFFFFFFFF)
    c.scsi_cmd(bytes(6), cmdsn=(c.cmdsn + 1000) & 0xFFFFFFFF)
    c.expect_nothing(1)
    p = c.ping()
    assert p.expcmdsn == c.cmdsn, (p.expcmdsn, c.cmdsn)
    assert p.maxcmdsn - p.expcmdsn + 1 >= 1
    print("   window: ExpCmdSN %d MaxCmdSN %d" % (p.expcmdsn, p.maxcmdsn))
    c.close()


def t_dup_itt_and_dataout():
    c = Conn({}) if False else Conn(keys={"InitialR2T": "Yes", "ImmediateData": "No"})
    d = os.urandom(8192)
    cdb = struct.pack(">BBIBHB", 0x2A, 0, 50, 0, 16, 0)
    itt = c.scsi_cmd(cdb, w=True, edtl=8192)
    r2t = c.wait_op(0x31, itt)
    assert r2t.u32(40) == 0 and r2t.u32(44) == 8192, (r2t.u32(40), r2t.u32(44))
    # same ITT again while the task lives
    c.scsi_cmd(bytes(6), itt=itt)
    p = c.wait_op(0x3F)
    assert p.bhs[2] == 0x07, hex(p.bhs[2])
    # wrong offset: Reject, task ends with CHECK CONDITION
    c.data_out(itt, r2t.ttt, 512, d[:512])
    p = c.wait_op(0x3F)
    assert p.bhs[2] in (0x04, 0x09), hex(p.bhs[2])
    st, _, p, sense = c.collect(itt)
    assert st == 2, st
    print("   bad offset sense %s" % sense[:14].hex())
    # further data for it is ignored
    c.data_out(itt, r2t.ttt, 0, d[:512])
    c.ping()
    # proper R2T flow still works
    st, _, _, _ = c.write10(60, d)
    assert st == 0
    st, back, _, _ = c.read10(60, 16)
    assert back == d
    c.close()


def t_tmf():
    c = Conn(keys={"InitialR2T": "Yes", "ImmediateData": "No"})
    # unknown task (e.g. completed): task does not exist
    itt = c.tmf(1, rtt=0x9999, refcmdsn=(c.cmdsn - 1) & 0xFFFFFFFF)
    p = c.wait_op(0x22, itt)
    assert p.bhs[2] == 1, p.bhs[2]
    itt = c.tmf(1, rtt=0x9999, refcmdsn=(c.cmdsn + 3) & 0xFFFFFFFF)
    assert c.wait_op(0x22, itt).bhs[2] == 1
    # RFC 7143 11.5.1 b): RefCmdSN in the window and before the TMF's
    # CmdSN (the task was sent but has not arrived): function complete
    itt = c.next_itt()
    c.send(bhs(0x42, 0x81, itt=itt, f20=0x9998, f24=c.cmdsn + 5,
               f28=c.statsn + 1, f32=c.cmdsn + 2))
    assert c.wait_op(0x22, itt).bhs[2] == 0
    # abort a WRITE waiting for data
    cdb = struct.pack(">BBIBHB", 0x2A, 0, 70, 0, 16, 0)
    witt = c.scsi_cmd(cdb, w=True, edtl=8192)
    r2t = c.wait_op(0x31, witt)
    itt = c.tmf(1, rtt=witt, refcmdsn=(c.cmdsn - 1) & 0xFFFFFFFF)
    p = c.wait_op(0x22, itt)
    assert p.bhs[2] == 0, p.bhs[2]
    c.data_out(witt, r2t.ttt, 0, b"q" * 8192)   # late data: dropped
    c.expect_nothing(1)
    # others
    for fn, exp in ((5, 0), (2, 0), (4, 0), (3, 5), (8, 4), (15, 5), (6, 0)):
        itt = c.tmf(fn, lun=0)
        p = c.wait_op(0x22, itt)
        print("   TMF %d -> %d" % (fn, p.bhs[2]))
        assert p.bhs[2] == exp, (fn, p.bhs[2])
    # LUN RESET of a missing LUN
    itt = c.tmf(5, lun=0x0007000000000000)
    assert c.wait_op(0x22, itt).bhs[2] == 2
    # the unit attention after the resets, then normal work
    for _ in range(3):
        itt = c.scsi_cmd(bytes(6))
        st, _, _, sense = c.collect(itt)
        if st == 0:
            break
    assert st == 0
    # cold reset: response, then the connection goes away
    itt = c.tmf(7)
    assert c.wait_op(0x22, itt).bhs[2] == 0
    c.expect_closed()
    c.close()


def t_text():
    c = Conn()
    itt = c.next_itt()
    data = b"SendTargets=All\0Foo=bar\0"
    c.send(bhs(0x04 | 0x40, 0x80, itt=itt, f20=RESERVED, f24=c.cmdsn, f28=c.statsn + 1), data)
    p = c.wait_op(0x24, itt)
    kv = [x for x in p.data.split(b"\0") if x]
    print("   text:", kv)
    assert p.flags & 0x80 and p.ttt == RESERVED
    assert kv[0] == ("TargetName=" + TGT).encode()
    assert kv[1].startswith(b"TargetAddress=127.0.0.1:3260,1")
    assert b"Foo=NotUnderstood" in kv
    c.ping()
    c.close()


def t_logout():
    c = Conn()
    itt = c.next_itt()
    c.send(bhs(0x06 | 0x40, 0x80 | 2, itt=itt, f20=0, f24=c.cmdsn, f28=c.statsn + 1))
    assert c.wait_op(0x26, itt).bhs[2] == 2
    itt = c.next_itt()
    c.send(bhs(0x06 | 0x40, 0x80 | 1, itt=itt, f20=7 << 16, f24=c.cmdsn, f28=c.statsn + 1))
    assert c.wait_op(0x26, itt).bhs[2] == 1
    itt = c.next_itt()
    c.send(bhs(0x06 | 0x40, 0x80 | 0, itt=itt, f24=c.cmdsn, f28=c.statsn + 1))
    p = c.wait_op(0x26, itt)
    assert p.bhs[2] == 0
    c.expect_closed()
    c.close()


def t_digests():
    c = Conn(hd=True, dd=True)
    assert c.hd and c.dd, c.keys
    c.ping(b"x" * 1001)
    d = os.urandom(65536)
    st, _, _, _ = c.write10(200, d)
    assert st == 0
    st, back, _, _ = c.read10(200, 128)
    assert back == d
    # data digest error on immediate data
    cdb = struct.pack(">BBIBHB", 0x2A, 0, 300, 0, 1, 0)
    itt = c.next_itt()
    b = bhs(0x01, 0xA1, itt=itt, f20=512, f24=c.sn(), f28=c.statsn + 1)
    b[32:42] = cdb
    c.send(b, b"e" * 512, bad_dd=True)
    p = c.wait_op(0x3F)
    assert p.bhs[2] == 0x02, hex(p.bhs[2])
    st, _, p, sense = c.collect(itt)
    print("   digest error: status %x sense %s" % (st, sense[:14].hex()))
    assert st == 2 and sense[12] == 0x47
    c.ping()
    # header digest error closes
    c.send(bhs(0x40, 0x80, itt=c.next_itt(), f20=RESERVED, f24=c.cmdsn, f28=c.statsn + 1), bad_hd=True)
    c.expect_closed()
    c.close()


def t_bigdsl():
    c = Conn()
    mx = int(c.keys.get("TargetRecvDataSegmentLength", c.keys.get("MaxRecvDataSegmentLength", "8192")))
    b = bhs(0x40, 0x80, itt=c.next_itt(), f20=RESERVED, f24=c.cmdsn, f28=c.statsn + 1)
    b[5:8] = struct.pack(">I", 16 * 1024 * 1024 - 1)[1:]
    c.send_raw(bytes(b))
    p = c.wait_op(0x3F)
    assert p.bhs[2] == 0x04
    c.expect_closed()
    c.close()


def t_nopin(interval):
    c = Conn()
    p = c.wait_op(0x20, RESERVED, timeout=interval * 3 + 5)
    assert p.ttt != RESERVED
    print("   target ping ttt 0x%x" % p.ttt)
    c.nop(itt=RESERVED, ttt=p.ttt)
    p = c.wait_op(0x20, RESERVED, timeout=interval * 3 + 5)
    print("   second ping, not answering")
    c.expect_closed(t=60)
    c.close()


def t_rsptimeout(tmo):
    c = Conn(keys={"InitialR2T": "Yes", "ImmediateData": "No"})
    cdb = struct.pack(">BBIBHB", 0x2A, 0, 80, 0, 16, 0)
    itt = c.scsi_cmd(cdb, w=True, edtl=8192)
    c.wait_op(0x31, itt)
    t0 = time.time()
    c.expect_closed(t=tmo * 4 + 10)
    print("   closed after %.1f s" % (time.time() - t0))
    c.close()


def t_fuzz(n=300, seed=1):
    rnd = random.Random(seed)
    alive = 0
    for i in range(n):
        try:
            c = Conn()
        except Exception as e:   # noqa
            print("   login %d failed: %s" % (i, e))
            time.sleep(0.5)
            continue
        try:
            for _ in range(rnd.randint(1, 6)):
                b = bytearray(rnd.getrandbits(8) for _ in range(48))
                if rnd.random() < 0.7:
                    b[0] = rnd.choice([0, 1, 2, 4, 5, 6, 0x10, 3, 0x1c, 0x21]) | \
                        (0x40 if rnd.random() < 0.5 else 0)
                if rnd.random() < 0.8:
                    b[4] = rnd.choice([0, 0, 1, 2, 5])
                dl = rnd.choice([0, 0, 1, 7, 512, 4096, 70000])
                b[5:8] = struct.pack(">I", dl)[1:]
                if rnd.random() < 0.5:
                    struct.pack_into(">I", b, 24, c.cmdsn)
                    c.cmdsn += 1
                if rnd.random() < 0.3:
                    struct.pack_into(">I", b, 16, rnd.choice([0x100, 0x101, RESERVED]))
                out = bytes(b) + bytes(rnd.getrandbits(8) for _ in range(b[4] * 4))
                out += os.urandom(dl + pad(dl))
                if rnd.random() < 0.1:
                    out = out[:rnd.randint(1, len(out))]
                c.send_raw(out)
            c.s.settimeout(0.3)
            try:
                while c.s.recv(65536):
                    pass
            except (socket.timeout, OSError):
                pass
            try:
                c.ping()
                alive += 1
            except Exception:   # noqa
                pass
        except OSError:
            pass
        c.close()
    print("   fuzz: %d/%d connections still answered pings" % (alive, n))


def t_asynclogout(answer=1):
    """Wait for the target's Async Message 'logout requested' (the shell
    disables the target meanwhile); log out if answer, else expect the
    connection to be dropped after the grace period."""
    c = Conn()
    open("/tmp/k2-async-ready", "w").close()
    p = c.wait_op(0x32, timeout=60)
    print("   async event %d param3 %d" % (p.bhs[36], struct.unpack(">H", p.bhs[42:44])[0]))
    assert p.bhs[36] == 1
    if answer:
        itt = c.next_itt()
        c.send(bhs(0x06 | 0x40, 0x80, itt=itt, f24=c.cmdsn, f28=c.statsn + 1))
        assert c.wait_op(0x26, itt).bhs[2] == 0
    t0 = time.time()
    c.expect_closed(t=30)
    print("   closed after %.1f s" % (time.time() - t0))
    c.close()


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def t_bidi():
    """XDWRITEREAD(10): a real bidirectional command (R+W, AHS type 2)."""
    c = Conn()
    # all immediate; immediate + unsolicited; immediate + R2T
    for n, imm in ((4096, None), (65536, 1024), (262144, None), (131072, 0)):
        old, new = os.urandom(n), os.urandom(n)
        st, _, p, sense = c.write10(200, old)
        assert st == 0, "write old: %x %s" % (st, sense.hex())
        st, din, p, sense = c.xdwriteread(200, new, imm=imm)
        assert st == 0, "xdwriteread %d: %x %s" % (n, st, sense.hex())
        assert p.op == 0x21 and not p.flags & 0x1E, "flags %x" % p.flags
        assert din == xor(old, new), "xdwriteread %d: Data-In is not old ^ new" % n
        st, back, p, sense = c.read10(200, n // 512)
        assert st == 0 and back == new, "read after xdwriteread %d" % n
    # DISABLE WRITE: XOR returned, medium unchanged
    new2 = os.urandom(4096)
    st, din, p, sense = c.xdwriteread(200, new2, disable_write=True)
    assert st == 0 and din == xor(new[:4096], new2), "DISABLE WRITE"
    st, back, p, sense = c.read10(200, 8)
    assert back == new[:4096], "DISABLE WRITE wrote"
    # Expected read length shorter: truncated, bidi read overflow (o)
    st, din, p, sense = c.xdwriteread(200, new2, rlen=2048)
    print("   short read len: st %x flags %x bi-resid %d len %d" %
          (st, p.flags, p.u32(40), len(din)))
    assert st == 0 and len(din) == 2048 and p.flags & 0x10 and p.u32(40) == 2048
    # R+W without the AHS: protocol error (RFC 7143 11.3.1)
    c.scsi_cmd(struct.pack(">BBIBHB", 0x53, 0, 200, 0, 8, 0), r=True, w=True,
               edtl=4096)
    assert c.wait_op(0x3F).bhs[2] == 0x04
    # W only: the command needs both directions (CHECK CONDITION 5/24)
    itt = c.scsi_cmd(struct.pack(">BBIBHB", 0x53, 0, 200, 0, 8, 0), w=True,
                     edtl=4096)
    st, din, p, sense = c.collect(itt, new2)
    print("   xdwriteread W only: st %x sense %s" % (st, sense[:14].hex()))
    assert st == 2 and sense[2] & 0xF == 5 and sense[12] == 0x24
    # the AHS on a READ is not used: the read works
    itt = c.scsi_cmd(struct.pack(">BBIBHB", 0x28, 0, 200, 0, 8, 0), r=True,
                     edtl=4096, ahs=struct.pack(">HBBI", 5, 2, 0, 4096))
    st, back, p, sense = c.collect(itt)
    assert st == 0 and back == new2, "READ with bidi AHS"
    c.ping()
    c.close()


TESTS = {
    "nop": t_nop, "rw": t_rw, "rejects": t_rejects, "window": t_window,
    "dup": t_dup_itt_and_dataout, "tmf": t_tmf, "text": t_text,
    "logout": t_logout, "digests": t_digests, "bigdsl": t_bigdsl,
    "bidi": t_bidi,
}


def main():
    names = sys.argv[1:] or list(TESTS)
    failed = 0
    for n in names:
        arg = None
        if ":" in n:
            n, arg = n.split(":", 1)
        fn = {"nopin": t_nopin, "rsptimeout": t_rsptimeout, "fuzz": t_fuzz,
              "asynclogout": t_asynclogout}.get(n) or TESTS[n]
        print("== %s" % n, flush=True)
        try:
            fn(int(arg)) if arg else fn()
            print("ok %s" % n, flush=True)
        except Exception as e:   # noqa
            import traceback
            traceback.print_exc()
            print("FAILED %s: %r" % (n, e), flush=True)
            failed += 1
    print("%d failed" % failed)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
