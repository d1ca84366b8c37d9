using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Riposte.Engine;

public sealed class ActiveResponsesLogTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("riposte-log-").FullName;
    private readonly List<string> _errors = [];
    private readonly ActiveResponsesLog _log;

    public ActiveResponsesLogTests() =>
        _log = new ActiveResponsesLog(_home, new FakeTimeProvider(new DateTimeOffset(2025, 11, 27, 10, 0, 0, TimeSpan.Zero)), new ListLogger(_errors));

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private string LogPath => Path.Combine(_home, "logs", "active-responses.log");

    [Fact]
    public void A_new_log_starts_with_its_first_line_not_a_byte_order_mark()
    {
        _log.Write("first");

        var bytes = File.ReadAllBytes(LogPath);
        bytes[0].ShouldBe((byte)'2');
        Encoding.UTF8.GetString(bytes).ShouldEndWith(" riposte: first\n");
    }

    [Fact]
    public void A_new_log_and_its_directory_get_exact_modes()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix modes");

        _log.Write("first");

        // 0660 and 0750 whatever the umask (the test process's is usually 022, which would give 0640 and 0755).
        File.GetUnixFileMode(LogPath).ShouldBe((UnixFileMode)0b110_110_000);
        File.GetUnixFileMode(Path.GetDirectoryName(LogPath)!).ShouldBe((UnixFileMode)0b111_101_000);
    }

    [Fact]
    public void An_existing_log_is_appended_to_and_keeps_its_mode()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix modes");
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        File.WriteAllText(LogPath, "program line\n");
        File.SetUnixFileMode(LogPath, (UnixFileMode)0b110_100_100);

        _log.Write("second");

        File.ReadAllText(LogPath).ShouldStartWith("program line\n2025/");
        File.GetUnixFileMode(LogPath).ShouldBe((UnixFileMode)0b110_100_100);
    }

    [Fact]
    public void A_symlinked_log_is_not_followed_and_the_failure_is_reported_once()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        var target = Path.Combine(_home, "target");
        File.WriteAllText(target, "untouched\n");
        File.CreateSymbolicLink(LogPath, target);

        _log.Write("one");
        _log.Write("two");

        File.ReadAllText(target).ShouldBe("untouched\n");
        _errors.ShouldHaveSingleItem().ShouldContain("symbolic link");
    }

    [Fact]
    public void A_dangling_symlink_does_not_make_the_log_create_its_target()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        var target = Path.Combine(_home, "created-by-root");
        File.CreateSymbolicLink(LogPath, target);

        _log.Write("one");

        File.Exists(target).ShouldBeFalse();
        _errors.ShouldHaveSingleItem().ShouldContain("symbolic link");
    }

    [Fact]
    public async Task A_fifo_in_place_of_the_log_neither_blocks_nor_receives_lines()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mkfifo");
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [LogPath]))
        {
            mkfifo.WaitForExit();
        }

        // Bounded: opening a FIFO for writing without O_NONBLOCK waits for a reader forever.
        await Task.Run(() => _log.Write("one"), TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        // With no reader the non-blocking open fails (ENXIO); with one, the regular-file check refuses it.
        _errors.ShouldHaveSingleItem().ShouldContain(LogPath);
    }

    private sealed class ListLogger(List<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (messages)
            {
                messages.Add(formatter(state, exception));
            }
        }
    }
}
