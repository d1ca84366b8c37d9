namespace Riposte.Inputs;

/// <summary>One datagram received on the exec queue: a message body as analysisd or agentd sent it, no terminator.</summary>
/// <param name="Body">The bytes received; at most <see cref="ExecQueueListener.MaxMessageBytes"/>. The array is the message's own.</param>
/// <param name="Sequence">1-based order of reception on this listener.</param>
/// <param name="Truncated">
/// True when the datagram was longer than <see cref="ExecQueueListener.MaxMessageBytes"/>: <see cref="Body"/> holds its
/// first bytes only, the rest was dropped by the kernel (wazuh-execd would act on the cut body; report it instead).
/// </param>
public sealed record ExecQueueMessage(ReadOnlyMemory<byte> Body, long Sequence, bool Truncated = false);
