using Riposte.Config.Settings;
using Riposte.Events;

namespace Riposte.Notifications.Filtering;

/// <summary>
/// The <c>notify</c> lists of <c>defaults</c> and <c>responses</c>: a channel that some list names hears only about
/// the responses whose policy names it; a channel no list names hears about every response (its own filters apply).
/// </summary>
public sealed class NotifyRouting
{
    private readonly RiposteSettings _settings;
    private readonly HashSet<string> _routed = new(StringComparer.Ordinal);

    /// <summary>The routing <paramref name="settings"/> give.</summary>
    public NotifyRouting(RiposteSettings settings)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _routed.UnionWith(settings.Defaults.Notify);
        foreach (var policy in settings.Responses.Values)
        {
            _routed.UnionWith(policy.Notify ?? []);
        }
    }

    /// <summary>True when channel <paramref name="target"/> may hear about <paramref name="e"/>.</summary>
    public bool Allows(string target, ResponseEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return !_routed.Contains(target) || e.Response is not { } response
            || _settings.PolicyFor(response, e.Program ?? response).Notify.Contains(target, StringComparer.Ordinal);
    }
}
