using Microsoft.Extensions.Logging;
using Riposte.Config;
using Riposte.Config.Settings;

namespace Riposte.Cli.Daemon;

/// <summary>An agent's command table comes from HOME/etc/shared/ar.conf, which the manager pushes and may be hostile.</summary>
public sealed class EngineFactoryTests : IDisposable
{
    private static readonly WazuhConfig Config = OssecConfigReader.ReadText(Fixtures.Conf("")).Config!;

    private readonly DirectoryInfo _home = Directory.CreateTempSubdirectory("riposte-factory-");

    public EngineFactoryTests() => Directory.CreateDirectory(ArConfDirectory);

    private string ArConfDirectory => Path.Combine(_home.FullName, "etc", "shared");

    private string ArConf => Path.Combine(ArConfDirectory, "ar.conf");

    public void Dispose() => _home.Delete(recursive: true);

    private (IReadOnlyList<string> Commands, List<(LogLevel Level, string Message)> Log) AgentCommands()
    {
        var log = new List<(LogLevel, string)>();
        var table = EngineFactory.Commands(new RiposteHome(_home.FullName, RiposteSettings.Default), Config, ConfigRole.Agent, new ListLogger(log));
        return ([.. table.Commands.Select(c => c.Name)], log);
    }

    [Fact]
    public void A_regular_ar_conf_gives_its_commands()
    {
        Directory.CreateDirectory(Path.Combine(_home.FullName, "active-response", "bin"));
        File.WriteAllText(Path.Combine(_home.FullName, "active-response", "bin", "firewall-drop"), "");
        File.WriteAllText(ArConf, "firewall-drop600 - firewall-drop - 600\n");

        var (commands, log) = AgentCommands();

        commands.ShouldContain("firewall-drop600");
        log.ShouldNotContain(l => l.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_fifo_ar_conf_is_refused_without_blocking()
    {
        SpecialFiles.MakeFifo(ArConf);

        var (commands, log) = await SpecialFiles.ReadWithHangGuardAsync(ArConf, AgentCommands);

        commands.ShouldBeEmpty();
        log.ShouldHaveSingleItem().ShouldBe((LogLevel.Error, $"{ArConf}: not a regular file (a FIFO); no AR command is known"));
    }

    [Fact]
    public void An_ar_conf_linked_to_dev_zero_is_refused_without_reading_it()
    {
        File.CreateSymbolicLink(ArConf, "/dev/zero");
        var before = GC.GetAllocatedBytesForCurrentThread();

        var (commands, log) = AgentCommands();

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(ConfigLimits.MaxFileBytes);
        commands.ShouldBeEmpty();
        log.ShouldHaveSingleItem().ShouldBe((LogLevel.Error, $"{ArConf}: not a regular file (a character device); no AR command is known"));
    }

    [Fact]
    public void An_oversized_ar_conf_is_refused()
    {
        File.WriteAllBytes(ArConf, new byte[ConfigLimits.MaxFileBytes + 1]);

        var (commands, log) = AgentCommands();

        commands.ShouldBeEmpty();
        log.ShouldHaveSingleItem().Level.ShouldBe(LogLevel.Error);
        log[0].Message.ShouldStartWith($"{ArConf}: larger than ");
    }

    private sealed class ListLogger(List<(LogLevel, string)> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (messages)
            {
                messages.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
