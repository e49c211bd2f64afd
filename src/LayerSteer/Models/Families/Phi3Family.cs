namespace LayerSteer.Models.Families;

/// <summary>Phi-3, Phi-3.5-mini and Phi-4-mini (Phi3ForCausalLM): Llama's block with fused projections — qkv_proj rows are q, then k,
/// then v; gate_up_proj rows are gate, then up (up ⊙ silu(gate)) — split here into the usual maps, no biases; RoPE on the first
/// partial_rotary_factor × head_dim dims of each head, with longrope scaling. The site is still the o_proj input.</summary>
public static class Phi3Family
{
    public static Transformer Build(HfLayout hf, string source, string fingerprint)
    {
        var c = hf.Config;
        var rope = hf.Rope();
        return hf.Model(i =>
        {
            var qkv = hf.Fused(i, "self_attn.qkv_proj", c.SiteWidth, hf.KvWidth, hf.KvWidth);
            var gateUp = hf.Fused(i, "mlp.gate_up_proj", c.IntermediateSize, c.IntermediateSize);
            return hf.Block(i, rope, (qkv[0], qkv[1], qkv[2]), new Mlp(gateUp[0], gateUp[1], hf.Down(i), c.HiddenAct)) with
            {
                AttnNorm = hf.Norm(i, "input_layernorm"),
                MlpNorm = hf.Norm(i, "post_attention_layernorm"),
            };
        }, source, fingerprint);
    }
}
