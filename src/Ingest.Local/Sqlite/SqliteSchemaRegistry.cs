using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Ingest.Definitions;
using Ingest.Extensibility;
using Ingest.Registry;

namespace Ingest.Local.Sqlite;

/// <summary>
/// The schema registry in the SQLite file. Items: <c>DEF#{version:D6}</c> (immutable) and <c>DEF#LATEST</c> (a copy of the
/// latest version, advanced in the same transaction). Bodies: <c>{ version, registeredAt, fingerprint, definition }</c>
/// with the definition in the form of <see cref="DatasetDefinitionSerializer"/>.
/// </summary>
internal sealed class SqliteSchemaRegistry(SqliteStore store, TimeProvider timeProvider) : SchemaRegistryBase(timeProvider)
{
    public override async Task<RegisteredDefinition?> GetAsync(DatasetId dataset, int? version = null, CancellationToken cancellationToken = default)
    {
        if (version is <= 0)
        {
            return null;
        }

        var sk = version is { } v ? Keys.Definition(v) : Keys.Latest;
        var body = await store.GetAsync(Keys.Dataset(dataset), sk, cancellationToken).ConfigureAwait(false);
        return body is null ? null : Read(body, $"{Keys.Dataset(dataset)}/{sk}");
    }

    public override async IAsyncEnumerable<RegisteredDefinition> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var rows = store.QueryAsync("SELECT body FROM items WHERE sk = $sk ORDER BY pk", [("$sk", Keys.Latest)], cancellationToken);
        await foreach (var body in rows.ConfigureAwait(false))
        {
            yield return Read(body, "DEF#LATEST");
        }
    }

    public override async IAsyncEnumerable<RegisteredDefinition> ListVersionsAsync(DatasetId dataset, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var rows = store.QueryAsync(
            "SELECT body FROM items WHERE pk = $pk AND sk GLOB 'DEF#[0-9]*' ORDER BY sk",
            [("$pk", Keys.Dataset(dataset))],
            cancellationToken);
        await foreach (var body in rows.ConfigureAwait(false))
        {
            yield return Read(body, Keys.Dataset(dataset));
        }
    }

    protected override Task<bool> TryStoreAsync(RegisteredDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var pk = Keys.Dataset(definition.Dataset);
        var body = Write(definition);
        return store.WriteAsync<bool>(
            async (connection, transaction) =>
            {
                if (!await SqliteStore.TryInsertAsync(connection, transaction, pk, Keys.Definition(definition.Version), body, cancellationToken).ConfigureAwait(false))
                {
                    return (false, false);
                }

                // The pointer advances only from the version before this one (a conditional write).
                var latest = await SqliteStore.GetAsync(connection, transaction, pk, Keys.Latest, cancellationToken).ConfigureAwait(false);
                var latestVersion = latest is null ? 0 : ReadVersion(latest);
                if (latestVersion != definition.Version - 1)
                {
                    return (false, false);
                }

                await SqliteStore.PutAsync(connection, transaction, pk, Keys.Latest, body, cancellationToken).ConfigureAwait(false);
                return (true, true);
            },
            cancellationToken);
    }

    private static string Write(RegisteredDefinition definition)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("version", definition.Version);
            json.WriteString("registeredAt", definition.RegisteredAt);
            json.WriteString("fingerprint", definition.Fingerprint);
            json.WritePropertyName("definition");
            json.WriteRawValue(DatasetDefinitionSerializer.Serialize(definition.Definition));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static int ReadVersion(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("version").GetInt32();
    }

    private static RegisteredDefinition Read(string body, string item)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var version = root.GetProperty("version").GetInt32();
        var definition = DatasetDefinitionSerializer.DeserializeRegistered(
            root.GetProperty("definition").GetRawText(),
            string.Create(CultureInfo.InvariantCulture, $"registry item {item} v{version}"));
        return new RegisteredDefinition(definition, version, root.GetProperty("registeredAt").GetDateTimeOffset(), root.GetProperty("fingerprint").GetString()!);
    }
}
