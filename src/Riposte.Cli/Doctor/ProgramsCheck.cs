using System.Text;
using Riposte.Cli.Commands;
using Riposte.Cli.Daemon;
using Riposte.Cli.ScriptTest;

namespace Riposte.Cli.Doctor;

/// <summary>
/// Every configured response's program is a file under <c>HOME/active-response/bin</c> with an execute bit, not
/// writable by others; with <c>--deep</c> each is also driven through execd's protocol by <c>script-test</c>'s
/// <see cref="ScriptTester"/>, in a temporary home as <c>riposte script-test PROGRAM</c> does.
/// </summary>
internal sealed class ProgramsCheck : IDoctorCheck
{
    /// <inheritdoc />
    public string Id => "programs";

    /// <inheritdoc />
    public string Title => "Response programs";

    /// <inheritdoc />
    public async Task<IReadOnlyList<CheckResult>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        if (context.Config.Config is not { } config)
        {
            return [CheckResult.Skip(Id, "programs", "not checked: the configuration does not load")];
        }

        var programs = ResponsePrograms.Of(context.Layout, config, context.Role);
        if (programs.Count == 0)
        {
            return [CheckResult.Warn(Id, "programs", "no active response is configured: serve would never run anything",
                context.Role == Config.ConfigRole.Agent
                    ? $"an agent's responses come from {Path.Combine(context.Layout.Home, "etc", "shared", "ar.conf")}, pushed by the manager"
                    : "add <command> and <active-response> blocks to ossec.conf")];
        }

        var results = new List<CheckResult>();
        var tested = new Dictionary<(string, bool), CheckResult>();
        foreach (var program in programs)
        {
            var subject = $"{program.Response} ({ArRelative(program)})";
            var result = Judge(context, program, subject);
            if (result.Status == CheckStatus.Pass && context.Deep)
            {
                var key = (program.ProgramFile, !program.TimeoutAllowed);
                if (!tested.TryGetValue(key, out var deep))
                {
                    deep = await ScriptTestAsync(context, program, subject, cancellationToken).ConfigureAwait(false);
                    tested[key] = deep;
                }

                result = deep with { Subject = subject };
            }

            results.Add(result);
        }

        return results;
    }

    private static string ArRelative(ResponseProgram program) => $"{Riposte.Protocol.Execd.ArCommandTable.BinDirectory}/{program.Executable}";

    private CheckResult Judge(DoctorContext context, ResponseProgram program, string subject)
    {
        var file = program.ProgramFile;
        var install = InstallProgramsCommand.Programs.Contains(program.Executable, StringComparer.Ordinal)
            ? $"riposte install-programs --home {context.Layout.Home} --only {program.Executable}"
            : $"install {program.Executable} there (e.g. `install -m 0750 ./{program.Executable} {file}`)";
        switch (program.State)
        {
            case ProgramState.Missing:
                return CheckResult.Fail(Id, subject, $"{file} is missing: execd skips this response silently", install);
            case ProgramState.NotExecutable:
                return CheckResult.Fail(Id, subject, $"{file} is not executable (no execute bit): every run fails", $"chmod 0750 {file}");
            case ProgramState.NotAFile:
                return CheckResult.Fail(Id, subject, $"{file} is not a regular file", $"replace it with the program: {install}");
            case ProgramState.Refused:
                return CheckResult.Fail(Id, subject, $"executable '{program.Executable}' names a parent folder (..): execd refuses it",
                    "give the executable's file name in active-response/bin, without ..");
        }

        if (UnixFileFacts.Of(file) is not { } facts)
        {
            return CheckResult.Warn(Id, subject, "cannot read its owner and mode", $"ls -l {file}");
        }

        return FileModeRules.Trusted(Id, subject, file, facts, isDirectory: false)
            ?? CheckResult.Pass(Id, subject, $"executable, {FileModeRules.Describe(facts)}");
    }

    private async Task<CheckResult> ScriptTestAsync(DoctorContext context, ResponseProgram program, string subject, CancellationToken cancellationToken)
    {
        using var home = ScriptHome.Prepare(program.ProgramFile, null, out var error);
        if (home is null)
        {
            return CheckResult.Fail(Id, subject, $"script-test could not start: {error}", $"riposte script-test {program.ProgramFile}");
        }

        var stateless = !program.TimeoutAllowed;
        var options = new ScriptTestOptions(program.ProgramFile, Encoding.UTF8.GetBytes(DefaultAlert.Json), context.DeepStepLimit, stateless);
        var report = await new ScriptTester(home, options, context.Time).RunAsync(cancellationToken).ConfigureAwait(false);
        var findings = report.Findings.Items.Select(f => $"{f.Kind.Severity.ToString().ToLowerInvariant()} ({f.Kind.Code}): {f.Message}").ToList();
        var rerun = $"riposte script-test {program.ProgramFile}{(stateless ? " --stateless" : "")}";
        if (!report.Conforms)
        {
            var errors = report.Findings.Items.Count(f => f.Kind.Severity == FindingSeverity.Error);
            return CheckResult.Fail(Id, subject, $"executable, but script-test finds {errors} protocol error{(errors == 1 ? "" : "s")}",
                $"fix the program; `{rerun}` shows every step", findings);
        }

        return findings.Count > 0
            ? CheckResult.Warn(Id, subject, $"executable and conforms to execd's protocol ({findings.Count} warnings)", $"`{rerun}` shows every step", findings)
            : CheckResult.Pass(Id, subject, $"executable and conforms to execd's protocol ({(stateless ? "stateless" : "add, abort, delete")})");
    }
}
