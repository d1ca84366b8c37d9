using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Riposte.Cli.Api;

namespace Riposte.Cli.Dashboard;

/// <summary>
/// How a browser proves it holds the API token: a browser cannot put a bearer header on a page load or an
/// EventSource, so signing in with the token sets an HttpOnly, SameSite=Strict cookie holding a value derived from it.
/// A cross-site page can neither read that cookie nor make the browser send it; writes made with the cookie must also
/// carry <see cref="RequestHeader"/>, which a cross-site form cannot set.
/// </summary>
internal sealed class DashboardSession(ApiToken token)
{
    /// <summary>The session cookie's name.</summary>
    public const string CookieName = "riposte_session";

    /// <summary>The header the dashboard's own requests carry (the answer to cross-site request forgery).</summary>
    public const string RequestHeader = "X-Riposte-Request";

    private readonly byte[] _expected = Encoding.ASCII.GetBytes(token.Derive("riposte dashboard session v1"));

    /// <summary>True when the request carries a valid session cookie.</summary>
    public bool IsSignedIn(HttpRequest request) =>
        request.Cookies.TryGetValue(CookieName, out var value) && value is not null &&
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.ASCII.GetBytes(value)), SHA256.HashData(_expected));

    /// <summary>Sets the cookie on <paramref name="response"/>; a browser session cookie (gone when the browser closes).</summary>
    public void SignIn(HttpResponse response, bool secure) =>
        response.Cookies.Append(CookieName, Encoding.ASCII.GetString(_expected), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = secure,
            Path = "/",
            IsEssential = true,
        });

    /// <summary>Removes the cookie.</summary>
    public static void SignOut(HttpResponse response) => response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", SameSite = SameSiteMode.Strict });
}
