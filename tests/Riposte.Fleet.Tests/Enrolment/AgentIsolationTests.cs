using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Riposte.Fleet.Registry;
using Riposte.Nats;

namespace Riposte.Fleet.Enrolment;

/// <summary>
/// The authorization Riposte writes, against a real nats-server: each agent does its whole job with its permissions,
/// and nothing of another agent's.
/// </summary>
public sealed class AgentIsolationTests
{
    private static readonly NatsJSFetchOpts OneMessage = new() { MaxMsgs = 1, Expires = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task An_agent_takes_its_own_commands_acks_them_and_reports_outcomes_and_heartbeats()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        var ct = TestContext.Current.CancellationToken;
        await using var fleet = await FleetServer.StartAsync(ct: ct);
        await using var heartbeats = await fleet.Manager.SubscribeCoreAsync<byte[]>(FleetNames.HeartbeatPrefix + ">", cancellationToken: ct);
        (await fleet.ManagerJs.PublishAsync(FleetNames.CommandSubject("001"), "run"u8.ToArray(), cancellationToken: ct)).EnsureSuccess();

        var agent = await fleet.ConnectAgentAsync("001", ct);
        var js = new NatsJSContext(agent);
        var consumer = await js.GetConsumerAsync(FleetNames.CommandStream, FleetNames.AgentConsumer("001"), ct);
        consumer.Info.NumPending.ShouldBe(1UL);
        var taken = new List<string>();
        await foreach (var msg in consumer.FetchAsync<byte[]>(OneMessage, cancellationToken: ct))
        {
            taken.Add(msg.Subject);
            // "In progress" and the final ack both go to $JS.ACK.RIPOSTE_CMD.agent-001...; double ack waits for the server.
            await msg.AckProgressAsync(new AckOpts { DoubleAck = true }, ct);
            await msg.AckAsync(new AckOpts { DoubleAck = true }, ct);
        }

        taken.ShouldBe([FleetNames.CommandSubject("001")]);
        (await fleet.ManagerJs.GetStreamAsync(FleetNames.CommandStream, cancellationToken: ct)).Info.State.Messages.ShouldBe(0L, "an acked command leaves the work queue");

        // The long-running form: ConsumeAsync, as the agent's loop uses it.
        (await fleet.ManagerJs.PublishAsync(FleetNames.CommandSubject("001"), "again"u8.ToArray(), cancellationToken: ct)).EnsureSuccess();
        await foreach (var msg in consumer.ConsumeAsync<byte[]>(opts: new NatsJSConsumeOpts { MaxMsgs = 10 }, cancellationToken: ct))
        {
            Encoding.UTF8.GetString(msg.Data!).ShouldBe("again");
            await msg.AckAsync(new AckOpts { DoubleAck = true }, ct);
            break;
        }

        var outcome = await js.PublishAsync(FleetNames.OutcomeSubject("001"), "{\"agent\":\"001\"}"u8.ToArray(),
            opts: new NatsJSPubOpts { MsgId = "001-1-1" }, cancellationToken: ct);
        outcome.EnsureSuccess();
        outcome.Stream.ShouldBe(FleetNames.OutcomeStream);

        await agent.PublishAsync(FleetNames.HeartbeatSubject("001"), "{}"u8.ToArray(), cancellationToken: ct);
        var heartbeat = await heartbeats.Msgs.ReadAsync(ct);
        heartbeat.Subject.ShouldBe(FleetNames.HeartbeatSubject("001"));

        // The manager reads outcomes with its own durable consumer and acks them.
        var managerConsumer = await fleet.ManagerJs.CreateOrUpdateConsumerAsync(FleetNames.OutcomeStream,
            new ConsumerConfig(FleetNames.ManagerConsumer("n1")) { AckPolicy = ConsumerConfigAckPolicy.Explicit }, ct);
        var outcomes = 0;
        await foreach (var msg in managerConsumer.FetchAsync<byte[]>(OneMessage, cancellationToken: ct))
        {
            msg.Subject.ShouldBe(FleetNames.OutcomeSubject("001"));
            await msg.AckAsync(new AckOpts { DoubleAck = true }, ct);
            outcomes++;
        }

        outcomes.ShouldBe(1);
        await managerConsumer.RefreshAsync(ct);
        managerConsumer.Info.NumAckPending.ShouldBe(0);
    }

    [Fact]
    public async Task A_wrong_password_or_an_unknown_user_is_refused_and_the_command_stays()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        var ct = TestContext.Current.CancellationToken;
        await using var fleet = await FleetServer.StartAsync(ct: ct);
        (await fleet.ManagerJs.PublishAsync(FleetNames.CommandSubject("001"), "run"u8.ToArray(), cancellationToken: ct)).EnsureSuccess();
        var real = FleetCredentials.Read(fleet.Paths.AgentCredentials("001"));
        var other = FleetCredentials.Read(fleet.Paths.AgentCredentials("002"));

        FleetCredentials[] wrong =
        [
            real with { Password = real.Password + "x" },
            real with { Password = other.Password },
            new FleetCredentials("agent-999", real.Password),
            new FleetCredentials(FleetNames.ManagerUser, real.Password),
        ];
        foreach (var credentials in wrong)
        {
            var error = await Should.ThrowAsync<NatsException>(() => fleet.ConnectAsync(credentials, FleetNames.AgentInboxPrefix("001"), "intruder", null, ct));
            (error.ToString().Contains("Authorization Violation", StringComparison.OrdinalIgnoreCase)).ShouldBeTrue(error.ToString());
        }

        await fleet.WaitForLogAsync("authentication error - User \"agent-999\"", ct);
        var info = (await fleet.ManagerJs.GetConsumerAsync(FleetNames.CommandStream, FleetNames.AgentConsumer("001"), ct)).Info;
        info.NumPending.ShouldBe(1UL);
        info.Delivered.ConsumerSeq.ShouldBe(0UL, "nobody took it");
    }

    [Fact]
    public async Task An_agent_cannot_read_another_agents_commands()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        var ct = TestContext.Current.CancellationToken;
        await using var fleet = await FleetServer.StartAsync(ct: ct);
        var agent = await fleet.ConnectAgentAsync("001", ct);
        var js = new NatsJSContext(agent);
        var consumer002 = FleetNames.AgentConsumer("002");

        // Its own consumer answers (the control that shows the denials below are not a broken connection).
        await js.GetConsumerAsync(FleetNames.CommandStream, FleetNames.AgentConsumer("001"), ct);

        await Should.ThrowAsync<NatsException>(() => js.GetConsumerAsync(FleetNames.CommandStream, consumer002, ct).AsTask());
        await fleet.WaitForLogAsync($"Publish Violation - User \"agent-001\", Subject \"$JS.API.CONSUMER.INFO.RIPOSTE_CMD.{consumer002}\"", ct);

        // Subscriptions to commands, whatever the subject, are refused by the server.
        await using var wildcard = await agent.SubscribeCoreAsync<byte[]>(FleetNames.CommandPrefix + ">", cancellationToken: ct);
        await using var direct = await agent.SubscribeCoreAsync<byte[]>(FleetNames.CommandSubject("002"), cancellationToken: ct);
        await using var everything = await agent.SubscribeCoreAsync<byte[]>(">", cancellationToken: ct);
        await fleet.WaitForLogAsync("Subscription Violation - User \"agent-001\", Subject \"riposte.cmd.>\"", ct);
        await fleet.WaitForLogAsync("Subscription Violation - User \"agent-001\", Subject \"riposte.cmd.002\"", ct);
        await fleet.WaitForLogAsync("Subscription Violation - User \"agent-001\", Subject \">\"", ct);

        // A pull request on agent-002's consumer, by hand, replies to agent-001's own inbox.
        var inbox = FleetNames.AgentInboxPrefix("001") + ".steal";
        await using var replies = await agent.SubscribeCoreAsync<byte[]>(inbox, cancellationToken: ct);
        await agent.PublishAsync($"$JS.API.CONSUMER.MSG.NEXT.RIPOSTE_CMD.{consumer002}", "{\"batch\":1,\"expires\":2000000000}"u8.ToArray(), replyTo: inbox, cancellationToken: ct);
        await fleet.WaitForLogAsync($"Publish Violation - User \"agent-001\", Subject \"$JS.API.CONSUMER.MSG.NEXT.RIPOSTE_CMD.{consumer002}\"", ct);

        (await fleet.ManagerJs.PublishAsync(FleetNames.CommandSubject("002"), "secret"u8.ToArray(), cancellationToken: ct)).EnsureSuccess();

        // The server routed that message to every subscriber before it acknowledged the publish; a reply to a request
        // made after that comes behind anything it routed to this connection. So once the reply is in, all is in.
        await js.GetConsumerAsync(FleetNames.CommandStream, FleetNames.AgentConsumer("001"), ct);
        wildcard.Msgs.TryRead(out _).ShouldBeFalse();
        direct.Msgs.TryRead(out _).ShouldBeFalse();
        everything.Msgs.TryRead(out _).ShouldBeFalse();
        replies.Msgs.TryRead(out _).ShouldBeFalse();

        var info = (await fleet.ManagerJs.GetConsumerAsync(FleetNames.CommandStream, consumer002, ct)).Info;
        info.NumPending.ShouldBe(1UL, "agent-002's command is still waiting for agent-002");
        info.Delivered.ConsumerSeq.ShouldBe(0UL);
        info.NumWaiting.ShouldBe(0, "no pull request from agent-001 reached the consumer");
    }

    [Fact]
    public async Task An_agent_cannot_publish_commands_or_speak_for_another_agent()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        var ct = TestContext.Current.CancellationToken;
        await using var fleet = await FleetServer.StartAsync(ct: ct);
        await using var heartbeats = await fleet.Manager.SubscribeCoreAsync<byte[]>(FleetNames.HeartbeatPrefix + ">", cancellationToken: ct);
        var agent = await fleet.ConnectAgentAsync("001", ct);
        var js = new NatsJSContext(agent);

        string[] forbidden = [FleetNames.CommandSubject("001"), FleetNames.CommandSubject("002"), FleetNames.OutcomeSubject("002"), FleetNames.HeartbeatSubject("002")];
        foreach (var subject in forbidden)
        {
            await agent.PublishAsync(subject, "forged"u8.ToArray(), cancellationToken: ct);
        }

        // A JetStream publish is a publish with a reply: it is refused the same way, and no ack comes.
        await Should.ThrowAsync<NatsException>(() => js.PublishAsync(FleetNames.OutcomeSubject("002"), "forged"u8.ToArray(), cancellationToken: ct).AsTask());
        foreach (var subject in forbidden)
        {
            await fleet.WaitForLogAsync($"Publish Violation - User \"agent-001\", Subject \"{subject}\"", ct);
        }

        // Its own heartbeat, published after the forged ones on the same connection, arrives after them would have.
        await agent.PublishAsync(FleetNames.HeartbeatSubject("001"), "{}"u8.ToArray(), cancellationToken: ct);
        (await heartbeats.Msgs.ReadAsync(ct)).Subject.ShouldBe(FleetNames.HeartbeatSubject("001"));
        heartbeats.Msgs.TryRead(out _).ShouldBeFalse();

        // Its own outcome, and the manager's own command, are stored behind anything forged before them.
        (await js.PublishAsync(FleetNames.OutcomeSubject("001"), "real"u8.ToArray(), cancellationToken: ct)).Seq.ShouldBe(1UL);
        (await fleet.ManagerJs.PublishAsync(FleetNames.CommandSubject("002"), "real"u8.ToArray(), cancellationToken: ct)).Seq.ShouldBe(1UL);
        (await fleet.ManagerJs.GetStreamAsync(FleetNames.OutcomeStream, cancellationToken: ct)).Info.State.Messages.ShouldBe(1L);
        (await fleet.ManagerJs.GetStreamAsync(FleetNames.CommandStream, cancellationToken: ct)).Info.State.Messages.ShouldBe(1L);
    }

    [Fact]
    public async Task An_agent_cannot_create_or_delete_streams_or_consumers()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        var ct = TestContext.Current.CancellationToken;
        await using var fleet = await FleetServer.StartAsync(ct: ct);
        var js = new NatsJSContext(await fleet.ConnectAgentAsync("001", ct));

        await Should.ThrowAsync<NatsException>(() => js.CreateStreamAsync(new StreamConfig("EVIL", ["evil.>"]), ct).AsTask());
        await Should.ThrowAsync<NatsException>(() => js.DeleteStreamAsync(FleetNames.CommandStream, ct).AsTask());
        await Should.ThrowAsync<NatsException>(() => js.CreateOrUpdateConsumerAsync(FleetNames.CommandStream,
            new ConsumerConfig("agent-001-all") { FilterSubject = FleetNames.CommandPrefix + "*" }, ct).AsTask());
        await Should.ThrowAsync<NatsException>(() => js.DeleteConsumerAsync(FleetNames.CommandStream, FleetNames.AgentConsumer("002"), ct).AsTask());
        await fleet.WaitForLogAsync("Publish Violation - User \"agent-001\", Subject \"$JS.API.STREAM.CREATE.EVIL\"", ct);
        await fleet.WaitForLogAsync("Publish Violation - User \"agent-001\", Subject \"$JS.API.STREAM.DELETE.RIPOSTE_CMD\"", ct);
        await fleet.WaitForLogAsync("Publish Violation - User \"agent-001\", Subject \"$JS.API.CONSUMER.DELETE.RIPOSTE_CMD.agent-002\"", ct);

        var streams = new List<string>();
        await foreach (var name in fleet.ManagerJs.ListStreamNamesAsync(cancellationToken: ct))
        {
            streams.Add(name);
        }

        streams.Order(StringComparer.Ordinal).ShouldBe([FleetNames.CommandStream, FleetNames.OutcomeStream]);
        var consumers = new List<string>();
        await foreach (var name in fleet.ManagerJs.ListConsumerNamesAsync(FleetNames.CommandStream, ct))
        {
            consumers.Add(name);
        }

        consumers.Order(StringComparer.Ordinal).ShouldBe(["agent-001", "agent-002"]);
    }
}
