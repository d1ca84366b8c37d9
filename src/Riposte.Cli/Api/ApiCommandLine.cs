using System.Net;
using Riposte.Cli.Daemon;
using Riposte.Config.Settings;

namespace Riposte.Cli.Api;

/// <summary><c>serve --api HOST:PORT --api-token-file FILE</c>, over the settings' <c>api</c> section.</summary>
internal static class ApiCommandLine
{
    /// <summary>
    /// The API to start (null options: none), or false with the exit code when the daemon must refuse to start: a
    /// listener without a token, or a token file that is missing, empty, a symlink or readable by others.
    /// </summary>
    public static bool TryResolve(string? listenFlag, string? tokenFlag, RiposteHome layout, CliIo io, out ApiOptions? options, out int exitCode)
    {
        options = null;
        exitCode = ExitCodes.Ok;
        var settings = layout.Settings.Api;
        ListenEndpoint? listen = settings.Listen;
        if (listenFlag is not null)
        {
            if (!ListenEndpoint.TryParse(listenFlag, out listen, out var error))
            {
                io.Error.WriteLine($"--api: {error}");
                exitCode = ExitCodes.Usage;
                return false;
            }
        }

        var tokenFile = tokenFlag is not null ? Path.GetFullPath(tokenFlag) : settings.TokenFile is { } fromSettings ? Path.GetFullPath(fromSettings, layout.Home) : null;
        if (listen is null)
        {
            if (tokenFlag is not null)
            {
                io.Error.WriteLine("--api-token-file needs --api HOST:PORT (or api.listen in the settings)");
                exitCode = ExitCodes.Usage;
                return false;
            }

            return true;
        }

        if (!listen.IsLoopback && !IPAddress.TryParse(listen.Host, out _))
        {
            io.Error.WriteLine($"--api {listen}: give an IP address (127.0.0.1, ::1, 0.0.0.0) or localhost, not a host name");
            exitCode = ExitCodes.Usage;
            return false;
        }

        if (tokenFile is null)
        {
            io.Error.WriteLine($"the API on {listen} needs a token: give --api-token-file FILE (or api.token_file in the settings); every network surface needs authentication");
            exitCode = ExitCodes.Usage;
            return false;
        }

        if (ApiToken.Load(tokenFile, out var tokenError) is not { } token)
        {
            io.Error.WriteLine($"refusing to start: {tokenError}");
            exitCode = ExitCodes.InvalidInput;
            return false;
        }

        options = new ApiOptions(listen, token, tokenFile);
        return true;
    }
}
