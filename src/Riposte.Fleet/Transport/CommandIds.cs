using System.Security.Cryptography;
using System.Text;

namespace Riposte.Fleet.Transport;

/// <summary>The <c>Nats-Msg-Id</c> of commands.</summary>
public static class CommandIds
{
    /// <summary>
    /// The id of the command an alert makes for one agent: the same alert bytes, response and agent always give the same
    /// id, so a manager that reads an alert again after a crash, or a second manager reading the same alert, publishes a
    /// command NATS (and then the agent) recognises as already sent.
    /// </summary>
    public static string ForAlert(ReadOnlySpan<byte> alert, string arName, string agentId)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(alert);
        hash.AppendData([0]);
        hash.AppendData(Encoding.UTF8.GetBytes(arName));
        hash.AppendData([0]);
        hash.AppendData(Encoding.UTF8.GetBytes(agentId));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..32];
    }

    /// <summary>A fresh id, for commands an operator issues (<c>trigger</c>, <c>revoke</c>).</summary>
    public static string Fresh() => Guid.NewGuid().ToString("N");
}
