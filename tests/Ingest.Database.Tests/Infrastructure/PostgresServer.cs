using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Ingest.Database.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of the tests' own: <c>initdb</c> into a temporary folder and <c>postgres</c> on a free loopback port, with
/// password (SCRAM) authentication over TCP, run as the <c>postgres</c> OS user when the tests run as root (PostgreSQL refuses root).
/// Binaries come from <c>INGEST_PG_BIN</c> or the newest <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> (<c>scripts/postgres.sh install</c>).
/// When it cannot start, every test of the collection fails with the reason; with <c>INGEST_REQUIRE_EMULATORS=1</c> the fixture itself fails.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string User = "ingest";

    private readonly StringBuilder _output = new();
    private string? _unavailable;
    private Process? _process;
    private string? _folder;

    public string Password { get; } = "pw-" + Guid.NewGuid().ToString("N")[..12];

    public int Port { get; private set; }

    public static bool Required => Environment.GetEnvironmentVariable("INGEST_REQUIRE_EMULATORS") == "1";

    /// <summary>Gets a connection string to <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = User,
        Password = Password,
        Database = database,
        Pooling = false,
    }.ConnectionString;

    /// <summary>Fails the calling test with the reason when the server did not start.</summary>
    public void Require()
    {
        if (_unavailable is not null)
        {
            throw new InvalidOperationException(_unavailable);
        }
    }

    /// <summary>Creates a database of its own for one test and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        Require();
        var name = "t_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(ConnectionString(), $"CREATE DATABASE {name}");
        return ConnectionString(name);
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch (Exception ex)
        {
            _unavailable = $"PostgreSQL could not start ({ex.Message}). Install it with scripts/postgres.sh install (Debian: apt-get install -y postgresql).{Environment.NewLine}{Output}";
            await DisposeAsync();
            if (Required)
            {
                throw new InvalidOperationException(_unavailable + " (INGEST_REQUIRE_EMULATORS=1: failing instead of skipping)", ex);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        if (_folder is not null && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private async Task StartAsync()
    {
        var bin = FindBinaries();
        var asRoot = Environment.UserName == "root";
        _folder = Directory.CreateTempSubdirectory("ingest-pg-").FullName;
        var data = Path.Combine(_folder, "data");
        var passwordFile = Path.Combine(_folder, "pw");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        if (asRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _folder]);
        }

        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", User, "--pwfile", passwordFile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"], asRoot);
        Port = FreePort();
        _process = Start(Path.Combine(bin, "postgres"), [
            "-D", data, "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", _folder, "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=60",
        ], asRoot);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await ExecuteAsync(ConnectionString(), "SELECT 1");
                return;
            }
            catch (Exception) when (clock.Elapsed < TimeSpan.FromSeconds(30) && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    private static string FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("INGEST_PG_BIN") is { Length: > 0 } configured)
        {
            return configured;
        }

        const string Root = "/usr/lib/postgresql";
        var newest = Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null;
        return newest ?? throw new InvalidOperationException($"no PostgreSQL binaries under {Root} and INGEST_PG_BIN is not set");
    }

    private Process Start(string file, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var prefix in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgres = false)
    {
        using var process = Start(file, arguments, asPostgres);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} exited with {process.ExitCode}");
        }
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            if (line is not null && _output.Length < 20_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
