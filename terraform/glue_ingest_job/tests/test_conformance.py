"""The conformance corpus (tests/conformance) run through ingest_core, the Glue job's Spark-free half.

Every case is a definition, its inputs and the outcome the in-process engine must produce (the C# suite,
tests/Ingest.Tests/Conformance, checks all of it). Here each case is split into aspects:
  definition  - parsed (or refused at the same JSON path) by ingest_core.definition, and every column cast and
                rule check turned into Spark SQL without error;
  partitions  - the partition path of every curated row (ingest_core.layout) is one the run wrote, each written
                path has a row, and a row quarantined for its partition value gets the C# engine's reason;
  files       - the columns inside the curated and quarantine Parquet files, in order (layout.curated_file_columns,
                layout.quarantine_file_columns);
  rows        - the curated values, quarantined rows, reasons, line numbers and counts (Spark SQL: no Spark here);
  error       - the message of a run that must fail (raised from Spark results).
An aspect this suite cannot check, or that the Glue job does differently, must be listed with its reason in
tests/conformance/differences.json; an aspect that is neither passing nor listed fails the case, and so does an
entry for an aspect that passes (remove it) or for a case or aspect that does not exist.
"""

import datetime
import decimal
import json
import os
import unittest

from ingest_core import definition as definitions
from ingest_core import expressions, layout

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CORPUS = os.path.join(ROOT, "tests", "conformance")
CASES = os.path.join(CORPUS, "cases")
FIRST_INGEST_DATE = datetime.date(2026, 1, 15)  # run n starts n - 1 days later (tests/conformance/README.md)
ASPECTS = ("definition", "files", "partitions", "rows", "error")


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


def present_aspects(expected):
    if "definitionError" in expected:
        return ["definition"]
    aspects = ["definition", "rows"]
    if expected.get("curatedFileColumns") or expected.get("quarantineFileColumns"):
        aspects.append("files")
    if any(r["status"] == "succeeded" for r in expected["runs"]):
        aspects.append("partitions")
    if any(r["status"] == "failed" for r in expected["runs"]):
        aspects.append("error")
    return aspects


def run_case(name, listed):
    """Checks every aspect of a case; returns the problems (empty when the case passes or is listed)."""
    expected = load(name, "expected.json")
    aspects = present_aspects(expected)
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

    def test_a_refused_definition_must_be_refused_at_the_same_path(self):
        expected = load("glue_refuses_merge", "expected.json")
        self.assertIsNone(check_definition("glue_refuses_merge", expected))
        with self.assertRaisesRegex(CaseProblem, "accepted, but the C# engine refuses it"):
            check_definition("merge_two_runs", expected)


if __name__ == "__main__":
    unittest.main()
