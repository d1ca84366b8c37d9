using System.Globalization;
using System.Text.Json;

namespace Riposte.Cli.Chaos;

/// <summary>
/// SIGKILLs a real <c>riposte serve</c> at random moments while alerts arrive, restarts it each time, and checks the
/// promise: no alert is silently skipped, no block is applied twice while active, every block is undone, and no delete
/// comes early. CI runs a short round; <c>RIPOSTE_CHAOS_KILLS=100</c> (and <c>RIPOSTE_CHAOS_SEED</c>) runs a long one.
/// </summary>
public sealed class ServeChaosTests
{
    private const int BlockSeconds = 2;

    /// <summary>
    /// A stateful program that logs "EVENT IP ALERT_ID START_MS [END_MS]" to HOME/chaos-events: begin when an add
    /// starts, continue or abort once the engine's answer arrived (so the engine had recorded it), delete when told to
    /// undo. A short random delay before check_keys keeps several runs in flight, so kills land while alerts are queued
    /// and programs are running.
    /// </summary>
    private const string ChaosProgram = """
        #!/bin/bash
        start=$(date +%s%3N)
        IFS= read -r line1
        ip=$(printf '%s' "$line1" | sed -n 's/.*"srcip":"\([^"]*\)".*/\1/p')
        id=$(printf '%s' "$line1" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
        case "$line1" in
          *'"command":"add"'*)
            echo "begin $ip $id $start" >> "$PWD/chaos-events"
            sleep 0.0$((RANDOM % 10))
            printf '{"version":1,"origin":{"name":"firewall-drop","module":"active-response"},"command":"check_keys","parameters":{"keys":["%s"]}}\n' "$ip"
            if IFS= read -r line2; then
              case "$line2" in
                *'"command":"continue"'*) echo "continue $ip $id $start $(date +%s%3N)" >> "$PWD/chaos-events" ;;
                *) echo "abort $ip $id $start $(date +%s%3N)" >> "$PWD/chaos-events" ;;
              esac
            fi
            ;;
          *'"command":"delete"'*) echo "delete $ip $id $start $(date +%s%3N)" >> "$PWD/chaos-events" ;;
        esac
        """;

    private static readonly HashSet<string> Recorded = ["continue", "add", "abort", "skip", "failure", "kill", "lapsed"];

    [Fact]
    public async Task Random_SIGKILLs_lose_no_alert_apply_no_block_twice_and_undo_every_block_on_time()
    {
        var ct = TestContext.Current.CancellationToken;
        var kills = int.TryParse(Environment.GetEnvironmentVariable("RIPOSTE_CHAOS_KILLS"), CultureInfo.InvariantCulture, out var k) ? k : 6;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("RIPOSTE_CHAOS_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 20261201;
        var random = new Random(seed);
        using var home = new TestHome(timeout: BlockSeconds);
        home.WriteProgram("firewall-drop", ChaosProgram);
        File.WriteAllText(Path.Combine(home.Path, "etc", "riposte.json"), """{ "safety": { "never_block_self": false }, "execution": { "max_parallel": 4 } }""");

        using var stopWriting = new CancellationTokenSource();
        var written = new List<(string Id, string Ip)>();
        var writer = WriteAlertsAsync(home, new Random(seed + 1), written, stopWriting.Token);

        var logs = new List<string>();
        var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts, "--from-start");
        try
        {
            for (var kill = 0; kill < kills; kill++)
            {
                await Task.Delay(random.Next(300, 1500), ct);
                await daemon.KillHardAsync();
                logs.Add(daemon.Log);
                await daemon.DisposeAsync();
                if (random.Next(3) == 0)
                {
                    await Task.Delay(random.Next(0, 400), ct);
                }

                // The same command line each time, as a supervisor restarts it (--from-start only applies before the first checkpoint).
                daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts, "--from-start");
            }

            await stopWriting.CancelAsync();
            await writer;
            string[] ids;
            lock (written)
            {
                ids = [.. written.Select(w => w.Id)];
            }

            // Drain: every alert accounted for in the audit trail and every block undone.
            var deadline = Environment.TickCount64 + 120_000;
            Dictionary<string, List<string>> audit;
            while (true)
            {
                audit = await AuditByAlertAsync(home);
                var active = (await CliRunner.RunAsync(["status", "--home", home.Path, "--format", "json"])).Out;
                if (ids.All(audit.ContainsKey) && JsonDocument.Parse(active).RootElement.GetArrayLength() == 0)
                {
                    break;
                }

                if (Environment.TickCount64 > deadline)
                {
                    var missing = ids.Where(id => !audit.ContainsKey(id)).ToArray();
                    throw new TimeoutException($"{missing.Length} of {ids.Length} alerts never handled ({string.Join(", ", missing.Take(20))}); " +
                        $"active: {active}\n{daemon.Log}");
                }

                await Task.Delay(500, ct);
            }

            daemon.Signal("TERM");
            (await daemon.WaitForExitAsync()).ShouldBe(0, daemon.Log);
            logs.Add(daemon.Log);

            foreach (var id in ids)
            {
                audit[id].ShouldContain(e => Recorded.Contains(e), $"alert {id} left no outcome in the audit trail: {string.Join(",", audit[id])}");
            }

            var effects = CheckEffects(home, written, audit);
            string.Join("\n", logs).ShouldNotContain("Unhandled exception");
            var report = $"chaos: seed {seed}, {kills} SIGKILLs, {ids.Length} alerts, {effects}, " +
                $"{audit.Values.Count(e => e.Contains("abort"))} alerts aborted (address already blocked)";
            TestContext.Current.TestOutputHelper?.WriteLine(report);
            if (Environment.GetEnvironmentVariable("RIPOSTE_CHAOS_REPORT") is { Length: > 0 } reportFile)
            {
                File.AppendAllText(reportFile, report + "\n");
            }
        }
        finally
        {
            await stopWriting.CancelAsync();
            await daemon.DisposeAsync();
        }
    }

    /// <summary>About 30 alerts a second; a quarter repeat a recent address, so aborts and refreshed timers happen too.</summary>
    private static async Task WriteAlertsAsync(TestHome home, Random random, List<(string Id, string Ip)> written, CancellationToken cancellationToken)
    {
        var recent = new List<string>();
        for (var n = 1; !cancellationToken.IsCancellationRequested; n++)
        {
            var ip = recent.Count > 0 && random.Next(4) == 0
                ? recent[random.Next(recent.Count)]
                : $"198.18.{n / 250 % 250}.{n % 250 + 1}";
            recent.Add(ip);
            if (recent.Count > 20)
            {
                recent.RemoveAt(0);
            }

            var id = $"1764000000.{n}";
            home.AppendAlert(ip, id);
            lock (written)
            {
                written.Add((id, ip));
            }

            try
            {
                await Task.Delay(random.Next(15, 50), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<Dictionary<string, List<string>>> AuditByAlertAsync(TestHome home)
    {
        var history = await CliRunner.RunAsync(["history", "--home", home.Path, "--format", "json", "--limit", "10000000"]);
        var byAlert = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (history.ExitCode != 0 || history.Out.Length == 0)
        {
            return byAlert;
        }

        foreach (var record in JsonDocument.Parse(history.Out).RootElement.EnumerateArray())
        {
            if (record.GetProperty("alert_id").GetString() is { } alert)
            {
                (byAlert.TryGetValue(alert, out var events) ? events : byAlert[alert] = []).Add(record.GetProperty("event").GetString()!);
            }
        }

        return byAlert;
    }

    /// <summary>
    /// Per address, in the order the program logged them: no second alert is applied while a block is in place (the
    /// same alert's add may run again after a crash: adds are at least once), the last effect is an undo, and no delete
    /// comes before the block's time has passed since the first run of the alert that last set its timer (the engine
    /// sets the timer after that run started, so its start is a lower bound).
    /// </summary>
    private static string CheckEffects(TestHome home, List<(string Id, string Ip)> written, Dictionary<string, List<string>> audit)
    {
        int continues = 0, rerunAdds = 0, deletes = 0, rerunDeletes = 0;
        var lines = File.ReadAllLines(Path.Combine(home.Path, "chaos-events"));
        var blockedBy = new Dictionary<string, string?>(StringComparer.Ordinal);
        var timerFrom = new Dictionary<string, long>(StringComparer.Ordinal);
        var firstBegin = new Dictionary<string, long>(StringComparer.Ordinal);
        string Context() => string.Join("\n", lines);
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            var (effect, ip, alert, start) = (parts[0], parts[1], parts[2], long.Parse(parts[3], CultureInfo.InvariantCulture));
            switch (effect)
            {
                case "begin":
                    firstBegin.TryAdd(alert, start);
                    break;
                case "continue":
                    continues++;
                    if (blockedBy.GetValueOrDefault(ip) is { } holder)
                    {
                        holder.ShouldBe(alert, $"{ip} applied for a second alert while active: {line}\n{Context()}");
                        rerunAdds++;
                        break;
                    }

                    blockedBy[ip] = alert;
                    timerFrom[ip] = Math.Max(timerFrom.GetValueOrDefault(ip), firstBegin[alert]);
                    break;
                case "abort":
                    timerFrom[ip] = Math.Max(timerFrom.GetValueOrDefault(ip), firstBegin[alert]);
                    break;
                case "delete":
                    if (timerFrom.TryGetValue(ip, out var from))
                    {
                        // 5 ms: both clocks are read in whole milliseconds.
                        start.ShouldBeGreaterThanOrEqualTo(from + BlockSeconds * 1000 - 5, $"{ip} deleted early: {line}\n{Context()}");
                    }

                    deletes++;
                    if (blockedBy.GetValueOrDefault(ip) is null)
                    {
                        rerunDeletes++;
                    }

                    blockedBy[ip] = null;
                    break;
            }
        }

        blockedBy.Where(a => a.Value is not null).Select(a => a.Key).ShouldBeEmpty("blocks never undone");
        int expiredUnapplied;
        lock (written)
        {
            var blocked = lines.Where(l => l.StartsWith("continue ", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]).ToHashSet();
            var unblocked = written.Select(w => w.Ip).Distinct().Where(ip => !blocked.Contains(ip)).ToArray();
            // An address whose block was recorded but whose whole time passed while Riposte was down is undone, not
            // applied late, and its alert's audit says "lapsed". Any other address that never got its continue was lost.
            var lapsed = written.Where(w => audit.TryGetValue(w.Id, out var events) && events.Contains("lapsed")).Select(w => w.Ip).ToHashSet();
            unblocked.Where(ip => !lapsed.Contains(ip)).ShouldBeEmpty(
                $"addresses never blocked:\n{string.Join("\n", lines.Where(l => unblocked.Any(ip => l.Contains($" {ip} ", StringComparison.Ordinal))))}");
            expiredUnapplied = unblocked.Length;
        }

        return $"{continues} adds continued ({rerunAdds} re-run after a crash), {deletes} deletes ({rerunDeletes} re-run or for an add the crash cut short), " +
            $"{expiredUnapplied} lapsed (their time passed while Riposte was down)";
    }
}
