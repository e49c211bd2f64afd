using System.Text.RegularExpressions;
using LayerSteer.Intervention;
using LayerSteer.Models;

namespace LayerSteer.Server;

/// <summary>The named vectors a server applies: NAME.safetensors files in one folder, every one fitted on the served model.
/// Files that belong to another model are left out (and listed in <see cref="Skipped"/>); uploads and fit results are written
/// atomically into the folder.</summary>
public sealed partial class VectorRegistry
{
    const string Extension = ".safetensors";
    readonly Transformer _model;
    readonly string? _dir;
    readonly Dictionary<string, SteeringVector> _vectors = new(StringComparer.Ordinal);
    readonly Lock _lock = new();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();

    /// <summary>Problems with files found at start-up (name: why it was not loaded).</summary>
    public IReadOnlyDictionary<string, string> Skipped { get; }

    public VectorRegistry(Transformer model, string? dir)
    {
        (_model, _dir) = (model, dir);
        var skipped = new Dictionary<string, string>();
        if (dir != null)
            foreach (var f in Directory.GetFiles(dir, "*" + Extension).Order(StringComparer.Ordinal))
            {
                string name = Path.GetFileNameWithoutExtension(f);
                if (!IsName(name)) { skipped[name] = "not a valid vector name"; continue; }
                try
                {
                    var v = SteeringVector.Load(f);
                    v.CheckModel(model, f);
                    _vectors[name] = v;
                }
                catch (LayerSteerException e) { skipped[name] = e.Message; }
            }
        Skipped = skipped;
    }

    public bool Writable => _dir != null;

    /// <summary>Names match [A-Za-z0-9._-]{1,64} and are not "." or "..": never a path.</summary>
    public static bool IsName(string name) => NamePattern().IsMatch(name) && name.Trim('.').Length > 0;

    public static void CheckName(string name)
    {
        if (!IsName(name)) throw ApiError.BadRequest($"vector name \"{Clip(name)}\" must match [A-Za-z0-9._-]{{1,64}} (no paths)", "name", "invalid_name");
    }

    static string Clip(string s) => s.Length > 80 ? s[..80] + "…" : s;

    public IReadOnlyList<(string Name, SteeringVector Vector)> List()
    {
        lock (_lock) return _vectors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)).ToList();
    }

    public SteeringVector? Find(string name)
    {
        lock (_lock) return _vectors.GetValueOrDefault(name);
    }

    /// <summary>Stores uploaded vector-file bytes as NAME after checking they are a LayerSteer vector fitted on this model.</summary>
    public SteeringVector Put(string name, byte[] file)
    {
        CheckName(name);
        string dir = RequireDir();
        string tmp = Path.Combine(dir, $".upload-{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(tmp, file);
            SteeringVector v;
            try
            {
                v = SteeringVector.Load(tmp);
                v.CheckModel(_model, tmp);
            }
            catch (LayerSteerException e) { throw ApiError.BadRequest($"rejected: {e.Message.Replace(tmp, "the uploaded file")}", "file", "invalid_vector"); }
            lock (_lock)
            {
                File.Move(tmp, PathOf(name), overwrite: true);   // atomic: readers see the old file or the new one
                _vectors[name] = v;
            }
            return v;
        }
        finally { if (File.Exists(tmp)) File.Delete(tmp); }
    }

    /// <summary>Saves a vector made on this server (a fit) atomically and makes it usable.</summary>
    public void Save(string name, SteeringVector v)
    {
        CheckName(name);
        string dir = RequireDir();
        lock (_lock)
        {
            v.Save(Path.Combine(dir, name + Extension));
            _vectors[name] = v;
        }
    }

    public bool Delete(string name)
    {
        CheckName(name);
        lock (_lock)
        {
            if (!_vectors.Remove(name)) return false;
            if (_dir != null) File.Delete(PathOf(name));
            return true;
        }
    }

    string PathOf(string name) => Path.Combine(_dir!, name + Extension);

    string RequireDir() => _dir ?? throw ApiError.BadRequest("this server was started without --vectors: it has no vector folder to write to", null, "no_registry");
}
