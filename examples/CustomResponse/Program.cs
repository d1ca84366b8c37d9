using Riposte.Sdk;

return await ResponseProgram.RunMainAsync(new BlocklistFile());

/// <summary>Keeps blocked IPs in HOME/blocklist.txt, one per line: add appends, delete removes.</summary>
internal sealed class BlocklistFile : ResponseProgram
{
    public override string Name => "blocklist-file";

    // Stateful (the default): the runner sends these keys in check_keys and acts only on "continue".
    public override IReadOnlyList<string> GetKeys(ResponseContext context) => [context.RequireSourceIp()];

    public override async Task<ResponseOutcome> AddAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        await File.AppendAllTextAsync(ListPath(context), context.Keys[0] + "\n", cancellationToken);
        return ResponseOutcome.Ended;
    }

    public override async Task<ResponseOutcome> DeleteAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        var path = ListPath(context);
        var kept = File.Exists(path) ? (await File.ReadAllLinesAsync(path, cancellationToken)).Where(line => line != context.Keys[0]) : [];
        await File.WriteAllLinesAsync(path, kept, cancellationToken);
        return ResponseOutcome.Ended;
    }

    private static string ListPath(ResponseContext context) => Path.Combine(context.Home, "blocklist.txt");
}
