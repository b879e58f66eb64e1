using Ingest.Definitions;

namespace Ingest.Cli.Hosting;

/// <summary>Checks of command arguments that fail with exit code 2 and a message naming the argument.</summary>
internal static class Arguments
{
    /// <summary>Parses a dataset id (<c>domain.name</c>).</summary>
    public static DatasetId DatasetId(string? value)
    {
        try
        {
            return Definitions.DatasetId.Parse(value ?? string.Empty);
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message.Split(" (Parameter", 2)[0]);
        }
    }

    /// <summary>Checks a run id as <c>ingest runs</c> shows it (letters, digits and '-', as runs are named).</summary>
    public static string RunId(string value)
        => value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? value
            : throw new CliException($"--run {value} is not a run id: run ids hold letters, digits and '-' (as ingest runs <dataset> shows them).");

    /// <summary>Returns the absolute path of an existing file, or fails naming it.</summary>
    public static string ExistingFile(string path, string what = "Input file")
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new CliException(Directory.Exists(full) ? $"{what} {path} is a directory, not a file." : $"{what} {path} does not exist.");
        }

        return full;
    }
}
