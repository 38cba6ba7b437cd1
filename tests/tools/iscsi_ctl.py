#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Exercise /dev/iscsi-scst-ctl (iscsi-scst/include/iscsi_scst.h) the way
iscsi-scstd does, plus every malformed request we can think of.

usage: iscsi_ctl.py ctl DEVICE        control device, no sessions
       iscsi_ctl.py sessions DEVICE   sessions over loopback TCP sockets
       iscsi_ctl.py hold DEVICE       leave one session behind and exit

DEVICE is a vdisk device the scenarios export as LUN 0.  The scenarios
create their own targets (iqn.2024-01.test:*) and delete them again.
Prints "ok ..." lines; the first failed check prints "FAIL: ..." and
exits 1.  Run as root, by the guest test t-50-iscsi-mgmt.sh.
"""
import ctypes
import errno
import fcntl
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time

DEV = "/dev/iscsi-scst-ctl"
DRV = "/sys/kernel/scst_tgt/targets/iscsi"

NAME_LEN, ALIAS_LEN, CHAP_LEN, ADDR_LEN = 224, 256, 256, 64
P_KEYS = [
    "InitialR2T", "ImmediateData", "MaxBurstLength", "FirstBurstLength",
    "MaxOutstandingR2T", "DataPDUInOrder", "DataSequenceInOrder",
    "ErrorRecoveryLevel", "MaxConnections", "DefaultTime2Wait",
    "DefaultTime2Retain", "HeaderDigest", "DataDigest",
    "MaxXmitDataSegmentLength", "MaxRecvDataSegmentLength",
    "QueuedCommands", "RspTimeout", "NopInInterval", "NopInTimeout",
    "MaxSessions",
]
P = {k: i for i, k in enumerate(P_KEYS)}
NP = len(P_KEYS)
DIGEST_NONE, DIGEST_CRC32C = 1, 2

REG = struct.Struct("=4I")
TGT = struct.Struct("=4I%ds%ds%dI" % (NAME_LEN, ALIAS_LEN, NP))
ACC = struct.Struct("=2I%ds%ds" % (NAME_LEN, ADDR_LEN))
AUTH = struct.Struct("=4I%ds%ds" % (CHAP_LEN, CHAP_LEN))
LD = struct.Struct("=Ii6sHHHIIII%ds%ds%dI" % (NAME_LEN, ALIAS_LEN, NP))
EV = struct.Struct("=3IHH%ds" % NAME_LEN)
assert (REG.size, TGT.size, ACC.size, AUTH.size, LD.size, EV.size) == \
    (16, 576, 296, 528, 596, 240)


def _ioc(d, nr, size):
    return (d << 30) | (size << 16) | (ord("i") << 8) | nr


IOC_REGISTER = _ioc(3, 0, REG.size)
IOC_TARGET_NEXT = _ioc(3, 1, TGT.size)
IOC_TARGET_BY_NAME = _ioc(3, 2, TGT.size)
IOC_ACCESS = _ioc(1, 3, ACC.size)
IOC_AUTH = _ioc(3, 4, AUTH.size)
IOC_LOGIN_DONE = _ioc(3, 5, LD.size)
assert IOC_REGISTER == 0xc0106900 and IOC_LOGIN_DONE == 0xc2546905

EV_TARGET_ADDED, EV_TARGET_REMOVED, EV_TARGET_CHANGED = 1, 2, 3
EV_SESSION_ADDED, EV_SESSION_REMOVED, EV_CONN_CLOSED = 4, 5, 6
EV_OVERFLOW = 1

nchecks = 0


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def ok(msg):
    global nchecks
    nchecks += 1
    print("ok " + msg, flush=True)


def check(cond, msg):
    if not cond:
        fail(msg)


def expect(rc, want, what):
    if rc != want:
        fail("%s: got %s, expected %s" % (what, errname(rc), errname(want)))
    ok("%s -> %s" % (what, errname(want)))


def errname(rc):
    if rc is None or rc >= 0:
        return str(rc)
    return "-" + errno.errorcode.get(-rc, str(-rc))


def ioc(fd, req, buf):
    """ioctl with an in/out buffer: (0 or -errno, buffer after the call)"""
    b = bytearray(buf)
    try:
        fcntl.ioctl(fd, req, b, True)
        return 0, bytes(b)
    except OSError as e:
        return -e.errno, bytes(b)


def cstr(b):
    return b.split(b"\0", 1)[0].decode()


# ---------------------------------------------------------------- sysfs

def sysfs_read(path):
    with open(path) as f:
        return f.read()


def first_line(path):
    return sysfs_read(path).split("\n", 1)[0]


def sysfs_write(path, text):
    """0 or -errno"""
    try:
        with open(path, "w") as f:
            f.write(text + "\n")
        return 0
    except OSError as e:
        return -e.errno


def mgmt(cmd, path=DRV + "/mgmt", want=0):
    rc = sysfs_write(path, cmd)
    if rc != want:
        fail("echo '%s' >%s: got %s, expected %s" %
             (cmd, path, errname(rc), errname(want)))


def tdir(name):
    return "%s/%s" % (DRV, name)


def tid_of(name):
    return int(first_line(tdir(name) + "/tid"))


def add_target(name, params="", dev=None, enable=True):
    mgmt("add_target %s%s" % (name, " " + params if params else ""))
    if dev:
        mgmt("add %s 0" % dev, tdir(name) + "/luns/mgmt")
    if enable:
        mgmt("1", tdir(name) + "/enabled")
    return tid_of(name)


def del_target(name):
    mgmt("del_target " + name)
    check(not os.path.exists(tdir(name)), "target %s still exists" % name)


def wait_for(cond, what, timeout=30.0):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            fail("timed out after %gs waiting for %s" % (timeout, what))
        time.sleep(0.1)


# ---------------------------------------------------------------- ioctls

def register(fd, version=1):
    rc, out = ioc(fd, IOC_REGISTER, REG.pack(version, 0xffffffff,
                                                0xffffffff, 0xffffffff))
    return rc, REG.unpack(out)


def target_ioc(fd, req, tid=0, name=b"", fill=0xaa):
    # Prefill with garbage: every output byte must be written by the kernel
    raw = bytearray([fill]) * TGT.size
    struct.pack_into("=I", raw, 0, tid)
    raw[16:16 + NAME_LEN] = name.ljust(NAME_LEN, b"\0")[:NAME_LEN]
    rc, out = ioc(fd, req, raw)
    return rc, out


def parse_target(out):
    v = TGT.unpack(out)
    return {"tid": v[0], "enabled": v[1], "drv_enabled": v[2], "pad": v[3],
            "name_raw": v[4], "alias_raw": v[5], "params": list(v[6:])}


def access(fd, tid, initiator, local, pad=0):
    if isinstance(initiator, str):
        initiator = initiator.encode()
    if isinstance(local, str):
        local = local.encode()
    return ioc(fd, IOC_ACCESS, ACC.pack(tid, pad, initiator, local))[0]


def auth(fd, tid, d, index):
    raw = bytearray([0x55]) * AUTH.size
    struct.pack_into("=3I", raw, 0, tid, d, index)
    rc, out = ioc(fd, IOC_AUTH, raw)
    return rc, AUTH.unpack(out)


def good_params(**kw):
    p = [0] * NP
    p[P["InitialR2T"]] = 0
    p[P["ImmediateData"]] = 1
    p[P["MaxBurstLength"]] = 262144
    p[P["FirstBurstLength"]] = 65536
    p[P["MaxOutstandingR2T"]] = 1
    p[P["DataPDUInOrder"]] = 1
    p[P["DataSequenceInOrder"]] = 1
    p[P["ErrorRecoveryLevel"]] = 0
    p[P["MaxConnections"]] = 1
    p[P["DefaultTime2Wait"]] = 2
    p[P["DefaultTime2Retain"]] = 0
    p[P["HeaderDigest"]] = DIGEST_NONE
    p[P["DataDigest"]] = DIGEST_NONE
    p[P["MaxXmitDataSegmentLength"]] = 262144
    p[P["MaxRecvDataSegmentLength"]] = 262144
    for k, v in kw.items():
        p[P[k]] = v
    return p


def login(fd, tid, sockfd, isid=b"\x80\x12\x34\x56\x78\x9a", tsih=0, cid=1,
          initiator="iqn.1994-05.com.test:ini1", alias="host1",
          params=None, pad=0, pad2=0, exp_cmd_sn=5, raw_initiator=None,
          raw_alias=None):
    """(0 or -errno, TSIH returned)"""
    ini = raw_initiator if raw_initiator is not None else initiator.encode()
    ali = raw_alias if raw_alias is not None else alias.encode()
    buf = LD.pack(tid, sockfd, isid, tsih, cid, pad, exp_cmd_sn, 100, 99,
                  pad2, ini, ali, *(params or good_params()))
    rc, out = ioc(fd, IOC_LOGIN_DONE, buf)
    return rc, LD.unpack(out)[3]


def read_events(fd, maxn=512):
    """Non-blocking: every queued event as (code, flags, tid, tsih, cid, name)"""
    evs = []
    fl = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, fl | os.O_NONBLOCK)
    try:
        while len(evs) < maxn:
            try:
                data = os.read(fd, EV.size * 16)
            except BlockingIOError:
                break
            check(len(data) % EV.size == 0 and data,
                  "read() returned %d bytes, not whole records" % len(data))
            for i in range(0, len(data), EV.size):
                v = EV.unpack_from(data, i)
                evs.append(v[:5] + (cstr(v[5]),))
    finally:
        fcntl.fcntl(fd, fcntl.F_SETFL, fl)
    return evs


def has_event(evs, code, tid=None, tsih=None, name=None):
    for e in evs:
        if e[0] == code and (tid is None or e[2] == tid) and \
                (tsih is None or e[3] == tsih) and (name is None or e[5] == name):
            return True
    return False


def open_ctl():
    return os.open(DEV, os.O_RDWR)


# ---------------------------------------------------------------- sockets

def tcp_pair(host="127.0.0.1", family=socket.AF_INET, listen_host=None):
    """(initiator side, target side) of a loopback TCP connection"""
    ls = socket.socket(family, socket.SOCK_STREAM)
    ls.bind((listen_host if listen_host is not None else host, 0))
    ls.listen(4)
    port = ls.getsockname()[1]
    cfam = socket.AF_INET6 if ":" in host else socket.AF_INET
    c = socket.socket(cfam, socket.SOCK_STREAM)
    c.connect((host, port))
    s, _ = ls.accept()
    ls.close()
    return c, s


def peer_closed(c, timeout=20.0):
    """True once the target side has closed the connection"""
    c.settimeout(timeout)
    try:
        while True:
            d = c.recv(65536)
            if not d:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


# ---------------------------------------------------------------- ctl

def ctl_unregistered(fd):
    """Everything but REGISTER needs the registered file"""
    for req, size, nm in ((IOC_TARGET_NEXT, TGT.size, "TARGET_NEXT"),
                          (IOC_TARGET_BY_NAME, TGT.size, "TARGET_BY_NAME"),
                          (IOC_ACCESS, ACC.size, "ACCESS"),
                          (IOC_AUTH, AUTH.size, "AUTH"),
                          (IOC_LOGIN_DONE, LD.size, "LOGIN_DONE")):
        expect(ioc(fd, req, bytes(size))[0], -errno.EPERM,
               nm + " before REGISTER")
    try:
        os.read(fd, EV.size)
        fail("read() before REGISTER succeeded")
    except OSError as e:
        expect(-e.errno, -errno.EPERM, "read() before REGISTER")
    p = select.poll()
    p.register(fd, select.POLLIN)
    ev = p.poll(0)
    check(ev and ev[0][1] & select.POLLERR, "poll() before REGISTER: %s" % ev)
    ok("poll() before REGISTER -> POLLERR")


def ctl_bad_ioctls(fd):
    """Other sizes, numbers or directions are other ioctls: ENOTTY"""
    for req, what in ((_ioc(3, 0, 15), "REGISTER with 15 bytes"),
                      (_ioc(3, 0, 17), "REGISTER with 17 bytes"),
                      (_ioc(1, 0, 16), "REGISTER as _IOW"),
                      (_ioc(0, 0, 0), "_IO('i', 0)"),
                      (_ioc(3, 1, TGT.size - 4), "TARGET_NEXT, short"),
                      (_ioc(3, 5, LD.size + 4), "LOGIN_DONE, long"),
                      (_ioc(3, 6, 16), "ioctl number 6"),
                      (_ioc(3, 0xff, 16), "ioctl number 255"),
                      (0x5401, "TCGETS")):
        expect(ioc(fd, req, bytes(max(64, (req >> 16) & 0x3fff)))[0],
               -errno.ENOTTY, what)


def ctl_register(fd, fd2):
    rc, r = register(fd, version=2)
    expect(rc, -errno.EINVAL, "REGISTER version 2")
    rc, r = register(fd, version=0)
    expect(rc, -errno.EINVAL, "REGISTER version 0")
    check(first_line(DRV + "/open_state") == "closed", "open_state not closed")
    rc, r = register(fd)
    expect(rc, 0, "REGISTER")
    check(r == (1, 1024 * 1024, 2048, 0),
          "REGISTER returned %s, expected (1, 1048576, 2048, 0)" % (r,))
    ok("REGISTER limits %s" % (r,))
    check(first_line(DRV + "/open_state") == "open", "open_state not open")
    expect(register(fd)[0], 0, "REGISTER again on the same file")
    expect(register(fd2)[0], -errno.EBUSY, "REGISTER of a second daemon")
    expect(ioc(fd2, IOC_TARGET_NEXT, bytes(TGT.size))[0], -errno.EPERM,
           "TARGET_NEXT on the unregistered second file")
    try:
        os.read(fd2, EV.size)
        fail("read() on the unregistered second file succeeded")
    except OSError as e:
        expect(-e.errno, -errno.EPERM, "read() on the second file")


def sysfs_targets():
    res = {}
    for d in os.listdir(DRV):
        if os.path.exists("%s/%s/tid" % (DRV, d)):
            res[tid_of(d)] = d
    return res


def ctl_targets(fd, c1, c2):
    want = sysfs_targets()
    got, tid = {}, 0
    while True:
        rc, out = target_ioc(fd, IOC_TARGET_NEXT, tid=tid)
        if rc == -errno.ENOENT:
            break
        expect(rc, 0, "TARGET_NEXT after tid %d" % tid)
        t = parse_target(out)
        check(t["tid"] > tid, "TARGET_NEXT went backwards: %d after %d" %
              (t["tid"], tid))
        check(t["pad"] == 0, "TARGET_NEXT: pad %#x" % t["pad"])
        check(t["alias_raw"] == bytes(ALIAS_LEN),
              "TARGET_NEXT: alias not zeroed (kernel bytes leaked?)")
        nm = cstr(t["name_raw"])
        check(t["name_raw"] == nm.encode().ljust(NAME_LEN, b"\0"),
              "TARGET_NEXT: name of tid %d not zero-padded" % t["tid"])
        got[t["tid"]] = nm
        tid = t["tid"]
    check(got == want, "TARGET_NEXT listed %s, sysfs has %s" % (got, want))
    ok("TARGET_NEXT lists the %d targets of sysfs, output fully written" %
       len(got))

    rc, out = target_ioc(fd, IOC_TARGET_BY_NAME, name=c1.encode(), tid=77)
    expect(rc, 0, "TARGET_BY_NAME " + c1)
    t = parse_target(out)
    check(t["tid"] == tid_of(c1), "TARGET_BY_NAME: tid %d" % t["tid"])
    check(t["enabled"] == 0 and t["drv_enabled"] == 0,
          "TARGET_BY_NAME: enabled %d/%d" % (t["enabled"], t["drv_enabled"]))
    p = t["params"]
    want_p = {"InitialR2T": 0, "ImmediateData": 1,
              "MaxBurstLength": 1 << 20, "FirstBurstLength": 65536,
              "MaxOutstandingR2T": 32, "DataPDUInOrder": 1,
              "DataSequenceInOrder": 1, "ErrorRecoveryLevel": 0,
              "MaxConnections": 1, "HeaderDigest": 3, "DataDigest": 1,
              "MaxXmitDataSegmentLength": 1 << 20,
              "MaxRecvDataSegmentLength": 8192, "QueuedCommands": 32,
              "RspTimeout": 90, "NopInInterval": 30, "NopInTimeout": 30,
              "MaxSessions": 7}
    for k, v in want_p.items():
        check(p[P[k]] == v, "TARGET_BY_NAME: %s = %d, expected %d" %
              (k, p[P[k]], v))
    ok("TARGET_BY_NAME returns the configured parameters")

    expect(target_ioc(fd, IOC_TARGET_BY_NAME, name=b"iqn.nosuch")[0],
           -errno.ENOENT, "TARGET_BY_NAME unknown")
    expect(target_ioc(fd, IOC_TARGET_BY_NAME, name=b"")[0], -errno.EINVAL,
           "TARGET_BY_NAME empty name")
    expect(target_ioc(fd, IOC_TARGET_BY_NAME, name=b"a" * NAME_LEN)[0],
           -errno.EINVAL, "TARGET_BY_NAME unterminated name")
    expect(target_ioc(fd, IOC_TARGET_NEXT, tid=max(got))[0], -errno.ENOENT,
           "TARGET_NEXT after the last tid")
    expect(target_ioc(fd, IOC_TARGET_NEXT, tid=0xffffffff)[0],
           -errno.ENOENT, "TARGET_NEXT after tid 0xffffffff")
    expect(_bad_pointer(fd, IOC_TARGET_NEXT), -errno.EFAULT,
           "TARGET_NEXT with a bad pointer")


def _bad_pointer(fd, req):
    """ioctl with an unmapped argument pointer"""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ioctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)
    if libc.ioctl(fd, req, ctypes.c_void_p(16)) == 0:
        return 0
    return -ctypes.get_errno()


def ctl_access(fd, c1, c2, t1, t2):
    ini = "iqn.1994-05.com.test:acc"
    mgmt("0", DRV + "/enabled")
    expect(access(fd, 0, ini, "127.0.0.1"), -errno.ENODEV,
           "ACCESS discovery, driver disabled")
    expect(access(fd, t1, ini, "127.0.0.1"), -errno.ENODEV,
           "ACCESS, driver disabled")
    mgmt("1", DRV + "/enabled")
    expect(access(fd, 0, ini, "127.0.0.1"), 0, "ACCESS discovery")
    expect(access(fd, 0, "", ""), 0, "ACCESS discovery, no initiator name")
    expect(access(fd, 0x7fffffff, ini, "127.0.0.1"), -errno.ENOENT,
           "ACCESS unknown tid")
    expect(access(fd, t1, ini, "127.0.0.1"), -errno.ENODEV,
           "ACCESS disabled target")
    mgmt("1", tdir(c1) + "/enabled")
    mgmt("1", tdir(c2) + "/enabled")
    expect(access(fd, t1, ini, "127.0.0.1"), 0, "ACCESS enabled target")
    expect(access(fd, t2, ini, "127.0.0.1"), -errno.EACCES,
           "ACCESS target without LUNs")
    mgmt("add_target_attribute %s allowed_portal 10.1.*" % c1)
    expect(access(fd, t1, ini, "127.0.0.1"), -errno.EACCES,
           "ACCESS portal not allowed")
    expect(access(fd, t1, ini, "10.1.2.3"), 0, "ACCESS allowed portal")
    mgmt("add_target_attribute %s allowed_portal 127.0.0.?" % c1)
    expect(access(fd, t1, ini, "127.0.0.1"), 0,
           "ACCESS second allowed portal")
    expect(access(fd, t1, ini, "127.0.0.10"), -errno.EACCES,
           "ACCESS '?' matches one character only")
    mgmt("del_target_attribute %s allowed_portal 10.1.*" % c1)
    mgmt("del_target_attribute %s allowed_portal 127.0.0.?" % c1)
    expect(access(fd, t1, ini, "10.1.2.3"), 0,
           "ACCESS without allowed_portal")
    # A group without LUNs hides the default LUNs from its initiators
    mgmt("create g", tdir(c1) + "/ini_groups/mgmt")
    mgmt("add iqn.1994-05.com.test:none*",
         tdir(c1) + "/ini_groups/g/initiators/mgmt")
    expect(access(fd, t1, "iqn.1994-05.com.test:none1", "127.0.0.1"),
           -errno.EACCES, "ACCESS initiator of a group without LUNs")
    expect(access(fd, t1, ini, "127.0.0.1"), 0,
           "ACCESS initiator outside the group")
    mgmt("del g", tdir(c1) + "/ini_groups/mgmt")
    expect(access(fd, t1, ini, "127.0.0.1", pad=1), -errno.EINVAL,
           "ACCESS pad set")
    expect(access(fd, t1, b"x" * NAME_LEN, "127.0.0.1"), -errno.EINVAL,
           "ACCESS unterminated initiator")
    expect(access(fd, t1, ini, b"1" * ADDR_LEN), -errno.EINVAL,
           "ACCESS unterminated local_addr")
    expect(access(fd, t1, "", "127.0.0.1"), -errno.EINVAL,
           "ACCESS empty initiator")
    mgmt("0", tdir(c1) + "/enabled")
    mgmt("0", tdir(c2) + "/enabled")


def ctl_auth(fd, c1, t1):
    mgmt("add_attribute IncomingUser du1 dsecret1")
    mgmt("add_attribute IncomingUser du2 dsecret2")
    mgmt("add_attribute OutgoingUser dou dosecret")
    mgmt("add_target_attribute %s IncomingUser tu1 tsecret1" % c1)
    for (tid, d, i, user, secret) in ((0, 0, 0, "du1", "dsecret1"),
                                      (0, 0, 1, "du2", "dsecret2"),
                                      (0, 1, 0, "dou", "dosecret"),
                                      (t1, 0, 0, "tu1", "tsecret1")):
        rc, a = auth(fd, tid, d, i)
        expect(rc, 0, "AUTH tid %d dir %d index %d" % (tid, d, i))
        check(a[:4] == (tid, d, i, 0), "AUTH header %s" % (a[:4],))
        check(a[4] == user.encode().ljust(CHAP_LEN, b"\0") and
              a[5] == secret.encode().ljust(CHAP_LEN, b"\0"),
              "AUTH returned %r/%r, expected %s/%s zero-padded" %
              (cstr(a[4]), cstr(a[5]), user, secret))
    for (tid, d, i) in ((0, 0, 2), (0, 1, 1), (t1, 1, 0), (t1, 0, 1)):
        expect(auth(fd, tid, d, i)[0], -errno.ENOENT,
               "AUTH tid %d dir %d index %d" % (tid, d, i))
    expect(auth(fd, 0, 2, 0)[0], -errno.EINVAL, "AUTH dir 2")
    expect(auth(fd, 0x7fffffff, 0, 0)[0], -errno.ENOENT,
           "AUTH unknown tid")
    mgmt("del_attribute IncomingUser du1")
    rc, a = auth(fd, 0, 0, 0)
    check(rc == 0 and cstr(a[4]) == "du2", "AUTH after deleting du1")
    mgmt("del_attribute IncomingUser du2")
    mgmt("del_attribute OutgoingUser dou")
    mgmt("del_target_attribute %s IncomingUser tu1" % c1)
    expect(auth(fd, 0, 0, 0)[0], -errno.ENOENT, "AUTH with no accounts")


def ctl_login_malformed(fd, c1, t1):
    c, s = tcp_pair()
    sfd = s.fileno()
    lg = lambda **kw: login(fd, kw.pop("tid", t1), kw.pop("sockfd", sfd),
                            **kw)[0]
    mgmt("1", tdir(c1) + "/enabled")
    expect(lg(pad=1), -errno.EINVAL, "LOGIN_DONE pad set")
    expect(lg(pad2=0x100), -errno.EINVAL, "LOGIN_DONE pad2 set")
    expect(lg(tid=0), -errno.EINVAL, "LOGIN_DONE tid 0")
    expect(lg(raw_initiator=b"i" * NAME_LEN), -errno.EINVAL,
           "LOGIN_DONE unterminated initiator")
    expect(lg(raw_initiator=b""), -errno.EINVAL,
           "LOGIN_DONE empty initiator")
    expect(lg(raw_alias=b"a" * ALIAS_LEN), -errno.EINVAL,
           "LOGIN_DONE unterminated alias")
    expect(lg(sockfd=-1), -errno.EBADF, "LOGIN_DONE fd -1")
    expect(lg(sockfd=4095), -errno.EBADF, "LOGIN_DONE closed fd")
    with open("/proc/self/status") as f:
        expect(lg(sockfd=f.fileno()), -errno.ENOTSOCK,
               "LOGIN_DONE regular file")
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.connect(("127.0.0.1", 9))
    expect(lg(sockfd=u.fileno()), -errno.EINVAL, "LOGIN_DONE UDP socket")
    u.close()
    ux1, ux2 = socket.socketpair()
    expect(lg(sockfd=ux1.fileno()), -errno.EINVAL,
           "LOGIN_DONE unix stream socket")
    ux1.close()
    ux2.close()
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    expect(lg(sockfd=t.fileno()), -errno.ENOTCONN,
           "LOGIN_DONE unconnected TCP socket")
    t.bind(("127.0.0.1", 0))
    t.listen(1)
    expect(lg(sockfd=t.fileno()), -errno.ENOTCONN,
           "LOGIN_DONE listening TCP socket")
    t.close()
    expect(lg(tid=0x7fffffff), -errno.ENOENT, "LOGIN_DONE unknown tid")
    bad = (("ErrorRecoveryLevel", 1), ("MaxConnections", 2),
           ("MaxConnections", 0), ("HeaderDigest", 3), ("HeaderDigest", 0),
           ("DataDigest", 4), ("MaxRecvDataSegmentLength", (1 << 20) + 1),
           ("MaxRecvDataSegmentLength", 511),
           ("MaxXmitDataSegmentLength", 100),
           ("MaxXmitDataSegmentLength", 1 << 24),
           ("MaxBurstLength", 0), ("MaxBurstLength", (1 << 20) + 1),
           ("FirstBurstLength", 262144 + 512), ("MaxOutstandingR2T", 0),
           ("InitialR2T", 2), ("ImmediateData", 0xffffffff),
           ("DataPDUInOrder", 2), ("DefaultTime2Wait", 3601),
           ("DefaultTime2Retain", 100000))
    for k, v in bad:
        expect(lg(params=good_params(**{k: v})), -errno.EINVAL,
               "LOGIN_DONE negotiated %s=%d" % (k, v))
    expect(lg(tsih=0x1234), -errno.ENOENT, "LOGIN_DONE unknown TSIH")
    mgmt("0", DRV + "/enabled")
    expect(lg(), -errno.ENODEV, "LOGIN_DONE, driver disabled")
    mgmt("1", DRV + "/enabled")
    mgmt("0", tdir(c1) + "/enabled")
    expect(lg(), -errno.ENODEV, "LOGIN_DONE, target disabled")
    expect(_bad_pointer(fd, IOC_LOGIN_DONE), -errno.EFAULT,
           "LOGIN_DONE with a bad pointer")
    check(os.listdir(tdir(c1) + "/sessions") == [],
          "a rejected LOGIN_DONE left a session behind")
    c.close()
    s.close()


def ctl_events(fd, c1):
    read_events(fd)
    name = "iqn.2024-01.test:ev"
    t = add_target(name, enable=False)
    mgmt("1", tdir(name) + "/enabled")
    mgmt("Yes", tdir(name) + "/InitialR2T")
    mgmt("add_target_attribute %s IncomingUser eu es" % name)
    p = select.poll()
    p.register(fd, select.POLLIN)
    check(p.poll(1000), "poll() shows no queued event")
    ok("poll() -> POLLIN with events queued")
    try:
        os.read(fd, EV.size - 1)
        fail("read() with a short buffer succeeded")
    except OSError as e:
        expect(-e.errno, -errno.EINVAL, "read() with a %d byte buffer" %
               (EV.size - 1))
    del_target(name)
    evs = read_events(fd)
    for code, what in ((EV_TARGET_ADDED, "TARGET_ADDED"),
                       (EV_TARGET_CHANGED, "TARGET_CHANGED"),
                       (EV_TARGET_REMOVED, "TARGET_REMOVED")):
        check(has_event(evs, code, tid=t, name=name),
              "no %s event for %s in %s" % (what, name, evs))
    check(sum(1 for e in evs if e[0] == EV_TARGET_CHANGED) == 3,
          "expected 3 TARGET_CHANGED events: %s" % evs)
    check(all(e[1] == 0 for e in evs), "unexpected flags in %s" % evs)
    ok("events: TARGET_ADDED, 3x TARGET_CHANGED, TARGET_REMOVED")
    fl = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, fl | os.O_NONBLOCK)
    try:
        os.read(fd, EV.size)
        fail("non-blocking read() of an empty queue succeeded")
    except BlockingIOError:
        ok("non-blocking read() of an empty queue -> EAGAIN")
    fcntl.fcntl(fd, fcntl.F_SETFL, fl)

    # A blocking read() waits for the next event
    th = threading.Timer(0.5, lambda: sysfs_write(DRV + "/enabled", "0"))
    th.start()
    t0 = time.monotonic()
    data = os.read(fd, EV.size * 4)
    th.join()
    check(len(data) == EV.size and EV.unpack(data)[0] == EV_TARGET_CHANGED
          and EV.unpack(data)[2] == 0, "blocking read() got %r" % data[:16])
    ok("blocking read() woke up after %.2fs with the driver event" %
       (time.monotonic() - t0))
    mgmt("1", DRV + "/enabled")

    # Overflow: the oldest are dropped, the next record read is flagged
    read_events(fd)
    for i in range(301):
        mgmt("Yes" if i % 2 else "No", tdir(c1) + "/InitialR2T")
    evs = read_events(fd, 1000)
    check(len(evs) == 256, "queue of %d events after overflow" % len(evs))
    check(evs[0][1] == EV_OVERFLOW and all(e[1] == 0 for e in evs[1:]),
          "overflow flags: %s" % [e[1] for e in evs][:4])
    check(all(e[0] == EV_TARGET_CHANGED and e[5] == c1 for e in evs),
          "overflow: unexpected events %s" % evs[:3])
    mgmt("No", tdir(c1) + "/InitialR2T")
    read_events(fd)
    ok("overflow: 256 events kept, first one flagged ISCSI_EV_OVERFLOW")


def scenario_ctl(dev):
    c1, c2 = "iqn.2024-01.test:c1", "iqn.2024-01.test:c2"
    mgmt("0", DRV + "/enabled")
    t1 = add_target(c1, "MaxSessions=7; HeaderDigest=None,CRC32C; "
                    "MaxRecvDataSegmentLength=8192", dev=dev, enable=False)
    t2 = add_target(c2, enable=False)

    r = subprocess.run(["setpriv", "--bounding-set=-sys_admin",
                        "--inh-caps=-sys_admin", sys.executable, "-c",
                        "import os\ntry:\n os.open('%s', os.O_RDWR)\n"
                        " print('opened')\nexcept OSError as e:\n"
                        " print(e.errno)" % DEV],
                       capture_output=True, text=True)
    check(r.stdout.strip() == str(errno.EPERM),
          "open without CAP_SYS_ADMIN: %r %r" % (r.stdout, r.stderr))
    ok("open without CAP_SYS_ADMIN -> EPERM")

    fd = open_ctl()
    fd2 = open_ctl()
    ctl_unregistered(fd)
    ctl_bad_ioctls(fd)
    ctl_register(fd, fd2)
    ctl_bad_ioctls(fd)
    ctl_targets(fd, c1, c2)
    ctl_access(fd, c1, c2, t1, t2)
    ctl_auth(fd, c1, t1)
    ctl_login_malformed(fd, c1, t1)
    ctl_events(fd, c1)

    # Closing the registered file frees the slot for a new daemon
    os.close(fd)
    check(first_line(DRV + "/open_state") == "closed",
          "open_state after the daemon closed the device")
    expect(register(fd2)[0], 0, "REGISTER after the first daemon exited")
    os.close(fd2)
    mgmt("clear", tdir(c1) + "/luns/mgmt")
    del_target(c1)
    del_target(c2)
    mgmt("0", DRV + "/enabled")


# ---------------------------------------------------------------- sessions

INI = "iqn.1994-05.com.test:ini1"
ISID_A = b"\x80\x12\x34\x56\x78\x9a"
ISID_B = b"\x80\x12\x34\x56\x78\x9b"


def sess_dirs(name):
    d = tdir(name) + "/sessions"
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def sess_by_sid(name, sid):
    for s in sess_dirs(name):
        p = "%s/sessions/%s/sid" % (tdir(name), s)
        if os.path.exists(p) and int(first_line(p), 16) == sid:
            return "%s/sessions/%s" % (tdir(name), s)
    return None


def sid_of(isid, tsih):
    return (int.from_bytes(isid, "big") << 16) | tsih


def new_session(fd, tid, isid=ISID_A, host="127.0.0.1", ini=INI, **kw):
    c, s = tcp_pair(host, socket.AF_INET6 if ":" in host else
                    socket.AF_INET)
    rc, tsih = login(fd, tid, s.fileno(), isid=isid, initiator=ini, **kw)
    expect(rc, 0, "LOGIN_DONE %s isid %s via %s" % (ini, isid.hex(), host))
    check(tsih != 0, "LOGIN_DONE returned TSIH 0")
    # The kernel keeps its own reference: the daemon closes its copy
    s.close()
    return c, tsih


def check_session_attrs(name, tsih, host):
    path = sess_by_sid(name, sid_of(ISID_A, tsih))
    check(path is not None, "no session directory with sid %x in %s" %
          (sid_of(ISID_A, tsih), sess_dirs(name)))
    want = {"initiator_name": INI, "InitialR2T": "No",
            "ImmediateData": "Yes", "MaxBurstLength": "262144",
            "FirstBurstLength": "65536", "MaxOutstandingR2T": "1",
            "HeaderDigest": "CRC32C", "DataDigest": "None",
            "MaxRecvDataSegmentLength": "262144",
            "MaxXmitDataSegmentLength": "65536",  # clamped to the target's
            "QueuedCommands": "32", "RspTimeout": "90",
            "NopInInterval": "30", "NopInTimeout": "30",
            "reinstating": "0"}
    for k, v in want.items():
        got = first_line("%s/%s" % (path, k))
        check(got == v, "session %s = %r, expected %r" % (k, got, v))
    pids = sysfs_read(path + "/thread_pid").split()
    check(len(pids) == 2 and all(p.isdigit() and int(p) > 0 for p in pids),
          "thread_pid %r" % pids)
    cdir = "%s/%s" % (path, host)
    check(os.path.isdir(cdir), "no connection directory %s" % cdir)
    for k, v in (("cid", "1"), ("ip", host), ("target_ip", host),
                 ("state", "established")):
        got = first_line("%s/%s" % (cdir, k))
        check(got == v, "connection %s = %r, expected %r" % (k, got, v))
    ok("session and connection attributes of %s" % path)
    return path


def scenario_sessions(dev):
    name = "iqn.2024-01.test:s1"
    mgmt("1", DRV + "/enabled")
    tid = add_target(name, "MaxXmitDataSegmentLength=65536", dev=dev)
    fd = open_ctl()
    expect(register(fd)[0], 0, "REGISTER")
    read_events(fd)

    # 1. a session
    c1, tsih1 = new_session(fd, tid, params=good_params(HeaderDigest=2))
    path1 = check_session_attrs(name, tsih1, "127.0.0.1")
    evs = read_events(fd)
    check(has_event(evs, EV_SESSION_ADDED, tid=tid, tsih=tsih1, name=INI),
          "no SESSION_ADDED event: %s" % evs)
    ok("SESSION_ADDED event")

    # 1b. one socket cannot carry two connections
    ini2 = "iqn.1994-05.com.test:ini2"
    c, s = tcp_pair()
    expect(login(fd, tid, s.fileno(), initiator=ini2)[0], 0,
           "LOGIN_DONE " + ini2)
    expect(login(fd, tid, s.fileno(), initiator=ini2, isid=ISID_B)[0],
           -errno.EBUSY, "LOGIN_DONE with a socket already in use")
    s.close()
    p2 = tdir(name) + "/sessions/" + ini2
    mgmt("1", p2 + "/force_close")
    wait_for(lambda: not os.path.exists(p2), "force_close of " + ini2)
    c.close()

    # 2. TSIH != 0
    c, s = tcp_pair()
    expect(login(fd, tid, s.fileno(), tsih=(tsih1 + 100) & 0xffff)[0],
           -errno.ENOENT, "LOGIN_DONE unknown TSIH")
    expect(login(fd, tid, s.fileno(), tsih=tsih1, isid=ISID_B)[0],
           -errno.ENOENT, "LOGIN_DONE TSIH of another ISID")
    expect(login(fd, tid, s.fileno(), tsih=tsih1, cid=2)[0], -errno.EBUSY,
           "LOGIN_DONE second connection (MaxConnections 1)")
    c.close()
    s.close()
    check(os.path.isdir(path1), "session vanished after refused logins")

    # 3. MaxSessions
    mgmt("1", tdir(name) + "/MaxSessions")
    c, s = tcp_pair()
    expect(login(fd, tid, s.fileno(), isid=ISID_B)[0], -errno.EBUSY,
           "LOGIN_DONE beyond MaxSessions 1")
    c.close()
    s.close()
    mgmt("0", tdir(name) + "/MaxSessions")

    # 4. a second session of the same initiator: <initiator>_1
    c2, tsih2 = new_session(fd, tid, isid=ISID_B)
    check(tsih2 != tsih1, "two sessions with TSIH %d" % tsih1)
    path2 = sess_by_sid(name, sid_of(ISID_B, tsih2))
    check(path2 and path2.endswith("/" + INI + "_1"),
          "second session directory %s" % path2)
    ok("second session %s" % path2)

    # 5. session reinstatement: same initiator and ISID, TSIH 0
    read_events(fd)
    c3, tsih3 = new_session(fd, tid, isid=ISID_A)
    check(tsih3 not in (tsih1, tsih2), "reinstated session reuses a TSIH")
    check(sess_by_sid(name, sid_of(ISID_A, tsih1)) is None,
          "old session still there after reinstatement")
    check(peer_closed(c1), "old connection not closed by reinstatement")
    evs = read_events(fd)
    for code, ts in ((EV_CONN_CLOSED, tsih1), (EV_SESSION_REMOVED, tsih1),
                     (EV_SESSION_ADDED, tsih3)):
        check(has_event(evs, code, tid=tid, tsih=ts),
              "reinstatement: event %d for TSIH %d missing in %s" %
              (code, ts, evs))
    ok("reinstatement replaced TSIH %d by %d" % (tsih1, tsih3))
    c1.close()

    # 6. connection reinstatement (same CID) ends the session at ERL 0
    c, s = tcp_pair()
    expect(login(fd, tid, s.fileno(), tsih=tsih3, cid=1)[0], -errno.ENOENT,
           "LOGIN_DONE connection reinstatement")
    s.close()
    c.close()
    wait_for(lambda: sess_by_sid(name, sid_of(ISID_A, tsih3)) is None,
             "the session to end after connection reinstatement")
    check(peer_closed(c3), "connection of the ended session still open")
    c3.close()
    ok("connection reinstatement ended session %d" % tsih3)

    # 7. force_close
    mgmt("1", path2 + "/force_close")
    wait_for(lambda: not os.path.exists(path2), "force_close")
    check(peer_closed(c2), "force_close did not close the connection")
    c2.close()
    ok("force_close")

    # 8. the initiator closes the connection
    c, tsih = new_session(fd, tid)
    c.close()
    wait_for(lambda: sess_by_sid(name, sid_of(ISID_A, tsih)) is None,
             "the session to end after the initiator closed")
    ok("initiator disconnect ends the session")

    # 9. IPv6 and IPv4-mapped addresses
    c, tsih = new_session(fd, tid, host="::1")
    path = sess_by_sid(name, sid_of(ISID_A, tsih))
    check(os.path.isdir(path + "/::1") and
          first_line(path + "/::1/target_ip") == "::1",
          "IPv6 connection directory in %s" % os.listdir(path))
    ok("IPv6 connection ::1")
    mgmt("1", path + "/force_close")
    wait_for(lambda: not os.path.exists(path), "force_close (IPv6)")
    c.close()
    cm, sm = tcp_pair("127.0.0.1", socket.AF_INET6, listen_host="::")
    rc, tsih = login(fd, tid, sm.fileno())
    expect(rc, 0, "LOGIN_DONE on an IPv4-mapped IPv6 socket")
    sm.close()
    path = sess_by_sid(name, sid_of(ISID_A, tsih))
    check(os.path.isdir(path + "/127.0.0.1"),
          "IPv4-mapped connection directory in %s" % os.listdir(path))
    ok("IPv4-mapped address shown as 127.0.0.1")

    # 10. disabling the target ends its sessions and refuses logins
    mgmt("0", tdir(name) + "/enabled")
    check(not os.path.exists(path), "session survived disabling the target")
    check(peer_closed(cm), "connection survived disabling the target")
    cm.close()
    c, s = tcp_pair()
    expect(login(fd, tid, s.fileno())[0], -errno.ENODEV,
           "LOGIN_DONE on the disabled target")
    c.close()
    s.close()
    mgmt("1", tdir(name) + "/enabled")
    ok("disable ends sessions")

    # 11. del_target with a live session
    c, tsih = new_session(fd, tid)
    read_events(fd)
    mgmt("clear", tdir(name) + "/luns/mgmt")
    del_target(name)
    check(peer_closed(c), "connection survived del_target")
    c.close()
    evs = read_events(fd)
    check(has_event(evs, EV_SESSION_REMOVED, tid=tid, tsih=tsih) and
          has_event(evs, EV_TARGET_REMOVED, tid=tid),
          "del_target events: %s" % evs)
    ok("del_target ends sessions")
    os.close(fd)
    mgmt("0", DRV + "/enabled")


def scenario_hold(dev):
    """A live session left behind for rmmod"""
    name = "iqn.2024-01.test:hold"
    mgmt("1", DRV + "/enabled")
    tid = add_target(name, dev=dev)
    fd = open_ctl()
    expect(register(fd)[0], 0, "REGISTER")
    c, tsih = new_session(fd, tid)
    check(os.path.isdir(tdir(name) + "/sessions/" + INI),
          "no session directory")
    os.close(fd)
    # The daemon exited; the session stays
    time.sleep(0.5)
    check(os.path.isdir(tdir(name) + "/sessions/" + INI),
          "session ended with the daemon")
    ok("session survives the daemon's exit")
    # Keep the initiator side open in a child that outlives us
    pid = os.fork()
    if pid == 0:
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        for i in range(3):
            os.dup2(null, i)
        time.sleep(600)
        os._exit(0)
    c.close()
    print("holder_pid %d" % pid, flush=True)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("ctl", "sessions", "hold"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    {"ctl": scenario_ctl, "sessions": scenario_sessions,
     "hold": scenario_hold}[sys.argv[1]](sys.argv[2])
    print("%s: %d checks passed" % (sys.argv[1], nchecks), flush=True)


if __name__ == "__main__":
    main()
