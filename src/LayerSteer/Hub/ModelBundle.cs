using LayerSteer.Formats;
using LayerSteer.Hub;
using LayerSteer.Tokenizers;
using LayerSteer.Models;

namespace LayerSteer.Hub;

/// <summary>A model ready to use: the network, its tokenizer (null when the folder has none) and where it came from.</summary>
public sealed record ModelBundle(Transformer Model, ITokenizer? Tokenizer, string Path) : IDisposable
{
    /// <summary>Where <paramref name="spec"/> is on disk (a folder or a .bin), without loading anything: commands resolve
    /// the model first, check their cheap inputs (tasks in its tasks/ folder, vector files), then <see cref="Open"/> it.</summary>
    public static string Locate(string spec) => ModelResolver.Resolve(spec);

    /// <summary>Opens a folder, a llama2.c .bin checkpoint (tokenizer: tok*.bin beside it), or ORG/NAME from the HF cache.</summary>
    public static ModelBundle Open(string spec, bool? keep16Bit = null)
    {
        string path = Locate(spec);
        if (File.Exists(path))
        {
            var ckpt = Llama2cCheckpoint.Load(path);
            var model = ModelLoader.Build(ckpt.Config, ckpt.Weights, path, keep16Bit);
            return new ModelBundle(model, TryTokenizer(path), path);
        }
        return new ModelBundle(ModelLoader.Load(path, keep16Bit), TryTokenizer(path), path);
    }

    /// <summary>What <paramref name="spec"/>'s headers say (a llama2c .bin is small and read whole) and its tokenizer, loading no weights.</summary>
    public static (string Path, ModelHeaders Headers, ITokenizer? Tokenizer) Inspect(string spec)
    {
        string path = Locate(spec);
        ModelHeaders headers;
        if (File.Exists(path))
        {
            var ckpt = Llama2cCheckpoint.Load(path);
            headers = ModelLoader.Inspect(ckpt.Config, ckpt.Weights);
        }
        else headers = ModelLoader.Inspect(path);
        return (path, headers, TryTokenizer(path));
    }

    /// <summary>Unmaps the model's weights.</summary>
    public void Dispose() => Model.Dispose();

    static ITokenizer? TryTokenizer(string path)
    {
        try { return TokenizerLoader.ForModel(path); }
        catch (LayerSteerException) { return null; }
    }

    /// <summary>The tokenizer, or a clear error for commands that need text.</summary>
    public ITokenizer RequireTokenizer() => Tokenizer ??
        throw new LayerSteerException($"{Path}: no tokenizer found (tokenizer.json, vocab.json + merges.txt, or tok*.bin); use --prompt-ids");
}
