// Riposte drives Linux facilities (process sessions, Unix sockets, file modes, netfilter): it runs on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
