using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Json;
using System.Text.Json;
using LayerSteer.Cli;
using LayerSteer.Experiments;
using LayerSteer.Hub;
using LayerSteer.Intervention;
using LayerSteer.Server;
using LayerSteer.Tasks;
using LayerSteer.Tests.Support;
using LayerSteer.Training;
using OpenAI;

namespace LayerSteer.Tests.Server;

/// <summary>One running server on the committed testbed (the default model) for the server tests: an antonym Δ fitted with the library (fv template, ℓ = 1 (the default of its 6 layers),
/// 200 steps, lr 0.1, seed-0 split: the README demo's) saved as "antonym" in a temp registry, and a --chat-template file that
/// renders the task template `Q: {content}\nA:`.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const string ChatTemplateText = "{{ bos_token }}Q: {{ messages[-1]['content'] }}\nA:";
    readonly TempDir _dir = new();
    public LayerSteerServer Server { get; private set; } = null!;
    public ModelBundle Bundle { get; private set; } = null!;
    public SteeringVector Antonym { get; private set; } = null!;
    public TaskPairs Task { get; private set; } = null!;
    public TaskSplit Split { get; private set; } = null!;
    public string VectorsDir => Path.Combine(_dir.Path, "vectors");
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        string model = TestModels.Testbed;
        Bundle = ModelBundle.Open(model);
        Task = TaskPairs.Resolve("antonym", TaskPairs.SearchRoots(null, model, []));
        Split = TaskSplit.Make(Task, 10, 20, 0);
        var settings = new VectorSettings(1, ApplyMode.Last, TokenReduction.Mean, new FitOptions { Steps = 200, Lr = 0.1f });
        var enc = new TaskEncoder(Bundle.RequireTokenizer(), PromptTemplate.Fv);
        var fit = VectorTraining.Fit(Bundle.Model, enc, Split.Train, settings);
        Antonym = VectorTraining.ToVector(Bundle.Model, Task, PromptTemplate.Fv, Split, settings, fit);
        Directory.CreateDirectory(VectorsDir);
        Antonym.Save(Path.Combine(VectorsDir, "antonym.safetensors"));
        string template = _dir.File("task.jinja");
        File.WriteAllText(template, ChatTemplateText);
        Server = await LayerSteerServer.StartAsync(new ServerOptions
        {
            Model = model, VectorsDir = VectorsDir, Port = 0, ChatTemplate = template, MaxTokens = 64, Timeout = TimeSpan.FromSeconds(30),
        });
        Http = new HttpClient { BaseAddress = Server.Url, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The official OpenAI SDK's client pointed at the server.</summary>
    public OpenAIClient OpenAi() => new(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(Server.Url, "v1") });

    public string ModelId => Server.Serving.ModelId;

    /// <summary>POSTs a raw JSON body to /v1/completions through the SDK's own pipeline (auth, retries, errors): OpenAI 2.15 keeps
    /// its legacy completions client internal.</summary>
    public JsonElement SdkCompletion(string body)
    {
        var pipeline = OpenAi().Pipeline;
        using var message = pipeline.CreateMessage();
        message.Request.Method = "POST";
        message.Request.Uri = new Uri(Server.Url, "v1/completions");
        message.Request.Headers.Set("Content-Type", "application/json");
        message.Request.Content = BinaryContent.Create(BinaryData.FromString(body));
        message.ResponseClassifier = PipelineMessageClassifier.Create([200]);
        pipeline.Send(message);
        if (message.Response!.IsError) throw new ClientResultException(message.Response);
        return JsonDocument.Parse(message.Response.Content).RootElement.Clone();
    }

    /// <summary>POSTs JSON, returns status and the parsed body.</summary>
    public async Task<(int Status, JsonElement Body)> Post(string path, object body)
    {
        using var r = await Http.PostAsJsonAsync(path, body);
        return ((int)r.StatusCode, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Server != null) await Server.DisposeAsync();
        _dir.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
