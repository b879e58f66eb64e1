using System.Globalization;

namespace Ingest.Benchmarks;

/// <summary>
/// The targets of a run (issues 7 and 18) in one table, printed at the end: every row the measured figure, its goal and
/// whether it is met. A section adds its rows as it measures; a target that was not measured in this run (its section
/// skipped or failed) prints as such instead of disappearing, when the section adds it with <see cref="double.NaN"/>.
/// </summary>
internal sealed class TargetReport
{
    private readonly List<Row> _rows = [];

    /// <summary>The rows added so far, in order.</summary>
    public IReadOnlyList<Row> Rows => _rows;

    /// <summary>
    /// Adds a target: <paramref name="measured"/> against <paramref name="target"/>, met when it is at least the target
    /// (<paramref name="higherIsBetter"/>, e.g. a throughput ratio) or at most the target (e.g. memory in MiB).
    /// <paramref name="unit"/> follows the figures ("×", "MiB", "%"); <paramref name="stretch"/> marks a goal beyond the
    /// target, printed as such.
    /// </summary>
    /// <remarks>A row of the same name replaces the one added before (e.g. a "not measured" placeholder).</remarks>
    public void Add(string name, double measured, double target, bool higherIsBetter, string unit = "×", bool stretch = false)
        => Put(new Row(name, measured, target, higherIsBetter, unit, stretch ? RowKind.Stretch : RowKind.Target));

    /// <summary>Adds a figure printed beside the targets without a goal (a reference, a share of time).</summary>
    public void AddReported(string name, double measured, string unit = "×")
        => Put(new Row(name, measured, double.NaN, true, unit, RowKind.Reported));

    /// <summary>Prints the table (markdown) and a line with how many targets were met.</summary>
    public void Print(TextWriter output, string title)
    {
        output.WriteLine();
        output.WriteLine($"## {title}");
        output.WriteLine();
        output.WriteLine("| target | measured | goal | |");
        output.WriteLine("|---|---:|---:|---|");
        foreach (var row in _rows)
        {
            output.WriteLine(row.ToString());
        }

        var targets = _rows.Where(r => r.Kind == RowKind.Target).ToList();
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{targets.Count(r => r.Met == true)} of {targets.Count} targets met; {targets.Count(r => r.Met is null)} not measured in this run."));
    }

    private void Put(Row row)
    {
        var index = _rows.FindIndex(r => r.Name == row.Name);
        if (index >= 0)
        {
            _rows[index] = row;
        }
        else
        {
            _rows.Add(row);
        }
    }

    /// <summary>What a row is.</summary>
    public enum RowKind
    {
        /// <summary>A target of the issue: met or not met.</summary>
        Target,

        /// <summary>A goal beyond the target, printed as a stretch.</summary>
        Stretch,

        /// <summary>A figure without a goal.</summary>
        Reported,
    }

    /// <summary>One row of the table.</summary>
    public sealed record Row(string Name, double Measured, double Target, bool HigherIsBetter, string Unit, RowKind Kind)
    {
        /// <summary>Whether the target is met; null when nothing was measured (or the row has no goal).</summary>
        public bool? Met => double.IsNaN(Measured) || double.IsNaN(Target) ? null : HigherIsBetter ? Measured >= Target : Measured <= Target;

        public override string ToString()
        {
            var inv = CultureInfo.InvariantCulture;
            var figure = double.IsNaN(Measured) ? "–" : string.Create(inv, $"{Measured:0.00}{(Unit == "×" ? "×" : " " + Unit)}");
            var goal = Kind == RowKind.Reported ? "(reported)" : string.Create(inv, $"{(HigherIsBetter ? ">=" : "<=")} {Target:0.00}{(Unit == "×" ? "×" : " " + Unit)}");
            var verdict = Kind switch
            {
                RowKind.Reported => "",
                _ when Met is null => "not measured",
                RowKind.Stretch => Met == true ? "stretch met" : "stretch not met",
                _ => Met == true ? "met" : "NOT met",
            };
            return $"| {Name} | {figure} | {goal} | {verdict} |";
        }
    }
}
