using System.Text;
using Riposte.Protocol.Json;

namespace Riposte.Protocol.Execd;

/// <summary>
/// The program's first stdout line as execd reads it. Any line continues the handshake; only a valid
/// <c>check_keys</c> message contributes keys to the rkey.
/// </summary>
/// <param name="Keys">String keys from <c>parameters.keys</c>, in order (non-strings skipped).</param>
/// <param name="IsCheckKeys">True when the line validates and its command is <c>check_keys</c> with a keys array.</param>
/// <param name="Problem">Why the line contributed no keys, in plain words; null when it did.</param>
public sealed record ControlLine(IReadOnlyList<string> Keys, bool IsCheckKeys, string? Problem)
{
    /// <summary>Longest rkey execd keeps (4.14.3+).</summary>
    public const int MaxRKeyBytes = 4095;

    /// <summary>Parses a control line with the program-side validator (number version, object origin, string command, object parameters).</summary>
    public static ControlLine Parse(ReadOnlySpan<byte> line)
    {
        if (!CJsonNode.TryParse(line, out var node, out var error))
        {
            return new ControlLine([], false, $"not JSON ({error})");
        }

        if (node is not CJsonObject root)
        {
            return new ControlLine([], false, "not a JSON object");
        }

        if (root.Get("version") is not CJsonNumber)
        {
            return new ControlLine([], false, "'version' is missing or not a number");
        }

        if (root.Get("origin") is not CJsonObject)
        {
            return new ControlLine([], false, "'origin' is missing or not an object");
        }

        if (root.Get("command") is not CJsonString command)
        {
            return new ControlLine([], false, "'command' is missing or not a string");
        }

        if (root.Get("parameters") is not CJsonObject parameters)
        {
            return new ControlLine([], false, "'parameters' is missing or not an object");
        }

        if (command.Value != "check_keys")
        {
            return new ControlLine([], false, $"command is '{command.Value}', not 'check_keys'");
        }

        if (parameters.Get("keys") is not CJsonArray keys)
        {
            return new ControlLine([], false, "'parameters.keys' is missing or not an array");
        }

        var strings = keys.Items.OfType<CJsonString>().Select(k => k.Value).ToList();
        var problem = strings.Count == keys.Count ? null : "some keys are not strings (skipped)";
        return new ControlLine(strings, true, problem);
    }

    /// <summary>
    /// execd's rkey: the program's basename, then <c>-key</c> for each key, cut at <see cref="MaxRKeyBytes"/> bytes
    /// (Wazuh logs a warning and truncates).
    /// </summary>
    public string RKey(string programPath, out bool truncated)
    {
        var builder = new StringBuilder(Path.GetFileName(programPath));
        foreach (var key in Keys)
        {
            builder.Append('-').Append(key);
        }

        var text = builder.ToString();
        truncated = false;
        if (Encoding.UTF8.GetByteCount(text) > MaxRKeyBytes)
        {
            truncated = true;
            var bytes = Encoding.UTF8.GetBytes(text);
            var cut = MaxRKeyBytes;

            // Do not split a UTF-8 sequence.
            while (cut > 0 && (bytes[cut] & 0xC0) == 0x80)
            {
                cut--;
            }

            text = Encoding.UTF8.GetString(bytes, 0, cut);
        }

        return text;
    }
}
