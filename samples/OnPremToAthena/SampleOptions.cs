using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace OnPremToAthena;

/// <summary>The command line: <c>--home DIR</c>, <c>--rows N</c>, <c>--clean</c>.</summary>
internal sealed record SampleOptions(string Home, int Rows, bool Clean)
{
    public const string Usage = """
        usage: dotnet run --project samples/OnPremToAthena -- [--home DIR] [--rows N] [--clean]
          --home DIR   work folder for the generated extract and the local lake (default ./.ingest-sample)
          --rows N     orders in the first extract (default 250000; customers = N/12, July extract = N/10)
          --clean      delete the work folder first (the lake is always recreated; --clean also drops the extract)
        """;

    public static bool TryParse(string[] args, [NotNullWhen(true)] out SampleOptions? options, out string error)
    {
        var home = Path.GetFullPath(".ingest-sample");
        var rows = 250_000;
        var clean = false;
        options = null;
        error = string.Empty;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--home" when i + 1 < args.Length:
                    home = Path.GetFullPath(args[++i]);
                    break;
                case "--rows" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1000:
                    rows = n;
                    i++;
                    break;
                case "--clean":
                    clean = true;
                    break;
                case "--help" or "-h":
                    error = "OnPremToAthena: the Ingest flow from an on-premise extract to SQL, with checks.";
                    return false;
                default:
                    error = $"unknown or incomplete option '{args[i]}' (--rows needs a whole number of at least 1000)";
                    return false;
            }
        }

        options = new SampleOptions(home, rows, clean);
        return true;
    }
}
