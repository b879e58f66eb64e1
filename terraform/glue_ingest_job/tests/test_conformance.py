"""The conformance corpus (tests/conformance) run through ingest_core, the Glue job's Spark-free half.

Every case is a definition, its inputs and the outcome the in-process engine must produce (the C# suite,
tests/Ingest.Tests/Conformance, checks all of it). Here each case is split into aspects:
  definition  - parsed (or refused at the same JSON path) by ingest_core.definition, and every column cast and
                rule check turned into Spark SQL without error;
  partitions  - the partition path of every curated row (ingest_core.layout) is one the run wrote, each written
                path has a row, and a row quarantined for its partition value gets the C# engine's reason;
  files       - the columns inside the curated and quarantine Parquet files, in order (layout.curated_file_columns,
                layout.quarantine_file_columns);
  reading     - for a CSV or JSON Lines case: every run's inputs read by ingest_core.records (the job's reader, which runs
                on the executors): the number of records is the run's rowsRead, every curated and quarantined row is a
                record at its file and physical line, a quarantined row's source text is the record's, a record rejected
                at reading (ragged row, unclosed quote, text after a quote, not a JSON object) is quarantined with the
                C# reason and vice versa, and a file the C# engine cannot read fails the run with its message;
  rows        - the curated values, quarantined rows, reasons, line numbers and counts (Spark SQL: no Spark here), except
                for a case whose every run fails at reading, which the reading aspect decides entirely;
  error       - the message of a run that must fail (raised from Spark results; for a database case, by the window; for an
                input the reader cannot read, by ingest_core.records);
  window      - for a database case (database.sql, and databaseSql before a run): each run's window fixed and read by
                ingest_core.jdbc_source against a real PostgreSQL (tests/postgres.py), with the watermark of the last
                succeeded run, reads the rows the in-process engine read (rowsRead, and the keys of its curated and
                quarantined rows), an empty window where it skipped, the same error where it failed.
An aspect this suite cannot check, or that the Glue job does differently, must be listed with its reason in
tests/conformance/differences.json; an aspect that is neither passing nor listed fails the case, and so does an
entry for an aspect that passes (remove it) or for a case or aspect that does not exist.
"""

import codecs
import datetime
import decimal
import hashlib
import json
import os
import unittest
from unittest import mock

from ingest_core import definition as definitions
from ingest_core import expressions, jdbc_source, layout, records

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CORPUS = os.path.join(ROOT, "tests", "conformance")
CASES = os.path.join(CORPUS, "cases")
FIRST_INGEST_DATE = datetime.date(2026, 1, 15)  # run n starts n - 1 days later (tests/conformance/README.md)
ASPECTS = ("definition", "files", "partitions", "reading", "rows", "error", "window")
# The reasons of records the C# engine rejects while reading them (CsvSourceReader, JsonLinesSourceReader, RowProcessor).
READ_REASONS = ("ragged row: ", "a quoted field opened on line ", "unexpected text after the closing quote", "invalid JSON", "the line is a JSON ")
_POSTGRES = []


def postgres():
    """One PostgreSQL cluster for the database cases, started when the first needs it (tearDownModule stops it)."""
    if not _POSTGRES:
        from tests.postgres import Postgres
        _POSTGRES.append(Postgres())
    return _POSTGRES[0]


def tearDownModule():  # noqa: N802 - unittest's name
    while _POSTGRES:
        _POSTGRES.pop().stop()


def case_names():
    return sorted(n for n in os.listdir(CASES) if os.path.isdir(os.path.join(CASES, n)))


def load(name, file):
    with open(os.path.join(CASES, name, file), encoding="utf-8") as f:
        return json.load(f)


def differences():
    with open(os.path.join(CORPUS, "differences.json"), encoding="utf-8") as f:
        return json.load(f)["cases"]


def typed(column_type, text):
    """A value of the corpus's text form (tests/conformance/README.md) as Python holds it."""
    if text is None:
        return None
    kind = definitions.column_type(column_type)[0]
    if kind == "boolean":
        return text == "true"
    if kind in ("int32", "int64"):
        return int(text)
    if kind in ("float", "double"):
        return float(text)
    if kind == "decimal":
        return decimal.Decimal(text)
    if kind == "date":
        return datetime.date.fromisoformat(text)
    if kind == "timestamp":
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return text


class CaseProblem(AssertionError):
    pass


def check_definition(name, expected):
    """Parses the definition as the job does; returns it (None for a case whose definition must be refused)."""
    text = json.dumps(load(name, "definition.json"))
    refusal = expected.get("definitionError")
    try:
        d = definitions.parse(text, "definition.json")
    except definitions.DefinitionError as error:
        if refusal and any(p.startswith(refusal["path"] + ":") and refusal["message"] in p for p in error.problems):
            return None
        raise CaseProblem(f"refused: {error.problems}") from None
    if refusal:
        raise CaseProblem(f"accepted, but the C# engine refuses it at {refusal['path']} ({refusal['message']})")
    for column in d["columns"]:
        expressions.cast_expression(column, d["source"], "_src")
        expressions.conversion_error(column, d["source"], "_src")
    for rule in d["quality"]["rules"]:
        expressions.unique_check(rule) if rule["type"] == "unique" else expressions.rule_check(rule, d)
    return d


def check_partitions(d, expected):
    # An overwrite or a merge removes earlier runs' rows: their rows fall in some of the partitions they wrote.
    replaced = d["write"]["mode"] != "append"
    types = {c["name"]: c["type"] for c in d["columns"]}
    for number, run in enumerate(expected["runs"], start=1):
        if run["status"] != "succeeded":
            continue
        ingest_date = FIRST_INGEST_DATE + datetime.timedelta(days=number - 1)
        rows = [r for r in expected.get("curated", []) if r["_run"] == number]
        paths = {layout.partition_path(d, {k: typed(types[k], v) for k, v in r.items() if k in types}, ingest_date) for r in rows}
        written = set(run.get("partitionsWritten", [])) or ({""} if rows else set())
        if paths != written and not (replaced and paths <= written):
            raise CaseProblem(f"run {number}: rows fall in {sorted(paths)}, the run wrote {sorted(written)}")
        for reject in (r for r in expected.get("quarantine", []) if r["_run"] == number and ": partition value " in r["_reason"]):
            row = {k: typed(types[k], v) for k, v in reject.items() if k in types}
            try:
                layout.partition_path(d, row, ingest_date)
            except ValueError as problem:
                if str(problem) != reject["_reason"]:
                    raise CaseProblem(f"run {number} line {reject['_source_line']}: '{problem}', the C# engine says '{reject['_reason']}'") from None
            else:
                raise CaseProblem(f"run {number} line {reject['_source_line']}: the layout accepts a partition value the C# engine quarantines")


def check_files(d, expected):
    for zone, columns in (("curated", layout.curated_file_columns(d)), ("quarantine", layout.quarantine_file_columns(d))):
        want = expected.get(f"{zone}FileColumns")
        if want and [c["name"] for c in columns] != want:
            raise CaseProblem(f"{zone} files: the layout has {[c['name'] for c in columns]}, the C# engine writes {want}")


def check_window(name, d, expected):
    """Runs a database case's windows through jdbc_source against PostgreSQL; returns {'window': problem, 'error': problem}."""
    problems = {"window": None, "error": None}
    with open(os.path.join(CASES, name, "database.sql"), encoding="utf-8") as f:
        connection = postgres().database(f.read())
    key = (d["keys"] or [d["columns"][0]["name"]])[0]
    ordinal = [n for _, _, n in jdbc_source.fields(d)].index(key)
    watermark = None
    try:
        for number, run in enumerate(expected["runs"], start=1):
            with connection.cursor() as cursor:
                if run.get("databaseSql"):
                    cursor.execute(run["databaseSql"])
                try:
                    largest = None
                    if jdbc_source.cursor_column(d):
                        cursor.execute(jdbc_source.upper_bound_sql(d))
                        largest = cursor.fetchone()[0]
                    window = jdbc_source.window(d, largest, watermark)
                except jdbc_source.SourceError as error:
                    if run["status"] != "failed":
                        problems["window"] = f"run {number}: {error}; the C# engine's run {run['status']}"
                    elif run.get("error") not in str(error):
                        problems["error"] = f"run {number}: '{error}', the C# engine says '{run.get('error')}'"
                    continue
                if run["status"] == "failed":
                    problems["error"] = f"run {number}: the window was read, the C# engine's run failed ({run.get('error')})"
                    continue
                rows = []
                if not window.empty:
                    sql, parameters = jdbc_source.select_sql(d, window)
                    cursor.execute(sql, parameters)
                    rows = cursor.fetchall()
                read = sorted(str(r[ordinal]) for r in rows)
                engine = sorted(r[key] for zone in ("curated", "quarantine") for r in expected.get(zone, []) if r["_run"] == number)
                if len(rows) != run["rowsRead"] or read != engine:
                    problems["window"] = f"run {number}: the window reads {key} {read}, the C# engine read {engine} ({run['rowsRead']} rows)"
                    return problems
                if run["status"] == "skipped" and rows:
                    problems["window"] = f"run {number}: the window has {len(rows)} rows, the C# engine skipped the run"
                    return problems
                if run["status"] == "succeeded":
                    watermark = jdbc_source.watermarks({}, d, window).get(jdbc_source.watermark_key(d["source"]["database"]), watermark)
    finally:
        connection.close()
    return problems


def check_reading(name, d, expected):
    """Reads every run's inputs with ingest_core.records; returns {'reading': problem, 'error': problem or None when
    no run fails at reading, 'decided': whether every run failed at reading (then nothing else happens in the run)}."""
    problems = {"reading": None, "error": None, "decided": bool(expected["runs"])}
    failed_elsewhere = False
    columns = [c["name"] for c in d["columns"]]
    ingested = set()  # the inputs of succeeded runs, which a later run skips (the job does it by their SOURCE# items)

    def problem(text):
        problems["reading"] = problems["reading"] or text

    for number, run in enumerate(expected["runs"], start=1):
        read, error, fingerprints = {}, None, set()
        for file in run.get("inputs", []):
            with open(os.path.join(CASES, name, file), "rb") as stream:
                fingerprint = hashlib.sha256(stream.read()).hexdigest()
            if fingerprint in ingested or fingerprint in fingerprints:
                continue
            fingerprints.add(fingerprint)
            try:
                with open(os.path.join(CASES, name, file), "rb") as stream:
                    for record in records.read(d, file, stream):
                        read[(file, record.line)] = record
            except records.FileError as failure:
                error = str(failure)
                break
        if error is not None:
            if run["status"] != "failed":
                problem(f"run {number}: {error}; the C# engine's run {run['status']}")
            elif run.get("error") not in error:
                problems["error"] = f"run {number}: '{error}', the C# engine says '{run.get('error')}'"
            continue
        problems["decided"] = False
        if run["status"] == "succeeded":
            ingested |= fingerprints
        if run["status"] == "failed":
            failed_elsewhere = failed_elsewhere or f"run {number}: the reader read every input, so the C# error ({run.get('error')}) is raised from Spark results"
        if run["status"] == "succeeded" and len(read) != run["rowsRead"]:
            problem(f"run {number}: {len(read)} records read, the C# engine read {run['rowsRead']}")
        if run["status"] == "skipped":
            continue
        quarantined = {(q["_source_file"], q["_source_line"]): q for q in expected.get("quarantine", []) if q["_run"] == number}
        for (file, line), row in quarantined.items():
            record = read.get((file, line))
            where = f"run {number} {file} line {line}"
            if record is None:
                problem(f"{where}: no record starts there; the C# engine quarantined one ({row['_reason']})")
                continue
            texts = dict(zip(columns, record.values))
            if any(texts[c] != row[c] for c in columns):
                problem(f"{where}: the record's fields are {texts}, the C# engine quarantined {dict((c, row[c]) for c in columns)}")
            if record.reason is not None and record.reason != row["_reason"]:
                problem(f"{where}: rejected at reading with '{record.reason}', the C# engine's reason is '{row['_reason']}'")
            if record.reason is None and row["_reason"].startswith(READ_REASONS):
                problem(f"{where}: the reader accepts the record the C# engine rejects at reading ({row['_reason']})")
            if record.raw != row.get("_raw_record"):
                problem(f"{where}: the record's raw text (_raw_record) is {record.raw!r}, the C# engine wrote {row.get('_raw_record')!r}")
        for row in (r for r in expected.get("curated", []) if r["_run"] == number):
            record = read.get((row["_source_file"], row["_source_line"]))
            if record is None or record.reason is not None:
                problem(f"run {number} {row['_source_file']} line {row['_source_line']}: "
                        + ("no record starts there" if record is None else f"rejected at reading ({record.reason})") + "; the C# engine curated it")
        for (file, line), record in read.items():
            if record.reason is not None and (file, line) not in quarantined:
                problem(f"run {number} {file} line {line}: rejected at reading ({record.reason}); the C# engine did not quarantine it")
    if failed_elsewhere and problems["error"] is None:
        problems["error"] = failed_elsewhere
    return problems


def present_aspects(expected, d_format=None):
    if "definitionError" in expected:
        return ["definition"]
    aspects = ["definition", "rows"]
    if expected.get("curatedFileColumns") or expected.get("quarantineFileColumns"):
        aspects.append("files")
    if any(r["status"] == "succeeded" for r in expected["runs"]):
        aspects.append("partitions")
    if any(r["status"] == "failed" for r in expected["runs"]):
        aspects.append("error")
    if d_format == "database":
        aspects.append("window")
    if d_format in ("csv", "json-lines"):
        aspects.append("reading")
    return aspects


def run_case(name, listed):
    """Checks every aspect of a case; returns the problems (empty when the case passes or is listed)."""
    expected = load(name, "expected.json")
    aspects = present_aspects(expected, load(name, "definition.json").get("source", {}).get("format"))
    problems = [f"differences.json lists '{a}', which the case does not have" for a in listed if a not in aspects]
    problems += [f"differences.json gives '{a}' no reason" for a, why in listed.items() if not str(why).strip()]
    outcome = {}
    d = None
    try:
        d = check_definition(name, expected)
        outcome["definition"] = None
    except CaseProblem as problem:
        outcome["definition"] = str(problem)
    if "files" in aspects:
        try:
            check_files(d, expected) if d else None
            outcome["files"] = None if d else "the definition did not parse"
        except CaseProblem as problem:
            outcome["files"] = str(problem)
    if "partitions" in aspects:
        try:
            check_partitions(d, expected) if d else None
            outcome["partitions"] = None if d else "the definition did not parse"
        except CaseProblem as problem:
            outcome["partitions"] = str(problem)
    outcome["rows"] = "Spark SQL: the conversions and rules run only on Spark"
    outcome["error"] = "raised from Spark results"
    if "window" in aspects:
        outcome.update(check_window(name, d, expected) if d else {"window": "the definition did not parse", "error": "the definition did not parse"})
    if "reading" in aspects:
        if d:
            read = check_reading(name, d, expected)
            outcome["reading"] = read["reading"]
            if "error" in aspects:
                outcome["error"] = read["error"]
            if read["decided"] and not expected.get("curated") and not expected.get("quarantine"):
                outcome["rows"] = None  # every run stopped at reading: no row was converted, in either engine
        else:
            outcome["reading"] = "the definition did not parse"
    for aspect in aspects:
        failed = outcome[aspect]
        if failed is None and aspect in listed:
            problems.append(f"{aspect} passes here: remove it from differences.json")
        elif failed is not None and aspect not in listed:
            problems.append(f"{aspect}: {failed}; make ingest_core agree or list it in tests/conformance/differences.json with the reason")
    return problems


class Corpus(unittest.TestCase):
    def test_every_case_passes_or_its_differences_are_listed(self):
        listed = differences()
        names = case_names()
        self.assertGreaterEqual(len(names), 15)
        self.assertEqual(sorted(set(listed) - set(names)), [], "differences.json lists cases the corpus does not have")
        for name in names:
            with self.subTest(case=name):
                self.assertEqual(run_case(name, listed.get(name, {})), [])

    def test_a_case_added_for_one_engine_fails_here_until_listed(self):
        # The guard itself: an unlisted Spark-only aspect, a listed aspect that passes and a stale entry are problems.
        name = "rules_each_type"
        self.assertIn("rows: Spark SQL", run_case(name, {})[0])
        passing = {"definition": "x", **differences()[name]}
        self.assertIn("definition passes here: remove it from differences.json", run_case(name, passing))
        self.assertIn("differences.json lists 'error', which the case does not have", run_case(name, {"error": "x", **differences()[name]}))

    def test_a_broken_layout_fails_the_partitions_aspect(self):
        # Mutation check: a curated row moved to another day no longer falls in the partitions the run wrote.
        expected = load("partition_transforms", "expected.json")
        d = check_definition("partition_transforms", expected)
        check_partitions(d, expected)
        expected["curated"][0]["at"] = "2024-01-03T00:00:00.000000Z"
        with self.assertRaisesRegex(CaseProblem, "event_day=2024-01-03"):
            check_partitions(d, expected)

    def test_a_file_column_the_layout_lacks_fails_the_files_aspect(self):
        expected = load("rules_each_type", "expected.json")
        d = check_definition("rules_each_type", expected)
        check_files(d, expected)
        expected["quarantineFileColumns"].remove("_raw_record")
        with self.assertRaisesRegex(CaseProblem, "quarantine files: the layout has"):
            check_files(d, expected)

    def test_a_window_that_ignores_the_lag_fails_the_window_aspect(self):
        # Mutation check: without the lag, run 1 reads rows 3 and 4 too, which the C# engine left for run 2.
        self.assertEqual(run_case("database_window_two_runs", differences()["database_window_two_runs"]), [])
        with mock.patch.object(jdbc_source, "lowered", lambda value, lag: value):
            problems = run_case("database_window_two_runs", differences()["database_window_two_runs"])
        self.assertEqual(len(problems), 1)
        self.assertIn("window: run 1: the window reads order_id ['1', '2', '3', '4'], the C# engine read ['1', '2'] (2 rows)", problems[0])

    def test_a_cursor_that_went_back_fails_with_the_csharp_error(self):
        expected = load("database_query_integer_cursor", "expected.json")
        d = check_definition("database_query_integer_cursor", expected)
        self.assertEqual(check_window("database_query_integer_cursor", d, expected), {"window": None, "error": None})
        expected["runs"][2]["error"] = "is monotonic"
        self.assertIn("the C# engine says 'is monotonic'", check_window("database_query_integer_cursor", d, expected)["error"])

    def test_a_reader_that_numbers_records_fails_the_reading_aspect(self):
        # Mutation check: records numbered 2, 3, … after the header (Spark's row_number) instead of physical lines.
        original = records.read

        def numbered(d, name, stream):
            for number, record in enumerate(original(d, name, stream), start=2):
                yield record._replace(line=number)

        self.assertEqual(run_case("ragged_rows", differences()["ragged_rows"]), [])
        with mock.patch.object(records, "read", numbered):
            problems = run_case("ragged_rows", differences()["ragged_rows"])
        self.assertEqual(len(problems), 1)
        self.assertIn("reading: run 1 rows.csv line 8: no record starts there; the C# engine quarantined one", problems[0])

    def test_a_reader_that_pads_ragged_rows_fails_the_reading_aspect(self):
        # Mutation check: Spark's PERMISSIVE mode (a short row padded with nulls, extra fields dropped, nothing rejected).
        original = records.read

        def permissive(d, name, stream):
            for record in original(d, name, stream):
                ragged = (record.reason or "").startswith("ragged row")
                yield record._replace(raw=None, reason=None) if ragged else record

        with mock.patch.object(records, "read", permissive):
            problems = run_case("ragged_rows", differences()["ragged_rows"])
        self.assertEqual(len(problems), 1)
        self.assertIn("reading: run 1 rows.csv line 3: the reader accepts the record the C# engine rejects at reading (ragged row: 2 fields, expected 3)", problems[0])

    def test_a_reader_that_replaces_invalid_bytes_fails_the_reading_aspect(self):
        # Mutation check: U+FFFD for a byte that is not UTF-8 (Spark's reader) lets the run go on where the C# engine fails it.
        self.assertEqual(run_case("encoding_invalid_utf8", {}), [])
        decoder = codecs.getincrementaldecoder
        with mock.patch.object(records.codecs, "getincrementaldecoder", lambda name: lambda errors: decoder(name)("replace")):
            problems = run_case("encoding_invalid_utf8", {})
        self.assertEqual(sorted(p.split(":")[0] for p in problems), ["error", "rows"])
        self.assertIn("error: run 1: the reader read every input, so the C# error (cities.csv line 3: the byte at offset 19 is not valid utf-8)", " ".join(problems))

    def test_a_refused_definition_must_be_refused_at_the_same_path(self):
        expected = load("glue_refuses_merge", "expected.json")
        self.assertIsNone(check_definition("glue_refuses_merge", expected))
        with self.assertRaisesRegex(CaseProblem, "accepted, but the C# engine refuses it"):
            check_definition("merge_two_runs", expected)


if __name__ == "__main__":
    unittest.main()
