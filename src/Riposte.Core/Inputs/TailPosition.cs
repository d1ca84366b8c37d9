using Riposte.Alerts;

namespace Riposte.Inputs;

/// <summary>Where to resume following a file: which file (by identity, not name) and the byte offset in it.</summary>
/// <param name="FileIdentity">
/// <c>"dev:inode"</c> of the file (decimal, as <c>stat -c '%d:%i'</c> prints them). A rotated file keeps its identity
/// under its new name, and the new file at the followed path gets a new one.
/// </param>
/// <param name="Offset">Byte offset of the next line to read; always the start of a line.</param>
public sealed record TailPosition(string FileIdentity, long Offset);

/// <summary>A line read from a followed file.</summary>
/// <param name="Line">The alert, or the reason the line could not be read; offsets are file offsets.</param>
/// <param name="PositionAfter">
/// Where to resume once this line has been fully handled: save it only after acting on the line, so that a crash
/// repeats at most the line in progress and never skips it.
/// </param>
public sealed record TailedLine(AlertLine Line, TailPosition PositionAfter);
