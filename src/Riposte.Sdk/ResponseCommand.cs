namespace Riposte.Sdk;

/// <summary>What execd asks a program to do (the <c>command</c> of the first line).</summary>
public enum ResponseCommand
{
    /// <summary><c>add</c>: apply the response (after the <c>check_keys</c> handshake for stateful programs).</summary>
    Add,

    /// <summary><c>delete</c>: undo it (timeout expiry, revoke or shutdown); no handshake.</summary>
    Delete,
}
