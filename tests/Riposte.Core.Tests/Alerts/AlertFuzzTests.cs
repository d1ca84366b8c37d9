using System.Text;
using Riposte.Config;
using Riposte.Inputs;
using Riposte.Matching;
using Riposte.Protocol;
using Riposte.Protocol.Execd;
using Riposte.Protocol.Json;

namespace Riposte.Alerts;

/// <summary>
/// Mutated alert lines against everything that reads them: no exception escapes (a bad line is a malformed-line
/// result), memory per line stays proportional to the line, and the good lines around bad ones are still read.
/// Fixed seeds and iteration counts keep the suite fast and repeatable; <c>RIPOSTE_FUZZ_ITERATIONS</c> runs longer.
/// </summary>
public sealed class AlertFuzzTests
{
    private static readonly WazuhConfig Manager = OssecConfigReader.ReadFiles([Fixtures.ManagerConfig]).Config!;

    private static AlertMutator Mutator(int seed) => new(AlertMutator.SeedOr(seed), Fixtures.AlertLines);

    [Fact(Timeout = 300_000)]
    public async Task Parser_matcher_and_message_builders_never_throw()
    {
        await Task.Yield();
        var mutator = Mutator(8);
        var matcher = new ArMatcher(Manager);
        var iterations = AlertMutator.Iterations(3000);
        var accepted = 0;
        for (var i = 0; i < iterations; i++)
        {
            TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
            var line = mutator.Next();
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                if (Exercise(line, matcher))
                {
                    accepted++;
                }
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"seed {mutator.Seed}, iteration {i}: {Convert.ToBase64String(line)}", e);
            }

            // Proportional to the line: the copy, the decoded fields, the re-printed message and execd's tree.
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            allocated.ShouldBeLessThan(256L * line.Length + (4 << 20), $"seed {mutator.Seed}, iteration {i}");
        }

        // Both outcomes must be exercised, or the mutations are too weak (or too strong) to test anything.
        accepted.ShouldBeGreaterThan(iterations / 10);
        accepted.ShouldBeLessThan(iterations * 9 / 10);
    }

    /// <summary>Runs one line through the parser and, when it is an alert, everything that consumes one.</summary>
    private static bool Exercise(byte[] line, ArMatcher matcher)
    {
        var canonical = new System.Buffers.ArrayBufferWriter<byte>();
        var canonicalOk = CJsonCanonicalizer.TryCanonicalize(line, canonical, out _);
        if (ExecdMessage.TryParse(line, out var direct, out _))
        {
            _ = direct!.TargetIp;
        }

        if (JsonLinesReader.ParseLine(line, 7, 1000) is not { } parsed)
        {
            return false;
        }

        if (parsed.Alert is not { } alert)
        {
            parsed.Error.ShouldNotBeNullOrWhiteSpace();
            parsed.ErrorOffset.ShouldNotBeNull().ShouldBeInRange(1000, 1000 + line.Length);
            parsed.Error.ShouldNotContain("\n");
            return false;
        }

        // Whatever the parser accepts, cJSON (and so execd and the program) accepts too.
        canonicalOk.ShouldBeTrue();
        var explanation = matcher.Explain(alert);
        foreach (var action in explanation.Actions)
        {
            foreach (var protocol in Enum.GetValues<AgentProtocol>())
            {
                ArMessageBuilder.BuildFor(protocol, Manager, action.Response, alert).ShouldNotBeEmpty();
            }

            var body = ArMessageBuilder.Build(Manager, action.Response, alert);
            ExecdMessage.TryParse(body, out var message, out var error).ShouldBeTrue(error);
            _ = (message!.TargetIp, message.AlertId, message.DstUser, message.SrcIp);
            message.PrepareForProgram("active-response/bin/firewall-drop");
            message.With("add").ShouldNotBeEmpty();
        }

        return true;
    }

    [Fact(Timeout = 300_000)]
    public async Task Execd_messages_never_throw()
    {
        await Task.Yield();
        var mutator = Mutator(1315);
        var iterations = AlertMutator.Iterations(3000);
        var response = Manager.ActiveResponses.First(r => r.Name == "firewall-drop600");
        for (var i = 0; i < iterations; i++)
        {
            TestContext.Current.CancellationToken.ThrowIfCancellationRequested();

            // A whole datagram mutated: the alert inside a message, or the message around it.
            var alert = mutator.Next();
            var body = AlertParser.TryParse(alert, out var parsed, out _, out _)
                ? ArMessageBuilder.Build(Manager, response, parsed!)
                : [.. """{"version":1,"origin":{"name":"n","module":"wazuh-analysisd"},"command":"firewall-drop600","parameters":{"extra_args":[],"alert":"""u8, .. alert, .. "}}"u8];
            try
            {
                if (ExecdMessage.TryParse(body, out var message, out var error))
                {
                    _ = (message!.CommandName, message.TargetIp, message.AlertId, message.DstUser, message.SrcIp, message.Alert);
                    message.PrepareForProgram("active-response/bin/x");
                    CJsonCanonicalizer.TryCanonicalize(message.With("delete"), new System.Buffers.ArrayBufferWriter<byte>(), out var again).ShouldBeTrue(again);
                }
                else
                {
                    error.ShouldNotBeNullOrEmpty();
                }
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"seed {mutator.Seed}, iteration {i}: {Convert.ToBase64String(body)}", e);
            }
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task Readers_report_every_bad_line_and_deliver_every_good_line_after_it()
    {
        var mutator = Mutator(5712);
        var iterations = AlertMutator.Iterations(2000);
        const int Batch = 100;
        for (var start = 0; start < iterations; start += Batch)
        {
            var count = Math.Min(Batch, iterations - start);
            var input = new MemoryStream();
            for (var i = 0; i < count; i++)
            {
                input.Write(mutator.Next());
                input.Write(Encoding.UTF8.GetBytes($"\n{{\"id\":\"sentinel-{start + i}\",\"data\":{{\"srcip\":\"192.0.2.1\"}}}}\n"));
            }

            var bytes = input.ToArray();
            var expected = Enumerable.Range(start, count).Select(i => $"sentinel-{i}").ToArray();

            var lines = new JsonLinesReader(new MemoryStream(bytes), maxLineBytes: 200_000).ReadAll().ToList();
            Sentinels(lines).ShouldBe(expected, $"seed {mutator.Seed}, batch {start}");
            lines.Where(l => !l.IsAlert).ShouldAllBe(l => !string.IsNullOrEmpty(l.Error));

            var streamed = await new StdinAlertSource(new MemoryStream(bytes), maxLineBytes: 200_000)
                .ReadAsync(TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
            streamed.Select(l => (l.LineNumber, l.ByteOffset, l.IsAlert, l.Error)).ShouldBe(lines.Select(l => (l.LineNumber, l.ByteOffset, l.IsAlert, l.Error)));
        }
    }

    private static string[] Sentinels(List<AlertLine> lines) =>
        [.. lines.Select(l => l.Alert?.Id).OfType<string>().Where(id => id.StartsWith("sentinel-", StringComparison.Ordinal))];
}
