namespace Riposte.Programs.Tests;

public static class Addresses
{
    /// <summary>
    /// Whether a tool's rendering of an address or network is <paramref name="key"/>: tools drop a host prefix
    /// (<c>/32</c>, <c>/128</c>) or print it.
    /// </summary>
    public static bool Same(string shown, string key) =>
        shown == key || (!key.Contains('/', StringComparison.Ordinal) && (shown == key + "/32" || shown == key + "/128"));
}
