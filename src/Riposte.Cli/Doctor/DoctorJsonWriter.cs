using System.Text;
using System.Text.Json;

namespace Riposte.Cli.Doctor;

/// <summary>
/// The report for tools: <c>{"home":..., "healthy":bool, "summary":{"pass":N,"warn":N,"fail":N,"skip":N},
/// "checks":[{"check","subject","status","message","fix","details"}]}</c>, status being <c>pass</c>, <c>warn</c>,
/// <c>fail</c> or <c>skip</c> and fix null when there is nothing to do.
/// </summary>
internal static class DoctorJsonWriter
{
    /// <summary>The whole report as one JSON object (no trailing newline).</summary>
    public static string Write(DoctorReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, CliJson.Relaxed))
        {
            json.WriteStartObject();
            json.WriteString("home", report.Home);
            json.WriteBoolean("healthy", report.Healthy);
            json.WriteStartObject("summary");
            foreach (var status in Enum.GetValues<CheckStatus>())
            {
                json.WriteNumber(Name(status), report.Count(status));
            }

            json.WriteEndObject();
            json.WriteStartArray("checks");
            foreach (var result in report.Results)
            {
                json.WriteStartObject();
                json.WriteString("check", result.Check);
                json.WriteString("subject", result.Subject);
                json.WriteString("status", Name(result.Status));
                json.WriteString("message", result.Message);
                if (result.Fix is { } fix)
                {
                    json.WriteString("fix", fix);
                }
                else
                {
                    json.WriteNull("fix");
                }

                json.WriteStartArray("details");
                foreach (var detail in result.DetailLines)
                {
                    json.WriteStringValue(detail);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The JSON name of a status.</summary>
    public static string Name(CheckStatus status) => status switch
    {
        CheckStatus.Pass => "pass",
        CheckStatus.Warn => "warn",
        CheckStatus.Fail => "fail",
        _ => "skip",
    };
}
