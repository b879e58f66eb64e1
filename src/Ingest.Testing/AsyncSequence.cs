using System.Runtime.CompilerServices;

namespace Ingest.Testing;

/// <summary>Turns a snapshot taken under a lock into an <see cref="IAsyncEnumerable{T}"/>.</summary>
internal static class AsyncSequence
{
    public static async IAsyncEnumerable<T> From<T>(IReadOnlyList<T> items, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
