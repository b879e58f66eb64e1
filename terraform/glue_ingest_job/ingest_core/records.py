"""Reads CSV and JSON Lines inputs record by record as the in-process engine does, streaming and without Spark.

The semantics are those of src/Ingest/Engine/Reading (CsvSourceReader, JsonLinesSourceReader, TextInput, EncodingErrors)
and of the record checks that open RowProcessor.Process and MapColumns:
  - the text is decoded strictly in source.encoding (utf-8, utf-16 / utf-16be, latin1, ascii, windows-1252); a byte order
    mark picks the encoding; a byte that is not valid fails the file with "<file> line N: the byte at offset M is not
    valid <encoding>; set source.encoding …" (line and offset as EncodingErrors.LocateAsync finds them, byte by byte);
  - CSV: RFC 4180 quoting (a doubled quote is a quote, delimiters and line breaks inside quotes), CRLF, LF or CR line
    ends, blank lines skipped, a header whose names are trimmed, the physical line each record starts at; a record with
    another number of fields than the header is rejected ("ragged row: 3 fields, expected 2"), so are a quoted field
    the end of the file leaves open and text after a closing quote; a quoted field still open after
    source.csv.maxQuotedFieldLines lines fails the file;
  - JSON Lines: one object per line; numbers and nested values keep their JSON text, booleans become true/false; a
    line that is not a JSON object is rejected with its text;
  - a definition column the file lacks fails the file with the C# message, unless the column is optional.
A rejected record's raw text (the quarantine's _raw_record) is as RowProcessor writes it: the JSON line, or the CSV
fields joined by the delimiter.

``read(definition, name, stream)`` yields ``Record``s; ``stream`` is any binary file-like object (a boto3 StreamingBody on
a Glue executor, an open file in the tests); it is read in chunks, never whole. A file-level error raises ``FileError``
with the C# engine's message. Known difference, not in the corpus: the C# reader checks maxQuotedFieldLines at its
64 K-character buffer boundaries and quotes, this one at quotes and at its own chunk boundaries, so the "at line N" of
that message may name a later line in C#; whether the file fails is the same.
"""

import codecs
import json
import re
from typing import List, NamedTuple, Optional

from .definition import ENCODINGS

CHUNK_BYTES = 1 << 20  # as TextInput.ChunkBytes


class FileError(ValueError):
    """An input the run cannot read at all (the C# engine's DataValidationException while reading): fails the run."""


class Record(NamedTuple):
    """One record: the 1-based physical line it starts at, how many lines it took in (more than one for a multi-line
    quoted field or an unclosed quote), the source text of every definition column (None where the record has no
    field), and for a record rejected at reading its raw text and reason."""

    line: int
    line_count: int
    values: List[Optional[str]]
    raw: Optional[str]
    reason: Optional[str]


# --- decoding ------------------------------------------------------------------------------------------------------

def _c1_controls(error):
    """windows-1252's five undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) decode to the C1 controls of the same
    number, as Windows and .NET's code page 1252 decode them; Python's cp1252 refuses them."""
    data = error.object[error.start:error.end]
    if all(b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) for b in data):
        return "".join(chr(b) for b in data), error.end
    raise error


codecs.register_error("ingest-c1-controls", _c1_controls)



def codec(encoding):
    """The Python codec of a definition's source.encoding (the encodings of TextEncodings.Resolve, strict)."""
    return codecs.lookup(ENCODINGS[str(encoding).strip().lower()]).name


def _from_byte_order_mark(head):
    """The encoding a byte order mark names and its length (StreamReader's detectEncodingFromByteOrderMarks), or None."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8", 3
    if head.startswith(b"\xff\xfe\x00\x00"):
        return "utf-32-le", 4
    if head.startswith(b"\xfe\xff"):
        return "utf-16-be", 2
    if head.startswith(b"\xff\xfe"):
        return "utf-16-le", 2
    if head.startswith(b"\x00\x00\xfe\xff"):
        return "utf-32-be", 4
    return None


class _Text:
    """Decoded text of a binary stream, chunk by chunk, with the line and byte offset of an invalid byte."""

    def __init__(self, name, encoding, stream):
        self._name, self._encoding, self._stream = name, encoding, stream
        head = self._read_bytes(4)
        detected = _from_byte_order_mark(head)
        self._offset = 0
        if detected:
            self.codec, skip = detected
            head = head[skip:]
            self._offset = skip
        else:
            self.codec = codec(encoding)
        errors = "ingest-c1-controls" if self.codec == "cp1252" else "strict"
        self._decoder = codecs.getincrementaldecoder(self.codec)(errors)
        self._pending = head
        self._newlines = 0
        self.eof = False

    def _read_bytes(self, count):
        data = b""
        while len(data) < count:
            more = self._stream.read(count - len(data))
            if not more:
                break
            data += more
        return data

    def read(self):
        """The next decoded text ('' at the end of the stream)."""
        while not self.eof:
            data = self._pending + self._stream.read(CHUNK_BYTES)
            self._pending = b""
            final = not data
            state = self._decoder.getstate()
            try:
                text = self._decoder.decode(data, final=final)
            except UnicodeDecodeError:
                self._decoder.setstate(state)
                raise self._invalid(data) from None
            self._offset += len(data)
            self._newlines += text.count("\n")
            if final:
                self.eof = True
            if text:
                return text
        return ""

    def _invalid(self, data):
        """EncodingErrors.LocateAsync: fed one byte at a time, the first byte the decoder refuses; its line counts the
        line feeds decoded before it. A sequence the end of the file cuts short is reported at the end."""
        line = self._newlines + 1
        for i in range(len(data)):
            try:
                line += self._decoder.decode(data[i:i + 1]).count("\n")
            except UnicodeDecodeError:
                return self._error(line, self._offset + i)
        return self._error(line, self._offset + len(data))

    def _error(self, line, offset):
        return FileError(f"{self._name} line {line}: the byte at offset {offset} is not valid {self._encoding}; "
                         "set source.encoding to the file's encoding (for example latin1 or windows-1252).")


def _check_utf16(name, encoding, text, line):
    """TextInput.ThrowIfUtf16: NULs in the first record of a file whose source.encoding is not UTF-16 mean UTF-16 without a
    byte order mark (an ASCII character is the character then NUL in UTF-16LE, NUL then the character in UTF-16BE)."""
    nul = (text or "").find("\0")
    if nul < 0 or codec(encoding).startswith("utf-16"):
        return
    label, setting = ("UTF-16BE", "utf-16be") if nul == 0 else ("UTF-16LE", "utf-16")
    raise FileError(f"{name} line {line}: the text holds NUL characters, so the file looks like {label} without a byte order mark, "
                    f"but source.encoding is {encoding}; set source.encoding to \"{setting}\" (or save the file as UTF-8).")


# --- columns -------------------------------------------------------------------------------------------------------

def source_columns(definition):
    """The source column each definition column reads (its sourceColumn, else its name), in definition order."""
    return [c.get("sourceColumn") or c["name"] for c in definition["columns"]]


def _distance(a, b):
    """Levenshtein distance without case (Suggestions.Distance)."""
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            same = a[i - 1].lower() == b[j - 1].lower()
            current[j] = min(current[j - 1] + 1, previous[j] + 1, previous[j - 1] + (0 if same else 1))
        previous = current
    return previous[len(b)]


def closest(name, candidates):
    """Suggestions.Closest: the candidate nearest to ``name`` (a different case counting as nearest) within a third of
    its length (at least 2), or None."""
    best, best_distance = None, None
    limit = max(2, len(name) // 3)
    for candidate in candidates:
        if candidate == name:
            continue
        distance = 0 if candidate.lower() == name.lower() else _distance(name, candidate)
        if distance <= limit and (best_distance is None or distance < best_distance):
            best, best_distance = candidate, distance
    return best


def missing_columns_error(definition, name, file_columns):
    """RowProcessor.CheckColumns: the error when the file lacks a definition column that is not optional, else None."""
    present = set(file_columns)
    missing = [c for c in definition["columns"] if (c.get("sourceColumn") or c["name"]) not in present and not c.get("optional")]
    if not missing:
        return None
    used = set(source_columns(definition))
    unused = [n for n in file_columns if n not in used]

    def described(column):
        source = column.get("sourceColumn") or column["name"]
        text = f"'{column['name']}' (sourceColumn '{column['sourceColumn']}')" if column.get("sourceColumn") else f"'{column['name']}'"
        suggestion = closest(source, unused)
        return f"{text}: did you mean '{suggestion}'?" if suggestion is not None else text

    has = ", ".join(f"'{h}'" for h in file_columns) if file_columns else "no columns"
    noun = "the definition's column" if len(missing) == 1 else "the definition's columns"
    verb = "is" if len(missing) == 1 else "are"
    return (f"{name}: {noun} {'; '.join(described(c) for c in missing)} {verb} not in the file, which has {has}; nothing was written. "
            "Fix the file, set the column's sourceColumn to the file's name for it, or mark the column \"optional\": true if some files lack it.")


def _positions(definition, header, file_columns):
    """Each definition column's field index in the header (first occurrence), -1 where the file lacks it."""
    first = {}
    for i, h in enumerate(header):
        first.setdefault(h, i)
    present = set(file_columns)
    return [first.get(s, -1) if s in present else -1 for s in source_columns(definition)]


def _values(fields, positions):
    return [fields[p] if 0 <= p < len(fields) else None for p in positions]


# --- CSV -----------------------------------------------------------------------------------------------------------

def unescape_char(value, default):
    """DefinitionValidator.UnescapeChar: '\\t' is a tab; one character is itself."""
    if value in ("\\t", "\t"):
        return "\t"
    return value if isinstance(value, str) and len(value) == 1 else default


class _CsvScanner:
    """CsvSourceReader's record splitting over decoded text (the buffer grows only while a record is incomplete)."""

    def __init__(self, name, text, delimiter, quote, max_quoted_lines):
        self._name, self._text = name, text
        self.delimiter, self.quote, self._max = delimiter, quote, max_quoted_lines
        self._buf, self._pos = "", 0
        self.line = 1
        self._line_end = re.compile("[\r\n]")
        self._plain_stop = re.compile("[" + re.escape(delimiter) + "\r\n]")

    def _fill(self):
        """Appends the next decoded text, dropping what was consumed; False at the end of the input."""
        if self._text.eof:
            return False
        more = self._text.read()
        if not more:
            return False
        self._buf = self._buf[self._pos:] + more
        self._pos = 0
        return True

    def _available(self):
        return self._pos < len(self._buf) or self._fill()

    def _consume_line_end(self):
        c = self._buf[self._pos]
        self._pos += 1
        self.line += 1
        if c == "\r" and self._available() and self._buf[self._pos] == "\n":
            self._pos += 1

    def next(self):
        """(line, fields, line_count, error) of the next record, or None at the end; blank lines are skipped."""
        while True:
            if not self._available():
                return None
            if self._buf[self._pos] in "\r\n":
                self._consume_line_end()
                continue
            start = self.line
            fast = self._split_line()
            if fast is not None:
                return start, fast, 1, None
            fields, error = [], [None]
            self._record_start, self._absorbed = start, 1
            while not self._field(fields, error):
                pass
            return start, fields, max(self._absorbed, self.line - start), error[0]

    def _split_line(self):
        """TrySplitLine: a record on one line, complete in the buffer, without a quote, split at the delimiters."""
        while True:
            found = self._line_end.search(self._buf, self._pos)
            if found is None or (found.group() == "\r" and found.end() == len(self._buf)):
                if self._text.eof:
                    return None  # the end of the file: the general reader takes the last line
                self._fill()
                continue
            end = found.start()
            line = self._buf[self._pos:end]
            if self.quote in line:
                return None
            self._pos = end + (2 if self._buf.startswith("\r\n", end) else 1)
            self.line += 1
            return line.split(self.delimiter)

    def _field(self, fields, error):
        """Reads one field into ``fields``; returns whether the record ended after it."""
        if self._available() and self._buf[self._pos] == self.quote:
            self._pos += 1
            return self._quoted(fields, error)
        return self._plain(fields)

    def _after_delimiter(self, fields):
        self._pos += 1
        if not self._available():
            fields.append("")  # a trailing delimiter at the end of the file ends with an empty field
            return True
        return False

    def _plain(self, fields):
        while True:
            stop = self._plain_stop.search(self._buf, self._pos)
            if stop is not None:
                fields.append(self._buf[self._pos:stop.start()])
                self._pos = stop.start()
                if self._buf[self._pos] == self.delimiter:
                    return self._after_delimiter(fields)
                self._consume_line_end()
                return True
            if not self._fill():
                fields.append(self._buf[self._pos:])
                self._pos = len(self._buf)
                return True

    def _quoted(self, fields, error):
        parts = []
        opened = self.line
        while True:
            if self._pos >= len(self._buf) or (self._pos == len(self._buf) - 1 and self._buf[self._pos] == "\r" and not self._text.eof):
                if not self._fill() and self._pos >= len(self._buf):
                    fields.append("".join(parts))
                    self._set_never_closed(fields, opened, error)
                    return True
            q = self._buf.find(self.quote, self._pos)
            end = q if q >= 0 else len(self._buf)
            if q < 0 and end > self._pos and self._buf[end - 1] == "\r" and not self._text.eof:
                end -= 1  # a CR at the end of the buffer: the next text says whether it is a CRLF
            chunk = self._buf[self._pos:end]
            self.line += chunk.count("\n") + chunk.count("\r") - chunk.count("\r\n")
            parts.append(chunk)
            self._pos = end
            if self.line - opened >= self._max:
                raise FileError(
                    f"{self._name} line {opened}: the quoted field {len(fields) + 1} opened on this line is still open {self.line - opened} lines later, "
                    f"at line {self.line} (source.csv.maxQuotedFieldLines is {self._max}); close the quote in the file, or raise the limit if a field "
                    "really spans that many lines. Nothing was written.")
            if q < 0:
                continue
            self._pos = q + 1
            if not self._available():
                fields.append("".join(parts))
                return True
            following = self._buf[self._pos]
            if following == self.quote:
                parts.append(self.quote)
                self._pos += 1
                continue
            fields.append("".join(parts))
            if following == self.delimiter:
                return self._after_delimiter(fields)
            if following in "\r\n":
                self._consume_line_end()
                return True
            if error[0] is None:
                error[0] = f"unexpected text after the closing quote of field {len(fields)}"
            return False

    def _set_never_closed(self, fields, opened, error):
        """NeverClosed: the record's reason, and the lines it took in (counted against the reject budget)."""
        end_line = self.line - 1 if fields[-1][-1:] in ("\n", "\r") else self.line
        start = self._record_start
        self._absorbed = max(1, end_line - start + 1)
        if error[0] is None:
            error[0] = (f"a quoted field opened on line {opened} is never closed" if self._absorbed == 1 else
                        f"a quoted field opened on line {opened} is never closed: the record absorbed {self._absorbed} lines ({start} to {end_line}), "
                        "each counted as a rejected row against quality.maxRejectRatio")


def _read_csv(definition, name, text):
    source = definition["source"]
    csv = source["csv"]
    delimiter = unescape_char(csv["delimiter"], ",")
    scanner = _CsvScanner(name, text, delimiter, unescape_char(csv["quote"], '"'), csv.get("maxQuotedFieldLines", 1000))
    schema = source_columns(definition)
    checked = [False]

    def next_record():
        found = scanner.next()
        if found is not None and not checked[0]:
            checked[0] = True  # the first record (the header, if any) tells a UTF-16 file without a byte order mark
            for field in found[1]:
                _check_utf16(name, source["encoding"], field, found[0])
        return found

    if csv["header"]:
        header_record = next_record()
        if header_record is None:
            raise FileError(f"{name}: the file is empty but the definition expects a header line.")
        names = [f.strip() for f in header_record[1]]
        if not csv["columns"]:
            first = {}
            for i, n in enumerate(names):
                if n and n in first:
                    raise FileError(f"{name} line 1: the header names '{n}' twice, in columns {first[n] + 1} and {i + 1}, so it is not clear which one "
                                    "the definition means; rename one in the file, or map the columns by position with source.csv.columns. Nothing was written.")
                first.setdefault(n, i)
        header = list(csv["columns"]) if csv["columns"] else names
        if csv["columns"] and len(names) != len(csv["columns"]):
            raise FileError(f"{name} line 1: the header has {len(names)} columns but source.csv.columns lists {len(csv['columns'])}.")
    else:
        header = list(csv["columns"]) if csv["columns"] else schema
    missing = missing_columns_error(definition, name, header)
    if missing:
        raise FileError(missing)
    positions = _positions(definition, header, header)
    width = len(header)
    while True:
        found = next_record()
        if found is None:
            return
        line, fields, line_count, error = found
        values = _values(fields, positions)
        if error is not None:
            yield Record(line, line_count, values, delimiter.join(fields), error)
        elif len(fields) != width:
            yield Record(line, line_count, values, delimiter.join(fields), f"ragged row: {len(fields)} fields, expected {width}")
        else:
            yield Record(line, line_count, values, None, None)


# --- JSON Lines ----------------------------------------------------------------------------------------------------

def _not_json(name):
    raise ValueError(f"'{name}' is not a JSON value")


_DECODER = json.JSONDecoder(parse_constant=_not_json)
_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _json_fields(text, count, ordinals, seen):
    """JsonLinesSourceReader.Parse: the text of every schema column, or the reason the line is rejected."""
    values = [None] * count
    try:
        index = _WHITESPACE.match(text, 0).end()
        if not text.startswith("{", index):
            value, end = _DECODER.raw_decode(text, index)
            if _WHITESPACE.match(text, end).end() != len(text):
                raise ValueError(f"text after the JSON value at character {end}")
            kind = ("true" if value is True else "false" if value is False else "null" if value is None else "array" if isinstance(value, list)
                    else "string" if isinstance(value, str) else "number")
            return values, f"the line is a JSON {kind}, not an object"
        index += 1
        index = _WHITESPACE.match(text, index).end()
        if text.startswith("}", index):
            index += 1
        else:
            while True:
                if not text.startswith('"', index):
                    raise ValueError(f"expected a property name at character {index}")
                key, index = json.decoder.scanstring(text, index + 1, True)
                index = _WHITESPACE.match(text, index).end()
                if not text.startswith(":", index):
                    raise ValueError(f"expected ':' at character {index}")
                index = _WHITESPACE.match(text, index + 1).end()
                value, end = _DECODER.raw_decode(text, index)
                if len(seen) < 1024:
                    seen.setdefault(key, None)
                if key in ordinals:
                    values[ordinals[key]] = (None if value is None else value if isinstance(value, str)
                                             else "true" if value is True else "false" if value is False else text[index:end])
                index = _WHITESPACE.match(text, end).end()
                if text.startswith(",", index):
                    index = _WHITESPACE.match(text, index + 1).end()
                    continue
                if text.startswith("}", index):
                    index += 1
                    break
                raise ValueError(f"expected ',' or '}}' at character {index}")
        if _WHITESPACE.match(text, index).end() != len(text):
            raise ValueError(f"text after the JSON object at character {index}")
    except (ValueError, RecursionError) as problem:
        message = problem.msg if isinstance(problem, json.JSONDecodeError) else str(problem)
        return [None] * count, f"invalid JSON: {message}"
    return values, None


def _lines(text):
    """StreamReader.ReadLine over decoded text: lines ended by LF, CR or CRLF, without their ends."""
    rest = ""
    ends = re.compile("\r\n|\r|\n")
    while True:
        more = text.read()
        rest += more
        start = 0
        for found in ends.finditer(rest):
            if found.group() == "\r" and found.end() == len(rest) and more:
                break  # may be the first half of a CRLF
            yield rest[start:found.start()]
            start = found.end()
        rest = rest[start:]
        if not more:
            if rest:
                yield rest
            return


def _read_json_lines(definition, name, text):
    schema = source_columns(definition)
    ordinals = {}
    for i, s in enumerate(schema):
        ordinals.setdefault(s, i)
    positions = _positions(definition, schema, schema)
    seen = {}
    line = 0
    records = 0
    for content in _lines(text):
        line += 1
        if not content.strip():
            continue
        if records == 0:
            _check_utf16(name, definition["source"]["encoding"], content, line)
        records += 1
        fields, reason = _json_fields(content, len(schema), ordinals, seen)
        yield Record(line, 1, _values(fields, positions), content if reason else None, reason)
    if records:
        missing = missing_columns_error(definition, name, list(seen))
        if missing:
            raise FileError(missing)


# --- entry point ---------------------------------------------------------------------------------------------------

def read(definition, name, stream):
    """The records of one CSV or JSON Lines input named ``name`` (as in _source_file), read from a binary stream."""
    text = _Text(name, definition["source"]["encoding"], stream)
    if definition["source"]["format"] == "csv":
        return _read_csv(definition, name, text)
    if definition["source"]["format"] == "json-lines":
        return _read_json_lines(definition, name, text)
    raise ValueError(f"records reads csv and json-lines, not {definition['source']['format']}")


# --- rows of the job's text frame ----------------------------------------------------------------------------------

# The lineage and reading columns after the text columns (``text_columns``): name and Spark SQL type.
ROW_FIELDS = (("_input", "int"), ("_source_file", "string"), ("_source_line", "bigint"), ("_line_count", "bigint"),
              ("_raw_record", "string"), ("_read_reason", "string"), ("_file_error", "string"))


def text_columns(definition):
    """The text columns of the job's frame: each source column once, in definition order."""
    return list(dict.fromkeys(source_columns(definition)))


def rows(definition, index, name, stream):
    """The rows one Glue task makes of one input (the input's position ``index``, its own ``name``): the text of every
    ``text_columns`` entry, then ``ROW_FIELDS``. A file the reader cannot read ends with one row that carries only the
    error (the driver raises it: the run fails with the C# message), after the records read before it."""
    names = source_columns(definition)
    first = [names.index(n) for n in text_columns(definition)]
    try:
        for record in read(definition, name, stream):
            yield [record.values[i] for i in first] + [index, name, record.line, record.line_count, record.raw, record.reason, None]
    except FileError as error:
        yield [None] * len(first) + [index, name, 0, 0, None, None, str(error)]
