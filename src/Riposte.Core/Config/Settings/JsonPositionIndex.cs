using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Riposte.Config.Settings;

/// <summary>
/// Byte offsets of every property name and value in a JSON document, by path. JsonDocument keeps no positions,
/// so a Utf8JsonReader pass over the same bytes records them for diagnostics.
/// </summary>
/// <remarks>
/// Paths are written as in messages: <c>""</c> for the root, <c>execution.max_parallel</c>,
/// <c>notifications[0].url</c>, and <c>responses["odd key"]</c> for names that are not plain words.
/// A repeated name keeps the offsets of its first occurrence, the one the binder uses.
/// </remarks>
internal sealed class JsonPositionIndex
{
    private readonly Dictionary<string, long> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _values = new(StringComparer.Ordinal);

    private JsonPositionIndex()
    {
    }

    /// <summary>A property that appeared twice in one object.</summary>
    public readonly record struct Duplicate(string Path, long Offset, long FirstOffset);

    /// <summary>Names repeated within an object, in document order.</summary>
    public IReadOnlyList<Duplicate> Duplicates { get; private set; } = [];

    /// <summary>
    /// The first string that cannot become .NET text (an escaped lone surrogate such as <c>"\ud800"</c>): where it
    /// starts and why. The index stops there, since nothing after it could be bound.
    /// </summary>
    public (long Offset, string Message)? InvalidString { get; private set; }

    /// <summary>Reads the whole document; throws <see cref="JsonException"/> on a syntax error.</summary>
    public static JsonPositionIndex Build(ReadOnlySpan<byte> utf8, JsonReaderOptions options)
    {
        var index = new JsonPositionIndex();
        var duplicates = new List<Duplicate>();
        var stack = new Stack<Frame>();
        string? pendingProperty = null;
        bool pendingIsDuplicate = false;
        var reader = new Utf8JsonReader(utf8, options);
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                {
                    var frame = stack.Peek();
                    if (!TryGetString(ref reader, index, out string? name))
                    {
                        return index;
                    }

                    string path = Child(frame.Path, name);
                    pendingProperty = path;
                    pendingIsDuplicate = frame.Shadowed;
                    if (frame.Shadowed)
                    {
                        // inside the ignored copy of a repeated key: its paths belong to the first copy
                        break;
                    }

                    if (!index._names.TryAdd(path, reader.TokenStartIndex))
                    {
                        duplicates.Add(new Duplicate(path, reader.TokenStartIndex, index._names[path]));
                        pendingIsDuplicate = true;
                    }

                    break;
                }

                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    stack.Pop();
                    break;

                case JsonTokenType.String when !TryGetString(ref reader, index, out _):
                    return index;

                default:
                {
                    bool inArray = stack.Count > 0 && stack.Peek().IsArray;
                    string path = stack.Count == 0 ? ""
                        : inArray ? Item(stack.Peek().Path, stack.Peek().NextIndex++)
                        : pendingProperty!;
                    bool shadowed = inArray ? stack.Peek().Shadowed : pendingIsDuplicate;
                    if (!shadowed)
                    {
                        index._values.TryAdd(path, reader.TokenStartIndex);
                    }

                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        stack.Push(new Frame(path, reader.TokenType == JsonTokenType.StartArray, shadowed));
                    }

                    break;
                }
            }
        }

        index.Duplicates = duplicates;
        return index;
    }

    /// <summary>
    /// Utf8JsonReader accepts any <c>\u</c> escape while reading but GetString (and JsonElement.GetString in the
    /// binder) throws on a lone surrogate, so every escaped string is decoded here, once, where its offset is known.
    /// </summary>
    private static bool TryGetString(ref Utf8JsonReader reader, JsonPositionIndex index, [NotNullWhen(true)] out string? value)
    {
        try
        {
            value = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException e)
        {
            index.InvalidString = (reader.TokenStartIndex, $"invalid string: {e.Message} (a \\u escape must not be a lone surrogate)");
            value = null;
            return false;
        }
    }

    /// <summary>The path of property <paramref name="name"/> of the object at <paramref name="parent"/>.</summary>
    public static string Child(string parent, string name)
    {
        bool plain = name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
        if (!plain)
        {
            return $"{parent}[\"{name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"]";
        }

        return parent.Length == 0 ? name : $"{parent}.{name}";
    }

    /// <summary>The path of item <paramref name="index"/> of the array at <paramref name="parent"/>.</summary>
    public static string Item(string parent, int index) => $"{parent}[{index}]";

    /// <summary>Where the value at <paramref name="path"/> starts, or 0 when unknown.</summary>
    public long ValueOffset(string path) => _values.GetValueOrDefault(path);

    /// <summary>Where the name of the property at <paramref name="path"/> starts; its value's offset for array items and the root.</summary>
    public long NameOffset(string path) => _names.TryGetValue(path, out long offset) ? offset : ValueOffset(path);

    /// <summary>True when the document has a value at <paramref name="path"/>.</summary>
    public bool Contains(string path) => _values.ContainsKey(path);

    private sealed class Frame(string path, bool isArray, bool shadowed)
    {
        public string Path { get; } = path;

        public bool IsArray { get; } = isArray;

        /// <summary>True inside the value of a repeated key, which the binder skips.</summary>
        public bool Shadowed { get; } = shadowed;

        public int NextIndex { get; set; }
    }
}
