using System.Net.Http.Json;
using System.Text.Json;
using LayerSteer.Intervention;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Server;

/// <summary>The vector registry over HTTP (list, upload checked against the model, delete, names without paths) and fit jobs
/// whose result is saved and usable at once.</summary>
[Collection(ServerCollection.Name)]
public sealed class RegistryTests(ServerFixture fx)
{
    async Task<(int, string)> Put(string name, byte[] file)
    {
        using var r = await fx.Http.PutAsync($"v1/vectors/{name}", new ByteArrayContent(file));
        return ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UploadListUseAndDeleteAVector()
    {
        using var tmp = new TempDir();
        string good = tmp.File("good.safetensors"), other = tmp.File("other.safetensors");
        fx.Antonym.Save(good);
        new SteeringVector(fx.Antonym.Delta, fx.Antonym.Header with { Fingerprint = "0123456789abcdef" }).Save(other);

        var (status, body) = await Put("copy.v1", File.ReadAllBytes(good));
        Assert.True(status == 200, body);
        Assert.True(File.Exists(Path.Combine(fx.VectorsDir, "copy.v1.safetensors")));
        var list = await fx.Http.GetFromJsonAsync<JsonElement>("v1/vectors");
        var card = list.GetProperty("data").EnumerateArray().Single(v => v.GetProperty("name").GetString() == "copy.v1");
        Assert.Equal("antonym", card.GetProperty("task").GetString());
        Assert.Equal(fx.Antonym.Layer, card.GetProperty("layer").GetInt32());
        Assert.Equal(fx.Bundle.Model.Fingerprint, card.GetProperty("model_fingerprint").GetString());
        Assert.Equal(fx.Antonym.Header.NonzeroEntries, card.GetProperty("nonzero_entries").GetInt32());

        var (s1, b1) = await fx.Post("v1/completions", new { prompt = "Q: hot\nA:", max_tokens = 4, temperature = 0, steering = new { vectors = new[] { new { name = "copy.v1" } } } });
        var (s2, b2) = await fx.Post("v1/completions", new { prompt = "Q: hot\nA:", max_tokens = 4, temperature = 0, steering = new { vectors = new[] { new { name = "antonym" } } } });
        Assert.Equal((200, 200), (s1, s2));
        Assert.Equal(b2.GetProperty("choices")[0].GetProperty("text").GetString(), b1.GetProperty("choices")[0].GetProperty("text").GetString());

        var (wrong, why) = await Put("other", File.ReadAllBytes(other));
        Assert.Equal(400, wrong);
        Assert.Contains("another model", why);
        Assert.False(File.Exists(Path.Combine(fx.VectorsDir, "other.safetensors")));
        Assert.Equal(400, (await Put("junk", "not a safetensors file"u8.ToArray())).Item1);
        Assert.Equal(400, (await Put("bad%20name", File.ReadAllBytes(good))).Item1);

        Assert.Equal(200, (int)(await fx.Http.DeleteAsync("v1/vectors/copy.v1")).StatusCode);
        Assert.False(File.Exists(Path.Combine(fx.VectorsDir, "copy.v1.safetensors")));
        Assert.Equal(404, (int)(await fx.Http.DeleteAsync("v1/vectors/copy.v1")).StatusCode);
        var (gone, _) = await fx.Post("v1/completions", new { prompt = "x", steering = new { vectors = new[] { new { name = "copy.v1" } } } });
        Assert.Equal(404, gone);
    }

    [Fact]
    public void NamesAreNeverPaths()
    {
        Assert.True(LayerSteer.Server.VectorRegistry.IsName("ok-1.2_x"));
        foreach (var bad in new[] { "..", ".", "a/b", "a\\b", "", new string('a', 65), "é", "a b" })
            Assert.False(LayerSteer.Server.VectorRegistry.IsName(bad), bad);
    }

    [Fact]
    public async Task AFitJobReportsProgressAndItsVectorBecomesUsable()
    {
        var (status, job) = await fx.Post("v1/vectors/ant-fit/fit", new { task = "antonym", layer = 0, steps = 30, lr = 0.1, seed = 1 });
        Assert.True(status == 202, job.ToString());
        string id = job.GetProperty("id").GetString()!;
        Assert.Equal("queued", job.GetProperty("state").GetString());
        JsonElement view;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        do
        {
            await Task.Delay(200);
            view = await fx.Http.GetFromJsonAsync<JsonElement>($"v1/jobs/{id}");
        } while (view.GetProperty("state").GetString() is "queued" or "running" && DateTime.UtcNow < deadline);
        Assert.True(view.GetProperty("state").GetString() == "succeeded", view.ToString());
        Assert.Equal(30, view.GetProperty("steps").GetInt32());
        Assert.True(view.GetProperty("loss").GetDouble() > 0);
        Assert.InRange(view.GetProperty("nonzero_entries").GetInt32(), 1, fx.Bundle.Model.Config.SiteWidth);

        var saved = SteeringVector.Load(Path.Combine(fx.VectorsDir, "ant-fit.safetensors"));
        Assert.Equal(30, saved.Header.Steps);
        Assert.Equal(view.GetProperty("nonzero_entries").GetInt32(), saved.Delta.Count(x => x != 0));
        var (used, body) = await fx.Post("v1/completions", new { prompt = "Q: hot\nA:", max_tokens = 4, temperature = 0, steering = new { vectors = new[] { new { name = "ant-fit" } } } });
        Assert.True(used == 200, body.ToString());
        Assert.Equal("ant-fit", body.GetProperty("steering").GetProperty("vectors")[0].GetProperty("name").GetString());

        Assert.Equal(404, (int)(await fx.Http.GetAsync("v1/jobs/fit-nope")).StatusCode);
        var (bad, _) = await fx.Post("v1/vectors/x/fit", new { task = "../../etc/passwd" });
        Assert.Equal(400, bad);
        var (none, _) = await fx.Post("v1/vectors/x/fit", new { steps = 3 });
        Assert.Equal(400, none);
        var (examples, exJob) = await fx.Post("v1/vectors/ex/fit", new { examples = new[] { new { input = "hot", output = "cold" } }, steps = 2 });
        Assert.True(examples == 202, exJob.ToString());
    }
}
