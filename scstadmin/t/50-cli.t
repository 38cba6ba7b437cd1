#!/usr/bin/perl
# The scstadmin command on a fake tree: options, dry run (-debug), exit
# status, listings as aligned tables.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";
use Test::More;
use TestUtil;

my $BIN = "$FindBin::Bin/../scstadmin";
my ($fake, $tree) = fake();
my $ROOT = $fake->root;
my $CONF = <<'EOF';
HANDLER vdisk_fileio {
	DEVICE disk1 {
		filename /srv/disk1.img
		blocksize 4096
	}
}
HANDLER vdisk_nullio {
	DEVICE null1
}
TARGET_DRIVER scst_local {
	TARGET busy {
		LUN 0 disk1
		GROUP hosts {
			LUN 0 null1
			INITIATOR host1
		}
	}
	TARGET idle
}
TARGET_DRIVER iscsi {
	TARGET iqn.2024-01.x:t1 {
		enabled 1
		LUN 3 null1
	}
}
EOF
apply_conf($tree, $CONF);
$fake->add_session('scst_local', 'busy', 'h1', 'host1');

my $D = tmpdir();
sub file ($name, $text)
{
	open(my $fh, '>', "$D/$name") or die;
	print $fh $text;
	close $fh;
	return "$D/$name";
}

# run(args...): (exit status, stdout, stderr)
sub run (@args)
{
	my $pid = open(my $out, '-|') // die "fork: $!";
	if (!$pid) {
		open(STDERR, '>', "$D/stderr") or die;
		open(STDIN, '<', '/dev/null') or die;
		exec($^X, $BIN, '-sysfs_root', $ROOT, @args) or die "exec: $!";
	}
	local $/;
	my $o = <$out> // '';
	close $out;
	my $rc = $? >> 8;
	open(my $e, '<', "$D/stderr") or die;
	my $err = <$e> // '';
	return ($rc, $o, $err);
}

my $before = state_text($tree);
my ($rc, $out, $err);

($rc, $out, $err) = run();
is($rc, 1, 'no command: exit 1');
like($err, qr/no command given/, 'no command: message');
($rc, $out, $err) = run('-list_target', '-list_device');
is($rc, 1, 'two commands: exit 1');
($rc, $out, $err) = run('-bogus');
is($rc, 1, 'unknown option: exit 1');
($rc, $out) = run('-help');
like($out, qr/^Usage: scstadmin COMMAND/, '-help');

# -check_config
my $broken = file('broken.conf', "HANDLER vdisk_fileio {\n\tDEVICE d1 {\n\t\tfilename /x\n\t}\n\n" .
    "TARGET_DRIVER scst_local {\n\tTARGET t {\n\t\tLUN 0 nodev\n\t}\n}\n");
($rc, $out, $err) = run('-check_config', $broken);
is($rc, 1, '-check_config on a broken file: exit 1');
like($err, qr/^\Q$broken\E:6: TARGET_DRIVER is not allowed in a HANDLER block/m, 'reports file and line');
like($err, qr/nothing was applied/, 'says nothing was applied');
my $good = file('good.conf', $CONF);
($rc, $out, $err) = run('-check_config', $good);
is($rc, 0, '-check_config on a matching file: exit 0') or diag $err;
like($out, qr/syntax OK.*\n.*the live configuration matches it/, '-check_config: matches');
my $changed = file('changed.conf', $CONF =~ s/TARGET idle/TARGET idle {\n\t\tLUN 1 disk1\n\t}/r);
($rc, $out) = run('-check_config', $changed);
like($out, qr/would make 1 change/, '-check_config: counts the changes');

# -config -debug: the writes are printed, not made
($rc, $out, $err) = run('-config', $changed, '-debug');
is($rc, 0, '-config -debug: exit 0') or diag $err;
is($out, "echo 'add disk1 1' > $ROOT/targets/scst_local/idle/luns/mgmt\n", '-config -debug: the one write');
is(state_text($tree), $before, '-config -debug changes nothing');
my $unexp = file('unexp.conf', $CONF =~ s/\t\tLUN 0 disk1\n//r);
($rc, $out, $err) = run('-config', $unexp, '-debug');
is($out, '', 'removal without -force: no write');
like($err, qr/Not done \(use -force to do it\):\n  remove LUN 0 \(device disk1\) of target busy/,
    'removal without -force: says what it would remove');
($rc, $out, $err) = run('-config', $unexp, '-debug', '-force');
is($out, "echo 'del 0' > $ROOT/targets/scst_local/busy/luns/mgmt\n", 'removal with -force');
($rc, $out, $err) = run('-config', $broken, '-debug');
is($rc, 1, '-config of a broken file: exit 1');
is($out, '', '-config of a broken file: nothing');
my $unknown = file('unknown.conf', "HANDLER vdisk_fileio {\n\tDEVICE disk1 {\n\t\tfilename /srv/disk1.img\n" .
    "\t\tblocksize 4096\n\t\tbogus 1\n\t}\n}\n");
($rc, $out, $err) = run('-config', $unknown, '-debug', '-force');
is($rc, 1, '-config with an unknown attribute: exit 1');
like($err, qr/unknown\.conf:5: device disk1: unknown attribute bogus/, 'plan error with the line');
is($out, '', 'plan error: nothing applied');

# -clear_config
($rc, $out) = run('-clear_config', '-debug', '-force', '-noprompt');
is($out, join('', map { "echo '$_->[1]' > $ROOT/$_->[0]\n" }
    ['targets/iscsi/mgmt', 'del_target iqn.2024-01.x:t1'],
    ['targets/scst_local/mgmt', 'del_target busy'],
    ['targets/scst_local/mgmt', 'del_target idle'],
    ['handlers/vdisk_fileio/mgmt', 'del_device disk1'],
    ['handlers/vdisk_nullio/mgmt', 'del_device null1']), '-clear_config -force -debug');

($rc, $out, $err) = run('-clear_config', '-debug');
is($rc, 1, '-clear_config without -force with sessions: exit 1');
is($out, '', '-clear_config without -force: nothing at all');
like($err, qr/Not clearing; these need -force:\n  remove target busy of driver scst_local \(1 session\(s\)\)/,
    '-clear_config without -force: says why');

# -write_config
($rc, $out) = run('-write_config', "$D/out.conf");
is($rc, 0, '-write_config: exit 0');
like($out, qr/Writing current configuration to file '\Q$D\E\/out.conf'.. done/, '-write_config message');
open(my $fh, '<', "$D/out.conf") or die;
my $written = do { local $/; <$fh> };
is($written, $before, '-write_config writes the state');
($rc, $out) = run('-write_config', '-');
is($out, $before, '-write_config - writes to stdout');
($rc, $out) = run('-write_config', '-', '-nonkey');
like($out, qr/# Non-key attributes/, '-write_config -nonkey');

# Listings: aligned tables
($rc, $out) = run('-list_target');
is($out, <<'EOF', '-list_target');
Driver      Target            Enabled  LUNs  Groups  Sessions
----------  ----------------  -------  ----  ------  --------
iscsi       iqn.2024-01.x:t1  1        1     0       0
scst_local  busy                       1     1       1
scst_local  idle                       0     0       0

EOF
($rc, $out) = run('-list_sessions');
is($out, <<'EOF', '-list_sessions');
Driver      Target  Session  Initiator  Group  Active commands
----------  ------  -------  ---------  -----  ---------------
scst_local  busy    h1       host1      hosts

EOF
($rc, $out) = run('-list_device');
is($out, <<'EOF', '-list_device');
Handler       Device  LUNs
------------  ------  ----
vdisk_fileio  disk1   1
vdisk_nullio  null1   2

EOF
($rc, $out) = run('-list_group', '-driver', 'scst_local');
like($out, qr/^Driver      Target  Group  LUNs  Initiators\n-+  -+  -+  -+  -+\nscst_local  busy    hosts  1     host1\n/,
    '-list_group');
($rc, $out) = run('-list_handler');
like($out, qr/^Handler       Devices  Names\n.*\nvdisk_fileio  1        disk1\nvdisk_nullio  1        null1\n/,
    '-list_handler');
($rc, $out) = run('-list_driver');
like($out, qr/^Driver      Enabled  Targets\n.*\niscsi       0        1\nscst_local           2\n/, '-list_driver');
($rc, $out) = run('-list_target', 'busy');
like($out, qr/Target busy \(driver scst_local\)\n\nLUN  Device  Read-only\n---  ------  ---------\n0    disk1   0\n/,
    '-list_target NAME');
($rc, $out) = run('-list_dev_attr', 'disk1');
like($out, qr/^Attribute +Value +Writable +KEY\n/, '-list_dev_attr header');
like($out, qr/^blocksize +4096 +No +Yes$/m, '-list_dev_attr: key attribute');
like($out, qr/^opt_trans_len +524288 +Yes +No$/m, '-list_dev_attr: writable attribute');
($rc, $out) = run('-list_tgt_attr', 'busy', '-driver', 'scst_local');
like($out, qr/^rel_tgt_id +\d+ +Yes +No$/m, '-list_tgt_attr');
($rc, $out) = run('-list_scst_attr');
like($out, qr/^setup_id +0x0 +Yes +No$/m, '-list_scst_attr');
($rc, $out, $err) = run('-list_dev_attr', 'nope');
is($rc, 1, 'listing a missing object: exit 1');
like($err, qr/no device nope/, 'listing a missing object: message');

# Single-object commands (dry run)
sub dry ($what, $expect, @args)
{
	my ($rc, $out, $err) = run(@args, '-debug');
	is($rc, 0, "$what: exit 0") or diag $err;
	is($out, join('', map { "echo '$_->[1]' > $ROOT/$_->[0]\n" } @$expect), $what);
}
dry('-set_dev_attr', [['devices/disk1/t10_vend_id', 'XYZ'], ['devices/disk1/opt_trans_len', '4096']],
    '-set_dev_attr', 'disk1', '-attributes', 't10_vend_id=XYZ,opt_trans_len=4096');
dry('-set_scst_attr', [['setup_id', '0x10']], '-set_scst_attr', '-attributes', 'setup_id=0x10');
dry('-set_tgt_attr', [['targets/scst_local/busy/comment', 'a, b']],
    '-set_tgt_attr', 'busy', '-driver', 'scst_local', '-attributes', 'comment="a\, b"');
dry('-set_grp_attr', [['targets/scst_local/busy/ini_groups/hosts/addr_method', 'FLAT']],
    '-set_grp_attr', 'hosts', '-driver', 'scst_local', '-target', 'busy', '-attributes', 'addr_method=FLAT');
dry('-set_lun_attr', [['targets/scst_local/busy/luns/mgmt', 'replace disk1 0 read_only=1']],
    '-set_lun_attr', '0', '-driver', 'scst_local', '-target', 'busy', '-attributes', 'read_only=1');
dry('-open_dev', [['handlers/vdisk_nullio/mgmt', 'add_device n2 read_only=1; size_mb=8; cluster_mode=0']],
    '-open_dev', 'n2', '-handler', 'vdisk_nullio', '-attributes', 'cluster_mode=0,read_only=1,size_mb=8');
dry('-close_dev -force', [['targets/scst_local/busy/luns/mgmt', 'del 0'], ['handlers/vdisk_fileio/mgmt', 'del_device disk1']],
    '-close_dev', 'disk1', '-handler', 'vdisk_fileio', '-force', '-noprompt');
dry('-resync_dev', [['devices/disk1/resync_size', 1]], '-resync_dev', 'disk1');
dry('-add_target', [['targets/scst_local/mgmt', 'add_target t9 session_name=s9']],
    '-add_target', 't9', '-driver', 'scst_local', '-attributes', 'session_name=s9');
dry('-rem_target -force', [['targets/scst_local/mgmt', 'del_target busy']],
    '-rem_target', 'busy', '-driver', 'scst_local', '-force', '-noprompt');
dry('-enable_target', [['targets/iscsi/iqn.2024-01.x:t1/enabled', 1]],
    '-enable_target', 'iqn.2024-01.x:t1', '-driver', 'iscsi');
dry('-disable_target', [['targets/iscsi/iqn.2024-01.x:t1/enabled', 0]],
    '-disable_target', 'iqn.2024-01.x:t1', '-driver', 'iscsi');
dry('-add_group', [['targets/scst_local/idle/ini_groups/mgmt', 'create g2']],
    '-add_group', 'g2', '-driver', 'scst_local', '-target', 'idle');
dry('-rem_group with sessions -force', [['targets/scst_local/busy/ini_groups/hosts/initiators/mgmt', 'clear'],
    ['targets/scst_local/busy/ini_groups/mgmt', 'del hosts']],
    '-rem_group', 'hosts', '-driver', 'scst_local', '-target', 'busy', '-force');
dry('-add_init', [['targets/scst_local/busy/ini_groups/hosts/initiators/mgmt', 'add iqn.x:*']],
    '-add_init', 'iqn.x:*', '-driver', 'scst_local', '-target', 'busy', '-group', 'hosts');
dry('-rem_init', [['targets/scst_local/busy/ini_groups/hosts/initiators/mgmt', 'del host1']],
    '-rem_init', 'host1', '-driver', 'scst_local', '-target', 'busy', '-group', 'hosts');
dry('-move_init', [['targets/scst_local/busy/ini_groups/hosts/initiators/mgmt', 'move host1 other']],
    '-move_init', 'host1', '-driver', 'scst_local', '-target', 'busy', '-group', 'hosts', '-to', 'other');
dry('-clear_inits', [['targets/scst_local/busy/ini_groups/hosts/initiators/mgmt', 'clear']],
    '-clear_inits', '-driver', 'scst_local', '-target', 'busy', '-group', 'hosts');
dry('-add_lun', [['targets/scst_local/idle/luns/mgmt', 'add disk1 7 read_only=1']],
    '-add_lun', '7', '-driver', 'scst_local', '-target', 'idle', '-device', 'disk1', '-attributes', 'read_only=1');
dry('-add_lun to a group', [['targets/scst_local/busy/ini_groups/hosts/luns/mgmt', 'add disk1 1']],
    '-add_lun', '1', '-driver', 'scst_local', '-target', 'busy', '-group', 'hosts', '-device', 'disk1');
dry('-replace_lun', [['targets/scst_local/busy/luns/mgmt', 'replace null1 0']],
    '-replace_lun', '0', '-driver', 'scst_local', '-target', 'busy', '-device', 'null1');
dry('-rem_lun', [['targets/scst_local/busy/luns/mgmt', 'del 0']],
    '-rem_lun', '0', '-driver', 'scst_local', '-target', 'busy');
dry('-clear_luns', [['targets/scst_local/busy/luns/mgmt', 'clear']],
    '-clear_luns', '-driver', 'scst_local', '-target', 'busy');
dry('-add_drv_attr', [['targets/iscsi/mgmt', 'add_attribute IncomingUser joe secret']],
    '-add_drv_attr', 'iscsi', '-attributes', 'IncomingUser=joe secret');
dry('-rem_tgt_attr', [['targets/iscsi/mgmt', 'del_target_attribute iqn.2024-01.x:t1 IncomingUser joe secret']],
    '-rem_tgt_attr', 'iqn.2024-01.x:t1', '-driver', 'iscsi', '-attributes', 'IncomingUser="joe secret"');
dry('-add_dgrp', [['device_groups/mgmt', 'create dg1']], '-add_dgrp', 'dg1');
dry('-add_tgrp_tgt', [['device_groups/dg1/target_groups/tg1/mgmt', 'add t1']],
    '-add_tgrp_tgt', 't1', '-dev_group', 'dg1', '-tgt_group', 'tg1');

# Refusals
($rc, $out, $err) = run('-close_dev', 'disk1', '-handler', 'vdisk_fileio', '-debug');
is($rc, 1, '-close_dev of an exported device without -force: exit 1');
like($err, qr/device disk1 is exported as LUN 0 of target busy; use -force/, '-close_dev: says why');
($rc, $out, $err) = run('-rem_target', 'busy', '-driver', 'scst_local', '-debug');
is($rc, 1, '-rem_target with sessions without -force: exit 1');
($rc, $out, $err) = run('-set_dev_attr', 'disk1', '-attributes', 'blocksize=512');
is($rc, 1, 'setting a read-only attribute: exit 1');
like($err, qr/attribute blocksize is read-only/, 'read-only: message');
($rc, $out, $err) = run('-add_lun', '99999', '-driver', 'scst_local', '-target', 'idle', '-device', 'disk1');
is($rc, 1, 'bad LUN number: exit 1');
($rc, $out, $err) = run('-add_lun', '1', '-driver', 'scst_local', '-target', 'idle');
like($err, qr/option -device is required here/, 'missing qualifier');

# A real write (to the fake tree's file)
($rc, $out, $err) = run('-set_dev_attr', 'disk1', '-attributes', 't10_vend_id=REAL');
is($rc, 0, 'real write: exit 0') or diag $err;
like($out, qr/-> set t10_vend_id of device disk1 to "REAL"/, 'real write: progress');
is($tree->read_value('devices/disk1/t10_vend_id'), 'REAL', 'real write: done');
($rc, $out, $err) = run('-set_drv_attr', 'scst_local', '-attributes', 'version=9');
is($rc, 1, 'read-only driver attribute: exit 1');

done_testing();
