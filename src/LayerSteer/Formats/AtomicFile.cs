using System.Diagnostics;
using System.Globalization;

namespace LayerSteer.Formats;

/// <summary>Writes a file so readers see the old or the new version, never a half-written one.</summary>
public static class AtomicFile
{
    /// <summary>Runs <paramref name="write"/> on a temp file in the target's folder, then renames it over <paramref name="path"/>.
    /// The temp file is named "{path}.{pid}.{guid}.tmp": a writer killed mid-way (SIGKILL, power loss) leaves it behind,
    /// and the next write of the same path deletes it once its process is gone.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string tmp = $"{full}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.{Guid.NewGuid():N}.tmp";
        try
        {
            RemoveStale(full);
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw LayerSteerException.InFile(path, $"cannot write ({e.Message})");
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Writes UTF-8 text atomically.</summary>
    public static void WriteText(string path, string text) => Write(path, s => s.Write(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>Temp files of <paramref name="full"/> left by writers that no longer run.</summary>
    public static IEnumerable<string> StaleTemps(string full)
    {
        string? dir = Path.GetDirectoryName(full);
        if (dir == null || !Directory.Exists(dir)) yield break;
        foreach (var f in Directory.EnumerateFiles(dir, Path.GetFileName(full) + ".*.tmp"))
        {
            var parts = Path.GetFileName(f)[(Path.GetFileName(full).Length + 1)..].Split('.');
            if (parts.Length == 3 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && !Alive(pid)) yield return f;
        }
    }

    static void RemoveStale(string full)
    {
        foreach (var f in StaleTemps(full).ToArray())
            try { File.Delete(f); } catch (IOException) { }   // another writer's cleanup got there first
    }

    static bool Alive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
