using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Riposte.Notifications.Channels;

/// <summary>A server certificate checked against CAs of the operator's own (an SMTP relay with a private CA).</summary>
internal static class PrivateCa
{
    /// <summary>The certificates in a PEM file; an unreadable file or one with none fails the send with why.</summary>
    public static X509Certificate2Collection Load(string path)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new IOException($"the CA file '{path}' cannot be read as PEM certificates: {e.Message}", e);
        }

        return authorities.Count > 0 ? authorities : throw new IOException($"the CA file '{path}' holds no PEM certificate");
    }

    /// <summary>
    /// True when <paramref name="certificate"/> chains to one of <paramref name="authorities"/> (and only to them: the
    /// system's roots do not count) and TLS found its name right. Revocation is not checked: private CAs rarely publish
    /// a revocation list an SMTP client could reach.
    /// </summary>
    public static bool Trusts(X509Certificate2Collection authorities, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // A certificate for servers, as the system's check demands too.
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"));
        var leaf = certificate as X509Certificate2;
        using var copy = leaf is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
        return chain.Build(leaf ?? copy!);
    }
}
