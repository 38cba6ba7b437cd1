package FakeSCST;

# A fake /sys/kernel/scst_tgt on disk for the host tests, with a small
# simulation of the kernel's mgmt commands and attribute stores (modelled
# on scst/src/scst_sysfs.c and the vdisk handlers): writes made through
# SCST::SysfsTree with raw_write => $fake->writer change the tree the way
# the kernel would, so a test can apply a plan, read the state back and
# compare.  Also simulates a driver "iscsi" with an enabled attribute and
# dynamic (add_attribute) attributes, and optionally device groups.

use v5.36;
use File::Path qw(make_path remove_tree);
use POSIX qw(EINVAL ENOENT EBUSY EEXIST EACCES EOPNOTSUPP);

my %VDISK_COMMON = (
	blocksize => ['ro', 512, 'set'], read_only => ['ro', 0, 'set'],
	rotational => ['ro', 1, 'set'], removable => ['ro', 0, 'set'],
	tst => ['ro', 0, 'set'], opt_trans_len => ['rw', 524288, 'diff'],
	t10_vend_id => ['rw', 'SCST_FIO', 'id'], prod_id => ['rw', '@NAME', 'id'],
	prod_rev_lvl => ['rw', ' 010', 'id'], t10_dev_id => ['rw', '@NAME-id', 'id'],
	usn => ['rw', '@NAME-usn', 'id'], naa_id => ['rw', '600140500000000a', 'id'],
	vend_specific_id => ['rw', '@NAME', 'id'],
	scsi_device_name => ['rw', '', 'id'], eui64_id => ['rw', '', 'id'],
	inq_vend_specific => ['rw', '', 'id'], lb_per_pb_exp => ['rw', 0, 'id'],
	type => ['ro', '0 - Direct-access device (e.g. disk)', 'never'],
	max_tgt_dev_commands => ['rw', 64, 'diff'], numa_node_id => ['rw', -1, 'diff'],
	block => ['rw', '0 0', 'never'],
);

my %HANDLERS = (
	vdisk_fileio => {
		params => [qw(active async blocksize cluster_mode filename numa_node_id
		    nv_cache o_direct read_only removable rotational thin_provisioned
		    tst t10_dev_id write_through)],
		attrs => { %VDISK_COMMON,
			filename => ['ro', '', 'always'], write_through => ['ro', 0, 'set'],
			nv_cache => ['ro', 0, 'set'], o_direct => ['ro', 0, 'set'],
			async => ['ro', 0, 'set'], thin_provisioned => ['ro', 0, 'set'],
			size => ['ro', 1048576, 'never'], size_mb => ['ro', 1, 'never'],
			active => ['rw', 1, 'diff'], resync_size => ['wo'], sync => ['wo'],
			threads_num => ['rw', 1, 'diff'],
			threads_pool_type => ['rw', 'per_initiator', 'diff'],
		},
		required => 'filename',
	},
	vdisk_nullio => {
		params => [qw(blocksize cluster_mode dummy numa_node_id read_only
		    removable rotational size size_mb tst t10_dev_id)],
		attrs => { %VDISK_COMMON,
			size => ['rw', 104857600, 'set'], size_mb => ['rw', 100, 'set'],
			dummy => ['ro', 0, 'never'],
			read_zero => ['rw', 0, 'diff'],
		},
	},
);

my %TGT_ATTRS = (
	rel_tgt_id => ['rw', '@REL', 'set'], comment => ['rw', '', 'nonempty'],
	addr_method => ['rw', 'PERIPHERAL', 'diff'], io_grouping_type => ['rw', 'auto', 'diff'],
	black_hole => ['rw', 0, 'diff'], cpu_mask => ['rw', 3, 'diff'],
	aen_disabled => ['rw', 0, 'diff'], sg_tablesize => ['ro', 0, 'never'],
	read_cmd_count => ['rw', 0, 'never'], write_cmd_count => ['rw', 0, 'never'],
);

my %ISCSI_TGT_ATTRS = (
	HeaderDigest => ['rw', 'None', 'diff'], DataDigest => ['rw', 'None', 'diff'],
	QueuedCommands => ['rw', 32, 'diff'], InitialR2T => ['rw', 'No', 'diff'],
	tid => ['ro', '@TID', 'never'],
);

my %GRP_ATTRS = (
	addr_method => ['rw', 'PERIPHERAL', 'diff'], io_grouping_type => ['rw', 'auto', 'diff'],
	black_hole => ['rw', 0, 'diff'], cpu_mask => ['rw', 3, 'diff'],
);

sub new ($class, %o)
{
	my $self = bless { root => $o{root}, spec => {}, rel => 0, exp => 0,
	    dg => $o{dg} // 0, log => [] }, $class;
	remove_tree($self->{root});
	$self->_build(%o);
	return $self;
}

sub root ($self) { return $self->{root} }
sub log ($self) { return @{$self->{log}} }

sub writer ($self)
{
	return sub ($abs, $text) { $self->write($abs, $text) };
}

sub _p ($self, $rel) { return "$self->{root}/$rel" }

sub _file ($self, $rel, $content, $mode = 0444)
{
	my $p = $self->_p($rel);
	(my $dir = $p) =~ s{/[^/]+$}{};
	make_path($dir);
	unlink $p;
	open(my $fh, '>', $p) or die "$p: $!";
	print $fh $content;
	close $fh;
	chmod $mode, $p;
}

sub _dir ($self, $rel) { make_path($self->_p($rel)) }

sub _link ($self, $rel, $target)
{
	my $p = $self->_p($rel);
	unlink $p;
	symlink($target, $p) or die "symlink $p: $!";
}

# An attribute file from a spec [mode, default, keyrule]
sub _attr ($self, $rel, $spec, $value = undef, $explicit = 0)
{
	my ($mode, $def, $rule) = @$spec;
	$self->{spec}{$rel} = $spec;
	if ($mode eq 'wo') {
		$self->_file($rel, '', 0200);
		return;
	}
	$value //= $def;
	my $key = $rule eq 'always' ? 1 :
	    $rule eq 'set' ? $explicit :
	    $rule eq 'id' ? $explicit :
	    $rule eq 'nonempty' ? $value ne '' :
	    $rule eq 'diff' ? "$value" ne "$def" : 0;
	my $content = $rule eq 'nonempty' && $value eq '' ? '' :
	    "$value\n" . ($key ? "[key]\n" : '');
	$self->_file($rel, $content, $mode eq 'rw' ? 0644 : 0444);
}

sub _help ($self, $rel, $text) { $self->_file("$rel/mgmt", $text, 0644) }

sub _build ($self, %o)
{
	my %root = (
		setup_id => ['rw', '0x0', 'diff'], threads => ['rw', 2, 'diff'],
		suspend => ['rw', 0, 'never'], poll_us => ['rw', 0, 'diff'],
		max_tasklet_cmd => ['rw', 10, 'diff'], measure_latency => ['rw', 0, 'diff'],
		force_global_sgv_pool => ['rw', 0, 'diff'], async_lun_replace => ['rw', 0, 'diff'],
	);
	$self->_file('version', "0.1.0\n");
	$self->_file('last_sysfs_mgmt_res', "0\n");
	$self->_attr($_, $root{$_}) for keys %root;
	for my $h (sort keys %HANDLERS) {
		$self->_file("handlers/$h/type", "0 - Direct-access device (e.g. disk)\n");
		$self->_help("handlers/$h", "Usage: echo \"add_device NAME [PARAM=VALUE[;PARAM=VALUE...]]\" >mgmt\n" .
		    "       echo \"del_device NAME\" >mgmt\n\nThe following parameters available: " .
		    join(', ', @{$HANDLERS{$h}{params}}) . "\n");
	}
	$self->_dir('devices');
	$self->_help('targets/scst_local', "Usage: echo \"add_target NAME [PARAM=VALUE[;PARAM=VALUE...]]\" >mgmt\n" .
	    "       echo \"del_target NAME\" >mgmt\n" .
	    "       echo \"add_session target_name session_name\" >mgmt\n" .
	    "       echo \"del_session target_name session_name\" >mgmt\n\n" .
	    "The following parameters available: session_name\n");
	$self->_file('targets/scst_local/version', "0.1.0\n");
	if ($o{iscsi} // 1) {
		$self->_help('targets/iscsi', "Usage: echo \"add_target NAME [PARAM=VALUE[;PARAM=VALUE...]]\" >mgmt\n" .
		    "       echo \"del_target NAME\" >mgmt\n" .
		    "       echo \"add_attribute ATTRIBUTE VALUE\" >mgmt\n" .
		    "       echo \"del_attribute ATTRIBUTE VALUE\" >mgmt\n" .
		    "       echo \"add_target_attribute TARGET ATTRIBUTE VALUE\" >mgmt\n" .
		    "       echo \"del_target_attribute TARGET ATTRIBUTE VALUE\" >mgmt\n" .
		    "\nThe following parameters available: DataDigest, HeaderDigest, InitialR2T, QueuedCommands\n" .
		    "The following target driver attributes available: IncomingUser, OutgoingUser\n" .
		    "The following target attributes available: IncomingUser, OutgoingUser, allowed_portal\n");
		$self->_attr('targets/iscsi/enabled', ['rw', 0, 'diff']);
		$self->_file('targets/iscsi/version', "0.1.0\n");
	}
	$self->_help('device_groups', $self->{dg} ? "Usage: echo \"create GROUP\" >mgmt\n" :
	    "Device groups (ALUA target port groups) are not supported by this\n");
}

# ---------------------------------------------------------------------
# The write side

sub _read_first ($self, $rel)
{
	open(my $fh, '<', $self->_p($rel)) or return undef;
	my $l = <$fh>;
	close $fh;
	chomp $l if defined $l;
	return $l;
}

sub write ($self, $abs, $text)
{
	my $rel = substr($abs, length($self->{root}) + 1);
	$text =~ s/\s+$//;
	push @{$self->{log}}, [$rel, $text];
	my $rc = $rel =~ m{(?:^|/)mgmt$} ? $self->_mgmt($rel =~ s{/?mgmt$}{}r, $text) :
	    $self->_store($rel, $text);
	return $rc ? (0, $rc) : (1, undef);
}

sub _store ($self, $rel, $v)
{
	my $spec = $self->{spec}{$rel} or return ENOENT;
	return EACCES if $spec->[0] eq 'ro';
	return 0 if $spec->[0] eq 'wo';
	if ($rel =~ m{^targets/[^/]+/[^/]+/enabled$|^targets/[^/]+/enabled$}) {
		return EINVAL unless $v =~ /^[01]$/;
	}
	my $explicit = 1;
	if ($spec->[2] eq 'id' && $v eq '') {
		($v, $explicit) = ($self->{iddef}{$rel}, 0);
	}
	$self->_attr($rel, $spec, $v, $explicit);
	return 0;
}

sub _words ($text) { return grep { length } split /[\s=]+/, $text }

sub _mgmt ($self, $dir, $text)
{
	my ($verb, @args) = _words($text);
	$verb = lc($verb // '');
	return $self->_handler_mgmt($1, $verb, $text, @args) if $dir =~ m{^handlers/([^/]+)$};
	return $self->_driver_mgmt($1, $verb, $text, @args) if $dir =~ m{^targets/([^/]+)$};
	return $self->_luns_mgmt($dir, $verb, @args) if $dir =~ m{/luns$};
	return $self->_groups_mgmt($dir, $verb, @args) if $dir =~ m{/ini_groups$};
	return $self->_inits_mgmt($dir, $verb, @args) if $dir =~ m{/initiators$};
	return $self->_dg_mgmt($dir, $verb, @args) if $dir =~ m{^device_groups};
	return EINVAL;
}

sub _params ($text)
{
	my %p;
	$text =~ s/^\s*\S+\s+\S+\s*//;
	for my $g (split /[;\n]/, $text) {
		my @w = _words($g);
		next unless @w;
		return undef if @w != 2 || exists $p{$w[0]};
		$p{$w[0]} = $w[1];
	}
	return \%p;
}

sub _handler_mgmt ($self, $h, $verb, $text, $name = '', @rest)
{
	my $spec = $HANDLERS{$h} or return EINVAL;
	if ($verb eq 'add_device') {
		return EEXIST if -d $self->_p("devices/$name");
		my $p = _params($text) or return EINVAL;
		my %ok = map { $_ => 1 } @{$spec->{params}};
		for (keys %$p) { return EINVAL unless $ok{$_} }
		return EINVAL if $spec->{required} && !defined $p->{$spec->{required}};
		return EINVAL if defined $p->{size} && defined $p->{size_mb};
		my $d = "devices/$name";
		$self->_dir("$d/exported");
		for my $a (sort keys %{$spec->{attrs}}) {
			my $s = [@{$spec->{attrs}{$a}}];
			$s->[1] =~ s/\@NAME/$name/ if defined $s->[1];
			$self->{iddef}{"$d/$a"} = $s->[1];
			my $v = $p->{$a};
			$v //= $p->{size_mb} << 20 if $a eq 'size' && defined $p->{size_mb};
			$v //= $p->{size} >> 20 if $a eq 'size_mb' && defined $p->{size};
			my $explicit = defined $p->{$a} || ($a =~ /^size/ && (defined $p->{size} ||
			    defined $p->{size_mb}));
			$self->_attr("$d/$a", $s, $v, $explicit);
		}
		$self->_link("$d/handler", "../../handlers/$h");
		$self->_link("handlers/$h/$name", "../../devices/$name");
		return 0;
	}
	if ($verb eq 'del_device') {
		my $d = "devices/$name";
		return ENOENT unless -d $self->_p($d);
		my @exp = glob($self->_p("$d/exported") . '/*');
		return EBUSY if @exp;
		unlink $self->_p("handlers/$h/$name");
		remove_tree($self->_p($d));
		delete $self->{spec}{$_} for grep { m{^\Q$d\E/} } keys %{$self->{spec}};
		return 0;
	}
	return EINVAL;
}

sub _driver_mgmt ($self, $drv, $verb, $text, @args)
{
	my $base = "targets/$drv";
	if ($verb eq 'add_target') {
		my $t = $args[0] // return EINVAL;
		return EEXIST if -d $self->_p("$base/$t");
		my $p = _params($text) or return EINVAL;
		my $tp = "$base/$t";
		$self->_dir("$tp/$_") for qw(sessions luns ini_groups);
		$self->_help("$tp/luns", "Usage: add\n");
		$self->_help("$tp/ini_groups", "Usage: create\n");
		my $rel = ++$self->{rel};
		for my $a (sort keys %TGT_ATTRS) {
			my $s = [@{$TGT_ATTRS{$a}}];
			$s->[1] = $rel if $s->[1] eq '@REL';
			$self->_attr("$tp/$a", $s);
		}
		if ($drv eq 'iscsi') {
			for my $a (sort keys %ISCSI_TGT_ATTRS) {
				my $s = [@{$ISCSI_TGT_ATTRS{$a}}];
				$s->[1] = $rel if $s->[1] eq '@TID';
				$self->_attr("$tp/$a", $s);
			}
			$self->_attr("$tp/enabled", ['rw', 0, 'diff']);
		}
		$self->add_session($drv, $t, $p->{session_name}) if $p->{session_name};
		for my $k (keys %$p) {
			next if $k eq 'session_name';
			return EINVAL unless $drv eq 'iscsi' && $ISCSI_TGT_ATTRS{$k};
			$self->_attr("$tp/$k", $ISCSI_TGT_ATTRS{$k}, $p->{$k});
		}
		return 0;
	}
	if ($verb eq 'del_target') {
		my $t = $args[0] // return EINVAL;
		return ENOENT unless -d $self->_p("$base/$t");
		for my $l (glob($self->_p("$base/$t") . '/{luns,ini_groups/*/luns}/*')) {
			next unless -d $l;
			$self->_unexport($l);
		}
		remove_tree($self->_p("$base/$t"));
		delete $self->{spec}{$_} for grep { m{^\Q$base/$t\E/} } keys %{$self->{spec}};
		return 0;
	}
	if ($verb eq 'add_session') {
		return EINVAL unless $drv eq 'scst_local' && @args == 2;
		return ENOENT unless -d $self->_p("$base/$args[0]");
		$self->add_session($drv, @args);
		return 0;
	}
	if ($verb =~ /^(add|del)_(target_)?attribute$/) {
		my ($op, $tgt) = ($1, $2);
		my $dir = $base;
		if ($tgt) {
			my $t = shift @args // return EINVAL;
			return ENOENT unless -d $self->_p("$base/$t");
			$dir = "$base/$t";
		}
		return EINVAL if $drv ne 'iscsi' || @args < 2;
		my ($attr, @v) = @args;
		(my $value = $text) =~ s/^\s*\S+\s+(?:\S+\s+)?\Q$attr\E\s+// if !$tgt;
		($value = $text) =~ s/^\s*\S+\s+\S+\s+\Q$attr\E\s+// if $tgt;
		return $op eq 'add' ? $self->_dyn_add($dir, $attr, $value) :
		    $self->_dyn_del($dir, $attr, $value);
	}
	return EINVAL;
}

sub _dyn_files ($self, $dir, $attr)
{
	return grep { m{/\Q$attr\E\d*$} } glob($self->_p($dir) . "/$attr*");
}

sub _dyn_add ($self, $dir, $attr, $value)
{
	my %used;
	for my $f ($self->_dyn_files($dir, $attr)) {
		$f =~ /(\d*)$/;
		$used{$1 eq '' ? 0 : $1} = 1;
	}
	my $i = 0;
	$i++ while $used{$i};
	# like iscsi-scst: secrets are for root only
	$self->_file("$dir/$attr" . ($i ? $i : ''), "$value\n[key]\n", 0400);
	return 0;
}

sub _dyn_del ($self, $dir, $attr, $value)
{
	for my $f ($self->_dyn_files($dir, $attr)) {
		open(my $fh, '<', $f) or next;
		my $l = <$fh>;
		close $fh;
		chomp $l;
		if ($l eq $value || $l =~ /^\Q$value\E /) {
			unlink $f;
			return 0;
		}
	}
	return ENOENT;
}

# add_session(driver, target, session[, initiator name])
sub add_session ($self, $drv, $t, $s, $ini = $s)
{
	my $sp = "targets/$drv/$t/sessions/$s";
	$self->_file("$sp/initiator_name", "$ini\n");
	$self->_file("$sp/commands", "0\n");
	$self->_reassign("targets/$drv/$t");
}

# Point each session's "luns" link at the group its initiator matches.
sub _reassign ($self, $tp)
{
	for my $sd (glob($self->_p("$tp/sessions") . '/*')) {
		my $s = substr($sd, length($self->_p('')) );
		$s =~ s{^/}{};
		my $ini = $self->_read_first("$s/initiator_name") // '';
		my $target = '../../luns';
		for my $gd (sort glob($self->_p("$tp/ini_groups") . '/*')) {
			next unless -d $gd;
			my $g = $gd =~ s{.*/}{}r;
			for my $f (glob("$gd/initiators/*")) {
				my $pat = $f =~ s{.*/}{}r;
				next if $pat eq 'mgmt';
				my $re = quotemeta($pat) =~ s/\\\*/.*/gr =~ s/\\\?/./gr;
				$target = "../../ini_groups/$g/luns" if $ini =~ /^$re$/;
			}
		}
		$self->_link("$s/luns", $target);
	}
}

sub _unexport ($self, $lundir)
{
	my $dev = readlink("$lundir/device") // return;
	$dev =~ s{.*/}{};
	for my $e (glob($self->_p("devices/$dev/exported") . '/*')) {
		my $t = readlink($e) // next;
		(my $suffix = $lundir) =~ s{^\Q$self->{root}\E/}{};
		unlink $e if $t =~ m{\Q$suffix\E$};
	}
}

sub _luns_mgmt ($self, $dir, $verb, @args)
{
	my $depth = () = $dir =~ m{/}g;
	my $up = '../' x ($depth + 1);
	if ($verb eq 'add' || $verb eq 'replace' || $verb eq 'replace_no_ua') {
		my ($dev, $lun, @p) = @args;
		return EINVAL unless defined $lun && $lun =~ /^\d+$/;
		return ENOENT unless -d $self->_p("devices/$dev");
		my $ro = 0;
		if (@p) {
			return EINVAL unless @p == 2 && $p[0] eq 'read_only' && $p[1] =~ /^[01]$/;
			$ro = $p[1];
		}
		my $ld = "$dir/$lun";
		if (-d $self->_p($ld)) {
			return EEXIST if $verb eq 'add';
			$self->_unexport($self->_p($ld));
			remove_tree($self->_p($ld));
		}
		$self->_dir($ld);
		$self->_link("$ld/device", "$up../devices/$dev");
		$self->_attr("$ld/read_only", ['ro', 0, 'diff'], $ro);
		my $n = $self->{exp}++;
		$self->_link("devices/$dev/exported/export$n", "../../../$ld");
		return 0;
	}
	if ($verb eq 'del') {
		my $ld = "$dir/" . ($args[0] // '');
		return ENOENT unless -d $self->_p($ld);
		$self->_unexport($self->_p($ld));
		remove_tree($self->_p($ld));
		return 0;
	}
	if ($verb eq 'clear') {
		for my $l (glob($self->_p($dir) . '/*')) {
			next unless -d $l;
			$self->_unexport($l);
			remove_tree($l);
		}
		return 0;
	}
	return EINVAL;
}

sub _group_sessions ($self, $tp, $g)
{
	my $n = 0;
	for my $sd (glob($self->_p("$tp/sessions") . '/*')) {
		my $t = readlink("$sd/luns") // '';
		$n++ if $t =~ m{/ini_groups/\Q$g\E/luns$};
	}
	return $n;
}

sub _groups_mgmt ($self, $dir, $verb, $g = '', @rest)
{
	(my $tp = $dir) =~ s{/ini_groups$}{};
	if ($verb eq 'create') {
		return EEXIST if -d $self->_p("$dir/$g");
		$self->_dir("$dir/$g/luns");
		$self->_help("$dir/$g/luns", "Usage: add\n");
		$self->_help("$dir/$g/initiators", "Usage: add\n");
		$self->_attr("$dir/$g/$_", $GRP_ATTRS{$_}) for sort keys %GRP_ATTRS;
		return 0;
	}
	if ($verb eq 'del') {
		return ENOENT unless -d $self->_p("$dir/$g");
		return EBUSY if $self->_group_sessions($tp, $g);
		for my $l (glob($self->_p("$dir/$g/luns") . '/*')) {
			$self->_unexport($l) if -d $l;
		}
		remove_tree($self->_p("$dir/$g"));
		delete $self->{spec}{$_} for grep { m{^\Q$dir/$g\E/} } keys %{$self->{spec}};
		return 0;
	}
	return EINVAL;
}

sub _inits_mgmt ($self, $dir, $verb, $name = '', $dest = undef)
{
	(my $tp = $dir) =~ s{/ini_groups/[^/]+/initiators$}{};
	my $rc = 0;
	if ($verb eq 'add') {
		for my $f (glob($self->_p("$tp/ini_groups") . '/*/initiators/*')) {
			return EEXIST if $f =~ m{/\Q$name\E$};
		}
		$self->_file("$dir/$name", "$name\n");
	} elsif ($verb eq 'del') {
		return ENOENT unless -e $self->_p("$dir/$name");
		unlink $self->_p("$dir/$name");
	} elsif ($verb eq 'move') {
		return ENOENT unless -e $self->_p("$dir/$name") && defined $dest &&
		    -d $self->_p("$tp/ini_groups/$dest");
		unlink $self->_p("$dir/$name");
		$self->_file("$tp/ini_groups/$dest/initiators/$name", "$name\n");
	} elsif ($verb eq 'clear') {
		unlink grep { !/mgmt$/ } glob($self->_p($dir) . '/*');
	} else {
		return EINVAL;
	}
	$self->_reassign($tp);
	return $rc;
}

sub _dg_mgmt ($self, $dir, $verb, $name = '', @rest)
{
	return EOPNOTSUPP unless $self->{dg};
	if ($dir eq 'device_groups') {
		if ($verb eq 'create' || $verb eq 'add') {
			$self->_help("device_groups/$name/devices", "Usage\n");
			$self->_help("device_groups/$name/target_groups", "Usage\n");
			return 0;
		}
		remove_tree($self->_p("device_groups/$name"));
		return 0;
	}
	if ($dir =~ m{/devices$}) {
		if ($verb eq 'add') {
			$self->_link("$dir/$name", "../../../devices/$name");
		} else {
			unlink $self->_p("$dir/$name");
		}
		return 0;
	}
	if ($dir =~ m{/target_groups$}) {
		if ($verb eq 'create' || $verb eq 'add') {
			$self->_help("$dir/$name", "Usage\n");
			$self->_attr("$dir/$name/group_id", ['rw', 0, 'diff']);
			$self->_attr("$dir/$name/state", ['rw', 'active', 'diff']);
			$self->_attr("$dir/$name/preferred", ['rw', 0, 'diff']);
		} else {
			remove_tree($self->_p("$dir/$name"));
		}
		return 0;
	}
	# a target group: add/del a target (remote ones get rel_tgt_id)
	if ($verb eq 'add') {
		$self->_attr("$dir/$name/rel_tgt_id", ['rw', 0, 'diff']);
	} else {
		remove_tree($self->_p("$dir/$name"));
	}
	return 0;
}

1;
