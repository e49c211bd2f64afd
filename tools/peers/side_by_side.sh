#!/usr/bin/env bash
# Dev-time: LayerSteer's `bench`, llama.cpp (LLamaSharp 0.30, ../shared/tools/llamapeer/Bench) and PyTorch 1.13
# (tools/torch_peer) on the same weights, one engine at a time, 2 threads, the same prompt and decode lengths, median of
# REPEAT runs each; prints one markdown table with the ratios. Each engine runs under flock $LOCK, so no other timed run
# overlaps it. Prompt ids are seeded random ids of each tool (a dense model's speed does not depend on them).
#
# usage: tools/peers/side_by_side.sh MODEL_DIR GGUF [PROMPT_TOKENS=128] [DECODE_TOKENS=16] [REPEAT=3]
#   MODEL_DIR: an HF folder (BF16 safetensors); GGUF: the same weights for llama.cpp (../shared/tools/llamapeer/hf_to_gguf.py)
set -euo pipefail
model=$1; gguf=$2; P=${3:-128}; G=${4:-16}; R=${5:-3}
source "$(dirname "$0")/engines.sh"

echo "layersteer bench …" >&2
flock "$LOCK" dotnet "$ours" bench --model "$model" --prompt-tokens "$P" \
  --decode-tokens "$G" --batch 1 --repeat "$R" --fit-long-prompt 20 --weights 16bit --json "$out/ours.json" >"$out/ours.txt" 2>&1
echo "llama.cpp …" >&2
flock "$LOCK" "$llama" "$gguf" --prompt-tokens "$P" --decode-tokens "$G" --repeat "$R" --threads 2 >"$out/llama.txt" 2>&1
echo "pytorch …" >&2
layer=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["fit_layer"])' "$out/ours.json")
flock "$LOCK" /usr/bin/python3 "$root/tools/torch_peer/bench_torch.py" --model "$model" --prompt-tokens "$P" --decode-tokens "$G" \
  --repeat "$R" --fit-layer "$layer" >"$out/torch.txt" 2>&1 || echo "pytorch peer failed: $(tail -1 "$out/torch.txt")" >&2

/usr/bin/python3 - "$out" "$model" "$P" "$G" "$R" <<'PY'
import re, sys
out, model, P, G, R = sys.argv[1:]
def kv(path, prefix):
    try: line = [l for l in open(path) if l.startswith(prefix + " ")][-1]
    except (IndexError, FileNotFoundError): return {}
    def number(v):
        try: return float(v)
        except ValueError: return None   # e.g. torch=1.13.0a0
    return {k: x for k, v in re.findall(r"(\w+)=(\S+)", line) if (x := number(v)) is not None}
ours, llama, torch = kv(f"{out}/ours.txt", "bench"), kv(f"{out}/llama.txt", "llamacpp"), kv(f"{out}/torch.txt", "torch")
def cell(d, k): return f"{d[k]:,.1f}" if k in d else "–"
def ratio(a, b, k): return f"{a[k] / b[k]:.2f}×" if k in a and k in b and b[k] else "–"
print(f"{model}: prompt {P}, decode {G}, median of {R}, 2 threads\n")
print("| | LayerSteer (16-bit in place) | llama.cpp | PyTorch fp32 | LayerSteer ÷ llama.cpp | LayerSteer ÷ PyTorch |")
print("|---|---|---|---|---|---|")
for name, k in [("prefill tok/s", "prefill_tok_s"), ("decode tok/s", "decode_tok_s")]:
    print(f"| {name} | {cell(ours, k)} | {cell(llama, k)} | {cell(torch, k)} | {ratio(ours, llama, k)} | {ratio(ours, torch, k)} |")
# A step time: the speed-up is theirs over ours.
ours["fit_step_ms"] = ours.get("fit_step_ms_short")
print(f"| Δ fit step ms (N = 10, 10-token prompts, 3 targets, cached prefix) | {cell(ours, 'fit_step_ms')} | – | {cell(torch, 'fit_step_ms')} | – | {ratio(torch, ours, 'fit_step_ms')} faster |")
if "decode_weight_gb_s" in ours:
    print(f"\ndecode weight bandwidth {ours['decode_weight_gb_s']:.1f} GB/s = {ours['decode_weight_gb_s'] / ours['copy_gb_s']:.0%} of the copy bandwidth "
          f"({ours['copy_gb_s']:.1f} GB/s, read {ours['read_gb_s']:.1f} GB/s)")
if "fit_over_gemm_bound" in ours:
    print(f"Δ fit step = {ours['fit_over_gemm_bound']:.2f}× its linear-layer FLOPs at the prefill GEMM rate ({ours['gemm_gflop_s']:.1f} GFLOP/s)")
PY
echo "raw outputs: $out" >&2
