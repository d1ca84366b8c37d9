using System.Text;

namespace Riposte.Sdk;

/// <summary>
/// A Wazuh active-response program. Derive, give it a <see cref="Name"/>, say which keys identify what it blocks
/// (<see cref="GetKeys"/>), implement <see cref="AddAsync"/> and <see cref="DeleteAsync"/>, and call
/// <see cref="RunMainAsync(ResponseProgram, ResponseRunOptions?)"/> from <c>Main</c>: the runner then reads and validates
/// the message, does the <c>check_keys</c>/<c>continue</c>/<c>abort</c> handshake for stateful programs and logs
/// every step exactly as Wazuh's own programs do, so execd, Riposte and Wazuh's rules 650–658 see no difference.
/// Linux only (the log and locks use libc directly); the assembly is not marked so, so that programs need no
/// platform attribute of their own, and the runner says so at run time instead.
/// </summary>
public abstract class ResponseProgram
{
    /// <summary>Wazuh's OS_INVALID as an exit code: the input was refused.</summary>
    public const int InvalidExitCode = 255;

    /// <summary>The program's name (<c>firewall-drop</c>): what it is installed as.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// True (the default) for programs whose <c>add</c> is undone by a later <c>delete</c>: they send their keys and
    /// act only if execd answers <c>continue</c>. Stateless programs (notifications, restarts) skip the handshake.
    /// </summary>
    public virtual bool Stateful => true;

    /// <summary>
    /// Validates the message and returns the keys that identify this response (execd's timeout entry is
    /// <c>&lt;program&gt;-&lt;key&gt;...</c>). Called for add and delete, before anything else; throw
    /// <see cref="ResponseException"/> to refuse the input (e.g. via <see cref="ResponseContext.RequireSourceIp"/>).
    /// </summary>
    public virtual IReadOnlyList<string> GetKeys(ResponseContext context) => [];

    /// <summary>
    /// <see cref="GetKeys"/> for checks that need I/O (looking an account up, say) before the handshake; the runner
    /// calls this one, and by default it returns <see cref="GetKeys"/>.
    /// </summary>
    public virtual Task<IReadOnlyList<string>> GetKeysAsync(ResponseContext context, CancellationToken cancellationToken) =>
        Task.FromResult(GetKeys(context));

    /// <summary>Applies the response (after <c>continue</c> for stateful programs).</summary>
    public abstract Task<ResponseOutcome> AddAsync(ResponseContext context, CancellationToken cancellationToken);

    /// <summary>Undoes the response. Deleting something already gone is not an error.</summary>
    public abstract Task<ResponseOutcome> DeleteAsync(ResponseContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="program"/> as the process: argv0 from <c>/proc/self/cmdline</c>, the home found from it (and
    /// made the working directory, as Wazuh's helper does), the standard streams.
    /// </summary>
    public static Task<int> RunMainAsync(ResponseProgram program, ResponseRunOptions? options = null) =>
        RunMainAsync(program, WazuhHome.ProcessArgv0(), options);

    /// <summary>Runs <paramref name="program"/> as the process under the name <paramref name="argv0"/>.</summary>
    public static async Task<int> RunMainAsync(ResponseProgram program, string argv0, ResponseRunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        options ??= new ResponseRunOptions();
        var home = options.Home ?? WazuhHome.ResolveForProcess(argv0);
        if (Directory.Exists(home))
        {
            // Wazuh's helper changes to the home too; relative paths a program uses then mean the same as under Wazuh.
            Environment.CurrentDirectory = home;
        }

        options = With(options, home);
        await using var stdin = Console.OpenStandardInput();
        await using var stdout = Console.OpenStandardOutput();
        return await RunAsync(program, argv0, stdin, stdout, options).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="program"/> on one protocol exchange and returns its exit code: logs <c>Starting</c>; reads
    /// and logs line 1 (<c>Cannot read input from stdin</c> / <c>Invalid input format</c> / <c>Invalid value of
    /// 'command'</c> → 255); validates and gets the keys; for a stateful <c>add</c> writes <c>check_keys</c> and reads
    /// <c>continue</c> (act) or <c>abort</c> (log <c>Aborted</c>, exit 0); acts; logs the outcome and <c>Ended</c>.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    public static async Task<int> RunAsync(
        ResponseProgram program,
        string argv0,
        Stream stdin,
        Stream stdout,
        ResponseRunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(argv0);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Riposte.Sdk programs run on Linux.");
        }

        options ??= new ResponseRunOptions();
        var home = options.Home ?? WazuhHome.ResolveForProcess(argv0);
        var log = new ResponseLog(options.LogPath ?? Path.Combine(home, "logs", "active-responses.log"), argv0, options.TimeProvider);
        var reader = new LineReader(stdin);

        log.Write(WazuhMessages.Starting);
        using var message = await ReadMessageAsync(reader, log, cancellationToken).ConfigureAwait(false);
        if (message is null)
        {
            return InvalidExitCode;
        }

        ResponseCommand command;
        switch (message.Command)
        {
            case "add":
                command = ResponseCommand.Add;
                break;
            case "delete":
                command = ResponseCommand.Delete;
                break;
            default:
                log.Write(WazuhMessages.InvalidCommand);
                return InvalidExitCode;
        }

        var context = new ResponseContext(message, command, argv0, home, log, With(options, home));
        try
        {
            context.Keys = await program.GetKeysAsync(context, cancellationToken).ConfigureAwait(false);
            if (command == ResponseCommand.Add && program.Stateful)
            {
                var answer = await HandshakeAsync(context, reader, stdout, cancellationToken).ConfigureAwait(false);
                if (answer is null)
                {
                    return InvalidExitCode;
                }

                if (answer == "abort")
                {
                    log.Write(WazuhMessages.Aborted);
                    return 0;
                }
            }

            var outcome = command == ResponseCommand.Add
                ? await program.AddAsync(context, cancellationToken).ConfigureAwait(false)
                : await program.DeleteAsync(context, cancellationToken).ConfigureAwait(false);
            if (outcome.Message is not null)
            {
                log.Write(outcome.Message);
            }

            if (outcome.LogEnded)
            {
                log.Write(WazuhMessages.Ended);
            }

            return outcome.ExitCode;
        }
        catch (ResponseException e)
        {
            log.Write(e.Message);
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.Write("Cancelled");
            return 1;
        }
        catch (Exception e)
        {
            // A bug or an unexpected system error: leave a trace where Wazuh users look, with a failure code.
            log.Write($"Unexpected error: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    /// <summary>The part of <paramref name="path"/> after its last slash (Wazuh's <c>basename_ex</c>).</summary>
    public static string BaseName(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var slash = path.LastIndexOf('/');
        return slash >= 0 ? path[(slash + 1)..] : path;
    }

    /// <summary>Writes <c>check_keys</c>, reads the answer; returns <c>continue</c>/<c>abort</c>, or null after logging why not.</summary>
    private static async Task<string?> HandshakeAsync(ResponseContext context, LineReader reader, Stream stdout, CancellationToken cancellationToken)
    {
        var control = ControlMessage.CheckKeys(context.ProgramName, context.Keys);
        context.Log.Write(control);
        try
        {
            await stdout.WriteAsync(Encoding.UTF8.GetBytes(control + "\n"), cancellationToken).ConfigureAwait(false);
            await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // execd is gone; reading its answer will fail and say so.
        }

        using var answer = await ReadMessageAsync(reader, context.Log, cancellationToken).ConfigureAwait(false);
        if (answer is null)
        {
            return null;
        }

        if (answer.Command is "continue" or "abort")
        {
            return answer.Command;
        }

        context.Log.Write(WazuhMessages.InvalidCommand);
        return null;
    }

    private static async Task<ResponseMessage?> ReadMessageAsync(LineReader reader, ResponseLog log, CancellationToken cancellationToken)
    {
        byte[]? line;
        try
        {
            line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            line = null;
        }

        if (line is null)
        {
            log.Write(WazuhMessages.CannotReadInput);
            return null;
        }

        log.Write(line);
        if (!ResponseMessage.TryParse(line, out var message))
        {
            log.Write(WazuhMessages.InvalidInputFormat);
            return null;
        }

        return message;
    }

    private static ResponseRunOptions With(ResponseRunOptions options, string home) => options.Home == home ? options : new ResponseRunOptions
    {
        Home = home,
        LogPath = options.LogPath,
        TimeProvider = options.TimeProvider,
        SearchPath = options.SearchPath,
        Environment = options.Environment,
        LockTimeout = options.LockTimeout,
    };
}
