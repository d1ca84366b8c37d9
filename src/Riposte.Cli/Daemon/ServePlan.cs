using Microsoft.Extensions.Logging;
using Riposte.Config;

namespace Riposte.Cli.Daemon;

/// <summary>
/// What <c>serve</c> says at start and at every reload: a warning per configured response that cannot run (execd skips
/// those silently, so a typo in an executable name would otherwise only show as blocks that never happen) and one line
/// saying what it will do.
/// </summary>
internal static class ServePlan
{
    /// <summary>Logs the warnings and the summary for <paramref name="config"/>.</summary>
    public static void Log(ILogger logger, ServeOptions options, WazuhConfig config, int pendingDeletes)
    {
        var programs = ResponsePrograms.Of(options.Home, config, options.Role);
        foreach (var program in programs)
        {
            if (ResponsePrograms.Problem(program) is { } problem)
            {
                logger.LogWarning("Response {Response}: {Problem}; it will not run until fixed (see riposte doctor)", program.Response, problem);
            }
        }

        logger.LogInformation("{Summary}", Summary(options, programs, pendingDeletes));
    }

    /// <summary>
    /// <c>7 responses configured: 4 runnable, 3 without a program (x, y, z); reading alerts.json; exec queue at ...; N
    /// pending deletes scheduled</c>.
    /// </summary>
    public static string Summary(ServeOptions options, IReadOnlyList<ResponseProgram> programs, int pendingDeletes)
    {
        var parts = new List<string>();
        var runnable = programs.Count(p => p.State == ProgramState.Runnable);
        var counts = $"{programs.Count} response{(programs.Count == 1 ? "" : "s")} configured: {runnable} runnable";
        var missing = programs.Where(p => p.State == ProgramState.Missing).Select(p => p.Response).ToList();
        if (missing.Count > 0)
        {
            counts += $", {missing.Count} without a program ({string.Join(", ", missing)})";
        }

        var broken = programs.Where(p => p.State is not (ProgramState.Runnable or ProgramState.Missing)).Select(p => p.Response).ToList();
        if (broken.Count > 0)
        {
            counts += $", {broken.Count} with a program that cannot run ({string.Join(", ", broken)})";
        }

        parts.Add(counts);
        if (options.Alerts is "-")
        {
            parts.Add("reading alerts from stdin");
        }
        else if (options.Alerts is { } alerts)
        {
            parts.Add($"reading {Path.GetFullPath(alerts)}");
        }

        if (options.ExecQueue)
        {
            parts.Add($"exec queue at {options.Home.ExecQueue}");
        }

        if (options.Fleet is { IsAgent: false })
        {
            parts.Add("fleet manager (other agents' responses go through NATS)");
        }

        parts.Add($"{pendingDeletes} pending deletes scheduled");
        return string.Join("; ", parts);
    }
}
