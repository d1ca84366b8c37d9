using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Riposte.Bench;

/// <summary>
/// Generates realistic alerts.json lines (Wazuh 4.x key order, sshd/web/syscheck/Windows shapes, compliance arrays,
/// previous_output blocks) with a fixed seed, so every run measures the same bytes.
/// </summary>
internal static class AlertCorpus
{
    private sealed record RuleShape(int Id, int Level, string Description, string[] Groups, string Decoder, bool HasSrcIp, bool HasUser);

    private static readonly RuleShape[] Shapes =
    [
        new(5710, 5, "sshd: Attempt to login using a non-existent user", ["syslog", "sshd", "authentication_failed", "invalid_login"], "sshd", true, false),
        new(5712, 10, "sshd: brute force trying to get access to the system. Non existent user.", ["syslog", "sshd", "authentication_failures"], "sshd", true, false),
        new(5760, 5, "sshd: authentication failed.", ["syslog", "sshd", "authentication_failed"], "sshd", true, true),
        new(5763, 10, "sshd: brute force trying to get access to the system. Authentication failed.", ["syslog", "sshd", "authentication_failures"], "sshd", true, true),
        new(5715, 3, "sshd: authentication success.", ["syslog", "sshd", "authentication_success"], "sshd", true, true),
        new(31101, 5, "Web server 400 error code.", ["web", "accesslog", "attack"], "web-accesslog", true, false),
        new(31151, 10, "Multiple web server 400 error codes from same source ip.", ["web", "accesslog", "web_scan", "recon"], "web-accesslog", true, false),
        new(31103, 7, "SQL injection attempt.", ["web", "accesslog", "attack", "sql_injection"], "web-accesslog", true, false),
        new(554, 5, "File added to the system.", ["ossec", "syscheck", "syscheck_entry_added", "syscheck_file"], "syscheck_new_entry", false, false),
        new(550, 7, "Integrity checksum changed.", ["ossec", "syscheck", "syscheck_entry_modified", "syscheck_file"], "syscheck_integrity_changed", false, false),
        new(60122, 5, "Logon Failure - Unknown user or bad password", ["windows", "windows_security", "authentication_failed"], "windows_eventchannel", false, false),
        new(60204, 10, "Multiple Windows Logon Failures", ["windows", "windows_security", "authentication_failures"], "windows_eventchannel", false, false),
        new(5501, 3, "PAM: Login session opened.", ["pam", "syslog", "authentication_success"], "pam", false, true),
        new(2502, 10, "syslog: User missed the password more than one time", ["syslog", "access_control", "authentication_failed"], "pam", true, true),
        new(100200, 12, "Custom: critical host event", ["local", "custom", "critical"], "custom", true, false),
    ];

    private static readonly string[] Users = ["admin", "root", "deploy", "oracle", "test", "guest", "ubnt", "postgres", "support", "user"];

    /// <summary>Writes <paramref name="count"/> alerts to <paramref name="path"/> (reused when it already has that many).</summary>
    public static void Ensure(string path, int count)
    {
        var marker = path + ".count";
        if (File.Exists(path) && File.Exists(marker) && File.ReadAllText(marker) == count.ToString(CultureInfo.InvariantCulture))
        {
            return;
        }

        var random = new Random(42);
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            var buffer = new MemoryStream();
            for (var i = 0; i < count; i++)
            {
                buffer.SetLength(0);
                using (var writer = new Utf8JsonWriter(buffer, options))
                {
                    WriteAlert(writer, random, i);
                }

                buffer.WriteByte((byte)'\n');
                stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            }
        }

        File.WriteAllText(marker, count.ToString(CultureInfo.InvariantCulture));
    }

    private static void WriteAlert(Utf8JsonWriter w, Random random, int index)
    {
        var shape = Shapes[random.Next(Shapes.Length)];
        var epoch = 1764238000 + (index / 50);
        var agent = random.Next(0, 40);
        var ip = random.Next(20) == 0
            ? $"10.0.{random.Next(256)}.{random.Next(1, 255)}"
            : random.Next(25) == 0
                ? $"2001:db8:{random.Next(65536):x}::{random.Next(65536):x}"
                : $"{random.Next(1, 224)}.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}";
        var user = Users[random.Next(Users.Length)];
        var time = DateTimeOffset.FromUnixTimeSeconds(epoch).ToString("yyyy-MM-ddTHH:mm:ss.fff+0000", CultureInfo.InvariantCulture);
        var log = shape.HasSrcIp
            ? $"Nov 27 10:11:57 web-{agent:D2} sshd[{24000 + index % 9000}]: Failed password for {user} from {ip} port {random.Next(1024, 65535)} ssh2"
            : $"File '/etc/app/{index % 97}.conf' modified";

        w.WriteStartObject();
        w.WriteString("timestamp", time);
        w.WriteStartObject("rule");
        w.WriteNumber("level", shape.Level);
        w.WriteString("description", shape.Description);
        w.WriteString("id", shape.Id.ToString(CultureInfo.InvariantCulture));
        w.WriteStartObject("mitre");
        w.WriteStartArray("id");
        w.WriteStringValue("T1110");
        w.WriteEndArray();
        w.WriteStartArray("tactic");
        w.WriteStringValue("Credential Access");
        w.WriteEndArray();
        w.WriteStartArray("technique");
        w.WriteStringValue("Brute Force");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteNumber("firedtimes", random.Next(1, 50));
        w.WriteBoolean("mail", false);
        w.WriteStartArray("groups");
        foreach (var g in shape.Groups)
        {
            w.WriteStringValue(g);
        }

        w.WriteEndArray();
        WriteArray(w, "gdpr", "IV_35.7.d", "IV_32.2");
        WriteArray(w, "hipaa", "164.312.b");
        WriteArray(w, "nist_800_53", "SI.4", "AU.14", "AC.7");
        WriteArray(w, "pci_dss", shape.Level >= 10 ? "11.4" : "10.2.4", "10.2.5");
        WriteArray(w, "tsc", "CC6.1", "CC6.8", "CC7.2", "CC7.3");
        w.WriteEndObject();
        w.WriteStartObject("agent");
        w.WriteString("id", agent.ToString("D3", CultureInfo.InvariantCulture));
        w.WriteString("name", agent == 0 ? "wazuh-manager" : $"web-{agent:D2}");
        if (agent != 0)
        {
            w.WriteString("ip", $"10.0.1.{agent + 10}");
        }

        w.WriteEndObject();
        w.WriteStartObject("manager");
        w.WriteString("name", "wazuh-manager");
        w.WriteEndObject();
        w.WriteString("id", $"{epoch}.{100000 + (index * 137 % 900000)}");
        if (shape.Level >= 10 && shape.HasSrcIp)
        {
            var previous = new StringBuilder();
            for (var p = 0; p < 6; p++)
            {
                previous.Append(CultureInfo.InvariantCulture, $"Nov 27 10:11:{50 - p:D2} web-{agent:D2} sshd[{24500 - p}]: Invalid user {Users[p]} from {ip} port {52300 + p}\n");
            }

            w.WriteString("previous_output", previous.ToString().TrimEnd('\n'));
        }

        w.WriteString("full_log", log);
        w.WriteStartObject("predecoder");
        w.WriteString("program_name", shape.Decoder);
        w.WriteString("timestamp", "Nov 27 10:11:57");
        w.WriteString("hostname", $"web-{agent:D2}");
        w.WriteEndObject();
        w.WriteStartObject("decoder");
        w.WriteString("name", shape.Decoder);
        w.WriteEndObject();
        w.WriteStartObject("data");
        if (shape.Decoder == "windows_eventchannel")
        {
            w.WriteStartObject("win");
            w.WriteStartObject("eventdata");
            w.WriteString("targetUserName", user);
            w.WriteString("ipAddress", ip);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        else
        {
            if (shape.HasSrcIp)
            {
                w.WriteString("srcip", ip);
                w.WriteString("srcport", random.Next(1024, 65535).ToString(CultureInfo.InvariantCulture));
            }

            if (shape.HasUser)
            {
                w.WriteString("dstuser", user);
            }
        }

        w.WriteEndObject();
        w.WriteString("location", shape.Decoder.StartsWith("syscheck", StringComparison.Ordinal) ? "syscheck" : "/var/log/auth.log");
        w.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter w, string name, params string[] values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }
}
