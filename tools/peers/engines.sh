# Sourced by side_by_side.sh and alternate.sh: builds our CLI and the llama.cpp peer into a temp folder, and defines
#   root, shared, LOCK, out, ours (the layersteer.dll to run), llama (the llama.cpp Bench binary).
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
shared=${LAYERSTEER_SHARED:-$root/../shared}
LOCK=${LOCK:-/tmp/layersteer-bench.lock}
out=$(mktemp -d)
[ -d "$shared/tools/llamapeer/Bench" ] || { echo "llama.cpp peer not found: $shared/tools/llamapeer/Bench" >&2; exit 2; }
dotnet build -c Release -v q "$root/src/LayerSteer.Cli" >/dev/null
dotnet build -c Release -v q "$shared/tools/llamapeer/Bench" -o "$out/llamapeer" >/dev/null
ours="$root/src/LayerSteer.Cli/bin/Release/net10.0/layersteer.dll"
llama="$out/llamapeer/Bench"
