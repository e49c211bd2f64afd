using System.Globalization;
using LayerSteer.Formats;
using LayerSteer.Intervention;
using LayerSteer.Tensors;

namespace LayerSteer.Exports;

/// <summary>`export --format transformers`: delta.safetensors and a short Python file that adds α·Δ in Hugging Face
/// transformers exactly where LayerSteer does — a forward pre-hook on layer ℓ's o_proj (GPT-2: attn.c_proj), whose input is
/// the concatenated head outputs, i.e. the site; a block-output vector, a forward hook on decoder layer ℓ — at the
/// positions of the apply mode.</summary>
public static class TransformersExport
{
    public const string DeltaFile = "delta.safetensors", ScriptFile = "layersteer_hook.py";

    /// <summary>The module whose input (o_proj input) or output (block output) is the site, as model.get_submodule names it.</summary>
    public static string Module(string architecture, VectorSite site, int layer)
    {
        bool gpt2 = architecture == "gpt2";
        string block = gpt2 ? $"transformer.h.{layer}" : $"model.layers.{layer}";
        return site == VectorSite.BlockOutput ? block : block + (gpt2 ? ".attn.c_proj" : ".self_attn.o_proj");
    }

    /// <summary>Writes delta.safetensors and layersteer_hook.py into <paramref name="folder"/>.</summary>
    public static void Write(SteeringVector v, ApplyMode apply, string folder)
    {
        Directory.CreateDirectory(folder);
        string module = Module(v.Header.Architecture, v.Site, v.Layer);
        var md = new Dictionary<string, string>
        {
            ["layer"] = v.Layer.ToString(CultureInfo.InvariantCulture), ["site"] = VectorSites.CliName(v.Site), ["apply"] = ApplyModes.Name(apply),
            ["module"] = module, ["architecture"] = v.Header.Architecture,
        };
        SafeTensorsWriter.Write(Path.Combine(folder, DeltaFile), new Dictionary<string, TensorData> { ["delta"] = TensorData.F32([v.Delta.Length], v.Delta) }, md);
        AtomicFile.WriteText(Path.Combine(folder, ScriptFile), Script(module, v.Site, apply, v.Layer, v.Task));
    }

    /// <summary>The Python file: a context manager that hooks <paramref name="module"/> for one generate() call.</summary>
    public static string Script(string module, VectorSite site, ApplyMode apply, int layer, string task)
    {
        bool pre = site == VectorSite.OProjInput;
        string where = pre ? $"the input of {module} (the concatenated head outputs: LayerSteer's o_proj-input site)"
            : $"the output of {module} (the residual stream after decoder layer {layer})";
        string hook = pre
            ? """
                  def hook(mod, args):
                      x = add(args[0])
                      return None if x is None else (x,) + tuple(args[1:])

                  handle = module.register_forward_pre_hook(hook)
              """
            : """
                  def hook(mod, args, output):
                      hidden = output[0] if isinstance(output, tuple) else output
                      x = add(hidden)
                      if x is None:
                          return None
                      return (x,) + tuple(output[1:]) if isinstance(output, tuple) else x

                  handle = module.register_forward_hook(hook)
              """;
        return $$""""
            """LayerSteer export: the {{task}} vector at layer {{layer}} (0-based), added at {{where}}.

            Semantics this relies on (Hugging Face transformers >= 4.36, whose generate() keeps a DynamicCache):
              * {{module}} is called once per forward pass; {{(pre ? "its input is [batch, seq, heads * head_dim],\n    heads in order: the attention output reshaped just before o_proj" : "its output is the hidden states [batch, seq, hidden]\n    (or a tuple starting with them)")}}.
              * generate(use_cache=True) runs the whole prompt in its first forward pass, then one token per pass.
                Keep prefill chunking and assisted/speculative decoding off; without a cache every pass restarts at 0.
              * For a batch, pad on the left (tokenizer.padding_side = "left"): every prompt then ends at the last
                column of the first pass, and prompt_length is the padded length.

            Usage:
                from layersteer_hook import steer
                inputs = tokenizer(prompt, return_tensors="pt")
                with steer(model, prompt_length=inputs["input_ids"].shape[1]):
                    out = model.generate(**inputs, max_new_tokens=10, do_sample=False)
            """
            import contextlib
            import os

            import torch
            from safetensors.torch import load_file

            MODULE = "{{module}}"
            # last: the last prompt token (the paper); all: also every generated token; every: every position
            APPLY = "{{ApplyModes.Name(apply)}}"
            DELTA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "{{DeltaFile}}")


            @contextlib.contextmanager
            def steer(model, prompt_length, alpha=1.0, delta_path=DELTA):
                """Adds alpha * delta at MODULE during one generate() call on prompts of prompt_length tokens."""
                if getattr(model.config, "pretraining_tp", 1) != 1:
                    raise ValueError("pretraining_tp > 1 computes o_proj without calling it; set model.config.pretraining_tp = 1")
                module = model.get_submodule(MODULE)
                delta = load_file(delta_path)["delta"]
                seen = [0]  # positions run so far (the KV cache length)

                def add(x):
                    n = x.shape[1]
                    start = 0 if seen[0] == 0 or n > 1 else seen[0]  # a multi-token pass is the prompt
                    seen[0] = start + n
                    pos = torch.arange(start, start + n, device=x.device)
                    if APPLY == "every":
                        mask = torch.ones_like(pos, dtype=torch.bool)
                    elif APPLY == "all":
                        mask = pos >= prompt_length - 1
                    else:
                        mask = pos == prompt_length - 1
                    if not bool(mask.any()):
                        return None
                    x = x.clone()
                    x[:, mask] += (alpha * delta).to(device=x.device, dtype=x.dtype)
                    return x

            {{hook}}
                try:
                    yield
                finally:
                    handle.remove()

            """";
    }
}
