namespace Riposte.Config;

/// <summary>
/// Bounds on configuration input. ossec.conf and riposte.json files are a few kilobytes; the bounds are far above
/// any real file and low enough that a hostile or broken file is refused quickly, in bounded memory.
/// </summary>
public static class ConfigLimits
{
    /// <summary>Largest file read (4 MiB); larger files are refused before parsing.</summary>
    public const int MaxFileBytes = 4 * 1024 * 1024;

    /// <summary>Deepest element nesting in ossec.conf, counting the root as 1 (real files use 3 or 4).</summary>
    public const int MaxDepth = 64;

    /// <summary>Most attributes on one ossec.conf element (real elements have at most 2).</summary>
    public const int MaxAttributesPerElement = 256;

    /// <summary>Most elements in one ossec.conf file (a large manager configuration has a few thousand).</summary>
    public const int MaxElements = 100_000;
}
