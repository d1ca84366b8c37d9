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

    /// <summary>
    /// <c>--role manager|agent</c>, spelt in lowercase as the documentation does (System.CommandLine would show the
    /// enum's names, Agent|Manager); any case is accepted, as it was.
    /// </summary>
    /// <remarks>
    /// There is no DefaultValueFactory because help would print the default as the enum names it ("Manager"): the
    /// description says it, and an absent option reads as <see cref="Config.ConfigRole.Manager"/>, the enum's zero.
    /// </remarks>
    public static Option<Config.ConfigRole> CreateRole()
    {
        var role = new Option<Config.ConfigRole>("--role")
        {
            Description = "manager (analysisd's reading of ossec.conf; the command table comes from it) or agent (execd's reading; the command table comes from HOME/etc/shared/ar.conf). Default: manager.",
            HelpName = "manager|agent",
            CustomParser = result =>
            {
                if (result.Tokens.Count == 0)
                {
                    return Config.ConfigRole.Manager;
                }

                var text = result.Tokens[0].Value;
                if (text.Equals("manager", StringComparison.OrdinalIgnoreCase))
                {
                    return Config.ConfigRole.Manager;
                }

                if (text.Equals("agent", StringComparison.OrdinalIgnoreCase))
                {
                    return Config.ConfigRole.Agent;
                }

                result.AddError($"--role must be manager or agent, not '{text}'");
                return Config.ConfigRole.Manager;
            },
        };
        role.CompletionSources.Clear();
        role.CompletionSources.Add("manager", "agent");
        return role;
    }

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
