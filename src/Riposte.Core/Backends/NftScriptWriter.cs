using System.Globalization;
using System.Text;

namespace Riposte.Backends;

/// <summary>Writes one nft transaction; returns null when the kernel took it, otherwise why it was refused.</summary>
internal interface INftWriter : IDisposable
{
    Task<string?> WriteAsync(NftBatch batch, CancellationToken cancellationToken);
}

/// <summary>
/// The transaction as an nft script on the stdin of one <c>nft -f -</c> (argument vector, no shell): nft sends a
/// whole file to the kernel as one batch, so the batch takes effect entirely or not at all.
/// </summary>
internal sealed class NftScriptWriter(ExternalCommand command) : INftWriter
{
    // nft parses a long element list fine, but shorter lines keep its error messages readable.
    private const int ElementsPerLine = 512;

    public async Task<string?> WriteAsync(NftBatch batch, CancellationToken cancellationToken)
    {
        var result = await command.RunAsync(["nft", "-f", "-"], Script(batch), cancellationToken);
        return result.Succeeded ? null : $"nft -f - exited with {result.ExitCode}: {result.Diagnostic}";
    }

    public void Dispose()
    {
    }

    /// <summary>The script: <c>delete element</c> lines, the refreshes (add, delete), then <c>add element</c> lines, per set.</summary>
    internal static string Script(NftBatch batch)
    {
        var script = new StringBuilder();
        Append(script, "delete", batch.Removes);
        Append(script, "add", batch.Refreshes);
        Append(script, "delete", batch.Refreshes);
        Append(script, "add", batch.Adds);
        return script.ToString();
    }

    private static void Append(StringBuilder script, string verb, IReadOnlyList<NftWriteElement> elements)
    {
        foreach (var group in elements.GroupBy(e => NftLayout.SetFor(e.Target)))
        {
            foreach (var chunk in group.Chunk(ElementsPerLine))
            {
                script.Append(CultureInfo.InvariantCulture, $"{verb} element {NftLayout.Family} {NftLayout.Table} {group.Key} {{ ");
                for (var i = 0; i < chunk.Length; i++)
                {
                    if (i > 0)
                    {
                        script.Append(", ");
                    }

                    script.Append(chunk[i].Target.Value);
                    if (chunk[i].Timeout is { } timeout)
                    {
                        script.Append(CultureInfo.InvariantCulture, $" timeout {(long)timeout.TotalSeconds}s");
                    }
                }

                script.Append(" }\n");
            }
        }
    }
}
