namespace Ingest.Cli;

/// <summary>The process exit codes of the <c>ingest</c> tool (documented in <c>--help</c> and the README).</summary>
internal static class ExitCodes
{
    /// <summary>Success, or a run with nothing to do.</summary>
    public const int Success = 0;

    /// <summary>The data failed the run (<see cref="DataValidationException"/>), or <c>datasets validate</c> found an invalid definition.</summary>
    public const int DataFailed = 1;

    /// <summary>Bad input: an invalid definition, an unknown dataset, an incompatible change, a missing file, bad arguments or SQL.</summary>
    public const int BadInput = 2;

    /// <summary>Another run holds the dataset's lease (<see cref="ConcurrencyConflictException"/>).</summary>
    public const int Conflict = 3;

    /// <summary>Anything else.</summary>
    public const int Unexpected = 4;

    /// <summary>The lake or the disk cannot be written: full, read-only, permission denied (<see cref="LakeEnvironmentException"/>); nothing was published.</summary>
    public const int Environment = 5;

    /// <summary>Cancelled with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    /// <summary>The text appended to every <c>--help</c>.</summary>
    public const string HelpText =
        """
        EXIT CODES:
            0    success, or nothing new to ingest
            1    the data failed the run (nothing was published),
                 or datasets validate found an invalid definition,
                 or deploy asl --check found a stale state machine file
            2    bad input: invalid definition, unknown dataset, incompatible
                 change, missing file, bad arguments or SQL
            3    another run holds the dataset's lease
            4    unexpected error (add --verbose for details)
            5    the lake or the disk cannot be written (full, read-only,
                 permission denied); nothing was published
            130  cancelled (Ctrl+C)
        """;
}
