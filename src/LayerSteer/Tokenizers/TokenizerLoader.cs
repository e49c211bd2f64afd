namespace LayerSteer.Tokenizers;

/// <summary>Finds and loads the tokenizer of a model folder or file, whatever its format.</summary>
public static class TokenizerLoader
{
    /// <summary>In order: tokenizer.json, else vocab.json + merges.txt, else a llama2.c tokenizer.bin / tok*.bin.</summary>
    public static ITokenizer Load(string modelDir)
    {
        if (!Directory.Exists(modelDir)) throw LayerSteerException.InFile(modelDir, "folder not found");
        string json = Path.Combine(modelDir, HfTokenizerJson.FileName);
        if (File.Exists(json)) return HfTokenizerJson.Load(json);
        string vocab = Path.Combine(modelDir, VocabMergesFiles.VocabFile);
        if (File.Exists(vocab)) return VocabMergesFiles.Load(vocab, Path.Combine(modelDir, VocabMergesFiles.MergesFile));
        string bin = Path.Combine(modelDir, "tokenizer.bin");
        if (File.Exists(bin)) return Llama2cTokenizer.Load(bin);
        string? tok = Directory.EnumerateFiles(modelDir, "tok*.bin").Order(StringComparer.Ordinal).FirstOrDefault();
        if (tok is not null) return Llama2cTokenizer.Load(tok);
        throw LayerSteerException.InFile(modelDir,
            "no tokenizer found (looked for tokenizer.json, vocab.json + merges.txt, tokenizer.bin, tok*.bin)");
    }

    /// <summary>The tokenizer of a model folder, or of a llama2.c checkpoint file (its tok*.bin lies beside it).</summary>
    public static ITokenizer ForModel(string modelPath) =>
        Load(File.Exists(modelPath) ? Path.GetDirectoryName(Path.GetFullPath(modelPath))! : modelPath);

    /// <summary>Loads one file: a tokenizer.json (any *.json but vocab.json), vocab.json or merges.txt (with its partner beside it), or a llama2.c *.bin.</summary>
    public static ITokenizer LoadFile(string path)
    {
        if (!File.Exists(path)) throw LayerSteerException.InFile(path, "file not found");
        string name = Path.GetFileName(path);
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (name == VocabMergesFiles.VocabFile) return VocabMergesFiles.Load(path, Path.Combine(dir, VocabMergesFiles.MergesFile));
        if (name == VocabMergesFiles.MergesFile) return VocabMergesFiles.Load(Path.Combine(dir, VocabMergesFiles.VocabFile), path);
        if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return HfTokenizerJson.Load(path);
        if (name.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)) return Llama2cTokenizer.Load(path);
        throw LayerSteerException.InFile(path, "not a tokenizer file (expected tokenizer.json, vocab.json, merges.txt or a llama2.c .bin)");
    }
}
