namespace Riposte.Cli.Packaging;

/// <summary>
/// The packaged postrm, run for real against a Wazuh home in a private mount namespace (tmpfs over /var and /etc), so
/// the host's own /var/ossec and /etc are never touched.
/// </summary>
public sealed class MaintainerScriptTests(PackageBuild package)
{
    [Fact]
    public async Task Remove_keeps_the_state_and_purge_deletes_only_ripostes_own_directories()
    {
        var built = await package.GetAsync();
        Assert.SkipWhen(Environment.UserName != "root" || !PackageBuild.OnPath("unshare"), "needs root and unshare (a private mount namespace)");
        var postrm = Path.Combine(built.Control, "postrm");
        var script = $"""
            set -e
            mount -t tmpfs tmpfs /var
            mount -t tmpfs tmpfs /etc
            h=/var/ossec
            mkdir -p $h/riposte $h/queue/riposte $h/queue/alerts $h/etc/riposte-fleet $h/active-response/bin $h/logs /etc/riposte
            touch $h/riposte/state.db $h/riposte/fleet.db $h/queue/riposte/control.sock $h/queue/alerts/execq $h/etc/ossec.conf \
              $h/etc/riposte-fleet/registry.json $h/active-response/bin/firewall-drop $h/logs/active-responses.log
            '{postrm}' remove
            echo "== remove"; find /var /etc | sort
            '{postrm}' purge
            echo "== purge"; find /var /etc | sort
            mkdir -p /var/elsewhere && touch /var/elsewhere/state.db && ln -s /var/elsewhere $h/riposte
            '{postrm}' purge
            echo "== link"; find /var | sort
            """;

        var run = await PackageBuild.RunAsync("unshare", ["--mount", "--propagation", "private", "sh", "-c", script], TimeSpan.FromSeconds(60));

        run.ExitCode.ShouldBe(0, run.Output);
        var sections = run.Output.Split("== ");
        var afterRemove = sections.Single(s => s.StartsWith("remove\n", StringComparison.Ordinal));
        afterRemove.ShouldContain("/var/ossec/riposte/state.db\n");
        afterRemove.ShouldContain("/var/ossec/queue/riposte/control.sock\n");

        var afterPurge = sections.Single(s => s.StartsWith("purge\n", StringComparison.Ordinal));
        afterPurge.ShouldNotContain("/var/ossec/riposte");
        afterPurge.ShouldNotContain("/var/ossec/queue/riposte");
        afterPurge.ShouldNotContain("/etc/riposte\n", customMessage: "the empty /etc/riposte goes with the conffiles");
        foreach (var kept in new[] { "queue/alerts/execq", "etc/ossec.conf", "etc/riposte-fleet/registry.json", "active-response/bin/firewall-drop", "logs/active-responses.log" })
        {
            afterPurge.ShouldContain($"/var/ossec/{kept}\n", customMessage: "purge touches nothing of the Wazuh home but Riposte's state");
        }

        var afterLink = sections.Single(s => s.StartsWith("link\n", StringComparison.Ordinal));
        afterLink.ShouldContain("/var/elsewhere/state.db\n", customMessage: "a linked state directory is not followed");
    }
}
