namespace Riposte.State;

/// <summary>How far an input source has been consumed, so a restart resumes instead of replaying or skipping.</summary>
/// <param name="Source">The source, e.g. <c>file:/var/ossec/logs/alerts/alerts.json</c>.</param>
/// <param name="FileIdentity">The file the offset belongs to, as <c>dev:inode</c>, so a rotated file is noticed.</param>
/// <param name="Offset">The byte offset just past the last line fully handled.</param>
public sealed record SourceCheckpoint(string Source, string FileIdentity, long Offset);
