using LayerSteer.Tasks;

namespace LayerSteer.Experiments;

/// <summary>The defaults of every experiment over task pairs, defined once (the CLI reads them from here): N training
/// pairs, held-out pairs per seed, seeds averaged over, and the prompt template.</summary>
public static class RunDefaults
{
    public const int Shots = 10;
    public const int TestSize = 200;
    public const int Seeds = 5;
    public static PromptTemplate Template => PromptTemplate.Fv;
}
