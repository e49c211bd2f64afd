namespace LayerSteer.Formats.Gguf;

/// <summary>The metadata value types of GGUF (gguf_type), with their numbers in the file.</summary>
public enum GgufType : uint { UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6, Bool = 7, String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12 }

/// <summary>One metadata value: a number (as its own CLR type: byte, sbyte, ushort, short, uint, int, float, bool, ulong, long,
/// double), a string, or an array (<see cref="ElementType"/> and object[] of elements).</summary>
public sealed record GgufValue(GgufType Type, object Value, GgufType? ElementType = null)
{
    public static GgufValue Of(string s) => new(GgufType.String, s);
    public static GgufValue Of(uint v) => new(GgufType.UInt32, v);
    public static GgufValue Of(int v) => new(GgufType.Int32, v);
    public static GgufValue Of(float v) => new(GgufType.Float32, v);

    /// <summary>The string, or null when the value is not a string.</summary>
    public string? AsString => Value as string;

    /// <summary>The value of any integer type (u64 only up to long.MaxValue), or null.</summary>
    public long? AsInteger => Value switch
    {
        byte v => v, sbyte v => v, ushort v => v, short v => v, uint v => v, int v => v, long v => v,
        ulong v when v <= long.MaxValue => (long)v,
        _ => null,
    };

    public override string ToString() => Type switch
    {
        GgufType.String => $"\"{Value}\"",
        GgufType.Array => $"[{ElementType} × {((object[])Value).Length}]",
        _ => $"{Value} ({Type})",
    };
}
