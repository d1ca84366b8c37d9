using System.Text.Json;

namespace Riposte.Config.Settings;

/// <summary>
/// One object of the settings file, declared as data: its keys with their types, roles and docs, and the rules that
/// look at more than one key. Binding walks the object in file order, so diagnostics come out as the file reads.
/// </summary>
/// <remarks>
/// A section is built once, by its schema's static initialiser, and only read after that, so binding on several
/// threads at once is safe.
/// </remarks>
/// <typeparam name="T">The settings record the object binds to.</typeparam>
/// <param name="defaults">The value an empty object gives; each key read replaces one of its properties.</param>
/// <param name="doc">What the section is for, for documentation.</param>
internal sealed class SettingSection<T>(T defaults, string doc)
    where T : class
{
    private readonly List<SettingKey<T>> _keys = [];
    private readonly Dictionary<string, SettingKey<T>> _byName = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private Func<SettingsContext, SectionReading<T>, T?>? _rule;

    /// <summary>What the section is for.</summary>
    public string Doc { get; } = doc;

    /// <summary>The value an empty object gives.</summary>
    public T Defaults { get; } = defaults;

    /// <summary>The keys, in the order "expected one of" lists them and suggestions prefer them.</summary>
    public IReadOnlyList<SettingKey<T>> Keys => _keys;

    /// <summary>Declares a key.</summary>
    /// <param name="name">The JSON name.</param>
    /// <param name="type">How its value is read.</param>
    /// <param name="set">Puts a read value into the section.</param>
    /// <param name="doc">What the key does.</param>
    /// <param name="roles">The fleet roles that read it.</param>
    /// <param name="neededBy">The fleet roles that cannot work without it.</param>
    /// <param name="required">True when an entry without it is incomplete.</param>
    public SettingSection<T> Key<TValue>(
        string name, SettingType<TValue> type, Func<T, TValue, T> set, string doc,
        SettingRoles roles = SettingRoles.All, SettingRoles neededBy = SettingRoles.None, bool required = false)
    {
        var key = new SettingKey<T>
        {
            Name = name,
            Expected = type.Expected,
            Doc = doc,
            Roles = roles,
            NeededBy = neededBy,
            Required = required,
            Apply = (context, p, section) => type.Read(context, p.Value, p.Path) is { Ok: true } read ? set(section, read.Value) : section,
        };
        _keys.Add(key);
        _byName.Add(name, key);
        _names.Add(name);
        return this;
    }

    /// <summary>
    /// Sets the check run once every key has been read, for what no single key can decide; it may adjust the value or
    /// return null to refuse the whole object.
    /// </summary>
    public SettingSection<T> Rule(Func<SettingsContext, SectionReading<T>, T?> rule)
    {
        _rule = rule;
        return this;
    }

    /// <summary>Binds an object; null when it is not one or its rule refused it, which is then reported.</summary>
    public T? Bind(SettingsContext context, JsonElement value, string path)
    {
        if (!context.IsObject(value, path))
        {
            return null;
        }

        int errorsBefore = context.ErrorCount;
        var given = new Dictionary<string, SettingProperty>(StringComparer.Ordinal);
        var section = Defaults;
        foreach (var p in SettingsContext.Properties(value, path))
        {
            given[p.Name] = p;
            if (_byName.TryGetValue(p.Name, out var key))
            {
                section = key.Apply(context, p, section);
            }
            else
            {
                context.UnknownKey(p, path, _names);
            }
        }

        foreach (var key in _keys)
        {
            if (key.Required && !given.ContainsKey(key.Name))
            {
                context.Error(path, $"{path} has no \"{key.Name}\"");
            }
        }

        return _rule is null ? section : _rule(context, new SectionReading<T>(path, section, given, context.ErrorCount > errorsBefore));
    }
}

/// <summary>A section as its keys left it, for its rule.</summary>
/// <param name="Path">Where the section is.</param>
/// <param name="Value">The value read so far.</param>
/// <param name="Given">Every key the file gives, null or not, with its value and path.</param>
/// <param name="HadErrors">True when reading the keys reported an error.</param>
internal sealed record SectionReading<T>(string Path, T Value, IReadOnlyDictionary<string, SettingProperty> Given, bool HadErrors)
{
    /// <summary>The path of <paramref name="key"/> of this section.</summary>
    public string PathOf(string key) => JsonPositionIndex.Child(Path, key);

    /// <summary>True when the file gives <paramref name="key"/> a value other than null.</summary>
    public bool IsSet(string key) => Given.TryGetValue(key, out var p) && !p.IsNull;

    /// <summary>The path of <paramref name="key"/> when the file gives it a value other than null.</summary>
    public bool IsSet(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? path)
    {
        path = IsSet(key) ? Given[key].Path : null;
        return path is not null;
    }
}
