using Riposte.Sdk;

namespace Riposte.Programs;

/// <summary>The programs <c>riposte-ar</c> contains, by the name each is installed under.</summary>
internal static class ProgramCatalog
{
    /// <summary>Every program name, in the order they are documented.</summary>
    public static readonly string[] Names =
        ["firewall-drop", "nft-drop", "ipset-drop", "host-deny", "route-null", "disable-account", "firewalld-drop", "restart-service", "webhook"];

    /// <summary>The program installed as <paramref name="name"/>, or null.</summary>
    public static ResponseProgram? Create(string name) => name switch
    {
        "firewall-drop" => new FirewallDrop(),
        "nft-drop" => new NftDrop(),
        "ipset-drop" => new IpsetDrop(),
        "host-deny" => new HostDeny(),
        "route-null" => new RouteNull(),
        "disable-account" => new DisableAccount(),
        "firewalld-drop" => new FirewalldDrop(),
        "restart-service" => new RestartService(),
        "webhook" => new Webhook(),
        _ => null,
    };
}
