using System.Globalization;

namespace LayerSteer.Verification;

/// <summary>The share of CPU time the hypervisor gave to other guests while it lives (the "steal" column of /proc/stat): on a
/// shared VM a benchmark that lost a third of its cores to steal says so beside its numbers.</summary>
public sealed class CpuSteal
{
    readonly (long Steal, long Total)? _start = Read();

    static (long Steal, long Total)? Read()
    {
        try
        {
            var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f[0] != "cpu" || f.Length < 9) return null;
            var ticks = f.Skip(1).Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();   // user … steal
            return (ticks[7], ticks.Sum());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }

    /// <summary>Stolen over all CPU ticks since construction, or null where /proc/stat is missing.</summary>
    public double? Fraction => Read() is { } now && _start is { } s && now.Total > s.Total
        ? (double)(now.Steal - s.Steal) / (now.Total - s.Total) : null;
}
