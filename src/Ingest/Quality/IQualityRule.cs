namespace Ingest.Quality;

/// <summary>
/// A custom quality rule, registered by name (<c>services.AddIngestRule&lt;TRule&gt;("luhn")</c> or
/// <see cref="IngestExtensionsBuilder.AddQualityRule"/>) and used from a definition as <c>{"type": "luhn", "column": "card"}</c>.
/// The engine turns what <see cref="Check"/> returns into the rule's reason (<c>luhn(card): …</c>) and applies the
/// rule's <c>action</c> as for a built-in rule: <c>reject</c> sends the row to the quarantine, <c>fail</c> stops the run.
/// </summary>
/// <remarks>
/// A rule is created for one use in one definition (see <see cref="QualityRuleContext"/>): once when a definition is
/// validated against the registrations, and once per run. Within a run it is called for each row that reached the rules
/// (converted, transformed), one row at a time and never concurrently, in row order; a row it passes may still be rejected
/// later (by another rule, its partition value or a duplicate merge key). It sees only the columns its definition entry
/// names (<c>column</c> or <c>columns</c>), and it is not called for a row where any of them is null (nulls pass every rule
/// but not-null, as in SQL). Those columns are handed over as objects; every other column keeps the engine's unboxed fast
/// path (ADR 12).
/// </remarks>
public interface IQualityRule
{
    /// <summary>Checks one row.</summary>
    /// <param name="row">The values of the rule's columns, none of them null.</param>
    /// <returns>
    /// <see langword="null"/> when the row passes; otherwise what is wrong, in one line that names the value and what was
    /// expected (<c>"4111 1111 1111 1112" fails the Luhn check digit</c>).
    /// </returns>
    string? Check(QualityRuleRow row);
}
