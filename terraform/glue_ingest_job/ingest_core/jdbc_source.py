"""Database sources on the Glue job: the window, the SQL and the type checks of the in-process extractor
(src/Ingest.Database/Extraction: ExtractPlan.cs, SqlDialect.cs, SourceConnection.cs, CursorValues.cs; Mapping/ValueMapper.cs),
without Spark, so that they are tested here against a real PostgreSQL.

A run of a ``"format": "database"`` dataset (ADR 8):
  1. reads the credentials of its connection from the Secrets Manager secret the job is given (``--onprem_secret_arn``);
  2. fixes the window once, before any row is read: above the watermark of the newest succeeded run (ledger.watermark),
     up to ``MAX(cursor) - lag`` (``upper_bound_sql``); a largest value below the watermark fails the run (not monotonic);
  3. reads the window over JDBC through the job's NETWORK connection, in ``parallelism`` ranges of ``partitionColumn``
     (Spark's partitionColumn/lowerBound/upperBound/numPartitions, ``spark_jdbc_options``); the cursor bounds are typed
     values, never text put into SQL: here bound parameters (``select_sql``), in the job Spark filters of typed literals
     that Spark's JDBC dialect pushes down;
  4. checks each source column's type against its schema type (``accepts``, ValueMapper.Accepts), writes the extract to
     the raw zone as Parquet and ingests it like a file; the new watermark is committed in the run record with the data
     (``watermarks``), under the key the C# engine uses (``watermark_key``, SourceExtraction.WatermarkKey).

Identifiers reach SQL only after the definition validator checked them (SQL_NAME) and quoted here as SqlDialect quotes
them: "name" for PostgreSQL, [name] for SQL Server, the closing quote doubled.
"""

import datetime
import decimal
import hashlib
import json
import re

# The providers the job can reach over JDBC (SQLite is a file on the machine that runs the in-process engine).
GLUE_PROVIDERS = ("postgresql", "sql-server")
JDBC_URL_PREFIX = {"postgresql": "jdbc:postgresql://", "sql-server": "jdbc:sqlserver://"}
JDBC_DRIVER = {"postgresql": "org.postgresql.Driver", "sql-server": "com.microsoft.sqlserver.jdbc.SQLServerDriver"}
SQL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}\Z")  # DatabaseSourceValidator.SqlNamePattern


class SourceError(RuntimeError):
    """The source cannot be read as the definition says; the message names the dataset, the connection and the column."""


# --- names and SQL -------------------------------------------------------------------------------------------------------

def quote(provider, name):
    """One identifier quoted for the provider, the closing quote doubled (SqlDialect.Quote)."""
    if not SQL_NAME.match(name or ""):
        raise SourceError(f"'{name}' is not a valid database name ({SQL_NAME.pattern}); the definition validator refuses it")
    if provider == "sql-server":
        return "[" + name.replace("]", "]]") + "]"
    return '"' + name.replace('"', '""') + '"'


def quote_table(provider, table):
    """table or schema.table, part by part (SqlDialect.QuoteTable)."""
    parts = table.split(".")
    if len(parts) > 2:
        raise SourceError(f"'{table}' is not table or schema.table")
    return ".".join(quote(provider, p) for p in parts)


def source_sql(database):
    """The FROM target: the quoted table, or the query as a derived table (SqlDialect.Source)."""
    if database.get("table"):
        return quote_table(database["provider"], database["table"])
    query = database["query"].strip().rstrip(";").rstrip()
    return f"({query}) AS ingest_source"


def fields(d):
    """(source column, schema type, schema column) of each source column once, typed by the first schema column that reads
    it (ExtractPlan.For)."""
    result, seen = [], set()
    for column in d["columns"]:
        name = column.get("sourceColumn") or column["name"]
        if name not in seen:
            seen.add(name)
            result.append((name, column["type"], column["name"]))
    return result


def _source_column(d, schema_column):
    for column in d["columns"]:
        if column["name"] == schema_column:
            return column.get("sourceColumn") or column["name"]
    raise SourceError(f"'{schema_column}' is not a column of the schema")


def cursor_column(d):
    """The source column of the cursor, or None."""
    cursor = d["source"]["database"].get("cursor")
    return _source_column(d, cursor["column"]) if cursor else None


def partition_column(d):
    """The source column the reads are split by, or None (no partitionColumn, or parallelism 1)."""
    database = d["source"]["database"]
    if not database.get("partitionColumn") or database["parallelism"] < 2:
        return None
    return _source_column(d, database["partitionColumn"])


def select_list(d):
    provider = d["source"]["database"]["provider"]
    return ", ".join(quote(provider, name) for name, _, _ in fields(d))


def probe_sql(d):
    """The select with no rows: every column must exist; its types are checked with ``accepts``."""
    return f"SELECT {select_list(d)} FROM {source_sql(d['source']['database'])} WHERE 1 = 0"


def upper_bound_sql(d):
    """The largest cursor value, read once at the start; no value in it."""
    database = d["source"]["database"]
    return f"SELECT MAX({quote(database['provider'], cursor_column(d))}) FROM {source_sql(database)}"


class Window:
    """Cursor values above ``lower`` (exclusive) up to ``upper`` (inclusive); ``empty`` when there is nothing to read."""

    def __init__(self, lower, upper, empty=False):
        self.lower, self.upper, self.empty = lower, upper, empty

    def __repr__(self):
        return f"Window({self.lower!r}, {self.upper!r}, empty={self.empty})"


ALL = Window(None, None)
EMPTY = Window(None, None, True)


def where(d, window, key_range=None, marker=lambda name: f"%({name})s"):
    """The WHERE clause of a window and a range of the partition column, with a named parameter for every value
    (SourceConnection.Where): (text, {name: value}). ``marker`` writes a parameter for the client (psycopg2's %(name)s by
    default, @name for ADO.NET)."""
    provider = d["source"]["database"]["provider"]
    predicates, parameters = [], {}
    cursor = cursor_column(d)
    if cursor:
        quoted = quote(provider, cursor)
        if window.lower is not None:
            predicates.append(f"{quoted} > {marker('cursor_lower')}")
            parameters["cursor_lower"] = window.lower
        if window.upper is not None:
            predicates.append(f"{quoted} <= {marker('cursor_upper')}")
            parameters["cursor_upper"] = window.upper
    key = partition_column(d)
    if key and key_range and (key_range[0] is not None or key_range[1] is not None):
        quoted = quote(provider, key)
        low, high = key_range
        if low is not None:
            predicates.append(f"{quoted} >= {marker('range_from')}")
            parameters["range_from"] = low
        if high is not None:
            predicates.append(f"({quoted} < {marker('range_to')} OR {quoted} IS NULL)" if low is None else f"{quoted} < {marker('range_to')}")
            parameters["range_to"] = high
    return (" WHERE " + " AND ".join(predicates) if predicates else ""), parameters


def select_sql(d, window, key_range=None, marker=lambda name: f"%({name})s"):
    """One range's select with its parameters (SourceConnection.SelectSql)."""
    clause, parameters = where(d, window, key_range, marker)
    return f"SELECT {select_list(d)} FROM {source_sql(d['source']['database'])}{clause}", parameters


def range_bounds_sql(d, window, marker=lambda name: f"%({name})s"):
    """The smallest and largest partition-column values in the window (SourceConnection.RangesAsync)."""
    clause, parameters = where(d, window, None, marker)
    key = quote(d["source"]["database"]["provider"], partition_column(d))
    return f"SELECT MIN({key}), MAX({key}) FROM {source_sql(d['source']['database'])}{clause}", parameters


def ranges(low, high, parallelism):
    """The C# engine's split of [low, high] into ``parallelism`` ranges (from, to): from <= k < to, open ends None, the
    first also taking nulls. The job lets Spark split the same bounds (``spark_jdbc_options``)."""
    if low is None or parallelism < 2:
        return [(None, None)]
    step = -(-(high - low + 1) // parallelism)
    bounds = [low + i * step for i in range(1, parallelism) if low + i * step <= high]
    result, start = [], None
    for bound in bounds:
        result.append((start, bound))
        start = bound
    result.append((start, None))
    return result


# --- cursor values -------------------------------------------------------------------------------------------------------

def format_cursor(value):
    """A watermark as the C# ledger writes it (CursorValues.Format): .NET round-trip ("O") timestamps with seven fractional
    digits (a trailing Z for an instant), dates yyyy-MM-dd, decimals with their scale, text as it is."""
    if isinstance(value, datetime.datetime):
        text = value.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond * 10:07d}"
        if value.tzinfo is None:
            return text
        offset = value.utcoffset()
        if offset == datetime.timedelta(0):
            return text + "Z"
        sign, offset = ("-", -offset) if offset < datetime.timedelta(0) else ("+", offset)
        return text + f"{sign}{offset.seconds // 3600:02d}:{offset.seconds % 3600 // 60:02d}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        raise SourceError("a boolean column cannot be a cursor")
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    return str(value)


_DOTNET_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$")


def parse_cursor(text, like):
    """The watermark text read back in the type of ``like`` (the largest cursor value now, CursorValues.TryParse), or None
    when it cannot be."""
    try:
        if isinstance(like, str):
            return text
        if isinstance(like, datetime.datetime):
            match = _DOTNET_TIME.match(text.strip())
            if not match:
                return None
            day, time, fraction, zone = match.groups()
            moment = datetime.datetime.fromisoformat(f"{day}T{time}.{(fraction or '0')[:6].ljust(6, '0')}")
            if zone:
                moment = moment.replace(tzinfo=datetime.timezone.utc if zone == "Z" else datetime.datetime.strptime(zone.replace(":", ""), "%z").tzinfo)
            if like.tzinfo is None and moment.tzinfo is not None:
                moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)  # DateTime compares ticks, whatever the kind
            elif like.tzinfo is not None and moment.tzinfo is None:
                moment = moment.replace(tzinfo=datetime.timezone.utc)
            return moment
        if isinstance(like, datetime.date):
            return datetime.date.fromisoformat(text.strip()[:10])
        if isinstance(like, bool):
            return None
        if isinstance(like, int):
            return int(text)
        if isinstance(like, decimal.Decimal):
            return decimal.Decimal(text.strip())
        if isinstance(like, float):
            return float(text)
    except (ValueError, decimal.InvalidOperation):
        return None
    return None


def lowered(value, lag):
    """The largest value lowered by the lag (seconds; whole days for a date), or None when the type cannot be lowered
    (CursorValues.Lower)."""
    if lag == 0:
        return value
    if isinstance(value, datetime.datetime):
        return value - datetime.timedelta(seconds=lag)
    if isinstance(value, datetime.date):
        return value - datetime.timedelta(days=lag // 86400)
    if isinstance(value, bool) or isinstance(value, str):
        return None
    if isinstance(value, (int, decimal.Decimal, float)):
        return value - lag
    return None


def window(d, largest, watermark):
    """Fixes the window from the largest cursor value read at the start and the committed watermark
    (SourceConnection.WindowAsync): everything without a cursor; nothing when the source is empty or nothing is above the
    watermark after the lag; an error when the largest value is below the watermark."""
    cursor = d["source"]["database"].get("cursor")
    if not cursor:
        return ALL
    column = cursor_column(d)
    where_ = describe(d)
    if largest is None:
        return EMPTY
    lower = None
    if watermark is not None:
        lower = parse_cursor(watermark, largest)
        if lower is None:
            raise SourceError(f"Dataset {d['id']}, {where_}: the watermark '{watermark}' of cursor column '{column}' cannot be read as "
                              f"{type(largest).__name__}, the column's type now; did the column's type change?")
        if largest < lower:
            raise SourceError(f"Dataset {d['id']}, {where_}: cursor column '{column}' of {what(d)} is not monotonic: its largest value is now "
                              f"{format_cursor(largest)}, below the watermark {watermark} committed by an earlier run (rows were deleted or the "
                              "cursor was set back). Nothing was extracted or published.")
    upper = lowered(largest, cursor.get("lag", 0))
    if upper is None:
        raise SourceError(f"Dataset {d['id']}, {where_}: cursor.lag needs a numeric, date or timestamp cursor; '{column}' holds "
                          f"{type(largest).__name__} values.")
    if lower is not None and upper <= lower:
        return EMPTY
    return Window(lower, upper)


def what(d):
    table = d["source"]["database"].get("table")
    return f"table {table}" if table else "the query"


def describe(d):
    """The connection without secrets, as errors name it."""
    database = d["source"]["database"]
    return f"connection '{database['connection']}' ({database['provider']})"


def watermark_key(database):
    """The ledger key of the watermark: connection, table (or the query's hash) and cursor (SourceExtraction.WatermarkKey)."""
    what_ = database.get("table") or "query-" + hashlib.sha256((database.get("query") or "").encode("utf-8")).hexdigest()[:16]
    cursor = (database.get("cursor") or {}).get("column") or ""
    return f"database:{database['connection']}:{what_}:{cursor}"


def watermarks(previous, d, window_):
    """The run record's watermarks after the run: the previous ones, with this source's moved to the window's upper bound
    (unchanged when the window has none)."""
    result = dict(previous or {})
    if window_.upper is not None:
        result[watermark_key(d["source"]["database"])] = format_cursor(window_.upper)
    return result


def extract_name(d, run_id):
    """The extract's file name stem, as the in-process extractor names it: <table with _ for .>-<run id>."""
    database = d["source"]["database"]
    return f"{(database.get('table') or d['id'].split('.', 1)[1]).replace('.', '_')}-{run_id}"


# --- types ---------------------------------------------------------------------------------------------------------------

def _family(spark_type):
    """The kind of values a Spark JDBC column holds, in ValueMapper's terms (the .NET type a provider returns)."""
    t = spark_type.lower().replace(" ", "")
    if t in ("tinyint", "smallint", "int", "integer", "bigint", "short", "long", "byte"):
        return "integer"
    if t.startswith("decimal"):
        return "decimal"
    if t in ("float", "real"):
        return "float"
    if t == "double":
        return "double"
    if t == "boolean":
        return "boolean"
    if t in ("string", "varchar", "char") or t.startswith("varchar(") or t.startswith("char("):
        return "string"
    if t == "binary":
        return "binary"
    if t == "date":
        return "date"
    if t == "timestamp_ntz":
        return "local-timestamp"
    if t == "timestamp":
        return "instant"
    return "other"


_ACCEPTED = {
    # schema kind: the value families ValueMapper.Accepts lets through (text only for SQLite, which the job does not read)
    "string": {"integer", "decimal", "float", "double", "boolean", "string", "date", "local-timestamp", "instant", "other"},
    "boolean": {"boolean", "integer"},
    "int32": {"integer", "decimal"},
    "int64": {"integer", "decimal"},
    "float": {"integer", "decimal", "double", "float"},
    "double": {"integer", "decimal", "double", "float"},
    "decimal": {"integer", "decimal", "double", "float"},
    "date": {"date", "local-timestamp"},
    "timestamp": {"date", "local-timestamp", "instant"},
}
# Npgsql returns a timestamptz as a DateTime (UTC), which a date column accepts; SQL Server's datetimeoffset is a DateTimeOffset, which it does not.
_ACCEPTED_BY_PROVIDER = {("postgresql", "date"): {"instant"}}


def schema_kind(schema_type):
    return "decimal" if schema_type.startswith("decimal") else schema_type


def accepts(spark_type, schema_type, provider):
    """Whether values of a source column Spark reads as ``spark_type`` (its simpleString) can map to the schema type at all,
    checked once before any row (ValueMapper.Accepts)."""
    kind = schema_kind(schema_type)
    return _family(spark_type) in _ACCEPTED.get(kind, set()) | _ACCEPTED_BY_PROVIDER.get((provider, kind), set())


def type_problem(d, column, spark_type, schema_type, schema_column):
    """The one-line refusal of a source column whose type cannot hold the schema column's, or None."""
    if accepts(spark_type, schema_type, d["source"]["database"]["provider"]):
        return None
    return (f"Dataset {d['id']}, {describe(d)}: column '{column}' is {spark_type} in the source (as Spark reads it), which cannot hold "
            f"values of the schema column '{schema_column}' ({schema_type}); change the column's type in the definition or cast it in a query.")


# --- credentials and Spark options ---------------------------------------------------------------------------------------

def read_secret(secretsmanager, secret_arn, d):
    """The connection's {jdbcUrl, username, password} from the secret (terraform/secrets.tf): either that object itself or
    an object of such objects by connection name. Nothing of the value is ever put in a message."""
    database = d["source"]["database"]
    connection = database["connection"]
    try:
        value = json.loads(secretsmanager.get_secret_value(SecretId=secret_arn)["SecretString"])
    except ValueError:
        raise SourceError(f"Dataset {d['id']}, {describe(d)}: the secret {secret_arn} is not JSON; put "
                          '{"jdbcUrl": ..., "username": ..., "password": ...} in it (terraform/secrets.tf).') from None
    if isinstance(value, dict) and isinstance(value.get(connection), dict):
        value = value[connection]
    missing = [k for k in ("jdbcUrl", "username", "password") if not isinstance(value, dict) or not isinstance(value.get(k), str) or not value[k]]
    if missing:
        raise SourceError(f"Dataset {d['id']}, {describe(d)}: the secret {secret_arn} has no {', '.join(missing)} for this connection; put "
                          f'{{"jdbcUrl": ..., "username": ..., "password": ...}} in it, or such an object under "{connection}".')
    prefix = JDBC_URL_PREFIX.get(database["provider"])
    if prefix is None:
        raise SourceError(f"Dataset {d['id']}, {describe(d)}: the Glue job reads {', '.join(GLUE_PROVIDERS)} over JDBC, not {database['provider']}.")
    if not value["jdbcUrl"].startswith(prefix):
        raise SourceError(f"Dataset {d['id']}, {describe(d)}: the secret's jdbcUrl for this connection does not start with {prefix}; "
                          "it must be the URL of the provider the definition names.")
    return {"url": value["jdbcUrl"], "user": value["username"], "password": value["password"]}


def spark_jdbc_options(d, credentials, bounds=None):
    """The options of Spark's JDBC reader: the source as dbtable, the driver, fetch size, query timeout, timestamps without a
    time zone kept as local times (read in source.timeZone later, as the C# engine does) and, with bounds (low, high) of the
    partition column in the window, parallelism partitions of it (Spark splits [low, high] into equal strides, the first
    taking nulls and values below, the last values above, so each row is read once)."""
    database = d["source"]["database"]
    options = {
        "url": credentials["url"], "user": credentials["user"], "password": credentials["password"],
        "driver": JDBC_DRIVER[database["provider"]], "dbtable": source_sql(database), "fetchsize": "10000",
        "queryTimeout": str(database.get("commandTimeoutSeconds", 0)), "preferTimestampNTZ": "true",
        "pushDownPredicate": "true",
    }
    key = partition_column(d)
    if key and bounds and bounds[0] is not None:
        options.update({
            # Spark resolves the name against the read schema and quotes it with its dialect.
            "partitionColumn": key, "lowerBound": str(int(bounds[0])),
            "upperBound": str(int(bounds[1])), "numPartitions": str(database["parallelism"]),
        })
    return options
