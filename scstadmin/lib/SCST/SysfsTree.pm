package SCST::SysfsTree;

# Access to the SCST sysfs management tree (/sys/kernel/scst_tgt): reading
# the live configuration into a model, and writing attributes and mgmt
# commands with the asynchronous result protocol of the kernel (a write
# that fails with EAGAIN is still running; its result appears in
# last_sysfs_mgmt_res, which itself fails with EAGAIN until all queued
# management work is done).
#
# The root directory can be any directory, so the tests work on a fake
# tree on disk.  In dry-run mode writes are recorded instead of made.

use v5.36;
use Errno qw(EAGAIN);
use Fcntl qw(O_WRONLY O_TRUNC O_RDONLY S_ISDIR S_ISLNK S_ISREG);
use POSIX ();

our $DEFAULT_ROOT = '/sys/kernel/scst_tgt';
our $KEY_MARK = '[key]';

# Attributes of the root directory that are not configuration.
my %ROOT_SKIP = map { $_ => 1 } qw(last_sysfs_mgmt_res mgmt);

sub new ($class, %opt)
{
	my $self = {
		root => $opt{root} // $ENV{SCST_SYSFS_ROOT} // $DEFAULT_ROOT,
		dry_run => $opt{dry_run} // 0,
		timeout => $opt{timeout} // 300,
		sleep => $opt{sleep} // sub ($s) { sleep $s },
		# Hooks for tests: low-level write/read of one file.
		raw_write => $opt{raw_write} // \&_raw_write,
		raw_read => $opt{raw_read} // \&_raw_read,
		# Called with (relpath, text) after each successful write.
		on_write => $opt{on_write},
		writes => [],
	};
	$self->{root} =~ s{/+$}{} unless $self->{root} eq '/';
	return bless $self, $class;
}

sub root ($self) { return $self->{root} }
sub dry_run ($self) { return $self->{dry_run} }
sub writes ($self) { return @{$self->{writes}} }
sub clear_writes ($self) { $self->{writes} = [] }
sub path ($self, $rel) { return $rel eq '' ? $self->{root} : "$self->{root}/$rel" }
sub present ($self) { return -d $self->{root} }

# ---------------------------------------------------------------------
# Low-level file access

# Returns (1, undef) or (0, errno).
sub _raw_write ($abs, $text)
{
	my $fh;
	# O_TRUNC as in a shell redirection: sysfs ignores it, files need it
	sysopen($fh, $abs, O_WRONLY | O_TRUNC) or return (0, $! + 0);
	my $n = syswrite($fh, $text);
	my $err = $! + 0;
	if (!defined $n) {
		close $fh;
		return (0, $err);
	}
	# sysfs takes a store in one piece; a short write is an error
	if ($n != length $text) {
		close $fh;
		return (0, POSIX::EIO());
	}
	close($fh) or return (0, $! + 0);
	return (1, undef);
}

# Returns (content, undef) or (undef, errno).
sub _raw_read ($abs)
{
	my $fh;
	sysopen($fh, $abs, O_RDONLY) or return (undef, $! + 0);
	my ($buf, $data) = ('', '');
	while (1) {
		my $n = sysread($fh, $buf, 65536);
		if (!defined $n) {
			my $err = $! + 0;
			close $fh;
			return (undef, $err);
		}
		last if $n == 0;
		$data .= $buf;
	}
	close $fh;
	return ($data, undef);
}

sub errno_text ($errno)
{
	local $! = $errno;
	return "$!";
}

# Split the content of an attribute into (value, key): the last line
# "[key]" marks a value that scstadmin saves.
sub parse_value ($content)
{
	my @lines = split /\n/, $content, -1;
	pop @lines while @lines && $lines[-1] eq '';
	my $key = 0;
	if (@lines && $lines[-1] eq $KEY_MARK) {
		$key = 1;
		pop @lines;
	}
	return (join("\n", @lines), $key);
}

# read_attr($rel): (value, key) or () with $! set.
sub read_attr ($self, $rel)
{
	my ($data, $err) = $self->{raw_read}->($self->path($rel));
	if (!defined $data) {
		$! = $err;
		return;
	}
	return parse_value($data);
}

# Value only (first line semantics are up to the caller); undef on error.
sub read_value ($self, $rel)
{
	my ($v) = $self->read_attr($rel);
	return $v;
}

# Entries of a directory: name => 'dir' | 'file' | 'link', sorted names.
sub entries ($self, $rel)
{
	my $abs = $self->path($rel);
	opendir(my $dh, $abs) or return ();
	my @names = sort grep { $_ ne '.' && $_ ne '..' } readdir $dh;
	closedir $dh;
	my @out;
	for my $n (@names) {
		my @st = lstat "$abs/$n" or next;
		my $type = S_ISLNK($st[2]) ? 'link' : S_ISDIR($st[2]) ? 'dir' :
		    S_ISREG($st[2]) ? 'file' : 'other';
		push @out, [$n, $type, $st[2] & 07777];
	}
	return @out;
}

sub subdirs ($self, $rel)
{
	return map { $_->[0] } grep { $_->[1] eq 'dir' } $self->entries($rel);
}

# Last path component of a symlink's target.
sub link_name ($self, $rel)
{
	my $t = readlink $self->path($rel);
	return undef unless defined $t;
	$t =~ s{/+$}{};
	$t =~ s{.*/}{};
	return $t;
}

sub link_target ($self, $rel)
{
	return readlink $self->path($rel);
}

# ---------------------------------------------------------------------
# Writing with the asynchronous result protocol

# write($rel, $text): write one command or value.  Dies with a message
# naming the path, the text and the kernel's reason on failure.
sub write ($self, $rel, $text)
{
	push @{$self->{writes}}, [$rel, $text];
	return 1 if $self->{dry_run};
	my $abs = $self->path($rel);
	my ($ok, $err) = $self->{raw_write}->($abs, "$text\n");
	$ok = $self->_wait_result($rel, $text) if !$ok && $err == EAGAIN;
	die _write_error($abs, $text, $err) . "\n" if !$ok;
	$self->{on_write}->($rel, $text) if $self->{on_write};
	return 1;
}

sub _write_error ($abs, $text, $what)
{
	$what = errno_text($what) if $what =~ /^\d+$/;
	# no CHAP secrets in messages: "... IncomingUser joe ****"
	$text =~ s/(\b\w*User\d*\s+\S+)\s+\S.*$/$1 ****/;
	return "echo \"$text\" > $abs failed: $what";
}

# The command was queued and is still running: poll last_sysfs_mgmt_res
# once a second until it stops failing with EAGAIN.
sub _wait_result ($self, $rel, $text)
{
	my $res_path = $self->path('last_sysfs_mgmt_res');
	my $abs = $self->path($rel);
	for (my $t = 0; $t <= $self->{timeout}; $t++) {
		my ($data, $err) = $self->{raw_read}->($res_path);
		if (defined $data) {
			my ($v) = parse_value($data);
			$v =~ s/^\s+|\s+$//g;
			return 1 if $v eq '0';
			die _write_error($abs, $text, $v =~ /^-(\d+)$/ ?
			    errno_text($1) : "result \"$v\"") . "\n";
		}
		die _write_error($abs, $text, 'cannot read ' . $res_path .
		    ': ' . errno_text($err)) . "\n" if $err != EAGAIN;
		$self->{sleep}->(1) if $t < $self->{timeout};
	}
	die _write_error($abs, $text, "still running after $self->{timeout} s") . "\n";
}

# ---------------------------------------------------------------------
# Reading the live configuration

# Attributes (regular files) of a directory: name => { value, key, rw,
# readable }.  Write-only attributes have value undef.
sub read_attrs ($self, $rel, %skip)
{
	my %attrs;
	for my $e ($self->entries($rel)) {
		my ($name, $type, $mode) = @$e;
		next if $type ne 'file' || $name eq 'mgmt' || $skip{$name};
		my %a = (rw => ($mode & 0222) ? 1 : 0, readable => ($mode & 0444) ? 1 : 0,
		    value => undef, key => 0);
		if ($a{readable}) {
			my ($v, $k) = $self->read_attr($rel eq '' ? $name : "$rel/$name");
			if (defined $v) {
				$a{value} = $v;
				$a{key} = $k;
			} else {
				$a{readable} = 0;
			}
		}
		$attrs{$name} = \%a;
	}
	return \%attrs;
}

# Parse a mgmt help text for the lists the kernel announces.
sub parse_help ($text)
{
	my %h = (params => [], opt_attrs => [], obj_opt_attrs => [], text => $text // '');
	return \%h unless defined $text;
	for my $l (split /\n/, $text) {
		my $list;
		if ($l =~ /^\s*The following parameters available:\s*(.*)$/) {
			$h{params} = [_split_list($1)];
		} elsif ($l =~ /^\s*The following (?:handler|target driver) attributes available:\s*(.*)$/) {
			$h{opt_attrs} = [_split_list($1)];
		} elsif ($l =~ /^\s*The following (?:device|target) attributes available:\s*(.*)$/) {
			$h{obj_opt_attrs} = [_split_list($1)];
		}
	}
	return \%h;
}

sub _split_list ($s)
{
	$s =~ s/[.\s]+$//;
	return grep { length } split /[,\s]+/, $s;
}

# Fold the numbered instances of multi-valued (dynamic) attributes,
# e.g. IncomingUser, IncomingUser1, ... into one entry with a list of
# values.
sub fold_dynamic ($attrs, @names)
{
	for my $base (@names) {
		my @hits;
		for my $n (keys %$attrs) {
			next unless $n =~ /^\Q$base\E(\d*)$/;
			push @hits, [$n, $1 eq '' ? -1 : $1];
		}
		next unless @hits;
		my @values;
		my $rw = 0;
		for my $h (sort { $a->[1] <=> $b->[1] } @hits) {
			my $a = delete $attrs->{$h->[0]};
			$rw ||= $a->{rw};
			push @values, $a->{value} if defined $a->{value};
		}
		$attrs->{$base} = { dynamic => 1, values => \@values, key => 1,
		    rw => $rw, readable => 1, value => join(', ', @values) };
	}
	return $attrs;
}

sub _mgmt_help ($self, $rel)
{
	my ($data) = $self->{raw_read}->($self->path("$rel/mgmt"));
	return parse_help($data);
}

# read_state: the whole live configuration as a model (see
# SCST::Admin for its layout).
sub read_state ($self)
{
	die "SCST is not loaded: $self->{root} does not exist\n" unless $self->present;
	my %st = (root => $self->{root});
	$st{attrs} = $self->read_attrs('', %ROOT_SKIP);
	my $ver = delete $st{attrs}{version};
	$st{version} = defined $ver && defined $ver->{value} ?
	    (split /\n/, $ver->{value})[0] : undef;
	$st{handlers} = $self->_read_handlers;
	$st{devices} = $self->_read_devices;
	$st{drivers} = $self->_read_drivers;
	$st{dgroups} = $self->_read_dgroups;
	for my $d (values %{$st{devices}}) {
		my $h = $st{handlers}{$d->{handler} // ''} or next;
		fold_dynamic($d->{attrs}, @{$h->{dev_opt_attrs}});
	}
	my ($dg) = $self->{raw_read}->($self->path('device_groups/mgmt'));
	$st{dg_supported} = defined $dg && $dg !~ /not supported/i ? 1 : 0;
	return \%st;
}

sub _read_handlers ($self)
{
	my %h;
	for my $name ($self->subdirs('handlers')) {
		my $rel = "handlers/$name";
		my $help = $self->_mgmt_help($rel);
		my %e = map { $_->[0] => $_ } $self->entries($rel);
		$h{$name} = {
			attrs => fold_dynamic($self->read_attrs($rel), @{$help->{opt_attrs}}),
			params => $help->{params},
			opt_attrs => $help->{opt_attrs},
			dev_opt_attrs => $help->{obj_opt_attrs},
			has_mgmt => exists $e{mgmt} ? 1 : 0,
			can_add => $help->{text} =~ /\badd_device\b/ ? 1 : 0,
			devices => [sort map { $_->[0] } grep { $_->[1] eq 'link' } values %e],
		};
	}
	return \%h;
}

sub _read_devices ($self)
{
	my %d;
	for my $name ($self->subdirs('devices')) {
		my $rel = "devices/$name";
		my $handler = $self->link_name("$rel/handler");
		my @exp = grep { $_->[0] ne 'mgmt' } $self->entries("$rel/exported");
		$d{$name} = {
			handler => $handler,
			attrs => $self->read_attrs($rel),
			exports => scalar @exp,
		};
	}
	return \%d;
}

sub _read_luns ($self, $rel)
{
	my %l;
	for my $n ($self->subdirs($rel)) {
		next unless $n =~ /^\d+$/;
		$l{$n} = {
			device => $self->link_name("$rel/$n/device"),
			attrs => $self->read_attrs("$rel/$n"),
		};
	}
	return \%l;
}

sub _read_target ($self, $rel, $drv)
{
	my %t = (attrs => $self->read_attrs($rel));
	fold_dynamic($t{attrs}, @{$drv->{tgt_opt_attrs}});
	$t{luns} = $self->_read_luns("$rel/luns");
	$t{groups} = {};
	for my $g ($self->subdirs("$rel/ini_groups")) {
		my $grel = "$rel/ini_groups/$g";
		$t{groups}{$g} = {
			attrs => $self->read_attrs($grel),
			luns => $self->_read_luns("$grel/luns"),
			initiators => [map { $_->[0] } grep { $_->[1] eq 'file' && $_->[0] ne 'mgmt' }
			    $self->entries("$grel/initiators")],
		};
	}
	$t{sessions} = {};
	for my $s ($self->subdirs("$rel/sessions")) {
		my $srel = "$rel/sessions/$s";
		my $ini = $self->read_value("$srel/initiator_name");
		my $luns = $self->link_target("$srel/luns") // '';
		my $group = $luns =~ m{/ini_groups/([^/]+)/luns/?$} ? $1 : '';
		$t{sessions}{$s} = { initiator => $ini // $s, group => $group };
	}
	return \%t;
}

sub _read_drivers ($self)
{
	my %d;
	for my $name ($self->subdirs('targets')) {
		my $rel = "targets/$name";
		my $help = $self->_mgmt_help($rel);
		my %e = map { $_->[0] => $_ } $self->entries($rel);
		my $drv = {
			attrs => fold_dynamic($self->read_attrs($rel), @{$help->{opt_attrs}}),
			params => $help->{params},
			opt_attrs => $help->{opt_attrs},
			tgt_opt_attrs => $help->{obj_opt_attrs},
			has_mgmt => exists $e{mgmt} ? 1 : 0,
			can_add => $help->{text} =~ /\badd_target\b/ ? 1 : 0,
			# the built-in copy manager configures itself
			internal => $name eq 'copy_manager' ? 1 : 0,
			targets => {},
		};
		for my $t ($self->subdirs($rel)) {
			next unless -d $self->path("$rel/$t/luns");
			$drv->{targets}{$t} = $self->_read_target("$rel/$t", $drv);
		}
		$d{$name} = $drv;
	}
	return \%d;
}

sub _read_dgroups ($self)
{
	my %dg;
	for my $name ($self->subdirs('device_groups')) {
		my $rel = "device_groups/$name";
		my $g = {
			attrs => $self->read_attrs($rel),
			devices => [map { $_->[0] } grep { $_->[0] ne 'mgmt' } $self->entries("$rel/devices")],
			tgroups => {},
		};
		for my $tg ($self->subdirs("$rel/target_groups")) {
			my $trel = "$rel/target_groups/$tg";
			my %tgt;
			for my $e ($self->entries($trel)) {
				my ($n, $type) = @$e;
				if ($type eq 'link') {
					$tgt{$n} = { attrs => {}, remote => 0 };
				} elsif ($type eq 'dir') {
					$tgt{$n} = { attrs => $self->read_attrs("$trel/$n"), remote => 1 };
				}
			}
			$g->{tgroups}{$tg} = { attrs => $self->read_attrs($trel), targets => \%tgt };
		}
		$dg{$name} = $g;
	}
	return \%dg;
}

1;
