using System.CommandLine;

namespace Riposte.Cli.Daemon;

/// <summary>The <c>--home</c> and <c>--settings</c> options shared by the commands that act on a Riposte home.</summary>
internal static class HomeOptions
{
    public static Option<string?> CreateHome() => new("--home")
    {
        Description = "The Wazuh home (active-response/bin, logs, queue). Default: the settings' home, else /var/ossec when it exists.",
    };

    public static Option<string?> CreateSettings() => new("--settings", "-s")
    {
        Description = "Riposte settings (riposte.json). Default: HOME/etc/riposte.json when it exists.",
    };

    public static Option<string> CreateFormat()
    {
        var format = new Option<string>("--format", "-f")
        {
            Description = "text or json.",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");
        return format;
    }

    public static Option<Config.ConfigRole> CreateRole() => new("--role")
    {
        Description = "manager (analysisd's reading of ossec.conf; the command table comes from it) or agent (execd's reading; the command table comes from HOME/etc/shared/ar.conf).",
        DefaultValueFactory = _ => Config.ConfigRole.Manager,
    };

    public static Option<int> CreateDaemonWait()
    {
        var wait = new Option<int>("--wait")
        {
            Description = "Seconds to wait for a daemon that owns the state but does not answer yet (it is starting). Default: 30.",
            DefaultValueFactory = _ => 30,
        };
        wait.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 3600)
            {
                r.AddError("--wait must be between 0 and 3600 seconds");
            }
        });
        return wait;
    }
}
