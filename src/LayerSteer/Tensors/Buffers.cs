namespace LayerSteer.Tensors;

/// <summary>Activation buffers kept across steps (llm.c's preallocated activations): a new array only when the size changes,
/// so a decode step or a fit step with the same shapes as the last one allocates nothing. A reused buffer is not zeroed.</summary>
public static class Buffers
{
    /// <summary>The buffer, replaced by a new one of <paramref name="length"/> elements when its length differs.</summary>
    public static T[] Sized<T>(ref T[] buffer, int length)
    {
        if (buffer?.Length != length) buffer = new T[length];   // null: a slot of a fresh jagged array
        return buffer;
    }

    /// <summary>As <see cref="Sized{T}"/>, cleared: for outputs that are accumulated into (dx += …).</summary>
    public static T[] Zeroed<T>(ref T[] buffer, int length)
    {
        if (buffer?.Length != length) buffer = new T[length];
        else Array.Clear(buffer);
        return buffer;
    }
}
