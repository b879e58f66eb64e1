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

// Output piped to a file or another program is not wrapped at 80 columns.
const int PipedWidth = 240;
var output = AnsiConsole.Console;
if (Console.IsOutputRedirected)
{
    output.Profile.Width = PipedWidth;
}

var errors = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
if (Console.IsErrorRedirected)
{
    errors.Profile.Width = PipedWidth;
}

return await IngestCli.RunAsync(args, output, errors, cancellation.Token);
