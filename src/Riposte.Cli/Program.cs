using Riposte.Cli;

Console.OutputEncoding = new System.Text.UTF8Encoding(false);
return await RiposteCli.RunAsync(args, CliIo.FromConsole());
