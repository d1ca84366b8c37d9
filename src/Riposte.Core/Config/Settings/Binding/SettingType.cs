using System.Text.Json;

namespace Riposte.Config.Settings;

/// <summary>
/// How one kind of setting is read from JSON: its checks, its diagnostics and the .NET value it becomes. A reader
/// reports what is wrong itself and gives nothing, so a key it refuses keeps its default.
/// </summary>
/// <typeparam name="T">The value a valid setting becomes.</typeparam>
/// <param name="expected">What the setting takes, in the words a type error uses (e.g. "a whole number").</param>
/// <param name="read">Reads a value at a path.</param>
internal sealed class SettingType<T>(string expected, Func<SettingsContext, JsonElement, string, Bound<T>> read)
{
    /// <summary>What the setting takes, for documentation.</summary>
    public string Expected { get; } = expected;

    /// <summary>Reads <paramref name="value"/>, found at <paramref name="path"/>.</summary>
    public Bound<T> Read(SettingsContext context, JsonElement value, string path) => read(context, value, path);

    /// <summary>This type, then a further check or conversion of what it read.</summary>
    public SettingType<TOut> Then<TOut>(Func<SettingsContext, string, T, Bound<TOut>> next, string? expected = null) =>
        new(expected ?? Expected, (context, value, path) =>
            read(context, value, path) is { Ok: true } first ? next(context, path, first.Value) : default);

    /// <summary>This type, refusing values <paramref name="valid"/> rejects with the error <paramref name="error"/> gives.</summary>
    public SettingType<T> Where(Func<T, bool> valid, Func<string, T, string> error) =>
        Then((context, path, value) => valid(value) ? Bound.Of(value) : context.Refuse<T>(path, error(path, value)));

    /// <summary>This type, with JSON <c>null</c> accepted as "not given" (the default stays).</summary>
    public SettingType<T> OrNull() =>
        new(Expected + " or null", (context, value, path) => value.ValueKind == JsonValueKind.Null ? default : read(context, value, path));
}
