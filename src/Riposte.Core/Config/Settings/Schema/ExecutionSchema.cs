namespace Riposte.Config.Settings;

/// <summary>The <c>execution</c> section's schema.</summary>
internal static class ExecutionSchema
{
    public static SettingSection<ExecutionSettings> Section { get; } =
        new SettingSection<ExecutionSettings>(ExecutionSettings.Default, "How active-response programs are run.")
            .Key("max_parallel", SettingTypes.Int(ExecutionSettings.MinParallel, ExecutionSettings.MaxParallelLimit),
                (s, v) => s with { MaxParallel = v }, "How many programs (with distinct rkeys) may run at once.")
            .Key("control_line_timeout", SettingTypes.Duration(allowZero: false),
                (s, v) => s with { ControlLineTimeout = v }, "How long to wait for a program's first stdout line.")
            .Key("run_timeout", SettingTypes.Duration(allowZero: false),
                (s, v) => s with { RunTimeout = v }, "How long a whole run may take before its process group is killed.")
            .Key("output_limit_bytes", SettingTypes.Int(0, int.MaxValue),
                (s, v) => s with { OutputLimitBytes = v }, "How many bytes of each of stdout and stderr the audit trail keeps.")
            .Key("revert_on_shutdown", SettingTypes.Bool,
                (s, v) => s with { RevertOnShutdown = v }, "Whether to revert every active block on shutdown, as execd does.")
            .Rule(WarnWhenTheRunEndsFirst);

    private static ExecutionSettings WarnWhenTheRunEndsFirst(SettingsContext context, SectionReading<ExecutionSettings> reading)
    {
        var execution = reading.Value;
        if (execution.ControlLineTimeout > execution.RunTimeout)
        {
            string controlPath = reading.PathOf("control_line_timeout");
            context.Warning(
                reading.Given.ContainsKey("control_line_timeout") ? controlPath : reading.PathOf("run_timeout"),
                $"{controlPath} ({DurationSyntax.Format(execution.ControlLineTimeout)}) is longer than {reading.Path}.run_timeout "
                + $"({DurationSyntax.Format(execution.RunTimeout)}), so the run timeout always ends the wait first");
        }

        return execution;
    }
}
