import datetime
import json
import os
import re
import unittest

import boto3
from botocore.awsrequest import AWSResponse

from ingest_core import iceberg_write, ledger, metrics

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
T0 = datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.timezone.utc)


def finished(status="succeeded"):
    run = ledger.new_run("20260115T100000Z-0000abcd", "sales.orders", 3, T0)
    if status == "failed":
        return ledger.transition(run, "failed", T0 + datetime.timedelta(seconds=90), error="x")
    return ledger.transition(run, "succeeded", T0 + datetime.timedelta(seconds=90), rowsRead=10, rowsWritten=8, rowsRejected=2,
                             filesWritten=["curated/a.parquet", "quarantine/b.parquet"], partitionsWritten=["d=1/"])


class Answer:
    """The body of an empty JSON answer (what CreateLogStream and PutLogEvents return)."""

    def stream(self, **_):
        yield b"{}"


class EmbeddedMetricFormat(unittest.TestCase):
    def test_names_units_and_dimensions_are_those_of_the_in_process_runs(self):
        with open(os.path.join(ROOT, "src", "Ingest.Aws", "CloudWatch", "EmbeddedMetrics.cs"), encoding="utf-8") as f:
            source = f.read()
        csharp = re.findall(r'\("([A-Za-z]+)", "(Count|Bytes|Seconds)"', source)
        self.assertEqual([(n, u) for n, u, _ in metrics.figures(finished())], csharp)
        self.assertIn('new JsonArray(new JsonArray("Dataset"), new JsonArray("Dataset", "Status"), new JsonArray("Engine"))', source)
        self.assertEqual(metrics.DIMENSIONS, [["Dataset"], ["Dataset", "Status"], ["Engine"]])

    def test_a_record_carries_the_dataset_dimension_and_the_figures(self):
        record = metrics.emf_record(finished(), "Ingest", bytes_written=3000)
        self.assertEqual((record["Dataset"], record["Status"], record["Engine"]), ("sales.orders", "succeeded", "glue"))
        self.assertEqual(record["_aws"]["CloudWatchMetrics"][0]["Namespace"], "Ingest")
        self.assertEqual(record["_aws"]["Timestamp"], int((T0 + datetime.timedelta(seconds=90)).timestamp() * 1000))
        self.assertEqual((record["RowsRejected"], record["FilesWritten"], record["AverageFileSizeBytes"], record["DurationSeconds"]), (2.0, 2.0, 1500.0, 90.0))
        every = {m["Name"] for m in record["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
        self.assertTrue(every <= set(record), "every declared metric has its value in the record")
        self.assertEqual(metrics.emf_record(finished("failed"), "Ingest")["RunsFailed"], 1.0)

    def test_an_iceberg_run_counts_the_files_and_bytes_its_snapshot_added(self):
        # The summary keys are those of the Iceberg spec, which the in-process engine writes too (IcebergCommitBuilder).
        with open(os.path.join(ROOT, "src", "Ingest", "Tables", "Iceberg", "IcebergCommitBuilder.cs"), encoding="utf-8") as f:
            builder = f.read()
        self.assertIn('["added-data-files"]', builder)
        self.assertIn('["added-files-size"]', builder)
        run_id = "20260115T100000Z-0000abcd"
        summaries = [
            {"ingest.run-id": "20260114T100000Z-0000ffff", "added-data-files": "7", "added-files-size": "70000"},
            {"ingest.run-id": run_id, "operation": "overwrite", "added-data-files": "3", "added-delete-files": "1", "added-files-size": "9000"},
        ]
        self.assertEqual(iceberg_write.snapshot_written(summaries, run_id), (4, 9000))
        self.assertEqual(iceberg_write.snapshot_written(summaries[:1], run_id), (0, 0))
        run = dict(finished(), filesWritten=["quarantine/rejects-1.parquet"])  # the run record lists no table data files
        files, table_bytes = iceberg_write.snapshot_written(summaries, run_id)
        record = metrics.emf_record(run, "Ingest", bytes_written=1000 + table_bytes, table_files=files)
        self.assertEqual((record["FilesWritten"], record["BytesWritten"], record["AverageFileSizeBytes"]), (5.0, 10000.0, 2000.0))

    def test_the_record_is_sent_with_the_emf_header(self):
        # The request boto3 builds is caught before it leaves (before-send answers it), so no AWS is needed.
        logs = boto3.client("logs", region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="y")
        sent = []

        def answer(request, **_):
            sent.append((request.url, {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}, request.body))
            return AWSResponse(request.url, 200, {}, Answer())

        logs.meta.events.register("before-send.cloudwatch-logs", answer)
        record = metrics.emf_record(finished(), "Ingest")
        metrics.publish(logs, "/aws-glue/jobs/output", "ingest-emf/20260115T100000Z-0000abcd", record)

        put = [s for s in sent if b"logEvents" in s[2]]
        self.assertEqual(len(put), 1)
        self.assertEqual(put[0][1].get("x-amzn-logs-format"), "json/emf")
        events = json.loads(put[0][2])["logEvents"]
        self.assertEqual(json.loads(events[0]["message"])["Dataset"], "sales.orders")
        create = [s for s in sent if b"logEvents" not in s[2]]
        self.assertNotIn("x-amzn-logs-format", create[0][1], "only PutLogEvents carries the header")


if __name__ == "__main__":
    unittest.main()
