using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace LayerSteer.Verification;

/// <summary>This process's resident memory as Linux counts it (/proc/self/status): anonymous pages — the heap, activations,
/// KV caches: what a run allocates — apart from file-backed pages, which for a mapped model are its weights (shared with the
/// page cache, dropped and re-read by the kernel under pressure, never copied); and the peak of all resident memory.</summary>
public sealed record ProcessMemory(long AnonymousBytes, long FileBytes, long PeakResidentBytes)
{
    /// <summary>Now, or null where /proc/self/status is missing (not Linux).</summary>
    public static ProcessMemory? Now()
    {
        byte[] status;
        try { status = File.ReadAllBytes("/proc/self/status"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        return new ProcessMemory(Bytes(status, "RssAnon:"u8), Bytes(status, "RssFile:"u8) + Bytes(status, "RssShmem:"u8), Bytes(status, "VmHWM:"u8));
    }

    /// <summary>The value of a "Key:   123 kB" line of /proc/self/status or /proc/meminfo in bytes (0 when the key is absent); allocates nothing.</summary>
    internal static long Bytes(ReadOnlySpan<byte> status, ReadOnlySpan<byte> key)
    {
        int at = status.IndexOf(key);
        if (at < 0) return 0;
        long kib = 0;
        foreach (byte b in status[(at + key.Length)..])
        {
            if (b is >= (byte)'0' and <= (byte)'9') kib = kib * 10 + (b - '0');
            else if (b == '\n' || kib > 0 && b == ' ') break;
        }
        return kib * 1024;
    }

    /// <summary>Bytes as GiB with two decimals, or whole MiB below 1 GiB.</summary>
    public static string Format(long bytes) => bytes >= 1L << 30
        ? (bytes / (double)(1L << 30)).ToString("F2", CultureInfo.InvariantCulture) + " GiB"
        : (bytes >> 20).ToString(CultureInfo.InvariantCulture) + " MiB";

    /// <summary>Bytes the kernel says it can still give without swapping (MemAvailable), or null when unknown.</summary>
    public static long? Available()
    {
        byte[] meminfo;
        try { meminfo = File.ReadAllBytes("/proc/meminfo"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        return meminfo.AsSpan().IndexOf("MemAvailable:"u8) < 0 ? null : Bytes(meminfo, "MemAvailable:"u8);
    }
}

/// <summary>The largest anonymous resident memory seen while it lives: sampled every few milliseconds on a timer (the kernel
/// keeps a peak only of all resident memory, which for a mapped model is mostly the weights' file pages). A sample rereads the
/// open /proc/self/status into one buffer and allocates nothing, so it does not show up in the allocation counts bench reports.</summary>
public sealed class AnonymousPeak : IDisposable
{
    readonly Timer? _timer;
    readonly SafeFileHandle? _status;
    readonly byte[] _text = new byte[8192];
    readonly Lock _reading = new();
    long _peak;

    public AnonymousPeak(int periodMs = 10)
    {
        try { _status = File.OpenHandle("/proc/self/status"); }
        catch (IOException) { return; }
        catch (UnauthorizedAccessException) { return; }
        Sample();
        _timer = new Timer(_ => Sample(), null, periodMs, periodMs);
    }

    void Sample()
    {
        long bytes;
        lock (_reading)
        {
            if (_status == null || _status.IsClosed) return;
            int n = RandomAccess.Read(_status, _text, 0);   // procfs renders the file afresh at offset 0
            bytes = ProcessMemory.Bytes(_text.AsSpan(0, n), "RssAnon:"u8);
        }
        for (long seen = Interlocked.Read(ref _peak); bytes > seen; seen = Interlocked.Read(ref _peak))
            if (Interlocked.CompareExchange(ref _peak, bytes, seen) == seen) break;
    }

    /// <summary>The peak so far, including a sample taken now; 0 where memory cannot be read.</summary>
    public long Bytes { get { Sample(); return Interlocked.Read(ref _peak); } }

    public void Dispose()
    {
        _timer?.Dispose();
        lock (_reading) _status?.Dispose();
    }
}
