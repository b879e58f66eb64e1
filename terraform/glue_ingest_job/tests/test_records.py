"""ingest_core.records against the C# readers' behaviour (src/Ingest/Engine/Reading, RowProcessor's record checks)."""

import io
import os
import unittest

from ingest_core import definition, records

CASES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "conformance", "cases")


def dataset(fmt="csv", columns=("id", "a", "b"), **source):
    csv = source.pop("csv", {})
    d = {
        "id": "test.records", "source": dict({"format": fmt, "csv": csv}, **source),
        "columns": [c if isinstance(c, dict) else {"name": c, "type": "string"} for c in columns],
        "table": {"format": "hive"},
    }
    return definition.parse(d)


class Trickle(io.RawIOBase):
    """A stream that hands out at most ``step`` bytes per read, so every chunk boundary of the reader is crossed."""

    def __init__(self, data, step):
        self._data, self._step, self._at = data, step, 0

    def readable(self):
        return True

    def read(self, size=-1):
        size = self._step if size < 0 else min(size, self._step)
        piece = self._data[self._at:self._at + size]
        self._at += len(piece)
        return piece


def read(d, data, name="f.csv", step=None):
    stream = Trickle(data, step) if step else io.BytesIO(data)
    return [(r.line, r.values, r.raw, r.reason, r.line_count) for r in records.read(d, name, stream)]


def read_everywhere(test, d, data, name="f.csv"):
    """The records of a whole read, checked to be the same when the stream trickles and the reader's chunks are tiny."""
    whole = read(d, data, name)
    saved = records.CHUNK_BYTES
    try:
        for chunk, step in ((1, 1), (3, 2), (7, 5)):
            records.CHUNK_BYTES = chunk
            test.assertEqual(read(d, data, name, step), whole, f"chunks of {chunk} bytes, reads of {step}")
    finally:
        records.CHUNK_BYTES = saved
    return whole


class Csv(unittest.TestCase):
    def test_quoted_fields_line_ends_and_physical_lines(self):
        data = b'id,a,b\r\n1,"x, ""q""",y\r\n\r\n2,"multi\r\nline\nthree",z\r3,,\n4,"a"\n'
        got = read_everywhere(self, dataset(), data)
        self.assertEqual(got, [
            (2, ["1", 'x, "q"', "y"], None, None, 1),
            (4, ["2", "multi\r\nline\nthree", "z"], None, None, 3),  # the blank line 3 is skipped
            (7, ["3", "", ""], None, None, 1),  # after a CR-only line end
            (8, ["4", "a", None], "4,a", "ragged row: 2 fields, expected 3", 1),
        ])

    def test_a_lone_cr_inside_quotes_ends_a_line_too(self):
        # Old Mac line ends: a CR not followed by LF counts as a line, inside a quoted field as outside.
        got = read_everywhere(self, dataset(), b'id,a,b\r1,"x\ry\r\nz",w\r2,v,u\r')
        self.assertEqual([(line, values, count) for line, values, _, _, count in got],
                         [(2, ["1", "x\ry\r\nz", "w"], 3), (5, ["2", "v", "u"], 1)])

    def test_ragged_rows_keep_their_fields_joined_by_the_delimiter(self):
        d = dataset(csv={"delimiter": ";"})
        got = read_everywhere(self, d, b"id;a;b\n1;x\n2;x;y;z\n3;x;y;")
        self.assertEqual(got, [
            (2, ["1", "x", None], "1;x", "ragged row: 2 fields, expected 3", 1),
            (3, ["2", "x", "y"], "2;x;y;z", "ragged row: 4 fields, expected 3", 1),
            (4, ["3", "x", "y"], "3;x;y;", "ragged row: 4 fields, expected 3", 1),  # a trailing delimiter at the end is an empty field
        ])

    def test_an_unclosed_quote_at_the_end_takes_in_the_rest(self):
        d = dataset()
        self.assertEqual(read_everywhere(self, d, b'id,a,b\n1,"never closed,y\n'),
                         [(2, ["1", "never closed,y\n", None], "1,never closed,y\n", "a quoted field opened on line 2 is never closed", 1)])
        got = read_everywhere(self, d, b'id,a,b\n1,x,y\n2,"open\n3,x,y\n4,x,y')
        self.assertEqual(got[1], (3, ["2", "open\n3,x,y\n4,x,y", None], "2,open\n3,x,y\n4,x,y",
                                  "a quoted field opened on line 3 is never closed: the record absorbed 3 lines (3 to 5), "
                                  "each counted as a rejected row against quality.maxRejectRatio", 3))

    def test_text_after_a_closing_quote_rejects_the_record(self):
        got = read_everywhere(self, dataset(), b'id,a,b\n1,"x"y,z\n')
        self.assertEqual(got, [(2, ["1", "x", "y"], "1,x,y,z", "unexpected text after the closing quote of field 2", 1)])

    def test_a_quote_inside_an_unquoted_field_is_text(self):
        self.assertEqual(read_everywhere(self, dataset(), b'id,a,b\n1,x"y,z\n'), [(2, ["1", 'x"y', "z"], None, None, 1)])

    def test_tab_delimiter_headerless_and_source_columns(self):
        d = dataset(columns=[{"name": "item_no", "type": "string", "sourceColumn": "Item No"}, "label"],
                    csv={"header": False, "delimiter": "\\t", "columns": ["Item No", "Weight", "label"]})
        self.assertEqual(read_everywhere(self, d, b"1\t2.5\tx\n2\t3\n"),
                         [(1, ["1", "x"], None, None, 1), (2, ["2", None], "2\t3", "ragged row: 2 fields, expected 3", 1)])

    def test_header_names_are_trimmed_and_mapped_by_name(self):
        d = dataset(columns=("b", "id"))
        self.assertEqual(read(d, b" id , b \n1,2\n"), [(2, ["2", "1"], None, None, 1)])

    def test_header_errors_fail_the_file(self):
        with self.assertRaisesRegex(records.FileError, r"^f.csv: the file is empty but the definition expects a header line.$"):
            read(dataset(), b"\n\n")
        with self.assertRaisesRegex(records.FileError, r"^f.csv line 1: the header names 'a' twice, in columns 2 and 3, "):
            read(dataset(), b"id,a,a\n")
        with self.assertRaisesRegex(records.FileError, r"^f.csv line 1: the header has 2 columns but source.csv.columns lists 3.$"):
            read(dataset(csv={"columns": ["id", "a", "b"]}), b"x,y\n")

    def test_a_missing_column_fails_the_file_with_a_suggestion_unless_optional(self):
        with self.assertRaises(records.FileError) as raised:
            read(dataset(columns=("id", "amount", "currency")), b"id,Amount,note\n1,2,3\n")
        self.assertEqual(str(raised.exception),
                         "f.csv: the definition's columns 'amount': did you mean 'Amount'?; 'currency' are not in the file, which has 'id', 'Amount', 'note'; nothing was written. "
                         "Fix the file, set the column's sourceColumn to the file's name for it, or mark the column \"optional\": true if some files lack it.")
        d = dataset(columns=("id", "a", {"name": "b", "type": "string", "optional": True}))
        self.assertEqual(read(d, b"id,a\n1,2\n"), [(2, ["1", "2", None], None, None, 1)])

    def test_a_quoted_field_open_too_long_fails_the_file(self):
        d = dataset(csv={"maxQuotedFieldLines": 2})
        self.assertEqual(read(d, b'id,a,b\n1,"one\ntwo",x\n')[0][1], ["1", "one\ntwo", "x"])
        with self.assertRaisesRegex(records.FileError, r"^f.csv line 2: the quoted field 2 opened on this line is still open 2 lines later, at line 4 "
                                                       r"\(source.csv.maxQuotedFieldLines is 2\)"):
            read(d, b'id,a,b\n1,"one\ntwo\nthree",x\n')


class Encodings(unittest.TestCase):
    def test_invalid_utf8_names_the_line_and_the_byte(self):
        with self.assertRaises(records.FileError) as raised:
            read_everywhere(self, dataset(columns=("id", "city")), b"id,city\n1,K\xc3\xb6ln\n2,K\xf6ln\n")
        self.assertEqual(str(raised.exception), "f.csv line 3: the byte at offset 19 is not valid utf-8; set source.encoding to the file's "
                                                "encoding (for example latin1 or windows-1252).")

    def test_a_bad_continuation_byte_is_reported_where_the_decoder_refuses_it(self):
        # C3 starts a two-byte sequence; the decoder refuses the byte after it, as .NET's fed byte by byte.
        for step in (None, 1):
            with self.assertRaisesRegex(records.FileError, r"^f.csv line 2: the byte at offset 6 is not"):
                read(dataset(columns=("id",)), b"id\r\n1\xc3(\n", step=step)
        with self.assertRaisesRegex(records.FileError, r"^f.csv line 2: the byte at offset 7 is not"):
            read(dataset(columns=("id",)), b"id\r\n1\xe2\x82")  # cut short by the end of the file: reported at the end

    def test_byte_order_marks_pick_the_encoding(self):
        d = dataset(columns=("id", "w"), encoding="latin1")  # the mark wins over the declared encoding, as StreamReader's detection
        text = "id,w\n1,é\n"
        for data in (b"\xef\xbb\xbf" + text.encode("utf-8"), b"\xff\xfe" + text.encode("utf-16-le"), b"\xfe\xff" + text.encode("utf-16-be")):
            self.assertEqual(read_everywhere(self, d, data), [(2, ["1", "é"], None, None, 1)], data)

    def test_an_invalid_byte_after_a_byte_order_mark_fails_too(self):
        # tests/conformance/pending/encoding_bom_invalid_utf8: the offset counts the mark's three bytes.
        with self.assertRaisesRegex(records.FileError, r"^cities.csv line 2: the byte at offset 14 is not valid utf-8;"):
            read(dataset(columns=("id", "city")), b"\xef\xbb\xbfid,city\n1,K\xf6ln\n", "cities.csv")

    def test_declared_encodings(self):
        d = dataset(columns=("id", "w"), encoding="latin1")
        self.assertEqual(read(d, b"id,w\n1,\xe9\n"), [(2, ["1", "é"], None, None, 1)])
        d = dataset(columns=("id", "w"), encoding="windows-1252")
        self.assertEqual(read(d, b"id,w\n1,\x80\x81\n"), [(2, ["1", "€\x81"], None, None, 1)])
        d = dataset(columns=("id", "w"), encoding="utf-16")
        self.assertEqual(read_everywhere(self, d, "id,w\r\n1,ß\r\n".encode("utf-16-le")), [(2, ["1", "ß"], None, None, 1)])
        with self.assertRaisesRegex(records.FileError, r"^f.csv line 2: the byte at offset 5 is not valid ascii"):
            read(dataset(columns=("id",), encoding="ascii"), b"id\n1,\xe9\n")

    def test_utf16_without_a_byte_order_mark_is_named(self):
        with self.assertRaisesRegex(records.FileError, r'^f.csv line 1: the text holds NUL characters, so the file looks like UTF-16LE without a byte order '
                                                       r'mark, but source.encoding is utf-8; set source.encoding to "utf-16"'):
            read(dataset(columns=("id",)), "id\n1\n".encode("utf-16-le"))
        with self.assertRaisesRegex(records.FileError, r"looks like UTF-16BE"):
            read(dataset(columns=("id",), encoding="latin1"), "id\n1\n".encode("utf-16-be"))


class JsonLines(unittest.TestCase):
    def test_values_keep_their_json_text(self):
        d = dataset("json-lines", columns=("id", "n", "p", "o", {"name": "x", "type": "string", "sourceColumn": "a b"}))
        data = (b'{"id": 1, "n": null, "p": 1.50, "o": {"k": [1, 2]}, "a b": "t\\u00e9"}\r\n'
                b'\n   \n'
                b'{"id": true, "p": -0.0e1, "o": false, "unused": 1}\n')
        self.assertEqual(read_everywhere(self, d, data, "f.jsonl"), [
            (1, ["1", None, "1.50", '{"k": [1, 2]}', "té"], None, None, 1),
            (4, ["true", None, "-0.0e1", "false", None], None, None, 1),
        ])

    def test_lines_that_are_not_objects_are_rejected_with_their_text(self):
        d = dataset("json-lines", columns=("id",))
        got = read(d, b'{"id": 1}\n[1, 2]\n"s"\n7\nnull\n{"id": 1,}\n{"id": NaN}\n{"id": 1} x\n', "f.jsonl")
        self.assertEqual([(line, raw, reason) for line, _, raw, reason, _ in got[1:]], [
            (2, "[1, 2]", "the line is a JSON array, not an object"),
            (3, '"s"', "the line is a JSON string, not an object"),
            (4, "7", "the line is a JSON number, not an object"),
            (5, "null", "the line is a JSON null, not an object"),
            (6, '{"id": 1,}', "invalid JSON: expected a property name at character 9"),
            (7, '{"id": NaN}', "invalid JSON: 'NaN' is not a JSON value"),
            (8, '{"id": 1} x', "invalid JSON: text after the JSON object at character 9"),
        ])
        self.assertTrue(all(values == [None] for _, values, _, _, _ in got[1:]))

    def test_a_column_in_no_record_fails_the_file(self):
        d = dataset("json-lines", columns=("id", "name"))
        with self.assertRaisesRegex(records.FileError, r"^f.jsonl: the definition's column 'name': did you mean 'nam'\? is not in the file, which has 'id', 'nam';"):
            read(d, b'{"id": 1}\n{"nam": 2}\n', "f.jsonl")
        self.assertEqual(read(d, b"\n", "f.jsonl"), [])  # a file without records has lost nothing


class TaskRows(unittest.TestCase):
    """What one Glue task makes of an input, streamed as the job streams it: boto3's get_object body from s3rver."""

    @classmethod
    def setUpClass(cls):
        from tests.servers import Servers
        cls.servers = Servers()
        cls.s3 = cls.servers.s3
        cls.s3.create_bucket(Bucket="raw")

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()

    def corpus(self, case, file):
        with open(os.path.join(CASES, case, file), "rb") as f:
            data = f.read()
        self.s3.put_object(Bucket="raw", Key=f"_staging/{case}/0003-{file}", Body=data)
        with open(os.path.join(CASES, case, "definition.json"), encoding="utf-8") as f:
            d = definition.parse(f.read())
        body = self.s3.get_object(Bucket="raw", Key=f"_staging/{case}/0003-{file}")["Body"]
        try:
            return d, list(records.rows(d, 3, file, body))
        finally:
            body.close()

    def test_rows_carry_the_text_the_lineage_and_the_read_rejection(self):
        d, got = self.corpus("ragged_rows", "rows.csv")
        self.assertEqual(records.text_columns(d) + [n for n, _ in records.ROW_FIELDS],
                         ["id", "a", "b", "_input", "_source_file", "_source_line", "_line_count", "_raw_record", "_read_reason", "_file_error"])
        self.assertEqual(got[1], ["2", "only-one", None, 3, "rows.csv", 3, 1, "2,only-one", "ragged row: 2 fields, expected 3", None])
        self.assertEqual([r[5] for r in got], [2, 3, 4, 5, 7, 8])  # physical lines: the two-line field takes 5 and 6
        self.assertEqual(got[-1][7:9], ["6,never closed,y\n", "a quoted field opened on line 8 is never closed"])

    def test_a_file_it_cannot_read_ends_with_the_error_row(self):
        _, got = self.corpus("encoding_invalid_utf8", "cities.csv")
        self.assertEqual(got, [[None, None, 3, "cities.csv", 0, 0, None, None,
                                "cities.csv line 3: the byte at offset 19 is not valid utf-8; set source.encoding to the file's encoding "
                                "(for example latin1 or windows-1252)."]])

    def test_a_source_column_two_definition_columns_read_is_one_text_column(self):
        d = dataset(columns=("id", {"name": "copy", "type": "string", "sourceColumn": "id"}))
        self.assertEqual(records.text_columns(d), ["id"])
        self.assertEqual(list(records.rows(d, 0, "f.csv", io.BytesIO(b"id\n7\n"))), [["7", 0, "f.csv", 2, 1, None, None, None]])


if __name__ == "__main__":
    unittest.main()
