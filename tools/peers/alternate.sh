#!/usr/bin/env bash
# Dev-time: LayerSteer's `bench` and llama.cpp (LLamaSharp 0.30, ../shared/tools/llamapeer/Bench) one after the other, ROUNDS
# times, so each ratio compares engines measured in the same minutes (on a shared VM the memory bandwidth drifts by ±25%
# within minutes, which a run of one engine then the other turns into a ratio error). Each engine runs alone under flock $LOCK.
#
# usage: tools/peers/alternate.sh MODEL_DIR GGUF [ROUNDS=3] [PROMPT_TOKENS=128] [DECODE_TOKENS=16] [REPEAT=3]
set -euo pipefail
model=$1; gguf=$2; N=${3:-3}; P=${4:-128}; G=${5:-16}; R=${6:-3}
source "$(dirname "$0")/engines.sh"
echo "| round | LayerSteer prefill / decode tok/s | llama.cpp prefill / decode tok/s | ratio prefill / decode | copy GB/s |"
echo "|---|---|---|---|---|"
for i in $(seq "$N"); do
  flock "$LOCK" dotnet "$ours" bench --model "$model" --rows prefill,decode,memory \
    --prompt-tokens "$P" --decode-tokens "$G" --repeat "$R" --weights 16bit 2>/dev/null | grep '^bench ' > "$out/ours$i.txt"
  flock "$LOCK" "$llama" "$gguf" --prompt-tokens "$P" --decode-tokens "$G" --repeat "$R" --threads 2 2>&1 | grep '^llamacpp ' > "$out/llama$i.txt"
  /usr/bin/python3 - "$i" "$out/ours$i.txt" "$out/llama$i.txt" <<'PY'
import re, sys
i, ours, llama = sys.argv[1], *[dict(re.findall(r"(\w+)=([0-9.]+)\b", open(p).read())) for p in sys.argv[2:]]
o, l = {k: float(v) for k, v in ours.items()}, {k: float(v) for k, v in llama.items()}
print(f"| {i} | {o['prefill_tok_s']:.1f} / {o['decode_tok_s']:.1f} | {l['prefill_tok_s']:.1f} / {l['decode_tok_s']:.1f} | "
      f"{o['prefill_tok_s'] / l['prefill_tok_s']:.2f}× / {o['decode_tok_s'] / l['decode_tok_s']:.2f}× | {o['copy_gb_s']:.1f} |")
PY
done
echo "raw outputs: $out" >&2
