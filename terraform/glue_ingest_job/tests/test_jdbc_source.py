"""Database sources on the Glue job (ingest_core.jdbc_source): the window and the SQL run for real against PostgreSQL (tests/postgres.py,
values as bound parameters through psycopg2), the type table shared with the C# suite (tests/conformance/database-types.json),
the credentials read with boto3 from a loopback Secrets Manager endpoint that checks every request and answer against
botocore's own service model, and the watermark committed with the run against dynalite."""

import datetime
import decimal
import http.server
import json
import logging
import os
import threading
import unittest

import boto3
import botocore.session
from botocore.config import Config
from botocore.validate import ParamValidator

from ingest_core import definition as definitions
from ingest_core import jdbc_source, ledger
from tests.postgres import Postgres
from tests.servers import CREDENTIALS, Servers

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
T0 = datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.timezone.utc)


def orders_definition(**database):
    source = {"connection": "onprem", "provider": "postgresql", "table": "sales.orders", "cursor": {"column": "updated_at", "lag": 60}}
    source.update(database)
    return definitions.parse({
        "id": "sales.orders", "engine": {"kind": "glue"},
        "source": {"format": "database", "database": source},
        "columns": [
            {"name": "order_id", "type": "int64", "nullable": False, "sourceColumn": "id"},
            {"name": "note", "type": "string"},
            {"name": "amount", "type": "decimal(10,2)"},
            {"name": "updated_at", "type": "timestamp", "nullable": False},
        ],
        "keys": ["order_id"],
    })


ORDERS = """
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id bigint, note text, amount numeric(10,2), updated_at timestamp NOT NULL);
INSERT INTO sales.orders VALUES
  (1, 'first', 10.00, '2026-01-15 08:00:00'),
  (2, 'it''s quoted', 20.50, '2026-01-15 08:30:00'),
  (3, NULL, NULL, '2026-01-15 09:00:00'),
  (4, 'inside the lag', 1.00, '2026-01-15 09:00:30');
"""


def run_window(connection, d, watermark):
    """One extraction as the job does it: the upper bound read once, the window fixed, the rows read with bound parameters."""
    with connection.cursor() as cursor:
        cursor.execute(jdbc_source.upper_bound_sql(d))
        largest = cursor.fetchone()[0]
        w = jdbc_source.window(d, largest, watermark)
        if w.empty:
            return w, []
        sql, parameters = jdbc_source.select_sql(d, w)
        cursor.execute(sql, parameters)
        return w, sorted(cursor.fetchall())


class WithPostgres(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = Postgres()

    @classmethod
    def tearDownClass(cls):
        cls.pg.stop()


class Windows(WithPostgres):
    def test_two_runs_read_each_row_once_and_leave_the_lag_for_later(self):
        db = self.pg.database(ORDERS)
        d = orders_definition()
        first, rows = run_window(db, d, None)
        self.assertEqual([r[0] for r in rows], [1, 2], "rows 3 and 4 are within the lag of the largest value (09:00:30 - 60 s = 08:59:30)")
        self.assertEqual(first.upper, datetime.datetime(2026, 1, 15, 8, 59, 30))
        self.assertEqual(rows[1][1], "it's quoted")
        self.assertEqual(rows[0][2], decimal.Decimal("10.00"))
        mark = jdbc_source.watermarks({}, d, first)[jdbc_source.watermark_key(d["source"]["database"])]
        self.assertEqual(mark, "2026-01-15T08:59:30.0000000", "the C# ledger's text of a DateTime (CursorValues.Format, round-trip \"O\")")

        with db.cursor() as cursor:
            cursor.execute("INSERT INTO sales.orders VALUES (5, 'new', 5.00, '2026-01-15 10:00:00'), (6, 'late but above', 6.00, '2026-01-15 09:00:00')")
        second, rows = run_window(db, d, mark)
        self.assertEqual([r[0] for r in rows], [3, 4, 6], "above the watermark (exclusive) up to 10:00 - 60 s: rows 3 and 4 now, and the late row 6")
        self.assertEqual(second.lower, datetime.datetime(2026, 1, 15, 8, 59, 30))

    def test_the_boundary_row_is_not_read_twice(self):
        # Mutation check of the predicate: > lower, not >=. The first window ends exactly on row 2's value.
        db = self.pg.database(ORDERS)
        d = orders_definition(cursor={"column": "updated_at", "lag": 1830})  # 09:00:30 - 30.5 min = 08:30:00
        first, rows = run_window(db, d, None)
        self.assertEqual([r[0] for r in rows], [1, 2])
        _, again = run_window(db, d, jdbc_source.format_cursor(first.upper))
        self.assertEqual(again, [], "nothing new: the largest value minus the lag is the watermark itself")
        inclusive = lambda name: f"%({name})s"  # noqa: E731
        sql, parameters = jdbc_source.select_sql(d, jdbc_source.Window(first.upper, datetime.datetime(2026, 1, 15, 9, 0)), marker=inclusive)
        broken = sql.replace('"updated_at" >', '"updated_at" >=')
        with db.cursor() as cursor:
            cursor.execute(broken, parameters)
            self.assertIn(2, [r[0] for r in cursor.fetchall()], "the broken predicate would read row 2 again")
            cursor.execute(sql, parameters)
            self.assertNotIn(2, [r[0] for r in cursor.fetchall()])

    def test_an_empty_source_and_a_window_with_nothing_new_are_empty(self):
        db = self.pg.database("CREATE SCHEMA sales; CREATE TABLE sales.orders (id bigint, note text, amount numeric(10,2), updated_at timestamp NOT NULL);")
        w, rows = run_window(db, orders_definition(), None)
        self.assertTrue(w.empty)
        self.assertEqual(rows, [])
        self.assertEqual(jdbc_source.watermarks({"other": "x"}, orders_definition(), w), {"other": "x"}, "an empty window leaves the watermark")

    def test_a_cursor_set_back_fails_the_run(self):
        db = self.pg.database(ORDERS)
        with self.assertRaisesRegex(jdbc_source.SourceError, r"cursor column 'updated_at' of table sales.orders is not monotonic: its largest value is now "
                                    r"2026-01-15T09:00:30.0000000, below the watermark 2026-02-01T00:00:00.0000000"):
            run_window(db, orders_definition(), "2026-02-01T00:00:00.0000000")
        with self.assertRaisesRegex(jdbc_source.SourceError, "cannot be read as datetime"):
            run_window(db, orders_definition(), "not a time")

    def test_a_text_value_with_quotes_is_a_parameter_not_sql(self):
        db = self.pg.database("CREATE TABLE codes (code text NOT NULL, n int);"
                              "INSERT INTO codes VALUES ('a', 1), ('b''; DROP TABLE codes; --', 2), ('c', 3);")
        # A text cursor (refused by the validator, whose cursor types are int32, int64, decimal, date and timestamp) is the
        # harshest value: the window and the SQL are checked with it directly.
        d = orders_definition(table="codes", cursor={"column": "updated_at"})
        d["columns"] = [{"name": "code", "type": "string"}, {"name": "updated_at", "type": "string", "sourceColumn": "code"}]
        w = jdbc_source.window(d, "c", "b'; DROP TABLE codes; --")
        sql, parameters = jdbc_source.select_sql(d, w)
        self.assertNotIn("DROP", sql)
        with db.cursor() as cursor:
            cursor.execute(sql, parameters)
            self.assertEqual(cursor.fetchall(), [("c",)])
            cursor.execute("SELECT count(*) FROM codes")
            self.assertEqual(cursor.fetchone()[0], 3)

    def test_ranges_of_the_partition_column_cover_the_window_once(self):
        db = self.pg.database(ORDERS + "INSERT INTO sales.orders SELECT g, 'g', 1.00, '2026-01-15 07:00:00' FROM generate_series(10, 96) g;"
                              "INSERT INTO sales.orders VALUES (NULL, 'no id', 1.00, '2026-01-15 07:30:00');")
        d = orders_definition(partitionColumn="order_id", parallelism=4)
        with db.cursor() as cursor:
            cursor.execute(jdbc_source.upper_bound_sql(d))
            w = jdbc_source.window(d, cursor.fetchone()[0], None)
            sql, parameters = jdbc_source.range_bounds_sql(d, w)
            cursor.execute(sql, parameters)
            low, high = cursor.fetchone()
            self.assertEqual((low, high), (1, 96))
            parts = jdbc_source.ranges(low, high, 4)
            self.assertEqual(parts, [(None, 25), (25, 49), (49, 73), (73, None)])
            read = []
            for part in parts:
                sql, parameters = jdbc_source.select_sql(d, w, part)
                cursor.execute(sql, parameters)
                read += [r[0] for r in cursor.fetchall()]
            whole_sql, whole_parameters = jdbc_source.select_sql(d, w)
            cursor.execute(whole_sql, whole_parameters)
            whole = [r[0] for r in cursor.fetchall()]
        self.assertEqual(len(read), len(whole), "no row twice")
        self.assertEqual(sorted(read, key=lambda k: (k is None, k)), sorted(whole, key=lambda k: (k is None, k)))
        self.assertIn(None, read, "the first range takes the nulls")
        options = jdbc_source.spark_jdbc_options(d, {"url": "jdbc:postgresql://db:5432/sales", "user": "u", "password": "p"}, (low, high))
        self.assertEqual((options["partitionColumn"], options["lowerBound"], options["upperBound"], options["numPartitions"]), ("id", "1", "96", "4"))
        self.assertEqual(options["dbtable"], '"sales"."orders"')

    def test_a_query_source_is_a_derived_table(self):
        db = self.pg.database(ORDERS)
        d = orders_definition(table=None, query="SELECT id, note, amount, updated_at FROM sales.orders WHERE amount > 5;")
        w, rows = run_window(db, d, None)
        self.assertEqual(w.upper, datetime.datetime(2026, 1, 15, 8, 29), "the upper bound is the query's largest value (row 2, 08:30) minus the lag")
        self.assertEqual([r[0] for r in rows], [1])
        self.assertTrue(jdbc_source.watermark_key(d["source"]["database"]).startswith("database:onprem:query-"))
        with db.cursor() as cursor:
            cursor.execute(jdbc_source.probe_sql(d))
            self.assertEqual([c.name for c in cursor.description], ["id", "note", "amount", "updated_at"])


class Sql(unittest.TestCase):
    def test_identifiers_are_quoted_as_sql_dialect_quotes_them(self):
        self.assertEqual(jdbc_source.quote("postgresql", "Order_Id"), '"Order_Id"')
        self.assertEqual(jdbc_source.quote("sql-server", "id"), "[id]")
        self.assertEqual(jdbc_source.quote_table("sql-server", "dbo.orders"), "[dbo].[orders]")
        for bad in ('a"b', "a]b", "1a", "", "a b", "a;b"):
            with self.subTest(name=bad), self.assertRaises(jdbc_source.SourceError):
                jdbc_source.quote("postgresql", bad)

    def test_the_where_clause_has_the_csharp_shape(self):
        d = orders_definition(partitionColumn="order_id", parallelism=2)
        w = jdbc_source.Window(1, 9)
        clause, parameters = jdbc_source.where(d, w, (None, 5), marker=lambda n: "@" + n)
        self.assertEqual(clause, ' WHERE "updated_at" > @cursor_lower AND "updated_at" <= @cursor_upper AND ("id" < @range_to OR "id" IS NULL)')
        self.assertEqual(parameters, {"cursor_lower": 1, "cursor_upper": 9, "range_to": 5})

    def test_cursor_values_round_trip_in_the_csharp_text(self):
        cases = [
            (datetime.datetime(2024, 5, 1, 10, 15, 30, 123456), "2024-05-01T10:15:30.1234560"),
            (datetime.datetime(2024, 5, 1, 10, 15, 30, tzinfo=datetime.timezone.utc), "2024-05-01T10:15:30.0000000Z"),
            (datetime.date(2024, 2, 29), "2024-02-29"),
            (decimal.Decimal("12.50"), "12.50"),
            (decimal.Decimal("0.0000001"), "0.0000001"),
            (42, "42"),
        ]
        for value, text in cases:
            with self.subTest(text=text):
                self.assertEqual(jdbc_source.format_cursor(value), text)
                self.assertEqual(jdbc_source.parse_cursor(text, value), value)
        # A C# watermark of an instant read by a job whose cursor is a local timestamp compares ticks, as DateTime does.
        self.assertEqual(jdbc_source.parse_cursor("2024-05-01T10:15:30.1234567Z", datetime.datetime(2000, 1, 1)), datetime.datetime(2024, 5, 1, 10, 15, 30, 123456))
        self.assertEqual(jdbc_source.lowered(datetime.date(2024, 3, 1), 86400 * 2), datetime.date(2024, 2, 28))
        self.assertIsNone(jdbc_source.lowered("text", 5))

    def test_the_watermark_key_is_the_csharp_one(self):
        # SourceExtraction.WatermarkKey: database:<connection>:<table or query-<16 hex of SHA-256>>:<cursor>
        self.assertEqual(jdbc_source.watermark_key({"connection": "onprem", "table": "sales.orders", "cursor": {"column": "updated_at"}}),
                         "database:onprem:sales.orders:updated_at")
        self.assertEqual(jdbc_source.watermark_key({"connection": "c", "query": "select 1"}), "database:c:query-822ae07d4783158b:", "sha256sum of the query text, first 16 hex digits")


class TypeTable(unittest.TestCase):
    """tests/conformance/database-types.json: what the C# suite checks against Npgsql and ValueMapper.Accepts, checked here
    against jdbc_source.accepts for the type Spark reads each source column as."""

    def test_the_job_accepts_what_the_csharp_engine_accepts(self):
        with open(os.path.join(ROOT, "tests", "conformance", "database-types.json"), encoding="utf-8") as f:
            table = json.load(f)
        self.assertGreaterEqual(len(table["types"]), 20)
        for entry in table["types"]:
            want = entry.get("glueAccepts", entry["accepts"])
            if "glueAccepts" in entry:
                self.assertTrue(entry["why"].strip(), "a difference has its reason")
            got = [t for t in table["schemaTypes"] if jdbc_source.accepts(entry["sparkType"], t, entry["provider"])]
            with self.subTest(provider=entry["provider"], type=entry["sourceType"]):
                self.assertEqual(got, want)

    def test_a_refused_type_names_the_column_and_the_fix(self):
        problem = jdbc_source.type_problem(orders_definition(), "note", "binary", "string", "note")
        self.assertEqual(problem, "Dataset sales.orders, connection 'onprem' (postgresql): column 'note' is binary in the source (as Spark reads it), which cannot "
                                  "hold values of the schema column 'note' (string); change the column's type in the definition or cast it in a query.")
        self.assertIsNone(jdbc_source.type_problem(orders_definition(), "id", "bigint", "int64", "order_id"))


class SecretsEndpoint(http.server.BaseHTTPRequestHandler):
    """Secrets Manager on loopback: every request is checked against botocore's model of the operation (target, input
    shape, signature header) and every answer against its output shape before it is sent."""

    model = botocore.session.get_session().get_service_model("secretsmanager")
    secrets = {}
    seen = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        target = self.headers.get("X-Amz-Target", "")
        prefix = self.model.metadata["targetPrefix"] + "."
        operation = self.model.operation_model(target[len(prefix):]) if target.startswith(prefix) else None
        problems = [] if operation else [f"unknown target {target}"]
        if operation:
            report = ParamValidator().validate(body, operation.input_shape)
            problems += [report.generate_report()] if report.has_errors() else []
        if "AWS4-HMAC-SHA256" not in self.headers.get("Authorization", ""):
            problems.append("unsigned request")
        self.seen.append((target, body))
        if problems:
            return self._send(400, {"__type": "ValidationException", "message": "; ".join(problems)})
        value = self.secrets.get(body["SecretId"])
        if value is None:
            return self._send(400, {"__type": "ResourceNotFoundException", "Message": "Secrets Manager can't find the specified secret."})
        answer = {"ARN": body["SecretId"], "Name": "dev/ingest/onprem-db", "VersionId": "v" * 32, "SecretString": value, "VersionStages": ["AWSCURRENT"]}
        report = ParamValidator().validate(answer, operation.output_shape)
        if report.has_errors():
            return self._send(500, {"__type": "InternalServiceError", "message": report.generate_report()})
        return self._send(200, answer)

    def _send(self, status, payload):
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class Secrets(unittest.TestCase):
    ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/ingest/onprem-db-AbCdEf"

    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SecretsEndpoint)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.client = boto3.client("secretsmanager", endpoint_url=f"http://127.0.0.1:{cls.server.server_address[1]}",
                                  config=Config(retries={"max_attempts": 1}), **CREDENTIALS)

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def test_the_connections_credentials_are_read_and_never_logged(self):
        password = "s3cr3t-Value'\""
        SecretsEndpoint.secrets[self.ARN] = json.dumps({"jdbcUrl": "jdbc:postgresql://10.0.1.5:5432/sales", "username": "ingest", "password": password})
        with self.assertLogs(level=logging.DEBUG) as logs:
            logging.getLogger("ingest").debug("reading the secret")
            credentials = jdbc_source.read_secret(self.client, self.ARN, orders_definition())
        self.assertEqual(credentials, {"url": "jdbc:postgresql://10.0.1.5:5432/sales", "user": "ingest", "password": password})
        self.assertFalse([r for r in logs.output if password in r], "the password is in no log record (botocore's debug logs included)")
        self.assertEqual(SecretsEndpoint.seen[-1], ("secretsmanager.GetSecretValue", {"SecretId": self.ARN}))

    def test_a_secret_of_several_connections_gives_the_definitions_one(self):
        SecretsEndpoint.secrets[self.ARN] = json.dumps({
            "onprem": {"jdbcUrl": "jdbc:postgresql://db:5432/sales", "username": "a", "password": "pa"},
            "erp": {"jdbcUrl": "jdbc:sqlserver://erp:1433;databaseName=erp", "username": "b", "password": "pb"},
        })
        self.assertEqual(jdbc_source.read_secret(self.client, self.ARN, orders_definition())["user"], "a")
        erp = orders_definition(connection="erp", provider="sql-server", table="dbo.orders")
        self.assertEqual(jdbc_source.read_secret(self.client, self.ARN, erp)["url"], "jdbc:sqlserver://erp:1433;databaseName=erp")

    def test_a_wrong_secret_is_one_line_without_its_value(self):
        SecretsEndpoint.secrets[self.ARN] = json.dumps({"jdbcUrl": "jdbc:sqlserver://db:1433", "username": "u", "password": "hunter2"})
        with self.assertRaises(jdbc_source.SourceError) as refused:
            jdbc_source.read_secret(self.client, self.ARN, orders_definition())
        self.assertIn("does not start with jdbc:postgresql://", str(refused.exception))
        self.assertNotIn("hunter2", str(refused.exception))
        self.assertNotIn("db:1433", str(refused.exception))
        SecretsEndpoint.secrets[self.ARN] = json.dumps({"username": "u"})
        with self.assertRaisesRegex(jdbc_source.SourceError, "has no jdbcUrl, password for this connection"):
            jdbc_source.read_secret(self.client, self.ARN, orders_definition())

    def test_the_endpoint_refuses_what_the_model_refuses(self):
        # The check itself: a request outside the model is answered with ValidationException.
        unchecked = boto3.client("secretsmanager", endpoint_url=self.client.meta.endpoint_url,
                                 config=Config(retries={"max_attempts": 1}, parameter_validation=False), **CREDENTIALS)
        with self.assertRaises(unchecked.exceptions.ClientError) as refused:
            unchecked.get_secret_value(SecretId=self.ARN, VersionId="short")
        self.assertIn("VersionId", str(refused.exception))


class Watermarks(unittest.TestCase):
    """The watermark goes in the run record of the commit transaction and is read back as the C# ledger reads it."""

    @classmethod
    def setUpClass(cls):
        cls.servers = Servers()
        cls.servers.create_table("ingest-watermarks")

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()

    def _runs(self, dataset):
        items = []
        for page in self.servers.dynamodb.get_paginator("query").paginate(**ledger.runs_newest_first_request("ingest-watermarks", dataset)):
            items += page["Items"]
        return items

    def _run(self, dataset, run_id, started, status, marks, execution_arn=None):
        db = self.servers.dynamodb
        db.put_item(TableName="ingest-watermarks", Item={"pk": {"S": ledger.dataset_pk(dataset)}, "sk": {"S": "LEASE"}, "runId": {"S": run_id}})
        run = ledger.new_run(run_id, dataset, 1, started)
        db.put_item(**ledger.start_run_request("ingest-watermarks", run, execution_arn))
        if status == "failed":
            db.update_item(**ledger.fail_run_request("ingest-watermarks", ledger.transition(run, "failed", started, error="x", watermarks=marks)))
        else:
            db.transact_write_items(**ledger.commit_transaction("ingest-watermarks", ledger.transition(run, status, started, watermarks=marks)))

    def test_the_newest_succeeded_runs_watermark_counts(self):
        dataset, key = "sales.orders", "database:onprem:sales.orders:updated_at"
        self.assertIsNone(ledger.watermark(self._runs(dataset), key))
        arn = "arn:aws:states:us-east-1:123456789012:execution:ingest:e1"
        self._run(dataset, "20260115T100000Z-00000001", T0, "succeeded", {key: "2026-01-15T08:59:30.0000000"}, arn)
        self._run(dataset, "20260116T100000Z-00000002", T0 + datetime.timedelta(days=1), "failed", {key: "2026-01-16T09:00:00.0000000"})
        runs = self._runs(dataset)
        self.assertEqual(ledger.watermark(runs, key), "2026-01-15T08:59:30.0000000", "a failed run's window is read again")
        self._run(dataset, "20260117T100000Z-00000003", T0 + datetime.timedelta(days=2), "succeeded", {key: "2026-01-17T09:00:00.0000000"})
        self._run(dataset, "20260118T100000Z-00000004", T0 + datetime.timedelta(days=3), "skipped", {})
        self.assertEqual(ledger.watermark(self._runs(dataset), key), "2026-01-17T09:00:00.0000000")
        item = self.servers.dynamodb.get_item(**ledger.get_run_request("ingest-watermarks", dataset, "20260115T100000Z-00000001"))["Item"]
        self.assertEqual(item["executionArn"], {"S": arn}, "the execution is linked to the run as the state machine links it")
        self.assertEqual(json.loads(item["body"]["S"])["watermarks"], {key: "2026-01-15T08:59:30.0000000"})

    def test_the_watermark_is_not_moved_without_the_lease(self):
        dataset, key = "sales.returns", "database:onprem:sales.returns:id"
        run = ledger.new_run("20260115T100000Z-0000000a", dataset, 1, T0)
        self.servers.dynamodb.put_item(TableName="ingest-watermarks", Item={"pk": {"S": ledger.dataset_pk(dataset)}, "sk": {"S": "LEASE"}, "runId": {"S": "someone-else"}})
        self.servers.dynamodb.put_item(**ledger.start_run_request("ingest-watermarks", run))
        with self.assertRaises(self.servers.dynamodb.exceptions.TransactionCanceledException):
            self.servers.dynamodb.transact_write_items(**ledger.commit_transaction("ingest-watermarks", ledger.transition(run, "succeeded", T0, watermarks={key: "7"})))
        self.assertIsNone(ledger.watermark(self._runs(dataset), key))


if __name__ == "__main__":
    unittest.main()
