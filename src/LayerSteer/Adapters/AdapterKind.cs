namespace LayerSteer.Adapters;

/// <summary>The parameter-efficient baselines: LoRA on q/v, IA3 on k/v/down, a soft prompt.</summary>
public enum AdapterKind { Lora, Ia3, SoftPrompt }

/// <summary>Names of <see cref="AdapterKind"/>s as the CLI and tables spell them.</summary>
public static class AdapterKinds
{
    public static string Name(AdapterKind k) => k switch { AdapterKind.Lora => "lora", AdapterKind.Ia3 => "ia3", _ => "soft-prompt" };
}
