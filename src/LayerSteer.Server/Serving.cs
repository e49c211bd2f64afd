using LayerSteer.Chat;
using LayerSteer.Hub;
using LayerSteer.Inference;

namespace LayerSteer.Server;

/// <summary>What every endpoint shares: the model, its scheduler, registry, chat prompter, fit jobs and the options.</summary>
public sealed class Serving(ModelBundle bundle, BatchScheduler scheduler, VectorRegistry registry, ChatPrompter? chat, FitJobs fits, ServerOptions options)
{
    public ModelBundle Bundle => bundle;
    public BatchScheduler Scheduler => scheduler;
    public VectorRegistry Registry => registry;
    /// <summary>Null when the model has no tokenizer (chat needs text).</summary>
    public ChatPrompter? Chat => chat;
    public FitJobs Fits => fits;
    public ServerOptions Options => options;
    /// <summary>The id /v1/models lists and requests may name: the model folder's (or file's) name.</summary>
    public string ModelId { get; } = Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(bundle.Path));
}
