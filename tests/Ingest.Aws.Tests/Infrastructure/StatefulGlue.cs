using System.Globalization;
using System.Text.Json.Nodes;
using Ingest.Aws.Tests.Protocol;

namespace Ingest.Aws.Tests.Infrastructure;

/// <summary>
/// Answers the loopback server's Glue calls with state, as Glue keeps it: databases; tables by name with a version id
/// (CreateTable fails when the table exists, UpdateTable only at the version read); partitions by their values
/// (BatchCreatePartition reports existing ones as <c>AlreadyExistsException</c>). Requests are still checked against the
/// Glue API model by the server's owner. Thread-safe.
/// </summary>
public sealed class StatefulGlue
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _databases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (JsonNode Table, int Version)> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _partitions = new(StringComparer.Ordinal);

    /// <summary>Serves Glue's database, table and partition calls on <paramref name="server"/>.</summary>
    /// <param name="server">The loopback server.</param>
    /// <param name="everyDatabaseExists">Answers GetDatabase for any name (as a shared account with its databases made).</param>
    public void Serve(LoopbackAwsServer server, bool everyDatabaseExists = false)
    {
        static CannedResponse NotFound(string what) => CannedResponse.Error(400, "EntityNotFoundException", $"{what} not found.");
        server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["GetDatabase"] = r =>
            {
                var name = r.Json["Name"]!.GetValue<string>();
                lock (_gate)
                {
                    return everyDatabaseExists || _databases.Contains(name)
                        ? CannedResponse.Ok(new JsonObject { ["Database"] = new JsonObject { ["Name"] = name } })
                        : NotFound($"Database {name}");
                }
            },
            ["CreateDatabase"] = r =>
            {
                lock (_gate)
                {
                    return _databases.Add(r.Json["DatabaseInput"]!["Name"]!.GetValue<string>())
                        ? CannedResponse.Ok()
                        : CannedResponse.Error(400, "AlreadyExistsException", "Database already exists.");
                }
            },
            ["GetTable"] = r =>
            {
                var key = Key(r.Json["DatabaseName"]!.GetValue<string>(), r.Json["Name"]!.GetValue<string>());
                lock (_gate)
                {
                    if (!_tables.TryGetValue(key, out var entry))
                    {
                        return NotFound("Table");
                    }

                    var table = entry.Table.DeepClone().AsObject();
                    table["DatabaseName"] = r.Json["DatabaseName"]!.GetValue<string>();
                    table["VersionId"] = entry.Version.ToString(CultureInfo.InvariantCulture);
                    return CannedResponse.Ok(new JsonObject { ["Table"] = table });
                }
            },
            ["CreateTable"] = r =>
            {
                var key = Key(r.Json["DatabaseName"]!.GetValue<string>(), r.Json["TableInput"]!["Name"]!.GetValue<string>());
                lock (_gate)
                {
                    if (_tables.ContainsKey(key))
                    {
                        return CannedResponse.Error(400, "AlreadyExistsException", "Table already exists.");
                    }

                    _tables[key] = (r.Json["TableInput"]!.DeepClone(), 1);
                    return CannedResponse.Ok();
                }
            },
            ["UpdateTable"] = r =>
            {
                var key = Key(r.Json["DatabaseName"]!.GetValue<string>(), r.Json["TableInput"]!["Name"]!.GetValue<string>());
                lock (_gate)
                {
                    if (!_tables.TryGetValue(key, out var entry))
                    {
                        return NotFound("Table");
                    }

                    if (r.Json["VersionId"]?.GetValue<string>() is { } version && version != entry.Version.ToString(CultureInfo.InvariantCulture))
                    {
                        return CannedResponse.Error(400, "ConcurrentModificationException", "The table was modified.");
                    }

                    _tables[key] = (r.Json["TableInput"]!.DeepClone(), entry.Version + 1);
                    return CannedResponse.Ok();
                }
            },
            ["BatchCreatePartition"] = r =>
            {
                var key = Key(r.Json["DatabaseName"]!.GetValue<string>(), r.Json["TableName"]!.GetValue<string>());
                lock (_gate)
                {
                    if (!_tables.ContainsKey(key))
                    {
                        return NotFound("Table");
                    }

                    var held = _partitions.TryGetValue(key, out var set) ? set : _partitions[key] = new HashSet<string>(StringComparer.Ordinal);
                    var errors = new JsonArray();
                    foreach (var partition in r.Json["PartitionInputList"]!.AsArray())
                    {
                        var values = partition!["Values"]!.AsArray();
                        if (!held.Add(string.Join('\u0001', values.Select(v => v!.GetValue<string>()))))
                        {
                            errors.Add(new JsonObject
                            {
                                ["PartitionValues"] = values.DeepClone(),
                                ["ErrorDetail"] = new JsonObject { ["ErrorCode"] = "AlreadyExistsException", ["ErrorMessage"] = "Partition already exists." },
                            });
                        }
                    }

                    return CannedResponse.Ok(new JsonObject { ["Errors"] = errors });
                }
            },
        });
    }

    /// <summary>Returns the table's input as last stored, or <see langword="null"/>.</summary>
    public JsonNode? Table(string database, string table)
    {
        lock (_gate)
        {
            return _tables.TryGetValue(Key(database, table), out var entry) ? entry.Table.DeepClone() : null;
        }
    }

    /// <summary>Returns the table's partitions as <c>key=value/…</c> paths (the keys from the table's partition keys).</summary>
    public IReadOnlyList<string> Partitions(string database, string table)
    {
        lock (_gate)
        {
            var key = Key(database, table);
            if (!_tables.TryGetValue(key, out var entry) || !_partitions.TryGetValue(key, out var set))
            {
                return [];
            }

            var keys = entry.Table["PartitionKeys"]?.AsArray().Select(k => k!["Name"]!.GetValue<string>()).ToList() ?? [];
            return [.. set.Select(values => string.Join('/', keys.Zip(values.Split('\u0001'), (k, v) => k + "=" + v)))];
        }
    }

    private static string Key(string database, string table) => database + "." + table;
}

/// <summary>A model-checked loopback server answering Glue's calls with the state of a <see cref="StatefulGlue"/>.</summary>
public sealed class StatefulGlueServer : IAsyncDisposable
{
    private readonly ModelCheckedLoopback _loopback = new("glue-2017-03-31");

    public StatefulGlueServer() => Glue.Serve(_loopback.Server);

    public StatefulGlue Glue { get; } = new();

    internal Ingest.Aws.Glue.IGlueClient Client() => new Ingest.Aws.Glue.GlueClient(_loopback.Server.Client(Ingest.Aws.Protocol.AwsJsonService.Glue));

    public ValueTask DisposeAsync() => _loopback.DisposeAsync();
}
