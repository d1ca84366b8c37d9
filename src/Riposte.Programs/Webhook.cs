using System.Net.Http.Headers;
using Riposte.Sdk;

namespace Riposte.Programs;

/// <summary>
/// <c>webhook</c> (stateless): POSTs <see cref="WebhookPayload"/> to every URL in <c>extra_args</c> (http or https only),
/// each with a time limit (<c>timeout=S</c>, default 5 s, at most 300). Redirects are not followed (a POST must reach the
/// configured endpoint); any status outside 2xx is a failure. The program's own log lines name a URL by scheme and
/// host only, because webhook URLs usually carry their secret in the path; the input line, which every program logs
/// whole as Wazuh's helper does, still holds <c>extra_args</c> (as with Wazuh's wazuh-slack), so keep
/// <c>logs/active-responses.log</c> private. Exit code 1 when any post failed (Wazuh's wazuh-slack exits 255).
/// </summary>
internal sealed class Webhook : ResponseProgram
{
    /// <summary>The time limit per request when none is given.</summary>
    public const int DefaultTimeoutSeconds = 5;

    public override string Name => "webhook";

    public override bool Stateful => false;

    public override IReadOnlyList<string> GetKeys(ResponseContext context)
    {
        var (urls, _) = Settings(context);
        return [.. urls.Select(url => url.AbsoluteUri)];
    }

    /// <summary>The URLs and time limit from <c>extra_args</c>.</summary>
    /// <exception cref="ResponseException">No URL, a URL that is not absolute http(s), or a bad option.</exception>
    public static (Uri[] Urls, TimeSpan Timeout) Settings(ResponseContext context)
    {
        var arguments = ExtraArguments.Parse(context.Message.ExtraArgs, allowValues: true, "timeout");
        var timeout = TimeSpan.FromSeconds(arguments.Seconds("timeout", 1, 300) ?? DefaultTimeoutSeconds);
        if (arguments.Values.Count == 0)
        {
            throw new ResponseException(WazuhMessages.ExtraArgsMissing);
        }

        var urls = new Uri[arguments.Values.Count];
        for (var i = 0; i < urls.Length; i++)
        {
            if (!Uri.TryCreate(arguments.Values[i], UriKind.Absolute, out var url) ||
                (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.Host.Length == 0)
            {
                throw new ResponseException($"Invalid webhook URL '{Redact(arguments.Values[i])}'");
            }

            urls[i] = url;
        }

        return (urls, timeout);
    }

    /// <summary>What may be logged of a URL: its scheme and authority, never its path or query.</summary>
    public static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? $"{uri.Scheme}://{uri.Authority}/..." : "(unparsable)";

    public override Task<ResponseOutcome> AddAsync(ResponseContext context, CancellationToken cancellationToken) =>
        PostAsync(context, cancellationToken);

    public override Task<ResponseOutcome> DeleteAsync(ResponseContext context, CancellationToken cancellationToken) =>
        PostAsync(context, cancellationToken);

    private static async Task<ResponseOutcome> PostAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        var (urls, timeout) = Settings(context);
        var command = context.Command == ResponseCommand.Add ? "add" : "delete";
        var body = WebhookPayload.Build(context.Message, command, context.ProgramName, context.TimeProvider.GetUtcNow());
        using var handler = new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = timeout };
        using var client = new HttpClient(handler) { Timeout = timeout };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("riposte-webhook", "1"));

        var failures = 0;
        foreach (var url in urls)
        {
            var failure = await PostOneAsync(client, url, body, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                context.WriteLog(failure);
                failures++;
            }
        }

        return failures == 0
            ? ResponseOutcome.Ended
            : ResponseOutcome.Failed($"Unable to post to {failures} of {urls.Length} webhook(s)", 1);
    }

    private static async Task<string?> PostOneAsync(HttpClient client, Uri url, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        try
        {
            using var response = await client.PostAsync(url, content, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"Webhook {Redact(url.AbsoluteUri)}: HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException e)
        {
            return $"Webhook {Redact(url.AbsoluteUri)}: {e.Message}";
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"Webhook {Redact(url.AbsoluteUri)}: no answer within the time limit";
        }
    }
}
