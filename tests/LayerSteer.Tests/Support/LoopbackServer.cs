using System.Net;
using System.Net.Sockets;

namespace LayerSteer.Tests.Support;

/// <summary>An HTTP server on 127.0.0.1 (random free port) that hands each request to a handler on its own task.</summary>
public sealed class LoopbackServer : IDisposable
{
    readonly HttpListener _listener = new();
    readonly Task _loop;

    /// <summary>"http://127.0.0.1:PORT" (no trailing slash).</summary>
    public string BaseUrl { get; }

    public LoopbackServer(Action<HttpListenerContext> handle)
    {
        BaseUrl = $"http://127.0.0.1:{FreePort()}";
        _listener.Prefixes.Add(BaseUrl + "/");
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                _ = Task.Run(() => handle(ctx));
            }
        });
    }

    /// <summary>A port nothing listens on (bound, then released).</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public void Dispose()
    {
        _listener.Abort();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
