using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Riposte.Cli.ScriptTest;

/// <summary>Prints a <see cref="ScriptTestReport"/> for people (text) or for tools (one JSON object).</summary>
internal static class ReportWriter
{
    /// <summary>How much of each exchanged line the text report shows; the JSON report has them whole.</summary>
    private const int TextLineWidth = 160;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The readable report: each step, its lines and timing, its findings, then the verdict.</summary>
    public static string ToText(ScriptTestReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"riposte script-test: {report.Program}");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"  runs as {report.RelativePath} in {report.Home}{(report.TemporaryHome ? " (temporary home)" : "")}, {(report.Stateless ? "stateless" : "stateful")}, limit {ScriptTester.Seconds(report.Limit)} per step");
        foreach (var step in report.Steps)
        {
            text.AppendLine();
            var answer = step.Answer is null ? "" : $", answer {step.Answer}";
            if (step.Skipped)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"Step {step.Number}: {step.Name}{answer}: {step.Outcome}");
                continue;
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"Step {step.Number}: {step.Name}{answer}: {step.Outcome} after {ScriptTester.Ms(step.Duration)}");
            foreach (var line in step.Lines)
            {
                var arrow = line.Direction == LineDirection.ToProgram ? "stdin  >" : "stdout <";
                var note = line.Note is null ? "" : $"   [{line.Note}]";
                text.AppendLine(CultureInfo.InvariantCulture, $"  {ScriptTester.Ms(line.At),8} {arrow} {TextShortener.Shorten(line.Text, TextLineWidth)}{note}");
            }

            if (step.ControlLineAt is { } at)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  control line after {ScriptTester.Ms(at)}");
            }

            if (step.Keys is { } keys)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  keys: [{string.Join(", ", keys.Select(k => $"\"{k}\""))}]");
            }

            if (step.RKey is { } rkey)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  rkey: {rkey}");
            }

            if (step.Stderr.Trim().Length > 0)
            {
                text.AppendLine("  stderr:");
                foreach (var line in step.Stderr.TrimEnd('\n').Split('\n').Take(10))
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"    {TextShortener.Shorten(line, TextLineWidth)}");
                }
            }

            foreach (var finding in report.Findings.ForStep(step.Number))
            {
                if (finding.Steps[0] == step.Number)
                {
                    AppendFinding(text, finding);
                }
                else
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"  {Severity(finding)} {finding.Kind.Code}: as in step {finding.Steps[0]}");
                }
            }
        }

        text.AppendLine();
        if (report.Log is { } log)
        {
            text.AppendLine(log.Written
                ? string.Create(CultureInfo.InvariantCulture, $"Program log {log.Path}: {log.Lines} lines written, {(log.BadLines == 0 ? "all in Wazuh's format" : $"{log.BadLines} not in Wazuh's format")}")
                : $"Program log {log.Path}: nothing written (Wazuh users will have no trace of this program in their alerts)");
        }

        foreach (var finding in report.Findings.Items.Where(f => f.Steps.Count == 0))
        {
            AppendFinding(text, finding);
        }

        var errors = report.Findings.Items.Count(f => f.Kind.Severity == FindingSeverity.Error);
        var warnings = report.Findings.Items.Count - errors;
        text.AppendLine(report.Conforms
            ? $"Result: conforms to the protocol ({Plural(warnings, "warning")})"
            : $"Result: does NOT conform to the protocol ({Plural(errors, "error")}, {Plural(warnings, "warning")}): {string.Join(", ", report.Findings.Items.Where(f => f.Kind.Severity == FindingSeverity.Error).Select(f => f.Kind.Code).Distinct())}");
        return text.ToString();
    }

    /// <summary>
    /// One JSON object: <c>{"program","conforms","steps":[...],"findings":[{"code","severity","message","steps"}]}</c>,
    /// plus the home, the limit and the program log.
    /// </summary>
    public static string ToJson(ScriptTestReport report)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("program", report.Program);
            w.WriteString("argv0", report.RelativePath);
            w.WriteString("home", report.Home);
            w.WriteBoolean("temporary_home", report.TemporaryHome);
            w.WriteBoolean("stateless", report.Stateless);
            w.WriteNumber("limit_ms", (long)report.Limit.TotalMilliseconds);
            w.WriteBoolean("conforms", report.Conforms);
            w.WriteStartArray("steps");
            foreach (var step in report.Steps)
            {
                WriteStep(w, step);
            }

            w.WriteEndArray();
            w.WriteStartArray("findings");
            foreach (var finding in report.Findings.Items)
            {
                w.WriteStartObject();
                w.WriteString("code", finding.Kind.Code);
                w.WriteString("severity", Severity(finding));
                w.WriteString("message", finding.Message);
                w.WriteStartArray("steps");
                foreach (var number in finding.Steps)
                {
                    w.WriteNumberValue(number);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (report.Log is { } log)
            {
                w.WriteStartObject("log");
                w.WriteString("path", log.Path);
                w.WriteBoolean("written", log.Written);
                w.WriteNumber("lines", log.Lines);
                w.WriteNumber("bad_lines", log.BadLines);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteStep(Utf8JsonWriter w, StepReport step)
    {
        w.WriteStartObject();
        w.WriteNumber("step", step.Number);
        w.WriteString("name", step.Name);
        w.WriteString("command", step.Command);
        WriteNullable(w, "answer", step.Answer);
        w.WriteBoolean("skipped", step.Skipped);
        w.WriteString("outcome", step.Outcome);
        if (step.ControlLineAt is { } at)
        {
            w.WriteNumber("control_line_ms", Math.Round(at.TotalMilliseconds, 1));
        }
        else
        {
            w.WriteNull("control_line_ms");
        }

        w.WriteNumber("duration_ms", Math.Round(step.Duration.TotalMilliseconds, 1));
        WriteNullable(w, "exit_code", step.ExitCode);
        WriteNullable(w, "signal", step.Signal);
        if (step.Keys is { } keys)
        {
            w.WriteStartArray("keys");
            foreach (var key in keys)
            {
                w.WriteStringValue(key);
            }

            w.WriteEndArray();
        }
        else
        {
            w.WriteNull("keys");
        }

        WriteNullable(w, "rkey", step.RKey);
        w.WriteStartArray("lines");
        foreach (var line in step.Lines)
        {
            w.WriteStartObject();
            w.WriteString("stream", line.Direction == LineDirection.ToProgram ? "stdin" : "stdout");
            w.WriteNumber("at_ms", Math.Round(line.At.TotalMilliseconds, 1));
            w.WriteString("text", line.Text);
            WriteNullable(w, "note", line.Note);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("stderr", step.Stderr);
        w.WriteEndObject();
    }

    private static void AppendFinding(StringBuilder text, Finding finding)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"  {Severity(finding)} {finding.Kind.Code}: {finding.Message}");
    }

    private static string Severity(Finding finding) => finding.Kind.Severity == FindingSeverity.Error ? "error" : "warning";

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } number)
        {
            w.WriteNumber(name, number);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string Plural(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");
}
