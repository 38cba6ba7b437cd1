#!/usr/bin/perl
# SCST::SysfsTree: values and [key] marks, reading a tree, the write path
# with the EAGAIN / last_sysfs_mgmt_res protocol, dry run.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";
use Test::More;
use POSIX qw(EAGAIN EINVAL EBUSY ENOENT);
use SCST::SysfsTree;
use TestUtil;

# parse_value
is_deeply([SCST::SysfsTree::parse_value("512\n[key]\n")], ['512', 1], 'value with [key]');
is_deeply([SCST::SysfsTree::parse_value("512\n")], ['512', 0], 'value without [key]');
is_deeply([SCST::SysfsTree::parse_value('')], ['', 0], 'empty value');
is_deeply([SCST::SysfsTree::parse_value("a\nb\n")], ["a\nb", 0], 'multi-line value');

# mgmt help parsing
my $h = SCST::SysfsTree::parse_help("Usage: ...\n\nThe following parameters available: a, b_c, d\n" .
    "The following target driver attributes available: IncomingUser, OutgoingUser\n" .
    "The following target attributes available: IncomingUser, allowed_portal\n");
is_deeply($h->{params}, [qw(a b_c d)], 'help: creation parameters');
is_deeply($h->{opt_attrs}, [qw(IncomingUser OutgoingUser)], 'help: driver dynamic attributes');
is_deeply($h->{obj_opt_attrs}, [qw(IncomingUser allowed_portal)], 'help: target dynamic attributes');

# ---------------------------------------------------------------------
# The write protocol, with simulated kernel responses

sub tree_with (%o)
{
	my @log;
	my @slept;
	my $results = $o{results} // [];
	my $t = SCST::SysfsTree->new(root => '/sys/kernel/scst_tgt',
	    raw_write => sub ($abs, $text) {
		push @log, [$abs, $text];
		return @{$o{write}};
	    },
	    raw_read => sub ($abs) {
		push @log, ['read', $abs];
		my $r = shift @$results // [undef, EAGAIN];
		return @$r;
	    },
	    sleep => sub ($s) { push @slept, $s },
	    timeout => $o{timeout} // 300);
	return ($t, \@log, \@slept);
}

my ($t, $log, $slept) = tree_with(write => [1, undef]);
ok($t->write('handlers/vdisk_fileio/mgmt', 'add_device d1 filename=/x'), 'successful write');
is_deeply($log, [['/sys/kernel/scst_tgt/handlers/vdisk_fileio/mgmt', "add_device d1 filename=/x\n"]],
    'the text is written in one piece with a newline, to the path under the root');

($t, $log) = tree_with(write => [0, EINVAL]);
eval { $t->write('targets/scst_local/mgmt', 'add_target x') };
like($@, qr{^echo "add_target x" > /sys/kernel/scst_tgt/targets/scst_local/mgmt failed: Invalid argument},
    'a failed write names the command, the path and the reason');

($t, $log) = tree_with(write => [0, EINVAL]);
eval { $t->write('targets/iscsi/mgmt', 'add_target_attribute t1 IncomingUser joe secret pw') };
like($@, qr{"add_target_attribute t1 IncomingUser joe \*\*\*\*" > .* failed: Invalid argument},
    'no CHAP secret in the error message');

# EAGAIN: the work is queued; poll last_sysfs_mgmt_res once per second
($t, $log, $slept) = tree_with(write => [0, EAGAIN],
    results => [[undef, EAGAIN], [undef, EAGAIN], ["0\n", undef]]);
ok(eval { $t->write('handlers/vdisk_fileio/mgmt', 'add_device d2 filename=/y') }, 'EAGAIN, then result 0: success')
    or diag $@;
is(scalar(grep { $_->[0] eq 'read' && $_->[1] eq '/sys/kernel/scst_tgt/last_sysfs_mgmt_res' } @$log), 3,
    'last_sysfs_mgmt_res polled until it stops failing with EAGAIN');
is_deeply($slept, [1, 1], 'one second between polls');

($t, $log, $slept) = tree_with(write => [0, EAGAIN], results => [[undef, EAGAIN], ["-16\n", undef]]);
eval { $t->write('devices/d1/threads_num', '4') };
like($@, qr{^echo "4" > /sys/kernel/scst_tgt/devices/d1/threads_num failed: Device or resource busy},
    'EAGAIN, then a negative result: the errno text');

($t, $log, $slept) = tree_with(write => [0, EAGAIN], results => [[undef, ENOENT]]);
eval { $t->write('targets/x/mgmt', 'del_target y') };
like($@, qr{cannot read /sys/kernel/scst_tgt/last_sysfs_mgmt_res: No such file}, 'result unreadable');

($t, $log, $slept) = tree_with(write => [0, EAGAIN], timeout => 5);
eval { $t->write('targets/x/mgmt', 'del_target y') };
like($@, qr{still running after 5 s}, 'gives up after the timeout');
is(scalar @$slept, 5, 'polled once per second up to the timeout');

# Dry run: recorded, nothing written
($t, $log) = tree_with(write => [0, EINVAL]);
$t->{dry_run} = 1;
ok($t->write('a/mgmt', 'x'), 'dry run: write succeeds');
is_deeply($log, [], 'dry run: nothing written');
is_deeply([$t->writes], [['a/mgmt', 'x']], 'dry run: write recorded');

# ---------------------------------------------------------------------
# Reading a (fake) tree, and real file writes on it

my ($fake, $tree) = fake();
apply_conf($tree, <<'EOF');
HANDLER vdisk_fileio {
	DEVICE d1 {
		filename /tmp/d1
		blocksize 4096
	}
}
TARGET_DRIVER scst_local {
	TARGET t1 {
		LUN 3 d1
		GROUP g {
			INITIATOR ini1
		}
	}
}
TARGET_DRIVER iscsi {
	IncomingUser "joe pw"
	IncomingUser "ann pw2"
}
EOF
$fake->add_session('scst_local', 't1', 's1', 'ini1');
$fake->add_session('scst_local', 't1', 's2', 'other');
my $st = $tree->read_state;
is($st->{version}, '0.1.0', 'version');
is($st->{devices}{d1}{handler}, 'vdisk_fileio', 'device handler from the link');
is($st->{devices}{d1}{exports}, 1, 'exported once');
is_deeply($st->{devices}{d1}{attrs}{blocksize}, { value => 4096, key => 1, rw => 0, readable => 1 },
    'read-only key attribute');
is_deeply($st->{devices}{d1}{attrs}{opt_trans_len}, { value => 524288, key => 0, rw => 1, readable => 1 },
    'writable attribute');
is($st->{devices}{d1}{attrs}{sync}{readable}, 0, 'write-only attribute');
ok(!exists $st->{devices}{d1}{attrs}{handler}, 'links are not attributes');
ok(grep({ $_ eq 'filename' } @{$st->{handlers}{vdisk_fileio}{params}}), 'handler creation parameters');
is_deeply($st->{handlers}{vdisk_fileio}{devices}, ['d1'], 'handler device links');
my $tg = $st->{drivers}{scst_local}{targets}{t1};
is($tg->{luns}{3}{device}, 'd1', 'LUN device link');
is_deeply($tg->{groups}{g}{initiators}, ['ini1'], 'initiators');
is_deeply($tg->{sessions}, { s1 => { initiator => 'ini1', group => 'g' },
    s2 => { initiator => 'other', group => '' } }, 'sessions and their groups');
is_deeply($st->{drivers}{iscsi}{attrs}{IncomingUser}{values}, ['joe pw', 'ann pw2'],
    'numbered dynamic attributes folded into one');
ok(!exists $st->{drivers}{iscsi}{attrs}{IncomingUser1}, 'IncomingUser1 folded');
ok($st->{drivers}{scst_local}{can_add}, 'driver can add targets');
is($st->{dg_supported}, 0, 'device groups not supported');

my $plain = SCST::SysfsTree->new(root => $fake->root);
ok($plain->write('devices/d1/t10_vend_id', 'XYZ'), 'real write to a file');
is($plain->read_value('devices/d1/t10_vend_id'), 'XYZ', 'written value');
eval { $plain->write('devices/nope/x', 'y') };
like($@, qr{devices/nope/x failed: No such file or directory}, 'write to a missing file');

my $absent = SCST::SysfsTree->new(root => tmpdir() . '/nothing');
eval { $absent->read_state };
like($@, qr{SCST is not loaded: .*/nothing does not exist}, 'SCST not loaded');

done_testing();
