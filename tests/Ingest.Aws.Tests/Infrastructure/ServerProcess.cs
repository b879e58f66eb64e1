using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ingest.Aws.Tests.Infrastructure;

/// <summary>A Node server started on a loopback port for the tests, killed (with its children) on dispose.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly string _name;
    private readonly string _script;
    private readonly Func<int, string[]> _arguments;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private ServerProcess(string name, string script, int port, Func<int, string[]> arguments)
    {
        _name = name;
        _script = script;
        Port = port;
        _arguments = arguments;
    }

    public int Port { get; }

    /// <summary>Gets the file that keeps what the server printed (for a server that died during the tests).</summary>
    public string LogFile => Path.Combine(Path.GetTempPath(), "ingest-aws-tests", $"{_name}-{Port}.log");

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Gets what the server printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts a Node script from the repository on a free loopback port and waits until the port accepts connections.</summary>
    public static async Task<ServerProcess> StartAsync(string name, string script, Func<int, string[]> arguments, int? port = null)
    {
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"{name}: {script} is missing. Install the test servers first: npm ci --prefix tests");
        }

        var server = new ServerProcess(name, script, port ?? FreePort(), arguments);
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts (again, after <see cref="KillAsync"/>) on the same port with the same arguments.</summary>
    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(_script);
        foreach (var argument in _arguments(Port))
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("Process.Start returned null.");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new InvalidOperationException($"{_name}: could not start 'node' ({ex.Message}). Node.js 20+ must be on PATH for the AWS tests.", ex);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(LogFile)!);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{_name} exited with code {process.ExitCode} before it answered on port {Port}:{Environment.NewLine}{Output}");
            }

            if (await AcceptsAsync(Port))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                await KillAsync();
                throw new InvalidOperationException($"{_name} did not answer on port {Port} within 30 s:{Environment.NewLine}{Output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Kills the server at once (no shutdown), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }

    public ValueTask DisposeAsync() => new(KillAsync());

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            File.AppendAllText(LogFile, line + Environment.NewLine);
        }
    }
}
