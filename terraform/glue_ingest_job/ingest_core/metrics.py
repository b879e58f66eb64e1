"""Run metrics as one CloudWatch Embedded Metric Format record, with the names, units and dimensions of the in-process
runs (src/Ingest.Aws/CloudWatch/EmbeddedMetrics.cs, docs/adr/0007-run-metrics-as-emf.md), so that one dashboard and
the reject-ratio alarm cover both engines; only Engine differs (glue).

Glue's own log appender does not mark its lines as EMF, so the job sends the record with PutLogEvents to a stream of
its output log group, with the header CloudWatch Logs needs to extract the metrics (x-amzn-logs-format: json/emf).
"""

import datetime
import json

ENGINE = "glue"
DIMENSIONS = [["Dataset"], ["Dataset", "Status"], ["Engine"]]
EMF_HEADER = ("x-amzn-logs-format", "json/emf")


def _moment(text):
    return datetime.datetime.fromisoformat(text) if text else None


def figures(run, bytes_written=0, table_files=0):
    """(name, unit, value) of every metric of a run record, in the order EmbeddedMetrics.Format writes them.
    ``table_files`` counts the data files an Iceberg snapshot added, which the run record does not list (Spark names
    them at the commit): FilesWritten is the record's files (quarantine, Hive curated) plus those."""
    files = len(run.get("filesWritten", [])) + table_files
    metrics = [
        ("RowsRead", "Count", run.get("rowsRead", 0)),
        ("RowsWritten", "Count", run.get("rowsWritten", 0)),
        ("RowsRejected", "Count", run.get("rowsRejected", 0)),
        ("BytesWritten", "Bytes", bytes_written),
        ("FilesWritten", "Count", files),
        ("AverageFileSizeBytes", "Bytes", bytes_written / files if files else 0),
        ("PartitionsWritten", "Count", len(run.get("partitionsWritten", []))),
    ]
    started, ended = _moment(run.get("startedAt")), _moment(run.get("endedAt"))
    if started and ended:
        metrics.append(("DurationSeconds", "Seconds", (ended - started).total_seconds()))
    metrics.append(("Retries", "Count", 0))
    metrics.append(("RunsFailed", "Count", 1 if run["status"] == "failed" else 0))
    return [(name, unit, float(value)) for name, unit, value in metrics]


def emf_record(run, namespace, bytes_written=0, table_files=0):
    """The EMF record (a dict; json.dumps it) of a finished run (``table_files``: see ``figures``)."""
    moment = _moment(run.get("endedAt")) or _moment(run["startedAt"])
    metrics = figures(run, bytes_written, table_files)
    record = {
        "_aws": {
            "Timestamp": int(moment.timestamp() * 1000),
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": DIMENSIONS,
                "Metrics": [{"Name": name, "Unit": unit} for name, unit, _ in metrics],
            }],
        },
        "Dataset": run["dataset"],
        "Status": run["status"],
        "Engine": ENGINE,
        "RunId": run["runId"],
        "DefinitionVersion": run["definitionVersion"],
    }
    for name, _, value in metrics:
        record[name] = value
    return record


def _add_emf_header(request, **_):
    request.headers[EMF_HEADER[0]] = EMF_HEADER[1]


def publish(logs, group, stream, record):
    """Sends one EMF record to group/stream (the stream is created if needed) with the EMF header."""
    logs.meta.events.register("before-sign.cloudwatch-logs.PutLogEvents", _add_emf_header, unique_id="ingest-emf-header")
    try:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": record["_aws"]["Timestamp"], "message": json.dumps(record, separators=(",", ":"))}])
