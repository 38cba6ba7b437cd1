package SCST::Planner;

# Reconciliation: from the live state (SCST::SysfsTree::read_state) and a
# file model (SCST::ConfParser), compute the ordered list of sysfs writes
# that turns the one into the other, touching nothing the file does not
# change.  Nothing here writes; SCST::SysfsTree executes the list.
#
# Order of the writes (each phase sorted by object name):
#   1. SCST core attributes
#   2. disable targets and drivers that end up disabled
#   3. delete targets, initiators and groups, LUNs, device group members
#   4. handlers and devices: attributes, (re)creation with add_device and
#      its creation-only parameters, then writable and dynamic attributes
#   5. target drivers: attributes, add_target, target attributes, LUNs,
#      groups (create, attributes, LUNs, then initiators)
#   6. device groups (ALUA)
#   7. delete devices no longer configured
#   8. enable targets, then drivers
#
# Removals that can hurt users need force: a LUN, a device that is
# exported, a target or group with sessions, disabling a target with
# sessions, replacing a LUN that sessions see, re-creating an exported
# device because a creation-only parameter changed.  Without force they
# are left out of the list and described in "withheld".

use v5.36;
use SCST::Admin qw(values_equal reset_value);

my @PHASES = qw(global disable tgt_del ini_del lun_del dg_del dev tgt dg
    dev_del enable drv_enable);

# Of two creation parameters that exclude each other, pass the first.
my %EXCLUSIVE = (size_mb => 'size');
# Two names of one setting: if the file has one, the other is not reset.
my %ALIAS = (size => 'size_mb', size_mb => 'size');

# plan(live, file, force => 0|1): { writes => [[path, text, description]],
# withheld => [...], warnings => [...], errors => [...] }
sub plan ($live, $cfg, %opt)
{
	my $P = {
		live => $live, cfg => $cfg, force => $opt{force} // 0,
		cur => _clone($live),	# the live state as the plan changes it
		file => $cfg->{file} // 'config',
		ph => { map { $_ => [] } @PHASES },
		withheld => [], warnings => [], errors => [],
		recreate => {},
	};
	_validate($P);
	if (!@{$P->{errors}}) {
		_plan_global($P);
		_plan_devices($P);
		_plan_drivers($P);
		_plan_dgroups($P);
		_plan_device_removals($P);
	}
	return {
		writes => @{$P->{errors}} ? [] : [map { @{$P->{ph}{$_}} } @PHASES],
		withheld => $P->{withheld}, warnings => $P->{warnings},
		errors => $P->{errors},
	};
}

sub _clone ($x)
{
	return ref $x eq 'HASH' ? { map { $_ => _clone($x->{$_}) } keys %$x } :
	    ref $x eq 'ARRAY' ? [map { _clone($_) } @$x] : $x;
}

sub _w ($P, $phase, $path, $text, $desc, $flags = undef)
{
	push @{$P->{ph}{$phase}}, [$path, $text, $desc, $flags // ()];
}

sub _err ($P, $line, $msg)
{
	push @{$P->{errors}}, $line ? "$P->{file}:$line: $msg" : $msg;
}

sub _warn ($P, $msg) { push @{$P->{warnings}}, $msg }

# A change that needs force: returns true if it may be planned.
sub _forced ($P, $what, $why)
{
	return 1 if $P->{force};
	push @{$P->{withheld}}, "$what ($why): needs -force";
	return 0;
}

sub _apath ($dir, $n) { return $dir eq '' ? $n : "$dir/$n" }

# Values as shown in messages: no CHAP secrets (IncomingUser "name secret").
sub shown ($n, $v) { return $n =~ /User$/ ? $v =~ s/\s.*$/ ****/r : $v }

sub _empty_obj (%extra) { return { line => 0, attrs => {}, order => [], %extra } }

# ---------------------------------------------------------------------
# Checks against the live system before anything is planned

sub _validate ($P)
{
	my ($live, $cfg) = @{$P}{qw(live cfg)};
	for my $h (sort keys %{$cfg->{handlers}}) {
		my $ch = $cfg->{handlers}{$h};
		if (!$live->{handlers}{$h}) {
			_err($P, $ch->{line}, "HANDLER $h: no such handler is loaded");
			next;
		}
		my $lh = $live->{handlers}{$h};
		for my $d (sort keys %{$ch->{devices}}) {
			my $exists = $live->{devices}{$d} &&
			    ($live->{devices}{$d}{handler} // '') eq $h;
			_err($P, $ch->{devices}{$d}{line},
			    "DEVICE $d: handler $h cannot create devices and has no such device")
			    if !$exists && !$lh->{can_add};
			_check_params($P, $ch->{devices}{$d}, $lh->{params}, "DEVICE $d");
		}
	}
	for my $dn (sort keys %{$cfg->{drivers}}) {
		my $cd = $cfg->{drivers}{$dn};
		my $ld = $live->{drivers}{$dn};
		if (!$ld) {
			_err($P, $cd->{line}, "TARGET_DRIVER $dn: no such target driver is loaded");
			next;
		}
		_err($P, $cd->{line}, "TARGET_DRIVER $dn: the built-in $dn configures itself")
		    if $ld->{internal};
		for my $t (sort keys %{$cd->{targets}}) {
			my $ct = $cd->{targets}{$t};
			_err($P, $ct->{line},
			    "TARGET $t: driver $dn cannot create targets and has no such target")
			    if !$ld->{targets}{$t} && !$ld->{can_add};
			_check_params($P, $ct, $ld->{params}, "TARGET $t") unless $ld->{targets}{$t};
		}
	}
	if (%{$cfg->{dgroups}} && !$live->{dg_supported}) {
		my ($first) = sort { $a->{line} <=> $b->{line} } values %{$cfg->{dgroups}};
		_err($P, $first->{line}, 'DEVICE_GROUP: this SCST does not support device groups (ALUA)');
	}
}

# Creation parameters go into one mgmt command: no blanks, "=" or ";".
sub _check_params ($P, $obj, $params, $what)
{
	my %p = map { $_ => 1 } @$params;
	for my $n (@{$obj->{order}}) {
		next unless $p{$n};
		for my $i (0 .. $#{$obj->{attrs}{$n}{values}}) {
			my $v = $obj->{attrs}{$n}{values}[$i];
			_err($P, $obj->{attrs}{$n}{lines}[$i],
			    "$what: creation parameter $n=\"$v\" cannot contain blanks, \"=\" or \";\"")
			    if $v =~ /[\s=;]/ || $v eq '';
		}
	}
}

# Only dynamic attributes (announced by the handler or driver) take
# several values.
sub _check_multi ($P, $obj, $what, $dyn)
{
	for my $n (@{$obj->{order}}) {
		my $a = $obj->{attrs}{$n};
		_err($P, $a->{lines}[1], "$what: attribute $n is given more than once")
		    if @{$a->{values}} > 1 && !$dyn->{$n};
	}
}

# ---------------------------------------------------------------------
# Attribute reconciliation of one object

# diff_attrs(P, phase, want, have, %o): plan the attribute writes of an
# existing object.  o: kind (for reset values), path (directory of the
# attribute files), what (for messages), params (creation parameters),
# dyn => { names }, dyn_add/dyn_del => sub (name, value) returning
# [path, text], skip => { names handled elsewhere }.  Returns the list of
# reasons why the object must be re-created (creation-only changes).
sub diff_attrs ($P, $phase, $want, $have, %o)
{
	my %params = map { $_ => 1 } @{$o{params} // []};
	my %dyn = map { $_ => 1 } @{$o{dyn} // []};
	my $skip = $o{skip} // {};
	my @recreate;
	_check_multi($P, $want, $o{what}, \%dyn);
	for my $n (@{$want->{order}}) {
		next if $skip->{$n};
		my $wa = $want->{attrs}{$n};
		my $line = $wa->{lines}[0];
		if ($dyn{$n}) {
			_diff_dynamic($P, $phase, $n, $wa->{values}, $have->{$n}, %o);
			next;
		}
		my $v = $wa->{values}[-1];
		my $ha = $have->{$n};
		if (!$ha) {
			next if $params{$n};	# creation parameter, not visible later
			_err($P, $line, "$o{what}: unknown attribute $n");
			next;
		}
		if (!$ha->{readable}) {
			_warn($P, "$o{what}: $n is write-only; the file's value is ignored");
			next;
		}
		next if values_equal($n, $v, $ha->{value});
		if ($ha->{rw}) {
			_w($P, $phase, _apath($o{path}, $n), $v, "set $n of $o{what} to \"$v\"");
		} elsif ($params{$n}) {
			push @recreate, "$n is \"$ha->{value}\", the file says \"$v\"";
		} else {
			_warn($P, "$o{what}: read-only attribute $n is \"$ha->{value}\", " .
			    "not \"$v\" as in the file; ignored");
		}
	}
	for my $n (sort keys %$have) {
		my $ha = $have->{$n};
		next if $skip->{$n} || $want->{attrs}{$n} || ($ALIAS{$n} && $want->{attrs}{$ALIAS{$n}});
		if ($ha->{dynamic}) {
			_diff_dynamic($P, $phase, $n, [], $ha, %o) if $dyn{$n};
			next;
		}
		next unless $ha->{key};
		my $def = reset_value($o{kind}, $n);
		if ($ha->{rw} && defined $def) {
			_w($P, $phase, _apath($o{path}, $n), $def,
			    "reset $n of $o{what} to its default" . ($def eq '' ? '' : " \"$def\""))
			    unless values_equal($n, $def, $ha->{value});
		} elsif (!$ha->{rw} && $params{$n}) {
			push @recreate, "$n is \"$ha->{value}\", the file wants the default";
		} else {
			_warn($P, "$o{what}: $n is \"$ha->{value}\" but not in the file; " .
			    "its default cannot be restored by scstadmin, left unchanged");
		}
	}
	return @recreate;
}

sub _diff_dynamic ($P, $phase, $n, $want, $ha, %o)
{
	my @have = $ha ? @{$ha->{values}} : ();
	my %h = map { $_ => 1 } @have;
	my %w = map { $_ => 1 } @$want;
	for my $v (@have) {
		next if $w{$v};
		_w($P, $phase, @{$o{dyn_del}->($n, $v)}, "remove $n \"" . shown($n, $v) . "\" of $o{what}");
	}
	my %done;
	for my $v (@$want) {
		next if $h{$v} || $done{$v}++;
		_w($P, $phase, @{$o{dyn_add}->($n, $v)}, "add $n \"" . shown($n, $v) . "\" to $o{what}");
	}
}

# Writes for a new object: creation parameters for the create command
# (returned as "p=v; p=v"), then the other attributes in file order.
sub new_attrs ($P, $phase, $want, %o)
{
	my %params = map { $_ => 1 } @{$o{params} // []};
	my %dyn = map { $_ => 1 } @{$o{dyn} // []};
	my $skip = $o{skip} // {};
	my (@create, @last, @writes);
	_check_multi($P, $want, $o{what}, \%dyn);
	for my $n (@{$want->{order}}) {
		next if $skip->{$n};
		my $vals = $want->{attrs}{$n}{values};
		if ($dyn{$n}) {
			my %done;
			push @writes, map { [@{$o{dyn_add}->($n, $_)}, "add $n \"" . shown($n, $_) . "\" to $o{what}"] }
			    grep { !$done{$_}++ } @$vals;
		} elsif ($params{$n}) {
			next if $EXCLUSIVE{$n} && $want->{attrs}{$EXCLUSIVE{$n}};
			# cluster_mode needs the others in place: pass it last
			push @{$n eq 'cluster_mode' ? \@last : \@create}, "$n=$vals->[-1]";
		} else {
			# The object does not exist yet, so whether the value
			# differs from the default is only known when the write
			# is due (see SCST::Admin::execute).
			push @writes, [_apath($o{path}, $n), $vals->[-1],
			    "set $n of $o{what} to \"$vals->[-1]\"", { if_differs => 1 }];
		}
	}
	return (join('; ', @create, @last), @writes);
}

# ---------------------------------------------------------------------
# Phase 1: SCST core attributes

sub _plan_global ($P)
{
	diff_attrs($P, 'global', $P->{cfg}, $P->{live}{attrs}, kind => 'scst',
	    path => '', what => 'the SCST core');
}

# ---------------------------------------------------------------------
# Phase 4 (and the LUN removals of phase 3 for re-created devices)

sub _handler_dyn ($h, $lh, $dev = undef)
{
	my $m = "handlers/$h/mgmt";
	return $dev ? (
		dyn => $lh->{dev_opt_attrs},
		dyn_add => sub ($n, $v) { [$m, "add_device_attribute $dev $n $v"] },
		dyn_del => sub ($n, $v) { [$m, "del_device_attribute $dev $n $v"] },
	) : (
		dyn => $lh->{opt_attrs},
		dyn_add => sub ($n, $v) { [$m, "add_attribute $n $v"] },
		dyn_del => sub ($n, $v) { [$m, "del_attribute $n $v"] },
	);
}

sub _plan_devices ($P)
{
	my ($live, $cfg) = @{$P}{qw(live cfg)};
	for my $h (sort keys %{$live->{handlers}}) {
		my $lh = $live->{handlers}{$h};
		my $ch = $cfg->{handlers}{$h} // _empty_obj(devices => {});
		diff_attrs($P, 'dev', $ch, $lh->{attrs}, kind => 'handler',
		    path => "handlers/$h", what => "handler $h", _handler_dyn($h, $lh));
		for my $d (sort keys %{$ch->{devices}}) {
			_plan_device($P, $h, $d, $ch->{devices}{$d});
		}
	}
}

sub _plan_device ($P, $h, $d, $want)
{
	my $lh = $P->{live}{handlers}{$h};
	my $ld = $P->{live}{devices}{$d};
	my %o = (kind => 'device', path => "devices/$d", what => "device $d",
	    params => $lh->{params}, _handler_dyn($h, $lh, $d));
	if ($ld) {
		my @why;
		my $lhn = $ld->{handler} // '?';
		if ($lhn ne $h) {
			@why = ("it moves from handler $lhn to $h");
			_check_multi($P, $want, $o{what}, {});
		} else {
			my $n = @{$P->{ph}{dev}};
			@why = diff_attrs($P, 'dev', $want, $ld->{attrs}, %o);
			return unless @why;
			# If the re-creation is withheld, the changes of
			# writable attributes are still made.
			return unless _may_recreate($P, $d, $ld, join('; ', @why));
			splice @{$P->{ph}{dev}}, $n;
		}
		return unless @why && _may_recreate($P, $d, $ld, join('; ', @why));
		_unexport_device($P, $d);
		_w($P, 'dev', "handlers/$lhn/mgmt", "del_device $d",
		    "delete device $d to re-create it (" . join('; ', @why) . ')');
		$P->{recreate}{$d} = 1;
	}
	my ($params, @writes) = new_attrs($P, 'dev', $want, %o);
	_w($P, 'dev', "handlers/$h/mgmt", "add_device $d" . ($params ne '' ? " $params" : ''),
	    "add device $d to handler $h");
	_w($P, 'dev', @$_) for @writes;
}

sub _may_recreate ($P, $d, $ld, $why)
{
	return 1 unless $ld->{exports};
	return _forced($P, "re-create exported device $d", $why);
}

# Delete every LUN of device d (it is about to be re-created; phase 5
# adds them again because they are gone from the current state).
sub _unexport_device ($P, $d)
{
	my $cur = $P->{cur};
	for my $dn (sort keys %{$cur->{drivers}}) {
		for my $tn (sort keys %{$cur->{drivers}{$dn}{targets}}) {
			my $t = $cur->{drivers}{$dn}{targets}{$tn};
			my $base = "targets/$dn/$tn";
			for my $acg (['', $t->{luns}, "$base/luns"],
			    map { [$_, $t->{groups}{$_}{luns}, "$base/ini_groups/$_/luns"] }
			    sort keys %{$t->{groups}}) {
				my ($g, $luns, $path) = @$acg;
				for my $n (sort { $a <=> $b } keys %$luns) {
					next unless ($luns->{$n}{device} // '') eq $d;
					_w($P, 'lun_del', "$path/mgmt", "del $n",
					    "delete LUN $n of " . _acg_name($tn, $g) .
					    " (device $d is re-created)");
					delete $luns->{$n};
				}
			}
		}
	}
}

sub _acg_name ($t, $g) { return $g eq '' ? "target $t" : "group $g of target $t" }

# ---------------------------------------------------------------------
# Phase 5: target drivers and targets

sub _drv_dyn ($dn, $ld, $tgt = undef)
{
	my $m = "targets/$dn/mgmt";
	return $tgt ? (
		dyn => $ld->{tgt_opt_attrs},
		dyn_add => sub ($n, $v) { [$m, "add_target_attribute $tgt $n $v"] },
		dyn_del => sub ($n, $v) { [$m, "del_target_attribute $tgt $n $v"] },
	) : (
		dyn => $ld->{opt_attrs},
		dyn_add => sub ($n, $v) { [$m, "add_attribute $n $v"] },
		dyn_del => sub ($n, $v) { [$m, "del_attribute $n $v"] },
	);
}

sub _want_enabled ($obj)
{
	my $a = $obj->{attrs}{enabled};
	return $a ? $a->{values}[-1] + 0 : 0;
}

sub _sessions ($t, $group = undef)
{
	return 0 unless $t && $t->{sessions};
	return scalar grep { !defined $group || $_->{group} eq $group } values %{$t->{sessions}};
}

sub _plan_drivers ($P)
{
	my ($live, $cfg) = @{$P}{qw(live cfg)};
	for my $dn (sort keys %{$live->{drivers}}) {
		my $ld = $live->{drivers}{$dn};
		next if $ld->{internal};
		my $cd = $cfg->{drivers}{$dn} // _empty_obj(targets => {});
		my $what = "target driver $dn";
		diff_attrs($P, 'tgt', $cd, $ld->{attrs}, kind => 'driver',
		    path => "targets/$dn", what => $what, skip => { enabled => 1 },
		    _drv_dyn($dn, $ld));
		for my $tn (sort keys %{$ld->{targets}}) {
			next if $cd->{targets}{$tn};
			if ($ld->{can_add}) {
				_delete_target($P, $dn, $tn);
			} else {
				# a hardware target: it stays, without configuration
				_plan_target($P, $dn, $tn, _empty_obj(luns => {}, groups => {}));
			}
		}
		for my $tn (sort keys %{$cd->{targets}}) {
			_plan_target($P, $dn, $tn, $cd->{targets}{$tn});
		}
		_plan_enable($P, "targets/$dn", $what, $cd, $ld->{attrs}{enabled},
		    'drv_enable', scalar(map { values %{$_->{sessions}} } values %{$ld->{targets}}));
	}
}

# enabled: written last (enable) or first (disable, needs force with
# sessions).  Objects without an "enabled" attribute are left alone
# unless the file asks to enable them.
sub _plan_enable ($P, $path, $what, $want, $have, $phase, $nsess)
{
	my $en = _want_enabled($want);
	if (!$have) {
		_w($P, $phase, "$path/enabled", 1, "enable $what") if $en;
		return;
	}
	my $cur = ($have->{value} // '0') =~ /^\s*1/ ? 1 : 0;
	return if $cur == $en;
	if ($en) {
		_w($P, $phase, "$path/enabled", 1, "enable $what");
	} elsif (!$nsess || _forced($P, "disable $what", "$nsess session(s)")) {
		_w($P, 'disable', "$path/enabled", 0, "disable $what");
	}
}

sub _delete_target ($P, $dn, $tn)
{
	my $lt = $P->{live}{drivers}{$dn}{targets}{$tn};
	my $n = _sessions($lt);
	return if $n && !_forced($P, "remove target $tn of driver $dn", "$n session(s)");
	_w($P, 'tgt_del', "targets/$dn/mgmt", "del_target $tn", "remove target $tn of driver $dn");
	delete $P->{cur}{drivers}{$dn}{targets}{$tn};
}

sub _plan_target ($P, $dn, $tn, $ct)
{
	my $ld = $P->{live}{drivers}{$dn};
	my $lt = $ld->{targets}{$tn};
	my $path = "targets/$dn/$tn";
	my %o = (kind => 'target', path => $path, what => "target $tn",
	    params => $ld->{params}, skip => { enabled => 1 }, _drv_dyn($dn, $ld, $tn));
	if ($lt) {
		my @why = diff_attrs($P, 'tgt', $ct, $lt->{attrs}, %o);
		_warn($P, "target $tn: cannot change creation parameters of an existing target (" .
		    join('; ', @why) . '); remove it from the file, apply, and add it again') if @why;
	} else {
		my ($params, @writes) = new_attrs($P, 'tgt', $ct, %o);
		_w($P, 'tgt', "targets/$dn/mgmt", "add_target $tn" . ($params ne '' ? " $params" : ''),
		    "add target $tn to driver $dn");
		_w($P, 'tgt', @$_) for @writes;
		$lt = { attrs => {}, luns => {}, groups => {}, sessions => {} };
		$P->{cur}{drivers}{$dn}{targets}{$tn} = _clone($lt);
	}
	my $cur = $P->{cur}{drivers}{$dn}{targets}{$tn};
	_plan_luns($P, "$path/luns", $ct->{luns}, $cur->{luns}, _sessions($lt, ''),
	    "target $tn");
	_plan_groups($P, $dn, $tn, $ct, $lt, $cur);
	_plan_enable($P, $path, "target $tn", $ct, $lt->{attrs}{enabled}, 'enable',
	    _sessions($lt));
}

sub _lun_cmd ($verb, $l)
{
	my $ro = $l->{attrs}{read_only} ? $l->{attrs}{read_only}{values}[-1] : 0;
	return "$verb $l->{device} " . ($l->{n}) . ($ro ? ' read_only=1' : '');
}

sub _plan_luns ($P, $path, $want, $have, $nsess, $what)
{
	my %all = map { $_ => 1 } keys %$want, keys %$have;
	for my $n (sort { $a <=> $b } keys %all) {
		my ($w, $h) = ($want->{$n}, $have->{$n});
		if (!$w) {
			next unless _forced($P, "remove LUN $n (device " . ($h->{device} // '?') .
			    ") of $what", 'a LUN removal');
			_w($P, 'lun_del', "$path/mgmt", "del $n", "remove LUN $n of $what");
			delete $have->{$n};
			next;
		}
		my $wl = { %$w, n => $n };
		if (!$h) {
			_w($P, 'tgt', "$path/mgmt", _lun_cmd('add', $wl),
			    "add LUN $n (device $w->{device}) to $what");
			next;
		}
		my $ro_w = $w->{attrs}{read_only} ? $w->{attrs}{read_only}{values}[-1] : 0;
		my $ro_h = $h->{attrs}{read_only} ? $h->{attrs}{read_only}{value} // 0 : 0;
		next if ($h->{device} // '') eq $w->{device} && $ro_w == $ro_h;
		my $change = ($h->{device} // '') eq $w->{device} ?
		    "read_only $ro_h -> $ro_w" : "device $h->{device} -> $w->{device}";
		next if $nsess && !_forced($P, "replace LUN $n of $what ($change)",
		    "$nsess session(s) use it");
		_w($P, 'tgt', "$path/mgmt", _lun_cmd('replace', $wl),
		    "replace LUN $n of $what ($change)");
	}
}

sub _plan_groups ($P, $dn, $tn, $ct, $lt, $cur)
{
	my $base = "targets/$dn/$tn/ini_groups";
	# where each initiator of the file goes, to turn del + add into move
	my %dest;
	for my $g (keys %{$ct->{groups}}) {
		$dest{$_->[0]} = $g for @{$ct->{groups}{$g}{initiators}};
	}
	my %moves;	# initiator => source group
	for my $g (sort keys %{$lt->{groups}}) {
		my $lg = $lt->{groups}{$g};
		my $n = _sessions($lt, $g);
		my $cg = $ct->{groups}{$g};
		if (!$cg) {
			next if $n && !_forced($P, "remove group $g of target $tn", "$n session(s)");
			# sessions leave a group when its initiators go
			if ($n) {
				_w($P, 'ini_del', "$base/$g/initiators/mgmt", "del $_",
				    "remove initiator $_ from group $g of target $tn") for @{$lg->{initiators}};
			}
			_w($P, 'ini_del', "$base/mgmt", "del $g", "remove group $g of target $tn");
			delete $cur->{groups}{$g};
			next;
		}
		my %want = map { $_->[0] => 1 } @{$cg->{initiators}};
		for my $i (@{$lg->{initiators}}) {
			next if $want{$i};
			my $what = "initiator $i of group $g of target $tn";
			next if $n && !_forced($P, ($dest{$i} ? "move $what to group $dest{$i}" :
			    "remove $what"), "$n session(s) in the group");
			if ($dest{$i}) {
				$moves{$i} = $g;
				next;
			}
			_w($P, 'ini_del', "$base/$g/initiators/mgmt", "del $i", "remove $what");
			$cur->{groups}{$g}{initiators} = [grep { $_ ne $i } @{$cur->{groups}{$g}{initiators}}];
		}
	}
	for my $g (sort keys %{$ct->{groups}}) {
		my $cg = $ct->{groups}{$g};
		my $lg = $lt->{groups}{$g};
		my $path = "$base/$g";
		my %o = (kind => 'group', path => $path, what => "group $g of target $tn");
		if ($lg) {
			diff_attrs($P, 'tgt', $cg, $lg->{attrs}, %o);
		} else {
			_w($P, 'tgt', "$base/mgmt", "create $g", "create group $g of target $tn");
			my (undef, @writes) = new_attrs($P, 'tgt', $cg, %o);
			_w($P, 'tgt', @$_) for @writes;
			$cur->{groups}{$g} = { attrs => {}, luns => {}, initiators => [] };
		}
		_plan_luns($P, "$path/luns", $cg->{luns}, $cur->{groups}{$g}{luns},
		    _sessions($lt, $g), "group $g of target $tn");
		my %have = map { $_ => 1 } @{$cur->{groups}{$g}{initiators}};
		for my $i (map { $_->[0] } @{$cg->{initiators}}) {
			next if $have{$i};
			my $from = $moves{$i};
			if (defined $from) {
				_w($P, 'tgt', "$base/$from/initiators/mgmt", "move $i $g",
				    "move initiator $i from group $from to group $g of target $tn");
			} elsif (_initiator_elsewhere($cur, $g, $i)) {
				# still in another group (the move was withheld)
				next;
			} else {
				_w($P, 'tgt', "$path/initiators/mgmt", "add $i",
				    "add initiator $i to group $g of target $tn");
			}
		}
	}
}

sub _initiator_elsewhere ($cur, $g, $i)
{
	for my $o (keys %{$cur->{groups}}) {
		next if $o eq $g;
		return 1 if grep { $_ eq $i } @{$cur->{groups}{$o}{initiators}};
	}
	return 0;
}

# ---------------------------------------------------------------------
# Phase 6: device groups (ALUA)

sub _plan_dgroups ($P)
{
	my ($live, $cfg) = @{$P}{qw(live cfg)};
	for my $dg (sort keys %{$live->{dgroups}}) {
		next if $cfg->{dgroups}{$dg};
		_w($P, 'dg_del', 'device_groups/mgmt', "del $dg", "remove device group $dg");
	}
	for my $dg (sort keys %{$cfg->{dgroups}}) {
		my $c = $cfg->{dgroups}{$dg};
		my $l = $live->{dgroups}{$dg};
		my $base = "device_groups/$dg";
		if (!$l) {
			_w($P, 'dg', 'device_groups/mgmt', "create $dg", "create device group $dg");
			$l = { attrs => {}, devices => [], tgroups => {} };
		}
		my %ld = map { $_ => 1 } @{$l->{devices}};
		my %cd = map { $_->[0] => 1 } @{$c->{devices}};
		_w($P, 'dg_del', "$base/devices/mgmt", "del $_", "remove device $_ from device group $dg")
		    for grep { !$cd{$_} } @{$l->{devices}};
		_w($P, 'dg', "$base/devices/mgmt", "add $_", "add device $_ to device group $dg")
		    for grep { !$ld{$_} } map { $_->[0] } @{$c->{devices}};
		for my $tg (sort keys %{$l->{tgroups}}) {
			_w($P, 'dg_del', "$base/target_groups/mgmt", "del $tg",
			    "remove target group $tg of device group $dg") unless $c->{tgroups}{$tg};
		}
		for my $tg (sort keys %{$c->{tgroups}}) {
			_plan_tgroup($P, $dg, $tg, $c->{tgroups}{$tg}, $l->{tgroups}{$tg});
		}
	}
}

sub _plan_tgroup ($P, $dg, $tg, $c, $l)
{
	my $base = "device_groups/$dg/target_groups";
	my $path = "$base/$tg";
	my %o = (kind => 'tgroup', path => $path, what => "target group $tg of device group $dg");
	if ($l) {
		diff_attrs($P, 'dg', $c, $l->{attrs}, %o);
	} else {
		_w($P, 'dg', "$base/mgmt", "create $tg", "create target group $tg of device group $dg");
		my (undef, @writes) = new_attrs($P, 'dg', $c, %o);
		_w($P, 'dg', @$_) for @writes;
		$l = { attrs => {}, targets => {} };
	}
	for my $t (sort keys %{$l->{targets}}) {
		_w($P, 'dg_del', "$path/mgmt", "del $t", "remove target $t from $o{what}")
		    unless $c->{targets}{$t};
	}
	for my $t (sort keys %{$c->{targets}}) {
		my %to = (kind => 'tg_target', path => "$path/$t", what => "target $t of $o{what}");
		if ($l->{targets}{$t}) {
			diff_attrs($P, 'dg', $c->{targets}{$t}, $l->{targets}{$t}{attrs}, %to);
			next;
		}
		_w($P, 'dg', "$path/mgmt", "add $t", "add target $t to $o{what}");
		my (undef, @writes) = new_attrs($P, 'dg', $c->{targets}{$t}, %to);
		_w($P, 'dg', @$_) for @writes;
	}
}

# ---------------------------------------------------------------------
# Phase 7: devices the file no longer has

sub _lun_refs ($cur, $d)
{
	my @refs;
	for my $dn (sort keys %{$cur->{drivers}}) {
		for my $tn (sort keys %{$cur->{drivers}{$dn}{targets}}) {
			my $t = $cur->{drivers}{$dn}{targets}{$tn};
			for my $acg ([$t->{luns}, "target $tn"],
			    map { [$t->{groups}{$_}{luns}, "group $_ of target $tn"] } keys %{$t->{groups}}) {
				push @refs, map { "LUN $_ of $acg->[1]" }
				    grep { ($acg->[0]{$_}{device} // '') eq $d } keys %{$acg->[0]};
			}
		}
	}
	return sort @refs;
}

sub _plan_device_removals ($P)
{
	my ($live, $cfg) = @{$P}{qw(live cfg)};
	for my $d (sort keys %{$live->{devices}}) {
		next if $cfg->{device_handler}{$d};
		my $ld = $live->{devices}{$d};
		my $h = $ld->{handler} // next;
		my $what = "remove device $d of handler $h";
		if (my @refs = _lun_refs($P->{cur}, $d)) {
			# its LUN removals were withheld
			push @{$P->{withheld}}, "$what: still exported as " . join(', ', @refs);
			next;
		}
		next if $ld->{exports} && !_forced($P, $what, 'it is exported');
		_w($P, 'dev_del', "handlers/$h/mgmt", "del_device $d", $what);
	}
}

1;
