package SCST::ConfWriter;

# Writes the live configuration (SCST::SysfsTree::read_state) as
# scst.conf text.  Only attributes whose sysfs value ends with "[key]"
# are written, unless nonkey is set: then the other readable attributes
# follow under "# Non-key attributes" (statistics excepted).  Objects,
# attributes and values are sorted, so the output depends only on the
# state: writing, applying the file to an empty system and writing again
# gives the same text.

use v5.36;
use SCST::Admin qw(quote_value is_volatile header_line);

sub write_config ($st, %opt)
{
	my $w = { nonkey => $opt{nonkey} // 0 };
	my @chunks;
	push @chunks, _attr_chunks($w, $st->{attrs}, {});
	for my $h (sort keys %{$st->{handlers}}) {
		my $c = _handler($w, $st, $h);
		push @chunks, $c if $c;
	}
	for my $d (sort keys %{$st->{drivers}}) {
		my $c = _driver($w, $st->{drivers}{$d}, $d);
		push @chunks, $c if $c;
	}
	for my $g (sort keys %{$st->{dgroups}}) {
		push @chunks, _dgroup($w, $st->{dgroups}{$g}, $g);
	}
	my @out = (header_line(), '');
	push @out, _join_chunks(@chunks);
	return join('', map { "$_\n" } @out);
}

# Chunks are arrays of lines; a blank line separates two chunks unless
# both are single lines (e.g. consecutive "LUN 0 d0" lines).
sub _join_chunks (@chunks)
{
	my @out;
	for my $i (0 .. $#chunks) {
		push @out, '' if $i && (@{$chunks[$i]} > 1 || @{$chunks[$i - 1]} > 1);
		push @out, @{$chunks[$i]};
	}
	return @out;
}

sub _indent (@lines) { return map { length ? "\t$_" : $_ } @lines }

sub _block ($head, @chunks)
{
	return ["$head {", _indent(_join_chunks(@chunks)), '}'];
}

# One or two chunks: key attributes, then (with nonkey) the others.
sub _attr_chunks ($w, $attrs, $skip)
{
	my (@key, @other);
	for my $n (sort keys %$attrs) {
		next if $skip->{$n};
		my $a = $attrs->{$n};
		if ($a->{dynamic}) {
			push @key, map { "$n " . quote_value($_) } sort @{$a->{values}};
			next;
		}
		next unless defined $a->{value} && $a->{value} !~ /\n/;
		my $line = "$n " . quote_value($a->{value});
		if ($a->{key}) {
			push @key, $line;
		} elsif ($w->{nonkey} && !is_volatile($n)) {
			push @other, $line;
		}
	}
	my @c;
	push @c, \@key if @key;
	push @c, ['# Non-key attributes', @other] if @other;
	# a lone short attribute chunk still gets separated from blocks
	return @c;
}

sub _handler ($w, $st, $name)
{
	my $h = $st->{handlers}{$name};
	my @chunks = _attr_chunks($w, $h->{attrs}, {});
	my @devs = sort grep { ($st->{devices}{$_}{handler} // '') eq $name }
	    keys %{$st->{devices}};
	for my $d (@devs) {
		my @a = _attr_chunks($w, $st->{devices}{$d}{attrs}, {});
		push @chunks, @a ? _block('DEVICE ' . quote_value($d), @a) :
		    ['DEVICE ' . quote_value($d)];
	}
	return @chunks ? _block("HANDLER $name", @chunks) : undef;
}

sub _luns ($w, $luns)
{
	my @chunks;
	for my $n (sort { $a <=> $b } keys %$luns) {
		my $l = $luns->{$n};
		my $head = "LUN $n " . quote_value($l->{device} // '');
		my @a = _attr_chunks($w, $l->{attrs}, {});
		push @chunks, @a ? _block($head, @a) : [$head];
	}
	return @chunks;
}

sub _driver ($w, $drv, $name)
{
	return undef if $drv->{internal};
	my @chunks = _attr_chunks($w, $drv->{attrs}, {});
	for my $t (sort keys %{$drv->{targets}}) {
		my $tgt = $drv->{targets}{$t};
		my @tc = _attr_chunks($w, $tgt->{attrs}, {});
		push @tc, _luns($w, $tgt->{luns});
		for my $g (sort keys %{$tgt->{groups}}) {
			my $grp = $tgt->{groups}{$g};
			my @gc = _attr_chunks($w, $grp->{attrs}, {});
			push @gc, _luns($w, $grp->{luns});
			push @gc, map { ['INITIATOR ' . quote_value($_)] } sort @{$grp->{initiators}};
			push @tc, @gc ? _block('GROUP ' . quote_value($g), @gc) :
			    ['GROUP ' . quote_value($g)];
		}
		push @chunks, @tc ? _block('TARGET ' . quote_value($t), @tc) :
		    ['TARGET ' . quote_value($t)];
	}
	return @chunks ? _block("TARGET_DRIVER $name", @chunks) : undef;
}

sub _dgroup ($w, $dg, $name)
{
	my @chunks = _attr_chunks($w, $dg->{attrs}, {});
	push @chunks, map { ['DEVICE ' . quote_value($_)] } sort @{$dg->{devices}};
	for my $tg (sort keys %{$dg->{tgroups}}) {
		my $g = $dg->{tgroups}{$tg};
		my @gc = _attr_chunks($w, $g->{attrs}, {});
		for my $t (sort keys %{$g->{targets}}) {
			my @a = _attr_chunks($w, $g->{targets}{$t}{attrs}, {});
			push @gc, @a ? _block('TARGET ' . quote_value($t), @a) :
			    ['TARGET ' . quote_value($t)];
		}
		push @chunks, @gc ? _block('TARGET_GROUP ' . quote_value($tg), @gc) :
		    ['TARGET_GROUP ' . quote_value($tg)];
	}
	return @chunks ? _block('DEVICE_GROUP ' . quote_value($name), @chunks) :
	    ['DEVICE_GROUP ' . quote_value($name)];
}

1;
