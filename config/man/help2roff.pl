#!/usr/bin/perl
# help2roff.pl BIN - the part of the man page help2man cannot see: a SYNOPSIS
# of every command's usage line, one COMMANDS subsection per command made from
# `BIN COMMAND --help`, and an EXIT STATUS section made from the "Exit codes:"
# paragraph of `BIN --help`. Printed as a help2man include file, so the page
# is rebuilt from the program's own help and cannot drift from it (Makefile:
# build/opsreport.1).
use strict;
use warnings;

my $bin = shift or die "usage: $0 BIN\n";

sub help {
    my @cmd = @_;
    open(my $fh, '-|', $bin, @cmd, '--help') or die "$bin @cmd --help: $!\n";
    local $/;
    my $text = <$fh>;
    close($fh) or die "$bin @cmd --help failed\n";
    return $text;
}

# roff text: backslashes, line-leading dots and quotes, and option dashes
sub esc {
    my ($s) = @_;
    $s =~ s/\\/\\e/g;
    $s =~ s/(?<![\w-])-(?=[\w-])/\\-/g;
    $s =~ s/(?<=\\-)-/\\-/g;
    $s =~ s/^([.'])/\\&$1/mg;
    return $s;
}

# "-q, --quiet" / "--config FILE": options bold, arguments italic
sub spec {
    my ($s) = @_;
    return join ' ', map {
        my ($w, $comma) = /^(.*?)(,?)$/;
        ($w =~ /^-/ ? '\fB' . esc($w) . '\fR' : '\fI' . esc($w) . '\fR') . $comma;
    } split ' ', $s;
}

my $top = help();
my @commands;
if ($top =~ /^Commands:\n((?:  \S.*\n)+)/m) {
    for (split /\n/, $1) {
        push @commands, [$1, $2] if /^  (\S+)\s+(.*)$/;
    }
}
die "no Commands: list in $bin --help\n" unless @commands;

# SYNOPSIS: each command's usage line(s), joined
my %help = map { $_->[0] => help($_->[0]) } @commands;
print "[SYNOPSIS]\n";
for my $c (@commands) {
    my ($name) = @$c;
    my ($usage) = $help{$name} =~ /^usage: opsreport \Q$name\E(.*?)\n(?!\s+\S)/ms
        or die "no usage line in $bin $name --help\n";
    $usage =~ s/\s+/ /g;
    $usage =~ s/^ | $//g;
    print ".B opsreport $name\n", esc("$usage\n"), ".br\n";
}
print ".B opsreport\n\\-\\-version | \\-\\-help\n\n";

print "[COMMANDS]\n";
for my $c (@commands) {
    my ($name, $summary) = @$c;
    print ".SS \"opsreport $name\"\n", esc(ucfirst($summary)), ".\n";
    my @lines = split /\n/, $help{$name};
    my ($mode, $buf) = ('', '');
    my $flush = sub {
        if ($mode eq 'usage') {
            print ".PP\n.nf\n", esc($buf), ".fi\n";
        } elsif ($mode eq 'para') {
            print ".PP\n", esc($buf);
        } elsif ($mode eq 'opt' || $mode eq 'code') {
            print $buf;
        }
        ($mode, $buf) = ('', '');
    };
    my $codes = 0; # inside an "Exit codes:" table
    for my $l (@lines) {
        if ($l =~ /^Exit codes:\s*$/) {
            $flush->();
            print ".PP\nExit codes:\n";
            $codes = 1;
        } elsif ($codes && $l =~ /^\s+(\d+)\s{2,}(\S.*)$/) {
            $flush->();
            ($mode, $buf) = ('code', ".TP\n.B $1\n" . esc("$2\n"));
        } elsif ($codes && $mode eq 'code' && $l =~ /^\s{4,}(\S.*)$/) {
            $buf .= esc("$1\n");
        } elsif ($l =~ /^usage:/) {
            $flush->();
            ($mode, $buf) = ('usage', "$l\n");
        } elsif ($mode eq 'usage' && $l =~ /^\s+\S/) {
            $buf .= "$l\n";
        } elsif ($l =~ /^\s*$/) {
            $flush->();
        } elsif ($l =~ /^ {1,4}(-\S.*?)(?: {2,}(\S.*))?$/) {
            my ($o, $d) = ($1, $2 // '');
            $flush->();
            ($mode, $buf) = ('opt', ".TP\n" . spec($o) . "\n" . esc("$d\n"));
        } elsif ($mode eq 'opt' && $l =~ /^\s{6,}(\S.*)$/) {
            $buf .= esc("$1\n");
        } elsif ($l =~ /^Options:$/) {
            $flush->();
        } else {
            $flush->() if $mode eq 'opt' || $mode eq 'usage';
            $mode = 'para';
            (my $t = $l) =~ s/^\s+//;
            $buf .= "$t\n";
        }
    }
    $flush->();
}

# EXIT STATUS: the table under "Exit codes:" ("  N   meaning", continued
# deeper), or the older one-paragraph form "Exit codes: 0 success, 2 ..."
print "\n[EXIT STATUS]\n";
my ($codes) = $top =~ /^Exit codes:[ \t]*(.*?)(?:\n\n|\n?\z)/ms;
die "no Exit codes: paragraph in $bin --help\n" unless $codes;
my @entries;
if ($codes =~ /^\n/) {
    for (split /\n/, $codes) {
        if (/^\s+(\d+)\s{2,}(\S.*)$/) {
            push @entries, [$1, $2];
        } elsif (/^\s{4,}(\S.*)$/ && @entries) {
            $entries[-1][1] .= " $1";
        }
    }
} else {
    $codes =~ s/\s+/ /g;
    $codes =~ s/\.\s*$//;
    push @entries, map { [/^(\d+)\s+(.*)$/] } split /,\s+(?=\d+\s)/, $codes;
}
die "cannot read the exit codes of $bin --help\n" unless @entries && !grep { !defined $_->[1] } @entries;
for (@entries) {
    my ($n, $what) = @$_;
    print ".TP\n.B $n\n", esc(ucfirst($what)), ".\n";
}
print ".PP\nEach command's own exit codes are listed under COMMANDS.\n";
