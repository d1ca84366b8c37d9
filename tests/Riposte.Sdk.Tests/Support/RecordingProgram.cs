using Riposte.Sdk;

namespace Riposte.Support;

/// <summary>A program for runner tests: keys from srcip (or none), and a record of what it was asked to do.</summary>
internal sealed class RecordingProgram(string name = "firewall-drop", bool stateful = true) : ResponseProgram
{
    public override string Name => name;

    public override bool Stateful => stateful;

    public Func<ResponseContext, IReadOnlyList<string>> Keys { get; init; } = context => [context.RequireSourceIp()];

    public Func<ResponseContext, ResponseOutcome> Action { get; init; } = _ => ResponseOutcome.Ended;

    public List<string> Calls { get; } = [];

    public override IReadOnlyList<string> GetKeys(ResponseContext context) => Keys(context);

    public override Task<ResponseOutcome> AddAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        Calls.Add("add " + string.Join(",", context.Keys));
        return Task.FromResult(Action(context));
    }

    public override Task<ResponseOutcome> DeleteAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        Calls.Add("delete " + string.Join(",", context.Keys));
        return Task.FromResult(Action(context));
    }
}
