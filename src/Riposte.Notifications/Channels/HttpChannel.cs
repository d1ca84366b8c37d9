using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Riposte.Config.Settings;

namespace Riposte.Notifications.Channels;

/// <summary>
/// What the webhook, Slack and Teams channels share: a POST of JSON to the target's URL, with its headers, through
/// an HttpClient of the channel's own, with its own timeouts, so a receiver that hangs holds up only its channel.
/// </summary>
public abstract class HttpChannel : INotificationChannel
{
    private readonly HttpClient _client;
    private readonly NotificationTarget _target;

    /// <summary>A channel to <paramref name="target"/>'s URL.</summary>
    protected HttpChannel(NotificationTarget target, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        _client = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
        })
        {
            Timeout = timeout,
        };
    }

    /// <inheritdoc />
    public async ValueTask SendAsync(NotificationMessage message, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _target.Url);
        request.Content = new StringContent(Body(message).ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        foreach (var (name, value) in _target.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{_target.Url} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }
    }

    /// <summary>The JSON posted for <paramref name="message"/>.</summary>
    public abstract JsonNode Body(NotificationMessage message);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The generic webhook: one event as its <c>ResponseEvent</c> JSON; a digest as summary, counts and events.</summary>
public sealed class WebhookChannel(NotificationTarget target, TimeSpan timeout) : HttpChannel(target, timeout)
{
    /// <inheritdoc />
    public override JsonNode Body(NotificationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.IsDigest && message.Events.Count == 1)
        {
            return NotificationJson.EventNode(message.Events[0]);
        }

        var events = new JsonArray();
        foreach (var e in message.Events)
        {
            events.Add(NotificationJson.EventNode(e));
        }

        return new JsonObject
        {
            ["digest"] = true,
            ["notification"] = message.Target,
            ["summary"] = message.Summary,
            ["count"] = message.Count,
            ["omitted"] = message.Omitted,
            ["since"] = message.Since,
            ["severity"] = message.Severity.ToString().ToLowerInvariant(),
            ["events"] = events,
        };
    }
}

/// <summary>A Slack incoming webhook: <c>text</c> for notifications and old clients, <c>blocks</c> for the message.</summary>
public sealed class SlackChannel(NotificationTarget target, TimeSpan timeout) : HttpChannel(target, timeout)
{
    /// <inheritdoc />
    public override JsonNode Body(NotificationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        string icon = message.Severity switch { Events.EventSeverity.Error => ":rotating_light:", Events.EventSeverity.Warning => ":warning:", _ => ":shield:" };
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "section",
                ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = $"{icon} *Riposte*: {Escape(message.Summary)}" },
            },
        };
        if (message.IsDigest && message.Events.Count > 0)
        {
            string lines = string.Join("\n", message.Events.Take(10).Select(e => "• " + Escape(Grouping.DigestText.One(e))));
            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = lines } });
        }

        blocks.Add(new JsonObject
        {
            ["type"] = "context",
            ["elements"] = new JsonArray { new JsonObject { ["type"] = "mrkdwn", ["text"] = $"{message.Count} event(s) since {message.Since:u} · {Escape(message.Target)}" } },
        });
        return new JsonObject { ["text"] = "Riposte: " + message.Summary, ["blocks"] = blocks };
    }

    /// <summary>Slack's three escapes, so an address or detail cannot inject markup.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);
}
