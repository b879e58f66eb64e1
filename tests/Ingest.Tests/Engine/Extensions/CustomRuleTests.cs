using System.Globalization;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Engine.Conversion;
using Ingest.Engine.Reading;
using Ingest.Ledger;
using Ingest.Storage;
using Ingest.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Engine.Extensions;

/// <summary>A registered rule named by a definition: refused unless registered, run with the rule set's reasons and actions.</summary>
public sealed class CustomRuleTests : IDisposable
{
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static string Json(DatasetDefinition definition) => DatasetDefinitionSerializer.Serialize(definition);

    [Fact]
    public void Deserialize_UnregisteredRuleType_IsRefusedNamingTheRegisteredTypes()
    {
        var json = Json(TestExtensions.Definition(IngestTestData.NewDatasetId()));

        var act = () => DatasetDefinitionSerializer.Deserialize(json, "cards.json");

        act.Should().Throw<DefinitionException>().Which.Message.Should().Be(
            "Invalid dataset definition cards.json: $.quality.rules[0].type: 'multiple-of' is not a registered rule type; the registered types are "
            + "not-null, unique, range, regex, allowed-values. Register it (services.AddIngestRule<TRule>(\"multiple-of\") or IngestExtensionsBuilder.AddQualityRule) or fix the name.");
    }

    [Fact]
    public void Deserialize_MisspelledRuleType_SuggestsTheRegisteredOne()
    {
        var json = Json(TestExtensions.Definition(IngestTestData.NewDatasetId())).Replace("\"multiple-of\"", "\"multiple-off\"", StringComparison.Ordinal);

        var act = () => DatasetDefinitionSerializer.Deserialize(json, TestExtensions.Both());

        act.Should().Throw<DefinitionException>().Which.Errors.Should().ContainSingle()
            .Which.Message.Should().Contain("the registered types are not-null, unique, range, regex, allowed-values, multiple-of. Did you mean 'multiple-of'?");
    }

    [Fact]
    public void Deserialize_RegisteredRuleType_IsAccepted_AndRoundTripsItsOptions()
    {
        var definition = TestExtensions.Definition(IngestTestData.NewDatasetId());

        var read = DatasetDefinitionSerializer.Deserialize(Json(definition), TestExtensions.Both());

        read.Quality.Rules[0].Type.Should().Be(new QualityRuleType("multiple-of"));
        read.Quality.Rules[0].Options!.Value.GetProperty("of").GetInt64().Should().Be(3);
        DatasetDefinitionSerializer.Fingerprint(read).Should().Be(DatasetDefinitionSerializer.Fingerprint(definition));
    }

    [Theory]
    [InlineData("""{"of": 0}""", "$.quality.rules[0].options: rule multiple-of(n) refused its settings: of must be 1 or more, not 0.")]
    [InlineData("""{"off": 3}""", "$.quality.rules[0].options: rule multiple-of(n) refused its settings: The JSON property 'off' could not be mapped to any .NET member contained in type 'Ingest.Tests.Engine.Extensions.MultipleOfOptions'. (at options.off)")]
    [InlineData("""[3]""", "$.quality.rules[0].options: must be a JSON object, not array.")]
    public void Deserialize_OptionsTheRuleRefuses_AreReportedAtOptions(string options, string expected)
    {
        var json = Json(TestExtensions.Definition(IngestTestData.NewDatasetId(), options: options));

        var act = () => DatasetDefinitionSerializer.Deserialize(json, TestExtensions.Both());

        act.Should().Throw<DefinitionException>().Which.Errors.Select(e => e.ToString()).Should().Contain(expected);
    }

    [Fact]
    public void EnsureValid_CustomRuleOnGlue_IsRefused_AndBuiltInRuleWithOptions_IsRefused()
    {
        var definition = TestExtensions.Definition(IngestTestData.NewDatasetId());
        var glue = definition with { Engine = new EngineSettings { Kind = EngineKind.Glue } };
        var builtIn = definition with { Quality = definition.Quality with { Rules = [definition.Quality.Rules[0] with { Type = QualityRuleType.NotNull }] } };

        var onGlue = () => DatasetDefinitionSerializer.EnsureValid(glue, TestExtensions.Both());
        var withOptions = () => DatasetDefinitionSerializer.EnsureValid(builtIn, TestExtensions.Both());

        onGlue.Should().Throw<DefinitionException>().Which.Errors.Should().Contain(e => e.Path == "$.quality.rules[0].type" && e.Message.Contains("checked by the .NET engine only"));
        withOptions.Should().Throw<DefinitionException>().Which.Errors.Should().ContainSingle()
            .Which.ToString().Should().Be("$.quality.rules[0].options: options are for custom rules; a not-null rule has members of its own (min, max, pattern, values): remove options.");
    }

    [Fact]
    public void EnsureValid_CustomRuleWithoutColumns_OrWithBuiltInMembers_IsRefused()
    {
        var definition = TestExtensions.Definition(IngestTestData.NewDatasetId());
        var rule = definition.Quality.Rules[0];
        var noColumn = definition with { Quality = definition.Quality with { Rules = [rule with { Column = null }] } };
        var withPattern = definition with { Quality = definition.Quality with { Rules = [rule with { Pattern = "x" }] } };

        ((Action)(() => DatasetDefinitionSerializer.EnsureValid(noColumn, TestExtensions.Both()))).Should().Throw<DefinitionException>()
            .Which.Errors.Should().Contain(e => e.ToString() == "$.quality.rules[0].column: a custom rule (multiple-of) reads the columns it names: give column (or columns).");
        ((Action)(() => DatasetDefinitionSerializer.EnsureValid(withPattern, TestExtensions.Both()))).Should().Throw<DefinitionException>()
            .Which.Errors.Should().ContainSingle().Which.ToString().Should().Be("$.quality.rules[0].pattern: is a member of the built-in rules; a custom rule (multiple-of) takes its settings in options.");
    }

    [Fact]
    public async Task RunAsync_CustomRule_RejectsRowsWithItsReason_IntoTheQuarantine()
    {
        var id = IngestTestData.NewDatasetId();
        await _h.RegisterAsync(TestExtensions.Definition(id));

        var result = await _h.RunAsync(id, b => b.UseExtensions(TestExtensions.Both()), EngineHarness.Text("n.csv", "id,name,n,amount\n1,a,3,1.00\n2,b,4,2.00\n3,c,,3.00\n4,d,9,4.00\n"));

        result.Run.RowsWritten.Should().Be(3, "6 and 9 are multiples of 3, and a null passes");
        result.Run.RowsRejected.Should().Be(1);
        var rejects = await _h.QueryAsync(id, "SELECT _source_line, _reason, n FROM {quarantine}");
        rejects.Should().ContainSingle();
        rejects[0][0].Should().Be(3L);
        rejects[0][1].Should().Be("multiple-of(n): 4 is not a multiple of 3");
        rejects[0][2].Should().Be("4", "the quarantine keeps the text");
        (await _h.QueryAsync(id, "SELECT string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FROM {curated}"))[0][0].Should().Be("1,3,4");
        result.TopRejectReasons.Should().ContainSingle().Which.Reason.Should().Be("multiple-of(n)");
    }

    [Fact]
    public async Task RunAsync_CustomRuleWithActionFail_StopsTheRun_AndPublishesNothing()
    {
        var id = IngestTestData.NewDatasetId();
        await _h.RegisterAsync(TestExtensions.Definition(id, action: RuleAction.Fail));

        var act = () => _h.RunAsync(id, b => b.UseExtensions(TestExtensions.Both()), EngineHarness.Text("n.csv", "id,name,n,amount\n1,a,3,1.00\n2,b,5,2.00\n"));

        (await act.Should().ThrowAsync<DataValidationException>()).Which.Message.Should().Be(
            $"n.csv line 3, column \"n\": rule multiple-of(n): 5 is not a multiple of 3; the rule's action is fail, so the run of {id} stops and publishes nothing.");
        _h.Keys(LakeZone.Curated).Should().BeEmpty();
        _h.Keys(LakeZone.Quarantine).Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_RegisteredDefinitionWithARuleThisHostLacks_IsRefusedBeforeTheLease_AndChangesNothing()
    {
        var id = IngestTestData.NewDatasetId();
        var registered = await _h.Backends.Registry.RegisterAsync(TestExtensions.Definition(id));

        var act = () => _h.RunAsync(id, EngineHarness.Text("n.csv", "id,name,n,amount\n1,a,3,1.00\n"));

        (await act.Should().ThrowAsync<DefinitionException>()).Which.Message.Should().Be(
            $"Invalid dataset definition registered definition {id} v{registered.Version}: $.quality.rules[0].type: 'multiple-of' is not a registered rule type; the registered types are "
            + "not-null, unique, range, regex, allowed-values. Register it (services.AddIngestRule<TRule>(\"multiple-of\") or IngestExtensionsBuilder.AddQualityRule) or fix the name.");
        _h.Lake.Objects.Should().BeEmpty();
        (await _h.Backends.Ledger.ListRunsAsync(id).ToListAsync()).Should().BeEmpty();
        (await _h.Backends.Ledger.TryAcquireLeaseAsync(id, new LeaseOwner("probe", "host", 1), TimeSpan.FromSeconds(5))).Acquired.Should().BeTrue("no run took the lease");
    }

    [Fact]
    public void Process_CustomRuleSeesOnlyItsColumn_AndOtherColumnsKeepThePhysicalFastPath()
    {
        var created = new List<MultipleOfRule>();
        var rows = new RowProcessor(TestExtensions.Definition(IngestTestData.NewDatasetId()), "run-1", DateTime.UnixEpoch, DateOnly.FromDateTime(DateTime.UnixEpoch), [], TestExtensions.Both(created: created));
        var mapping = rows.MapColumns("in.csv", ["id", "name", "n", "amount"], checkWidth: true);
        var record = new SourceRecord(4);
        record.Reset(2);
        foreach (var field in new[] { "7", "Ada", "6", "10.50" })
        {
            record.AddSpan(field);
        }

        var outcome = rows.Process("in.csv", record, mapping);

        outcome.Rejection.Should().BeNull();
        created.Should().ContainSingle().Which.Width.Should().Be(1);
        outcome.FileValues![0].Should().BeSameAs(PhysicalValue.InBits, "id is read by nothing but the writer");
        outcome.FileValues[1].Should().BeSameAs(PhysicalValue.InBits);
        outcome.FileValues[2].Should().Be(6L, "the rule reads n as an object");
        outcome.FileValues[3].Should().BeSameAs(PhysicalValue.InBits);
        rows.FileValue(outcome, 3).Should().Be(10.50m);
    }

    [Fact]
    public void Builder_RefusesBuiltInAndDuplicateNames()
    {
        var builder = new IngestExtensionsBuilder().AddQualityRule("multiple-of", c => new MultipleOfRule(c));

        builder.Invoking(b => b.AddQualityRule("range", c => new MultipleOfRule(c))).Should().Throw<ArgumentException>().WithMessage("Rule type 'range' is built in*");
        builder.Invoking(b => b.AddQualityRule("multiple-of", c => new MultipleOfRule(c))).Should().Throw<ArgumentException>().WithMessage("Rule type 'multiple-of' is registered already*");
        builder.Invoking(b => b.AddQualityRule("Multiple Of", c => new MultipleOfRule(c))).Should().Throw<ArgumentException>().WithMessage("'Multiple Of' is not a valid name*");
        builder.Build().RuleTypes.Select(t => t.Name).Should().Equal("not-null", "unique", "range", "regex", "allowed-values", "multiple-of");
    }

    [Fact]
    public async Task AddIngestRule_RegistersTheRuleInTheContainersExtensions_AndPipelinesUseThem()
    {
        var id = IngestTestData.NewDatasetId();
        await using var provider = new ServiceCollection()
            .AddIngestInMemory()
            .AddIngest()
            .AddIngestRule<MultipleOfRule>("multiple-of")
            .BuildServiceProvider();
        var backends = provider.GetRequiredService<IngestBackends>();
        await backends.Registry.RegisterAsync(TestExtensions.Definition(id));

        var extensions = provider.GetRequiredService<IngestExtensions>();
        var result = await provider.GetRequiredService<IIngestPipelineFactory>().CreateBuilder(id).Build()
            .RunAsync([EngineHarness.Text("n.csv", "id,name,n,amount\n1,a,3,1.00\n2,b,4,2.00\n")]);

        extensions.Supports(new QualityRuleType("multiple-of")).Should().BeTrue();
        result.Run.RowsRejected.Should().Be(1);
        result.TopRejectReasons.Should().ContainSingle().Which.Reason.Should().Be("multiple-of(n)");
    }
}
