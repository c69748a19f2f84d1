using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeHelper.Tests.Support;

/// <summary>
/// Debian's <c>chromium</c>, headless, on a loopback page: the DOM after the page's scripts ran, or a PNG of exactly
/// the requested viewport. Each run is its own browser with its own profile in a temporary directory (deleted
/// afterwards), no network beyond the URL, and a hard limit after which the whole process tree is killed.
/// </summary>
/// <remarks>
/// The browser is driven over the DevTools protocol (<c>--remote-debugging-port=0</c>, loopback) rather than with
/// <c>--dump-dom</c> / <c>--screenshot</c>: headless Chromium 156 never lays a window out narrower than 500 CSS pixels,
/// so <c>--window-size=390,844 --screenshot</c> writes a 390-pixel PNG cut from a 500-pixel-wide layout.
/// <c>Emulation.setDeviceMetricsOverride</c> gives the exact viewport (device scale factor 1), and
/// <c>Emulation.setVirtualTimePolicy</c> with <c>pauseIfNetworkFetchesPending</c> is what <c>--virtual-time-budget</c>
/// does: the budget does not run out while a fetch() is still waiting for its answer.
/// </remarks>
internal static class HeadlessChromium
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DefaultVirtualTime = TimeSpan.FromSeconds(5);

    // Two browsers at a time: xunit runs test classes in parallel and a CI machine has two cores.
    private static readonly SemaphoreSlim Slots = new(2);

    /// <summary>The serialised DOM once the page has loaded and its scripts (and their fetches) had <c>virtualTime</c>.</summary>
    public static async Task<string> DumpDomAsync(Uri url, int width, int height, TimeSpan? virtualTime = null)
    {
        string dom = "";
        await RunAsync(url, width, height, mobile: false, virtualTime, async session =>
        {
            var result = await session.SendAsync("Runtime.evaluate", new JsonObject
            {
                ["expression"] = "(document.doctype ? new XMLSerializer().serializeToString(document.doctype) + '\\n' : '') + document.documentElement.outerHTML",
                ["returnByValue"] = true,
            });
            dom = result["result"]?["value"]?.GetValue<string>() ?? throw new InvalidOperationException($"no DOM in {result.ToJsonString()}");
        });
        return dom;
    }

    /// <summary>
    /// A PNG of the viewport, <c>width</c> by <c>height</c> CSS pixels at device scale factor 1 (so the file is exactly
    /// that many pixels). <c>mobile</c> emulates a phone: the page's <c>&lt;meta name="viewport"&gt;</c> is honoured (without
    /// it a page is laid out 980 pixels wide and scaled down, as on a phone), overlay scrollbars.
    /// </summary>
    public static async Task ScreenshotAsync(Uri url, int width, int height, string pngPath, bool mobile = false, TimeSpan? virtualTime = null)
    {
        await RunAsync(url, width, height, mobile, virtualTime, async session =>
        {
            var result = await session.SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
            var png = Convert.FromBase64String(result["data"]?.GetValue<string>() ?? throw new InvalidOperationException("no screenshot data"));
            var (pngWidth, pngHeight) = PngSize(png);
            if (pngWidth != width || pngHeight != height)
            {
                throw new InvalidOperationException($"chromium's screenshot is {pngWidth}x{pngHeight}, not the requested {width}x{height}");
            }

            await File.WriteAllBytesAsync(pngPath, png);
        });
    }

    /// <summary>Width and height from a PNG's IHDR chunk (bytes 16..23, after the signature and the chunk's length and type).</summary>
    public static (int Width, int Height) PngSize(ReadOnlySpan<byte> png)
    {
        ReadOnlySpan<byte> signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if (png.Length < 24 || !png[..8].SequenceEqual(signature) || !png[12..16].SequenceEqual("IHDR"u8))
        {
            throw new InvalidOperationException("not a PNG");
        }

        return (BinaryPrimitives.ReadInt32BigEndian(png[16..20]), BinaryPrimitives.ReadInt32BigEndian(png[20..24]));
    }

    private static async Task RunAsync(Uri url, int width, int height, bool mobile, TimeSpan? virtualTime, Func<Session, Task> act)
    {
        if (!url.IsAbsoluteUri || !url.IsLoopback || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"only http(s) URLs on loopback are allowed, not {url}", nameof(url));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var chromium = ExternalProcess.Require("chromium", "run `make test-deps`, which installs Debian's chromium");

        await Slots.WaitAsync();
        var profile = Directory.CreateTempSubdirectory("nodehelper-chromium-").FullName;
        using var limit = new CancellationTokenSource(Limit);
        var stderr = new StringBuilder();
        Process? process = null;
        var closed = false;
        try
        {
            var start = new ProcessStartInfo(chromium)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
                "--force-device-scale-factor=1", $"--window-size={Math.Max(width, 500)},{height}",
                $"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "about:blank",
            })
            {
                start.ArgumentList.Add(argument);
            }

            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {chromium}");
            process.StandardInput.Close();
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null && !e.Data.Contains("dbus/bus.cc", StringComparison.Ordinal))
                {
                    lock (stderr)
                    {
                        stderr.AppendLine(e.Data);
                    }
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            await using var session = await Session.ConnectAsync(process, profile, limit.Token);
            await session.OpenPageAsync(url, width, height, mobile, virtualTime ?? DefaultVirtualTime);
            await act(session);
            await session.CloseBrowserAsync();
            closed = true;
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            var what = limit.IsCancellationRequested
                ? $"chromium did not finish {url} within {Limit.TotalSeconds} s (its process tree was killed)"
                : $"chromium failed on {url}: {e.Message}";
            string log;
            lock (stderr)
            {
                log = stderr.ToString();
            }

            throw new InvalidOperationException($"{what}\nchromium's stderr:\n{log}", e);
        }
        finally
        {
            if (process is not null)
            {
                try
                {
                    // After a failure or past the limit nothing is waited for; after Browser.close it has a moment to exit.
                    using var exit = new CancellationTokenSource(closed ? TimeSpan.FromSeconds(5) : TimeSpan.Zero);
                    await process.WaitForExitAsync(exit.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }

                process.Dispose();
            }

            DeleteProfile(profile);
            Slots.Release();
        }
    }

    private static void DeleteProfile(string profile)
    {
        // A helper process can still be writing its last file for a moment after the browser exits.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Directory.Delete(profile, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 10)
            {
                Thread.Sleep(100);
            }
        }
    }

    /// <summary>One DevTools connection to one browser, attached to its page; commands are sent one at a time.</summary>
    private sealed class Session(ClientWebSocket socket, CancellationToken cancel) : IAsyncDisposable
    {
        private readonly List<JsonObject> _events = [];
        private int _nextId;
        private string? _sessionId;

        public static async Task<Session> ConnectAsync(Process process, string profile, CancellationToken cancel)
        {
            // Chromium writes its port and the browser's path to DevToolsActivePort in the profile once it listens.
            var portFile = Path.Join(profile, "DevToolsActivePort");
            string[] lines = [];
            while (lines.Length < 2)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"chromium exited with {process.ExitCode} before it listened");
                }

                await Task.Delay(50, cancel);
                if (File.Exists(portFile))
                {
                    lines = (await File.ReadAllTextAsync(portFile, cancel)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                }
            }

            var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = Timeout.InfiniteTimeSpan;
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{lines[0].Trim()}{lines[1].Trim()}"), cancel);
            return new Session(socket, cancel);
        }

        public async Task OpenPageAsync(Uri url, int width, int height, bool mobile, TimeSpan virtualTime)
        {
            var targets = await SendAsync("Target.getTargets", []);
            var page = targets["targetInfos"]!.AsArray().FirstOrDefault(t => t!["type"]!.GetValue<string>() == "page")
                ?? throw new InvalidOperationException($"no page target in {targets.ToJsonString()}");
            var attached = await SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = page["targetId"]!.GetValue<string>(), ["flatten"] = true });
            _sessionId = attached["sessionId"]!.GetValue<string>();

            await SendAsync("Page.enable", []);
            await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject
            {
                ["width"] = width,
                ["height"] = height,
                ["deviceScaleFactor"] = 1,
                ["mobile"] = mobile,
            });
            if (mobile)
            {
                await SendAsync("Emulation.setTouchEmulationEnabled", new JsonObject { ["enabled"] = true });
            }

            // As --virtual-time-budget does: virtual time starts paused, then runs for the budget but stands still
            // while a request is in flight, so a fetch() on load is answered (and its promise handled) within it.
            await SendAsync("Emulation.setVirtualTimePolicy", new JsonObject { ["policy"] = "pause" });
            var navigated = await SendAsync("Page.navigate", new JsonObject { ["url"] = url.AbsoluteUri });
            if (navigated["errorText"]?.GetValue<string>() is { Length: > 0 } error)
            {
                throw new InvalidOperationException($"navigation to {url} failed: {error}");
            }

            await SendAsync("Emulation.setVirtualTimePolicy", new JsonObject
            {
                ["policy"] = "pauseIfNetworkFetchesPending",
                ["budget"] = virtualTime.TotalMilliseconds,
            });
            await WaitForEventAsync("Emulation.virtualTimeBudgetExpired");
        }

        public async Task CloseBrowserAsync()
        {
            _sessionId = null;
            try
            {
                await SendAsync("Browser.close", []);
            }
            catch (Exception e) when (e is WebSocketException or InvalidOperationException)
            {
                // The browser may drop the connection before it answers.
            }
        }

        public async Task<JsonObject> SendAsync(string method, JsonObject parameters)
        {
            var id = ++_nextId;
            var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
            if (_sessionId is not null)
            {
                message["sessionId"] = _sessionId;
            }

            await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, cancel);
            while (true)
            {
                var received = await ReceiveAsync();
                if (received["id"]?.GetValue<int>() == id)
                {
                    if (received["error"] is JsonNode failure)
                    {
                        throw new InvalidOperationException($"{method}: {failure.ToJsonString()}");
                    }

                    return received["result"]?.AsObject() ?? [];
                }

                _events.Add(received);
            }
        }

        private async Task WaitForEventAsync(string method)
        {
            while (!_events.Any(e => e["method"]?.GetValue<string>() == method))
            {
                _events.Add(await ReceiveAsync());
            }
        }

        private async Task<JsonObject> ReceiveAsync()
        {
            using var message = new MemoryStream();
            var buffer = new byte[64 * 1024];
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, cancel);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new InvalidOperationException("chromium closed the DevTools connection");
                }

                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            return JsonNode.Parse(message.ToArray())?.AsObject() ?? throw new JsonException("an empty DevTools message");
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
