using Riposte.Bench;

return BenchRunner.Run(args);
