using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Ingest.Definitions;

namespace Ingest.Aws.DynamoDb;

/// <summary>
/// The single table of the registry and the ledger (ADR 0003): string keys <c>pk</c> and <c>sk</c>, item keys as the
/// SQLite mirror has them (<see cref="Keys"/>). Wraps the few calls the backends make, with consistent reads, and
/// turns SDK failures into <see cref="IngestException"/>s naming the item.
/// </summary>
internal sealed class DynamoDbTable
{
    /// <summary>Item bodies larger than this (UTF-8 bytes) are stored gzip-compressed, keeping items well under DynamoDB's 400 KB.</summary>
    public const int CompressAboveBytes = 350_000;

    public const string PartitionKey = "pk";
    public const string SortKey = "sk";

    public DynamoDbTable(IAmazonDynamoDB client, string tableName)
    {
        Client = client;
        Name = tableName;
    }

    public IAmazonDynamoDB Client { get; }

    public string Name { get; }

    public static Dictionary<string, AttributeValue> Key(string pk, string sk) => new()
    {
        [PartitionKey] = new AttributeValue { S = pk },
        [SortKey] = new AttributeValue { S = sk },
    };

    public static AttributeValue S(string value) => new() { S = value };

    public static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    /// <summary>Sets a text body as <c>{name}</c> (a string) or, when large, <c>{name}Gz</c> (gzip, binary).</summary>
    public static void SetBody(Dictionary<string, AttributeValue> item, string name, string body, string what)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        if (bytes.Length <= CompressAboveBytes)
        {
            item[name] = S(body);
            return;
        }

        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        if (compressed.Length > CompressAboveBytes)
        {
            throw new IngestException(string.Create(CultureInfo.InvariantCulture, $"{what} is {bytes.Length} bytes, {compressed.Length} compressed: more than a DynamoDB item can hold ({CompressAboveBytes} bytes allowed). Shorten it (descriptions, rule lists)."));
        }

        compressed.Position = 0;
        item[name + "Gz"] = new AttributeValue { B = compressed };
    }

    /// <summary>Reads a body written by <see cref="SetBody"/>.</summary>
    public static string GetBody(Dictionary<string, AttributeValue> item, string name)
    {
        if (item.TryGetValue(name, out var text) && text.S is { } s)
        {
            return s;
        }

        if (item.TryGetValue(name + "Gz", out var packed) && packed.B is { } b)
        {
            b.Position = 0;
            using var gzip = new GZipStream(b, CompressionMode.Decompress, leaveOpen: true);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            return reader.ReadToEnd();
        }

        throw new IngestException($"The item {Describe(item)} has no '{name}' attribute; it was not written by Ingest.");
    }

    public static string Describe(Dictionary<string, AttributeValue> item)
        => $"{(item.TryGetValue(PartitionKey, out var pk) ? pk.S : "?")}/{(item.TryGetValue(SortKey, out var sk) ? sk.S : "?")}";

    public async Task<Dictionary<string, AttributeValue>?> GetAsync(string pk, string sk, CancellationToken cancellationToken)
    {
        var request = new GetItemRequest { TableName = Name, Key = Key(pk, sk), ConsistentRead = true };
        var response = await CallAsync("Reading", pk, sk, ct => Client.GetItemAsync(request, ct), cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    /// <summary>Puts an item; returns <see langword="false"/> when <paramref name="condition"/> does not hold (nothing written).</summary>
    public Task<bool> TryPutAsync(Dictionary<string, AttributeValue> item, string? condition, Dictionary<string, AttributeValue>? values, CancellationToken cancellationToken)
    {
        var request = new PutItemRequest
        {
            TableName = Name,
            Item = item,
            ConditionExpression = condition,
            ExpressionAttributeValues = values is { Count: > 0 } ? values : null,
        };
        return TryWriteAsync("Writing", item[PartitionKey].S, item[SortKey].S, ct => Client.PutItemAsync(request, ct), cancellationToken);
    }

    /// <summary>Updates an item; returns <see langword="false"/> when <paramref name="condition"/> does not hold.</summary>
    public Task<bool> TryUpdateAsync(string pk, string sk, string update, string condition, Dictionary<string, AttributeValue> values, CancellationToken cancellationToken)
    {
        var request = new UpdateItemRequest
        {
            TableName = Name,
            Key = Key(pk, sk),
            UpdateExpression = update,
            ConditionExpression = condition,
            ExpressionAttributeValues = values,
        };
        return TryWriteAsync("Updating", pk, sk, ct => Client.UpdateItemAsync(request, ct), cancellationToken);
    }

    /// <summary>Deletes an item; returns <see langword="false"/> when <paramref name="condition"/> does not hold.</summary>
    public Task<bool> TryDeleteAsync(string pk, string sk, string condition, Dictionary<string, AttributeValue> values, CancellationToken cancellationToken)
    {
        var request = new DeleteItemRequest { TableName = Name, Key = Key(pk, sk), ConditionExpression = condition, ExpressionAttributeValues = values };
        return TryWriteAsync("Deleting", pk, sk, ct => Client.DeleteItemAsync(request, ct), cancellationToken);
    }

    /// <summary>Streams the items of one partition whose sort keys lie between two bounds (inclusive), with consistent reads, page by page.</summary>
    /// <remarks>Without bounds, the whole partition; with a projection, only those attributes.</remarks>
    public async IAsyncEnumerable<Dictionary<string, AttributeValue>> QueryAsync(string pk, string? from, string? to, bool forward, string? projection, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            TableName = Name,
            KeyConditionExpression = from is null || to is null ? "pk = :pk" : "pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues = from is null || to is null
                ? new() { [":pk"] = S(pk) }
                : new() { [":pk"] = S(pk), [":from"] = S(from), [":to"] = S(to) },
            ConsistentRead = true,
            ScanIndexForward = forward,
            ProjectionExpression = projection,
        };
        while (true)
        {
            var page = await CallAsync("Querying", pk, from + "…", ct => Client.QueryAsync(request, ct), cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                yield return item;
            }

            if (page.LastEvaluatedKey is not { Count: > 0 } last)
            {
                yield break;
            }

            request.ExclusiveStartKey = last;
        }
    }

    /// <summary>Reads many items of known keys with consistent reads, in pages of 100; missing items are left out.</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> BatchGetAsync(IReadOnlyList<(string Pk, string Sk)> keys, CancellationToken cancellationToken)
    {
        var found = new List<Dictionary<string, AttributeValue>>();
        foreach (var chunk in keys.Chunk(100))
        {
            var pending = new KeysAndAttributes { Keys = [.. chunk.Select(k => Key(k.Pk, k.Sk))], ConsistentRead = true };
            for (var attempt = 0; pending.Keys is { Count: > 0 }; attempt++)
            {
                if (attempt > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 50 << Math.Min(attempt, 5)) * (0.5 + Random.Shared.NextDouble())), cancellationToken).ConfigureAwait(false);
                }

                var request = new BatchGetItemRequest { RequestItems = new() { [Name] = pending } };
                var response = await CallAsync("Reading", chunk[0].Pk, chunk[0].Sk + " and others", ct => Client.BatchGetItemAsync(request, ct), cancellationToken).ConfigureAwait(false);
                if (response.Responses?.TryGetValue(Name, out var items) == true)
                {
                    found.AddRange(items);
                }

                pending = response.UnprocessedKeys?.TryGetValue(Name, out var rest) == true ? rest : new KeysAndAttributes();
            }
        }

        return found;
    }

    /// <summary>Creates the table (on-demand, string keys pk and sk) unless it exists, and waits until it is active.</summary>
    public async Task<bool> EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var created = false;
        try
        {
            await Client.CreateTableAsync(
                new CreateTableRequest
                {
                    TableName = Name,
                    BillingMode = BillingMode.PAY_PER_REQUEST,
                    AttributeDefinitions =
                    [
                        new AttributeDefinition(PartitionKey, ScalarAttributeType.S),
                        new AttributeDefinition(SortKey, ScalarAttributeType.S),
                    ],
                    KeySchema =
                    [
                        new KeySchemaElement(PartitionKey, KeyType.HASH),
                        new KeySchemaElement(SortKey, KeyType.RANGE),
                    ],
                },
                cancellationToken).ConfigureAwait(false);
            created = true;
        }
        catch (ResourceInUseException)
        {
            // It exists (or is being created): wait for it below.
        }
        catch (Exception ex) when (AwsErrors.IsAwsFailure(ex, cancellationToken))
        {
            throw AwsErrors.Wrap(ex, "Creating the table", Name);
        }

        for (var wait = 0; ; wait++)
        {
            var table = await CallAsync("Describing the table", Name, string.Empty, ct => Client.DescribeTableAsync(Name, ct), cancellationToken).ConfigureAwait(false);
            if (table.Table.TableStatus == TableStatus.ACTIVE)
            {
                return created;
            }

            if (wait >= 600)
            {
                throw new IngestException($"DynamoDB table {Name} did not become ACTIVE within a minute (status {table.Table.TableStatus}).") { IsTransient = true, Location = Name };
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    private string Location(string pk, string sk) => sk.Length == 0 ? $"dynamodb://{Name}/{pk}" : $"dynamodb://{Name}/{pk}/{sk}";

    /// <summary>Runs a conditional write: <see langword="false"/> when its condition failed.</summary>
    private async Task<bool> TryWriteAsync(string action, string pk, string sk, Func<CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        try
        {
            await write(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
        catch (Exception ex) when (AwsErrors.IsAwsFailure(ex, cancellationToken))
        {
            throw AwsErrors.Wrap(ex, action, Location(pk, sk));
        }
    }

    private async Task<T> CallAsync<T>(string action, string pk, string sk, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (AwsErrors.IsAwsFailure(ex, cancellationToken))
        {
            throw AwsErrors.Wrap(ex, action, Location(pk, sk));
        }
    }
}

/// <summary>The item keys of the single-table design (docs/adr/0003), the same as Ingest.Local's SQLite mirror.</summary>
internal static class Keys
{
    public const string Latest = "DEF#LATEST";
    public const string Lease = "LEASE";

    /// <summary>The partition that lists registered datasets (sort key: the dataset id), so listing needs no scan.</summary>
    public const string DatasetIndex = "DATASETS";

    public const string FirstDefinition = "DEF#000000";
    public const string LastDefinition = "DEF#999999";

    public static string Dataset(DatasetId dataset) => "DATASET#" + dataset;

    /// <summary>Zero-padded so that versions sort numerically: <c>DEF#000001</c>.</summary>
    public static string Definition(int version) => "DEF#" + version.ToString("D6", CultureInfo.InvariantCulture);

    public static string Run(string runId) => "RUN#" + runId;

    public static string Source(string sha256) => "SOURCE#" + sha256;
}
