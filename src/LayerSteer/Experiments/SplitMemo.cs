using LayerSteer.Models;
using LayerSteer.Tasks;

namespace LayerSteer.Experiments;

/// <summary>Remembers the last thing made from a split's training pairs: methods that share one extraction or fit per
/// (task, seed) get it once, since the grid runs a split's methods one after another.</summary>
public sealed class SplitMemo<T>(Func<Transformer, TaskEncoder, TaskSplit, T> make)
{
    (string Key, T Value)? _last;

    public T Get(Transformer model, TaskEncoder enc, TaskSplit split)
    {
        string key = string.Join("\n", model.Fingerprint, enc.Template.Name, split.Seed, string.Join("\t", split.Train.Select(p => p.Input + "→" + p.Output)));
        if (_last?.Key != key) _last = (key, make(model, enc, split));
        return _last.Value.Value;
    }
}
