#!/usr/bin/env bash
# Runs every shell example in README.md and docs/*.md against a fresh service on the sample data
# and fails when an answer differs from what the text says, so that a stale example fails CI
# instead of misleading a reader.
#
# How an example reads (see docs/testing.md):
#   - every ```bash block is run, top to bottom, README first, unless the line before its fence is
#     <!-- examples: not run (why) -->;
#   - lines that are not comments are commands (consecutive ones run together, in one bash);
#   - a comment right after a command is what it answers: "# " starts a line of the answer,
#     "#  " (two spaces or more) continues the one above; "..." or "…" stands for anything. The
#     answer must appear in the command's output, in order (ids and durations elided with "...");
#   - a comment after a blank line, or before any command, is prose;
#   - they run in a scratch directory where data/ is the repository's sample (so what they write
#     stays out of the work tree); localhost:8000 is the service started here; `storemon` and `dotnet run --project
#     src/StoreMonitoring.Cli --` are the built CLI, on the same (default) database; `<id>` is the
#     last report id answered, `$ID` the last webhook id.
#
# Usage: bash docs/check-examples.sh [--no-build]   (STOREMON_EXAMPLES_PORT, default 18250)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
port="${STOREMON_EXAMPLES_PORT:-18250}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ "${1:-}" != "--no-build" ]; then
  dotnet build src/StoreMonitoring.Api -v q --nologo >/dev/null
  dotnet build src/StoreMonitoring.Cli -v q --nologo >/dev/null
fi
api="$repo/artifacts/bin/StoreMonitoring.Api/debug/StoreMonitoring.Api"
cli="$repo/artifacts/bin/StoreMonitoring.Cli/debug/storemon"

work=$(mktemp -d "${TMPDIR:-/tmp}/storemon-examples.XXXXXX")
service_pid=""
cleanup() {
  if [ -n "$service_pid" ]; then kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A fresh default database for both the service and storemon: the user's data directory is a
# temporary one, so this also checks that the two agree without any connection string.
export XDG_DATA_HOME="$work/user-data"
unset ConnectionStrings__StoreMonitoring StoreMonitoring__Database__Provider || true
mkdir -p "$work/reports" "$work/bin"
# Examples run in a scratch directory that looks like the repository's root where they need it.
ln -s "$repo/data" "$work/data"
# Started as `dotnet run` starts it: from the project folder, in Development.
(cd src/StoreMonitoring.Api && exec env ASPNETCORE_ENVIRONMENT=Development StoreMonitoring__ReportDirectory="$work/reports" \
  "$api" --urls "http://127.0.0.1:$port") >"$work/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 1 150); do
  if curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$service_pid" 2>/dev/null; then cat "$work/service.log" >&2; echo "check-examples: the service did not start" >&2; exit 1; fi
  sleep 0.2
done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { echo "check-examples: the service did not answer on port $port" >&2; exit 1; }

# `storemon` on the PATH of every example, as docs/cli.md installs it.
printf '#!/bin/sh\nexec "%s" "$@"\n' "$cli" >"$work/bin/storemon"
chmod +x "$work/bin/storemon"

files=(README.md docs/api.md docs/cli.md docs/reports.md docs/inputs.md docs/troubleshooting.md docs/dashboard.md
  docs/configuration.md docs/operations.md docs/keys.md docs/alerts.md docs/mariadb.md docs/scaling.md docs/architecture.md
  docs/testing.md docs/live-monitoring.md)
for f in docs/*.md; do
  case " ${files[*]} " in *" $f "*) ;; *) files+=("$f") ;; esac
done

PORT="$port" WORK="$work" PATH="$work/bin:$PATH" perl - "${files[@]}" <<'PERL'
use strict;
use warnings;

my ($port, $work) = ($ENV{PORT}, $ENV{WORK});
my (%vars, $checked, @failures);

sub run_shell {
    my ($command) = @_;
    open(my $fh, '>', "$work/cmd.sh") or die $!;
    # curl's progress meter is noise when its output is captured.
    print $fh "set -o pipefail\ncd \"$work\"\ncurl() { command curl -sS \"\$@\"; }\n$command\n";
    close $fh;
    my $out = `timeout 60 bash "$work/cmd.sh" 2>&1`;
    return ($out, $? >> 8);
}

sub pattern {
    my ($expected) = @_;
    my @parts;
    for my $line (@$expected) {
        my $re = '';
        for my $piece (split /(\.\.\.|…|\s+)/, $line) {
            next if $piece eq '';
            if ($piece eq '...' || $piece eq '…') { $re .= '.*?'; }
            elsif ($piece =~ /^\s+$/) { $re .= '\s*'; }
            else { $re .= quotemeta($piece); }
        }
        push @parts, $re;
    }
    return join('.*?', @parts);
}

sub check {
    my ($file, $line, $command, $expected) = @_;
    return if $command =~ /^\s*$/;
    my $shown = $command;
    $command =~ s{http://localhost:8000}{http://127.0.0.1:$port}g;
    $command =~ s{\blocalhost:8000}{127.0.0.1:$port}g;
    $command =~ s{dotnet run --project src/StoreMonitoring\.Cli --}{storemon}g;
    $command =~ s{<id>}{$vars{report} // 'no-report-yet'}ge;
    $command = "ID='" . ($vars{webhook} // '') . "'\n" . $command;
    my $re = @$expected ? pattern($expected) : undef;
    # What changes nothing may be asked again while a report is still being computed.
    my $repeatable = $shown !~ /-X\s*(POST|PUT|DELETE)|--data|-d\s/;
    my ($out, $status);
    for my $attempt (1 .. 40) {
        ($out, $status) = run_shell($command);
        last if !defined $re || $out =~ /$re/s || !$repeatable;
        select(undef, undef, undef, 0.5);
    }
    $checked++;
    if ($out =~ /"report_id":"([0-9a-f-]{36})"/) { $vars{report} = $1; }
    if ($out =~ /"webhook_id":"([0-9a-f-]{36})"/) { $vars{webhook} = $1; }
    my $problem;
    # An example that shows an error shows its answer; one that shows none must succeed.
    if (defined $re) { $problem = "the answer differs from the text" if $out !~ /$re/s; }
    elsif ($status != 0) { $problem = "exited with $status"; }
    if ($problem) {
        my $text = "$file:$line: $problem\n  command: " . join("\n           ", split /\n/, $shown) . "\n";
        $text .= "  expected: " . join("\n            ", @$expected) . "\n" if @$expected;
        my $got = length($out) > 1500 ? substr($out, 0, 1500) . "…" : $out;
        $text .= "  got: $got\n";
        push @failures, $text;
    }
}

for my $file (@ARGV) {
    open(my $fh, '<', $file) or die "$file: $!";
    my @lines = <$fh>;
    close $fh;
    # Every relative link leads somewhere.
    (my $dir = $file) =~ s{[^/]*$}{};
    for my $n (0 .. $#lines) {
        while ($lines[$n] =~ /\]\(([^)\s]+)\)/g) {
            my $target = $1;
            next if $target =~ m{^(https?:|mailto:|#)};
            $target =~ s/#.*$//;
            push @failures, "$file:" . ($n + 1) . ": the link $1 leads nowhere\n" unless -e "$dir$target";
        }
    }
    my ($in, $skip, $previous) = (0, 0, '');
    my ($command, $start, @expected, $answering) = ('', 0);
    for my $i (0 .. $#lines) {
        my $l = $lines[$i];
        chomp $l;
        if (!$in && $l =~ /^\s*```bash\s*$/) {
            $in = 1;
            $skip = $previous =~ /<!--\s*examples:\s*not run/ ? 1 : 0;
            ($command, @expected, $answering) = ('');
            next;
        }
        if ($in && $l =~ /^\s*```\s*$/) {
            check($file, $start, $command, [@expected]) unless $skip;
            $in = 0;
            next;
        }
        $previous = $l if !$in && $l =~ /\S/;
        next if !$in || $skip;
        my $code = $l =~ s/^\s+//r;
        if ($code =~ /^#/) {
            my $follows = $command ne '' && $lines[$i - 1] !~ /^\s*$/;
            if ($follows && $code =~ /^#( {2,})(.*)$/ && @expected) { $expected[-1] .= " $2"; $answering = 1; }
            elsif ($follows && $code =~ /^# (\S.*)$/) { push @expected, $1; $answering = 1; }
            else {
                # Prose: it closes the command above.
                check($file, $start, $command, [@expected]) if $command ne '';
                ($command, @expected, $answering) = ('');
            }
            next;
        }
        if ($code eq '') { next; }
        if ($answering) {
            check($file, $start, $command, [@expected]);
            ($command, @expected, $answering) = ('');
        }
        # The two commands a reader runs first are this script's own set-up (the service) and CI's
        # test step.
        my $bare = $code =~ s/\s+#.*$//r;
        next if $bare =~ m{^dotnet run --project src/StoreMonitoring\.Api\s*$} || $bare eq 'dotnet test';
        $start = $i + 1 if $command eq '';
        $command .= "$l\n";
    }
}

print STDERR $_ for @failures;
printf STDERR "check-examples: %d examples run, %d differ from the text\n", $checked // 0, scalar @failures;
exit(@failures ? 1 : 0);
PERL
