package SCST::ConfParser;

# Parser of scst.conf (see scst.conf(5)).  It turns a file into a
# configuration model and reports every error with the file name and the
# line; a caller applies nothing unless the error list is empty.
#
# Syntax: "#" starts a comment ("\#" is a literal "#"); one "name value"
# per line; values with blanks are double-quoted; a line ending in "{"
# opens a block and a lone "}" closes it; attributes may repeat
# (multi-valued); attributes after a "# Non-key attributes" comment are
# informational (obj->{nonkey}) and not part of the configuration.  Blocks:
#   HANDLER h { attrs  DEVICE d [{ attrs }] }
#   TARGET_DRIVER drv { attrs  TARGET t { attrs  LUN n dev [{ read_only 1 }]
#       GROUP g { attrs  LUN ...  INITIATOR name } } }
#   DEVICE_GROUP dg { DEVICE d  TARGET_GROUP tg { attrs  TARGET t [{ attrs }] } }

use v5.36;

our $MAX_LUN = 16383;
our $MAX_NAME_LEN = 255;

# Block keywords allowed in each context: keyword => [new context,
# number of arguments, may have a block].
my %GRAMMAR = (
	top => {
		HANDLER => ['handler', 1, 1],
		TARGET_DRIVER => ['driver', 1, 1],
		DEVICE_GROUP => ['dgroup', 1, 1],
	},
	handler => { DEVICE => ['device', 1, 1] },
	driver => { TARGET => ['target', 1, 1] },
	target => { LUN => ['lun', 2, 1], GROUP => ['group', 1, 1] },
	group => { LUN => ['lun', 2, 1], INITIATOR => ['initiator', 1, 0] },
	dgroup => { DEVICE => ['dg_device', 1, 0], TARGET_GROUP => ['tgroup', 1, 1] },
	tgroup => { TARGET => ['tg_target', 1, 1] },
	device => {}, lun => {}, tg_target => {}, error => {},
);

my %KEYWORDS = map { $_ => 1 } map { keys %$_ } values %GRAMMAR;

my %CONTEXT_NAME = (
	top => 'the top level', handler => 'a HANDLER block',
	device => 'a DEVICE block', driver => 'a TARGET_DRIVER block',
	target => 'a TARGET block', lun => 'a LUN block',
	group => 'a GROUP block', dgroup => 'a DEVICE_GROUP block',
	tgroup => 'a TARGET_GROUP block', tg_target => 'a TARGET block',
	error => 'an erroneous block',
);

sub new_model ($file = undef)
{
	return {
		file => $file, attrs => {}, order => [],
		handlers => {}, drivers => {}, dgroups => {},
		device_handler => {}, device_line => {},
	};
}

sub _new_obj ($line, %extra)
{
	return { line => $line, attrs => {}, order => [], %extra };
}

# add_attr(obj, name, value, line): append a value (attributes may repeat).
sub add_attr ($obj, $name, $value, $line = 0)
{
	my $a = $obj->{attrs}{$name};
	if (!$a) {
		$a = $obj->{attrs}{$name} = { values => [], lines => [] };
		push @{$obj->{order}}, $name;
	}
	push @{$a->{values}}, $value;
	push @{$a->{lines}}, $line;
	return $obj;
}

sub valid_name ($s)
{
	return 0 if !length $s || length $s > $MAX_NAME_LEN;
	return 0 if $s eq '.' || $s eq '..';
	# the kernel's mgmt lexer splits on blanks, "=" and ";"
	return $s !~ m{[\x00-\x20\x7f-\xff/=;]};
}

# ---------------------------------------------------------------------
# Lexer

# tokenize(line): list of [text, quoted] or an error string.
sub tokenize ($line)
{
	my @tok;
	my ($cur, $have, $quoted, $inq) = ('', 0, 0, 0);
	my @c = split //, $line;
	for (my $i = 0; $i < @c; $i++) {
		my $ch = $c[$i];
		if ($ch eq '\\' && $i + 1 < @c && $c[$i + 1] =~ /[#"\\]/) {
			$cur .= $c[++$i];
			$have = 1;
			next;
		}
		if ($ch eq '"') {
			$inq = !$inq;
			$have = $quoted = 1;
			next;
		}
		if ($inq) {
			$cur .= $ch;
			next;
		}
		last if $ch eq '#';
		if ($ch =~ /\s/) {
			push @tok, [$cur, $quoted] if $have;
			($cur, $have, $quoted) = ('', 0, 0);
			next;
		}
		if ($ch eq '{' || $ch eq '}') {
			push @tok, [$cur, $quoted] if $have;
			push @tok, [$ch, 0];
			($cur, $have, $quoted) = ('', 0, 0);
			next;
		}
		$cur .= $ch;
		$have = 1;
	}
	return 'unterminated quoted string (missing closing ")' if $inq;
	push @tok, [$cur, $quoted] if $have;
	return \@tok;
}

sub _is ($tok, $s) { return !$tok->[1] && $tok->[0] eq $s }

# ---------------------------------------------------------------------
# Parser

sub parse_file ($path)
{
	my $fh;
	if (!open($fh, '<', $path)) {
		my $m = new_model($path);
		return ($m, ["$path: cannot open: $!"]);
	}
	local $/;
	my $text = <$fh>;
	close $fh;
	return parse_string($text // '', $path);
}

sub parse_string ($text, $file = '(string)')
{
	my $p = {
		file => $file, model => new_model($file), errors => [],
		stack => [], lineno => 0,
	};
	$p->{stack} = [{ kind => 'top', obj => $p->{model}, line => 0 }];
	my @lines = split /\r?\n/, $text, -1;
	pop @lines if @lines && $lines[-1] eq '';
	for my $l (@lines) {
		$p->{lineno}++;
		_parse_line($p, $l);
	}
	while (@{$p->{stack}} > 1) {
		my $f = pop @{$p->{stack}};
		next if $f->{kind} eq 'error';
		_err($p, "$f->{keyword} block is not closed (missing \"}\")", $f->{line});
	}
	_check_model($p) unless @{$p->{errors}};
	@{$p->{errors}} = sort { _line_of($a) <=> _line_of($b) } @{$p->{errors}};
	return ($p->{model}, $p->{errors});
}

sub _err ($p, $msg, $line = $p->{lineno})
{
	push @{$p->{errors}}, "$p->{file}:$line: $msg";
	return;
}

sub _parse_line ($p, $line)
{
	# "-write_config -nonkey" puts the attributes that only show the
	# current (default) values after this comment: they are kept apart
	# and never applied.
	if ($line =~ /^\s*#\s*Non-key attributes\s*$/i) {
		$p->{stack}[-1]{nonkey} = 1;
		return;
	}
	my $tok = tokenize($line);
	return _err($p, $tok) unless ref $tok;
	return unless @$tok;
	if (@$tok == 1 && _is($tok->[0], '}')) {
		return _err($p, 'unexpected "}": no block is open') if @{$p->{stack}} == 1;
		pop @{$p->{stack}};
		return;
	}
	my ($open, $close) = (0, 0);
	if (@$tok >= 2 && _is($tok->[-1], '}') && _is($tok->[-2], '{')) {
		($open, $close) = (1, 1);	# "NAME args {}": an empty block
		splice @$tok, -2;
	} elsif (_is($tok->[-1], '{')) {
		$open = 1;
		pop @$tok;
	}
	for my $t (@$tok) {
		next unless _is($t, '{') || _is($t, '}');
		_err($p, "unexpected \"$t->[0]\": \"{\" must end a line and \"}\" stand alone");
		_resync($p, $tok, $open, $close);
		return;
	}
	return _err($p, 'a "{" without a keyword and a name') unless @$tok;
	my $word = $tok->[0];
	my ($nerr, $depth) = (scalar @{$p->{errors}}, scalar @{$p->{stack}});
	if (!$word->[1] && $KEYWORDS{$word->[0]}) {
		_keyword($p, [map { $_->[0] } @$tok], $open, $close);
	} elsif ($open) {
		_err($p, "\"$word->[0]\" is not a block keyword here (" . _allowed_str($p) . ')');
	} else {
		_attribute($p, $tok);
	}
	# a block that failed to open still needs its "}"
	_resync($p, [], $open, $close)
	    if @{$p->{errors}} > $nerr && @{$p->{stack}} == $depth;
}

# After a misplaced brace, keep the nesting as the braces of the line
# say, so that the following lines do not produce consequential errors.
sub _resync ($p, $tok, $open, $close)
{
	my $depth = $open - $close;
	$depth += _is($_, '{') ? 1 : _is($_, '}') ? -1 : 0 for @$tok;
	for (1 .. $depth) {
		push @{$p->{stack}}, { kind => 'error', obj => _new_obj($p->{lineno}),
		    line => $p->{lineno}, keyword => 'erroneous' };
	}
	for (1 .. -$depth) {
		pop @{$p->{stack}} if @{$p->{stack}} > 1;
	}
}

sub _allowed_str ($p)
{
	my $kind = $p->{stack}[-1]{kind};
	my @k = sort keys %{$GRAMMAR{$kind}};
	return @k ? 'allowed in ' . $CONTEXT_NAME{$kind} . ': ' . join(', ', @k) :
	    'no blocks are allowed in ' . $CONTEXT_NAME{$kind};
}

sub _attribute ($p, $tok)
{
	my $name = $tok->[0][0];
	my $frame = $p->{stack}[-1];
	return _err($p, "invalid attribute name \"$name\"")
	    if $tok->[0][1] || $name !~ /^[A-Za-z_][A-Za-z0-9_.\-]*$/;
	return _err($p, "attribute \"$name\" has no value") if @$tok < 2;
	return _err($p, "value of attribute \"$name\" contains blanks: it must be double-quoted")
	    if @$tok > 2;
	if ($frame->{nonkey}) {
		push @{$frame->{obj}{nonkey}{$name}}, $tok->[1][0];
		return;
	}
	add_attr($frame->{obj}, $name, $tok->[1][0], $p->{lineno});
	return;
}

sub _keyword ($p, $words, $open, $close)
{
	my ($kw, @args) = @$words;
	my $frame = $p->{stack}[-1];
	my $g = $GRAMMAR{$frame->{kind}}{$kw};
	return _err($p, "$kw is not allowed in $CONTEXT_NAME{$frame->{kind}} (" .
	    _allowed_str($p) . ')') unless $g;
	my ($kind, $nargs, $may_block) = @$g;
	my $what = $nargs == 2 ? "$kw needs a LUN number and a device name" :
	    "$kw needs a name";
	return _err($p, $what) if @args < $nargs;
	return _err($p, "$kw: too many arguments (\"$args[$nargs]\"); names with blanks are not allowed")
	    if @args > $nargs;
	return _err($p, "$kw $args[0] cannot have a block") if $open && !$may_block;
	my $obj = _create($p, $frame, $kind, $kw, @args);
	# On a semantic error, parse the block anyway, into a scratch object.
	$obj //= _new_obj($p->{lineno}, luns => {}, groups => {}, targets => {},
	    devices => {}, initiators => [], tgroups => {});
	push @{$p->{stack}}, { kind => $kind, obj => $obj, line => $p->{lineno},
	    keyword => "$kw " . join(' ', @args) } if $open && !$close;
	return;
}

sub _check_name ($p, $kw, $name)
{
	return 1 if valid_name($name);
	_err($p, "$kw \"$name\": invalid name (1-$MAX_NAME_LEN printable characters without blanks, \"/\", \"=\" or \";\")");
	return 0;
}

# Returns the new object, or undef after reporting an error.
sub _create ($p, $frame, $kind, $kw, @args)
{
	my $line = $p->{lineno};
	my $parent = $frame->{obj};
	my $m = $p->{model};
	my $name = $args[0];
	my $dup = sub ($hash, $what) {
		return 0 unless exists $hash->{$name};
		_err($p, "$what already defined at line $hash->{$name}{line}");
		return 1;
	};
	if ($kind eq 'handler') {
		return if !_check_name($p, $kw, $name) || $dup->($m->{handlers}, "HANDLER $name");
		return $m->{handlers}{$name} = _new_obj($line, devices => {});
	}
	if ($kind eq 'device') {
		return unless _check_name($p, $kw, $name);
		if (my $h = $m->{device_handler}{$name}) {
			return _err($p, "DEVICE $name already defined at line " .
			    "$m->{device_line}{$name} (in HANDLER $h)");
		}
		$m->{device_handler}{$name} = $frame->{keyword} =~ s/^HANDLER //r;
		$m->{device_line}{$name} = $line;
		return $parent->{devices}{$name} = _new_obj($line);
	}
	if ($kind eq 'driver') {
		return if !_check_name($p, $kw, $name) || $dup->($m->{drivers}, "TARGET_DRIVER $name");
		return $m->{drivers}{$name} = _new_obj($line, targets => {});
	}
	if ($kind eq 'target') {
		return if !_check_name($p, $kw, $name) || $dup->($parent->{targets}, "TARGET $name");
		return $parent->{targets}{$name} = _new_obj($line, luns => {}, groups => {});
	}
	if ($kind eq 'group') {
		return if !_check_name($p, $kw, $name) || $dup->($parent->{groups}, "GROUP $name");
		return $parent->{groups}{$name} = _new_obj($line, luns => {}, initiators => []);
	}
	if ($kind eq 'lun') {
		my ($lun, $dev) = @args;
		return _err($p, "LUN \"$lun\": not a number from 0 to $MAX_LUN")
		    if $lun !~ /^\d+$/ || $lun > $MAX_LUN;
		$lun += 0;
		return unless _check_name($p, 'LUN device', $dev);
		$name = $lun;
		return if $dup->($parent->{luns}, "LUN $lun");
		return $parent->{luns}{$lun} = _new_obj($line, device => $dev);
	}
	if ($kind eq 'initiator') {
		return unless _check_name($p, $kw, $name);
		for my $i (@{$parent->{initiators}}) {
			return _err($p, "INITIATOR $name already listed at line $i->[1]")
			    if $i->[0] eq $name;
		}
		push @{$parent->{initiators}}, [$name, $line];
		return;
	}
	if ($kind eq 'dgroup') {
		return if !_check_name($p, $kw, $name) || $dup->($m->{dgroups}, "DEVICE_GROUP $name");
		return $m->{dgroups}{$name} = _new_obj($line, devices => [], tgroups => {});
	}
	if ($kind eq 'dg_device') {
		return unless _check_name($p, $kw, $name);
		for my $d (@{$parent->{devices}}) {
			return _err($p, "DEVICE $name already listed at line $d->[1]")
			    if $d->[0] eq $name;
		}
		push @{$parent->{devices}}, [$name, $line];
		return;
	}
	if ($kind eq 'tgroup') {
		return if !_check_name($p, $kw, $name) || $dup->($parent->{tgroups}, "TARGET_GROUP $name");
		return $parent->{tgroups}{$name} = _new_obj($line, targets => {});
	}
	if ($kind eq 'tg_target') {
		return if !_check_name($p, $kw, $name) || $dup->($parent->{targets}, "TARGET $name");
		return $parent->{targets}{$name} = _new_obj($line);
	}
	die "internal error: unknown kind $kind";
}

# ---------------------------------------------------------------------
# Checks that need the whole file

sub _check_bool ($p, $obj, $attr, $what)
{
	my $a = $obj->{attrs}{$attr} or return;
	for my $i (0 .. $#{$a->{values}}) {
		_err($p, "$what: $attr must be 0 or 1, not \"$a->{values}[$i]\"", $a->{lines}[$i])
		    unless $a->{values}[$i] =~ /^[01]$/;
	}
	_err($p, "$what: $attr is given more than once", $a->{lines}[1]) if @{$a->{values}} > 1;
}

sub _check_luns ($p, $luns, $what)
{
	my $m = $p->{model};
	for my $n (sort { $a <=> $b } keys %$luns) {
		my $l = $luns->{$n};
		_err($p, "LUN $n of $what: device $l->{device} is not defined in any HANDLER block",
		    $l->{line}) unless exists $m->{device_handler}{$l->{device}};
		for my $a (@{$l->{order}}) {
			next if $a eq 'read_only';
			_err($p, "LUN $n of $what: unknown attribute \"$a\" (a LUN has only read_only)",
			    $l->{attrs}{$a}{lines}[0]);
		}
		_check_bool($p, $l, 'read_only', "LUN $n of $what");
	}
}

sub _check_model ($p)
{
	my $m = $p->{model};
	for my $dn (sort keys %{$m->{drivers}}) {
		my $drv = $m->{drivers}{$dn};
		_check_bool($p, $drv, 'enabled', "TARGET_DRIVER $dn");
		for my $tn (sort keys %{$drv->{targets}}) {
			my $t = $drv->{targets}{$tn};
			_check_bool($p, $t, 'enabled', "TARGET $tn");
			_check_luns($p, $t->{luns}, "TARGET $tn");
			for my $gn (sort keys %{$t->{groups}}) {
				_check_luns($p, $t->{groups}{$gn}{luns}, "GROUP $gn of TARGET $tn");
			}
		}
	}
	for my $gn (sort keys %{$m->{dgroups}}) {
		for my $d (@{$m->{dgroups}{$gn}{devices}}) {
			_err($p, "DEVICE_GROUP $gn: device $d->[0] is not defined in any HANDLER block",
			    $d->[1]) unless exists $m->{device_handler}{$d->[0]};
		}
	}
}

sub _line_of ($e) { return $e =~ /:(\d+): / ? $1 : 0 }

1;
