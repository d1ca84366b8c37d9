using Riposte.Nats;

namespace Riposte.Fleet.Nats;

public sealed class NatsServerProcessTests
{
    [Fact]
    public async Task A_server_starts_restarts_on_its_port_and_stops()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        await using var server = await NatsServerProcess.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var port = server.Port;
        var pid = server.Pid;
        await server.RestartAsync(TestContext.Current.CancellationToken);
        server.Port.ShouldBe(port);
        server.Pid.ShouldNotBe(pid);
    }
}
