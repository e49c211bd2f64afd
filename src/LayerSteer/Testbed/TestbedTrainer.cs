using System.Diagnostics;
using LayerSteer.Adapters;
using LayerSteer.Formats;
using LayerSteer.Training;
using LayerSteer.Tensors;
using System.Numerics.Tensors;

namespace LayerSteer.Testbed;

/// <summary>One progress report of training.</summary>
public sealed record TrainProgress(int Step, int Steps, double Loss, float Lr, double TokensPerSecond, TimeSpan Elapsed, TimeSpan Eta);

/// <summary>What a finished training run measured.</summary>
public sealed record TrainReport(int Steps, int ResumedAt, double FirstLoss, double FinalLoss, long Tokens, double TokensPerSecond, TimeSpan Wall, int Epochs);

/// <summary>Trains every weight of a <see cref="TestbedModel"/> on the token stream: AdamW with global-norm clipping, linear
/// warm-up then cosine decay, and a checkpoint (weights, Adam moments, step) every few minutes that <c>resume</c> continues
/// from, so an interrupted run ends with the same weights as an uninterrupted one.</summary>
public static class TestbedTrainer
{
    const string StepKey = "step", SettingsKey = "settings", FirstLossKey = "first_loss";

    public static TrainReport Train(TestbedModel net, TokenStream stream, TestbedSettings s, string checkpoint, bool resume, Action<TrainProgress>? progress)
    {
        var opt = new AdamW(net.Parameters, new AdamWOptions { Lr = s.Lr, WeightDecay = s.WeightDecay, ClipNorm = s.ClipNorm });
        var schedule = new LrSchedule(s.Lr, s.WarmupSteps, s.Steps);
        int shards = Math.Clamp(s.Shards, 1, s.Batch);
        var workers = new[] { net }.Concat(Enumerable.Range(1, shards - 1).Select(_ => net.Replica())).ToArray();
        var losses = workers.Select(w => new NextTokenLoss(w)).ToArray();
        int start = 0;
        double first = double.NaN, last = double.NaN;
        if (resume && File.Exists(checkpoint)) (start, first) = Restore(net, opt, s, checkpoint);
        stream.Skip((long)start * s.Batch);

        var wall = Stopwatch.StartNew();
        var sinceSave = Stopwatch.StartNew();
        long tokens = 0;
        double smooth = double.NaN;
        var shardLoss = new double[shards];
        using var single = Gemm.NativeSingleThreaded();   // the shards are the parallelism
        for (int step = start; step < s.Steps; step++)
        {
            var batch = new int[s.Batch][];
            for (int b = 0; b < s.Batch; b++) batch[b] = stream.Next();
            int rows = batch.Sum(q => q.Length - 1);
            Parallel.For(0, shards, new ParallelOptions { MaxDegreeOfParallelism = shards }, k =>
            {
                var shard = batch[(k * s.Batch / shards)..((k + 1) * s.Batch / shards)];
                workers[k].ZeroGrad();
                shardLoss[k] = losses[k].Evaluate(shard, withGrad: true, meanOver: rows) * shard.Sum(q => q.Length - 1);
            });
            for (int k = 1; k < shards; k++)   // in shard order: the sum is the same on every run
                for (int i = 0; i < net.Parameters.Count; i++)
                    TensorPrimitives.Add(net.Parameters[i].Grad, workers[k].Parameters[i].Grad, net.Parameters[i].Grad);
            last = shardLoss.Sum() / rows;
            if (!double.IsFinite(last)) throw new LayerSteerException($"training diverged at step {step} (loss {last}); lower the learning rate");
            if (step == 0) first = last;
            float lr = schedule.At(step);
            opt.Step(lr);
            tokens += (long)s.Batch * s.Seq;
            smooth = double.IsNaN(smooth) ? last : 0.95 * smooth + 0.05 * last;
            double tps = tokens / wall.Elapsed.TotalSeconds;
            var eta = TimeSpan.FromSeconds((s.Steps - step - 1) * (double)s.Batch * s.Seq / tps);
            progress?.Invoke(new TrainProgress(step + 1, s.Steps, smooth, lr, tps, wall.Elapsed, eta));
            if (sinceSave.Elapsed.TotalMinutes >= s.CheckpointMinutes && step + 1 < s.Steps)
            {
                Save(net, opt, s, checkpoint, step + 1, first);
                sinceSave.Restart();
            }
        }
        return new TrainReport(s.Steps, start, first, last, tokens, tokens / wall.Elapsed.TotalSeconds, wall.Elapsed, stream.Epoch);
    }

    static void Save(TestbedModel net, AdamW opt, TestbedSettings s, string path, int step, double first)
    {
        var t = net.Tensors(DType.F32);
        for (int i = 0; i < net.Parameters.Count; i++)
        {
            var p = net.Parameters[i];
            t["adam.m." + p.Name] = TensorData.F32([p.Value.Length], opt.FirstMoments[i]);
            t["adam.v." + p.Name] = TensorData.F32([p.Value.Length], opt.SecondMoments[i]);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        SafeTensorsWriter.Write(path, t, new Dictionary<string, string>
        {
            [StepKey] = step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [SettingsKey] = s.ToJson(),
            [FirstLossKey] = first.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    static (int Step, double First) Restore(TestbedModel net, AdamW opt, TestbedSettings s, string path)
    {
        using var f = new SafeTensorsFile(path);
        if (!f.Metadata.TryGetValue(SettingsKey, out var saved) || saved != s.ToJson())
            throw LayerSteerException.InFile(path, $"checkpoint was made with other settings ({saved ?? "none recorded"}); rerun with those or without --resume");
        if (!f.Metadata.TryGetValue(StepKey, out var stepText) || !int.TryParse(stepText, out int step) || step < 0 || step > s.Steps)
            throw LayerSteerException.InFile(path, "checkpoint metadata has no valid \"step\"");
        var loaded = TestbedModel.Load(s.Shape, f);
        for (int i = 0; i < net.Parameters.Count; i++)
        {
            var p = net.Parameters[i];
            loaded.Parameters[i].Value.CopyTo(p.Value, 0);
            Read(f, "adam.m." + p.Name, opt.FirstMoments[i]);
            Read(f, "adam.v." + p.Name, opt.SecondMoments[i]);
        }
        opt.StepCount = step;
        double first = f.Metadata.TryGetValue(FirstLossKey, out var fl) && double.TryParse(fl, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
        return (step, first);
    }

    static void Read(SafeTensorsFile f, string name, float[] into)
    {
        if (!f.Contains(name)) throw LayerSteerException.InFile(f.Path, $"tensor \"{name}\" is missing");
        var v = f.ReadF32(name);
        if (v.Length != into.Length) throw LayerSteerException.InFile(f.Path, $"tensor \"{name}\" has {v.Length} values, expected {into.Length}");
        v.CopyTo(into, 0);
    }
}
