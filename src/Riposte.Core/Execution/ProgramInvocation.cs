namespace Riposte.Execution;

/// <summary>
/// Which program to run, the way wazuh-execd names it: a path relative to the Wazuh home directory.
/// </summary>
/// <param name="Home">The Wazuh home directory; the program runs with it as its working directory.</param>
/// <param name="RelativePath">The program, relative to <paramref name="Home"/> (e.g. <c>active-response/bin/firewall-drop</c>).
/// It is also the program's only argument, <c>argv[0]</c>. Checking it (no <c>..</c>) is the caller's job.</param>
public sealed record ProgramInvocation(string Home, string RelativePath);
