#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""iscsi-fuzz.py - seeded, reproducible iSCSI PDU fuzzer.

A small self-contained iSCSI initiator (RFC 7143: login with text
negotiation and optional CHAP-MD5, CmdSN/StatSN tracking, SCSI commands
with immediate/unsolicited/solicited data, NOP, TMF, Text, Logout,
CRC32C digests) plus a mutation engine that sends malformed PDUs in every
state of a connection:

  prelogin  garbage, truncated BHS, wrong opcodes, bit-flipped logins
  login     bad/duplicate/huge keys, missing NUL, bad stage transitions,
            wrong version, ISID/TSIH games, oversized and continued data
            segments, CHAP misuse, non-login PDUs during login, discovery
            sessions with bad Text PDUs
  ffp       every opcode with random flags, bad AHS, DataSegmentLength
            mismatches, out-of-window CmdSN, Data-Out with unknown ITT/TTT,
            overlapping/oversized offsets, bogus R2T answers, duplicate
            ITTs, TMFs for random tasks, NOP-Out with data, Text/SNACK in
            full feature phase, Logout with bad CID, digest errors (when
            digests are negotiated), connection drops mid-PDU / mid-data.

Every case i draws its random choices from Random("SEED:i"), so a run is
reproducible from its seed (printed first) and a single case can be
replayed with --seed SEED --first I --count 1 --debug (the session state
around it may differ).  On a failure the last cases are printed with the
hex of their malformed PDUs; --log FILE keeps every malformed PDU.

Checks.  Every --check-every cases and at the end the tool logs in cleanly,
writes a seeded pattern with WRITE(10) and reads it back with READ(10); it
fails when the target no longer serves a normal session or the data
differ.  It also checks what the target sends (reported as ANOMALY lines;
fatal with --strict): reserved fields and padding must be zero, opcodes
must be target opcodes, no data segment beyond the MaxRecvDataSegmentLength
we declared, no Data-In beyond a command's expected length, no R2T outside
it, digests right, NOP-In echoes the ping data.

Other modes: --login-only (prelogin and login cases only; the checks are
clean logins: for iscsi-scstd without its kernel module, see
ISCSI_SCSTD_FAKE_KERNEL), --exclude STATE.KIND,... (skip case kinds that
are known to break a peer, e.g. ffp.tmf_reset for LIO), --weights.

Exit status: 0 ok, 1 target failed (health check / final check), 2 usage
or setup error (the target did not work before fuzzing), 3 --strict and
the target sent questionable PDUs.
"""

import argparse
import collections
import hashlib
import os
import random
import socket
import struct
import sys
import time

# ---------------------------------------------------------------------------
# Wire format constants (RFC 7143 chapter 11)

OP_NOP_OUT, OP_SCSI_CMD, OP_TMF, OP_LOGIN, OP_TEXT, OP_DATA_OUT, OP_LOGOUT = range(7)
OP_SNACK = 0x10
OP_NOP_IN, OP_SCSI_RSP, OP_TMF_RSP, OP_LOGIN_RSP, OP_TEXT_RSP = 0x20, 0x21, 0x22, 0x23, 0x24
OP_DATA_IN, OP_LOGOUT_RSP, OP_R2T, OP_ASYNC, OP_REJECT = 0x25, 0x26, 0x31, 0x32, 0x3F
IMM = 0x40
F_BIT = 0x80
TGT_OPS = {
    OP_NOP_IN: "nop-in", OP_SCSI_RSP: "scsi-rsp", OP_TMF_RSP: "tmf-rsp",
    OP_LOGIN_RSP: "login-rsp", OP_TEXT_RSP: "text-rsp", OP_DATA_IN: "data-in",
    OP_LOGOUT_RSP: "logout-rsp", OP_R2T: "r2t", OP_ASYNC: "async",
    OP_REJECT: "reject",
}
RSVD_TTT = 0xFFFFFFFF
LOGIN_MAX_DSL = 8192

# Reserved bytes of target PDUs that must be zero: {opcode: [(from, to)]}
# and byte 1 masks: {opcode: (mask, expected)}.
RSVD_RANGES = {
    OP_NOP_IN: [(2, 4), (36, 48)],
    OP_SCSI_RSP: [(8, 16)],
    OP_TMF_RSP: [(3, 4), (8, 16), (20, 24), (36, 48)],
    OP_LOGIN_RSP: [(20, 24), (38, 48)],
    OP_TEXT_RSP: [(2, 4), (36, 48)],
    OP_DATA_IN: [(2, 3)],
    OP_LOGOUT_RSP: [(3, 4), (8, 16), (20, 24), (36, 40), (44, 48)],
    OP_R2T: [(2, 4)],
    OP_ASYNC: [(2, 4), (20, 24), (44, 48)],
    OP_REJECT: [(3, 4), (8, 16), (20, 24), (40, 48)],
}
BYTE1 = {
    OP_NOP_IN: (0xFF, 0x80), OP_SCSI_RSP: (0xE1, 0x80),
    OP_TMF_RSP: (0xFF, 0x80), OP_TEXT_RSP: (0x3F, 0x00),
    OP_DATA_IN: (0x38, 0x00), OP_LOGOUT_RSP: (0xFF, 0x80),
    OP_R2T: (0xFF, 0x80), OP_ASYNC: (0xFF, 0x80), OP_REJECT: (0xFF, 0x80),
}

# SCSI opcodes the mutation engine must not send with random contents:
# they could leave persistent state (reservations, mode pages, stopped
# or formatted media) that makes the final check fail for a reason that
# is not a target bug.
UNSAFE_CDB = {0x04, 0x15, 0x16, 0x1B, 0x1E, 0x3B, 0x48, 0x55, 0x56, 0x5F,
              0x83, 0xA4, 0xA6, 0xB5, 0x3C}
SAFE_CDB = [0x00, 0x03, 0x08, 0x0A, 0x12, 0x1A, 0x25, 0x28, 0x2A, 0x2F,
            0x35, 0x41, 0x42, 0x5A, 0x5E, 0x7F, 0x88, 0x8A, 0x8F, 0x91,
            0x93, 0x9E, 0xA0, 0xA3, 0xA8, 0xAA, 0x89, 0x8E, 0x9F, 0x4D,
            0x37, 0x1D, 0x1C, 0x2E, 0x34, 0x90, 0x44, 0x43]


def crc_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


CRC_T = crc_table()


def crc32c_py(data):
    """CRC32C as iSCSI sends it (little-endian byte order on the wire)."""
    c = 0xFFFFFFFF
    t = CRC_T
    for b in data:
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return struct.pack("<I", c ^ 0xFFFFFFFF)


class KernelCrc:
    """crc32c through AF_ALG (the kernel's, much faster than Python in a
    TCG guest); used only if it agrees with crc32c_py on test vectors."""

    def __init__(self):
        self.op = None
        try:
            s = socket.socket(socket.AF_ALG, socket.SOCK_SEQPACKET, 0)
            s.bind(("hash", "crc32c"))
            self.op, _ = s.accept()
        except (OSError, AttributeError):
            self.op = None
            return
        for v in (bytes(32), b"123456789", bytes(range(256)) * 300):
            if self(v) != crc32c_py(v):
                self.op = None
                return

    def __call__(self, data):
        data = memoryview(bytes(data))
        try:
            for off in range(0, len(data), 65536):
                more = off + 65536 < len(data)
                self.op.send(data[off:off + 65536], socket.MSG_MORE if more else 0)
            if not data:
                self.op.send(b"")
            return self.op.recv(4)
        except OSError:
            self.op = None
            return crc32c_py(data)


_KCRC = None


def crc32c(data):
    global _KCRC
    if _KCRC is None:
        _KCRC = KernelCrc()
    if _KCRC.op is not None and len(data) > 256:
        return _KCRC(data)
    return crc32c_py(data)


def u32(b, off):
    return struct.unpack_from(">I", b, off)[0]


def put32(b, off, v):
    struct.pack_into(">I", b, off, v & 0xFFFFFFFF)


def put16(b, off, v):
    struct.pack_into(">H", b, off, v & 0xFFFF)


def sn_lt(a, b):
    """Serial number arithmetic (RFC 1982, 32 bits): a < b."""
    return a != b and ((b - a) & 0xFFFFFFFF) < 0x80000000


def pad4(n):
    return (-n) & 3


def lun_bytes(lun):
    if lun < 256:
        return bytes([0, lun, 0, 0, 0, 0, 0, 0])
    return bytes([0x40 | ((lun >> 8) & 0x3F), lun & 0xFF, 0, 0, 0, 0, 0, 0])


def bhs(op, flags=0, b2=0, b3=0, lun=bytes(8), itt=0, f20=0, f24=0, f28=0,
        f32=0, f36=0, f40=0, f44=0):
    """A 48-byte Basic Header Segment; bytes 4-7 are filled in by build()."""
    return bytearray(struct.pack(">BBBB4x8sIIIIIIII", op & 0xFF, flags & 0xFF,
                                 b2 & 0xFF, b3 & 0xFF, bytes(lun)[:8].ljust(8, b"\0"),
                                 itt & 0xFFFFFFFF, f20 & 0xFFFFFFFF,
                                 f24 & 0xFFFFFFFF, f28 & 0xFFFFFFFF,
                                 f32 & 0xFFFFFFFF, f36 & 0xFFFFFFFF,
                                 f40 & 0xFFFFFFFF, f44 & 0xFFFFFFFF))


def keys_text(pairs):
    out = bytearray()
    for k, v in pairs:
        out += (k if isinstance(k, bytes) else k.encode()) + b"="
        out += (v if isinstance(v, bytes) else str(v).encode()) + b"\0"
    return bytes(out)


def parse_keys(data):
    d = collections.OrderedDict()
    for item in bytes(data).split(b"\0"):
        if not item:
            continue
        k, _, v = item.partition(b"=")
        d[k.decode("latin-1")] = v.decode("latin-1")
    return d


def cdb10(op, lba, nblk, b1=0):
    return struct.pack(">BBIBHB", op, b1, lba & 0xFFFFFFFF, 0, nblk & 0xFFFF, 0)


class Dead(Exception):
    """The connection is gone (EOF, reset, send failure)."""


class Timeout(Exception):
    """No (matching) PDU within the time limit."""


class LoginFailed(Exception):
    def __init__(self, status, msg=""):
        super().__init__("login failed: status 0x%04x %s" % (status, msg))
        self.status = status


class ProtoError(Exception):
    """The target answered something the initiator library cannot use."""


class PDU:
    __slots__ = ("hdr", "ahs", "data")

    def __init__(self, hdr, ahs, data):
        self.hdr, self.ahs, self.data = hdr, ahs, data

    op = property(lambda s: s.hdr[0] & 0x3F)
    flags = property(lambda s: s.hdr[1])
    itt = property(lambda s: u32(s.hdr, 16))
    ttt = property(lambda s: u32(s.hdr, 20))
    statsn = property(lambda s: u32(s.hdr, 24))


# ---------------------------------------------------------------------------
# Connection and initiator library


class Conn:
    """One TCP connection with an iSCSI initiator state machine."""

    def __init__(self, fz, timeout=None):
        self.fz = fz
        self.timeout = timeout or fz.a.timeout
        self.sock = None
        self.rbuf = bytearray()
        self.hd = self.dd = False
        self.exp_statsn = 0
        self.cmdsn = 0
        self.exp_cmdsn = 0
        self.max_cmdsn = 0
        self.itt = fz.sess_rng.randrange(1, 0x10000000)
        self.isid = b"\x80" + fz.sess_rng.randbytes(5)
        self.tsih = 0
        self.cid = 0
        self.tgt_mrdsl = LOGIN_MAX_DSL   # what we may send per PDU
        self.my_mrdsl = LOGIN_MAX_DSL    # what we declared
        self.neg = {}
        self.ffp = False
        self.dirty = False
        self.abandoned = 0
        self.cases = 0
        self.login_cmdsn = 0
        self.login_itt = 0
        self.edtl = {}
        host, port = fz.portal
        try:
            self.sock = socket.create_connection((host, port), timeout=self.timeout)
        except OSError as e:
            raise Dead("connect to %s:%d: %s" % (host, port, e)) from e
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        fz.conns += 1

    # -- raw I/O ------------------------------------------------------------

    def alive(self):
        return self.sock is not None

    def close(self, rst=False):
        if self.sock is None:
            return
        try:
            if rst:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                     struct.pack("ii", 1, 0))
            self.sock.close()
        except OSError:
            pass
        self.sock = None

    def send_raw(self, data):
        if self.sock is None:
            raise Dead("send on closed connection")
        if self.fz.a.debug:
            print("  >> %s%s (%d bytes)" % (bytes(data[:48]).hex(), " " + bytes(data[48:80]).hex()
                                          if len(data) > 48 else "", len(data)))
        try:
            self.sock.sendall(data)
        except socket.timeout as e:
            self.close()
            raise Timeout("send blocked for %.1fs" % self.timeout) from e
        except OSError as e:
            self.close()
            raise Dead("send: %s" % e) from e

    def build(self, hdr, ahs=b"", data=b"", dsl=None, ahs_words=None,
              hd=None, dd=None, bad_hd=False, bad_dd=False):
        """Wire bytes of a PDU.  dsl/ahs_words override the length fields;
        hd/dd override the negotiated digests; bad_* corrupt them."""
        b = bytearray(hdr[:48])
        if ahs_words is None:
            ahs_words = (len(ahs) + 3) // 4
            ahs = bytes(ahs) + bytes(pad4(len(ahs)))
        b[4] = ahs_words & 0xFF
        n = len(data) if dsl is None else dsl
        b[5:8] = (n & 0xFFFFFF).to_bytes(3, "big")
        if b[0] & 0x3F == OP_SCSI_CMD:
            self.note_cmd(b)
        out = bytearray(b) + ahs
        if self.hd if hd is None else hd:
            dig = bytearray(crc32c(out))
            if bad_hd:
                dig[0] ^= 0x5A
            out += dig
        if data:
            seg = bytes(data) + bytes(pad4(len(data)))
            out += seg
            if self.dd if dd is None else dd:
                dig = bytearray(crc32c(seg))
                if bad_dd:
                    dig[3] ^= 0xA5
                out += dig
        return bytes(out)

    def note_cmd(self, b):
        """Remember the read length of a command, to check Data-In against."""
        if len(self.edtl) > 4096:
            self.edtl.clear()
        itt = u32(b, 16)
        if b[1] & 0x60 == 0x40:
            self.edtl[itt] = u32(b, 20)
        else:
            self.edtl.pop(itt, None)

    def send(self, hdr, ahs=b"", data=b"", **kw):
        w = self.build(hdr, ahs, data, **kw)
        self.send_raw(w)
        return w

    def _fill(self, n, deadline):
        while len(self.rbuf) < n:
            if self.sock is None:
                raise Dead("connection closed")
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no PDU within the time limit")
            try:
                self.sock.settimeout(left)
                chunk = self.sock.recv(max(65536, n - len(self.rbuf)))
            except socket.timeout as e:
                raise Timeout("no PDU within the time limit") from e
            except OSError as e:
                self.close()
                raise Dead("recv: %s" % e) from e
            finally:
                if self.sock is not None:
                    self.sock.settimeout(self.timeout)
            if not chunk:
                self.close()
                raise Dead("closed by target")
            self.rbuf += chunk

    def _take(self, n):
        b = bytes(self.rbuf[:n])
        del self.rbuf[:n]
        return b

    def recv(self, timeout=None, deadline=None):
        """Receive one target PDU, check it and update the sequence numbers."""
        if deadline is None:
            deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        self._fill(48, deadline)
        hdr = self.rbuf[:48]
        ahs_len = hdr[4] * 4
        dsl = int.from_bytes(hdr[5:8], "big")
        hd = self.hd and self.ffp
        dd = self.dd and self.ffp and dsl > 0
        total = 48 + ahs_len + (4 if hd else 0) + dsl + pad4(dsl) + (4 if dd else 0)
        if dsl > max(self.my_mrdsl, LOGIN_MAX_DSL, 1 << 20):
            self.fz.anomaly("target PDU with DataSegmentLength %d > our MaxRecvDataSegmentLength %d"
                            % (dsl, self.my_mrdsl), bytes(hdr))
            self.close()
            raise Dead("absurd DataSegmentLength from target")
        self._fill(total, deadline)
        raw = self._take(total)
        hdr = raw[:48]
        ahs = raw[48:48 + ahs_len]
        p = 48 + ahs_len
        if hd:
            if raw[p:p + 4] != crc32c(raw[:p]):
                self.fz.anomaly("target sent a wrong header digest", hdr)
            p += 4
        seg = raw[p:p + dsl + pad4(dsl)]
        if dd and raw[p + len(seg):p + len(seg) + 4] != crc32c(seg):
            self.fz.anomaly("target sent a wrong data digest", hdr)
        pdu = PDU(hdr, ahs, seg[:dsl])
        if self.fz.a.debug:
            print("  << %s %r" % (bytes(hdr).hex(), bytes(pdu.data[:80])))
        self._check(pdu, seg[dsl:])
        self._account(pdu)
        return pdu

    def _check(self, pdu, padding):
        fz = self.fz
        op = pdu.op
        name = TGT_OPS.get(op)
        fz.rx[name or "op-0x%02x" % op] += 1
        if name is None:
            fz.anomaly("target sent initiator/unknown opcode 0x%02x" % op, pdu.hdr)
            return
        if any(padding):
            fz.anomaly("nonzero padding bytes in %s" % name, pdu.hdr)
        if pdu.hdr[0] & 0xC0:
            fz.anomaly("bits 7/6 of byte 0 set in %s" % name, pdu.hdr)
        for lo, hi in RSVD_RANGES.get(op, ()):
            if any(pdu.hdr[lo:hi]):
                fz.anomaly("reserved bytes %d-%d nonzero in %s" % (lo, hi - 1, name), pdu.hdr)
        m = BYTE1.get(op)
        if m and (pdu.hdr[1] & m[0]) != m[1]:
            fz.anomaly("reserved/fixed bits of byte 1 wrong in %s" % name, pdu.hdr)
        if op in (OP_R2T, OP_TMF_RSP, OP_LOGOUT_RSP) and (pdu.hdr[4] or len(pdu.data)):
            fz.anomaly("%s with AHS or data segment" % name, pdu.hdr)
        if op == OP_DATA_IN:
            e = self.edtl.get(pdu.itt)
            if e is not None and u32(pdu.hdr, 40) + len(pdu.data) > e:
                fz.anomaly("Data-In beyond the command's expected data transfer length", pdu.hdr)
        lim = self.my_mrdsl if self.ffp else LOGIN_MAX_DSL
        if len(pdu.data) > lim and op != OP_REJECT:
            fz.anomaly("%s data segment %d > declared MaxRecvDataSegmentLength %d"
                       % (name, len(pdu.data), lim), pdu.hdr)

    def _account(self, pdu):
        op = pdu.op
        h = pdu.hdr
        if op == OP_DATA_IN and not h[1] & 0x01:
            status = False
        else:
            status = op in (OP_SCSI_RSP, OP_TMF_RSP, OP_LOGIN_RSP, OP_TEXT_RSP,
                            OP_DATA_IN, OP_LOGOUT_RSP, OP_ASYNC, OP_REJECT) or \
                (op == OP_NOP_IN and pdu.itt != RSVD_TTT)
        if status:
            self.exp_statsn = (pdu.statsn + 1) & 0xFFFFFFFF
        if op in TGT_OPS and op != OP_LOGIN_RSP:
            exp, mx = u32(h, 28), u32(h, 32)
            if not sn_lt(mx, (exp - 1) & 0xFFFFFFFF):   # valid window
                if sn_lt(self.exp_cmdsn, exp) or not self.ffp:
                    self.exp_cmdsn = exp
                if sn_lt(self.max_cmdsn, mx) or not self.ffp:
                    self.max_cmdsn = mx
        if op == OP_NOP_IN and pdu.ttt != RSVD_TTT and self.ffp:
            # The target pings us: answer (immediate, ITT reserved).
            try:
                self.send(bhs(OP_NOP_OUT | IMM, F_BIT, lun=h[8:16], itt=RSVD_TTT,
                              f20=pdu.ttt, f24=self.cmdsn, f28=self.exp_statsn))
            except (Dead, Timeout):
                pass
        if op == OP_ASYNC:
            self.fz.rx["async-event-%d" % h[36]] += 1

    def next_itt(self):
        self.itt = (self.itt + 1) & 0x7FFFFFFF or 1
        return self.itt

    def wait(self, pred, timeout=None):
        """Receive until pred(pdu) is true; returns that PDU."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            p = self.recv(deadline=deadline)
            if pred(p):
                return p

    def drain(self, timeout=0.0):
        """Read whatever is already queued (or arrives within timeout)."""
        n = 0
        try:
            while True:
                self.recv(timeout=timeout)
                n += 1
        except Timeout:
            pass
        return n

    # -- login --------------------------------------------------------------

    def login_hdr(self, t, c, csg, nsg, keys=b"", vmax=0, vmin=0):
        flags = (0x80 if t else 0) | (0x40 if c else 0) | ((csg & 3) << 2) | (nsg & 3 if t else 0)
        h = bhs(OP_LOGIN | IMM, flags, vmax, vmin, itt=self.login_itt,
                f24=self.login_cmdsn, f28=self.exp_statsn)
        h[8:14] = self.isid
        put16(h, 14, self.tsih)
        put16(h, 20, self.cid)
        return h

    def login_rsp(self, timeout=None):
        p = self.wait(lambda q: True, timeout)
        if p.op != OP_LOGIN_RSP:
            raise ProtoError("expected a Login Response, got %s" % TGT_OPS.get(p.op, hex(p.op)))
        st = (p.hdr[36] << 8) | p.hdr[37]
        if st:
            raise LoginFailed(st, repr(parse_keys(p.data))[:200])
        # The target may continue its text in more PDUs (C bit).
        data = bytes(p.data)
        while p.hdr[1] & 0x40:
            csg = (p.hdr[1] >> 2) & 3
            self.send(self.login_hdr(False, False, csg, 0))
            p = self.wait(lambda q: True, timeout)
            if p.op != OP_LOGIN_RSP:
                raise ProtoError("expected a Login Response")
            data += bytes(p.data)
        p.data = data
        return p

    def login_step(self, t, csg, nsg, pairs, timeout=None):
        self.send(self.login_hdr(t, False, csg, nsg), data=keys_text(pairs))
        return self.login_rsp(timeout)

    def op_keys(self, digest, mrdsl, imm=True, initial_r2t=False):
        dg = "CRC32C" if digest else "None"
        return [("HeaderDigest", dg), ("DataDigest", dg),
                ("MaxRecvDataSegmentLength", mrdsl),
                ("InitialR2T", "Yes" if initial_r2t else "No"),
                ("ImmediateData", "Yes" if imm else "No"),
                ("MaxBurstLength", 262144), ("FirstBurstLength", 65536),
                ("DefaultTime2Wait", 0), ("DefaultTime2Retain", 0),
                ("MaxOutstandingR2T", 1), ("DataPDUInOrder", "Yes"),
                ("DataSequenceInOrder", "Yes"), ("ErrorRecoveryLevel", 0),
                ("MaxConnections", 1), ("IFMarker", "No"), ("OFMarker", "No")]

    def first_keys(self, discovery=False, target=None):
        fz = self.fz
        k = [("InitiatorName", fz.a.initiator),
             ("SessionType", "Discovery" if discovery else "Normal")]
        if not discovery:
            k.append(("TargetName", target or fz.a.target))
        return k

    def security(self, pairs, chap=None):
        """Security stage (CSG 0) up to the transition to operational."""
        if chap is None:
            rsp = self.login_step(True, 0, 1, pairs + [("AuthMethod", "None")])
            for _ in range(4):
                if rsp.flags & 0x80:
                    return rsp
                rsp = self.login_step(True, 0, 1, [])
            raise ProtoError("target does not leave the security stage")
        user, secret = chap
        rsp = self.login_step(False, 0, 0, pairs + [("AuthMethod", "CHAP,None")])
        k = parse_keys(rsp.data)
        if k.get("AuthMethod") == "None":
            # The target needs no authentication here (e.g. discovery).
            rsp = self.login_step(True, 0, 1, [])
            for _ in range(4):
                if rsp.flags & 0x80:
                    return rsp
                rsp = self.login_step(True, 0, 1, [])
            raise ProtoError("target does not leave the security stage")
        if k.get("AuthMethod") != "CHAP":
            raise ProtoError("target did not select CHAP: %r" % dict(k))
        rsp = self.login_step(False, 0, 0, [("CHAP_A", "5")])
        k = parse_keys(rsp.data)
        if k.get("CHAP_A") != "5" or "CHAP_I" not in k or "CHAP_C" not in k:
            raise ProtoError("bad CHAP challenge: %r" % dict(k))
        ident = int(k["CHAP_I"], 0)
        chal = decode_chap_bin(k["CHAP_C"])
        resp = hashlib.md5(bytes([ident & 0xFF]) + secret.encode() + chal).hexdigest()
        rsp = self.login_step(True, 0, 1, [("CHAP_N", user), ("CHAP_R", "0x" + resp)])
        for _ in range(4):
            if rsp.flags & 0x80:
                return rsp
            rsp = self.login_step(True, 0, 1, [])
        raise ProtoError("target does not leave the security stage after CHAP")

    def operational(self, pairs, digest, mrdsl):
        offered = dict(pairs)
        rsp = self.login_step(True, 1, 3, pairs)
        got = parse_keys(rsp.data)
        for _ in range(8):
            if rsp.flags & 0x80 and rsp.flags & 3 == 3:
                break
            answer = []
            for k, v in parse_keys(rsp.data).items():
                if k not in offered and k not in DECLARATIVE:
                    answer.append((k, v.split(",")[0]))
                    offered[k] = v
            rsp = self.login_step(True, 1, 3, answer)
            got.update(parse_keys(rsp.data))
        else:
            raise ProtoError("target does not go to full feature phase")
        self.finish_login(rsp, got, digest, mrdsl)
        return rsp

    def finish_login(self, rsp, got, digest, mrdsl):
        self.tsih = struct.unpack_from(">H", rsp.hdr, 14)[0]
        self.exp_cmdsn = u32(rsp.hdr, 28)
        self.max_cmdsn = u32(rsp.hdr, 32)
        self.cmdsn = self.exp_cmdsn
        self.my_mrdsl = mrdsl
        n = dict(got)
        self.tgt_mrdsl = min(max(toint(n.get("MaxRecvDataSegmentLength"), 8192), 512), 1 << 24)
        self.neg = {
            "InitialR2T": n.get("InitialR2T", "Yes") != "No",
            "ImmediateData": n.get("ImmediateData", "Yes") == "Yes",
            "FirstBurstLength": max(toint(n.get("FirstBurstLength"), 65536), 512),
            "MaxBurstLength": max(toint(n.get("MaxBurstLength"), 262144), 512),
        }
        self.hd = n.get("HeaderDigest", "None") == "CRC32C"
        self.dd = n.get("DataDigest", "None") == "CRC32C"
        if digest and not (self.hd and self.dd):
            self.fz.note("target did not accept CRC32C digests: HeaderDigest=%s DataDigest=%s"
                         % (n.get("HeaderDigest"), n.get("DataDigest")))
        self.ffp = True
        self.fz.logins += 1

    def login(self, target=None, digest=False, mrdsl=None, chap=None,
              discovery=False, isid=None, skip_security=None):
        """A complete normal (or discovery) login; returns the final rsp."""
        fz = self.fz
        if isid is not None:
            self.isid = isid
        self.login_itt = self.next_itt()
        self.login_cmdsn = fz.sess_rng.randrange(1 << 32)
        mrdsl = mrdsl or fz.a.mrdsl
        pairs = self.first_keys(discovery, target)
        if chap is None:
            chap = fz.chap
        if skip_security is None:
            skip_security = chap is None and fz.sess_rng.random() < 0.3
        if not skip_security:
            self.security(pairs, chap)
            pairs = []
        if discovery:
            ops = [("MaxRecvDataSegmentLength", mrdsl), ("HeaderDigest", "None"),
                   ("DataDigest", "None")]
        else:
            ops = self.op_keys(digest, mrdsl)
        return self.operational(pairs + ops, digest and not discovery, mrdsl)

    # -- full feature phase -------------------------------------------------

    def ping(self, data=b"", timeout=None):
        """NOP-Out/NOP-In round trip; resynchronises CmdSN to ExpCmdSN."""
        itt = self.next_itt()
        self.send(bhs(OP_NOP_OUT | IMM, F_BIT, itt=itt, f20=RSVD_TTT,
                      f24=self.cmdsn, f28=self.exp_statsn), data=data)
        p = self.wait(lambda q: q.op == OP_NOP_IN and q.itt == itt, timeout)
        # RFC 7143 11.18.5: the reflected data is limited to our
        # MaxRecvDataSegmentLength.
        want = bytes(data[:self.my_mrdsl]) if data else b""
        if p.data != want:
            self.fz.anomaly("NOP-In ping data differ from NOP-Out data (%d bytes back for %d sent)"
                            % (len(p.data), len(data)), p.hdr)
        self.cmdsn = self.exp_cmdsn
        return p

    def wait_window(self, timeout=None):
        if not sn_lt(self.max_cmdsn, self.cmdsn):
            return
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while sn_lt(self.max_cmdsn, self.cmdsn):
            self.ping(timeout=max(0.01, deadline - time.monotonic()))
            if sn_lt(self.max_cmdsn, self.cmdsn):
                time.sleep(0.05)
            if time.monotonic() > deadline:
                raise Timeout("CmdSN window stays closed")

    def scsi_hdr(self, cdb, flags, edtl, lun=None, itt=None, cmdsn=None, imm=False):
        h = bhs(OP_SCSI_CMD | (IMM if imm else 0), flags,
                lun=lun_bytes(self.fz.a.lun if lun is None else lun),
                itt=self.next_itt() if itt is None else itt, f20=edtl,
                f24=self.cmdsn if cmdsn is None else cmdsn, f28=self.exp_statsn)
        c = bytes(cdb)[:16]
        h[32:32 + len(c)] = c
        return h

    def data_out(self, itt, ttt, off, data, final, datasn, lun=None, **kw):
        h = bhs(OP_DATA_OUT, F_BIT if final else 0,
                lun=lun_bytes(self.fz.a.lun if lun is None else lun), itt=itt,
                f20=ttt, f28=self.exp_statsn, f36=datasn, f40=off)
        return self.send(h, data=data, **kw)

    def send_burst(self, itt, ttt, wdata, start, end):
        """Data-Out PDUs for wdata[start:end] (one sequence)."""
        off, sn = start, 0
        while off < end:
            n = min(self.tgt_mrdsl, end - off)
            self.data_out(itt, ttt, off, wdata[off:off + n], off + n >= end, sn)
            off += n
            sn += 1

    def start_cmd(self, cdb, read_len=0, wdata=None, lun=None, attr=1):
        """Send a SCSI command and its unsolicited data; returns its ITT."""
        wlen = len(wdata) if wdata else 0
        flags = attr & 7
        if read_len:
            flags |= 0x40
        if wlen:
            flags |= 0x20
        imm = b""
        if wlen and self.neg.get("ImmediateData"):
            imm = wdata[:min(self.neg["FirstBurstLength"], self.tgt_mrdsl, wlen)]
        unsol = len(imm)
        if wlen and not self.neg.get("InitialR2T"):
            unsol = min(wlen, self.neg["FirstBurstLength"])
        if unsol <= len(imm):
            flags |= F_BIT
        self.wait_window()
        h = self.scsi_hdr(cdb, flags, wlen or read_len, lun)
        itt = self.itt
        self.cmdsn = (self.cmdsn + 1) & 0xFFFFFFFF
        self.send(h, data=imm)
        if unsol > len(imm):
            self.send_burst(itt, RSVD_TTT, wdata, len(imm), unsol)
        return itt

    def finish_cmd(self, itt, read_len=0, wdata=None, timeout=None):
        """Serve R2Ts and collect Data-In until the command's status."""
        rbuf = bytearray(read_len)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            p = self.recv(deadline=deadline)
            if p.itt != itt:
                if p.op == OP_REJECT:
                    self.fz.rx["reject-other"] += 1
                continue
            if p.op == OP_R2T:
                off, ln = u32(p.hdr, 40), u32(p.hdr, 44)
                if not wdata or off + ln > len(wdata) or ln == 0:
                    self.fz.anomaly("R2T outside the write buffer (off %d len %d edtl %d)"
                                    % (off, ln, len(wdata or b"")), p.hdr)
                    raise ProtoError("bad R2T")
                self.send_burst(itt, p.ttt, wdata, off, off + ln)
            elif p.op == OP_DATA_IN:
                off = u32(p.hdr, 40)
                if off + len(p.data) > read_len:
                    self.fz.anomaly("Data-In beyond the expected transfer length", p.hdr)
                    raise ProtoError("Data-In overflow")
                rbuf[off:off + len(p.data)] = p.data
                if p.flags & 0x01:
                    return p.hdr[3], b"", bytes(rbuf)
            elif p.op == OP_SCSI_RSP:
                if p.hdr[2]:
                    return 0x100 | p.hdr[2], b"", bytes(rbuf)
                sense = b""
                if len(p.data) >= 2:
                    sl = struct.unpack_from(">H", p.data)[0]
                    sense = bytes(p.data[2:2 + sl])
                return p.hdr[3], sense, bytes(rbuf)
            else:
                raise ProtoError("unexpected %s for command" % TGT_OPS.get(p.op, hex(p.op)))

    def scsi(self, cdb, read_len=0, wdata=None, lun=None, timeout=None):
        itt = self.start_cmd(cdb, read_len, wdata, lun)
        return self.finish_cmd(itt, read_len, wdata, timeout)

    def scsi_good(self, cdb, read_len=0, wdata=None, what="command", tries=8):
        """Run a command, retrying on UNIT ATTENTION; raise unless GOOD."""
        for _ in range(tries):
            st, sense, data = self.scsi(cdb, read_len, wdata)
            if st == 0:
                return data
            if st == 2 and len(sense) > 2 and (sense[2] & 0xF) == 6:
                continue
            if st == 2 and len(sense) > 2 and sense[0] & 0x7F in (0x72, 0x73) and sense[1] & 0xF == 6:
                continue
            raise ProtoError("%s: status 0x%x sense %s" % (what, st, sense[:18].hex()))
        raise ProtoError("%s: unit attentions do not stop" % what)

    def logout(self, timeout=None):
        itt = self.next_itt()
        self.send(bhs(OP_LOGOUT | IMM, F_BIT, itt=itt, f20=self.cid << 16,
                      f24=self.cmdsn, f28=self.exp_statsn))
        p = self.wait(lambda q: q.op == OP_LOGOUT_RSP and q.itt == itt, timeout)
        self.close()
        return p.hdr[2]


DECLARATIVE = {"TargetAlias", "TargetPortalGroupTag", "TargetAddress",
               "MaxRecvDataSegmentLength", "InitiatorAlias", "TargetName",
               "InitiatorName", "SessionType", "X-com.fuzz.Marker"}


def toint(v, default):
    try:
        return int(v, 0)
    except (TypeError, ValueError):
        return default


def decode_chap_bin(v):
    import base64
    if v[:2] in ("0x", "0X"):
        return bytes.fromhex(v[2:] if len(v) % 2 == 0 else "0" + v[2:])
    if v[:2] in ("0b", "0B"):
        return base64.b64decode(v[2:])
    return int(v).to_bytes(8, "big")


# ---------------------------------------------------------------------------
# The fuzzer


class Fuzzer:
    def __init__(self, a):
        self.a = a
        self.seed = a.seed
        host, _, port = a.portal.rpartition(":")
        if not host:
            host, port = a.portal, "3260"
        self.portal = (host.strip("[]"), int(port))
        self.chap = (a.chap_user, a.chap_secret) if a.chap_user else None
        self.sess_rng = random.Random("%d:session" % a.seed)
        self.sent = collections.Counter()       # malformed PDUs by state
        self.kinds = collections.Counter()      # ... by state.kind
        self.ktime = collections.Counter()      # seconds spent, by state.kind
        self.ends = collections.Counter()       # how connections ended, by kind
        self.rx = collections.Counter()
        self.anoms = collections.OrderedDict()
        self.notes = collections.Counter()
        self.recent = collections.deque(maxlen=a.history)
        self.conn = None
        self.conns = 0
        self.logins = 0
        self.timeouts = 0
        self.blksz = 512
        self.nblocks = 0
        self.case = None
        self.logf = open(a.log, "w") if a.log else None
        self.last_isid = None

    # -- bookkeeping ----------------------------------------------------------

    def outcome(self, what):
        self.ends[what] += 1
        if self.case is not None:
            self.case.setdefault("ends", []).append(what)

    def note(self, msg):
        self.notes[msg] += 1

    def anomaly(self, msg, hdr=b""):
        e = self.anoms.get(msg)
        if e is None:
            case = self.case["i"] if self.case else -1
            self.anoms[msg] = [1, case, bytes(hdr[:48]).hex()]
        else:
            e[0] += 1

    def bad(self, wire, what, state=None):
        """Record one malformed PDU (already sent, perhaps partially)."""
        c = self.case
        st = state or c["state"]
        self.sent[st] += 1
        self.kinds["%s.%s" % (st, c["kind"])] += 1
        c["n"] += 1
        c["pdus"].append("%s: %s%s" % (what, bytes(wire[:96]).hex(),
                                        "..." if len(wire) > 96 else ""))
        if self.logf:
            self.logf.write("case %d %s.%s %s len %d: %s\n"
                            % (c["i"], st, c["kind"], what, len(wire), bytes(wire).hex()))

    def total(self):
        return sum(self.sent.values())

    # -- sessions -------------------------------------------------------------

    def new_session(self, digest=None, mrdsl=None, reuse_isid=None):
        digest = self.a.digest if digest is None else digest
        for attempt in range(6):
            try:
                c = Conn(self)
                if reuse_isid is None:
                    reuse_isid = self.sess_rng.random() < self.a.reinstate
                isid = self.last_isid if reuse_isid and self.last_isid else None
                c.login(digest=digest, mrdsl=mrdsl, isid=isid)
                self.last_isid = c.isid
                return c
            except (Dead, Timeout, LoginFailed, ProtoError) as e:
                self.note("normal login failed (retried): %s" % str(e)[:120])
                last = e
                time.sleep(0.05 * (attempt + 1) ** 2)
        raise TargetDown("cannot log in any more: %s" % last)

    def ffp_conn(self):
        c = self.conn
        if c is None or not c.alive():
            c = self.conn = self.new_session()
            c.max_cases = self.sess_rng.randrange(10, 120)
        return c

    def drop_conn(self, how="closed"):
        if self.conn is not None:
            self.conn.close(rst=self.sess_rng.random() < 0.3)
        self.conn = None

    def sync(self, c, kind):
        """After a case: ping; count how the connection ended."""
        if not c.alive():
            self.outcome("%s:closed" % kind)
            return False
        try:
            c.ping(timeout=self.a.ping_timeout)
            self.outcome("%s:alive" % kind)
            return True
        except Dead:
            self.outcome("%s:closed" % kind)
        except Timeout:
            self.outcome("%s:silent" % kind)
            self.timeouts += 1
        c.close()
        return False

    # -- health checks ----------------------------------------------------------

    def login_check(self, tag):
        """--login-only: a clean login must reach full feature phase."""
        c = self.new_session(digest=False, reuse_isid=False)
        c.close()
        return "login to full feature phase (%s)" % tag

    def preflight(self):
        if self.a.login_only:
            self.login_check("preflight")
            print("iscsi-fuzz: --login-only: no SCSI checks, no full feature phase cases")
            return
        c = self.new_session(digest=False, reuse_isid=False)
        c.scsi_good(bytes(6), what="TEST UNIT READY")
        cap = c.scsi_good(bytes([0x25]) + bytes(9), 8, what="READ CAPACITY(10)")
        self.nblocks = u32(cap, 0) + 1
        self.blksz = u32(cap, 4)
        if not 512 <= self.blksz <= 65536 or self.nblocks < 64:
            raise TargetDown("unusable LUN: %d blocks of %d bytes" % (self.nblocks, self.blksz))
        c.logout()
        print("iscsi-fuzz: LUN %d: %d blocks of %d bytes" % (self.a.lun, self.nblocks, self.blksz))

    def verify_io(self, nbytes, tag, digest=False):
        """Clean session; write a seeded pattern and read it back."""
        if self.a.login_only:
            return self.login_check(tag)
        r = random.Random("%d:verify:%s" % (self.seed, tag))
        c = self.new_session(digest=digest, reuse_isid=False)
        c.scsi_good(bytes(6), what="TEST UNIT READY")
        nblk = max(1, min(nbytes // self.blksz, self.nblocks // 2, 0xFFFF))
        lba = r.randrange(0, self.nblocks - nblk)
        pat = r.randbytes(nblk * self.blksz)
        c.scsi_good(cdb10(0x2A, lba, nblk), wdata=pat, what="WRITE(10)")
        back = c.scsi_good(cdb10(0x28, lba, nblk), read_len=len(pat), what="READ(10)")
        if back != pat:
            bad = next(i for i in range(len(pat)) if pat[i] != back[i])
            raise TargetDown("READ(10) returned different data at byte %d (LBA %d + %d)"
                             % (bad, lba, bad // self.blksz))
        c.ping(data=b"final-ping")
        rc = c.logout()
        if rc != 0:
            raise TargetDown("logout response %d" % rc)
        return "%d bytes at LBA %d" % (len(pat), lba)

    # -- main loop --------------------------------------------------------------

    def run(self):
        a = self.a
        t0 = self.t0 = time.monotonic()
        states = [("prelogin", a.w_prelogin), ("login", a.w_login), ("ffp", a.w_ffp)]
        names = [s for s, _ in states]
        weights = [w for _, w in states]
        i = a.first
        next_check = a.check_every
        cases = 0
        while self.total() < a.count:
            r = random.Random("%d:%d" % (self.seed, i))
            state = r.choices(names, weights)[0]
            self.case = {"i": i, "state": state, "kind": "?", "n": 0, "pdus": []}
            tc = time.monotonic()
            try:
                if state == "prelogin":
                    self.prelogin_case(r)
                elif state == "login":
                    self.login_case(r)
                else:
                    self.ffp_case(r)
            except (Dead, Timeout, ProtoError, LoginFailed) as e:
                # The case's connection ended in a way the case did not
                # handle: fine, the next one reconnects.
                self.outcome("%s.%s:%s" % (state, self.case["kind"], type(e).__name__.lower()))
                if self.conn is not None and not self.conn.alive():
                    self.conn = None
            self.recent.append(self.case)
            self.ktime["%s.%s" % (state, self.case["kind"])] += time.monotonic() - tc
            if a.verbose:
                print("case %d %s.%s: %d PDUs, %.3fs, %s" % (i, state, self.case["kind"], self.case["n"],
                                                         time.monotonic() - tc,
                                                         " ".join(self.case.get("ends", []))))
            i += 1
            cases += 1
            self.ncases = cases
            if a.check_every and cases >= next_check:
                next_check += a.check_every
                self.health("after case %d" % (i - 1))
            if a.progress and cases % a.progress == 0:
                print("iscsi-fuzz: %d cases, %d malformed PDUs, %.0fs"
                      % (cases, self.total(), time.monotonic() - t0), flush=True)
            if a.max_time and time.monotonic() - t0 > a.max_time:
                self.note("stopped by --max-time")
                break
        self.drop_conn()
        self.case = None
        self.cases = cases
        self.elapsed = time.monotonic() - t0

    def health(self, when):
        self.drop_conn()
        try:
            self.verify_io(16384, when)
        except (Dead, Timeout, ProtoError, LoginFailed) as e:
            raise TargetDown("health check %s: %s" % (when, e)) from e

    # =====================================================================
    # prelogin: a fresh TCP connection, nothing valid sent before

    def prelogin_case(self, r):
        kind = r.choices(["garbage", "truncated", "wrong_opcode", "bitflip",
                          "huge_dsl", "ahs", "version"],
                         [20, 15, 20, 20, 8, 8, 9])[0]
        self.case["kind"] = kind
        if "prelogin." + kind in self.a.exclude:
            return
        c = Conn(self)
        wait = False
        if kind == "garbage":
            n = r.choice([r.randrange(1, 48), 48, r.randrange(49, 600), r.randrange(600, 9000)])
            w = bytearray(r.randbytes(n))
            if r.random() < 0.5:
                w[0] = r.choice([0x43, 0x03, 0x01, 0x00, 0x3F])
            if n >= 8 and r.random() < 0.5:
                # a complete PDU of garbage: consistent lengths and padding
                w[4] = 0
                w[5:8] = (max(0, n - 48) & 0xFFFFFF).to_bytes(3, "big")
                w += bytes(pad4(len(w)))
                wait = n >= 48
            c.send_raw(w)
        elif kind == "truncated":
            full = c.build(self.login_pdu(c, r), data=keys_text(c.first_keys()))
            w = full[:r.randrange(1, 48)]
            c.send_raw(w)
        elif kind == "wrong_opcode":
            op = r.choice([x for x in range(64) if x != OP_LOGIN])
            h = bhs(op | (IMM if r.random() < 0.5 else 0), r.randrange(256),
                    r.randrange(256), r.randrange(256), lun=r.randbytes(8),
                    itt=r.randrange(1 << 32), f20=r.randrange(1 << 32), f24=r.randrange(1 << 32),
                    f28=r.randrange(1 << 32), f32=r.randrange(1 << 32), f36=r.randrange(1 << 32))
            if op == OP_SCSI_CMD:
                h[32:48] = bytes([r.choice(SAFE_CDB)]) + r.randbytes(15)
            data = r.randbytes(r.choice([0, 0, r.randrange(1, 300)]))
            w = c.send(h, data=data)
            wait = True
        elif kind == "bitflip":
            h = self.login_pdu(c, r)
            data = bytearray(keys_text(c.first_keys() + [("AuthMethod", "None")]))
            w = bytearray(c.build(h, data=data))
            for _ in range(r.randrange(1, 9)):
                pos = r.randrange(len(w)) if r.random() < 0.5 else r.randrange(48)
                if pos in (4, 5, 6, 7):
                    continue    # keep the lengths consistent: tested elsewhere
                w[pos] ^= 1 << r.randrange(8)
            c.send_raw(w)
            wait = True
        elif kind == "huge_dsl":
            h = self.login_pdu(c, r)
            dsl = r.choice([LOGIN_MAX_DSL + 1, 65536, 1 << 20, 0xFFFFFF, r.randrange(8193, 0xFFFFFF)])
            data = keys_text(c.first_keys())
            data += b"X" * min(dsl - len(data), r.choice([0, 100, 9000, 70000]))
            w = c.build(h, data=data[:dsl], dsl=dsl)
            c.send_raw(w)
            wait = dsl == len(data)
        elif kind == "ahs":
            h = self.login_pdu(c, r)
            words = r.randrange(1, 256)
            ahs = r.randbytes(words * 4)
            if r.random() < 0.5:
                struct.pack_into(">HB", ahs := bytearray(ahs), 0, r.randrange(0x10000), r.randrange(256))
            w = c.build(h, ahs=bytes(ahs), data=keys_text(c.first_keys()), ahs_words=words)
            c.send_raw(w)
            wait = True
        else:   # version
            h = self.login_pdu(c, r)
            h[2], h[3] = r.choice([(0, 1), (1, 0), (0xFF, 0xFF), (0, 0xFF),
                                   (r.randrange(256), r.randrange(256))])
            w = c.send(h, data=keys_text(c.first_keys() + [("AuthMethod", "None")]))
            wait = True
        self.bad(w, kind)
        self.finish_raw(c, r, wait, kind)

    def login_pdu(self, c, r):
        c.login_itt = c.next_itt()
        c.login_cmdsn = r.randrange(1 << 32)
        t = r.random() < 0.7
        return c.login_hdr(t, False, 0, 1)

    def finish_raw(self, c, r, wait, kind):
        """End a prelogin/login case: read the answer, close."""
        if wait and c.alive():
            try:
                p = c.recv(timeout=self.a.prelogin_wait)
                if p.op != OP_LOGIN_RSP:
                    self.outcome("%s:answer-%s" % (kind, TGT_OPS.get(p.op, "?")))
                elif p.hdr[36]:
                    self.outcome("%s:login-reject" % kind)
                else:
                    self.outcome("%s:login-goes-on" % kind)
            except Dead:
                self.outcome("%s:closed" % kind)
            except Timeout:
                self.outcome("%s:open" % kind)
        c.close(rst=r.random() < 0.3)

    # =====================================================================
    # login: malformed Login (and Text, in discovery) PDUs

    LOGIN_KINDS = {
        "badkeys": 12, "badvalues": 16, "dupkeys": 6, "transition": 10,
        "version": 4, "isid_tsih": 8, "oversize": 5, "continuation": 8,
        "chap": 8, "nonul": 5, "missing": 5, "nonlogin_op": 5, "bitflip": 6,
        "drop": 4, "discovery": 8,
    }

    def login_case(self, r):
        kinds = list(self.LOGIN_KINDS)
        kind = r.choices(kinds, [self.LOGIN_KINDS[k] for k in kinds])[0]
        self.case["kind"] = kind
        if "login." + kind in self.a.exclude:
            return
        if kind == "discovery":
            return self.discovery_case(r)
        c = Conn(self)
        c.login_itt = c.next_itt()
        c.login_cmdsn = r.randrange(1 << 32)
        if r.random() < 0.2 and self.last_isid:
            c.isid = self.last_isid
        # Where in the login the malformed PDU goes.
        where = r.choice(["sec_first", "sec_first", "sec_mid", "op_first", "op_first", "op_mid"])
        if kind == "chap":
            where = "chap"
        first = c.first_keys()
        csg = 0
        try:
            if where == "sec_mid":
                c.login_step(False, 0, 0, first + [("AuthMethod", "CHAP,None" if self.chap else "None")])
                first = []
            elif where in ("op_first", "op_mid"):
                if self.chap or r.random() < 0.6:
                    c.security(first, self.chap)
                    first = []
                csg = 1
                if where == "op_mid":
                    c.login_step(False, 1, 0, first + c.op_keys(False, 8192)[:r.randrange(1, 8)])
                    first = []
            elif where == "chap":
                c.login_step(False, 0, 0, first + [("AuthMethod", "CHAP")])
                first = []
        except (LoginFailed, ProtoError) as e:
            self.note("login prefix failed: %s" % str(e)[:100])
            c.close()
            return
        ctx = {"csg": csg, "first": first, "where": where}
        getattr(self, "login_" + kind)(r, c, ctx)
        self.login_tail(r, c, kind)

    def lsend(self, c, r, ctx, pairs=None, data=None, t=None, cc=False, csg=None,
              nsg=None, what=None, **kw):
        """Send one (malformed) login PDU in the current stage."""
        csg = ctx["csg"] if csg is None else csg
        if nsg is None:
            nsg = 1 if csg == 0 else 3
        if t is None:
            t = r.random() < 0.6
        if data is None:
            data = keys_text(ctx["first"] + (pairs or []))
        ctx["first"] = []
        h = c.login_hdr(t, cc, csg, nsg)
        if t and cc:
            h[1] |= 0xC0
        w = c.build(h, data=data, **kw)
        c.send_raw(w)
        self.bad(w, what or self.case["kind"])
        return w

    def login_tail(self, r, c, kind):
        """Read the target's answer; if it goes on, try to finish the login
        and use the session briefly (exercising accepted oddities)."""
        if not c.alive():
            return
        try:
            p = c.wait(lambda q: True, self.a.open_wait)
        except Dead:
            self.outcome("login.%s:closed" % kind)
            return
        except Timeout:
            self.outcome("login.%s:open" % kind)
            c.close(rst=r.random() < 0.3)
            return
        if p.op != OP_LOGIN_RSP or p.hdr[36]:
            self.outcome("login.%s:rejected" % kind)
            c.close()
            return
        self.outcome("login.%s:accepted" % kind)
        if r.random() < 0.5:
            c.close(rst=r.random() < 0.5)
            return
        # Try to complete the login from wherever the target is; the keys
        # of every response count (digests may be settled early).
        got = parse_keys(p.data)
        try:
            for _ in range(6):
                fl = p.hdr[1]
                if fl & 0x80 and fl & 3 == 3:
                    break
                csg = fl & 3 if fl & 0x80 else (fl >> 2) & 3
                if csg == 0:
                    c.send(c.login_hdr(True, False, 0, 1), data=keys_text([("AuthMethod", "None")]))
                else:
                    c.send(c.login_hdr(True, False, 1, 3),
                           data=keys_text(c.op_keys(False, self.a.mrdsl)))
                p = c.login_rsp(self.a.resp_timeout)
                got.update(parse_keys(p.data))
            else:
                c.close()
                return
            c.finish_login(p, got, False, self.a.mrdsl)
            self.outcome("login.%s:reached-ffp" % kind)
            c.ping(data=r.randbytes(r.randrange(0, 600)), timeout=self.a.ping_timeout)
            if r.random() < 0.5 and self.nblocks > 64:
                c.scsi(cdb10(0x28, r.randrange(self.nblocks - 64), 8), read_len=8 * self.blksz,
                       timeout=self.a.resp_timeout)
            c.logout(timeout=self.a.resp_timeout)
        except Timeout:
            self.outcome("login.%s:ffp-silent" % kind)
            c.close()
        except (LoginFailed, ProtoError, Dead):
            c.close()

    # -- individual login mutations ----------------------------------------

    def login_badkeys(self, r, c, ctx):
        v = r.randrange(12)
        junk = [
            b"NoEqualsSign\0",
            b"=ValueWithoutKey\0",
            b"EmptyValue=\0",
            (b"K" * r.choice([64, 65, 255, 256, 4000])) + b"=1\0",
            b"X-long.value=" + b"v" * r.choice([255, 256, 4096, 8100]) + b"\0",
            r.randbytes(r.randrange(1, 2000)),
            "Ünïcödé=välüé\0".encode(),
            b"Ke\0y=val\0",
            b"\0" * r.randrange(1, 4000),
            b"".join(b"k%d=%d\0" % (i, i) for i in range(r.randrange(100, 900))),
            b"MaxRecvDataSegmentLength==8192\0===\0",
            b"X-com.vendor.weird=\xff\xfe\0HeaderDigest=\xff\0",
        ][v]
        base = keys_text(ctx["first"]) if r.random() < 0.7 else b""
        data = base + junk if r.random() < 0.5 else junk + base
        self.lsend(c, r, ctx, data=data[:LOGIN_MAX_DSL])

    BAD_VALUES = [
        ("MaxRecvDataSegmentLength", ["0", "1", "511", "16777216", "4294967296",
                                      "99999999999999999999999", "-1", "0x", "0xFFFFFFFFFFFF",
                                      "8192,512", "abc", "", "0b", "1e9", " 8192", "08192"]),
        ("MaxBurstLength", ["0", "511", "16777216", "-5", "x", "1,2"]),
        ("FirstBurstLength", ["0", "16777216", "4294967295", "262145"]),
        ("MaxOutstandingR2T", ["0", "65536", "4294967295", "-1"]),
        ("MaxConnections", ["0", "65536", "2", "-1"]),
        ("ErrorRecoveryLevel", ["1", "2", "3", "255", "-1"]),
        ("DefaultTime2Wait", ["3601", "-1", "99999999999"]),
        ("DefaultTime2Retain", ["3601", "4294967296"]),
        ("HeaderDigest", ["CRC32C,MD5", "xyz", "", ",", "None," * 500, "CRC32C,CRC32C,CRC32C"]),
        ("DataDigest", ["crc32c", "CRC32", "None,,None"]),
        ("InitialR2T", ["Maybe", "", "yes", "Yes,No", "1"]),
        ("ImmediateData", ["No,Yes", "2"]),
        ("DataPDUInOrder", ["No"]), ("DataSequenceInOrder", ["No"]),
        ("IFMarker", ["Yes"]), ("OFMarker", ["Yes"]),
        ("OFMarkInt", ["1~65535", "0~0", "5", "x~y"]), ("IFMarkInt", ["2048~1024"]),
        ("SessionType", ["Bogus", "", "discovery", "Normal,Discovery"]),
        ("AuthMethod", ["SRP,KRB5,SPKM1,SPKM2", "", "None,None,None", "CHAP" * 100, "Reject"]),
        ("TargetName", ["iqn.nonexistent:x", "", "a" * 300, "iqn.\xff"]),
        ("InitiatorName", ["", "x" * 300, "bad name with spaces"]),
        ("TaskReporting", ["FastAbort", "ResponseFence", "zz"]),
        ("iSCSIProtocolLevel", ["1", "2", "99", "-1"]),
        ("RDMAExtensions", ["Yes"]), ("iSERHelloRequired", ["Yes"]),
        ("X-com.example.fuzz", ["1"]), ("X#com.example.fuzz", ["1"]),
        ("SendTargets", ["All"]), ("TargetAddress", ["1.2.3.4:3260,1"]),
        ("TargetPortalGroupTag", ["1", "65536"]), ("TargetAlias", ["x"]),
        ("CHAP_A", ["5"]), ("NotUnderstood", ["NotUnderstood"]),
    ]

    def login_badvalues(self, r, c, ctx):
        pairs = []
        for _ in range(r.randrange(1, 5)):
            k, vals = r.choice(self.BAD_VALUES)
            pairs.append((k, r.choice(vals)))
        if ctx["csg"] == 1 or r.random() < 0.5:
            good = c.op_keys(r.random() < 0.3, 8192)
            r.shuffle(good)
            pairs = good[:r.randrange(0, len(good))] + pairs
        self.lsend(c, r, ctx, pairs, csg=1 if r.random() < 0.5 else ctx["csg"])

    def login_dupkeys(self, r, c, ctx):
        first = ctx["first"] or c.first_keys()
        ctx["first"] = []
        k = r.choice(first + c.op_keys(False, 8192))
        pairs = list(first) + [k, (k[0], r.choice(["1", "512", "No", "Yes", "None", "CRC32C", "x"]))]
        if r.random() < 0.5:
            pairs += [k] * r.randrange(2, 50)
        self.lsend(c, r, ctx, pairs, csg=1 if r.random() < 0.5 else ctx["csg"])

    def login_transition(self, r, c, ctx):
        combos = [(True, 0, 0), (True, 0, 2), (True, 1, 0), (True, 1, 1), (True, 1, 2),
                  (True, 2, 3), (True, 3, 3), (False, 3, 0), (False, 2, 0),
                  (True, 0, 3), (True, 3, 0), (True, 2, 1)]
        t, csg, nsg = r.choice(combos)
        pairs = c.op_keys(False, 8192) if r.random() < 0.5 else []
        h = c.login_hdr(t, False, csg, nsg)
        if r.random() < 0.2:
            h[1] |= 0x30    # reserved bits
        data = keys_text(ctx["first"] + pairs)
        ctx["first"] = []
        w = c.send(h, data=data)
        self.bad(w, "stage %d->%d T=%d" % (csg, nsg, t))
        # Sometimes follow with a PDU that goes back to an earlier stage.
        if r.random() < 0.3 and c.alive():
            try:
                c.wait(lambda q: True, self.a.open_wait)
                w = c.send(c.login_hdr(True, False, 0, 1), data=keys_text([("AuthMethod", "None")]))
                self.bad(w, "back to security")
            except (Timeout, Dead):
                pass

    def login_version(self, r, c, ctx):
        h = c.login_hdr(r.random() < 0.6, False, ctx["csg"], 1 if ctx["csg"] == 0 else 3)
        h[2], h[3] = r.choice([(0, 1), (1, 0), (0xFF, 0xFF), (0, 0xFF), (2, 1),
                               (r.randrange(256), r.randrange(256))])
        w = c.send(h, data=keys_text(ctx["first"] + ([("AuthMethod", "None")] if ctx["csg"] == 0 else [])))
        ctx["first"] = []
        self.bad(w, "version %d/%d" % (h[2], h[3]))

    def login_isid_tsih(self, r, c, ctx):
        v = r.randrange(8)
        h = c.login_hdr(r.random() < 0.6, False, ctx["csg"], 1 if ctx["csg"] == 0 else 3)
        if v == 0:
            put16(h, 14, r.randrange(1, 0x10000))        # unknown TSIH
        elif v == 1:
            h[8:14] = r.randbytes(6)                      # ISID changes mid-login
        elif v == 2:
            h[8] = r.choice([0xC0, 0xE0, 0x3F, 0xFF])     # reserved ISID type
        elif v == 3:
            put32(h, 16, r.randrange(1 << 32))            # ITT changes
        elif v == 4:
            put16(h, 20, r.randrange(1, 0x10000))         # other CID
        elif v == 5:
            put32(h, 24, r.randrange(1 << 32))            # CmdSN jumps
        elif v == 6:
            put32(h, 28, r.randrange(1 << 32))            # ExpStatSN garbage
        else:
            h[8:14] = bytes(6)                            # zero ISID + TSIH of a live session?
            put16(h, 14, self.conn.tsih if self.conn and self.conn.alive() else r.randrange(1, 0x10000))
        pairs = [("AuthMethod", "None")] if ctx["csg"] == 0 else c.op_keys(False, 8192)
        w = c.send(h, data=keys_text(ctx["first"] + pairs))
        ctx["first"] = []
        self.bad(w, "isid/tsih variant %d" % v)

    def login_oversize(self, r, c, ctx):
        n = r.choice([LOGIN_MAX_DSL + 1, LOGIN_MAX_DSL + 4, 16384, 65536, r.randrange(8193, 300000)])
        base = keys_text(ctx["first"] + [("AuthMethod", "None")])
        data = base + b"X-com.example.pad=" + b"p" * max(0, n - len(base) - 19) + b"\0"
        ctx["first"] = []
        if r.random() < 0.3:
            # Claim more than we send, then close mid-data.
            w = c.build(c.login_hdr(True, False, ctx["csg"], 1), data=data[:r.randrange(len(data))],
                        dsl=len(data))
            c.send_raw(w)
            self.bad(w, "oversize %d, cut" % len(data))
            c.close(rst=r.random() < 0.5)
            return
        self.lsend(c, r, ctx, data=data, what="oversize %d" % len(data))

    def login_continuation(self, r, c, ctx):
        v = r.randrange(6)
        body = keys_text(ctx["first"] + [("AuthMethod", "None")] if ctx["csg"] == 0
                         else ctx["first"] + c.op_keys(False, 8192))
        ctx["first"] = []
        if v == 0:      # C and T together
            h = c.login_hdr(True, True, ctx["csg"], 1)
            w = c.send(h, data=body)
            self.bad(w, "C+T")
            return
        if v == 1:      # a key split across PDUs (valid), then a stage switch mid-text
            cut = r.randrange(1, len(body))
            w = c.send(c.login_hdr(False, True, ctx["csg"], 0), data=body[:cut])
            self.bad(w, "C split")
            try:
                c.wait(lambda q: True, self.a.open_wait)
            except Timeout:
                return
            h = c.login_hdr(True, False, (ctx["csg"] + 1) % 4, 3)
            w = c.send(h, data=body[cut:])
            self.bad(w, "C then other CSG")
            return
        # a chain of continued PDUs
        n = r.choice([2, 3, 5, 8, 8, 40]) if v != 5 else r.randrange(2, 6)
        chunk = r.choice([1, 100, 4096, 8192])
        big = b"X-com.example.long=" + b"c" * (n * chunk)
        for i in range(n):
            piece = big[i * chunk:(i + 1) * chunk]
            h = c.login_hdr(False, True, ctx["csg"], 0)
            if v == 3 and i == n // 2:
                put32(h, 16, r.randrange(1 << 32))    # ITT changes mid-chain
            if v == 4 and i == n // 2:
                h[1] = (h[1] & ~0x0C) | (((ctx["csg"] + 1) % 4) << 2)
            w = c.send(h, data=piece)
            self.bad(w, "chain %d/%d" % (i + 1, n))
            if i == n - 1:
                break       # login_tail reads the last answer
            try:
                p = c.wait(lambda q: True, self.a.open_wait)
            except Timeout:
                return
            if p.op != OP_LOGIN_RSP or p.hdr[36]:
                return
        if v == 5:
            c.close(rst=True)       # continuation never completed

    def login_chap(self, r, c, ctx):
        """Malformed CHAP exchange (the target may or may not use CHAP)."""
        chal = b""
        ident = 0
        if r.random() < 0.7:
            try:
                rsp = c.login_step(False, 0, 0, [("CHAP_A", r.choice(["5", "5", "7,5", "99,5"]))])
                k = parse_keys(rsp.data)
                if "CHAP_C" in k:
                    chal = decode_chap_bin(k["CHAP_C"])
                    ident = int(k.get("CHAP_I", "0"), 0)
            except (LoginFailed, ProtoError, ValueError):
                c.close()
                return
        user, secret = self.chap or ("fuzzuser", "fuzzsecret12")
        good = hashlib.md5(bytes([ident & 0xFF]) + secret.encode() + chal).hexdigest()
        v = r.randrange(14)
        pairs = [
            [("CHAP_A", r.choice(["", "0", "6,7", ",".join(["9"] * 1000)[:4000], "x"]))],
            [("CHAP_N", user), ("CHAP_R", "0x" + "00" * 16)],
            [("CHAP_N", user), ("CHAP_R", "0x" + good[:r.randrange(0, 32)])],
            [("CHAP_N", user), ("CHAP_R", "0x" + "ab" * r.choice([17, 255, 1024, 4000]))],
            [("CHAP_N", user), ("CHAP_R", "0x" + good[:-1])],
            [("CHAP_N", user), ("CHAP_R", "0xZZ" + good[2:])],
            [("CHAP_N", user), ("CHAP_R", "0b" + "AAAA" * r.randrange(1, 100))],
            [("CHAP_N", user), ("CHAP_R", "1234567890" * 4)],
            [("CHAP_N", "u" * r.choice([255, 256, 300, 4000])), ("CHAP_R", "0x" + good)],
            [("CHAP_N", ""), ("CHAP_R", "0x" + good)],
            [("CHAP_R", "0x" + good)],
            [("CHAP_N", user), ("CHAP_R", "0x" + good), ("CHAP_I", r.choice(["256", "-1", "x", "1"])),
             ("CHAP_C", r.choice(["0x", "0x00", "0x" + chal.hex(), "0x" + "11" * 1024]))],
            [("CHAP_N", user), ("CHAP_R", "0x" + good), ("CHAP_R", "0x" + good)],
            [("CHAP_N", user), ("CHAP_R", "0x" + good), ("CHAP_A", "5")],
        ][v]
        self.lsend(c, r, ctx, pairs, t=r.random() < 0.8, csg=0, nsg=1, what="chap variant %d" % v)

    def login_nonul(self, r, c, ctx):
        body = keys_text(ctx["first"] + ([("AuthMethod", "None")] if ctx["csg"] == 0
                                         else c.op_keys(False, 8192)))
        ctx["first"] = []
        v = r.randrange(3)
        if v == 0:
            data = body[:-1]
        elif v == 1:
            data = body[:-1] + b"=" * r.randrange(1, 5)
        else:
            data = body.replace(b"\0", b"\n", r.randrange(1, 4))
        self.lsend(c, r, ctx, data=data, what="no NUL %d" % v)

    def login_missing(self, r, c, ctx):
        v = r.randrange(5)
        pairs = [
            [("SessionType", "Normal"), ("TargetName", self.a.target)],
            [("InitiatorName", self.a.initiator), ("SessionType", "Normal")],
            [("InitiatorName", self.a.initiator), ("SessionType", "Discovery"),
             ("TargetName", self.a.target)],
            [],
            [("TargetName", self.a.target)],
        ][v]
        ctx["first"] = []
        self.lsend(c, r, ctx, pairs + ([("AuthMethod", "None")] if r.random() < 0.5 else []),
                   csg=r.choice([0, 1]), what="missing keys %d" % v)

    def login_nonlogin_op(self, r, c, ctx):
        op = r.choice([OP_NOP_OUT, OP_SCSI_CMD, OP_TMF, OP_TEXT, OP_DATA_OUT, OP_LOGOUT,
                       OP_SNACK, OP_LOGIN_RSP, OP_REJECT, r.randrange(64)])
        h = bhs(op | (IMM if r.random() < 0.6 else 0), r.randrange(256),
                itt=c.login_itt, f24=c.login_cmdsn, f28=c.exp_statsn)
        if op == OP_SCSI_CMD:
            h[32:48] = cdb10(0x28, 0, 1) + bytes(6)
            put32(h, 20, self.blksz)
        data = keys_text([("SendTargets", "All")]) if op == OP_TEXT else r.randbytes(r.choice([0, 17]))
        w = c.send(h, data=data)
        self.bad(w, "opcode 0x%02x during login" % op)
        if r.random() < 0.4:    # the login PDU without the immediate bit
            h = c.login_hdr(True, False, ctx["csg"], 1 if ctx["csg"] == 0 else 3)
            h[0] = OP_LOGIN
            w = c.send(h, data=keys_text(ctx["first"] + [("AuthMethod", "None")]))
            ctx["first"] = []
            self.bad(w, "login without I bit")

    def login_bitflip(self, r, c, ctx):
        h = c.login_hdr(r.random() < 0.6, False, ctx["csg"], 1 if ctx["csg"] == 0 else 3)
        data = bytearray(keys_text(ctx["first"] + ([("AuthMethod", "None")] if ctx["csg"] == 0
                                                   else c.op_keys(False, 8192))))
        ctx["first"] = []
        w = bytearray(c.build(h, data=data))
        for _ in range(r.randrange(1, 12)):
            pos = r.randrange(len(w))
            if pos in (4, 5, 6, 7):
                continue
            w[pos] ^= 1 << r.randrange(8)
        c.send_raw(w)
        self.bad(w, "bitflip")

    def login_drop(self, r, c, ctx):
        h = c.login_hdr(True, False, ctx["csg"], 1 if ctx["csg"] == 0 else 3)
        w = c.build(h, data=keys_text(ctx["first"] + c.op_keys(False, 8192)))
        cut = r.randrange(1, len(w))
        c.send_raw(w[:cut])
        self.bad(w[:cut], "login PDU cut at %d/%d" % (cut, len(w)))
        if r.random() < 0.3:
            time.sleep(0.01)
        c.close(rst=r.random() < 0.5)

    # -- discovery sessions --------------------------------------------------

    def discovery_case(self, r):
        c = Conn(self)
        try:
            c.login(discovery=True, chap=None if r.random() < 0.5 else self.chap)
        except (LoginFailed, ProtoError) as e:
            self.note("discovery login failed: %s" % str(e)[:100])
            c.close()
            return
        for _ in range(r.randrange(1, 5)):
            if not c.alive():
                break
            self.text_mutation(r, c, "discovery")
            if not self.sync(c, "login.discovery"):
                break
        c.close(rst=r.random() < 0.3)

    def text_mutation(self, r, c, what):
        v = r.randrange(10)
        flags = F_BIT
        ttt = RSVD_TTT
        data = keys_text([("SendTargets", "All")])
        if v == 0:
            data = keys_text([("SendTargets", r.choice(["", "iqn.none:x", self.a.target, "a" * 300]))])
        elif v == 1:
            flags = 0x40        # C bit: more to come, never comes
            data = b"SendTar"
        elif v == 2:
            flags = 0xC0        # F and C
        elif v == 3:
            ttt = r.randrange(1 << 32)
        elif v == 4:
            data = r.randbytes(r.randrange(1, 3000))
        elif v == 5:
            data = keys_text([(r.choice(["MaxRecvDataSegmentLength", "HeaderDigest", "InitialR2T",
                                         "MaxBurstLength", "X-com.example.k", "TargetAlias"]),
                               r.choice(["512", "CRC32C", "No", "0", "x" * 500]))])
        elif v == 6:
            data = keys_text([("SendTargets", "All")] * r.randrange(2, 200))
        elif v == 7:
            data = data[:-1]
        elif v == 8:
            flags = r.randrange(256)
        h = bhs(OP_TEXT | (IMM if r.random() < 0.3 else 0), flags, lun=bytes(8),
                itt=c.next_itt() if r.random() < 0.9 else RSVD_TTT, f20=ttt,
                f24=c.cmdsn, f28=c.exp_statsn)
        if not h[0] & IMM:
            c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF
        w = c.send(h, data=data[:max(c.tgt_mrdsl, 1)] if v != 9 else data + b"\0" * c.tgt_mrdsl)
        self.bad(w, "text variant %d" % v)
        if v in (5, 9):
            c.dirty = True

    # =====================================================================
    # full feature phase

    FFP_KINDS = {
        "any_opcode": 14, "reserved": 5, "bad_ahs": 8, "dsl_mismatch": 4,
        "cmdsn": 6, "dataout_unknown": 6, "dataout_write": 10, "r2t": 7,
        "scsi_weird": 10, "tmf": 7, "tmf_reset": 1, "nop": 6, "text": 4, "snack": 3,
        "logout": 3, "login_ffp": 2, "digest": 6, "drop": 5, "flood": 1,
        "dup_itt": 2,
    }

    def ffp_case(self, r):
        kinds = [k for k in self.FFP_KINDS if k != "digest" or self.a.digest]
        kind = r.choices(kinds, [self.FFP_KINDS[k] for k in kinds])[0]
        self.case["kind"] = kind
        if "ffp." + kind in self.a.exclude:
            return
        c = self.ffp_conn()
        if kind == "digest" and not (c.hd or c.dd):
            kind = self.case["kind"] = "nop"
        end = getattr(self, "ffp_" + kind)(r, c)
        c.cases += 1
        if end == "terminal":
            self.outcome("ffp.%s:dropped-by-us" % kind)
            c.close(rst=r.random() < 0.4)
            self.conn = None
            return
        alive = self.sync(c, "ffp." + kind)
        if not alive or c.dirty or c.abandoned > 6 or c.cases >= c.max_cases:
            self.retire(r, c)

    def retire(self, r, c):
        if c.alive():
            try:
                if r.random() < 0.5:
                    c.logout(timeout=self.a.resp_timeout)
            except (Dead, Timeout, ProtoError):
                pass
            c.close(rst=r.random() < 0.2)
        if self.conn is c:
            self.conn = None

    def rnd_lba(self, r, nblk=1):
        return r.randrange(0, max(1, self.nblocks - nblk))

    def rnd_lun(self, r):
        v = r.random()
        if v < 0.6:
            return lun_bytes(self.a.lun)
        if v < 0.8:
            return lun_bytes(r.randrange(0, 16384))
        return r.randbytes(8)

    def safe_cdb(self, r):
        if r.random() < 0.5:
            return cdb10(r.choice([0x28, 0x2A, 0x2F, 0x35]), self.rnd_lba(r, 8), r.randrange(0, 9)) + bytes(6)
        op = r.choice(SAFE_CDB) if r.random() < 0.7 else r.randrange(256)
        if op in UNSAFE_CDB:
            op = 0x00
        return bytes([op]) + r.randbytes(15)

    def ffp_any_opcode(self, r, c):
        op = r.randrange(64)
        h = bhs(op | (IMM if r.random() < 0.5 else 0), r.randrange(256),
                r.randrange(256) if r.random() < 0.5 else 0,
                r.randrange(256) if r.random() < 0.5 else 0, lun=self.rnd_lun(r),
                itt=r.choice([c.next_itt(), RSVD_TTT, r.randrange(1 << 32)]),
                f20=r.choice([RSVD_TTT, 0, r.randrange(1 << 32), r.randrange(1 << 16)]),
                f24=c.cmdsn if r.random() < 0.8 else r.randrange(1 << 32),
                f28=c.exp_statsn if r.random() < 0.8 else r.randrange(1 << 32),
                f32=r.randrange(1 << 32) if r.random() < 0.5 else 0,
                f36=r.randrange(1 << 32) if r.random() < 0.5 else 0,
                f40=r.randrange(1 << 32) if r.random() < 0.3 else 0,
                f44=r.randrange(1 << 32) if r.random() < 0.3 else 0)
        if op == OP_SCSI_CMD:
            h[32:48] = self.safe_cdb(r)
            h[1] &= ~0x20 if r.random() < 0.7 else 0xFF   # mostly no W bit
            put32(h, 20, r.choice([0, 512, 4096, r.randrange(1 << 20)]))
        if op == OP_TMF and h[1] & 0x7F in (6, 7):
            h[1] = (h[1] & 0x80) | 1    # target resets are tested in ffp_tmf
        if op == OP_LOGOUT:
            c.dirty = True
        n = r.choice([0, 0, 0, r.randrange(1, 64), r.randrange(64, max(65, min(c.tgt_mrdsl, 8192)))])
        w = c.send(h, data=r.randbytes(n))
        self.bad(w, "opcode 0x%02x flags 0x%02x" % (op, h[1]))
        if op in (OP_SCSI_CMD, OP_DATA_OUT, OP_TEXT):
            c.abandoned += 1

    def ffp_reserved(self, r, c):
        v = r.randrange(4)
        if v == 0:
            h = c.scsi_hdr(bytes(6), F_BIT | 1, 0, imm=True)
            h[2:4] = r.randbytes(2)
            h[1] |= r.choice([0x08, 0x10, 0x18])
        elif v == 1:
            h = bhs(OP_NOP_OUT | IMM, F_BIT | r.randrange(1, 128), r.randrange(256), r.randrange(256),
                    itt=c.next_itt(), f20=RSVD_TTT, f24=c.cmdsn, f28=c.exp_statsn,
                    f32=r.randrange(1 << 32), f44=r.randrange(1 << 32))
        elif v == 2:
            h = bhs(OP_TMF | IMM, F_BIT | 1, r.randrange(1, 256), r.randrange(1, 256), itt=c.next_itt(),
                    f20=r.randrange(1 << 32), f24=c.cmdsn, f28=c.exp_statsn, f40=r.randrange(1 << 32))
        else:
            h = bhs(OP_LOGOUT | IMM, F_BIT | 1, r.randrange(256), r.randrange(256), lun=r.randbytes(8),
                    itt=c.next_itt(), f20=(c.cid << 16) | r.randrange(1, 0x10000), f24=c.cmdsn,
                    f28=c.exp_statsn, f32=r.randrange(1 << 32))
            h[1] = F_BIT | 1    # close connection: reason 1, our CID; the rest is reserved
            c.dirty = True
        w = c.send(h)
        self.bad(w, "reserved fields variant %d" % v)

    def ffp_bad_ahs(self, r, c):
        v = r.randrange(7)
        nblk = r.randrange(1, 9)
        h = c.scsi_hdr(cdb10(0x28, self.rnd_lba(r, nblk), nblk), F_BIT | 0x40 | 1, nblk * self.blksz)
        words = None
        if v == 0:
            ahs = r.randbytes(4 * r.randrange(1, 256))
        elif v == 1:
            ln = r.randrange(0x10000)
            ahs = struct.pack(">HBB", ln, r.choice([0, 3, 4, 0x3F, 0x40, 0x7F, 0xFF]), 0)
            ahs += r.randbytes(4 * r.randrange(0, 8))
        elif v == 2:    # extended CDB
            extra = r.randrange(0, 1017)
            ln = r.choice([extra + 1, extra + 1, 0, 1, 0xFFFF, extra + 100])
            ahs = struct.pack(">HBB", ln, 1, 0) + bytes([r.choice(SAFE_CDB)]) + r.randbytes(extra)
            if r.random() < 0.5:
                h[32] = 0x7F    # variable-length CDB
        elif v == 3:    # bidi read length
            ln = r.choice([5, 5, 4, 1, 8, 0, 0xFFFF])
            ahs = struct.pack(">HBBI", ln, 2, 0, r.choice([0, 512, 1 << 20, 0xFFFFFFFF]))
            h[1] |= 0x20
        elif v == 4:    # several AHSs, total length word count wrong by a little
            ahs = struct.pack(">HBBI", 5, 2, 0, 4096) + struct.pack(">HBB", 9, 1, 0) + bytes(12)
            words = (len(ahs) + 3) // 4 + r.choice([-1, 1]) if r.random() < 0.3 else None
        elif v == 5:    # an AHS on a NOP-Out / Data-Out / TMF
            h = bhs(r.choice([OP_NOP_OUT | IMM, OP_TMF | IMM, OP_DATA_OUT]), F_BIT,
                    itt=c.next_itt(), f20=RSVD_TTT, f24=c.cmdsn, f28=c.exp_statsn)
            ahs = struct.pack(">HBB", 1, 1, 0)
        else:
            ahs = bytes(4 * r.randrange(1, 256))
        if h[0] & 0x3F == OP_SCSI_CMD:
            c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF
        w = c.send(h, ahs=ahs, ahs_words=words)
        self.bad(w, "AHS variant %d, %d bytes" % (v, len(ahs)))
        if words is not None:
            return "terminal"     # the stream is out of step now
        return None

    def ffp_dsl_mismatch(self, r, c):
        v = r.randrange(3)
        data = r.randbytes(r.randrange(1, min(c.tgt_mrdsl, 8192) + 1))
        if v == 0:
            h = bhs(OP_NOP_OUT | IMM, F_BIT, itt=c.next_itt(), f20=RSVD_TTT, f24=c.cmdsn, f28=c.exp_statsn)
        else:
            n = (len(data) + self.blksz - 1) // self.blksz
            h = c.scsi_hdr(cdb10(0x2A, self.rnd_lba(r, n), n), F_BIT | 0x20 | 1, n * self.blksz)
        more = r.random() < 0.6
        dsl = len(data) + r.randrange(1, 0x10000) if more else r.randrange(0, len(data))
        dsl = min(dsl, 0xFFFFFF)
        w = c.build(h, data=data, dsl=dsl)
        c.send_raw(w)
        self.bad(w, "DSL %d, %d bytes sent" % (dsl, len(data)))
        if not more:
            try:    # the rest is parsed as the next header: see what happens
                c.send(bhs(OP_NOP_OUT | IMM, F_BIT, itt=c.next_itt(), f20=RSVD_TTT, f24=c.cmdsn,
                           f28=c.exp_statsn))
                c.drain(0.02)
            except (Dead, Timeout):
                pass
        return "terminal"

    def ffp_cmdsn(self, r, c):
        win = (c.max_cmdsn - c.exp_cmdsn + 1) & 0xFFFFFFFF
        choice = r.randrange(7)
        sn = [c.exp_cmdsn - 1, c.exp_cmdsn - r.randrange(2, 1000), c.max_cmdsn + 1,
              c.max_cmdsn + r.randrange(2, 1 << 30), c.exp_cmdsn + (1 << 31),
              r.randrange(1 << 32), c.exp_cmdsn + r.randrange(1, max(2, win))][choice]
        imm = r.random() < 0.2
        cdb = bytes(6) if r.random() < 0.5 else cdb10(0x28, self.rnd_lba(r), 1)
        h = c.scsi_hdr(cdb, F_BIT | (0x40 if cdb[0] else 0) | 1, self.blksz if cdb[0] else 0,
                       cmdsn=sn, imm=imm)
        w = c.send(h)
        self.bad(w, "CmdSN %d (exp %d max %d)" % (sn & 0xFFFFFFFF, c.exp_cmdsn, c.max_cmdsn))
        if choice == 6 and not imm:
            c.dirty = True    # queued behind a gap: do not reuse the session

    def ffp_dataout_unknown(self, r, c):
        for _ in range(r.randrange(1, 4)):
            n = r.choice([0, 1, 512, r.randrange(1, max(2, min(c.tgt_mrdsl, 16384)))])
            w = c.data_out(r.choice([r.randrange(1 << 32), RSVD_TTT, c.itt + r.randrange(1, 100), 0]),
                           r.choice([RSVD_TTT, r.randrange(1 << 32), 0]),
                           r.choice([0, r.randrange(1 << 32), 0xFFFFFFFF - 100]),
                           r.randbytes(n), r.random() < 0.5, r.randrange(1 << 32) if r.random() < 0.3 else 0)
            self.bad(w, "Data-Out for unknown task")

    def collect(self, c, pred):
        """Ping barrier: return the PDUs matching pred that the target sent
        before answering a NOP-Out sent now."""
        nitt = c.next_itt()
        c.send(bhs(OP_NOP_OUT | IMM, F_BIT, itt=nitt, f20=RSVD_TTT, f24=c.cmdsn,
                   f28=c.exp_statsn))
        got = []
        deadline = time.monotonic() + self.a.ping_timeout
        while True:
            p = c.recv(deadline=deadline)
            if p.op == OP_NOP_IN and p.itt == nitt:
                return got
            if pred(p):
                got.append(p)

    @staticmethod
    def is_status(q, itt):
        return q.itt == itt and (q.op in (OP_SCSI_RSP, OP_REJECT) or
                                 (q.op == OP_DATA_IN and q.flags & 1))

    def settle(self, c, itt, done=False):
        """End a case's command: if it has no status once the target has
        answered a ping (and a short grace period), abort it."""
        if not done:
            done = any(self.is_status(q, itt) for q in self.collect(c, lambda q: q.itt == itt))
        if not done:
            try:
                c.wait(lambda q: self.is_status(q, itt), self.a.grace)
                done = True
            except Timeout:
                pass
        if not done:
            self.abort(c, itt)
        return done

    def serve(self, c, itt, wdata, rounds=4):
        """Answer the R2Ts of a command correctly (ping barrier between
        rounds, no blind waiting); True once it has a status."""
        for _ in range(rounds):
            got = self.collect(c, lambda q: q.itt == itt)
            if any(self.is_status(q, itt) for q in got):
                return True
            r2ts = [q for q in got if q.op == OP_R2T]
            if not r2ts:
                return False
            for q in r2ts:
                off, ln = u32(q.hdr, 40), u32(q.hdr, 44)
                if off + ln > len(wdata):
                    self.fz_r2t_oob(q, len(wdata))
                    return False
                c.send_burst(itt, q.ttt, wdata, off, off + ln)
        return False

    def fz_r2t_oob(self, q, edtl):
        self.anomaly("R2T outside the expected data transfer length (off %d len %d edtl %d)"
                     % (u32(q.hdr, 40), u32(q.hdr, 44), edtl), q.hdr)

    def wait_r2t(self, c, itt, timeout):
        try:
            return c.wait(lambda q: q.itt == itt and q.op in (OP_R2T, OP_SCSI_RSP), timeout)
        except Timeout:
            return None

    def abort(self, c, itt):
        """ABORT TASK for an ITT (valid), used to clean up a stuck task."""
        aitt = c.next_itt()
        c.send(bhs(OP_TMF | IMM, F_BIT | 1, lun=lun_bytes(self.a.lun), itt=aitt, f20=itt,
                   f24=c.cmdsn, f28=c.exp_statsn, f32=(c.cmdsn - 1) & 0xFFFFFFFF))
        try:
            c.wait(lambda q: q.op == OP_TMF_RSP and q.itt == aitt, self.a.resp_timeout)
        except Timeout:
            c.abandoned += 1

    def ffp_dataout_write(self, r, c):
        """A WRITE whose Data-Out PDUs are wrong (offsets, lengths, TTTs...)."""
        nblk = r.choice([1, 8, 64, 128])
        edtl = nblk * self.blksz
        wdata = r.randbytes(edtl)
        itt = c.next_itt()
        h = c.scsi_hdr(cdb10(0x2A, self.rnd_lba(r, nblk), nblk), 0x20 | 1, edtl, itt=itt)
        if r.random() < 0.3:
            h[1] |= F_BIT
        c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF
        c.send(h)
        mrdsl = c.tgt_mrdsl
        sn = 0
        for _ in range(r.randrange(1, 5)):
            v = r.randrange(10)
            off, n, ttt, final = 0, min(edtl, mrdsl), RSVD_TTT, r.random() < 0.5
            if v == 0:
                off = r.randrange(edtl)                 # overlapping / out of order
            elif v == 1:
                off = edtl + r.randrange(0, 1 << 20)    # beyond EDTL
            elif v == 2:
                off = 0xFFFFFFFF - r.randrange(0, 4096)  # offset + length wraps
            elif v == 3:
                off, n = max(0, edtl - 512), min(mrdsl, 4096)   # crosses EDTL
            elif v == 4:
                n = min(mrdsl + r.choice([1, 512, 4096]), 0xFFFFFF)   # over MaxRecvDSL
            elif v == 5:
                ttt = r.randrange(1 << 32)              # unknown TTT
            elif v == 6:
                n = 0                                   # empty
                final = True
            elif v == 7:
                sn = r.randrange(1 << 32)               # DataSN jump
            elif v == 8:
                off = r.randrange(0, edtl) & ~511       # duplicate
                n = min(512, mrdsl)
            else:
                off = min(c.neg.get("FirstBurstLength", 65536), edtl - 1)   # past first burst
            w = c.data_out(itt, ttt, off, wdata[:n] if n <= len(wdata) else r.randbytes(n), final, sn)
            self.bad(w, "Data-Out variant %d off %d len %d" % (v, off, n))
            sn += 1
            if not c.alive():
                return None
        # Answer R2Ts properly for a while; abort if the task does not end.
        done = self.serve(c, itt, wdata)
        self.outcome("ffp.dataout_write:%s" % ("completed" if done else "aborted"))
        self.settle(c, itt, done)
        return None

    def ffp_r2t(self, r, c):
        """Solicited data answered wrongly."""
        nblk = r.choice([16, 128, 256, 512])
        edtl = nblk * self.blksz
        wdata = r.randbytes(edtl)
        itt = c.next_itt()
        h = c.scsi_hdr(cdb10(0x2A, self.rnd_lba(r, nblk), nblk), F_BIT | 0x20 | 1, edtl, itt=itt)
        c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF
        c.send(h)
        p = self.wait_r2t(c, itt, self.a.resp_timeout)
        pending = [p] if p is not None and p.op == OP_R2T else []
        done = p is not None and p.op == OP_SCSI_RSP
        for _ in range(r.randrange(1, 4)):
            if not pending or done:
                break
            p = pending.pop(0)
            off, ln, ttt = u32(p.hdr, 40), u32(p.hdr, 44), p.ttt
            v = r.randrange(8)
            if v == 0:
                ln = max(0, ln - r.randrange(1, ln + 1))            # short
            elif v == 1:
                ln += r.randrange(1, 65536)                        # long
            elif v == 2:
                ttt ^= r.randrange(1, 1 << 32)                     # wrong TTT
            elif v == 3:
                off += r.randrange(1, 65536)                       # wrong offset
            elif v == 4:
                off = max(0, off - r.randrange(1, 65536))          # backwards
            elif v == 5:
                ttt = RSVD_TTT                                     # unsolicited-style
            elif v == 6:
                # answer twice
                c.send_burst(itt, ttt, wdata, off, min(edtl, off + ln))
            # else: answer correctly but with F missing on the last PDU
            chunk = wdata[off:off + ln] if off + ln <= edtl else r.randbytes(min(ln, 1 << 20))
            pos, sn = 0, 0
            while True:
                n = min(c.tgt_mrdsl, len(chunk) - pos)
                final = pos + n >= len(chunk) and v != 7
                w = c.data_out(itt, ttt, off + pos, chunk[pos:pos + n], final, sn)
                self.bad(w, "R2T answer variant %d" % v)
                pos += n
                sn += 1
                if pos >= len(chunk):
                    break
            got = self.collect(c, lambda q: q.itt == itt)
            done = any(self.is_status(q, itt) for q in got)
            pending += [q for q in got if q.op == OP_R2T]
        self.settle(c, itt, done)

    def ffp_scsi_weird(self, r, c):
        v = r.randrange(14)
        nblk = r.randrange(1, 9)
        lba = self.rnd_lba(r, nblk)
        rd, wr = cdb10(0x28, lba, nblk), cdb10(0x2A, lba, nblk)
        ln = nblk * self.blksz
        flags, cdb, edtl, data, lun = F_BIT | 1, rd, ln, b"", None
        if v == 0:
            flags |= 0x40
            edtl = r.choice([0, 1, ln - 1, ln + 1, ln * 4, 0xFFFFFFFF])
        elif v == 1:
            flags |= 0x60                   # bidi without AHS
            cdb = wr
            data = r.randbytes(min(ln, c.tgt_mrdsl))
        elif v == 2:
            flags |= 0x20                   # W with a READ CDB
            data = r.randbytes(min(ln, c.tgt_mrdsl))
        elif v == 3:
            flags |= 0x40                   # R with a WRITE CDB
            cdb = wr
        elif v == 4:
            pass                            # no R/W bit, data transfer in the CDB
        elif v == 5:
            flags |= 0x40                   # immediate data on a read
            data = r.randbytes(r.randrange(1, min(c.tgt_mrdsl, 8192) + 1))
        elif v == 6:
            flags |= 0x20                   # more immediate data than EDTL
            cdb = wr
            data = r.randbytes(min(c.tgt_mrdsl, ln + r.randrange(1, 4096)))
        elif v == 7:
            flags = 0x40 | 1                # F=0 on a read: waits for data that never comes
        elif v == 8:
            flags |= 0x40
            cdb = self.safe_cdb(r)
            edtl = r.choice([0, 36, 512, 65536])
        elif v == 9:
            flags |= 0x40
            lun = r.randrange(1, 16384) if r.random() < 0.7 else None
            edtl = 36
            cdb = bytes([0x12, 0, 0, 0, 36, 0]) if r.random() < 0.5 else rd
        elif v == 10:
            flags = F_BIT | 0x40 | r.choice([0, 2, 3, 4, 5, 6, 7])   # attrs incl. ACA / reserved
        elif v == 11:
            flags |= 0x40                   # huge transfer in the CDB, small EDTL
            cdb = struct.pack(">BBQIBB", 0x88, 0, lba, r.choice([0xFFFFFFFF, 0x10000000, 1 << 20]), 0, 0)
            edtl = r.choice([512, 0, 1 << 24])
        elif v == 12:
            flags |= 0x20                   # immediate data > MaxRecvDSL
            cdb = cdb10(0x2A, lba, 0xFFFF)
            edtl = 0xFFFF * self.blksz
            data = r.randbytes(min(c.tgt_mrdsl + r.choice([4, 4096, 65536]), 0xFFFFFF))
        else:
            flags |= 0x40                   # variable-length CDB opcode without AHS
            cdb = bytes([0x7F]) + r.randbytes(15)
        h = c.scsi_hdr(cdb, flags, edtl, lun=lun)
        c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF
        itt = c.itt
        w = c.send(h, data=data)
        self.bad(w, "SCSI command variant %d" % v)
        self.settle(c, itt)

    def ffp_tmf_reset(self, r, c):
        """TARGET WARM/COLD RESET (all sessions of the target go)."""
        return self.ffp_tmf(r, c, 6 if r.random() < 0.7 else 7)

    def ffp_tmf(self, r, c, fn=None):
        if fn is None:
            fn = r.choice([1, 1, 1, 2, 3, 4, 5, 5, 8, 0, r.randrange(9, 128)])
        ref = RSVD_TTT
        pend = None
        if r.random() < 0.5:
            # Something to abort: a WRITE waiting for its data.
            nblk = 64
            pend = c.next_itt()
            c.send(c.scsi_hdr(cdb10(0x2A, self.rnd_lba(r, nblk), nblk), F_BIT | 0x20 | 1,
                              nblk * self.blksz, itt=pend))
            c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF
            ref = pend
        if fn == 1 or r.random() < 0.3:
            ref = r.choice([ref, ref, r.randrange(1 << 32), c.itt - r.randrange(1, 50), RSVD_TTT])
        imm = r.random() < 0.8
        itt = c.next_itt()
        h = bhs(OP_TMF | (IMM if imm else 0), (F_BIT if r.random() < 0.9 else 0) | fn,
                lun=self.rnd_lun(r), itt=itt, f20=ref, f24=c.cmdsn, f28=c.exp_statsn,
                f32=r.choice([(c.cmdsn - 1) & 0xFFFFFFFF, r.randrange(1 << 32)]),
                f36=r.choice([0, r.randrange(1 << 32)]))
        if not imm:
            c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF
        w = c.send(h)
        self.bad(w, "TMF function %d ref 0x%x" % (fn, ref))
        if fn in (6, 7):
            c.dirty = True
        got = self.collect(c, lambda q: q.op == OP_TMF_RSP and q.itt == itt)
        if not got:
            try:    # resets may take a moment (tasks to abort first)
                c.wait(lambda q: q.op == OP_TMF_RSP and q.itt == itt, self.a.grace * 4)
            except Timeout:
                self.outcome("ffp.tmf:no-response-yet")
        if pend is not None and c.alive():
            self.abort(c, pend)

    def ffp_nop(self, r, c):
        v = r.randrange(7)
        n = r.choice([1, 3, 48, 512, 4096, c.tgt_mrdsl])
        data = r.randbytes(min(n, c.tgt_mrdsl))
        if v == 0:
            c.ping(data=data)       # valid ping with data; echo checked
            self.bad(b"", "NOP-Out with %d data bytes (echo checked)" % len(data))
            return
        flags, itt, ttt, lun, imm = F_BIT, c.next_itt(), RSVD_TTT, bytes(8), True
        if v == 1:
            data = r.randbytes(min(c.tgt_mrdsl + r.choice([1, 512, 65536]), 0xFFFFFF))
        elif v == 2:
            itt = RSVD_TTT          # no answer wanted, but data
        elif v == 3:
            ttt = r.randrange(1 << 32)  # answer to a NOP-In never sent
            itt = RSVD_TTT
        elif v == 4:
            imm = False
        elif v == 5:
            flags = 0
        else:
            lun = r.randbytes(8)
        h = bhs(OP_NOP_OUT | (IMM if imm else 0), flags, lun=lun, itt=itt, f20=ttt,
                f24=c.cmdsn, f28=c.exp_statsn)
        if not imm:
            c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF
        w = c.send(h, data=data)
        self.bad(w, "NOP-Out variant %d, %d bytes" % (v, len(data)))

    def ffp_text(self, r, c):
        self.text_mutation(r, c, "ffp")

    def ffp_snack(self, r, c):
        h = bhs(OP_SNACK | (IMM if r.random() < 0.2 else 0), F_BIT | r.randrange(16) if r.random() < 0.8
                else r.randrange(256), lun=self.rnd_lun(r),
                itt=r.choice([c.itt, RSVD_TTT, r.randrange(1 << 32)]),
                f20=r.choice([RSVD_TTT, r.randrange(1 << 32)]), f28=c.exp_statsn,
                f40=r.randrange(1 << 32), f44=r.randrange(1 << 32))
        w = c.send(h)
        self.bad(w, "SNACK type %d" % (h[1] & 0xF))

    def ffp_logout(self, r, c):
        cid = r.choice([c.cid + 1, r.randrange(0x10000), 0xFFFF])
        reason = r.choice([0, 1, 2, 1, 3, r.randrange(128)])
        itt = c.next_itt()
        h = bhs(OP_LOGOUT | (IMM if r.random() < 0.7 else 0), (F_BIT if r.random() < 0.9 else 0) | reason,
                itt=itt, f20=cid << 16, f24=c.cmdsn if r.random() < 0.8 else r.randrange(1 << 32),
                f28=c.exp_statsn)
        w = c.send(h)
        self.bad(w, "Logout reason %d CID %d" % (reason, cid))
        c.dirty = True
        try:
            for p in self.collect(c, lambda q: q.op == OP_LOGOUT_RSP and q.itt == itt):
                self.outcome("ffp.logout:response-%d" % p.hdr[2])
        except Timeout:
            pass
        if c.alive() and r.random() < 0.5:
            # commands after a logout request
            c.send(c.scsi_hdr(bytes(6), F_BIT | 1, 0))
            c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF

    def ffp_login_ffp(self, r, c):
        h = c.login_hdr(True, False, r.choice([0, 1, 3]), r.choice([1, 3]))
        put32(h, 16, c.next_itt())
        put32(h, 24, c.cmdsn)
        put16(h, 14, r.choice([c.tsih, 0, r.randrange(0x10000)]))
        w = c.send(h, data=keys_text(c.first_keys() + c.op_keys(False, 8192)))
        self.bad(w, "Login in full feature phase")
        c.dirty = True

    def ffp_digest(self, r, c):
        v = r.randrange(4)
        hd_bad = v in (0, 2)
        if v < 2:
            itt = c.next_itt()
            h = bhs(OP_NOP_OUT | IMM, F_BIT, itt=itt, f20=RSVD_TTT, f24=c.cmdsn, f28=c.exp_statsn)
            w = c.send(h, data=r.randbytes(r.randrange(1, 2048)), bad_hd=hd_bad, bad_dd=not hd_bad)
        else:
            nblk = r.randrange(1, 9)
            h = c.scsi_hdr(cdb10(0x2A, self.rnd_lba(r, nblk), nblk), F_BIT | 0x20 | 1, nblk * self.blksz)
            c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF
            data = r.randbytes(min(nblk * self.blksz, c.tgt_mrdsl))
            w = c.send(h, data=data, bad_hd=hd_bad, bad_dd=not hd_bad)
            c.abandoned += 1
        self.bad(w, "%s digest error (variant %d)" % ("header" if hd_bad else "data", v))
        if hd_bad:
            c.dirty = True

    def ffp_drop(self, r, c):
        v = r.randrange(7)
        if v == 0:      # half a header
            w = c.build(c.scsi_hdr(bytes(6), F_BIT | 1, 0))[:r.randrange(1, 48)]
            c.send_raw(w)
        elif v == 1:    # immediate data cut
            nblk = r.randrange(1, 17)
            data = r.randbytes(min(nblk * self.blksz, c.tgt_mrdsl))
            w = c.build(c.scsi_hdr(cdb10(0x2A, self.rnd_lba(r, nblk), nblk), F_BIT | 0x20 | 1,
                                   nblk * self.blksz), data=data)
            w = w[:r.randrange(49, len(w))]
            c.send_raw(w)
        elif v == 2:    # after an R2T, half a Data-Out
            nblk = 128
            itt = c.next_itt()
            c.send(c.scsi_hdr(cdb10(0x2A, self.rnd_lba(r, nblk), nblk), F_BIT | 0x20 | 1,
                              nblk * self.blksz, itt=itt))
            p = self.wait_r2t(c, itt, self.a.resp_timeout)
            off = u32(p.hdr, 40) if p is not None and p.op == OP_R2T else 0
            ttt = p.ttt if p is not None and p.op == OP_R2T else RSVD_TTT
            w = c.build(bhs(OP_DATA_OUT, F_BIT, lun=lun_bytes(self.a.lun), itt=itt, f20=ttt,
                            f28=c.exp_statsn, f40=off), data=r.randbytes(min(c.tgt_mrdsl, 8192)))
            w = w[:r.randrange(1, len(w))]
            c.send_raw(w)
        elif v == 3:    # big reads, never read the answers
            w = b""
            for _ in range(r.randrange(1, 9)):
                nblk = min(2048, self.nblocks - 1)
                h = c.scsi_hdr(cdb10(0x28, self.rnd_lba(r, nblk), nblk), F_BIT | 0x40 | 1, nblk * self.blksz)
                c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF
                w = c.send(h)
            time.sleep(r.choice([0, 0.01, 0.05]))
        elif v == 4:    # task set abort with tasks in flight, then gone
            for _ in range(4):
                h = c.scsi_hdr(cdb10(0x28, self.rnd_lba(r, 64), 64), F_BIT | 0x40 | 1, 64 * self.blksz)
                c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF
                c.send(h)
            w = c.send(bhs(OP_TMF | IMM, F_BIT | 2, lun=lun_bytes(self.a.lun), itt=c.next_itt(),
                           f20=RSVD_TTT, f24=c.cmdsn, f28=c.exp_statsn))
        elif v == 5:    # logout, then gone before the response
            w = c.send(bhs(OP_LOGOUT | IMM, F_BIT, itt=c.next_itt(), f24=c.cmdsn, f28=c.exp_statsn))
        else:           # a write with unsolicited data, gone mid-sequence
            nblk = 128
            itt = c.next_itt()
            c.send(c.scsi_hdr(cdb10(0x2A, self.rnd_lba(r, nblk), nblk), 0x20 | 1, nblk * self.blksz, itt=itt))
            c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF
            w = c.build(bhs(OP_DATA_OUT, 0, lun=lun_bytes(self.a.lun), itt=itt, f20=RSVD_TTT,
                            f28=c.exp_statsn), data=r.randbytes(min(c.tgt_mrdsl, 8192)))
            c.send_raw(w[:r.randrange(1, len(w))])
        self.bad(w, "drop variant %d" % v)
        return "terminal"

    def ffp_flood(self, r, c):
        win = (c.max_cmdsn - c.cmdsn + 1) & 0xFFFFFFFF
        n = min(win, 512) + r.randrange(1, 12)
        beyond = 0
        for i in range(n):
            if sn_lt(c.max_cmdsn, c.cmdsn):
                beyond += 1
            h = c.scsi_hdr(bytes(6), F_BIT | 1, 0)
            c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF
            w = c.send(h)
            if beyond:
                self.bad(w, "TUR %d beyond MaxCmdSN" % i)
        c.dirty = True

    def ffp_dup_itt(self, r, c):
        nblk = 32
        itt = c.next_itt()
        c.send(c.scsi_hdr(cdb10(0x2A, self.rnd_lba(r, nblk), nblk), F_BIT | 0x20 | 1,
                          nblk * self.blksz, itt=itt))
        c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF
        h = c.scsi_hdr(cdb10(0x28, self.rnd_lba(r, 1), 1), F_BIT | 0x40 | 1, self.blksz, itt=itt)
        c.cmdsn = (c.cmdsn + 1) & 0xFFFFFFFF
        w = c.send(h)
        self.bad(w, "second command with ITT 0x%x" % itt)
        if r.random() < 0.5:
            w = c.data_out(itt, RSVD_TTT, 0, r.randbytes(512), True, 0)
            self.bad(w, "Data-Out for the duplicated ITT")
        c.dirty = True
        c.drain(0.05)

    # -- report -----------------------------------------------------------------

    def report(self):
        print("iscsi-fuzz: seed %d: %d malformed PDUs in %d cases (%.1fs); "
              "%d connections, %d full logins"
              % (self.seed, self.total(), self.cases, self.elapsed, self.conns, self.logins))
        print("  per state: " + ", ".join("%s %d" % kv for kv in sorted(self.sent.items())))
        if self.a.digest:
            print("  crc32c: %s" % ("kernel (AF_ALG)" if _KCRC is not None and _KCRC.op is not None
                                   else "python"))
        if self.a.details:
            print("  per kind: malformed PDUs, seconds")
            for k in sorted(set(self.kinds) | set(self.ktime)):
                print("    %-32s %6d %7.1f" % (k, self.kinds[k], self.ktime[k]))
            print("  outcomes:")
            for k, v in sorted(self.ends.items()):
                print("    %-44s %6d" % (k, v))
        print("  target PDUs: " + ", ".join("%s %d" % kv for kv in sorted(self.rx.items())))
        if self.timeouts:
            print("  connections silent after a case (no NOP-In within %.1fs): %d"
                  % (self.a.ping_timeout, self.timeouts))
        for k, v in sorted(self.notes.items()):
            print("  note: %s (x%d)" % (k, v))
        if self.anoms:
            print("iscsi-fuzz: the target sent questionable PDUs:")
            for k, (n, case, hdr) in self.anoms.items():
                print("  ANOMALY %s: %d times, first in case %d, header %s" % (k, n, case, hdr))

    def dump_recent(self):
        print("iscsi-fuzz: last cases before the failure (seed %d):" % self.seed)
        for c in self.recent:
            print("  case %d %s.%s:" % (c["i"], c["state"], c["kind"]))
            for p in c["pdus"][-4:]:
                print("    " + p)


class TargetDown(Exception):
    """The target no longer serves a normal session."""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--portal", default="127.0.0.1:3260", help="HOST:PORT (default %(default)s)")
    ap.add_argument("--target", required=True, help="target IQN")
    ap.add_argument("--lun", type=int, default=0, help="LUN for the data checks (default 0)")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    ap.add_argument("--count", type=int, default=10000, help="malformed PDUs to send (default 10000)")
    ap.add_argument("--first", type=int, default=0, help="index of the first case (replay)")
    ap.add_argument("--digest", action="store_true", help="negotiate CRC32C header+data digests")
    ap.add_argument("--initiator", default="iqn.2024-01.org.example:iscsi-fuzz")
    ap.add_argument("--chap-user", default=None)
    ap.add_argument("--chap-secret", default=None)
    ap.add_argument("--mrdsl", type=int, default=65536, help="our MaxRecvDataSegmentLength")
    ap.add_argument("--timeout", type=float, default=5.0, help="connect/send timeout (s)")
    ap.add_argument("--resp-timeout", type=float, default=1.0,
                    help="wait for a response the case wants (s)")
    ap.add_argument("--open-wait", type=float, default=0.3,
                    help="wait for an answer to a malformed login PDU (s)")
    ap.add_argument("--prelogin-wait", type=float, default=0.1,
                    help="wait for an answer before login (s)")
    ap.add_argument("--grace", type=float, default=0.05,
                    help="wait for a status after the ping barrier before aborting (s)")
    ap.add_argument("--ping-timeout", type=float, default=3.0, help="NOP-In wait after a case (s)")
    ap.add_argument("--check-every", type=int, default=2000,
                    help="clean login + write/read check every N cases (0: off)")
    ap.add_argument("--final-bytes", type=int, default=262144, help="size of the final pattern")
    ap.add_argument("--weights", default="15,30,55", help="prelogin,login,ffp case weights")
    ap.add_argument("--reinstate", type=float, default=0.2,
                    help="probability that a new session reuses the last ISID")
    ap.add_argument("--login-only", action="store_true",
                    help="only prelogin/login cases; the checks are clean logins (for a "
                    "login daemon without a kernel behind it)")
    ap.add_argument("--exclude", default="",
                    help="comma-separated STATE.KIND case kinds to skip (known bugs of a peer)")
    ap.add_argument("--max-time", type=float, default=0, help="stop fuzzing after N s")
    ap.add_argument("--history", type=int, default=16, help="cases shown on failure")
    ap.add_argument("--log", default=None, help="write every malformed PDU (hex) to FILE")
    ap.add_argument("--progress", type=int, default=0, help="progress line every N cases")
    ap.add_argument("--details", action="store_true", help="per-kind counts and outcomes")
    ap.add_argument("--strict", action="store_true", help="exit 3 if the target sent bad PDUs")
    ap.add_argument("--verbose", "-v", action="store_true", help="one line per case")
    ap.add_argument("--debug", action="store_true", help="trace every PDU sent and received")
    a = ap.parse_args()
    a.exclude = set(x for x in a.exclude.split(",") if x)
    if a.seed is None:
        a.seed = int.from_bytes(os.urandom(4), "big")
    if bool(a.chap_user) != bool(a.chap_secret):
        ap.error("--chap-user and --chap-secret go together")
    try:
        a.w_prelogin, a.w_login, a.w_ffp = (float(x) for x in a.weights.split(","))
    except ValueError:
        ap.error("--weights wants three numbers")
    if a.login_only:
        a.w_ffp = 0
    print("iscsi-fuzz: seed %d, portal %s, target %s, LUN %d, %d PDUs, digests %s"
          % (a.seed, a.portal, a.target, a.lun, a.count, "CRC32C" if a.digest else "off"), flush=True)
    fz = Fuzzer(a)
    try:
        fz.preflight()
    except (TargetDown, Dead, Timeout, ProtoError, LoginFailed) as e:
        print("iscsi-fuzz: the target does not work before fuzzing: %s" % e)
        return 2
    rc = 0
    try:
        fz.run()
    except TargetDown as e:
        fz.elapsed = time.monotonic() - fz.t0
        fz.cases = fz.ncases
        fz.report()
        print("iscsi-fuzz: FAILED during the run (seed %d): %s" % (a.seed, e))
        fz.dump_recent()
        rc = 1
    if rc == 0:
        fz.report()
        try:
            what = fz.verify_io(a.final_bytes, "final")
            what2 = fz.verify_io(4096, "final-small", digest=a.digest)
            if a.login_only:
                print("iscsi-fuzz: final check passed: %s; %s" % (what, what2))
            else:
                print("iscsi-fuzz: final check passed: clean login, WRITE(10)/READ(10) %s and %s match"
                      % (what, what2))
        except (TargetDown, Dead, Timeout, ProtoError, LoginFailed) as e:
            print("iscsi-fuzz: FAILED final check (seed %d): %s" % (a.seed, e))
            fz.dump_recent()
            rc = 1
    if rc == 0 and a.strict and fz.anoms:
        print("iscsi-fuzz: --strict: the target sent questionable PDUs (above)")
        rc = 3
    if fz.logf:
        fz.logf.close()
    return rc


if __name__ == "__main__":
    sys.exit(main())
