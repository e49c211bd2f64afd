using LayerSteer.Inference;

namespace LayerSteer.Chat;

/// <summary>OpenAI's sampling parameters as <see cref="SamplingOptions"/>, with OpenAI's defaults (temperature 1, top_p 1;
/// temperature 0 is greedy), for the HTTP server and the in-process chat client alike.</summary>
public static class OpenAiSampling
{
    public const float DefaultTemperature = 1f, DefaultTopP = 1f;

    public static SamplingOptions Options(float? temperature, float? topP, int maxNewTokens, string[] stops, int? logProbs = null) => new()
    {
        Greedy = (temperature ?? DefaultTemperature) == 0,
        Temperature = temperature ?? DefaultTemperature,
        TopP = topP ?? DefaultTopP,
        MaxNewTokens = maxNewTokens,
        StopStrings = stops,
        LogProbs = logProbs,
    };

    /// <summary>The sampler seed of choice <paramref name="index"/>: seed + index (as <see cref="Generator"/> seeds a batch), random without a seed.</summary>
    public static int Seed(long? seed, int index) => seed is long s ? unchecked((int)s + index) : Random.Shared.Next();

    /// <summary>OpenAI's finish_reason for a <see cref="Generation.FinishReason"/>: EOS and stop strings are "stop".</summary>
    public static string FinishReason(string reason) => reason == "length" ? "length" : "stop";
}
