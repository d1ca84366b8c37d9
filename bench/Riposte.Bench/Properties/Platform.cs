using System.Runtime.Versioning;

// The fleet rows drive Riposte.Fleet (Linux only) and run agents, nats-server and bash: the benchmarks run on Linux.
[assembly: SupportedOSPlatform("linux")]
