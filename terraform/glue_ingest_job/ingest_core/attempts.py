"""The definition's ``engine.glue.maxRetries``, applied inside the job run.

A Glue-level retry (the job's MaxRetries) would start the script again with the same arguments, hence the same run id,
whose RUN# item already exists: the ledger refuses it, and the state machine's retry counts are fixed per state, not per
dataset. So the job retries itself: an attempt that fails with a transient error (the network, a throttled or failing AWS
call, a JDBC connection that broke, an executor lost) before the commit point is discarded (its staging area deleted) and
the run is attempted again under the same run id and lease, up to maxRetries more times. A failure the data or the
definition causes (a rule, the reject ratio, a missing column, a cursor set back, a refusal) is never retried: it would
fail the same way. Nothing is retried once the commit manifest is written; recovery owns that run from there.
"""

# AWS error codes that a later attempt may not hit again (throttling and service-side failures).
TRANSIENT_AWS_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded", "TooManyRequestsException",
    "ProvisionedThroughputExceededException", "RequestThrottled", "RequestThrottledException", "SlowDown",
    "InternalError", "InternalFailure", "InternalServerError", "InternalServiceException", "ServiceUnavailable",
    "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException", "TransactionInProgressException",
})
# botocore's exceptions for a connection that failed or broke (botocore.exceptions, by class name).
TRANSIENT_CONNECTION_ERRORS = frozenset({
    "EndpointConnectionError", "ConnectionClosedError", "ReadTimeoutError", "ConnectTimeoutError", "ConnectionError",
    "ProxyConnectionError", "HTTPClientError",
})
# Java exceptions (inside a Py4JJavaError from Spark) that say the connection or an executor went away.
TRANSIENT_JAVA = (
    "java.sql.SQLTransientConnectionException", "java.sql.SQLRecoverableException", "java.sql.SQLTransientException",
    "java.net.SocketTimeoutException", "java.net.ConnectException", "java.net.SocketException", "java.io.EOFException",
    "org.postgresql.util.PSQLException: The connection attempt failed", "org.postgresql.util.PSQLException: An I/O error occurred",
    "com.microsoft.sqlserver.jdbc.SQLServerException: The TCP/IP connection", "ExecutorLostFailure",
    "com.amazonaws.SdkClientException: Unable to execute HTTP request", "software.amazon.awssdk.core.exception.SdkClientException",
    "Status Code: 503", "Status Code: 500", "SlowDown",
)


def is_transient(error):
    """Whether a later attempt of the run may not meet ``error`` again."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        name = type(error).__name__
        response = getattr(error, "response", None)
        if isinstance(response, dict) and response.get("Error", {}).get("Code") in TRANSIENT_AWS_CODES:
            return True
        if name in TRANSIENT_CONNECTION_ERRORS:
            return True
        if name == "Py4JJavaError":
            java = str(getattr(error, "java_exception", "") or "")
            return any(marker in java for marker in TRANSIENT_JAVA)
        if isinstance(error, (ConnectionError, TimeoutError)):
            return True
        error = error.__cause__  # an explicit cause only: an error raised while handling another is its own
    return False


def attempts(max_retries):
    """The attempt numbers of a run: 1 and then up to ``max_retries`` retries."""
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or not 0 <= max_retries <= 10:
        raise ValueError(f"engine.glue.maxRetries must be an integer from 0 to 10, not {max_retries!r}")
    return range(1, max_retries + 2)


def should_retry(error, attempt, max_retries, committed, lease_lost):
    """Whether a failed attempt is discarded and tried again: transient, before the commit point, lease still held, retries left."""
    return not committed and not lease_lost and attempt <= max_retries and is_transient(error)
