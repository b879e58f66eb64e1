using FluentAssertions;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Sources;
using Xunit;

namespace Ingest.Testing;

/// <summary>A record a reader must give: its position, and its fields (or, for a record it rejects, its raw text).</summary>
/// <param name="Position">The 1-based line (or record number) where the record starts.</param>
/// <param name="Fields">The fields, in the order of the reader's field names; <see langword="null"/> for a rejected record.</param>
/// <param name="RawText">The raw text of a rejected record, as the quarantine keeps it.</param>
public sealed record ExpectedSourceRecord(long Position, IReadOnlyList<string?>? Fields, string? RawText = null);

/// <summary><c>source.options</c> a format must refuse when a definition is registered, and the member the refusal names.</summary>
/// <param name="Options">The options object, as JSON.</param>
/// <param name="Member">The member under <c>source.options</c> the refusal is at (<c>fields[0].width</c>).</param>
public sealed record InvalidSourceOptions(string Options, string Member);

/// <summary>
/// The behaviour every custom <see cref="ISourceReader"/> must show (the contract of its remarks). Derive a class in a test
/// project: give a definition whose <c>source.format</c> is <see cref="Format"/>, a way to create the reader, an input and
/// the records it holds — at least one good record and one the reader rejects. The suite also runs the reader through the
/// engine on the in-memory backends.
/// </summary>
public abstract class SourceReaderContractTests
{
    /// <summary>Gets the name the format is registered under.</summary>
    protected abstract string Format { get; }

    /// <summary>Gets a definition that reads the format (its id is replaced by a fresh one per test, the table format is set to Hive and custom rules are dropped).</summary>
    protected abstract DatasetDefinition Definition { get; }

    /// <summary>Gets the input's bytes.</summary>
    protected abstract byte[] Input { get; }

    /// <summary>Gets the records of <see cref="Input"/>, in order.</summary>
    protected abstract IReadOnlyList<ExpectedSourceRecord> ExpectedRecords { get; }

    /// <summary>Creates a reader of one input (what the registration's factory does).</summary>
    protected abstract ISourceReader CreateReader(SourceReaderContext context);

    /// <summary>
    /// Gets options the format refuses at registration, each with the member named. The default is an unknown member,
    /// which <see cref="SourceReaderContext.GetOptions{T}"/> refuses; a format with options of its own should add the values
    /// its <see cref="ISourceOptionsValidator"/> refuses (a width of 0, a missing field).
    /// </summary>
    protected virtual IReadOnlyList<InvalidSourceOptions> InvalidOptions => [new("""{"ingestContractUnknownMember": 1}""", "ingestContractUnknownMember")];

    private DatasetDefinition Fresh => Definition with
    {
        Id = IngestTestData.NewDatasetId(),
        Table = Definition.Table with { Format = TableFormat.Hive },
        Quality = Definition.Quality with { MaxRejectRatio = 1, Rules = [.. Definition.Quality.Rules.Where(r => r.Type.IsBuiltIn)] },
    };

    private SourceReaderContext Context(DatasetDefinition definition, List<TrackedStream>? opened = null)
        => new(definition, "contract-input", _ =>
        {
            var stream = new TrackedStream(Input);
            opened?.Add(stream);
            return Task.FromResult<Stream>(stream);
        });

    /// <summary>Open returns distinct, non-empty field names, among them every source column the schema requires.</summary>
    [Fact]
    public async Task OpenAsync_ReturnsTheFieldNames_WithEveryRequiredSourceColumn()
    {
        var definition = Fresh;
        definition.Source.Format.Name.Should().Be(Format);
        await using var reader = CreateReader(Context(definition));

        var names = await reader.OpenAsync(CancellationToken.None);

        names.Should().NotBeEmpty().And.OnlyHaveUniqueItems().And.NotContain(n => string.IsNullOrEmpty(n));
        names.Should().Contain(definition.Columns.Where(c => !c.Optional).Select(c => c.EffectiveSourceColumn));
    }

    /// <summary>The records come in order, with their positions, one field per name; rejected ones with their raw text.</summary>
    [Fact]
    public async Task ReadAsync_GivesEveryRecord_WithItsPosition_AndRejectedOnesWithTheirRawText()
    {
        ExpectedRecords.Should().Contain(r => r.Fields != null, "the suite needs a good record").And.Contain(r => r.Fields == null, "the suite needs a record the reader rejects");
        await using var reader = CreateReader(Context(Fresh));
        var names = await reader.OpenAsync(CancellationToken.None);
        var record = new SourceRecordBuilder();
        var actual = new List<ExpectedSourceRecord>();

        while (await reader.ReadAsync(Cleared(record), CancellationToken.None))
        {
            if (record.RejectReason is not null)
            {
                record.RejectReason.Should().NotContainAny(["\n", "\r"], "a reason is one line");
                actual.Add(new ExpectedSourceRecord(record.Position, null, record.RawText));
            }
            else
            {
                record.FieldCount.Should().Be(names.Count, $"the record at position {record.Position} has one field per name");
                actual.Add(new ExpectedSourceRecord(record.Position, [.. Enumerable.Range(0, record.FieldCount).Select(i => record[i])]));
            }
        }

        actual.Should().BeEquivalentTo(ExpectedRecords, o => o.WithStrictOrdering());
        actual.Select(r => r.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems().And.OnlyContain(p => p >= 1);
    }

    /// <summary>At the end, reading again still answers false.</summary>
    [Fact]
    public async Task ReadAsync_AfterTheEnd_KeepsAnsweringFalse()
    {
        await using var reader = CreateReader(Context(Fresh));
        await reader.OpenAsync(CancellationToken.None);
        var record = new SourceRecordBuilder();
        while (await reader.ReadAsync(Cleared(record), CancellationToken.None))
        {
        }

        (await reader.ReadAsync(Cleared(record), CancellationToken.None)).Should().BeFalse();
    }

    /// <summary>A cancelled token makes the next call throw <see cref="OperationCanceledException"/>.</summary>
    [Fact]
    public async Task ReadAsync_CancelledToken_Throws()
    {
        await using var reader = CreateReader(Context(Fresh));
        await reader.OpenAsync(CancellationToken.None);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var act = async () => await reader.ReadAsync(new SourceRecordBuilder(), cancelled.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    /// <summary>Disposing the reader closes the input it opened.</summary>
    [Fact]
    public async Task DisposeAsync_ClosesTheInput()
    {
        var opened = new List<TrackedStream>();
        var reader = CreateReader(Context(Fresh, opened));
        await reader.OpenAsync(CancellationToken.None);
        await reader.ReadAsync(new SourceRecordBuilder(), CancellationToken.None);

        await reader.DisposeAsync();

        opened.Should().NotBeEmpty().And.OnlyContain(s => s.Disposed, "the reader owns what it opened");
    }

    /// <summary>Through a run: every record is counted, the good ones written, the rejected ones quarantined.</summary>
    [Fact]
    public async Task RunAsync_WithTheFormatRegistered_ReadsEveryRecord()
    {
        var backends = InMemoryIngest.CreateBackends();
        var definition = Fresh;
        await backends.Registry.RegisterAsync(definition);
        var extensions = new IngestExtensionsBuilder().AddSourceFormat(Format, CreateReader).Build();
        var bytes = Input;

        var result = await new IngestPipelineBuilder(backends).ForDataset(definition.Id).UseExtensions(extensions).Build()
            .RunAsync([IngestInput.FromStream("contract-input", _ => Task.FromResult<Stream>(new MemoryStream(bytes)), bytes.Length)]);

        result.Run.RowsRead.Should().Be(ExpectedRecords.Count);
        result.Run.RowsRejected.Should().BeGreaterThanOrEqualTo(ExpectedRecords.Count(r => r.Fields is null));
        result.Run.RowsWritten.Should().Be(result.Run.RowsRead - result.Run.RowsRejected);
    }

    /// <summary>
    /// Checked against the registration, the definition's own options are accepted; the reader is created for the check
    /// (<see cref="SourceReaderContext.IsValidation"/>) and opens nothing.
    /// </summary>
    [Fact]
    public void EnsureValid_TheDefinitionsOptions_AreAccepted_ByAReaderCreatedWithoutInput()
    {
        var contexts = new List<SourceReaderContext>();
        var extensions = new IngestExtensionsBuilder().AddSourceFormat(Format, context =>
        {
            contexts.Add(context);
            return CreateReader(context);
        }).Build();

        DatasetDefinitionSerializer.EnsureValid(Fresh, extensions);

        contexts.Should().ContainSingle("the check creates the reader once").Which.IsValidation.Should().BeTrue();
        contexts[0].BytesRead.Should().Be(0, "the check opens no input");
    }

    /// <summary>
    /// Registered with the host's extensions, each of <see cref="InvalidOptions"/> is refused with one line at its member that
    /// names the dataset, and nothing is stored.
    /// </summary>
    [Fact]
    public async Task RegisterAsync_WithTheFormat_RefusesInvalidOptions_AtTheirMember_AndStoresNothing()
    {
        InvalidOptions.Should().NotBeEmpty("the suite needs options the format refuses");
        var registry = InMemoryIngest.CreateBackends().Registry;
        var extensions = new IngestExtensionsBuilder().AddSourceFormat(Format, CreateReader).Build();
        foreach (var invalid in InvalidOptions)
        {
            var definition = Fresh;
            definition = definition with { Source = definition.Source with { Options = System.Text.Json.JsonDocument.Parse(invalid.Options).RootElement.Clone() } };

            var act = () => registry.RegisterAsync(definition, extensions);

            var error = (await act.Should().ThrowAsync<DefinitionException>($"options {invalid.Options} are invalid")).Which;
            error.Errors.Should().Contain(e => e.Path == "$.source.options." + invalid.Member, $"options {invalid.Options} are refused at source.options.{invalid.Member}");
            error.Errors.Should().OnlyContain(e => e.Message.Contains(definition.Id.ToString()) && !e.Message.Contains('\n'), "each problem is one line naming the dataset");
            (await registry.GetAsync(definition.Id)).Should().BeNull("nothing is stored");
        }
    }

    private static SourceRecordBuilder Cleared(SourceRecordBuilder record)
    {
        record.Clear();
        return record;
    }

    /// <summary>An input stream that remembers whether it was disposed.</summary>
    private sealed class TrackedStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
