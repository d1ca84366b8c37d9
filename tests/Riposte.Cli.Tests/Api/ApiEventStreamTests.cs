using System.Net;
using System.Text.Json;

namespace Riposte.Cli.Api;

/// <summary><c>GET /api/v1/events</c>: live server-sent events from a real daemon, resumed with Last-Event-ID.</summary>
public sealed class ApiEventStreamTests(ApiDaemonFixture fixture) : IClassFixture<ApiDaemonFixture>
{
    private ApiDaemon Daemon => fixture.Daemon;

    /// <summary>Reads SSE frames (blank-line separated) from a streaming response.</summary>
    private sealed class SseReader(Stream stream) : IDisposable
    {
        private readonly StreamReader _reader = new(stream);

        public async Task<(long Id, JsonElement Data)> NextEventAsync(CancellationToken cancellationToken)
        {
            string? id = null, data = null;
            while (await _reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data is not null)
                    {
                        return (long.Parse(id!, System.Globalization.CultureInfo.InvariantCulture), JsonDocument.Parse(data).RootElement.Clone());
                    }

                    continue;
                }

                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
            }

            throw new EndOfStreamException("the event stream ended");
        }

        public void Dispose() => _reader.Dispose();
    }

    private async Task<(HttpResponseMessage Response, SseReader Reader)> OpenAsync(string path, string? lastEventId, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await Daemon.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("text/event-stream");
        return (response, new SseReader(await response.Content.ReadAsStreamAsync(cancellationToken)));
    }

    [Fact]
    public async Task A_live_event_arrives_and_a_reconnect_with_Last_Event_ID_resumes_after_it()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var (response, reader) = await OpenAsync("/api/v1/events", null, timeout.Token);
        long firstId;
        using (response)
        using (reader)
        {
            // Connected before anything happened: the stream carries only new events.
            await Daemon.TriggerAsync("198.51.100.41");
            var (id, data) = await reader.NextEventAsync(timeout.Token);
            data.GetProperty("id").GetInt64().ShouldBe(id);
            data.GetProperty("event").GetString().ShouldBe("continue");
            data.GetProperty("rkey").GetString().ShouldBe("firewall-drop-198.51.100.41");
            firstId = id;
        }

        // Disconnected: what happens meanwhile is not lost to a client that resumes with the last id it saw.
        await Daemon.TriggerAsync("198.51.100.42");
        var (resumed, resumedReader) = await OpenAsync("/api/v1/events", firstId.ToString(System.Globalization.CultureInfo.InvariantCulture), timeout.Token);
        using (resumed)
        using (resumedReader)
        {
            var seen = new List<JsonElement>();
            while (!seen.Any(e => e.GetProperty("rkey").GetString() == "firewall-drop-198.51.100.42" && e.GetProperty("event").GetString() == "add"))
            {
                var (id, data) = await resumedReader.NextEventAsync(timeout.Token);
                id.ShouldBeGreaterThan(firstId);
                seen.Add(data);
            }

            // The first event after the one seen is the rest of the first trigger (the continue is recorded before the add).
            seen[0].GetProperty("rkey").GetString().ShouldBe("firewall-drop-198.51.100.41");
            seen[0].GetProperty("event").GetString().ShouldBe("add");
            seen.Select(e => e.GetProperty("id").GetInt64()).ShouldBeInOrder();
        }

        // ?after= does the same for a first connection.
        var (after, afterReader) = await OpenAsync($"/api/v1/events?after={firstId}", null, timeout.Token);
        using (after)
        using (afterReader)
        {
            (await afterReader.NextEventAsync(timeout.Token)).Data.GetProperty("event").GetString().ShouldBe("add");
        }
    }

    [Fact]
    public async Task Sigterm_ends_open_streams_and_the_daemon_exits_cleanly()
    {
        await using var daemon = await ApiDaemon.StartAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        using var response = await daemon.Client.GetAsync("/api/v1/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        (await reader.ReadLineAsync(timeout.Token)).ShouldBe("retry: 2000");

        daemon.Process.Signal("TERM");
        (await daemon.Process.WaitForExitAsync()).ShouldBe(0, daemon.Process.Log);
        daemon.Process.Log.ShouldContain("Stopped");
    }
}
