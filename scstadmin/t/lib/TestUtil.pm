package TestUtil;

# Helpers of the host tests: fake trees, applying a configuration to a
# fake tree through the simulator, plans as "path<TAB>text" lines.

use v5.36;
use Exporter 'import';
use File::Temp qw(tempdir);
use FakeSCST;
use SCST::SysfsTree;
use SCST::ConfParser;
use SCST::Planner;
use SCST::ConfWriter;
use SCST::Admin qw(execute);

our @EXPORT = qw(tmpdir fake conf plan_of lines apply_conf state_text tree_of);

my $TMP = tempdir('scstadmin-t-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $n = 0;

sub tmpdir () { return $TMP }

# fake(%opt): a new empty fake tree; returns (fake, tree).
sub fake (%opt)
{
	my $root = "$TMP/root" . $n++;
	my $f = FakeSCST->new(root => $root, %opt);
	return ($f, tree_of($f));
}

sub tree_of ($f, %opt)
{
	return SCST::SysfsTree->new(root => $f->root, raw_write => $f->writer, %opt);
}

# conf(text): the parsed model; dies on errors.
sub conf ($text, $name = 'test.conf')
{
	my ($m, $e) = SCST::ConfParser::parse_string($text, $name);
	die join("\n", @$e) . "\n" if @$e;
	return $m;
}

# plan_of(tree, text, %opt): the plan for a configuration text.
sub plan_of ($tree, $text, %opt)
{
	return SCST::Planner::plan($tree->read_state, conf($text), %opt);
}

# lines(plan): the writes as "path\ttext" strings.
sub lines ($plan)
{
	return [map { "$_->[0]\t$_->[1]" } @{$plan->{writes}}];
}

# apply_conf(tree, text, %opt): plan and execute; dies on errors.
sub apply_conf ($tree, $text, %opt)
{
	my $p = plan_of($tree, $text, %opt);
	die join("\n", @{$p->{errors}}) . "\n" if @{$p->{errors}};
	my $out = '';
	open(my $fh, '>', \$out);
	my $failed = execute($tree, $p->{writes}, out => $fh, err => $fh, quiet => 1);
	die "apply failed: $out" if $failed;
	return $p;
}

sub state_text ($tree, %opt)
{
	return SCST::ConfWriter::write_config($tree->read_state, %opt);
}

1;
