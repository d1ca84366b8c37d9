using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace Riposte.Inputs;

/// <summary>
/// Follows a JSON-lines file that another process appends to, such as Wazuh's <c>logs/alerts/alerts.json</c>, across
/// restarts, rotation and truncation, by polling with the injected <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// <para>Files are told apart by device and inode, not by name: a rename keeps the identity, a new file gets a new one.</para>
/// <para>
/// <b>Resume.</b> With a checkpoint whose identity is the file's and whose offset is still a line start inside it,
/// reading resumes exactly there. Otherwise the file at the path is new (rotated while Riposte was down) or was
/// truncated, and it is read from its beginning: every line in it is new. Lines the writer appended to the old file
/// after the checkpoint are then not read, because the old file cannot be found in general.
/// </para>
/// <para>
/// <b>While running.</b> When the path names another file (rename-and-create rotation, as analysisd and logrotate do),
/// the old file is read to its end first, its last line is emitted even without a newline, then the new file is read
/// from offset 0. When the file shrinks below the read position, or the byte before that position changed
/// (copytruncate followed by new writes), it is read again from 0. While the path is missing the open file keeps being
/// read and the path is checked again at every poll. A line is emitted only once its newline has arrived.
/// </para>
/// <para>
/// Limits of polling: data written to the old file between the last read and the switch to a new one is read (the
/// old handle is drained after the switch is seen), but data written to it after that is not; with copytruncate,
/// what the writer appended between the last poll and the copy is only in the copy.
/// </para>
/// </remarks>
public sealed class AlertFileTailer
{
    private const int CountChunkBytes = 1024 * 1024;
    private const int BackScanChunkBytes = 64 * 1024;

    private readonly TimeProvider _timeProvider;
    private readonly TailerOptions _options;

    /// <summary>Follows <paramref name="path"/>; nothing is opened until <see cref="ReadAsync"/> is enumerated.</summary>
    public AlertFileTailer(string path, TimeProvider timeProvider, TailerOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PollInterval, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxLineBytes, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(options.MaxLineBytes, Array.MaxLength, nameof(options));
        Path = System.IO.Path.GetFullPath(path);
        _timeProvider = timeProvider;
        _options = options;
    }

    /// <summary>The followed path, made absolute.</summary>
    public string Path { get; }

    /// <summary>
    /// Every non-blank line from the start position on, forever (until cancelled). Malformed and oversized lines are
    /// yielded with their error, not thrown. A missing file is waited for.
    /// </summary>
    /// <param name="resumeFrom">A saved <see cref="TailedLine.PositionAfter"/>, or null to start as the options say.</param>
    /// <param name="cancellationToken">Stops following; the enumeration then throws <see cref="OperationCanceledException"/>.</param>
    public async IAsyncEnumerable<TailedLine> ReadAsync(TailPosition? resumeFrom, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var waited = false;
        OpenFile? first;
        while ((first = TryOpen(Path)) is null)
        {
            if (_options.StopAtEnd)
            {
                yield break;
            }

            if (!waited && _options.StartChosen is { } missing)
            {
                await missing(new TailPosition("", 0), cancellationToken);
            }

            waited = true;
            await Task.Delay(_options.PollInterval, _timeProvider, cancellationToken);
        }

        var cursor = new Cursor(first, new LineSplitter(_options.MaxLineBytes));
        using var lag = Telemetry.RiposteMetrics.ObserveTail(System.IO.Path.GetFullPath(Path), () => LagOf(cursor));
        try
        {
            var start = await ChooseStartAsync(first, resumeFrom, waited, cancellationToken);
            if (_options.StartChosen is { } chosen)
            {
                await chosen(new TailPosition(first.Identity, start), cancellationToken);
            }

            var linesBefore = start > 0 && _options.CountLinesBeforeStart ? await CountLinesAsync(first.Handle, start, cancellationToken) : 0;
            cursor.Splitter.Reset(start, linesBefore);
            if (start > 0)
            {
                cursor.LastByte = await ReadByteAsync(first.Handle, start - 1, cancellationToken);
            }

            while (true)
            {
                await foreach (var line in ReadAvailableAsync(cursor, cancellationToken))
                {
                    yield return line;
                }

                if (cursor.ContentChanged || UnixFileStatus.FromHandle(cursor.File.Handle).Size < cursor.Splitter.ReadOffset)
                {
                    // Truncated in place (copytruncate): what was buffered is all there will ever be of its line.
                    var partial = cursor.Splitter.TakePartialLine();
                    if (partial is not null)
                    {
                        yield return new TailedLine(partial, new TailPosition(cursor.File.Identity, 0));
                    }

                    cursor.Splitter.Reset(0, 0);
                    cursor.ContentChanged = false;
                    continue;
                }

                var replacement = TryOpenReplacement(cursor.File);
                if (replacement is not null)
                {
                    // The writer may have appended to the old file after our last read and before it switched.
                    await foreach (var line in ReadAvailableAsync(cursor, cancellationToken))
                    {
                        yield return line;
                    }

                    var partial = cursor.Splitter.TakePartialLine();
                    if (partial is not null)
                    {
                        yield return new TailedLine(partial, new TailPosition(replacement.Identity, 0));
                    }

                    cursor.File.Dispose();
                    cursor.File = replacement;
                    cursor.Splitter.Reset(0, 0);
                    cursor.ContentChanged = false;
                    continue;
                }

                if (_options.StopAtEnd)
                {
                    var rest = cursor.Splitter.TakePartialLine();
                    if (rest is not null)
                    {
                        yield return new TailedLine(rest, new TailPosition(cursor.File.Identity, cursor.Splitter.ReadOffset));
                    }

                    yield break;
                }

                await Task.Delay(_options.PollInterval, _timeProvider, cancellationToken);
            }
        }
        finally
        {
            cursor.File.Dispose();
        }
    }

    /// <summary>
    /// Called at scrape time, on another thread: one fstat of the open file. The file may be swapped or closed meanwhile
    /// (rotation, stop), so a lag that cannot be read is left out rather than guessed.
    /// </summary>
    private static long? LagOf(Cursor cursor)
    {
        try
        {
            return Math.Max(0, UnixFileStatus.FromHandle(cursor.File.Handle).Size - cursor.Splitter.ConsumedOffset);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or IOException)
        {
            return null;
        }
    }

    /// <summary>Reads the open file to its current end, yielding each complete line.</summary>
    private static async IAsyncEnumerable<TailedLine> ReadAvailableAsync(Cursor cursor, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var splitter = cursor.Splitter;
        while (true)
        {
            var buffer = splitter.GetReadBuffer();
            var offset = splitter.ReadOffset;
            int read;
            if (offset == 0)
            {
                read = await RandomAccess.ReadAsync(cursor.File.Handle, buffer, 0, cancellationToken);
            }
            else
            {
                // Re-read the byte before the position in the same call: if it changed, the file was truncated and
                // rewritten past our position between two polls, which the size alone cannot show.
                var total = await RandomAccess.ReadAsync(cursor.File.Handle, [cursor.CheckByte, buffer], offset - 1, cancellationToken);
                if (total > 0 && cursor.CheckByte.Span[0] != cursor.LastByte)
                {
                    cursor.ContentChanged = true;
                    yield break;
                }

                read = (int)Math.Max(0, total - 1);
            }

            if (read == 0)
            {
                yield break;
            }

            cursor.LastByte = buffer.Span[read - 1];
            splitter.Advance(read);
            while (splitter.TryTakeLine(out var line))
            {
                if (line is not null)
                {
                    yield return new TailedLine(line, new TailPosition(cursor.File.Identity, splitter.ConsumedOffset));
                }
            }
        }
    }

    private async ValueTask<long> ChooseStartAsync(OpenFile file, TailPosition? resumeFrom, bool waited, CancellationToken cancellationToken)
    {
        var size = UnixFileStatus.FromHandle(file.Handle).Size;
        if (resumeFrom is not null)
        {
            var offset = resumeFrom.Offset;
            var sameFile = resumeFrom.FileIdentity == file.Identity && offset >= 0 && offset <= size;
            return sameFile && (offset == 0 || await ReadByteAsync(file.Handle, offset - 1, cancellationToken) == '\n') ? offset : 0;
        }

        // A file created after we started holds only new alerts.
        return _options.StartAtEnd && !waited ? await StartOfLastLineAsync(file.Handle, size, cancellationToken) : 0;
    }

    /// <summary>Just after the last newline before <paramref name="size"/>, so that a line being written is not cut.</summary>
    private async ValueTask<long> StartOfLastLineAsync(SafeFileHandle handle, long size, CancellationToken cancellationToken)
    {
        var buffer = new byte[BackScanChunkBytes];
        var end = size;
        while (end > 0 && size - end <= _options.MaxLineBytes)
        {
            var length = (int)Math.Min(buffer.Length, end);
            var read = await RandomAccess.ReadAsync(handle, buffer.AsMemory(0, length), end - length, cancellationToken);
            var newline = buffer.AsSpan(0, read).LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                return end - length + newline + 1;
            }

            end -= length;
        }

        // No newline: the whole file is one line being written, or the last line is too long to matter.
        return end == 0 ? 0 : size;
    }

    private static async ValueTask<long> CountLinesAsync(SafeFileHandle handle, long end, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CountChunkBytes);
        try
        {
            long lines = 0;
            long offset = 0;
            while (offset < end)
            {
                var read = await RandomAccess.ReadAsync(handle, buffer.AsMemory(0, (int)Math.Min(buffer.Length, end - offset)), offset, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                lines += buffer.AsSpan(0, read).Count((byte)'\n');
                offset += read;
            }

            return lines;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async ValueTask<int> ReadByteAsync(SafeFileHandle handle, long offset, CancellationToken cancellationToken)
    {
        var one = new byte[1];
        return await RandomAccess.ReadAsync(handle, one, offset, cancellationToken) == 1 ? one[0] : -1;
    }

    /// <summary>The file now at the path when it is not <paramref name="current"/>, opened; otherwise null.</summary>
    private OpenFile? TryOpenReplacement(OpenFile current)
    {
        if (!UnixFileStatus.TryStat(Path, out var status) || status.Identity == current.Identity)
        {
            return null;
        }

        var replacement = TryOpen(Path);
        if (replacement is not null && replacement.Identity == current.Identity)
        {
            replacement.Dispose();
            return null;
        }

        return replacement;
    }

    private static OpenFile? TryOpen(string path)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            // The identity of what was opened, not of the path, which may already name another file.
            return new OpenFile(handle, UnixFileStatus.FromHandle(handle).Identity);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private sealed class OpenFile(SafeFileHandle handle, string identity) : IDisposable
    {
        public SafeFileHandle Handle { get; } = handle;

        public string Identity { get; } = identity;

        public void Dispose() => Handle.Dispose();
    }

    private sealed class Cursor(OpenFile file, LineSplitter splitter)
    {
        public OpenFile File { get; set; } = file;

        public LineSplitter Splitter { get; } = splitter;

        /// <summary>The byte just before <see cref="LineSplitter.ReadOffset"/>, as last read (-1: none yet).</summary>
        public int LastByte { get; set; } = -1;

        public Memory<byte> CheckByte { get; } = new byte[1];

        public bool ContentChanged { get; set; }
    }
}
