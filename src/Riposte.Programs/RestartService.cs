using System.Buffers;
using Riposte.Sdk;

namespace Riposte.Programs;

/// <summary>
/// <c>restart-service</c> (stateless): <c>systemctl restart UNIT...</c> for the units named in <c>extra_args</c>. A unit
/// name must match <c>[A-Za-z0-9:_.@-]+</c>, must not start with <c>-</c> or <c>.</c>, and gets <c>.service</c> appended
/// unless it ends with a systemd unit suffix. A <c>delete</c> (only sent when someone configures a timeout) does
/// nothing: a restart cannot be undone.
/// </summary>
internal sealed class RestartService : ResponseProgram
{
    /// <summary>systemd's longest unit name.</summary>
    public const int MaxUnitLength = 255;

    private static readonly SearchValues<char> s_unitCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.@-");

    private static readonly string[] s_suffixes =
        [".service", ".socket", ".device", ".mount", ".automount", ".swap", ".target", ".path", ".timer", ".slice", ".scope"];

    public override string Name => "restart-service";

    public override bool Stateful => false;

    public override IReadOnlyList<string> GetKeys(ResponseContext context) => Units(context.Message.ExtraArgs);

    /// <summary>The units to restart, validated and completed.</summary>
    /// <exception cref="ResponseException">None given, or an invalid name.</exception>
    public static string[] Units(IReadOnlyList<string> extraArgs)
    {
        var values = ExtraArguments.Parse(extraArgs, allowValues: true).Values;
        if (values.Count == 0)
        {
            throw new ResponseException(WazuhMessages.ExtraArgsMissing);
        }

        return [.. values.Select(Unit)];
    }

    /// <summary>A validated unit name with its suffix.</summary>
    /// <exception cref="ResponseException">Not a valid unit name.</exception>
    public static string Unit(string name)
    {
        var unit = s_suffixes.Any(suffix => name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal))
            ? name
            : name + ".service";
        if (name.Length == 0 || name[0] is '-' or '.' || name.AsSpan().ContainsAnyExcept(s_unitCharacters) || unit.Length > MaxUnitLength)
        {
            throw new ResponseException($"Invalid unit name '{name}'");
        }

        return unit;
    }

    public override async Task<ResponseOutcome> AddAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        var systemctl = context.RequireTool("systemctl");
        var result = await Tools.RunAsync(systemctl, ["restart", .. context.Keys], cancellationToken, timeout: TimeSpan.FromMinutes(5)).ConfigureAwait(false);
        return result.Succeeded ? ResponseOutcome.Ended : Tools.Failed(result);
    }

    public override Task<ResponseOutcome> DeleteAsync(ResponseContext context, CancellationToken cancellationToken) =>
        Task.FromResult(ResponseOutcome.EndedWith("Nothing to undo for a restart"));
}
