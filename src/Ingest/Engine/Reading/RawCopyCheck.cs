using System.Globalization;
using Ingest.Definitions;

namespace Ingest.Engine.Reading;

/// <summary>
/// The check after an input is copied to the raw zone: a file whose size or modification time differ from before the copy,
/// or whose copy has another size, was written to meanwhile (still being exported, replaced, truncated), and the copy is not
/// a version of it that anyone wrote. The run then fails before anything is read or published.
/// </summary>
internal static class RawCopyCheck
{
    public static void EnsureUnchanged(DatasetId dataset, IngestInput input, InputVersion? before, long copied)
    {
        if (before is not { } was || input.Version is not { } version)
        {
            return;
        }

        var now = version();
        if (now == was && copied == was.Length)
        {
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        var what = now is not { } after
            ? "was removed"
            : string.Create(inv, $"went from {was.Length:N0} bytes, modified {was.LastWriteUtc:yyyy-MM-dd HH:mm:ss.fff}Z, to {after.Length:N0} bytes, modified {after.LastWriteUtc:yyyy-MM-dd HH:mm:ss.fff}Z, and {copied:N0} bytes were copied");
        throw new DataValidationException(
            $"{input.Name}: the file changed while it was copied to the raw zone (it {what}); nothing was published. "
            + "Run again once the file is complete (a writer that renames the finished file into place avoids this).")
        {
            Dataset = dataset,
            Location = input.Name,
        };
    }
}
