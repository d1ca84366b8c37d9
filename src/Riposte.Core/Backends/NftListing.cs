using System.Text.Json;

namespace Riposte.Backends;

/// <summary>One element of an nft set as <c>nft -j list</c> shows it.</summary>
/// <param name="Target">The element (address, network or range).</param>
/// <param name="TimeoutSeconds">Its timeout, when it has one.</param>
/// <param name="ExpiresSeconds">Seconds left before the kernel drops it, when it has a timeout.</param>
internal sealed record NftElement(BlockTarget Target, long? TimeoutSeconds, long? ExpiresSeconds);

/// <summary>One set of the listing.</summary>
internal sealed record NftSetListing(string Name, IReadOnlyList<string> Flags, long? Size, IReadOnlyList<NftElement> Elements);

/// <summary>
/// What <c>nft -j list table inet riposte</c> says: the sets with their elements, the chains, and elements that are
/// not addresses (left alone, reported). Elements come in four JSON shapes: a plain string (<c>"1.2.3.4"</c>),
/// <c>{"prefix":{"addr":..,"len":..}}</c>, <c>{"range":[first,last]}</c>, and any of those wrapped with its
/// timeout in <c>{"elem":{"val":..,"timeout":..,"expires":..}}</c>.
/// </summary>
internal sealed record NftListing(IReadOnlyDictionary<string, NftSetListing> Sets, IReadOnlyList<string> Chains, IReadOnlyList<string> Unrecognised)
{
    public static readonly NftListing Empty = new(new Dictionary<string, NftSetListing>(), [], []);

    /// <summary>Every element of the two block sets.</summary>
    public IEnumerable<NftElement> Elements =>
        new[] { NftLayout.Set4, NftLayout.Set6 }.SelectMany(name => Sets.TryGetValue(name, out var set) ? set.Elements : []);

    /// <summary>Parses the JSON output of <c>nft -j list table|set ...</c>, keeping the objects of table <paramref name="table"/>.</summary>
    /// <exception cref="JsonException">Not nft's JSON.</exception>
    public static NftListing Parse(string json, string table = NftLayout.Table)
    {
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("nftables", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("no \"nftables\" array");
        }

        var sets = new Dictionary<string, NftSetListing>(StringComparer.Ordinal);
        var chains = new List<string>();
        var unrecognised = new List<string>();
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (item.TryGetProperty("set", out var set) && StringProperty(set, "table") == table && StringProperty(set, "name") is { } name)
            {
                var elements = new List<NftElement>();
                if (set.TryGetProperty("elem", out var elems) && elems.ValueKind == JsonValueKind.Array)
                {
                    foreach (var elem in elems.EnumerateArray())
                    {
                        if (TryParseElement(elem, out var element))
                        {
                            elements.Add(element);
                        }
                        else
                        {
                            unrecognised.Add(elem.GetRawText());
                        }
                    }
                }

                sets[name] = new NftSetListing(name, Flags(set), set.TryGetProperty("size", out var size) && size.TryGetInt64(out var s) ? s : null, elements);
            }
            else if (item.TryGetProperty("chain", out var chain) && StringProperty(chain, "table") == table && StringProperty(chain, "name") is { } chainName)
            {
                chains.Add(chainName);
            }
        }

        return new NftListing(sets, chains, unrecognised);
    }

    private static bool TryParseElement(JsonElement elem, out NftElement element)
    {
        element = null!;
        long? timeout = null, expires = null;
        var value = elem;
        if (elem.ValueKind == JsonValueKind.Object && elem.TryGetProperty("elem", out var wrapped))
        {
            if (!wrapped.TryGetProperty("val", out value))
            {
                return false;
            }

            timeout = wrapped.TryGetProperty("timeout", out var t) && t.TryGetInt64(out var ts) ? ts : null;
            expires = wrapped.TryGetProperty("expires", out var x) && x.TryGetInt64(out var xs) ? xs : null;
        }

        string? text = null;
        if (value.ValueKind == JsonValueKind.String)
        {
            text = value.GetString();
        }
        else if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("prefix", out var prefix))
        {
            if (StringProperty(prefix, "addr") is { } addr && prefix.TryGetProperty("len", out var len) && len.TryGetInt32(out var bits))
            {
                text = $"{addr}/{bits}";
            }
        }
        else if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("range", out var range) &&
                 range.ValueKind == JsonValueKind.Array && range.GetArrayLength() == 2 &&
                 range[0].ValueKind == JsonValueKind.String && range[1].ValueKind == JsonValueKind.String)
        {
            text = $"{range[0].GetString()}-{range[1].GetString()}";
        }

        if (!BlockTarget.TryParse(text, out var target))
        {
            return false;
        }

        element = new NftElement(target, timeout, expires);
        return true;
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // One flag is a string in older nft releases, several are an array.
    private static List<string> Flags(JsonElement set)
    {
        if (!set.TryGetProperty("flags", out var flags))
        {
            return [];
        }

        return flags.ValueKind switch
        {
            JsonValueKind.String => [flags.GetString()!],
            JsonValueKind.Array => [.. flags.EnumerateArray().Where(f => f.ValueKind == JsonValueKind.String).Select(f => f.GetString()!)],
            _ => [],
        };
    }
}
