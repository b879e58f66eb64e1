namespace Ingest.Aws;

/// <summary>
/// Long-running work in AWS (a Glue job run, an Athena query, a Step Functions execution) followed by polling: start it,
/// keep its <see cref="Id"/>, and later rebuild the operation from the id in another process to follow it to the end.
/// </summary>
/// <typeparam name="T">The status the service reports.</typeparam>
/// <remarks>Not thread-safe: one caller polls an instance. Each <see cref="UpdateStatusAsync"/> is one request.</remarks>
internal abstract class AwsOperation<T>
    where T : class
{
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the operation.</summary>
    /// <param name="timeProvider">The clock of the delays between polls; the system clock when <see langword="null"/>.</param>
    protected AwsOperation(TimeProvider? timeProvider)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the id that rebuilds this operation (a job run id, a query execution id, an execution ARN).</summary>
    public abstract string Id { get; }

    /// <summary>Gets the status of the last <see cref="UpdateStatusAsync"/>, or <see langword="null"/> before the first.</summary>
    public T? Status { get; private set; }

    /// <summary>Gets whether the last known status is final (succeeded, failed, stopped, timed out).</summary>
    public bool HasCompleted => Status is not null && IsFinal(Status);

    /// <summary>Gets whether the last known status is the successful end.</summary>
    public bool HasSucceeded => Status is not null && IsSuccess(Status);

    /// <summary>Asks the service for the current status (one request) and returns it.</summary>
    /// <param name="cancellationToken">Cancels the request (not the remote work).</param>
    /// <exception cref="AwsServiceException">The service refused the request.</exception>
    public async Task<T> UpdateStatusAsync(CancellationToken cancellationToken = default)
    {
        Status = await FetchStatusAsync(cancellationToken).ConfigureAwait(false);
        return Status;
    }

    /// <summary>Polls every <paramref name="pollingInterval"/> until the work ends and returns its final status (failed ones too: see <see cref="HasSucceeded"/>).</summary>
    /// <param name="pollingInterval">The delay between two polls.</param>
    /// <param name="cancellationToken">Stops waiting; the remote work goes on (stop it with the service's stop call).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pollingInterval"/> is not positive.</exception>
    public async Task<T> WaitForCompletionAsync(TimeSpan pollingInterval, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollingInterval, TimeSpan.Zero);
        while (true)
        {
            var status = await UpdateStatusAsync(cancellationToken).ConfigureAwait(false);
            if (IsFinal(status))
            {
                return status;
            }

            await Task.Delay(pollingInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Fetches the current status from the service.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    protected abstract Task<T> FetchStatusAsync(CancellationToken cancellationToken);

    /// <summary>Returns whether a status is final.</summary>
    /// <param name="status">The status.</param>
    protected abstract bool IsFinal(T status);

    /// <summary>Returns whether a status is the successful end.</summary>
    /// <param name="status">The status.</param>
    protected abstract bool IsSuccess(T status);
}
