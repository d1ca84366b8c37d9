using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Riposte.Matching.OsRegex;

namespace Riposte.Cli.Events;

/// <summary>
/// A small model of analysisd's rule matching, enough for riposte_rules.xml: <c>decoded_as json</c> (the stock JSON
/// decoder's prematch), <c>if_sid</c> children tried in file order (the first that matches wins), and
/// <c>&lt;field&gt;</c> matchers compiled as OS_Regex (their default type) against the decoded fields, which the JSON
/// decoder names by joining nested keys with dots.
/// </summary>
internal sealed partial class WazuhRuleSet
{
    private static readonly OsRegexPattern JsonPrematch = OsRegexPattern.CompileOrNull("^{\\s*\"")!;

    private WazuhRuleSet(IReadOnlyList<WazuhRule> rules) => Rules = rules;

    public IReadOnlyList<WazuhRule> Rules { get; }

    /// <summary>Reads the rules of a rules file (every <c>&lt;rule&gt;</c> under its <c>&lt;group&gt;</c>s).</summary>
    public static WazuhRuleSet Load(string text)
    {
        var root = XDocument.Parse("<rules>" + text + "</rules>").Root!;
        var rules = root.Descendants("rule").Select(r =>
        {
            var fields = r.Elements("field").Select(f =>
            {
                ((string?)f.Attribute("type") ?? "osregex").ShouldBe("osregex", "only OS_Regex fields are modelled");
                OsRegexPattern.TryCompile(f.Value, out var regex, out var error).ShouldBeTrue($"rule {r.Attribute("id")}: {error}");
                return new WazuhField((string)f.Attribute("name")!, regex!);
            }).ToList();
            return new WazuhRule(int.Parse((string)r.Attribute("id")!, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse((string)r.Attribute("level")!, System.Globalization.CultureInfo.InvariantCulture),
                r.Element("if_sid") is { } parent ? int.Parse(parent.Value, System.Globalization.CultureInfo.InvariantCulture) : null,
                r.Element("decoded_as")?.Value, fields, r.Element("description")!.Value);
        }).ToList();
        return new WazuhRuleSet(rules);
    }

    /// <summary>The rule that would alert on <paramref name="line"/>, or null when none matches.</summary>
    public WazuhRule? Match(string line)
    {
        var fields = Decode(line);
        return Descend(Rules.Where(r => r.Parent is null), fields);
    }

    private WazuhRule? Descend(IEnumerable<WazuhRule> candidates, IReadOnlyDictionary<string, string>? fields)
    {
        foreach (var rule in candidates)
        {
            if (rule.Matches(fields))
            {
                return Descend(Rules.Where(r => r.Parent == rule.Id), fields) ?? rule;
            }
        }

        return null;
    }

    /// <summary>The fields the JSON decoder gives a line (null when its prematch fails): nested keys joined with dots.</summary>
    public static IReadOnlyDictionary<string, string>? Decode(string line)
    {
        if (!JsonPrematch.IsMatch(line))
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(line);
        Flatten(doc.RootElement, "", fields);
        return fields;
    }

    private static void Flatten(JsonElement e, string prefix, Dictionary<string, string> fields)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    Flatten(p.Value, prefix.Length == 0 ? p.Name : prefix + "." + p.Name, fields);
                }

                break;
            case JsonValueKind.String:
                fields[prefix] = e.GetString()!;
                break;
            default:
                fields[prefix] = e.GetRawText();
                break;
        }
    }

    /// <summary>The <c>$(field)</c> names a description uses.</summary>
    public static IEnumerable<string> DescriptionFields(string description) => FieldReference().Matches(description).Select(m => m.Groups[1].Value);

    [GeneratedRegex(@"\$\(([^)]+)\)")]
    private static partial Regex FieldReference();
}

internal sealed record WazuhField(string Name, OsRegexPattern Regex);

internal sealed record WazuhRule(int Id, int Level, int? Parent, string? DecodedAs, IReadOnlyList<WazuhField> Fields, string Description)
{
    public bool Matches(IReadOnlyDictionary<string, string>? fields) =>
        (DecodedAs is null || (DecodedAs == "json" && fields is not null))
        && Fields.All(f => fields is not null && fields.TryGetValue(f.Name, out var value) && f.Regex.IsMatch(value));
}
