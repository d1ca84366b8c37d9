using System.Text;

namespace Riposte.Alerts;

public sealed class JsonLinesReaderTests
{
    private static List<AlertLine> Read(string text, int maxLine = JsonLinesReader.DefaultMaxLineBytes) =>
        [.. new JsonLinesReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), maxLine).ReadAll()];

    [Fact]
    public void Reads_the_fixture()
    {
        using var stream = File.OpenRead(Fixtures.Path("sample-alerts.jsonl"));

        var lines = new JsonLinesReader(stream).ReadAll().ToList();

        lines.Count.ShouldBe(10);
        lines.ShouldAllBe(l => l.IsAlert);
        lines[9].LineNumber.ShouldBe(10);
    }

    [Fact]
    public void Malformed_lines_are_reported_with_position_and_skipped()
    {
        var lines = Read("{\"id\":\"1\"}\n{broken\n\n{\"id\":\"3\"}\r\n[]\n{\"id\":\"5\"}");

        lines.Select(l => (l.LineNumber, l.IsAlert)).ShouldBe([(1, true), (2, false), (4, true), (5, false), (6, true)]);
        lines[1].ByteOffset.ShouldBe(11);
        lines[1].Error.ShouldNotBeNullOrEmpty();
        lines[2].ByteOffset.ShouldBe(20);
        lines[2].Alert!.Id.ShouldBe("3");
        lines[4].Alert!.Id.ShouldBe("5");
    }

    [Fact]
    public void Lines_spanning_buffer_refills_are_joined()
    {
        var big = new string('x', 200_000);
        var lines = Read($"{{\"id\":\"a\",\"full_log\":\"{big}\"}}\n{{\"id\":\"b\"}}\n");

        lines.Select(l => l.Alert!.Id).ShouldBe(["a", "b"]);
        lines[1].ByteOffset.ShouldBe(200_000 + 25);
    }

    [Fact]
    public void Oversized_lines_are_reported_and_skipped()
    {
        var big = new string('x', 300_000);
        var lines = Read($"{{\"id\":\"a\",\"full_log\":\"{big}\"}}\n{{\"id\":\"b\"}}\n", maxLine: 100_000);

        lines.Count.ShouldBe(2);
        lines[0].IsAlert.ShouldBeFalse();
        lines[0].Error!.ShouldContain("longer than");
        lines[1].Alert!.Id.ShouldBe("b");
        lines[1].LineNumber.ShouldBe(2);
    }

    [Fact]
    public void Alerts_do_not_share_buffers()
    {
        var text = string.Concat(Enumerable.Range(0, 5000).Select(i => $"{{\"id\":\"{i}\"}}\n"));
        var alerts = Read(text).Select(l => l.Alert!).ToList();

        alerts.Select(a => Encoding.UTF8.GetString(a.Json.Span)).ShouldBe(Enumerable.Range(0, 5000).Select(i => $"{{\"id\":\"{i}\"}}"));
    }

    [Fact]
    public void Hostile_lines_are_reported_with_the_offset_of_the_bad_byte_and_reading_goes_on()
    {
        byte[] input =
        [
            .. "{\"id\":\"1\",\"data\":{\"srcip\":\"1.2.3."u8, 0xFF, .. "\"}}\n"u8,
            .. "  {\"id\":\"2\",\"full_log\":\"\\ud800\"}\n"u8,
            .. "{\"id\":\"3\"}\n"u8,
        ];

        var lines = new JsonLinesReader(new MemoryStream(input)).ReadAll().ToList();

        lines.Count.ShouldBe(3);
        lines[0].Alert!.SrcIp.ShouldBe("1.2.3.\uFFFD");
        lines[1].IsAlert.ShouldBeFalse();
        lines[1].LineNumber.ShouldBe(2);
        lines[1].ByteOffset.ShouldBe(38);
        lines[1].ErrorOffset.ShouldBe(38 + 24);
        lines[1].Error!.ShouldContain("surrogate");
        lines[1].Error!.ShouldContain("byte 24 of the line");
        lines[2].Alert!.Id.ShouldBe("3");
        lines[0].ErrorOffset.ShouldBeNull();
    }
}
