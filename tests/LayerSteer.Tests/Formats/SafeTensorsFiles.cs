using System.Buffers.Binary;
using System.Text;

namespace LayerSteer.Tests.Formats;

/// <summary>Hand-built .safetensors bytes for malformed-input tests.</summary>
static class SafeTensorsFiles
{
    /// <summary>Writes [u64 LE header length][header][data] as given, so any field can be wrong.</summary>
    public static string Raw(string path, byte[] header, int dataBytes, ulong? claimedHeaderLength = null)
    {
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedHeaderLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static string Raw(string path, string header, int dataBytes) => Raw(path, Encoding.UTF8.GetBytes(header), dataBytes);
}
