using Riposte.Alerts;

namespace Riposte.Inputs;

/// <summary>How <see cref="AlertFileTailer"/> follows its file.</summary>
public sealed record TailerOptions
{
    /// <summary>How often the file is checked for new data, rotation and truncation once everything has been read.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Without a checkpoint, start after the last complete line (true, like <c>tail -f</c>) or at the beginning (false,
    /// <c>--from-start</c>). A file that did not exist yet when following started is always read from its beginning.
    /// </summary>
    public bool StartAtEnd { get; init; } = true;

    /// <summary>Lines longer than this are reported as malformed and skipped without being buffered.</summary>
    public int MaxLineBytes { get; init; } = JsonLinesReader.DefaultMaxLineBytes;

    /// <summary>
    /// When starting in the middle of a file, count the lines before the start so that line numbers are the file's
    /// (one sequential read of that part, once per start). When false, line numbers count from the start position.
    /// </summary>
    public bool CountLinesBeforeStart { get; init; } = true;

    /// <summary>
    /// Stop at the end of the file instead of following it (<c>serve --until-idle</c>); a final line without its
    /// newline is then delivered as it is, and a missing file ends the enumeration at once.
    /// </summary>
    public bool StopAtEnd { get; init; }

    /// <summary>
    /// Called once reading has a start, before the first line: with the chosen file and offset, or, when the file does
    /// not exist yet, with an empty identity (which no file has: resuming from it reads whatever file appears from its
    /// beginning). Saving it as the checkpoint makes a restart resume there instead of jumping to the end again.
    /// </summary>
    public Func<TailPosition, CancellationToken, ValueTask>? StartChosen { get; init; }
}
