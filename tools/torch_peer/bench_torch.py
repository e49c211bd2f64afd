#!/usr/bin/python3
"""Dev-time PyTorch peer of `layersteer bench`: the same Llama (or Qwen2: Llama with q/k/v biases) forward, timed on the same sizes.

Reads an HF folder (config.json + *.safetensors, header parsed here with numpy), measures prefill and
KV-cached greedy decode tokens/s with 2 threads, and optionally checks its logits against the ids and
logits that `layersteer bench --dump-logits FILE` wrote. Not part of the product; see README.md.
"""
import argparse
import glob
import json
import math
import os
import statistics
import struct
import sys
import time

import numpy as np
import torch


def read_safetensors(path):
    """name -> float32 torch tensor, parsing the 8-byte header length and JSON header ourselves."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    n = struct.unpack("<Q", raw[:8].tobytes())[0]
    header = json.loads(raw[8:8 + n].tobytes())
    body = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        buf = raw[body + begin:body + end]
        dt = info["dtype"]
        if dt == "F32":
            a = buf.view(np.float32)
        elif dt == "F16":
            a = buf.view(np.float16).astype(np.float32)
        elif dt == "BF16":  # bfloat16 is the top half of a float32
            a = (buf.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
        else:
            sys.exit(f"{path}: tensor {name} has unsupported dtype {dt}")
        out[name] = torch.from_numpy(np.array(a).reshape(info["shape"]))
    return out


def load_weights(folder):
    files = sorted(glob.glob(os.path.join(folder, "*.safetensors")))
    if not files:
        sys.exit(f"{folder}: no *.safetensors files")
    w = {}
    for f in files:
        w.update(read_safetensors(f))
    return w


class Llama:
    """Llama forward (RMSNorm, RoPE rotate-half, grouped-query attention, SwiGLU) over one sequence with a KV cache; Qwen2's
    q/k/v biases when the checkpoint has them."""

    def __init__(self, folder):
        with open(os.path.join(folder, "config.json")) as f:
            c = json.load(f)
        if c["model_type"] not in ("llama", "qwen2") or c.get("rope_scaling") or c.get("mlp_bias") or c.get("use_sliding_window"):
            sys.exit(f"{folder}: only plain llama and qwen2 configs are supported (no rope_scaling, MLP biases or sliding window)")
        self.c = c
        self.w = load_weights(folder)
        self.layers = c["num_hidden_layers"]
        self.heads = c["num_attention_heads"]
        self.kv_heads = c.get("num_key_value_heads", self.heads)
        self.head_dim = c.get("head_dim", c["hidden_size"] // self.heads)
        self.eps = c["rms_norm_eps"]
        self.inv_freq = 1.0 / (c.get("rope_theta", 10000.0) ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32) / self.head_dim))
        tied = c.get("tie_word_embeddings", False) or "lm_head.weight" not in self.w
        self.head = self.w["model.embed_tokens.weight"] if tied else self.w["lm_head.weight"]

    def new_cache(self):
        return [[None, None] for _ in range(self.layers)]

    def linear(self, x, name):
        y = x @ self.w[name + ".weight"].T
        return y + self.w[name + ".bias"] if name + ".bias" in self.w else y

    def norm(self, x, weight):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * weight

    def rope(self, x, pos):
        f = pos[:, None].float() * self.inv_freq[None, :]
        cos, sin = torch.cat([f, f], -1).cos()[:, None, :], torch.cat([f, f], -1).sin()[:, None, :]
        half = x.shape[-1] // 2
        rotated = torch.cat([-x[..., half:], x[..., :half]], -1)
        return x * cos + rotated * sin

    def forward(self, ids, cache):
        """logits [len(ids), vocab] for new ids appended to the cache."""
        w, T, d = self.w, len(ids), self.head_dim
        past = 0 if cache[0][0] is None else cache[0][0].shape[0]
        pos = torch.arange(past, past + T)
        x = w["model.embed_tokens.weight"][ids]
        mask = torch.full((T, past + T), float("-inf")).triu(past + 1)
        for l in range(self.layers):
            p = f"model.layers.{l}."
            h = self.norm(x, w[p + "input_layernorm.weight"])
            q = self.linear(h, p + "self_attn.q_proj").view(T, self.heads, d)
            k = self.linear(h, p + "self_attn.k_proj").view(T, self.kv_heads, d)
            v = self.linear(h, p + "self_attn.v_proj").view(T, self.kv_heads, d)
            q, k = self.rope(q, pos), self.rope(k, pos)
            if cache[l][0] is not None:
                k, v = torch.cat([cache[l][0], k]), torch.cat([cache[l][1], v])
            cache[l] = [k, v]
            rep = self.heads // self.kv_heads
            kk, vv = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
            att = torch.einsum("thd,shd->hts", q, kk) / math.sqrt(d) + mask
            o = torch.einsum("hts,shd->thd", att.softmax(-1), vv).reshape(T, self.heads * d)
            x = x + o @ w[p + "self_attn.o_proj.weight"].T
            h = self.norm(x, w[p + "post_attention_layernorm.weight"])
            g = torch.nn.functional.silu(h @ w[p + "mlp.gate_proj.weight"].T) * (h @ w[p + "mlp.up_proj.weight"].T)
            x = x + g @ w[p + "mlp.down_proj.weight"].T
        return self.norm(x, w["model.norm.weight"]) @ self.head.T


    # ---- the Δ fit step on the suffix path, batched over N examples of equal lengths (as `layersteer bench` times it)
    def block_to_site(self, l, x, pos, past):
        """Layer l from its input x [B, T, D] to the o_proj input [B, T, heads·d], attending to past (k, v) [B, S, kv, d]
        then to the rows themselves (causal); returns the site and the layer's full (k, v)."""
        w, p, d = self.w, f"model.layers.{l}.", self.head_dim
        B, T, _ = x.shape
        h = self.norm(x, w[p + "input_layernorm.weight"])
        q = self.rope(self.linear(h, p + "self_attn.q_proj").view(B * T, self.heads, d), pos.repeat(B)).view(B, T, self.heads, d)
        k = self.rope(self.linear(h, p + "self_attn.k_proj").view(B * T, self.kv_heads, d), pos.repeat(B)).view(B, T, self.kv_heads, d)
        v = self.linear(h, p + "self_attn.v_proj").view(B, T, self.kv_heads, d)
        k, v = torch.cat([past[0], k], 1), torch.cat([past[1], v], 1)
        S = k.shape[1] - T
        rep = self.heads // self.kv_heads
        kk, vv = k.repeat_interleave(rep, 2), v.repeat_interleave(rep, 2)
        mask = torch.full((T, S + T), float("-inf")).triu(S + 1)
        att = torch.einsum("bthd,bshd->bhts", q, kk) / math.sqrt(d) + mask
        return torch.einsum("bhts,bshd->bthd", att.softmax(-1), vv).reshape(B, T, self.heads * d), (k, v)

    def block_from_site(self, l, site, x):
        w, p = self.w, f"model.layers.{l}."
        x = x + site @ w[p + "self_attn.o_proj.weight"].T
        h = self.norm(x, w[p + "post_attention_layernorm.weight"])
        g = torch.nn.functional.silu(h @ w[p + "mlp.gate_proj.weight"].T) * (h @ w[p + "mlp.up_proj.weight"].T)
        return x + g @ w[p + "mlp.down_proj.weight"].T

    def suffix_fit(self, prompts, targets, layer):
        """The cached Δ objective of LayerSteer's suffix path: every prompt token but the last is run once at every layer (its
        keys and values cached); the suffix rows — the last prompt token, then the targets but the last as teacher-forced
        inputs — run once up to the site of layer ℓ. Returns step(Δ) → (mean token NLL, ∂/∂Δ): Δ is added to the last prompt
        token's site, and the rows run from there through the top layers and the LM head, forward and back."""
        B, P = prompts.shape
        pos_prefix, pos = torch.arange(P - 1), torch.arange(P - 1, P - 1 + targets.shape[1])
        rows = torch.cat([prompts[:, -1:], targets[:, :-1]], 1)
        w = self.w
        with torch.no_grad():
            pasts, x = [], w["model.embed_tokens.weight"][prompts[:, :-1]]
            empty = torch.zeros(B, 0, self.kv_heads, self.head_dim)
            for l in range(self.layers):   # the prefix at every layer
                site, kv = self.block_to_site(l, x, pos_prefix, (empty, empty))
                pasts.append(kv)
                x = self.block_from_site(l, site, x)
            x0 = w["model.embed_tokens.weight"][rows]
            for l in range(layer):
                site, _ = self.block_to_site(l, x0, pos, pasts[l])
                x0 = self.block_from_site(l, site, x0)
            site0, _ = self.block_to_site(layer, x0, pos, pasts[layer])

        def step(delta):
            delta = delta.detach().requires_grad_(True)
            add = torch.zeros_like(site0)
            add[:, 0, :] = delta   # the last prompt token only (apply: last)
            x = self.block_from_site(layer, site0 + add, x0)
            for l in range(layer + 1, self.layers):
                site, _ = self.block_to_site(l, x, pos, pasts[l])
                x = self.block_from_site(l, site, x)
            logits = self.norm(x, w["model.norm.weight"]) @ self.head.T
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
            loss.backward()
            return loss.item(), delta.grad
        return step


def time_runs(warmup, repeat, setup):
    """Seconds of each repeat of the body that setup() returns (setup untimed), after warm-up runs."""
    out = []
    for i in range(warmup + repeat):
        body = setup()
        t0 = time.perf_counter()
        body()
        if i >= warmup:
            out.append(time.perf_counter() - t0)
    return out


def summary(name, secs, work):
    med = statistics.median(secs)
    print(f"{name:8s} median {med * 1e3:9.2f} ms  spread ±{(max(secs) - min(secs)) / med * 50:3.0f}%  {work / med:10.1f} tok/s")
    return work / med


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--prompt-tokens", type=int, default=128)
    ap.add_argument("--decode-tokens", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--logits", help="JSON from `layersteer bench --dump-logits`: check our logits against it")
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--fit-layer", type=int, help="ℓ of the Δ fit step (layersteer bench prints it as fit_layer); omit to skip the step")
    ap.add_argument("--fit-examples", type=int, default=10)
    ap.add_argument("--fit-prompt", type=int, default=10)
    ap.add_argument("--fit-targets", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(1234)
    m = Llama(a.model)
    if a.prompt_tokens + a.decode_tokens > m.c.get("max_position_embeddings", 2048):
        sys.exit("prompt + decode tokens exceed max_position_embeddings")

    max_abs = None
    with torch.inference_mode():
        if a.logits:
            with open(a.logits) as f:
                ref = json.load(f)
            ours = m.forward(torch.tensor(ref["ids"]), m.new_cache())
            theirs = torch.tensor(ref["logits"], dtype=torch.float32)
            max_abs = (ours - theirs).abs().max().item()
            argmax_ok = bool((ours.argmax(-1) == theirs.argmax(-1)).all())
            print(f"logits   {len(ref['ids'])} rows: max |torch - layersteer| = {max_abs:.3g}, argmax {'agree' if argmax_ok else 'DIFFER'}")

        specials = {m.c.get("bos_token_id"), *np.atleast_1d(m.c.get("eos_token_id", []))}
        vocab = [i for i in range(m.c["vocab_size"]) if i not in specials]
        prompt = torch.tensor(np.random.default_rng(1234).choice(vocab, a.prompt_tokens))

        def prefill():
            cache = m.new_cache()
            return lambda: m.forward(prompt, cache)

        def decode():
            cache = m.new_cache()
            nxt = m.forward(prompt, cache)[-1].argmax()

            def run():
                t = nxt
                for _ in range(a.decode_tokens):
                    t = m.forward(t.view(1), cache)[-1].argmax()
            return run

        pre = summary("prefill", time_runs(1, a.repeat, prefill), a.prompt_tokens)
        dec = summary("decode", time_runs(1, a.repeat, decode), a.decode_tokens)
    fit_ms = None
    if a.fit_layer is not None:
        rng = np.random.default_rng(1234)
        ids = lambda n: torch.tensor(rng.choice(vocab, (a.fit_examples, n)))
        step = m.suffix_fit(ids(a.fit_prompt), ids(a.fit_targets), a.fit_layer)
        delta = torch.tensor(rng.uniform(-0.05, 0.05, m.heads * m.head_dim), dtype=torch.float32)
        secs = time_runs(1, a.repeat, lambda: (lambda: step(delta)))
        fit_ms = statistics.median(secs) * 1e3
        print(f"fit step median {fit_ms:9.2f} ms  (N = {a.fit_examples}, prompt {a.fit_prompt}, targets {a.fit_targets}, ℓ = {a.fit_layer}, cached prefix)")
    print(f"torch prefill_tok_s={pre:.1f} decode_tok_s={dec:.1f} threads={torch.get_num_threads()} torch={torch.__version__}"
          + (f" logits_max_abs={max_abs:.3g}" if max_abs is not None else "") + (f" fit_step_ms={fit_ms:.1f}" if fit_ms is not None else ""))
    if max_abs is not None and not (max_abs <= a.tol and argmax_ok):
        sys.exit(f"logits differ from layersteer by {max_abs:.3g} (tolerance {a.tol})")


if __name__ == "__main__":
    main()
