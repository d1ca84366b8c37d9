using System.Text;
using Microsoft.Extensions.Time.Testing;
using Riposte.Sdk;
using Riposte.Support;

namespace Riposte;

public sealed class ResponseLogTests
{
    [Fact]
    public void Lines_have_Wazuh_format_in_local_time()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 2, 23, 4, 5, TimeSpan.Zero));
        time.SetLocalTimeZone(TimeZoneInfo.CreateCustomTimeZone("test+0530", TimeSpan.FromMinutes(330), "test", "test"));
        var log = new ResponseLog(dir.Combine("ar.log"), "active-response/bin/firewall-drop", time);

        log.Write("Starting");
        log.Write("{\"x\":1}\n"u8);

        File.ReadAllText(dir.Combine("ar.log")).ShouldBe(
            "2025/01/03 04:34:05 active-response/bin/firewall-drop: Starting\n" +
            "2025/01/03 04:34:05 active-response/bin/firewall-drop: {\"x\":1}\n\n");
    }

    [Fact]
    public void Format_is_exact() =>
        Encoding.UTF8.GetString(ResponseLog.Format(new DateTimeOffset(2025, 11, 27, 10, 11, 58, TimeSpan.Zero), "x", "Ended"u8))
            .ShouldBe("2025/11/27 10:11:58 x: Ended\n");

    [Fact]
    public void A_log_that_cannot_be_opened_is_skipped_silently()
    {
        using var dir = new TempDirectory();
        var log = new ResponseLog(dir.Combine("missing-dir", "ar.log"), "x", TimeProvider.System);
        Should.NotThrow(() => log.Write("Starting"));
    }

    [Fact]
    public void A_symbolic_link_in_place_of_the_log_is_not_followed()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("target"), "");
        File.CreateSymbolicLink(dir.Combine("ar.log"), dir.Combine("target"));
        File.CreateSymbolicLink(dir.Combine("dangling.log"), dir.Combine("created-by-root"));

        new ResponseLog(dir.Combine("ar.log"), "x", TimeProvider.System).Write("Starting");
        new ResponseLog(dir.Combine("dangling.log"), "x", TimeProvider.System).Write("Starting");

        File.ReadAllText(dir.Combine("target")).ShouldBeEmpty();
        File.Exists(dir.Combine("created-by-root")).ShouldBeFalse();
    }

    [Fact]
    public void A_created_log_is_not_world_readable()
    {
        using var dir = new TempDirectory();
        new ResponseLog(dir.Combine("ar.log"), "x", TimeProvider.System).Write("Starting");
        (File.GetUnixFileMode(dir.Combine("ar.log")) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)).ShouldBe((UnixFileMode)0);
    }

    [Fact]
    public async Task Parallel_writers_never_interleave_or_lose_lines()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("ar.log");
        var payload = new string('p', 3000);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(() =>
        {
            var log = new ResponseLog(path, $"w{writer}", TimeProvider.System);
            for (var i = 0; i < 200; i++)
            {
                log.Write($"{i} {payload}");
            }
        }, TestContext.Current.CancellationToken)));

        var lines = File.ReadAllLines(path);
        lines.Length.ShouldBe(1600);
        lines.ShouldAllBe(line => line.EndsWith(payload, StringComparison.Ordinal) && line.Contains(": ", StringComparison.Ordinal));
    }
}
