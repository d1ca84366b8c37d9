using System.Buffers;
using Riposte.Alerts;
using Riposte.Config;
using Riposte.Protocol.Json;

namespace Riposte.Protocol;

/// <summary>
/// Builds the JSON body analysisd sends for an active response (<c>getActiveResponseInJSON</c>): compact, key order
/// <c>version, origin{name,module}, command, parameters{extra_args, alert}</c>, the alert embedded as cJSON prints it.
/// </summary>
public static class ArMessageBuilder
{
    /// <summary>analysisd's <c>origin.module</c>.</summary>
    public const string AnalysisdModule = "wazuh-analysisd";

    /// <summary>The body for <paramref name="response"/> triggered by <paramref name="alert"/>.</summary>
    public static byte[] Build(WazuhConfig config, ActiveResponseDefinition response, Alert alert) =>
        Build(config.OriginName, AnalysisdModule, response.Name, response.Command?.ExtraArgsList ?? [], alert.Json.Span);

    /// <summary>The body from its parts; <paramref name="alertJson"/> is re-printed with cJSON's rules.</summary>
    public static byte[] Build(string? originName, string module, string command, IReadOnlyList<string> extraArgs, ReadOnlySpan<byte> alertJson)
    {
        var alert = new ArrayBufferWriter<byte>(alertJson.Length + 16);
        if (!CJsonCanonicalizer.TryCanonicalize(alertJson, alert, out var error))
        {
            throw new FormatException($"The alert is not valid JSON: {error}");
        }

        var args = new CJsonArray();
        foreach (var arg in extraArgs)
        {
            args.Add(new CJsonString(arg));
        }

        var origin = new CJsonObject();
        origin.Add("name", originName is null ? CJsonNull.Instance : new CJsonString(originName));
        origin.Add("module", new CJsonString(module));

        var parameters = new CJsonObject();
        parameters.Add("extra_args", args);
        parameters.Add("alert", new CJsonRaw(alert.WrittenMemory));

        var root = new CJsonObject();
        root.Add("version", new CJsonNumber(1));
        root.Add("origin", origin);
        root.Add("command", new CJsonString(command));
        root.Add("parameters", parameters);
        return root.ToUtf8Bytes();
    }

    /// <summary>The body in the form an agent of <paramref name="protocol"/> understands.</summary>
    public static byte[] BuildFor(AgentProtocol protocol, WazuhConfig config, ActiveResponseDefinition response, Alert alert) => protocol switch
    {
        AgentProtocol.Legacy => System.Text.Encoding.UTF8.GetBytes(LegacyMessageBuilder.Build(response, alert)),
        AgentProtocol.EscapedJson => Agent42Escaper.Escape(Build(config, response, alert)),
        _ => Build(config, response, alert),
    };
}
