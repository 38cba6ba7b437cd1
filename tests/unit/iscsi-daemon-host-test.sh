#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of iscsi-scstd without the kernel module: the daemon runs with
# its fake kernel (ISCSI_SCSTD_FAKE_KERNEL, see iscsi-scst/usr/fake.c) on a
# non-default port, and is driven by libiscsi's tools (iscsi-ls, iscsi-inq)
# and by a small raw-PDU client embedded below (SHA CHAP variants, mutual
# CHAP checks, digests, continuations, malformed input, floods).
#
#   tests/unit/iscsi-daemon-host-test.sh            run everything
#   ISCSI_TEST_PORT=3263 tests/unit/...             another port
#   KEEP=1 tests/unit/...                           keep the work directory
#   ISCSI_SCSTD=/path/to/iscsi-scstd tests/unit/... test another build
#                                                   (e.g. one with -fsanitize)
#
# Exits 0 if every check passed.  Never leaves a process behind.

set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
DAEMON=${ISCSI_SCSTD:-$ROOT/iscsi-scst/usr/iscsi-scstd}
PORT=${ISCSI_TEST_PORT:-3262}
WORK=$(mktemp -d /tmp/iscsi-daemon-test.XXXXXX)
CONF=$WORK/fake.conf
LOG=$WORK/daemon.log
PY=$WORK/client.py
DPID=
BGPID=		# the daemonized one of t_daemonize
PASS=0
FAIL=0
SKIP=0

cleanup() {
	stop_daemon
	[ -n "$BGPID" ] && kill -TERM "$BGPID" 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then
		echo "work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
skip() { SKIP=$((SKIP + 1)); echo "skip $*"; }
check() {	# check "description" command...
	local what=$1
	shift
	if "$@" >>"$WORK/checks.log" 2>&1; then ok "$what"; else bad "$what"; fi
}

# ---- daemon control ----------------------------------------------------

start_daemon() {	# start_daemon [options...]
	: >"$LOG"
	ISCSI_SCSTD_FAKE_KERNEL=$CONF ISCSI_SCSTD_PIDFILE= \
	ISCSI_SCSTD_LOGIN_TIMEOUT=${LOGIN_TIMEOUT:-15} \
	ISCSI_SCSTD_MAX_CONNS=${MAX_CONNS:-128} \
		"$DAEMON" -f -d 1 -p "$PORT" "$@" >>"$LOG" 2>&1 &
	DPID=$!
	for _ in $(seq 50); do
		grep -q "started" "$LOG" && return 0
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	echo "daemon did not start:"; cat "$LOG"
	DPID=
	return 1
}

stop_daemon() {
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=
	cat "$LOG" >>"$WORK/daemon-all.log"
}

daemon_alive() { [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; }

# The daemon logged a line matching a pattern (within a few seconds)
logged() {
	for _ in $(seq 30); do
		grep -qE -- "$1" "$LOG" && return 0
		sleep 0.1
	done
	echo "not in the daemon log: $1"
	return 1
}

# ---- raw-PDU client ----------------------------------------------------

cat >"$PY" <<'PYEOF'
"""Minimal iSCSI login/discovery client for testing iscsi-scstd."""
import hashlib, os, socket, struct, sys, time, random, base64

def crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t
CRCT = crc32c_table()

def crc32c(b, crc=0):
    crc ^= 0xffffffff
    for x in b:
        crc = CRCT[(crc ^ x) & 0xff] ^ (crc >> 8)
    return crc ^ 0xffffffff

ALGS = {5: 'md5', 6: 'sha1', 7: 'sha256', 8: 'sha3_256'}

def chap(alg, ident, secret, chal):
    return hashlib.new(ALGS[alg], bytes([ident]) + secret.encode() + chal).digest()

def pad(n):
    return (4 - n % 4) % 4

def kv_bytes(pairs):
    return b''.join(('%s=%s' % kv).encode() + b'\0' for kv in pairs)

def parse_kv(data):
    out = []
    for s in data.split(b'\0'):
        if s:
            k, _, v = s.decode().partition('=')
            out.append((k, v))
    return out

class Conn:
    def __init__(self, host, port, timeout=5.0):
        fam = socket.AF_INET6 if ':' in host else socket.AF_INET
        self.s = socket.socket(fam, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect((host, port))
        self.hd = self.dd = False
        self.isid = bytes([0x80]) + os.urandom(5)
        self.itt = 1
        self.cmdsn = 1000
        self.expstatsn = 0
        self.tsih = 0
        self.cid = 1

    def send(self, bhs, data=b''):
        bhs = bytearray(bhs)
        bhs[5:8] = len(data).to_bytes(3, 'big')
        out = bytes(bhs)
        if self.hd:
            out += struct.pack('<I', crc32c(bhs))
        if data:
            d = data + b'\0' * pad(len(data))
            out += d
            if self.dd:
                out += struct.pack('<I', crc32c(d))
        self.s.sendall(out)

    def recvn(self, n):
        b = b''
        while len(b) < n:
            x = self.s.recv(n - len(b))
            if not x:
                raise EOFError('connection closed')
            b += x
        return b

    def recv(self):
        bhs = self.recvn(48)
        if self.hd:
            if struct.unpack('<I', self.recvn(4))[0] != crc32c(bhs):
                raise ValueError('bad header digest from target')
        dlen = int.from_bytes(bhs[5:8], 'big')
        data = b''
        if dlen:
            d = self.recvn(dlen + pad(dlen))
            if self.dd:
                if struct.unpack('<I', self.recvn(4))[0] != crc32c(d):
                    raise ValueError('bad data digest from target')
            data = d[:dlen]
        return bhs, data

    def login_pdu(self, flags, data):
        bhs = bytearray(48)
        bhs[0] = 0x43
        bhs[1] = flags
        bhs[8:14] = self.isid
        struct.pack_into('>HIH', bhs, 14, self.tsih, self.itt, self.cid)
        struct.pack_into('>II', bhs, 24, self.cmdsn, self.expstatsn)
        self.send(bhs, data)
        rb, rd = self.recv()
        assert rb[0] == 0x23, 'not a login response: %x' % rb[0]
        self.expstatsn = struct.unpack('>I', rb[24:28])[0] + 1
        return rb, rd

    def login(self, flags, pairs):
        """One request (sent in C-bit parts if long); the whole answer."""
        data = kv_bytes(pairs)
        while len(data) > 8192:
            rb, rd = self.login_pdu((flags & 0x0c) | 0x40, data[:8192])
            status = rb[36] << 8 | rb[37]
            if status:
                return status, rb[1], [], rb
            data = data[8192:]
        rb, rd = self.login_pdu(flags, data)
        text = rd
        while rb[1] & 0x40 and not (rb[36] or rb[37]):
            rb, rd = self.login_pdu(flags, b'')
            text += rd
        return rb[36] << 8 | rb[37], rb[1], parse_kv(text), rb

    def text(self, pairs, ttt=0xffffffff, flags=0x80):
        bhs = bytearray(48)
        bhs[0] = 0x04
        bhs[1] = flags
        struct.pack_into('>III', bhs, 16, self.itt, ttt, self.cmdsn)
        struct.pack_into('>I', bhs, 28, self.expstatsn)
        self.cmdsn += 1
        self.send(bhs, kv_bytes(pairs))
        rb, rd = self.recv()
        self.expstatsn = struct.unpack('>I', rb[24:28])[0] + 1
        return rb, rd

    def send_targets(self, value='All'):
        rb, rd = self.text([('SendTargets', value)])
        parts, text = 1, rd
        assert rb[0] == 0x24, 'not a text response: %x' % rb[0]
        while rb[1] & 0x40:
            assert not rb[1] & 0x80
            ttt = struct.unpack('>I', rb[20:24])[0]
            assert ttt != 0xffffffff
            rb, rd = self.text([], ttt=ttt)
            assert rb[0] == 0x24
            text += rd
            parts += 1
        assert rb[1] & 0x80 and struct.unpack('>I', rb[20:24])[0] == 0xffffffff
        return parse_kv(text), parts

    def logout(self):
        bhs = bytearray(48)
        bhs[0] = 0x46
        bhs[1] = 0x80
        struct.pack_into('>IH', bhs, 16, self.itt, self.cid)
        struct.pack_into('>II', bhs, 24, self.cmdsn, self.expstatsn)
        self.send(bhs)
        rb, rd = self.recv()
        assert rb[0] == 0x26 and rb[2] == 0, 'bad logout response'
        try:
            return self.s.recv(1) == b''
        except OSError:
            return True

def fail(msg):
    print('FAILED:', msg)
    sys.exit(1)

def expect(cond, msg):
    if not cond:
        fail(msg)

def get(pairs, key):
    for k, v in pairs:
        if k == key:
            return v
    return None

# ---- scenarios ----

def do_login(a):
    """A full login; CHAP with a.alg/a.user/a.secret; mutual if a.tsecret."""
    c = Conn(a.host, a.port)
    ini = a.initiator
    first = [('InitiatorName', ini)]
    if a.target:
        first += [('SessionType', 'Normal'), ('TargetName', a.target)]
    else:
        first += [('SessionType', 'Discovery')]
    first += [('AuthMethod', 'CHAP,None' if a.user else 'None')]
    st, fl, kv, rb = c.login(0x81, first)
    if st:
        return c, st, kv
    if a.target:
        expect(get(kv, 'TargetPortalGroupTag') == '1', 'no TPGT: %s' % kv)
    if a.user:
        expect(get(kv, 'AuthMethod') == 'CHAP', 'no CHAP: %s' % kv)
        expect(fl & 0x80 == 0, 'transit before CHAP')
        st, fl, kv, rb = c.login(0x81, [('CHAP_A', a.alg)])
        if st:
            return c, st, kv
        alg = int(get(kv, 'CHAP_A'))
        ident = int(get(kv, 'CHAP_I'))
        chal = bytes.fromhex(get(kv, 'CHAP_C')[2:])
        expect(len(chal) >= 16, 'short challenge')
        if a.expect_alg:
            expect(alg == int(a.expect_alg), 'CHAP_A %d' % alg)
        r = chap(alg, ident, a.secret, chal)
        rv = ('0b' + base64.b64encode(r).decode()) if a.b64 else '0x' + r.hex()
        ans = [('CHAP_N', a.user), ('CHAP_R', rv)]
        if a.tsecret is not None:
            mine = chal if a.reflect else os.urandom(16)
            mid = random.randrange(256)
            ans += [('CHAP_I', str(mid)), ('CHAP_C', '0x' + mine.hex())]
        st, fl, kv, rb = c.login(0x81, ans)
        if st:
            return c, st, kv
        if a.tsecret is not None:
            expect(get(kv, 'CHAP_N') == a.tuser, 'CHAP_N %s' % kv)
            want = chap(alg, mid, a.tsecret, mine)
            expect(get(kv, 'CHAP_R') == '0x' + want.hex(),
                   'wrong target CHAP_R %s' % kv)
        expect(fl == 0x81, 'no transit after CHAP: %x' % fl)
    ops = [tuple(x.split('=', 1)) for x in a.ops] if a.ops else []
    st, fl, kv, rb = c.login(0x87, ops)
    while not st and fl & 0x80 == 0:
        # the target proposes keys: accept them as they are
        prop = [p for p in kv if p[0] != 'MaxRecvDataSegmentLength']
        expect(prop, 'no transit and nothing proposed')
        st, fl, kv2, rb = c.login(0x87, prop)
        kv = kv + kv2
    if not st:
        expect(fl == 0x87, 'final flags %x' % fl)
        tsih = struct.unpack('>H', rb[14:16])[0]
        expect(tsih != 0, 'TSIH 0 in the final response')
        for e in a.expect_key or []:
            k, v = e.split('=', 1)
            expect(get(kv, k) == v, '%s is %s, not %s' % (k, get(kv, k), v))
        if not a.target:
            c.hd = get(kv, 'HeaderDigest') == 'CRC32C'
            c.dd = get(kv, 'DataDigest') == 'CRC32C'
    return c, st, kv

def s_login(a):
    c, st, kv = do_login(a)
    expect(st == int(a.status, 0), 'status 0x%04x, expected %s' % (st, a.status))
    if st == 0 and a.target:
        # the kernel owns the connection now; the fake one drops it
        try:
            expect(c.s.recv(1) == b'', 'data after the final response')
        except OSError:
            pass
    print('status 0x%04x' % st)

def s_discover(a):
    c, st, kv = do_login(a)
    expect(st == 0, 'discovery login status 0x%04x' % st)
    targets, parts = c.send_targets(a.value)
    for k, v in targets:
        print('%s=%s' % (k, v))
    print('parts=%d' % parts)
    expect(parts >= int(a.min_parts), 'only %d parts' % parts)
    expect(c.logout(), 'not closed after logout')

def s_proto(a):
    """Malformed logins: each must fail with its status, not hang."""
    cases = [
        ('key twice', 0x81, [('InitiatorName', 'iqn.x'), ('SessionType', 'Discovery'),
                             ('AuthMethod', 'None'), ('AuthMethod', 'None')], 0x0200),
        ('no InitiatorName', 0x81, [('SessionType', 'Discovery')], 0x0207),
        ('no TargetName', 0x81, [('InitiatorName', 'iqn.x')], 0x0207),
        ('bad SessionType', 0x81, [('InitiatorName', 'iqn.x'), ('SessionType', 'X')], 0x0209),
        ('T and C', 0xc1, [('InitiatorName', 'iqn.x')], 0x0200),
        ('NSG 2', 0x82, [('InitiatorName', 'iqn.x')], 0x0200),
    ]
    for name, flags, pairs, want in cases:
        c = Conn(a.host, a.port)
        st, fl, kv, rb = c.login(flags, pairs)
        expect(st == want, '%s: 0x%04x, expected 0x%04x' % (name, st, want))
        try:
            expect(c.s.recv(1) == b'', '%s: not closed' % name)
        except OSError:
            pass
        print('%s: 0x%04x' % (name, st))
    # version 1 only
    c = Conn(a.host, a.port)
    bhs = bytearray(48)
    bhs[0], bhs[1], bhs[2], bhs[3] = 0x43, 0x81, 2, 1
    bhs[8:14] = c.isid
    c.send(bhs, kv_bytes([('InitiatorName', 'iqn.x'), ('SessionType', 'Discovery')]))
    rb, rd = c.recv()
    expect(rb[36] << 8 | rb[37] == 0x0205, 'version status')
    # oversized data segment: refused from the header alone
    c = Conn(a.host, a.port)
    bhs = bytearray(48)
    bhs[0], bhs[1] = 0x43, 0x81
    bhs[5:8] = (100000).to_bytes(3, 'big')
    c.s.sendall(bytes(bhs))
    rb, rd = c.recv()
    expect(rb[36] << 8 | rb[37] == 0x0200, 'oversized status')
    # garbage: closed without an answer
    c = Conn(a.host, a.port)
    c.s.sendall(os.urandom(48).replace(b'\x43', b'\x41'))
    try:
        expect(c.s.recv(100) == b'' or True, '')
    except OSError:
        pass
    print('proto ok')

def s_flood(a):
    """N connections that never send; then a discovery must still work."""
    socks = []
    fam = socket.AF_INET6 if ':' in a.host else socket.AF_INET
    for _ in range(int(a.count)):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect((a.host, a.port))
        except BlockingIOError:
            pass
        socks.append(s)
    time.sleep(0.5)
    t0 = time.time()
    a.target = None
    a.user = None
    c, st, kv = do_login(a)
    expect(st == 0, 'discovery during the flood: 0x%04x' % st)
    targets, parts = c.send_targets('All')
    expect(len(targets) > 0, 'no targets')
    print('discovery during a flood of %s took %.2fs' % (a.count, time.time() - t0))
    for s in socks:
        s.close()

def s_slowloris(a):
    """A client dribbling bytes cannot hold the daemon up."""
    slow = Conn(a.host, a.port)
    bhs = bytearray(48)
    bhs[0], bhs[1] = 0x43, 0x81
    slow.s.sendall(bytes(bhs[:10]))
    a.target = None
    a.user = None
    t0 = time.time()
    c, st, kv = do_login(a)
    expect(st == 0, 'login next to a slow client: 0x%04x' % st)
    c.send_targets('All')
    expect(time.time() - t0 < 2, 'discovery slowed down')
    # the slow one is cut at the login timeout
    t0 = time.time()
    try:
        while time.time() - t0 < float(a.timeout) + 5:
            slow.s.sendall(b'\0')
            time.sleep(0.2)
        fail('slow client never disconnected')
    except (BrokenPipeError, ConnectionResetError, OSError):
        pass
    took = time.time() - t0
    print('slow client dropped after %.1fs' % took)
    expect(took < float(a.timeout) + 3, 'dropped late')

def s_idle(a):
    """A silent connection is closed at the login timeout."""
    c = Conn(a.host, a.port, timeout=float(a.timeout) + 10)
    t0 = time.time()
    try:
        r = c.s.recv(1)
    except ConnectionResetError:
        r = b''
    took = time.time() - t0
    print('closed after %.1fs' % took)
    expect(r == b'' and float(a.timeout) - 1 < took < float(a.timeout) + 3,
           'closed after %.1fs' % took)

class Args:
    pass

def main():
    a = Args()
    a.host, a.port = sys.argv[2], int(sys.argv[3])
    a.initiator = 'iqn.2024-01.test:pyclient'
    a.target = a.user = a.secret = a.tsecret = a.tuser = None
    a.alg, a.expect_alg, a.status, a.ops, a.expect_key = '5', None, '0', [], []
    a.value, a.min_parts, a.reflect, a.b64 = 'All', '1', False, False
    a.count, a.timeout = '300', '15'
    for arg in sys.argv[4:]:
        k, _, v = arg.partition('=')
        k = k.replace('-', '_')
        if k in ('ops', 'expect_key'):
            getattr(a, k).append(v)
        elif k in ('reflect', 'b64'):
            setattr(a, k, True)
        else:
            setattr(a, k, v)
    try:
        {'login': s_login, 'discover': s_discover, 'proto': s_proto,
         'flood': s_flood, 'slowloris': s_slowloris, 'idle': s_idle
         }[sys.argv[1]](a)
    except (AssertionError, EOFError, ValueError, OSError) as e:
        fail('%s: %s' % (type(e).__name__, e))

main()
PYEOF

pyc() {	# pyc scenario [key=value...]: against 127.0.0.1
	python3 "$PY" "$1" 127.0.0.1 "$PORT" "${@:2}"
}

# ---- configuration of the fake kernel ------------------------------------

write_conf() {
	cat >"$CONF" <<EOF
# fake iscsi-scst.ko for $0
target iqn.2024-01.test:disk1 1
  alias Disk One
target iqn.2024-01.test:chap 2
  incoming alice alicesecret12
  incoming bob bobsecret1234
  outgoing tgtuser tgtsecret123
target iqn.2024-01.test:off 3
  enabled 0
target iqn.2024-01.test:crc 4
  param HeaderDigest CRC32C
  param DataDigest CRC32C,None
target iqn.2024-01.test:denied 5
  deny iqn.2024-01.test:pyclient
  deny iqn.2024-01.test:denied-ini
target iqn.2024-01.test:busy 6
  login_errno 16
target iqn.2024-01.test:small 7
  param ImmediateData No
  param MaxBurstLength 65536
  param FirstBurstLength 16384
target iqn.2024-01.test:chap-noout 8
  incoming alice alicesecret12
target iqn.2024-01.test:slow 9
  login_delay_ms 3000
EOF
}

# libiscsi: one login, judged from the daemon log by the initiator name
inq() {	# inq initiator url
	timeout 3 iscsi-inq -i "$1" "$2" >>"$WORK/libiscsi.log" 2>&1
	return 0
}

# ---- tests -----------------------------------------------------------------

t_options() {
	check "-v prints the version" bash -c "'$DAEMON' -v | grep -q 'iscsi-scstd'"
	check "-h prints the options" bash -c "'$DAEMON' -h | grep -q -- '--address'"
	check "bad option fails" bash -c "! '$DAEMON' --bogus 2>/dev/null"
	check "bad port fails" bash -c "! '$DAEMON' -p 70000 2>/dev/null"
	if [ ! -e /dev/iscsi-scst-ctl ]; then
		check "no kernel module: clear error, exit 1" bash -c \
			"ISCSI_SCSTD_PIDFILE= '$DAEMON' -f -p $PORT 2>&1 | grep -q 'cannot open /dev/iscsi-scst-ctl'"
	fi
}

t_discovery() {
	local out
	out=$(iscsi-ls "iscsi://127.0.0.1:$PORT" 2>&1)
	echo "$out" >>"$WORK/checks.log"
	check "iscsi-ls lists enabled targets" grep -q "iqn.2024-01.test:disk1 Portal:127.0.0.1:$PORT,1" <<<"$out"
	check "iscsi-ls does not list disabled targets" bash -c "! grep -q ':off ' <<<'$out'"
	out=$(iscsi-ls -i iqn.2024-01.test:denied-ini "iscsi://127.0.0.1:$PORT" 2>&1)
	check "discovery hides targets denied to the initiator" bash -c "! grep -q ':denied ' <<<'$out'"
	check "discovery shows others to that initiator" grep -q ":disk1 " <<<"$out"
	out=$(iscsi-ls "iscsi://[::1]:$PORT" 2>&1)
	echo "$out" >>"$WORK/checks.log"
	check "discovery over IPv6, portal in brackets" grep -q "Portal:\[::1\]:$PORT,1" <<<"$out"
	check "raw discovery with CRC32C header and data digests" \
		pyc discover ops=HeaderDigest=CRC32C ops=DataDigest=CRC32C \
		expect_key=HeaderDigest=CRC32C expect_key=DataDigest=CRC32C
	check "SendTargets=<name>" bash -c "python3 '$PY' discover 127.0.0.1 $PORT value=iqn.2024-01.test:crc | grep -qx 'TargetName=iqn.2024-01.test:crc'"
}

t_long_discovery() {
	local i
	cp "$CONF" "$CONF.save"
	for i in $(seq 1 150); do
		echo "target iqn.2024-01.test:many-targets-for-a-long-answer-$i $((100 + i))" >>"$CONF"
	done
	check "SendTargets answer over several Text Responses (150 targets)" \
		pyc discover min_parts=2
	check "... and over 30 with MaxRecvDataSegmentLength=512" \
		pyc discover ops=MaxRecvDataSegmentLength=512 min_parts=30
	local n
	n=$(iscsi-ls "iscsi://127.0.0.1:$PORT" 2>/dev/null | grep -c many-targets)
	check "iscsi-ls sees all 150 targets of a long answer ($n)" test "$n" = 150
	mv "$CONF.save" "$CONF"
}

t_normal() {
	inq iqn.2024-01.test:plain "iscsi://127.0.0.1:$PORT/iqn.2024-01.test:disk1/0"
	check "libiscsi normal login reaches LOGIN_DONE" logged "test:plain logged in to iqn.2024-01.test:disk1"
	check "raw normal login, TPGT in the first response" pyc login target=iqn.2024-01.test:disk1
	check "raw normal login: negotiated values" pyc login target=iqn.2024-01.test:disk1 \
		ops=MaxRecvDataSegmentLength=65536 ops=MaxBurstLength=262144 \
		ops=FirstBurstLength=262144 ops=InitialR2T=Yes ops=ImmediateData=No \
		ops=X-vendor.key=1 \
		expect_key=MaxRecvDataSegmentLength=1048576 \
		expect_key=MaxBurstLength=262144 expect_key=FirstBurstLength=Irrelevant \
		expect_key=InitialR2T=Yes expect_key=ImmediateData=No \
		expect_key=X-vendor.key=NotUnderstood
	check "fake kernel got the negotiated values" logged "InitialR2T=1 ImmediateData=0 MaxBurstLength=262144 .*MaxXmitDSL=65536 MaxRecvDSL=1048576"
	check "target proposes ImmediateData/bursts it needs" pyc login target=iqn.2024-01.test:small \
		expect_key=ImmediateData=No expect_key=MaxBurstLength=65536
	check "fake kernel got the proposed values" logged "ImmediateData=0 MaxBurstLength=65536 FirstBurstLength=16384"
}

t_errors() {
	inq iqn.2024-01.test:unknown "iscsi://127.0.0.1:$PORT/iqn.2024-01.test:nope/0"
	check "unknown target: 0x0203 target not found" logged "test:unknown to iqn.2024-01.test:nope failed: target not found \(0x0203\)"
	check "raw: unknown target 0x0203" pyc login target=iqn.2024-01.test:nope status=0x0203
	inq iqn.2024-01.test:disabled "iscsi://127.0.0.1:$PORT/iqn.2024-01.test:off/0"
	check "disabled target: 0x0301 service unavailable" logged "test:disabled to iqn.2024-01.test:off failed: service unavailable \(0x0301\)"
	check "raw: disabled target 0x0301" pyc login target=iqn.2024-01.test:off status=0x0301
	check "raw: denied initiator 0x0202" pyc login target=iqn.2024-01.test:denied status=0x0202
	check "raw: LOGIN_DONE -EBUSY for a new session 0x0302" pyc login target=iqn.2024-01.test:busy status=0x0302
	check "raw: malformed logins fail with their status" pyc proto
	# the fake kernel is re-read: disable the driver on the fly
	sed -i '1i driver_enabled 0' "$CONF"
	check "driver disabled: discovery 0x0301" pyc login status=0x0301
	check "driver disabled: login 0x0301" pyc login target=iqn.2024-01.test:disk1 status=0x0301
	sed -i '1d' "$CONF"
	check "driver enabled again" pyc login target=iqn.2024-01.test:disk1
}

t_chap() {
	local u="iscsi://alice%alicesecret12@127.0.0.1:$PORT/iqn.2024-01.test:chap/0"
	inq iqn.2024-01.test:chap-ok "$u"
	check "libiscsi CHAP (MD5) with the right secret" logged "test:chap-ok logged in to iqn.2024-01.test:chap .*CHAP user alice"
	inq iqn.2024-01.test:chap-bad "iscsi://alice%wrongsecret1@127.0.0.1:$PORT/iqn.2024-01.test:chap/0"
	check "libiscsi CHAP with a wrong secret: 0x0201" logged "test:chap-bad to iqn.2024-01.test:chap failed: authentication failure \(0x0201\)"
	inq iqn.2024-01.test:chap-none "iscsi://127.0.0.1:$PORT/iqn.2024-01.test:chap/0"
	check "libiscsi without CHAP where it is required: 0x0201" logged "test:chap-none to iqn.2024-01.test:chap failed: authentication failure"
	inq iqn.2024-01.test:mutual-ok "$u?target_user=tgtuser&target_password=tgtsecret123"
	check "libiscsi mutual CHAP: target's response verified by libiscsi" logged "test:mutual-ok logged in to iqn.2024-01.test:chap"
	timeout 3 iscsi-inq -i iqn.2024-01.test:mutual-bad "$u?target_user=tgtuser&target_password=notthisone12" >"$WORK/mutual-bad.log" 2>&1
	check "libiscsi mutual CHAP with a wrong target secret is refused by libiscsi" grep -q "Invalid CHAP_R" "$WORK/mutual-bad.log"
	check "raw CHAP MD5" pyc login target=iqn.2024-01.test:chap user=alice secret=alicesecret12 alg=5 expect_alg=5
	check "raw CHAP SHA-1" pyc login target=iqn.2024-01.test:chap user=alice secret=alicesecret12 alg=6 expect_alg=6
	check "raw CHAP SHA-256" pyc login target=iqn.2024-01.test:chap user=alice secret=alicesecret12 alg=7 expect_alg=7
	check "raw CHAP SHA3-256" pyc login target=iqn.2024-01.test:chap user=alice secret=alicesecret12 alg=8 expect_alg=8
	check "raw CHAP: strongest offered is chosen" pyc login target=iqn.2024-01.test:chap user=bob secret=bobsecret1234 alg=5,6,7 expect_alg=7
	check "raw CHAP: base64 response" pyc login target=iqn.2024-01.test:chap user=bob secret=bobsecret1234 b64
	check "raw CHAP: second account" pyc login target=iqn.2024-01.test:chap user=bob secret=bobsecret1234 alg=6
	check "raw CHAP: wrong secret 0x0201" pyc login target=iqn.2024-01.test:chap user=alice secret=bobsecret1234 status=0x0201
	check "raw CHAP: unknown user 0x0201" pyc login target=iqn.2024-01.test:chap user=eve secret=alicesecret12 status=0x0201
	check "raw CHAP: unsupported CHAP_A 0x0201" pyc login target=iqn.2024-01.test:chap user=alice secret=alicesecret12 alg=1,2 status=0x0201
	check "raw mutual CHAP SHA-256, target response checked" pyc login target=iqn.2024-01.test:chap user=alice secret=alicesecret12 alg=7 tuser=tgtuser tsecret=tgtsecret123
	check "raw mutual CHAP: reflected challenge 0x0201" pyc login target=iqn.2024-01.test:chap user=alice secret=alicesecret12 tuser=tgtuser tsecret=tgtsecret123 reflect status=0x0201
	check "raw mutual CHAP without OutgoingUser 0x0201" pyc login target=iqn.2024-01.test:chap-noout user=alice secret=alicesecret12 tuser=x tsecret=y status=0x0201
	check "raw: CHAP not configured, None accepted" pyc login target=iqn.2024-01.test:disk1
}

t_discovery_chap() {
	cp "$CONF" "$CONF.save"
	sed -i '1i discovery_incoming disco discosecret12\ndiscovery_outgoing dtgt dtgtsecret123' "$CONF"
	check "discovery CHAP: None refused 0x0201" pyc login status=0x0201
	check "discovery CHAP: target accounts do not count" pyc login user=alice secret=alicesecret12 status=0x0201
	check "discovery CHAP (SHA-256, mutual)" pyc discover user=disco secret=discosecret12 alg=7 tuser=dtgt tsecret=dtgtsecret123
	local out
	out=$(iscsi-ls "iscsi://disco%discosecret12@127.0.0.1:$PORT" 2>&1)
	check "iscsi-ls with discovery CHAP" grep -q ":disk1 " <<<"$out"
	out=$(iscsi-ls "iscsi://disco%wrong@127.0.0.1:$PORT" 2>&1)
	check "iscsi-ls with a wrong discovery secret lists nothing" bash -c "! grep -q ':disk1 ' <<<'$out'"
	mv "$CONF.save" "$CONF"
}

t_digests() {
	inq iqn.2024-01.test:crc-hd "iscsi://127.0.0.1:$PORT/iqn.2024-01.test:crc/0?header_digest=crc32c"
	check "libiscsi HeaderDigest CRC32C negotiated" logged "test:crc-hd logged in to iqn.2024-01.test:crc .*HeaderDigest=CRC32C DataDigest=None"
	check "raw: CRC32C,None -> CRC32C where required" pyc login target=iqn.2024-01.test:crc \
		ops=HeaderDigest=None,CRC32C ops=DataDigest=CRC32C,None \
		expect_key=HeaderDigest=CRC32C expect_key=DataDigest=CRC32C
	check "raw: target proposes a required digest" pyc login target=iqn.2024-01.test:crc \
		expect_key=HeaderDigest=CRC32C
	check "raw: only None where CRC32C is required: 0x0200" pyc login target=iqn.2024-01.test:crc \
		ops=HeaderDigest=None status=0x0200
	check "raw: None where the target allows it" pyc login target=iqn.2024-01.test:disk1 \
		ops=HeaderDigest=CRC32C,None expect_key=HeaderDigest=None
}

# ISCSI_IOC_LOGIN_DONE can block (session reinstatement): not the daemon
t_slow_login_done() {
	local p t0 t1 rc n
	python3 "$PY" login 127.0.0.1 "$PORT" target=iqn.2024-01.test:slow \
		>"$WORK/slow.log" 2>&1 &
	p=$!
	sleep 0.5
	t0=$(date +%s%N)
	check "discovery while a LOGIN_DONE takes 3s" pyc discover
	t1=$(date +%s%N)
	check "... is not held up by it ($(( (t1 - t0) / 1000000 )) ms)" \
		test $(( (t1 - t0) / 1000000 )) -lt 1500
	wait "$p"
	rc=$?
	check "the slow login then completes" test $rc = 0
	# SIGTERM while a LOGIN_DONE runs: the login is finished first
	n=$(grep -c "LOGIN_DONE tid=9 " "$LOG")
	python3 "$PY" login 127.0.0.1 "$PORT" target=iqn.2024-01.test:slow \
		>"$WORK/slow2.log" 2>&1 &
	p=$!
	for _ in $(seq 50); do
		[ "$(grep -c "LOGIN_DONE tid=9 " "$LOG")" -gt "$n" ] && break
		sleep 0.1
	done
	kill -TERM "$DPID"
	wait "$p"
	rc=$?
	check "SIGTERM during LOGIN_DONE: the login still completes" test $rc = 0
	wait "$DPID" 2>/dev/null
	DPID=
	cat "$LOG" >>"$WORK/daemon-all.log"
	check "... and the daemon exits after it" grep -q "iscsi-scstd stopped" "$LOG"
	start_daemon
}

t_flood() {
	check "300 silent connections, then a discovery still works" pyc flood count=300
	check "daemon alive after the flood" daemon_alive
	check "libiscsi discovery after the flood" bash -c "iscsi-ls 'iscsi://127.0.0.1:$PORT' | grep -q disk1"
}

t_timeouts() {
	stop_daemon
	LOGIN_TIMEOUT=2 start_daemon || return
	check "silent connection closed at the login timeout (2s)" pyc idle timeout=2
	check "a dribbling client does not hold others up, and is dropped" pyc slowloris timeout=2
	stop_daemon
	start_daemon
}

t_restart() {
	local c
	stop_daemon
	start_daemon || { bad "restart"; return; }
	check "restart on the same port works at once" pyc login target=iqn.2024-01.test:disk1
	stop_daemon
	check "SIGTERM: clean exit message" grep -q "iscsi-scstd stopped" "$LOG"
	start_daemon -a 127.0.0.1 -c /etc/iscsi-scstd.conf || { bad "-a"; return; }
	check "-c accepted with a notice" grep -q "ignored" "$LOG"
	check "-a 127.0.0.1: IPv4 served" pyc login
	check "-a 127.0.0.1: nothing on ::1" bash -c "! python3 '$PY' login ::1 $PORT >/dev/null 2>&1"
	stop_daemon
	start_daemon -a "::1,127.0.0.1" || { bad "-a list"; return; }
	check "-a ::1,127.0.0.1: IPv6 served" bash -c "python3 '$PY' login ::1 $PORT"
	c=$(python3 "$PY" discover 127.0.0.1 "$PORT" 2>&1 | grep -c "TargetAddress=\[::1\]:$PORT,1")
	check "-a list: both portals offered in SendTargets" test "$c" -ge 1
	stop_daemon
	if [ "$(id -u)" = 0 ] && getent passwd nobody >/dev/null &&
	   getent group nogroup >/dev/null; then
		chmod 755 "$WORK"
		chmod 644 "$CONF"
		start_daemon -u nobody -g nogroup || { bad "-u/-g"; return; }
		check "-u nobody -g nogroup: runs as nobody" \
			bash -c "[ \$(ps -o user= -p $DPID) = nobody ]"
		check "-u/-g: still serves logins" pyc login target=iqn.2024-01.test:disk1
		stop_daemon
	fi
	start_daemon
}

t_daemonize() {
	local pidf=$WORK/test.pid pid
	stop_daemon
	ISCSI_SCSTD_FAKE_KERNEL=$CONF ISCSI_SCSTD_PIDFILE=$pidf "$DAEMON" -p "$PORT" \
		2>>"$WORK/daemonize.err"
	check "daemon mode: parent exits 0 once ready" test $? = 0
	check "daemon mode: only warnings on the terminal" \
		bash -c "! grep -q listening '$WORK/daemonize.err'"
	pid=$(cat "$pidf" 2>/dev/null)
	BGPID=$pid
	check "daemon mode: pid file written" test -n "$pid"
	[ -n "$pid" ] || return
	check "daemon mode: serves logins" pyc login target=iqn.2024-01.test:disk1
	ISCSI_SCSTD_FAKE_KERNEL=$CONF ISCSI_SCSTD_PIDFILE=$pidf "$DAEMON" -p $((PORT + 1)) 2>/dev/null
	check "second daemon with the same pid file refused" test $? != 0
	kill -TERM "$pid"
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	check "daemon mode: SIGTERM ends it" bash -c "! kill -0 $pid 2>/dev/null"
	BGPID=
	check "daemon mode: pid file removed" test ! -e "$pidf"
	start_daemon
}

# ---- main -------------------------------------------------------------------

if [ -z "${ISCSI_SCSTD:-}" ]; then
	make -s -C iscsi-scst/usr >/dev/null || { echo "build of iscsi-scstd failed"; exit 1; }
fi
if ss -ltn 2>/dev/null | grep -q ":$PORT "; then
	echo "port $PORT is in use; set ISCSI_TEST_PORT"
	exit 1
fi
have_libiscsi=1
command -v iscsi-ls >/dev/null && command -v iscsi-inq >/dev/null || have_libiscsi=0

write_conf
t_options
start_daemon || exit 1
if [ $have_libiscsi = 1 ]; then
	t_discovery
	t_long_discovery
	t_normal
	t_errors
	t_chap
	t_discovery_chap
	t_digests
	t_slow_login_done
	t_flood
else
	skip "libiscsi tests (iscsi-ls/iscsi-inq not installed)"
fi
t_timeouts
t_restart
t_daemonize
check "daemon still alive at the end" daemon_alive
stop_daemon
check "no sanitizer or crash messages in any daemon log" \
	bash -c "! grep -iE 'sanitizer|runtime error|segmentation|abort' '$WORK/daemon-all.log'"

echo "iscsi-daemon-host-test: $PASS passed, $FAIL failed, $SKIP skipped"
[ $FAIL = 0 ]
