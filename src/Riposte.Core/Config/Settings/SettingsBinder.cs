using System.Text.Json;

namespace Riposte.Config.Settings;

/// <summary>
/// Turns a parsed <c>riposte.json</c> into <see cref="RiposteSettings"/>, reporting every problem at its
/// position and carrying on, so one run shows the user everything to fix.
/// </summary>
/// <remarks>
/// What each section holds is declared in the schema (<see cref="RootSchema"/> and the sections it names); this
/// only starts the walk. Adding a setting is a <c>Key</c> line there and a property on its settings record.
/// </remarks>
internal sealed class SettingsBinder(SourceMap map, JsonPositionIndex index, List<ConfigDiagnostic> diagnostics)
{
    /// <summary>Binds the document's root; the defaults, with an error, when it is not an object.</summary>
    public RiposteSettings Bind(JsonElement root) =>
        RootSchema.Section.Bind(new SettingsContext(map, index, diagnostics), root, "") ?? RiposteSettings.Default;
}
