using Riposte.Programs;
using Riposte.Sdk;

// riposte-ar is one native executable installed under several names (copies in HOME/active-response/bin/); the name
// it is started under picks the program, as busybox does. Under its own name, RIPOSTE_PROGRAM picks it instead (tests,
// trying a program by hand); the log then names the program as if it had been installed.
const string MultiCallName = "riposte-ar";
const string ProgramVariable = "RIPOSTE_PROGRAM";

var argv0 = WazuhHome.ProcessArgv0();
var name = ResponseProgram.BaseName(argv0);
var effectiveArgv0 = argv0;
if (name == MultiCallName)
{
    if (args is ["--list"])
    {
        Console.Out.Write(string.Join('\n', ProgramCatalog.Names) + "\n");
        return 0;
    }

    var selected = Environment.GetEnvironmentVariable(ProgramVariable);
    if (string.IsNullOrEmpty(selected) || args.Length > 0)
    {
        return Usage();
    }

    name = selected;
    effectiveArgv0 = argv0[..^MultiCallName.Length] + selected;
}

var program = ProgramCatalog.Create(name);
if (program is null)
{
    return Usage();
}

return await ResponseProgram.RunMainAsync(program, effectiveArgv0, new ResponseRunOptions { Home = WazuhHome.ResolveForProcess(argv0) });

static int Usage()
{
    Console.Error.Write($"""
        riposte-ar: Wazuh-compatible active-response programs in one executable.
        Install it under each program's name in HOME/active-response/bin/ (execd and Riposte then run it with the
        protocol on stdin), or run it as riposte-ar with {ProgramVariable}=<name>.
        Programs: {string.Join(", ", ProgramCatalog.Names)}
        riposte-ar --list prints the names, one per line.

        """);
    return 1;
}
