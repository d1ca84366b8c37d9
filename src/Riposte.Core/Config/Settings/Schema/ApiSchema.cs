namespace Riposte.Config.Settings;

/// <summary>The schemas of the <c>api</c> and <c>metrics</c> sections, the two network surfaces.</summary>
internal static class ApiSchema
{
    public static SettingSection<ApiSettings> Api { get; } =
        new SettingSection<ApiSettings>(ApiSettings.Default, "The HTTP API.")
            .Key("listen", SettingTypes.Listen, (s, v) => s with { Listen = v }, "Where to listen; null means no API.")
            .Key("token_file", SettingTypes.OptionalText, (s, v) => s with { TokenFile = v }, "The file holding the bearer token clients present.")
            .Rule((context, reading) =>
            {
                // Whether a key is set counts, not whether it is valid: an invalid listen is already an error of its own.
                if (reading.IsSet("listen", out string? listenPath) && !reading.IsSet("token_file"))
                {
                    context.Error(listenPath, $"{listenPath} is set but {reading.Path}.token_file is not; every network surface needs authentication");
                }
                else if (reading.IsSet("token_file", out string? tokenPath) && !reading.IsSet("listen"))
                {
                    // Not yet a warning: the token guards metrics.listen too, which is read later.
                    context.TokenFileWithoutApiListen = tokenPath;
                }

                return reading.Value;
            });

    public static SettingSection<MetricsSettings> Metrics { get; } =
        new SettingSection<MetricsSettings>(MetricsSettings.Default, "The Prometheus endpoint.")
            .Key("listen", SettingTypes.Listen, (s, v) => s with { Listen = v }, "Where to serve /metrics; null means nowhere.")
            .Rule((context, reading) =>
            {
                context.MetricsListenSet |= reading.IsSet("listen");
                return reading.Value;
            });

    /// <summary>
    /// The API and the metrics endpoint cannot share a port on a host both listen on; a token file with neither
    /// listener protects nothing (it guards /metrics as well as the API, so either listener gives it a use).
    /// </summary>
    public static void CheckListenersApart(SettingsContext context, RiposteSettings settings)
    {
        if (settings.Metrics.Listen is { IsLoopback: false } exposed && settings.Api.TokenFile is null)
        {
            // serve refuses to expose it; validate says so first.
            context.Error("metrics.listen",
                $"metrics.listen {exposed} is not a loopback address but api.token_file is not set; every network surface needs authentication");
        }

        if (context.TokenFileWithoutApiListen is { } tokenPath && !context.MetricsListenSet)
        {
            context.WarningAtName(tokenPath, $"{tokenPath} has no effect without api.listen or metrics.listen");
        }

        if (settings.Api.Listen is { } api && settings.Metrics.Listen is { } metrics && api.Port == metrics.Port
            && (string.Equals(api.Host, metrics.Host, StringComparison.OrdinalIgnoreCase) || api.IsWildcard || metrics.IsWildcard))
        {
            context.Error("metrics.listen", $"metrics.listen {metrics} collides with api.listen {api}; the two servers need different ports");
        }
    }
}
