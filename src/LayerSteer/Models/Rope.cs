using LayerSteer.Formats;

namespace LayerSteer.Models;

/// <summary>Rotary position embedding in Hugging Face's rotate_half layout (pairs i and i + d/2),
/// with optional Llama 3 frequency rescaling. Angles are computed in double for exactness.</summary>
public sealed class Rope
{
    readonly double[] _invFreq;
    readonly int _half;

    public Rope(int headDim, double theta, RopeScaling? scaling)
    {
        _half = headDim / 2;
        _invFreq = new double[_half];
        for (int i = 0; i < _half; i++)
        {
            double f = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
            _invFreq[i] = scaling == null ? f : Llama3Scale(f, scaling);
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

    /// <summary>cos/sin of every pair's angle at one position (length d/2 each).</summary>
    public void Angles(int pos, Span<float> cos, Span<float> sin)
    {
        for (int i = 0; i < _half; i++)
        {
            double a = pos * _invFreq[i];
            cos[i] = (float)Math.Cos(a);
            sin[i] = (float)Math.Sin(a);
        }
    }

    /// <summary>Rotates each head vector of width 2·half in place by +angle (forward) or −angle (backward = transpose).</summary>
    public static void Rotate(Span<float> v, int heads, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin, bool inverse)
    {
        int half = cos.Length;
        for (int h = 0; h < heads; h++)
        {
            var x = v.Slice(h * 2 * half, 2 * half);
            for (int i = 0; i < half; i++)
            {
                float x1 = x[i], x2 = x[i + half], c = cos[i], s = inverse ? -sin[i] : sin[i];
                x[i] = x1 * c - x2 * s;
                x[i + half] = x2 * c + x1 * s;
            }
        }
    }
}
