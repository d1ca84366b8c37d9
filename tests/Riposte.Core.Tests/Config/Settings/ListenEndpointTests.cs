namespace Riposte.Config.Settings;

public sealed class ListenEndpointTests
{
    [Theory]
    [InlineData("127.0.0.1:9595", "127.0.0.1", 9595, true)]
    [InlineData("0.0.0.0:1", "0.0.0.0", 1, false)]
    [InlineData("[::1]:9595", "::1", 9595, true)]
    [InlineData("[::]:65535", "::", 65535, false)]
    [InlineData("localhost:9595", "localhost", 9595, true)]
    [InlineData("riposte.internal:443", "riposte.internal", 443, false)]
    public void Parses(string text, string host, int port, bool loopback)
    {
        ListenEndpoint.TryParse(text, out var endpoint, out string? error).ShouldBeTrue(error);
        endpoint.ShouldBe(new ListenEndpoint(host, port));
        endpoint.IsLoopback.ShouldBe(loopback);
        endpoint.ToString().ShouldBe(text);
    }

    [Theory]
    [InlineData("0.0.0.0:80", true)]
    [InlineData("[::]:80", true)]
    [InlineData("10.0.0.1:80", false)]
    [InlineData("localhost:80", false)]
    public void Wildcards(string text, bool wildcard)
    {
        ListenEndpoint.TryParse(text, out var endpoint, out _).ShouldBeTrue();
        endpoint.IsWildcard.ShouldBe(wildcard);
    }
}
