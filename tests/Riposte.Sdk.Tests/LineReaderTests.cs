using System.Text;
using Riposte.Sdk;

namespace Riposte;

/// <summary>fgets semantics of the helper's stdin reads.</summary>
public sealed class LineReaderTests
{
    private static async Task<string?[]> ReadAll(byte[] input, int reads)
    {
        var reader = new LineReader(new MemoryStream(input));
        var lines = new string?[reads];
        for (var i = 0; i < reads; i++)
        {
            var line = await reader.ReadLineAsync(TestContext.Current.CancellationToken);
            lines[i] = line is null ? null : Encoding.Latin1.GetString(line);
        }

        return lines;
    }

    [Fact]
    public async Task Lines_keep_their_newline_and_a_last_partial_line_is_returned() =>
        (await ReadAll("a\nbc\nd"u8.ToArray(), 4)).ShouldBe(["a\n", "bc\n", "d", null]);

    [Fact]
    public async Task Empty_input_is_end_of_input() =>
        (await ReadAll([], 1)).ShouldBe([null]);

    [Fact]
    public async Task Long_lines_are_split_at_65535_bytes_like_fgets()
    {
        var input = Encoding.ASCII.GetBytes(new string('a', 65535) + new string('b', 10) + "\nz\n");
        var lines = await ReadAll(input, 3);
        lines[0].ShouldBe(new string('a', 65535));
        lines[1].ShouldBe(new string('b', 10) + "\n");
        lines[2].ShouldBe("z\n");
    }

    [Fact]
    public async Task A_line_of_exactly_65535_bytes_with_newline_leaves_the_newline_for_the_next_read()
    {
        var input = Encoding.ASCII.GetBytes(new string('a', 65535) + "\n");
        (await ReadAll(input, 3)).ShouldBe([new string('a', 65535), "\n", null]);
    }

    [Fact]
    public async Task Nul_ends_the_string()
    {
        var lines = await ReadAll("ab\0cd\nef\n"u8.ToArray(), 2);
        lines.ShouldBe(["ab", "ef\n"]);
    }

    [Fact]
    public async Task Reads_across_many_small_chunks()
    {
        var reader = new LineReader(new TrickleStream(Encoding.ASCII.GetBytes(new string('x', 20_000) + "\nend\n")));
        var first = await reader.ReadLineAsync(TestContext.Current.CancellationToken);
        first!.Length.ShouldBe(20_001);
        Encoding.ASCII.GetString((await reader.ReadLineAsync(TestContext.Current.CancellationToken))!).ShouldBe("end\n");
    }

    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 7));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 7)], cancellationToken);
    }
}
