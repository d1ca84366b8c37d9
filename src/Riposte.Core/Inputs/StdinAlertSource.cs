using System.Runtime.CompilerServices;
using Riposte.Alerts;

namespace Riposte.Inputs;

/// <summary>
/// Alerts as JSON lines from a stream such as standard input, delivered line by line as each newline arrives rather
/// than when the stream ends, so <c>tail -f alerts.json | riposte ...</c> acts on each alert at once. Offsets are
/// stream offsets; malformed and oversized lines are yielded with their error; a last line without a newline is
/// delivered at end of stream.
/// </summary>
public sealed class StdinAlertSource
{
    private readonly Stream _stream;
    private readonly int _maxLineBytes;

    /// <summary>Reads <paramref name="stream"/>; the caller owns it.</summary>
    public StdinAlertSource(Stream stream, int maxLineBytes = JsonLinesReader.DefaultMaxLineBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineBytes);
        _stream = stream;
        _maxLineBytes = maxLineBytes;
    }

    /// <summary>
    /// Every non-blank line until end of stream. Cancellation is observed between reads and by streams whose reads
    /// honour it (the console stream's blocking read does not).
    /// </summary>
    public async IAsyncEnumerable<AlertLine> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var splitter = new LineSplitter(_maxLineBytes);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = await _stream.ReadAsync(splitter.GetReadBuffer(), cancellationToken);
            if (read == 0)
            {
                var last = splitter.TakePartialLine();
                if (last is not null)
                {
                    yield return last;
                }

                yield break;
            }

            splitter.Advance(read);
            while (splitter.TryTakeLine(out var line))
            {
                if (line is not null)
                {
                    yield return line;
                }
            }
        }
    }
}
