"""engine.glue.maxRetries applied in the job run (ingest_core.attempts): which failures are attempted again, and how often.
The transient errors are real botocore errors (a refused connection to a loopback port, a throttled call answered by
dynalite's error shape); the Spark error is a stand-in of py4j's class, the only part that needs Spark."""

import json
import os
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from ingest_core import attempts, jdbc_source
from ingest_core import definition as definitions
from tests.servers import CREDENTIALS, _free_port

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


class Py4JJavaError(Exception):
    """What py4j raises for a Java exception in Spark (py4j.protocol.Py4JJavaError): the Java exception's text in java_exception."""

    def __init__(self, java_exception):
        super().__init__("An error occurred while calling o123.load.")
        self.java_exception = java_exception


class Transient(unittest.TestCase):
    def test_a_refused_connection_is_transient(self):
        client = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{_free_port()}", config=Config(retries={"max_attempts": 1}, connect_timeout=2), **CREDENTIALS)
        with self.assertRaises(Exception) as failed:
            client.list_tables()
        self.assertEqual(type(failed.exception).__name__, "EndpointConnectionError")
        self.assertTrue(attempts.is_transient(failed.exception))

    def test_throttling_is_transient_a_refused_condition_is_not(self):
        throttled = ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "GetSecretValue")
        refused = ClientError({"Error": {"Code": "ConditionalCheckFailedException", "Message": "The conditional request failed"}}, "PutItem")
        denied = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}, "GetSecretValue")
        self.assertTrue(attempts.is_transient(throttled))
        self.assertFalse(attempts.is_transient(refused))
        self.assertFalse(attempts.is_transient(denied), "a permission does not appear by waiting")

    def test_spark_errors_are_transient_only_for_lost_connections_and_executors(self):
        self.assertTrue(attempts.is_transient(Py4JJavaError("org.postgresql.util.PSQLException: The connection attempt failed.")))
        self.assertTrue(attempts.is_transient(Py4JJavaError("org.apache.spark.SparkException: Job aborted: ExecutorLostFailure (executor 3 exited)")))
        self.assertFalse(attempts.is_transient(Py4JJavaError('org.postgresql.util.PSQLException: ERROR: relation "sales.orders" does not exist')))
        self.assertFalse(attempts.is_transient(Py4JJavaError("org.apache.spark.sql.AnalysisException: [UNRESOLVED_COLUMN] note")))

    def test_what_the_data_or_the_definition_causes_is_never_retried(self):
        d = definitions.parse({
            "id": "sales.orders", "source": {"format": "database", "database": {"connection": "c", "provider": "postgresql", "table": "t", "cursor": {"column": "id"}}},
            "columns": [{"name": "id", "type": "int64"}],
        })
        with self.assertRaises(jdbc_source.SourceError) as monotonic:
            jdbc_source.window(d, 3, "5")
        self.assertFalse(attempts.is_transient(monotonic.exception))
        self.assertFalse(attempts.is_transient(RuntimeError("2 of 4 rows rejected, above maxRejectRatio 0.25; nothing was published")))
        self.assertFalse(attempts.is_transient(definitions.DefinitionError("definition", ["$.id: bad"])))

    def test_a_transient_cause_counts_but_an_error_while_handling_one_does_not(self):
        try:
            try:
                raise ConnectionResetError("reset by peer")
            except ConnectionResetError as cause:
                raise RuntimeError("reading the landing folder failed") from cause
        except RuntimeError as error:
            self.assertTrue(attempts.is_transient(error))
        try:
            try:
                raise ConnectionResetError("reset by peer")
            except ConnectionResetError:
                raise RuntimeError("a rule whose action is fail")  # noqa: B904 - the point of the test
        except RuntimeError as error:
            self.assertFalse(attempts.is_transient(error))


class Retries(unittest.TestCase):
    def test_the_definitions_value_is_the_number_of_retries(self):
        with open(os.path.join(ROOT, "docs", "examples", "inventory.stock_levels.json"), encoding="utf-8") as f:
            d = definitions.parse(json.load(f))
        self.assertEqual(d["engine"]["glue"]["maxRetries"], 2)
        self.assertEqual(list(attempts.attempts(d["engine"]["glue"]["maxRetries"])), [1, 2, 3])
        self.assertEqual(list(attempts.attempts(0)), [1])
        with self.assertRaises(ValueError):
            attempts.attempts(11)

    def test_a_run_is_retried_only_before_its_commit_point_and_while_it_holds_the_lease(self):
        throttled = ClientError({"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."}}, "PutObject")
        self.assertTrue(attempts.should_retry(throttled, 1, 2, committed=False, lease_lost=False))
        self.assertTrue(attempts.should_retry(throttled, 2, 2, committed=False, lease_lost=False))
        self.assertFalse(attempts.should_retry(throttled, 3, 2, committed=False, lease_lost=False), "maxRetries 2: three attempts in all")
        self.assertFalse(attempts.should_retry(throttled, 1, 2, committed=True, lease_lost=False), "after the manifest, recovery owns the run")
        self.assertFalse(attempts.should_retry(throttled, 1, 2, committed=False, lease_lost=True))
        self.assertFalse(attempts.should_retry(throttled, 1, 0, committed=False, lease_lost=False))


class JobUsesIt(unittest.TestCase):
    def test_the_job_loops_over_the_attempts_and_deletes_a_discarded_attempts_staging(self):
        with open(os.path.join(ROOT, "terraform", "glue_ingest_job", "glue_job.py"), encoding="utf-8") as f:
            job = f.read()
        self.assertIn('max_retries = d["engine"]["glue"]["maxRetries"]', job)
        self.assertIn("for number in attempts.attempts(max_retries):", job)
        self.assertIn('attempts.should_retry(error, number, max_retries, state["committed"], keeper.lost.is_set())', job)
        self.assertLess(job.index('state["committed"] = True'), job.index("recovery.commit(s3, dynamodb"), "committed is set before the manifest is written")
        with open(os.path.join(ROOT, "terraform", "glue_ingest_job", "modules", "glue_job", "main.tf"), encoding="utf-8") as f:
            self.assertIn("max_retries            = 0", f.read(), "Glue itself never reruns the script (a rerun would repeat the run id)")


if __name__ == "__main__":
    unittest.main()
