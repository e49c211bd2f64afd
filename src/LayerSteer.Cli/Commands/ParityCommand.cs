using System.CommandLine;
using System.Globalization;
using LayerSteer.Models;
using LayerSteer.Verification;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer parity --model PATH --fixture FILE`: checks logits, intervened logits and Δ gradients against a fixture.</summary>
public static class ParityCommand
{
    const double LogitTol = 1e-3, GradTol = 1e-3;

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (config.json + safetensors)", Required = true };
        var fixture = new Option<string>("--fixture") { Description = "fixture.json with reference numbers", Required = true };
        var cmd = new Command("parity", "Compare the engine with a reference fixture (../shared/fixtures).") { model, fixture };
        cmd.SetAction(pr => Run(pr.GetValue(model)!, pr.GetValue(fixture)!));
        return cmd;
    }

    static int Run(string modelPath, string fixturePath)
    {
        var (_, cases) = ParityFixture.Load(fixturePath);
        var m = ModelLoader.Load(modelPath);
        var results = ParityCheck.Run(m, cases, GradientCheck.Compute);
        var inv = CultureInfo.InvariantCulture;
        foreach (var r in results)
            Console.WriteLine(string.Format(inv, "case {0}: logits_max_abs={1:E2} intervened_max_abs={2:E2} argmax_all={3} logits_sum_abs={4:E2} loss_abs={5:E2} grad_max_rel={6}",
                r.Case, r.LogitsMaxAbs, r.IntervenedMaxAbs, r.ArgmaxAllMatch ? "ok" : "MISMATCH", r.LogitsSumAbs, r.LossAbs,
                r.GradMaxRel is double g ? g.ToString("E2", inv) : "n/a"));
        double lg = results.Max(r => r.LogitsMaxAbs), iv = results.Max(r => r.IntervenedMaxAbs);
        double? gr = results.All(r => r.GradMaxRel.HasValue) ? results.Max(r => r.GradMaxRel!.Value) : null;
        bool ok = lg <= LogitTol && iv <= LogitTol && results.All(r => r.ArgmaxAllMatch) && (gr is null || gr <= GradTol);
        Console.WriteLine(string.Format(inv, "parity logits_max_abs={0:G4} intervened_max_abs={1:G4} grad_max_rel={2} cases={3}",
            lg, iv, gr is double g2 ? g2.ToString("G4", inv) : "n/a", results.Count));
        return ok ? 0 : 1;
    }
}
