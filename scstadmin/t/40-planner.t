#!/usr/bin/perl
# The reconciliation planner: given a live tree and a file, the exact
# ordered list of sysfs writes; nothing for an identical file; only the
# difference for a small change; the -force rules.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";
use Test::More;
use SCST::ConfParser;
use SCST::Planner;
use TestUtil;

my $BASE = <<'EOF';
setup_id 0x5a5a
HANDLER vdisk_fileio {
	DEVICE disk1 {
		filename /srv/disk1.img
		blocksize 4096
		t10_vend_id ACME
	}
	DEVICE disk2 {
		filename /srv/disk2.img
	}
}
HANDLER vdisk_nullio {
	DEVICE null1 {
		size_mb 64
	}
	DEVICE null2
}
TARGET_DRIVER scst_local {
	TARGET busy {
		LUN 0 disk1
		LUN 1 null1 {
			read_only 1
		}
		GROUP hosts {
			LUN 0 null2
			INITIATOR host1
			INITIATOR host2
		}
		GROUP spare {
			INITIATOR spare*
		}
	}
	TARGET idle {
		comment "no sessions here"
		LUN 0 disk2
		LUN 5 null2
	}
}
TARGET_DRIVER iscsi {
	enabled 1
	IncomingUser "joe pw1"
	TARGET iqn.2024-01.x:t1 {
		HeaderDigest CRC32C
		IncomingUser "alice pw-a"
		IncomingUser "bob pw-b"
		enabled 1
		LUN 0 disk2
	}
}
EOF

# The first application to an empty system: every write, in order.
my ($fake, $tree) = fake();
my $p = plan_of($tree, $BASE);
is_deeply($p->{errors}, [], 'no errors');
is_deeply($p->{withheld}, [], 'nothing withheld');
is_deeply(lines($p), [
	"setup_id\t0x5a5a",
	"handlers/vdisk_fileio/mgmt\tadd_device disk1 filename=/srv/disk1.img; blocksize=4096",
	"devices/disk1/t10_vend_id\tACME",
	"handlers/vdisk_fileio/mgmt\tadd_device disk2 filename=/srv/disk2.img",
	"handlers/vdisk_nullio/mgmt\tadd_device null1 size_mb=64",
	"handlers/vdisk_nullio/mgmt\tadd_device null2",
	"targets/iscsi/mgmt\tadd_attribute IncomingUser joe pw1",
	"targets/iscsi/mgmt\tadd_target iqn.2024-01.x:t1 HeaderDigest=CRC32C",
	"targets/iscsi/mgmt\tadd_target_attribute iqn.2024-01.x:t1 IncomingUser alice pw-a",
	"targets/iscsi/mgmt\tadd_target_attribute iqn.2024-01.x:t1 IncomingUser bob pw-b",
	"targets/iscsi/iqn.2024-01.x:t1/luns/mgmt\tadd disk2 0",
	"targets/scst_local/mgmt\tadd_target busy",
	"targets/scst_local/busy/luns/mgmt\tadd disk1 0",
	"targets/scst_local/busy/luns/mgmt\tadd null1 1 read_only=1",
	"targets/scst_local/busy/ini_groups/mgmt\tcreate hosts",
	"targets/scst_local/busy/ini_groups/hosts/luns/mgmt\tadd null2 0",
	"targets/scst_local/busy/ini_groups/hosts/initiators/mgmt\tadd host1",
	"targets/scst_local/busy/ini_groups/hosts/initiators/mgmt\tadd host2",
	"targets/scst_local/busy/ini_groups/mgmt\tcreate spare",
	"targets/scst_local/busy/ini_groups/spare/initiators/mgmt\tadd spare*",
	"targets/scst_local/mgmt\tadd_target idle",
	"targets/scst_local/idle/comment\tno sessions here",
	"targets/scst_local/idle/luns/mgmt\tadd disk2 0",
	"targets/scst_local/idle/luns/mgmt\tadd null2 5",
	"targets/iscsi/iqn.2024-01.x:t1/enabled\t1",
	"targets/iscsi/enabled\t1",
], 'empty system: the complete ordered list of writes') or diag explain lines($p);

apply_conf($tree, $BASE);
$fake->add_session('scst_local', 'busy', 'h1', 'host1');
$fake->add_session('scst_local', 'busy', 'x1', 'other');
$fake->add_session('iscsi', 'iqn.2024-01.x:t1', 'i1', 'iqn.1993-08.org.debian:01:abc');

# A state changed by an edit of the base text
sub edit ($from, $to, $text = $BASE)
{
	my $n = $text =~ s/\Q$from\E/$to/;
	die "edit: \"$from\" not found" unless $n;
	return $text;
}

sub check ($what, $text, $expect, %o)
{
	my $force = delete $o{force} // 0;
	my $p = plan_of($tree, $text, force => $force);
	is_deeply($p->{errors}, [], "$what: no errors") or diag explain $p->{errors};
	is_deeply(lines($p), $expect, "$what: writes") or diag explain lines($p);
	if (exists $o{withheld}) {
		my @w = @{$p->{withheld}};
		is(scalar @w, scalar @{$o{withheld}}, "$what: withheld count") or diag explain \@w;
		like($w[$_], $o{withheld}[$_], "$what: withheld $_") for 0 .. $#{$o{withheld}};
	}
	if (exists $o{warnings}) {
		is_deeply($p->{warnings}, $o{warnings}, "$what: warnings");
	}
	return $p;
}

check('identical file', $BASE, [], withheld => [], warnings => []);
check('identical file with -force', $BASE, [], force => 1, withheld => []);
check('same configuration, other order and spelling', <<'EOF', [], withheld => []);
TARGET_DRIVER iscsi {
	TARGET iqn.2024-01.x:t1 {
		LUN 0 disk2
		enabled 1
		IncomingUser "bob pw-b"
		IncomingUser "alice pw-a"
		HeaderDigest CRC32C
	}
	IncomingUser "joe pw1"
	enabled 1
}
TARGET_DRIVER scst_local {
	TARGET idle {
		LUN 5 null2
		LUN 0 disk2
		comment "no sessions here"
	}
	TARGET busy {
		GROUP spare {
			INITIATOR spare*
		}
		GROUP hosts {
			INITIATOR host2
			INITIATOR host1
			LUN 0 null2 {
				read_only 0
			}
		}
		LUN 1 null1 {
			read_only 1
		}
		LUN 0 disk1
	}
}
HANDLER vdisk_nullio {
	DEVICE null2
	DEVICE null1 {
		size 67108864
	}
}
HANDLER vdisk_fileio {
	DEVICE disk2 {
		filename /srv/disk2.img
	}
	DEVICE disk1 {
		t10_vend_id ACME
		blocksize 4096
		filename /srv/disk1.img
	}
}
setup_id 23130
EOF

# Only the difference
check('one LUN changes device (target without sessions)',
    edit("LUN 5 null2", "LUN 5 null1"),
    ["targets/scst_local/idle/luns/mgmt\treplace null1 5"], withheld => []);
check('one LUN added',
    edit("LUN 5 null2\n", "LUN 5 null2\n\t\tLUN 6 disk1\n"),
    ["targets/scst_local/idle/luns/mgmt\tadd disk1 6"], withheld => []);
check('read_only of a LUN changes',
    edit("LUN 5 null2", "LUN 5 null2 {\n\t\t\tread_only 1\n\t\t}"),
    ["targets/scst_local/idle/luns/mgmt\treplace null2 5 read_only=1"], withheld => []);
check('a writable device attribute changes',
    edit("t10_vend_id ACME", "t10_vend_id OTHER"),
    ["devices/disk1/t10_vend_id\tOTHER"]);
check('a key attribute is no longer in the file: reset to the default',
    edit("\t\tt10_vend_id ACME\n", ""),
    ["devices/disk1/t10_vend_id\t"]);
check('a target attribute changes',
    edit('comment "no sessions here"', 'comment "still none"'),
    ["targets/scst_local/idle/comment\tstill none"]);
check('a dynamic attribute changes: only the difference',
    edit('IncomingUser "bob pw-b"', 'IncomingUser "carl pw-c"'),
    ["targets/iscsi/mgmt\tdel_target_attribute iqn.2024-01.x:t1 IncomingUser bob pw-b",
     "targets/iscsi/mgmt\tadd_target_attribute iqn.2024-01.x:t1 IncomingUser carl pw-c"]);
check('a CHAP secret changes: the old account goes first',
    edit('IncomingUser "alice pw-a"', 'IncomingUser "alice pw-new"'),
    ["targets/iscsi/mgmt\tdel_target_attribute iqn.2024-01.x:t1 IncomingUser alice pw-a",
     "targets/iscsi/mgmt\tadd_target_attribute iqn.2024-01.x:t1 IncomingUser alice pw-new"]);
my $sp = plan_of($tree, edit('IncomingUser "alice pw-a"', 'IncomingUser "alice pw-new"'));
unlike(join("\n", map { $_->[2] } @{$sp->{writes}}), qr/pw-/, 'no CHAP secret in the descriptions');
check('a driver dynamic attribute is removed',
    edit("\tIncomingUser \"joe pw1\"\n", ''),
    ["targets/iscsi/mgmt\tdel_attribute IncomingUser joe pw1"]);
check('SCST core attribute',
    edit("setup_id 0x5a5a", "setup_id 0x5a5b\nmax_tasklet_cmd 20"),
    ["setup_id\t0x5a5b", "max_tasklet_cmd\t20"]);
check('a new device and a LUN for it',
    edit("\tDEVICE null2\n", "\tDEVICE null2\n\tDEVICE null3 {\n\t\tsize 1048576\n\t\tsize_mb 1\n\t}\n",
	edit("LUN 5 null2\n", "LUN 5 null2\n\t\tLUN 7 null3\n")),
    ["handlers/vdisk_nullio/mgmt\tadd_device null3 size=1048576",
     "targets/scst_local/idle/luns/mgmt\tadd null3 7"]);
check('a new group with LUNs and initiators, in a target with sessions',
    edit("\t\tGROUP spare {", "\t\tGROUP new {\n\t\t\tio_grouping_type never\n\t\t\tLUN 3 disk2\n" .
	"\t\t\tINITIATOR n1\n\t\t}\n\t\tGROUP spare {"),
    ["targets/scst_local/busy/ini_groups/mgmt\tcreate new",
     "targets/scst_local/busy/ini_groups/new/io_grouping_type\tnever",
     "targets/scst_local/busy/ini_groups/new/luns/mgmt\tadd disk2 3",
     "targets/scst_local/busy/ini_groups/new/initiators/mgmt\tadd n1"], withheld => []);

# -force rules
my $no_lun5 = edit("\t\tLUN 5 null2\n", '');
check('LUN removal without -force', $no_lun5, [],
    withheld => [qr/^remove LUN 5 \(device null2\) of target idle \(a LUN removal\): needs -force$/]);
check('LUN removal with -force', $no_lun5, ["targets/scst_local/idle/luns/mgmt\tdel 5"],
    force => 1, withheld => []);

my $swap = edit("LUN 0 disk1", "LUN 0 disk2");
check('replacing a LUN that sessions see, without -force', $swap, [],
    withheld => [qr/^replace LUN 0 of target busy \(device disk1 -> disk2\) \(1 session\(s\) use it\): needs -force$/]);
check('replacing a LUN that sessions see, with -force', $swap,
    ["targets/scst_local/busy/luns/mgmt\treplace disk2 0"], force => 1);

my $no_busy = $BASE =~ s/\tTARGET busy \{.*?\n\t\}\n//sr;
check('target with sessions removed, without -force', $no_busy, [],
    withheld => [qr/^remove target busy of driver scst_local \(2 session\(s\)\): needs -force$/]);
check('target with sessions removed, with -force', $no_busy,
    ["targets/scst_local/mgmt\tdel_target busy"], force => 1, withheld => []);

my $no_idle = $BASE =~ s/\tTARGET idle \{.*?\n\t\}\n//sr;
check('target without sessions removed: no -force needed', $no_idle,
    ["targets/scst_local/mgmt\tdel_target idle"], withheld => []);

my $no_dev = $BASE =~ s/\tDEVICE disk2 \{.*?\n\t\}\n//sr =~ s/\t\tLUN 0 disk2\n//gr;
check('exported device removed (with its LUNs), without -force', $no_dev, [],
    withheld => [qr/^remove LUN 0 \(device disk2\) of target iqn.2024-01.x:t1/,
	qr/^remove LUN 0 \(device disk2\) of target idle/,
	qr/^remove device disk2 of handler vdisk_fileio: still exported as LUN 0 of target idle, LUN 0 of target iqn.2024-01.x:t1$/]);
check('exported device removed (with its LUNs), with -force', $no_dev,
    ["targets/iscsi/iqn.2024-01.x:t1/luns/mgmt\tdel 0",
     "targets/scst_local/idle/luns/mgmt\tdel 0",
     "handlers/vdisk_fileio/mgmt\tdel_device disk2"], force => 1, withheld => []);

my $bs = edit("blocksize 4096", "blocksize 512\n\t\tt10_vend_id NEW", edit("\t\tt10_vend_id ACME\n", ''));
check('creation-only parameter of an exported device, without -force', $bs, ["devices/disk1/t10_vend_id\tNEW"],
    withheld => [qr/^re-create exported device disk1 \(blocksize is "4096", the file says "512"\): needs -force$/]);
check('creation-only parameter of an exported device, with -force: delete and re-add', $bs, [
	"targets/scst_local/busy/luns/mgmt\tdel 0",
	"handlers/vdisk_fileio/mgmt\tdel_device disk1",
	"handlers/vdisk_fileio/mgmt\tadd_device disk1 filename=/srv/disk1.img; blocksize=512",
	"devices/disk1/t10_vend_id\tNEW",
	"targets/scst_local/busy/luns/mgmt\tadd disk1 0",
], force => 1, withheld => []);
check('writable attributes change even if the re-creation is withheld',
    edit("blocksize 4096", "blocksize 512", edit("t10_vend_id ACME", "t10_vend_id NEW")),
    ["devices/disk1/t10_vend_id\tNEW"], withheld => [qr/^re-create exported device disk1/]);
check('creation-only change of a device whose LUNs go, without -force: all withheld',
    edit("DEVICE null1 {\n\t\tsize_mb 64\n\t}\n\tDEVICE null2", "DEVICE null1 {\n\t\tsize_mb 64\n\t}\n\tDEVICE null2 {\n\t\tread_only 1\n\t}",
	edit("\t\t\tLUN 0 null2\n", '', edit("\t\tLUN 5 null2\n", ''))),
    [], withheld => [qr/^re-create exported device null2/,
	qr/^remove LUN 0 \(device null2\) of group hosts/, qr/^remove LUN 5/]);
my ($fk2, $tr2) = fake();
apply_conf($tr2, "HANDLER vdisk_nullio {\n\tDEVICE n {\n\t\tsize_mb 1\n\t}\n}\n");
is_deeply(lines(plan_of($tr2, "HANDLER vdisk_nullio {\n\tDEVICE n {\n\t\tsize_mb 1\n\t\tread_only 1\n\t}\n}\n")),
    ["handlers/vdisk_nullio/mgmt\tdel_device n", "handlers/vdisk_nullio/mgmt\tadd_device n size_mb=1; read_only=1"],
    'unexported device re-created without -force');
is_deeply(lines(plan_of($tr2, "HANDLER vdisk_fileio {\n\tDEVICE n {\n\t\tfilename /x\n\t}\n}\n")),
    ["handlers/vdisk_nullio/mgmt\tdel_device n", "handlers/vdisk_fileio/mgmt\tadd_device n filename=/x"],
    'device moving to another handler');

my $no_hosts = $BASE =~ s/\t\tGROUP hosts \{.*?\n\t\t\}\n//sr;
check('group with sessions removed, without -force', $no_hosts, [],
    withheld => [qr/^remove group hosts of target busy \(1 session\(s\)\): needs -force$/]);
check('group with sessions removed, with -force: initiators first', $no_hosts, [
	"targets/scst_local/busy/ini_groups/hosts/initiators/mgmt\tdel host1",
	"targets/scst_local/busy/ini_groups/hosts/initiators/mgmt\tdel host2",
	"targets/scst_local/busy/ini_groups/mgmt\tdel hosts",
], force => 1);
check('group without sessions removed', $BASE =~ s/\t\tGROUP spare \{.*?\n\t\t\}\n//sr,
    ["targets/scst_local/busy/ini_groups/mgmt\tdel spare"], withheld => []);

my $move = edit("\t\t\tINITIATOR host1\n", '', edit("INITIATOR spare*", "INITIATOR spare*\n\t\t\tINITIATOR host1"));
check('initiator moved between groups, without -force (session in the group)', $move, [],
    withheld => [qr/^move initiator host1 of group hosts of target busy to group spare/]);
check('initiator moved between groups, with -force', $move,
    ["targets/scst_local/busy/ini_groups/hosts/initiators/mgmt\tmove host1 spare"], force => 1);
check('initiator removed from a group without sessions',
    edit("\t\t\tINITIATOR spare*\n", ''),
    ["targets/scst_local/busy/ini_groups/spare/initiators/mgmt\tdel spare*"], withheld => []);

my $disable = edit("\t\tenabled 1\n", '');
check('disable a target with sessions, without -force', $disable, [],
    withheld => [qr/^disable target iqn.2024-01.x:t1 \(1 session\(s\)\): needs -force$/]);
check('disable a target with sessions, with -force', $disable,
    ["targets/iscsi/iqn.2024-01.x:t1/enabled\t0"], force => 1);

# Clearing: plan against an empty file
my $empty = SCST::ConfParser::new_model('empty');
my $cp = SCST::Planner::plan($tree->read_state, $empty, force => 1);
is_deeply(lines($cp), [
	"setup_id\t0x0",
	"targets/iscsi/enabled\t0",
	"targets/iscsi/mgmt\tdel_target iqn.2024-01.x:t1",
	"targets/scst_local/mgmt\tdel_target busy",
	"targets/scst_local/mgmt\tdel_target idle",
	"targets/iscsi/mgmt\tdel_attribute IncomingUser joe pw1",
	"handlers/vdisk_fileio/mgmt\tdel_device disk1",
	"handlers/vdisk_fileio/mgmt\tdel_device disk2",
	"handlers/vdisk_nullio/mgmt\tdel_device null1",
	"handlers/vdisk_nullio/mgmt\tdel_device null2",
], 'clear: the ordered list of writes') or diag explain lines($cp);
$cp = SCST::Planner::plan($tree->read_state, $empty);
is_deeply(lines($cp), ["setup_id\t0x0", "targets/scst_local/mgmt\tdel_target idle",
    "targets/iscsi/mgmt\tdel_attribute IncomingUser joe pw1"], 'clear without -force: only what is safe');
is(scalar @{$cp->{withheld}}, 7, 'clear without -force: the rest is withheld') or diag explain $cp->{withheld};

# Applying for real (simulated kernel), then nothing is left to do
apply_conf($tree, $swap, force => 1);
is_deeply(plan_of($tree, $swap)->{writes}, [], 'after applying a change, the file matches');
apply_conf($tree, $BASE, force => 1);
is_deeply(plan_of($tree, $BASE)->{writes}, [], 'and back');
my $ap = apply_conf($tree, "# nothing\n", force => 1);
is(state_text($tree), "# Automatically generated by SCST Configurator v0.1.0.\n\n",
    'applying an empty file with -force clears everything');

# ---------------------------------------------------------------------
# Errors found against the live system: nothing is planned

sub errors_of ($text, $tr = $tree)
{
	my $p = plan_of($tr, $text);
	is_deeply($p->{writes}, [], 'no writes when there are errors');
	return $p->{errors};
}

like(errors_of("HANDLER vdisk_nothing {\n\tDEVICE d\n}\n")->[0],
    qr/^test\.conf:1: HANDLER vdisk_nothing: no such handler is loaded$/, 'unknown handler');
like(errors_of("TARGET_DRIVER qla2x00t {\n}\n")->[0],
    qr/^test\.conf:1: TARGET_DRIVER qla2x00t: no such target driver is loaded$/, 'unknown driver');
like(errors_of("HANDLER vdisk_fileio {\n\tDEVICE d {\n\t\tfilename \"/a b\"\n\t}\n}\n")->[0],
    qr/^test\.conf:3: DEVICE d: creation parameter filename="\/a b" cannot contain blanks/, 'creation parameter with a blank');
like(errors_of("HANDLER vdisk_fileio {\n\tDEVICE d {\n\t\tfilename /a\n\t\tfilename /b\n\t}\n}\n")->[0],
    qr/^test\.conf:4: device d: attribute filename is given more than once$/, 'repeated single-valued attribute');
like(errors_of("DEVICE_GROUP dg {\n}\n")->[0], qr/^test\.conf:1: DEVICE_GROUP: this SCST does not support device groups/,
    'device groups not supported');
apply_conf($tree, $BASE, force => 1);
like(errors_of(edit("blocksize 4096", "blocksize 4096\n\t\tno_such_attr 1"))->[0],
    qr/^test\.conf:\d+: device disk1: unknown attribute no_such_attr$/, 'unknown attribute of an existing device');
like(errors_of(edit("HeaderDigest CRC32C", "HeaderDigest CRC32C\n\t\tHeaderDigest None"))->[0],
    qr/target iqn.2024-01.x:t1: attribute HeaderDigest is given more than once/, 'repeated target attribute');

# Warnings: read-only attributes that differ, attributes that cannot be reset
my $w = plan_of($tree, edit("blocksize 4096", "blocksize 4096\n\t\ttype \"something else\""));
is_deeply($w->{writes}, [], 'read-only, not a creation parameter: no write');
like($w->{warnings}[0], qr/read-only attribute type is .* ignored/, 'read-only attribute: warning');
$fake->{spec}{'targets/iscsi/iqn.2024-01.x:t1/QueuedCommands'} or die;
SCST::SysfsTree->new(root => $fake->root, raw_write => $fake->writer)
    ->write('targets/iscsi/iqn.2024-01.x:t1/QueuedCommands', '64');
$w = plan_of($tree, $BASE);
is_deeply($w->{writes}, [], 'a key attribute without a known default: no write');
like($w->{warnings}[0], qr/^target iqn.2024-01.x:t1: QueuedCommands is "64" but not in the file; its default cannot be restored/,
    'a key attribute without a known default: warning');

# ALUA device groups, when the kernel has them
my ($fd, $td) = fake(dg => 1);
my $DG = "HANDLER vdisk_nullio {\n\tDEVICE n1\n}\nDEVICE_GROUP dg1 {\n\tDEVICE n1\n\tTARGET_GROUP tg1 {\n" .
    "\t\tgroup_id 10\n\t\tstate standby\n\t\tTARGET remote1 {\n\t\t\trel_tgt_id 7\n\t\t}\n\t}\n}\n";
is_deeply(lines(plan_of($td, $DG)), [
	"handlers/vdisk_nullio/mgmt\tadd_device n1",
	"device_groups/mgmt\tcreate dg1",
	"device_groups/dg1/devices/mgmt\tadd n1",
	"device_groups/dg1/target_groups/mgmt\tcreate tg1",
	"device_groups/dg1/target_groups/tg1/group_id\t10",
	"device_groups/dg1/target_groups/tg1/state\tstandby",
	"device_groups/dg1/target_groups/tg1/mgmt\tadd remote1",
	"device_groups/dg1/target_groups/tg1/remote1/rel_tgt_id\t7",
], 'device groups: writes');
apply_conf($td, $DG);
is_deeply(plan_of($td, $DG)->{writes}, [], 'device groups: nothing left to do');
like(state_text($td), qr/DEVICE_GROUP dg1 \{\n\tDEVICE n1\n\n\tTARGET_GROUP tg1 \{\n\t\tgroup_id 10\n\t\tstate standby\n/,
    'device groups are written');

done_testing();
