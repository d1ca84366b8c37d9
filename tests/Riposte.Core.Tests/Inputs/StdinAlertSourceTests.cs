using System.IO.Pipes;
using System.Text;
using static Riposte.Inputs.Lines;

namespace Riposte.Inputs;

public sealed class StdinAlertSourceTests
{
    [Fact]
    public async Task Each_line_is_delivered_as_soon_as_it_is_complete()
    {
        using var writer = new AnonymousPipeServerStream(PipeDirection.Out);
        using var reader = new AnonymousPipeClientStream(PipeDirection.In, writer.ClientSafePipeHandle);
        await using var lines = new Follower<Alerts.AlertLine>(new StdinAlertSource(reader).ReadAsync);

        Write(writer, Alert("a"));
        (await lines.NextAsync()).Alert!.Id.ShouldBe("a");

        Write(writer, Alert("b") + "{bro");
        (await lines.NextAsync()).Alert!.Id.ShouldBe("b");
        await lines.ShouldBeQuietAsync(100);

        Write(writer, "ken\n");
        var broken = await lines.NextAsync();
        broken.IsAlert.ShouldBeFalse();
        broken.LineNumber.ShouldBe(3);
        broken.ByteOffset.ShouldBe(2 * Length("a"));

        writer.Dispose();
        await lines.ShouldEndAsync();
    }

    [Fact]
    public async Task A_last_line_without_newline_is_delivered_at_end_of_stream()
    {
        var input = new MemoryStream(Encoding.UTF8.GetBytes(Alert("a") + "\r\n" + "{\"id\":\"b\"}\r\n{\"id\":\"c\"}"));

        var lines = await new StdinAlertSource(input).ReadAsync(TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

        lines.Select(l => (l.LineNumber, l.Alert!.Id)).ShouldBe([(1L, "a"), (3L, "b"), (4L, "c")]);
        lines[2].ByteOffset.ShouldBe(Length("a") + 2 + 12);
    }

    [Fact]
    public async Task Lines_split_across_many_reads_are_joined_and_oversized_ones_reported()
    {
        var big = "{\"id\":\"big\",\"full_log\":\"" + new string('x', 150_000) + "\"}\n";
        var huge = "{\"id\":\"huge\",\"full_log\":\"" + new string('y', 300_000) + "\"}\n";
        var input = new TrickleStream(Encoding.UTF8.GetBytes(big + huge + Alert("a") + huge), 7_001);

        var lines = await new StdinAlertSource(input, maxLineBytes: 200_000).ReadAsync(TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

        lines.Count.ShouldBe(4);
        lines[0].Alert!.Id.ShouldBe("big");
        lines[1].Error!.ShouldContain("longer than 200000 bytes");
        lines[1].ByteOffset.ShouldBe(big.Length);
        lines[2].Alert!.Id.ShouldBe("a");
        lines[2].LineNumber.ShouldBe(3);
        lines[2].ByteOffset.ShouldBe(big.Length + huge.Length);
        lines[3].Error!.ShouldContain("longer than");
        lines[3].LineNumber.ShouldBe(4);
    }

    private static void Write(Stream stream, string text)
    {
        stream.Write(Encoding.UTF8.GetBytes(text));
        stream.Flush();
    }

    /// <summary>Returns at most a few bytes per read, like a slow pipe.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
