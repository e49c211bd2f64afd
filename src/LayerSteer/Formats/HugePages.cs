using System.Runtime.InteropServices;

namespace LayerSteer.Formats;

/// <summary>Asks Linux to back a mapped checkpoint with 2 MiB pages. Decode streams every weight once per token; with 4 KiB
/// pages that is a TLB miss every 4 KiB. Given the hint before the file is first read (or after its pages were evicted), the page
/// cache reads it in 2 MiB folios and maps them whole; pages already cached in small folios stay as they are. A hint only:
/// refused or unsupported, nothing changes.</summary>
static partial class HugePages
{
    const int MadvHugepage = 14;   // MADV_HUGEPAGE in <asm-generic/mman-common.h>
    const long Huge = 2L << 20;

    [LibraryImport("libc", SetLastError = false)]
    private static partial int madvise(nint address, nuint length, int advice);

    /// <summary>Advises the whole 2 MiB-aligned part of [start, start + length); true when the kernel took the hint.</summary>
    public static unsafe bool Advise(byte* start, long length)
    {
        if (!OperatingSystem.IsLinux()) return false;
        long from = ((long)start + Huge - 1) & ~(Huge - 1), to = ((long)start + length) & ~(Huge - 1);
        if (to <= from) return false;
        try { return madvise((nint)from, (nuint)(to - from), MadvHugepage) == 0; }
        catch (DllNotFoundException) { return false; }      // a libc under another name: no hint
        catch (EntryPointNotFoundException) { return false; }
    }
}
