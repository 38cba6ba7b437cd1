#!/usr/bin/perl
# scst.conf parser: the accepted syntax and every class of error, each
# with the line number it must report.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";
use Test::More;
use SCST::ConfParser;

sub parse ($text) { return SCST::ConfParser::parse_string($text, 'f.conf') }

# ---------------------------------------------------------------------
# Accepted syntax

my $good = <<'EOF';
# comment line
	# indented comment
setup_id 0x5a5a   # trailing comment
max_tasklet_cmd 20

HANDLER vdisk_fileio {
	DEVICE d1 {
		filename /srv/a\#b.img
		t10_vend_id "ACME CO"
		prod_id ""
	}
	DEVICE d2 {}
}
HANDLER vdisk_nullio {
	DEVICE n1
}
TARGET_DRIVER iscsi {
	IncomingUser "joe pw1"
	IncomingUser "ann pw2"
	TARGET iqn.2024-05.net.example:store1 {
		HeaderDigest "CRC32C,None"
		enabled 1
		LUN 0 d1
		LUN 1 n1 {
			read_only 1
		}
		GROUP readers {
			LUN 0 d2{
				read_only 0
			}
			INITIATOR iqn.2024-05.net.example:client*
			INITIATOR "iqn.1993-08.org.debian:01\#10.0.0.1"
			addr_method FLAT
		}
		GROUP empty
	}
}
DEVICE_GROUP dg1 {
	DEVICE d1
	TARGET_GROUP local {
		group_id 10
		TARGET iqn.2024-05.net.example:store1
		TARGET remote1 {
			rel_tgt_id 7
		}
	}
}
EOF
my ($m, $e) = parse($good);
is_deeply($e, [], 'valid file: no errors') or diag explain $e;
is_deeply($m->{attrs}{setup_id}{values}, ['0x5a5a'], 'comment after a value is stripped');
is($m->{attrs}{setup_id}{lines}[0], 3, 'attribute line number');
is_deeply($m->{order}, ['setup_id', 'max_tasklet_cmd'], 'attribute order');
my $d1 = $m->{handlers}{vdisk_fileio}{devices}{d1};
is($d1->{attrs}{filename}{values}[0], '/srv/a#b.img', '\# is a literal #');
is($d1->{attrs}{t10_vend_id}{values}[0], 'ACME CO', 'quoted value with a blank');
is($d1->{attrs}{prod_id}{values}[0], '', 'empty quoted value');
is($d1->{line}, 7, 'DEVICE line');
ok($m->{handlers}{vdisk_fileio}{devices}{d2}, 'DEVICE with {} (empty block)');
ok($m->{handlers}{vdisk_nullio}{devices}{n1}, 'DEVICE without a block');
is($m->{device_handler}{n1}, 'vdisk_nullio', 'device -> handler map');
my $drv = $m->{drivers}{iscsi};
is_deeply($drv->{attrs}{IncomingUser}{values}, ['joe pw1', 'ann pw2'], 'repeated attribute: all values');
is_deeply($drv->{attrs}{IncomingUser}{lines}, [18, 19], 'lines of repeated values');
my $t = $drv->{targets}{'iqn.2024-05.net.example:store1'};
is($t->{attrs}{HeaderDigest}{values}[0], 'CRC32C,None', 'quoted list');
is($t->{luns}{0}{device}, 'd1', 'LUN 0');
is($t->{luns}{1}{attrs}{read_only}{values}[0], '1', 'LUN attribute');
my $g = $t->{groups}{readers};
is($g->{luns}{0}{device}, 'd2', '"{" glued to the name opens a block');
is_deeply([map { $_->[0] } @{$g->{initiators}}],
    ['iqn.2024-05.net.example:client*', 'iqn.1993-08.org.debian:01#10.0.0.1'], 'initiators');
is($g->{attrs}{addr_method}{values}[0], 'FLAT', 'group attribute');
ok($t->{groups}{empty}, 'GROUP without a block');
my $dg = $m->{dgroups}{dg1};
is_deeply([map { $_->[0] } @{$dg->{devices}}], ['d1'], 'device group devices');
is($dg->{tgroups}{local}{attrs}{group_id}{values}[0], '10', 'target group attribute');
is($dg->{tgroups}{local}{targets}{remote1}{attrs}{rel_tgt_id}{values}[0], '7', 'remote target attribute');

($m, $e) = parse("# only comments\n\n   \n");
is_deeply($e, [], 'empty file is valid');
($m, $e) = parse("HANDLER h {\r\n\tDEVICE d\r\n}\r\n");
is_deeply($e, [], 'CRLF line ends');
($m, $e) = parse("HANDLER vdisk_fileio {\n\tDEVICE d {\n\t\tfilename \"a \\\"q\\\" b\\\\\"\n\t}\n}\n");
is($m->{handlers}{vdisk_fileio}{devices}{d}{attrs}{filename}{values}[0], 'a "q" b\\',
    'escaped quote and backslash');

# ---------------------------------------------------------------------
# Errors: [description, text, expected line, regexp of the message]

my @bad = (
	['unterminated quoted string', "setup_id 1\nHANDLER h {\n\tDEVICE d {\n\t\tfilename \"/a b\n\t}\n}\n",
	    4, qr/unterminated quoted string/],
	['unexpected }', "setup_id 1\n}\n", 2, qr/unexpected "}"/],
	['unclosed block', "HANDLER h {\n\tDEVICE d {\n\t\tfilename /x\n\t}\n", 1,
	    qr/HANDLER h block is not closed/],
	['unclosed inner block', "HANDLER h {\n\tDEVICE d {\n\t\tfilename /x\n}\n", 1,
	    qr/HANDLER h block is not closed/],
	['keyword in the wrong block', "TARGET_DRIVER x {\n\tDEVICE d\n}\n", 2,
	    qr/DEVICE is not allowed in a TARGET_DRIVER block/],
	['LUN at the top level', "# x\nLUN 0 d\n", 2, qr/LUN is not allowed in the top level/],
	['INITIATOR in a TARGET', "HANDLER h {\nDEVICE d\n}\nTARGET_DRIVER x {\nTARGET t {\nINITIATOR i\n}\n}\n",
	    6, qr/INITIATOR is not allowed in a TARGET block/],
	['unknown block keyword', "HANDLER h {\n\tDEVCE d {\n\t}\n}\n", 2,
	    qr/"DEVCE" is not a block keyword here/],
	['lower-case keyword', "handler h {\n}\n", 1, qr/"handler" is not a block keyword/],
	['missing name', "HANDLER {\n}\n", 1, qr/a "\{" without a keyword|HANDLER needs a name/],
	['missing name 2', "TARGET_DRIVER x {\n\tTARGET\n}\n", 2, qr/TARGET needs a name/],
	['LUN without a device', "TARGET_DRIVER x {\n\tTARGET t {\n\t\tLUN 0\n\t}\n}\n", 3,
	    qr/LUN needs a LUN number and a device name/],
	['too many arguments', "HANDLER h {\n\tDEVICE a b\n}\n", 2, qr/too many arguments/],
	['block not allowed', "HANDLER h {\nDEVICE d\n}\nTARGET_DRIVER x {\nTARGET t {\nGROUP g {\nINITIATOR i {\n}\n}\n}\n}\n",
	    7, qr/INITIATOR i cannot have a block/],
	['attribute without value', "HANDLER h {\n\tDEVICE d {\n\t\tfilename\n\t}\n}\n", 3,
	    qr/attribute "filename" has no value/],
	['value with blanks', "TARGET_DRIVER iscsi {\n\tIncomingUser joe secret\n}\n", 2,
	    qr/contains blanks: it must be double-quoted/],
	['invalid attribute name', "setup_id 1\n9lives 1\n", 2, qr/invalid attribute name "9lives"/],
	['quoted attribute name', "\"setup_id\" 1\n", 1, qr/invalid attribute name/],
	['invalid object name', "HANDLER h {\n\tDEVICE a=b\n}\n", 2, qr/DEVICE "a=b": invalid name/],
	['name ..', "TARGET_DRIVER x {\n\tTARGET ..\n}\n", 2, qr/invalid name/],
	['LUN not a number', "HANDLER h {\nDEVICE d\n}\nTARGET_DRIVER x {\nTARGET t {\nLUN x d\n}\n}\n",
	    6, qr/LUN "x": not a number from 0 to 16383/],
	['LUN too large', "HANDLER h {\nDEVICE d\n}\nTARGET_DRIVER x {\nTARGET t {\nLUN 16384 d\n}\n}\n",
	    6, qr/not a number from 0 to 16383/],
	['{ in the middle', "HANDLER h {\n\tDEVICE d { filename /x\n\t}\n}\n", 2, qr/unexpected "\{"/],
	['} after a value', "HANDLER h {\n\tDEVICE d {\n\t\tfilename /x }\n}\n", 3, qr/unexpected "}"/],
	['duplicate HANDLER', "HANDLER h {\n}\nHANDLER h {\n}\n", 3, qr/HANDLER h already defined at line 1/],
	['device in two handlers', "HANDLER h {\n\tDEVICE d\n}\nHANDLER h2 {\n\tDEVICE d\n}\n", 5,
	    qr/DEVICE d already defined at line 2 \(in HANDLER h\)/],
	['duplicate TARGET', "TARGET_DRIVER x {\n\tTARGET t\n\tTARGET t\n}\n", 3,
	    qr/TARGET t already defined at line 2/],
	['duplicate LUN', "HANDLER h {\nDEVICE d\n}\nTARGET_DRIVER x {\nTARGET t {\nLUN 0 d\nLUN 00 d\n}\n}\n",
	    7, qr/LUN 0 already defined at line 6/],
	['duplicate GROUP', "TARGET_DRIVER x {\nTARGET t {\nGROUP g\nGROUP g\n}\n}\n", 4,
	    qr/GROUP g already defined at line 3/],
	['duplicate INITIATOR', "TARGET_DRIVER x {\nTARGET t {\nGROUP g {\nINITIATOR i\nINITIATOR i\n}\n}\n}\n",
	    5, qr/INITIATOR i already listed at line 4/],
	['LUN of an undefined device', "HANDLER h {\nDEVICE d\n}\nTARGET_DRIVER x {\nTARGET t {\nLUN 0 e\n}\n}\n",
	    6, qr/LUN 0 of TARGET t: device e is not defined in any HANDLER block/],
	['unknown LUN attribute', "HANDLER h {\nDEVICE d\n}\nTARGET_DRIVER x {\nTARGET t {\nLUN 0 d {\nreadonly 1\n}\n}\n}\n",
	    7, qr/unknown attribute "readonly" \(a LUN has only read_only\)/],
	['bad read_only', "HANDLER h {\nDEVICE d\n}\nTARGET_DRIVER x {\nTARGET t {\nLUN 0 d {\nread_only yes\n}\n}\n}\n",
	    7, qr/read_only must be 0 or 1, not "yes"/],
	['bad enabled', "TARGET_DRIVER x {\n\tenabled 2\n}\n", 2, qr/enabled must be 0 or 1/],
	['enabled twice', "TARGET_DRIVER x {\n\tTARGET t {\n\t\tenabled 1\n\t\tenabled 1\n\t}\n}\n", 4,
	    qr/enabled is given more than once/],
	['device group of an undefined device', "DEVICE_GROUP g {\n\tDEVICE nope\n}\n", 2,
	    qr/DEVICE_GROUP g: device nope is not defined/],
);

for my $b (@bad) {
	my ($what, $text, $line, $re) = @$b;
	my ($model, $errs) = parse($text);
	is(scalar @$errs, 1, "$what: one error, no consequential ones") or diag join("\n", @$errs);
	next unless @$errs;
	like($errs->[0], qr/^f\.conf:\Q$line\E: /, "$what: line $line") or diag join("\n", @$errs);
	like($errs->[0], $re, "$what: message") or diag join("\n", @$errs);
}

# Several errors: all reported, in line order
($m, $e) = parse("x\nHANDLER h {\n\tDEVICE a b\n}\n}\nTARGET_DRIVER t {\n\tfoo \"bar\n}\n");
is(scalar @$e, 4, 'all errors of a file are reported') or diag join("\n", @$e);
is_deeply([map { /:(\d+):/ } @$e], [1, 3, 5, 7], 'errors sorted by line');

# "# Non-key attributes" (from -write_config -nonkey): what follows in the
# block is informational and not part of the configuration
($m, $e) = parse("HANDLER vdisk_fileio {\n\tDEVICE d {\n\t\tfilename /x\n\n\t\t# Non-key attributes\n" .
    "\t\tblocksize 512\n\t}\n\tDEVICE e {\n\t\tfilename /y\n\t}\n}\n");
is_deeply($e, [], 'non-key section: no errors');
my $dd = $m->{handlers}{vdisk_fileio}{devices}{d};
is_deeply($dd->{order}, ['filename'], 'non-key attributes are not configuration');
is_deeply($dd->{nonkey}, { blocksize => ['512'] }, 'non-key attributes are kept apart');
is_deeply($m->{handlers}{vdisk_fileio}{devices}{e}{order}, ['filename'], 'the marker ends with its block');

# Missing file
($m, $e) = SCST::ConfParser::parse_file('/nonexistent/scst.conf');
like($e->[0], qr{^/nonexistent/scst\.conf: cannot open}, 'missing file');

done_testing();
