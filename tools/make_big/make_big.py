#!/usr/bin/python3
"""Random Hugging Face checkpoints of real shapes for the families Qwen 3, Gemma 3, Phi-4-mini and OLMo 2, written in BF16
one chunk at a time (memory stays small). Dev-time only, for `layersteer bench`: the weights are N(0, 0.02) noise (norms 1,
or 0 for Gemma's (1+w) norms), Phi-4-mini's longrope factors are made up. Never commit the output.

usage: /usr/bin/python3 tools/make_big/make_big.py SHAPE OUT_DIR     SHAPE: qwen3-0.6b | gemma3-1b | phi4-mini | olmo2-1b
needs numpy (Debian: python3-numpy)"""
import json
import os
import struct
import sys

import numpy as np

# config.json of each shape, as published on the hub (sizes, rope, windows); only the longrope factors are invented.
CONFIGS = {
    "qwen3-0.6b": dict(model_type="qwen3", architectures=["Qwen3ForCausalLM"], vocab_size=151936, hidden_size=1024,
                       intermediate_size=3072, num_hidden_layers=28, num_attention_heads=16, num_key_value_heads=8, head_dim=128,
                       rms_norm_eps=1e-6, rope_theta=1000000.0, tie_word_embeddings=True, max_position_embeddings=40960,
                       attention_bias=False, use_sliding_window=False, hidden_act="silu", bos_token_id=151643,
                       eos_token_id=151645, torch_dtype="bfloat16"),
    "gemma3-1b": dict(model_type="gemma3_text", architectures=["Gemma3ForCausalLM"], vocab_size=262144, hidden_size=1152,
                      intermediate_size=6912, num_hidden_layers=26, num_attention_heads=4, num_key_value_heads=1, head_dim=256,
                      query_pre_attn_scalar=256, sliding_window=512, sliding_window_pattern=6, rope_theta=1000000.0,
                      rope_local_base_freq=10000.0, rms_norm_eps=1e-6, tie_word_embeddings=True, max_position_embeddings=32768,
                      hidden_activation="gelu_pytorch_tanh", bos_token_id=2, eos_token_id=1, torch_dtype="bfloat16"),
    "phi4-mini": dict(model_type="phi3", architectures=["Phi3ForCausalLM"], vocab_size=200064, hidden_size=3072,
                      intermediate_size=8192, num_hidden_layers=32, num_attention_heads=24, num_key_value_heads=8,
                      rms_norm_eps=1e-5, rope_theta=10000.0, partial_rotary_factor=0.75, max_position_embeddings=131072,
                      original_max_position_embeddings=4096, tie_word_embeddings=True, sliding_window=262144,
                      rope_scaling=dict(type="longrope", short_factor=[1.0] * 48,
                                        long_factor=[round(1.0 + 40.0 * (i / 47) ** 2, 4) for i in range(48)]),
                      hidden_act="silu", bos_token_id=199999, eos_token_id=199999, torch_dtype="bfloat16"),
    "olmo2-1b": dict(model_type="olmo2", architectures=["Olmo2ForCausalLM"], vocab_size=100352, hidden_size=2048,
                     intermediate_size=8192, num_hidden_layers=16, num_attention_heads=16, num_key_value_heads=16,
                     rms_norm_eps=1e-6, rope_theta=500000.0, tie_word_embeddings=False, max_position_embeddings=4096,
                     hidden_act="silu", eos_token_id=100257, pad_token_id=100277, torch_dtype="bfloat16"),
}


def layer_tensors(c):
    """(name, shape, constant or None for noise) of one decoder layer, in the family's HF names."""
    d, ff, heads, kv = c["hidden_size"], c["intermediate_size"], c["num_attention_heads"], c["num_key_value_heads"]
    hd = c.get("head_dim", d // heads)
    q, k = heads * hd, kv * hd
    t = c["model_type"]
    one = 0.0 if t == "gemma3_text" else 1.0
    if t == "phi3":
        attn = [("self_attn.qkv_proj.weight", (q + 2 * k, d), None)]
        mlp = [("mlp.gate_up_proj.weight", (2 * ff, d), None)]
    else:
        attn = [("self_attn.q_proj.weight", (q, d), None), ("self_attn.k_proj.weight", (k, d), None),
                ("self_attn.v_proj.weight", (k, d), None)]
        mlp = [("mlp.gate_proj.weight", (ff, d), None), ("mlp.up_proj.weight", (ff, d), None)]
    attn.append(("self_attn.o_proj.weight", (d, q), None))
    mlp.append(("mlp.down_proj.weight", (d, ff), None))
    if t in ("qwen3", "gemma3_text"):
        attn += [("self_attn.q_norm.weight", (hd,), one), ("self_attn.k_norm.weight", (hd,), one)]
    if t == "olmo2":
        attn += [("self_attn.q_norm.weight", (q,), one), ("self_attn.k_norm.weight", (k,), one)]
    norms = {
        "qwen3": ["input_layernorm", "post_attention_layernorm"],
        "phi3": ["input_layernorm", "post_attention_layernorm"],
        "gemma3_text": ["input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm", "post_feedforward_layernorm"],
        "olmo2": ["post_attention_layernorm", "post_feedforward_layernorm"],
    }[t]
    return attn + mlp + [(n + ".weight", (d,), one) for n in norms]


def all_tensors(c):
    d, v = c["hidden_size"], c["vocab_size"]
    one = 0.0 if c["model_type"] == "gemma3_text" else 1.0
    out = [("model.embed_tokens.weight", (v, d), None)]
    for i in range(c["num_hidden_layers"]):
        out += [(f"model.layers.{i}.{n}", s, k) for n, s, k in layer_tensors(c)]
    out.append(("model.norm.weight", (d,), one))
    if not c["tie_word_embeddings"]:
        out.append(("lm_head.weight", (v, d), None))
    return out


def bf16(a):
    """float32 → bfloat16 bits, rounded to nearest even."""
    bits = a.view(np.uint32)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def write(shape, out):
    c = CONFIGS[shape]
    os.makedirs(out, exist_ok=True)
    specs = all_tensors(c)
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, dims, _ in specs:
        size = 2 * int(np.prod(dims))
        header[name] = {"dtype": "BF16", "shape": list(dims), "data_offsets": [offset, offset + size]}
        offset += size
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)   # the data starts 8-byte aligned
    rng = np.random.default_rng(42)
    chunk = 1 << 23
    tmp = os.path.join(out, "model.safetensors.part")
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for _, dims, const in specs:
            n = int(np.prod(dims))
            for start in range(0, n, chunk):
                m = min(chunk, n - start)
                a = np.full(m, const, np.float32) if const is not None else (rng.standard_normal(m, dtype=np.float32) * 0.02)
                f.write(bf16(a).tobytes())
    os.replace(tmp, os.path.join(out, "model.safetensors"))
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
    print(f"{out}: {shape}, {offset / 2 ** 30:.2f} GiB, {offset // 2:,} parameters")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in CONFIGS:
        sys.exit(__doc__)
    write(sys.argv[1], sys.argv[2])
