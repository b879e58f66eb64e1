using System.Runtime.InteropServices;
using Ingest.Cli;
using Spectre.Console;

using var cancellation = new CancellationTokenSource();

// The first Ctrl+C cancels the run through the token (the engine cleans up); a second one ends the process.
Console.CancelKeyPress += (_, e) =>
{
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        cancellation.Cancel();
    }
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

var errors = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
return await IngestCli.RunAsync(args, AnsiConsole.Console, errors, cancellation.Token);
