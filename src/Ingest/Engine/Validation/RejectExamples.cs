using System.Globalization;

namespace Ingest.Engine.Validation;

/// <summary>
/// What a run keeps of its rejected records for the reject budget's message: up to three examples per reason (file, line,
/// column, value, expected form and the definition member that would accept them), and the physical lines that rejected
/// records took in beyond their first (an unclosed quote), which count against the budget like rejected rows.
/// </summary>
internal sealed class RejectExamples
{
    /// <summary>The number of examples kept per reason.</summary>
    public const int PerReason = 3;

    private readonly Dictionary<string, List<string>> _examples = new(StringComparer.Ordinal);

    /// <summary>Gets the lines rejected records spanned beyond their first.</summary>
    public long ExtraLines { get; private set; }

    public void Add(Rejection rejection, long lineCount)
    {
        ExtraLines += Math.Max(0, lineCount - 1);
        if (!_examples.TryGetValue(rejection.ReasonKey, out var list))
        {
            _examples[rejection.ReasonKey] = list = [];
        }

        if (list.Count < PerReason)
        {
            list.Add(rejection.Example());
        }
    }

    /// <summary>Whether <paramref name="rejected"/> of <paramref name="read"/> records (plus the extra lines) exceed <paramref name="maxRatio"/>; the ratio.</summary>
    public bool OverBudget(long read, long rejected, double maxRatio, out double ratio)
    {
        ratio = read == 0 ? 0 : (double)(rejected + ExtraLines) / (read + ExtraLines);
        return rejected > 0 && ratio > maxRatio;
    }

    /// <summary>The examples of a reason, joined for a message: <c>e.g. a.csv line 2, column "d": …; a.csv line 3 …</c>.</summary>
    public string Describe(string reasonKey)
        => _examples.TryGetValue(reasonKey, out var list) && list.Count > 0 ? $", e.g. {string.Join(", ", list)}" : string.Empty;

    /// <summary>The part of the message that tells about lines taken in by rejected records, if any.</summary>
    public string LinesNote()
        => ExtraLines == 0
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $" (counting the {ExtraLines} further lines that rejected records took in)");
}
