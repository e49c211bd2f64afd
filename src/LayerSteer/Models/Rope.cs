using LayerSteer.Formats;

namespace LayerSteer.Models;

/// <summary>Rotary position embedding in Hugging Face's rotate_half layout (pairs i and i + r/2 of the first r = RotaryDim
/// dims of each head; the rest pass through), with the rope_scaling rules of <see cref="RopeScaling"/>. Angles are
/// computed in double for exactness.</summary>
public sealed class Rope
{
    readonly double[] _invFreq;
    readonly double[]? _longInvFreq;   // longrope: for forwards longer than _originalMax
    readonly int _originalMax;
    readonly double _attentionFactor = 1;

    public int HeadDim { get; }
    /// <summary>Leading dims of each head that rotate (Phi-3's partial rotary); the others pass through unchanged.</summary>
    public int RotaryDim { get; }
    /// <summary>Number of rotated pairs per head: the length of the cos/sin buffers.</summary>
    public int Pairs => RotaryDim / 2;

    public Rope(int headDim, int rotaryDim, double theta, RopeScaling? scaling)
    {
        (HeadDim, RotaryDim) = (headDim, rotaryDim);
        var freq = Enumerable.Range(0, Pairs).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / rotaryDim)).ToArray();
        _invFreq = scaling?.Type switch
        {
            null => freq,
            "llama3" => freq.Select(f => Llama3Scale(f, scaling)).ToArray(),
            "linear" => freq.Select(f => f / scaling.Factor).ToArray(),
            "longrope" => freq.Select((f, i) => f / scaling.ShortFactor![i]).ToArray(),
            var t => throw new LayerSteerException($"rope_scaling type \"{t}\" is not supported"),
        };
        if (scaling?.Type == "longrope")
        {
            _longInvFreq = freq.Select((f, i) => f / scaling.LongFactor![i]).ToArray();
            _originalMax = scaling.OriginalMaxPositions;
            _attentionFactor = scaling.AttentionFactor ?? 1;
        }
    }

    // Llama 3: keep high frequencies, divide low ones by `factor`, interpolate smoothly in between.
    static double Llama3Scale(double freq, RopeScaling s)
    {
        double lowWavelen = s.OriginalMaxPositions / s.LowFreqFactor;
        double highWavelen = s.OriginalMaxPositions / s.HighFreqFactor;
        double wavelen = 2 * Math.PI / freq;
        if (wavelen < highWavelen) return freq;
        if (wavelen > lowWavelen) return freq / s.Factor;
        double smooth = (s.OriginalMaxPositions / wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
        return (1 - smooth) * freq / s.Factor + smooth * freq;
    }

    /// <summary>cos/sin of every pair's angle at one position (length <see cref="Pairs"/> each). <paramref name="sequenceLength"/>
    /// is the length of the forward the position belongs to: longrope takes its long factors past OriginalMaxPositions, as
    /// HF does for the whole forward (so keys cached by a shorter forward keep their short-factor angles, as in HF's cache).</summary>
    public void Angles(int pos, int sequenceLength, Span<float> cos, Span<float> sin)
    {
        var invFreq = _longInvFreq != null && sequenceLength > _originalMax ? _longInvFreq : _invFreq;
        for (int i = 0; i < Pairs; i++)
        {
            double a = pos * invFreq[i];
            cos[i] = (float)(Math.Cos(a) * _attentionFactor);
            sin[i] = (float)(Math.Sin(a) * _attentionFactor);
        }
    }

    /// <summary>Rotates the first RotaryDim dims of each head (width HeadDim) of <paramref name="v"/> in place by +angle (forward)
    /// or −angle (backward: the transpose, also of the attention-factor scaling).</summary>
    public void Rotate(Span<float> v, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin, bool inverse)
    {
        int half = Pairs;
        for (int h = 0; h < v.Length / HeadDim; h++)
        {
            var x = v.Slice(h * HeadDim, RotaryDim);
            for (int i = 0; i < half; i++)
            {
                float x1 = x[i], x2 = x[i + half], c = cos[i], s = inverse ? -sin[i] : sin[i];
                x[i] = x1 * c - x2 * s;
                x[i + half] = x2 * c + x1 * s;
            }
        }
    }
}
