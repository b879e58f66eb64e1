using FluentAssertions;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Quality;
using Xunit;

namespace Ingest.Testing;

/// <summary>
/// The behaviour every custom <see cref="IQualityRule"/> must show. Derive a class in a test project: give a definition
/// whose <c>quality.rules[</c><see cref="RuleIndex"/><c>]</c> uses the rule (under <see cref="RuleType"/>), a way to create
/// it, and rows (values of the entry's columns, none null) it must pass and reject. The suite also runs the rule through
/// the engine on the in-memory backends, and checks that its reasons reach the quarantine.
/// </summary>
public abstract class QualityRuleContractTests
{
    /// <summary>Gets the name the rule is registered under.</summary>
    protected abstract string RuleType { get; }

    /// <summary>Gets a definition that uses the rule (its id is replaced by a fresh one per test; the table format is set to Hive).</summary>
    protected abstract DatasetDefinition Definition { get; }

    /// <summary>Gets the position of the rule's entry in <c>quality.rules</c>.</summary>
    protected virtual int RuleIndex => 0;

    /// <summary>Gets rows the rule passes: values of the entry's columns, in order. At least one.</summary>
    protected abstract IReadOnlyList<object[]> PassingRows { get; }

    /// <summary>Gets rows the rule rejects. At least one.</summary>
    protected abstract IReadOnlyList<object[]> FailingRows { get; }

    /// <summary>Gets the CSV text of one row of <see cref="Definition"/> the rule passes and one it rejects (a header, then two lines).</summary>
    protected abstract string CsvWithOnePassingAndOneFailingRow { get; }

    /// <summary>Creates the rule for one definition entry (what the registration's factory does).</summary>
    protected abstract IQualityRule CreateRule(QualityRuleContext context);

    private IngestExtensions Extensions => new IngestExtensionsBuilder().AddQualityRule(RuleType, CreateRule).Build();

    private DatasetDefinition Fresh => Definition with
    {
        Id = IngestTestData.NewDatasetId(),
        Source = Definition.Source with { Format = SourceFormat.Csv, Options = null },
        Table = Definition.Table with { Format = TableFormat.Hive },
        Quality = Definition.Quality with { MaxRejectRatio = 1 },
    };

    private QualityRuleContext Context => new(Fresh, RuleIndex);

    /// <summary>The definition names the rule under its registered type, and is valid against a registration of it (the rule takes its options).</summary>
    [Fact]
    public void Definition_IsValid_WithTheRuleRegistered_AndRefusedWithout()
    {
        var definition = Fresh;
        definition.Quality.Rules[RuleIndex].Type.Name.Should().Be(RuleType);

        var withRule = () => DatasetDefinitionSerializer.EnsureValid(definition, Extensions);
        var without = () => DatasetDefinitionSerializer.EnsureValid(definition, IngestExtensions.None);

        withRule.Should().NotThrow();
        without.Should().Throw<DefinitionException>().Which.Errors.Should().Contain(e => e.Path == $"$.quality.rules[{RuleIndex}].type");
    }

    /// <summary>Every passing row passes.</summary>
    [Fact]
    public void Check_PassingRows_ReturnNull()
    {
        var rule = CreateRule(Context);
        PassingRows.Should().NotBeEmpty("the suite needs rows the rule passes");

        foreach (var row in PassingRows)
        {
            rule.Check(new QualityRuleRow(Context, row)).Should().BeNull($"({string.Join(", ", row)}) passes");
        }
    }

    /// <summary>Every failing row is rejected with one line: not empty, no line break, short enough to read in a log.</summary>
    [Fact]
    public void Check_FailingRows_ReturnOneLineThatSaysWhy()
    {
        var rule = CreateRule(Context);
        FailingRows.Should().NotBeEmpty("the suite needs rows the rule rejects");

        foreach (var row in FailingRows)
        {
            var reason = rule.Check(new QualityRuleRow(Context, row));
            reason.Should().NotBeNullOrWhiteSpace($"({string.Join(", ", row)}) is rejected");
            reason.Should().NotContainAny(["\n", "\r"], "a reason is one line");
            reason!.Length.Should().BeLessThanOrEqualTo(500, "a reason is read in logs and the quarantine");
        }
    }

    /// <summary>Rules created for two runs do not share state: the second answers as the first did.</summary>
    [Fact]
    public void Create_TwiceForOneEntry_GivesRulesThatAnswerAlike()
    {
        var first = CreateRule(Context);
        var firstAnswers = PassingRows.Concat(FailingRows).Select(r => first.Check(new QualityRuleRow(Context, r)) is null).ToList();

        var second = CreateRule(Context);
        var secondAnswers = PassingRows.Concat(FailingRows).Select(r => second.Check(new QualityRuleRow(Context, r)) is null).ToList();

        secondAnswers.Should().Equal(firstAnswers);
    }

    /// <summary>Through a run: the passing row is written, the failing one is quarantined with the rule's name in its reason.</summary>
    [Fact]
    public async Task RunAsync_WithTheRuleRegistered_QuarantinesTheFailingRowWithItsReason()
    {
        var backends = InMemoryIngest.CreateBackends();
        var definition = Fresh;
        await backends.Registry.RegisterAsync(definition);
        var bytes = System.Text.Encoding.UTF8.GetBytes(CsvWithOnePassingAndOneFailingRow);

        var result = await new IngestPipelineBuilder(backends).ForDataset(definition.Id).UseExtensions(Extensions).Build()
            .RunAsync([IngestInput.FromStream("contract.csv", _ => Task.FromResult<Stream>(new MemoryStream(bytes)), bytes.Length)]);

        result.Run.RowsWritten.Should().Be(1);
        result.Run.RowsRejected.Should().Be(1);
        result.TopRejectReasons.Should().ContainSingle().Which.Reason.Should().Be(definition.Quality.Rules[RuleIndex].DisplayName);
    }
}
