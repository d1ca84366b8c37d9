using Microsoft.Data.Sqlite;

namespace Riposte.Cli.Doctor;

public sealed class StateCheckTests
{
    [Fact]
    public async Task A_world_readable_state_database_fails_by_its_mode_bits()
    {
        using var home = new DoctorHome();
        await home.CreateStateAsync();
        File.SetUnixFileMode(home.StatePath, (UnixFileMode)0b110_100_100);

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(ExitCodes.InvalidInput);
        var state = report.One("state", "state.db");
        state.GetProperty("status").GetString().ShouldBe("fail");
        state.GetProperty("message").GetString()!.ShouldContain("open to every local user (rw-r--r--)");
        state.GetProperty("fix").GetString().ShouldBe($"chmod 600 {home.StatePath}");
        report.Failures.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_world_readable_state_directory_fails()
    {
        using var home = new DoctorHome();
        await home.CreateStateAsync();
        var directory = Path.GetDirectoryName(home.StatePath)!;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(ExitCodes.InvalidInput);
        var result = report.One("home", "riposte (state)");
        result.GetProperty("status").GetString().ShouldBe("fail");
        result.GetProperty("fix").GetString().ShouldBe($"chmod 700 {directory}");
    }

    [Fact]
    public async Task A_corrupted_state_database_fails_quick_check_and_is_not_modified()
    {
        using var home = new DoctorHome();
        await home.CreateStateAsync();
        var bytes = await File.ReadAllBytesAsync(home.StatePath, TestContext.Current.CancellationToken);
        var pageSize = (bytes[16] << 8) | bytes[17];
        bytes.Length.ShouldBeGreaterThan(2 * pageSize);
        // Page 1 (the header and the schema) stays intact so the file still opens; every table page after it is garbage.
        bytes.AsSpan(pageSize).Fill(0x5A);
        await File.WriteAllBytesAsync(home.StatePath, bytes, TestContext.Current.CancellationToken);

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(ExitCodes.InvalidInput);
        var check = report.One("state", "quick_check");
        check.GetProperty("status").GetString().ShouldBe("fail", check.ToString());
        check.GetProperty("message").GetString()!.ShouldContain("damaged");
        check.GetProperty("fix").GetString()!.ShouldContain(".recover");
        (await File.ReadAllBytesAsync(home.StatePath, TestContext.Current.CancellationToken)).ShouldBe(bytes);
    }

    [Fact]
    public async Task A_clock_behind_the_newest_recorded_time_fails()
    {
        using var home = new DoctorHome();
        await home.CreateStateAsync();
        var tomorrow = TimeProvider.System.GetUtcNow().AddDays(1).ToUnixTimeMilliseconds();
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = home.StatePath, Pooling = false }.ConnectionString))
        {
            connection.Open();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO audit (at, event, program, keys, duration_ms) VALUES ($at, 'add', 'active-response/bin/firewall-drop', '[]', 0)";
            insert.Parameters.AddWithValue("$at", tomorrow);
            insert.ExecuteNonQuery();
        }

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(ExitCodes.InvalidInput);
        var clock = report.One("clock", "system clock");
        clock.GetProperty("status").GetString().ShouldBe("fail");
        clock.GetProperty("message").GetString()!.ShouldContain($"before the newest time the state recorded ({CliJson.Timestamp(DateTimeOffset.FromUnixTimeMilliseconds(tomorrow))})");
        clock.GetProperty("fix").GetString()!.ShouldContain("timedatectl set-ntp true");
    }
}
