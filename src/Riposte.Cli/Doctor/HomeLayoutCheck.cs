namespace Riposte.Cli.Doctor;

/// <summary>
/// The home's directories: the ones execd's layout needs exist, none is world-writable or owned by another ordinary
/// user, and the state directory is closed to others.
/// </summary>
internal sealed class HomeLayoutCheck : IDoctorCheck
{
    /// <inheritdoc />
    public string Id => "home";

    /// <inheritdoc />
    public string Title => "Home layout and permissions";

    /// <inheritdoc />
    public Task<IReadOnlyList<CheckResult>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var home = context.Layout.Home;
        var results = new List<CheckResult>();

        // (relative path, required, why it matters)
        foreach (var (relative, required, why) in new (string, bool, string)[]
                 {
                     ("", true, "the Wazuh home"),
                     ("active-response", true, "holds bin/"),
                     ("active-response/bin", true, "the programs execd runs"),
                     ("etc", true, "ossec.conf and riposte.json"),
                     ("logs", false, "programs write logs/active-responses.log"),
                     ("queue", false, "the exec queue and the control socket"),
                     ("queue/alerts", false, "the exec queue"),
                 })
        {
            var path = relative.Length == 0 ? home : Path.Combine(home, relative);
            var subject = relative.Length == 0 ? home : relative;
            if (!Directory.Exists(path))
            {
                results.Add(required
                    ? CheckResult.Fail(Id, subject, $"missing ({why})", $"mkdir -m 0750 {path}")
                    : CheckResult.Skip(Id, subject, $"not there yet ({why}; created when needed)"));
                continue;
            }

            results.Add(Judge(subject, path, trusted: true));
        }

        var stateDirectory = Path.GetDirectoryName(context.Layout.StatePath);
        if (stateDirectory is not null)
        {
            var subject = Path.GetRelativePath(home, stateDirectory) is var r && !r.StartsWith("..", StringComparison.Ordinal) ? r : stateDirectory;
            results.Add(Directory.Exists(stateDirectory)
                ? Judge(subject + " (state)", stateDirectory, trusted: false)
                : CheckResult.Skip(Id, subject + " (state)", "not there yet; serve creates it with mode 0700"));
        }

        return Task.FromResult<IReadOnlyList<CheckResult>>(results);
    }

    private CheckResult Judge(string subject, string path, bool trusted)
    {
        if (UnixFileFacts.Of(path) is not { } facts)
        {
            return CheckResult.Warn(Id, subject, "cannot read its owner and mode", $"ls -ld {path}");
        }

        var problem = trusted ? FileModeRules.Trusted(Id, subject, path, facts, isDirectory: true) : FileModeRules.Private(Id, subject, path, facts, isDirectory: true);
        return problem ?? CheckResult.Pass(Id, subject, FileModeRules.Describe(facts));
    }
}
