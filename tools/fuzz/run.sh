#!/usr/bin/env bash
# Dev-time: fuzz one parser with AFL++ for SECONDS. Usage: tools/fuzz/run.sh TARGET [SECONDS]
# Needs: apt-get install afl++; dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0
# New corpus entries AFL keeps go to out/TARGET/default/queue; copy the interesting ones into corpus/TARGET and any
# crash (out/TARGET/default/crashes) into crashes/TARGET, fix it, and the test suite replays them from then on.
set -euo pipefail
cd "$(dirname "$0")"
target=$1; seconds=${2:-600}
# Each run fuzzes its own copy of the instrumented build, so runs of several targets can share the machine.
flock .build.lock dotnet build -c Release LayerSteer.Fuzz >/dev/null
rm -rf "out/$target"; mkdir -p "out/$target"
cp -r LayerSteer.Fuzz/bin/Release/net10.0 "out/$target/bin"
bin=out/$target/bin
# Instrument the parsers only (Verification/ParserTargets runs before AFL attaches). The build copies a fresh library each
# time; sharpfuzz says so when it is already instrumented.
sharpfuzz "$bin/LayerSteer.Core.dll" LayerSteer.Formats LayerSteer.Tokenizers LayerSteer.Intervention LayerSteer.Tasks LayerSteer.ChatTemplates LayerSteer.Chat || true
# The server-* targets send each input to a real server in the harness's process: instrument its request handling too.
case "$target" in server-*) sharpfuzz "$bin/LayerSteer.Server.dll" LayerSteer.Server || true;; esac
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
timeout --signal=INT "$((seconds + 30))" afl-fuzz -V "$seconds" -t 10000 -m none -i "corpus/$target" -o "out/$target" -- \
  dotnet "$bin/LayerSteer.Fuzz.dll" "$target" || true
tail -n 30 "out/$target/default/fuzzer_stats" | grep -E "execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|run_time|edges_found|bitmap_cvg"
