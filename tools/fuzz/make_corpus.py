#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target (tools/fuzz/corpus/<target>/): small valid files of each format, made here
from scratch (nothing copied from elsewhere). Dev-time only; the corpus is committed and replayed by the test suite."""
import json, os, struct

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

def put(target, name, data):
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))

def safetensors(tensors, metadata=None):
    header, blob = {}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(raw)]}
        blob += raw
    if metadata: header["__metadata__"] = metadata
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + blob

f32 = lambda xs: struct.pack(f"<{len(xs)}f", *xs)
put("safetensors", "two-tensors", safetensors({"a": ("F32", [2, 2], f32([1, 2, 3, 4])), "b": ("BF16", [2], b"\x80\x3f\x00\x40")}))
put("safetensors", "f16", safetensors({"w": ("F16", [3], b"\x00\x3c\x00\x40\x00\xc0")}, {"format": "pt"}))
put("sharded-index", "index", json.dumps({"metadata": {"total_size": 16}, "weight_map": {"a": "model-00001-of-00001.safetensors"}}))
config = {"model_type": "llama", "vocab_size": 16, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1,
          "num_attention_heads": 2, "num_key_value_heads": 1, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
          "tie_word_embeddings": True, "max_position_embeddings": 32, "hidden_act": "silu"}
put("config", "llama", json.dumps(config))
put("config", "gemma2", json.dumps(dict(config, model_type="gemma2", head_dim=4, hidden_act="gelu_pytorch_tanh",
    query_pre_attn_scalar=4, attn_logit_softcapping=50.0, final_logit_softcapping=30.0, sliding_window=4)))
byte_vocab = {chr(c) if 33 <= c <= 126 else f"<0x{c:02X}>": i for i, c in enumerate(range(256))}
bl = {"version": "1.0", "added_tokens": [{"id": 3, "content": "<|endoftext|>", "special": True, "single_word": False,
      "lstrip": False, "rstrip": False, "normalized": False}], "normalizer": None,
      "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
      "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                         "pair": [{"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [3], "tokens": ["<|endoftext|>"]}}},
      "decoder": {"type": "ByteLevel"},
      "model": {"type": "BPE", "dropout": None, "unk_token": None, "fuse_unk": False, "byte_fallback": False,
                "vocab": {"a": 0, "b": 1, "ab": 2, "<|endoftext|>": 3, "Ġ": 4, "Ġa": 5, "c": 6}, "merges": ["a b", "Ġ a"]}}
put("tokenizer-json", "byte-level", json.dumps(bl))
put("vocab-merges", "tiny", json.dumps({"a": 0, "b": 1, "ab": 2, "Ġ": 3, "Ġa": 4}) + "\n#merges\n#version: 0.2\na b\nĠ a\n")
tokens = [b"<unk>", b"<s>", b"</s>", b"a", b"b", b"ab", b" ", b"\x00"]
put("tokenizer-bin", "tiny", struct.pack("<i", 2) + b"".join(struct.pack("<fi", -float(i), len(t)) + t for i, t in enumerate(tokens)))
dim, hidden, layers, heads, kv, vocab, seq = 8, 16, 1, 2, 2, 8, 4
head = dim // heads
n = vocab * dim + layers * (dim + dim * dim * 2 + dim * kv * head * 2 + dim + 3 * dim * hidden) + dim + seq * head
put("llama2c-checkpoint", "tiny", struct.pack("<7i", dim, hidden, layers, heads, kv, vocab, seq) + f32([0.01 * (i % 7) for i in range(n)]))
vec_md = {"format": "layersteer-vector", "format_version": "1", "model_fingerprint": "0123456789abcdef", "architecture": "llama",
          "layer": "0", "site": "o_proj input (concatenated head outputs)", "site_width": "4", "head_dim": "2", "apply": "last",
          "task": "antonym", "train_inputs": json.dumps(["hot", "up"]), "nonzero_heads": "[0]", "nonzero_entries": "2"}
put("vector", "delta", safetensors({"delta": ("F32", [4], f32([0.5, -1, 0, 0]))}, vec_md))
fv_md = {"format": "layersteer-function-vector", "format_version": "1", "model_fingerprint": "0123456789abcdef", "architecture": "llama",
         "layer": "1", "hidden_size": "4", "apply": "all", "heads": json.dumps([{"layer": 0, "head": 1, "cie": 0.25}]), "train_inputs": "[]"}
put("function-vector", "fv", safetensors({"function_vector": ("F32", [4], f32([1, 2, 3, 4]))}, fv_md))
put("task", "antonym", json.dumps([{"input": "hot", "output": "cold"}, {"input": "up", "output": "down"}]))
put("survey-jsonl", "two", "\n".join(json.dumps(q) for q in [
    {"id": "q1", "question": "Is it?", "options": ["Yes", "No"], "distribution": [0.7, 0.3]},
    {"id": "q2", "question": "Which?", "options": ["A", "B", "C"], "distribution": [1, 2, 3]}]) + "\n")
# chat-template seeds are the hand-written files in corpus/chat-template (kept as they are).
put("survey-csv", "two", 'id,question,options,distribution\nq1,"Is it, really?",Yes|No,0.7|0.3\nq2,Which?,A|B|C,1|2|3\n')

# Server request bodies (RequestTargets: a real server on the committed testbed, whose o_proj input is 128 wide). The
# server-vector-put seed is a vector fitted on the testbed by `layersteer fit` (it carries the model's fingerprint), made once:
#   layersteer fit --task antonym --steps 2 --out tools/fuzz/corpus/server-vector-put/antonym.safetensors (then drop the extension)
import base64
delta = base64.b64encode(f32([0.01 * (i % 5 - 2) for i in range(128)])).decode()
put("server-completions", "plain", json.dumps({"prompt": "hot", "max_tokens": 2, "temperature": 0}))
put("server-completions", "inline-steering", json.dumps({"prompt": ["hot", "up"], "max_tokens": 3, "n": 2, "seed": 1, "top_p": 0.9,
    "stop": ["\n"], "logprobs": 2, "steering": {"vectors": [{"layer": 1, "site": "o_proj_input", "data": delta, "scale": 0.5}], "apply": "all"}}))
put("server-completions", "ids-stream", json.dumps({"prompt": [[1, 2, 3]], "max_tokens": 2, "stream": True, "stream_options": {"include_usage": True},
    "steering": {"vectors": [{"name": "fuzz", "scale": 1.0, "apply": "last"}]}}))
put("server-chat", "messages", json.dumps({"messages": [{"role": "system", "content": "opposites"}, {"role": "user", "content": "hot"}],
    "max_completion_tokens": 2, "logprobs": True, "top_logprobs": 2}))
put("server-chat", "parts-stream", json.dumps({"messages": [{"role": "user", "content": [{"type": "text", "text": "up"}]}], "stream": True,
    "steering": {"vectors": [{"layer": 0, "data": delta}]}}))
put("server-fit", "examples", json.dumps({"examples": [{"input": "hot", "output": "cold"}, {"input": "up", "output": "down"}], "steps": 2,
    "layer": 1, "gamma": 0.01, "lambda": 0.01, "lr": 0.1, "optimizer": "prox-adam", "apply": "last", "loss": "full"}))
put("server-fit", "task", json.dumps({"task": "antonym", "shots": 4, "seed": 3, "steps": 1, "template": "paper"}))
