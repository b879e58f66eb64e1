"""Reads and validates a dataset definition (the JSON contract of docs/definition-reference.md).

``parse`` returns the document as a dict with every default filled in, the way the C# serializer writes it,
or raises ``DefinitionError`` listing every problem with its JSON path.
"""

import json
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
SQL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}\Z")  # DatabaseSourceValidator.SqlNamePattern: names that reach SQL
DECIMAL = re.compile(r"^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$")
SIMPLE_TYPES = ("string", "boolean", "int32", "int64", "float", "double", "date", "timestamp")
FORMATS = ("csv", "json-lines", "parquet", "database")
PROVIDERS = ("postgresql", "sql-server", "sqlite")
TRANSFORMS = ("identity", "year", "month", "day", "ingest-date")
WRITE_MODES = ("append", "overwrite-partitions", "merge")
COMPRESSIONS = ("snappy", "zstd", "gzip", "none")
RULE_TYPES = ("not-null", "unique", "range", "regex", "allowed-values")
# Worker types of a Spark (glueetl) job; G.025X (streaming) and Z.2X (Ray) are refused by StartJobRun for it.
WORKER_TYPES = ("G.1X", "G.2X", "G.4X", "G.8X")
ENCODINGS = {
    "utf-8": "UTF-8", "utf8": "UTF-8",
    "utf-16": "UTF-16LE", "utf-16le": "UTF-16LE", "utf16": "UTF-16LE", "utf-16be": "UTF-16BE",
    "latin1": "ISO-8859-1", "iso-8859-1": "ISO-8859-1",
    "ascii": "US-ASCII", "us-ascii": "US-ASCII",
    "windows-1252": "windows-1252", "cp1252": "windows-1252",
}
PARTITION_TYPES = {"identity": None, "year": "int32", "month": "string", "day": "date", "ingest-date": "date"}


class DefinitionError(ValueError):
    """A definition that does not follow the contract; ``problems`` lists each with its JSON path."""

    def __init__(self, source, problems):
        self.problems = list(problems)
        super().__init__(f"{source}: " + " ".join(self.problems))


def parse(text_or_dict, source="definition"):
    """Parses (if given text) and validates a definition; returns it with defaults filled in."""
    if isinstance(text_or_dict, (str, bytes)):
        try:
            document = json.loads(text_or_dict, object_pairs_hook=_no_duplicates)
        except ValueError as error:
            raise DefinitionError(source, [f"$: not valid JSON ({error})."]) from error
    else:
        document = text_or_dict
    problems = []
    definition = _normalize(document, problems)
    if not problems:
        _validate(definition, problems)
    if problems:
        raise DefinitionError(source, problems)
    return definition


def column_type(type_text):
    """Returns ('decimal', p, s) for decimal types, (name,) for the others, or None when unknown."""
    if type_text in SIMPLE_TYPES:
        return (type_text,)
    match = DECIMAL.match(type_text or "")
    if match:
        return ("decimal", int(match.group(1)), int(match.group(2)))
    return None


def partition_name(partition):
    """The effective partition name: the given name, ingest_date, the column, or column_transform."""
    if partition.get("name"):
        return partition["name"]
    transform = partition.get("transform", "identity")
    if transform == "ingest-date":
        return "ingest_date"
    if transform == "identity":
        return partition["column"]
    return f"{partition['column']}_{transform}"


def rule_display_name(rule):
    """The rule's name, or type(column) / type(col1,col2) as the C# engine names it."""
    if rule.get("name"):
        return rule["name"]
    target = rule.get("column") or ",".join(rule.get("columns", []))
    return f"{rule['type']}({target})"


def catalog_table(definition):
    """(database, table) of the dataset's catalog table."""
    domain, name = definition["id"].split(".", 1)
    catalog = definition["catalog"]
    return catalog.get("database") or domain, catalog.get("table") or name


def missing_columns(definition, present):
    """The run's error when the inputs lack a definition column that is not optional (as the C# engine's), else None."""
    present = set(present)
    missing = [c for c in definition["columns"] if (c.get("sourceColumn") or c["name"]) not in present and not c.get("optional")]
    if not missing:
        return None
    described = ", ".join(f"'{c['name']}'" + (f" (sourceColumn '{c['sourceColumn']}')" if c.get("sourceColumn") else "") for c in missing)
    has = ", ".join(f"'{n}'" for n in sorted(present)) or "no columns"
    return (f"the definition's column(s) {described} are not in the inputs, which have {has}; nothing was written. "
            "Fix the files, set the column's sourceColumn, or mark the column \"optional\": true if some files lack it.")


def _no_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"member '{key}' is given twice")
        result[key] = value
    return result


_ALLOWED = {
    "$": {"id", "description", "source", "columns", "keys", "partitioning", "write", "quality", "table", "catalog", "engine"},
    "$.source": {"format", "database", "csv", "encoding", "nullMarkers", "dateFormats", "timestampFormats", "timeZone", "decimalSeparator", "groupSeparator"},
    "$.source.database": {"connection", "provider", "table", "query", "cursor", "partitionColumn", "parallelism", "commandTimeoutSeconds"},
    "$.source.database.cursor": {"column", "lag"},
    "$.source.csv": {"delimiter", "quote", "header", "columns", "maxQuotedFieldLines"},
    "column": {"name", "type", "nullable", "optional", "sourceColumn", "description"},
    "partition": {"column", "transform", "name"},
    "$.write": {"mode", "targetFileSizeMb", "rowGroupSizeMb", "compression"},
    "$.quality": {"maxRejectRatio", "rules"},
    "rule": {"type", "name", "column", "columns", "min", "max", "pattern", "values", "action"},
    "$.table": {"format", "maintenance"},
    "$.table.maintenance": {"snapshotRetentionDays", "minSnapshotsToKeep", "orphanGraceHours", "smallFileSizeMb", "compactionMinFiles", "sortByKeys", "afterRuns"},
    "$.catalog": {"database", "table", "partitionStrategy", "workgroup"},
    "$.engine": {"kind", "memoryBudgetMb", "glue"},
    "$.engine.glue": {"glueVersion", "workerType", "numberOfWorkers", "timeoutMinutes", "maxRetries"},
}


def _object(value, path, allowed, problems):
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"{path}: expected an object.")
        return {}
    for key in value:
        if key not in allowed:
            problems.append(f"{path}.{key}: '{key}' is not a member of the definition contract.")
    return {k: v for k, v in value.items() if v is not None}


def _normalize(document, problems):
    root = _object(document, "$", _ALLOWED["$"], problems)
    source = _object(root.get("source"), "$.source", _ALLOWED["$.source"], problems)
    csv = _object(source.get("csv"), "$.source.csv", _ALLOWED["$.source.csv"], problems)
    database = None
    if source.get("database") is not None:
        database = _object(source["database"], "$.source.database", _ALLOWED["$.source.database"], problems)
        cursor = database.get("cursor")
        if cursor is not None:
            database["cursor"] = dict({"lag": 0}, **_object(cursor, "$.source.database.cursor", _ALLOWED["$.source.database.cursor"], problems))
        database = dict({"parallelism": 1, "commandTimeoutSeconds": 0}, **database)
    write = _object(root.get("write"), "$.write", _ALLOWED["$.write"], problems)
    quality = _object(root.get("quality"), "$.quality", _ALLOWED["$.quality"], problems)
    table = _object(root.get("table"), "$.table", _ALLOWED["$.table"], problems)
    # Maintenance applies to Iceberg tables, which the in-process engine maintains; its members are only checked here.
    maintenance = _object(table.get("maintenance"), "$.table.maintenance", _ALLOWED["$.table.maintenance"], problems)
    catalog = _object(root.get("catalog"), "$.catalog", _ALLOWED["$.catalog"], problems)
    engine = _object(root.get("engine"), "$.engine", _ALLOWED["$.engine"], problems)
    glue = _object(engine.get("glue"), "$.engine.glue", _ALLOWED["$.engine.glue"], problems)
    columns = [
        dict({"nullable": True, "optional": False}, **_object(c, f"$.columns[{i}]", _ALLOWED["column"], problems))
        for i, c in enumerate(root.get("columns") or [])
    ]
    partitioning = [
        dict({"transform": "identity"}, **_object(p, f"$.partitioning[{i}]", _ALLOWED["partition"], problems))
        for i, p in enumerate(root.get("partitioning") or [])
    ]
    rules = [
        dict({"columns": [], "values": [], "action": "reject"}, **_object(r, f"$.quality.rules[{i}]", _ALLOWED["rule"], problems))
        for i, r in enumerate(quality.get("rules") or [])
    ]
    return {
        "id": root.get("id"),
        "description": root.get("description"),
        "source": {
            "format": source.get("format"),
            "database": database,
            "csv": {"delimiter": ",", "quote": '"', "header": True, "columns": [], "maxQuotedFieldLines": 1000, **csv},
            "encoding": source.get("encoding", "utf-8"),
            "nullMarkers": source.get("nullMarkers", [""]),
            "dateFormats": source.get("dateFormats", ["yyyy-MM-dd"]),
            "timestampFormats": source.get("timestampFormats", []),
            "timeZone": source.get("timeZone", "UTC"),
            "decimalSeparator": source.get("decimalSeparator", "."),
            "groupSeparator": source.get("groupSeparator"),
        },
        "columns": columns,
        "keys": root.get("keys", []),
        "partitioning": partitioning,
        "write": {"mode": "append", "targetFileSizeMb": 128, "rowGroupSizeMb": 32, "compression": "snappy", **write},
        "quality": {"maxRejectRatio": quality.get("maxRejectRatio", 0.05), "rules": rules},
        # A stored definition always names its format; one without it predates formats and is Hive.
        "table": {"format": table.get("format", "hive"), "maintenance": {"snapshotRetentionDays": 7, "minSnapshotsToKeep": 5, **maintenance}},
        "catalog": {"partitionStrategy": "register", "workgroup": "primary", **catalog},
        "engine": {
            "kind": engine.get("kind", "local"),
            "memoryBudgetMb": engine.get("memoryBudgetMb", 256),
            "glue": {"glueVersion": "5.0", "workerType": "G.1X", "numberOfWorkers": 2, "timeoutMinutes": 60, "maxRetries": 1, **glue},
        },
    }


def _int_between(value, low, high, path, problems):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(f"{path}: must be an integer from {low} to {high}.")


def _validate(d, problems):
    dataset_id = d["id"]
    if not isinstance(dataset_id, str) or dataset_id.count(".") != 1 or not all(IDENTIFIER.match(p) for p in dataset_id.split(".")):
        problems.append(f"$.id: '{dataset_id}' is not domain.name with both halves matching {IDENTIFIER.pattern}.")

    if d["table"]["format"] not in ("hive", "iceberg"):
        problems.append("$.table.format: must be hive or iceberg.")
    if d["engine"]["kind"] == "glue":
        problems.extend(glue_refusals(d))

    source = d["source"]
    if source["format"] not in FORMATS:
        problems.append(f"$.source.format: must be one of {', '.join(FORMATS)}.")
    _validate_database(dict(source, _columns=d["columns"]), problems)
    if str(source["encoding"]).lower() not in ENCODINGS:
        problems.append(f"$.source.encoding: '{source['encoding']}' is not a supported encoding.")
    try:
        ZoneInfo(source["timeZone"])
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        problems.append(f"$.source.timeZone: '{source['timeZone']}' is not a known time zone.")
    if source["decimalSeparator"] not in (".", ","):
        problems.append("$.source.decimalSeparator: must be '.' or ','.")
    if source["groupSeparator"] is not None and (len(source["groupSeparator"]) != 1 or source["groupSeparator"] == source["decimalSeparator"]):
        problems.append("$.source.groupSeparator: one character, different from the decimal separator.")
    if not source["dateFormats"] or any(not f or not f.strip() for f in source["dateFormats"]):
        problems.append("$.source.dateFormats: at least one format, none blank.")
    csv = source["csv"]
    delimiter = "\t" if csv["delimiter"] == "\\t" else csv["delimiter"]
    if len(delimiter) != 1 or delimiter in "\r\n" or delimiter == csv["quote"]:
        problems.append("$.source.csv.delimiter: one character (or \\t), not a line break, different from the quote.")
    if len(csv["quote"]) != 1:
        problems.append("$.source.csv.quote: one character.")
    _int_between(csv["maxQuotedFieldLines"], 1, 1000000, "$.source.csv.maxQuotedFieldLines", problems)

    columns = d["columns"]
    if not columns:
        problems.append("$.columns: at least one column.")
    names = set()
    for i, column in enumerate(columns):
        path = f"$.columns[{i}]"
        name = column.get("name")
        if not isinstance(name, str) or not IDENTIFIER.match(name):
            problems.append(f"{path}.name: '{name}' is not a valid column name: use {IDENTIFIER.pattern}.")
        elif name in names:
            problems.append(f"{path}.name: column '{name}' is defined twice.")
        names.add(name)
        parsed = column_type(column.get("type"))
        if parsed is None:
            problems.append(f"{path}.type: '{column.get('type')}' is not a column type.")
        elif parsed[0] == "decimal" and not (1 <= parsed[1] <= 28 and 0 <= parsed[2] <= parsed[1]):
            problems.append(f"{path}.type: decimal precision must be 1-28 and scale 0-precision.")
        if column.get("sourceColumn") == "":
            problems.append(f"{path}.sourceColumn: must not be empty.")
        if column["optional"] is True and column["nullable"] is False:
            problems.append(f"{path}.optional: an optional column must be nullable.")
    if csv["columns"]:
        # As DefinitionValidator.cs words it: one problem per column, at the column's path.
        for i, c in enumerate(columns):
            if c.get("sourceColumn", c.get("name")) not in csv["columns"]:
                problems.append(f"$.columns[{i}]: source column '{c.get('sourceColumn', c.get('name'))}' is not among source.csv.columns.")

    by_name = {c.get("name"): c for c in columns}
    for i, key in enumerate(d["keys"]):
        if key not in by_name:
            problems.append(f"$.keys[{i}]: '{key}' is not a column.")
        elif by_name[key]["nullable"]:
            problems.append(f"$.keys[{i}]: key column '{key}' must be \"nullable\": false.")

    partition_names = set()
    for i, partition in enumerate(d["partitioning"]):
        path = f"$.partitioning[{i}]"
        transform = partition["transform"]
        if transform not in TRANSFORMS:
            problems.append(f"{path}.transform: must be one of {', '.join(TRANSFORMS)}.")
            continue
        if transform != "ingest-date":
            column = by_name.get(partition.get("column"))
            if column is None:
                problems.append(f"{path}.column: '{partition.get('column')}' is not a column.")
                continue
            kind = (column_type(column["type"]) or ("?",))[0]
            allowed = ("string", "boolean", "int32", "int64", "date") if transform == "identity" else ("date", "timestamp")
            if kind not in allowed:
                problems.append(f"{path}.transform: {transform} does not apply to a {column['type']} column.")
        name = partition_name(partition)
        if not IDENTIFIER.match(name):
            problems.append(f"{path}.name: '{name}' is not a valid partition name.")
        elif name in partition_names:
            problems.append(f"{path}.name: partition '{name}' is defined twice.")
        elif transform != "identity" and name in names:
            problems.append(f"{path}.name: '{name}' is also a column name.")
        partition_names.add(name)

    write = d["write"]
    if write["mode"] not in WRITE_MODES:
        problems.append(f"$.write.mode: must be one of {', '.join(WRITE_MODES)}.")
    if write["mode"] == "merge" and not d["keys"]:
        problems.append("$.keys: merge needs keys.")
    if write["compression"] not in COMPRESSIONS:
        problems.append(f"$.write.compression: must be one of {', '.join(COMPRESSIONS)}.")
    _int_between(write["targetFileSizeMb"], 1, 4096, "$.write.targetFileSizeMb", problems)
    _int_between(write["rowGroupSizeMb"], 1, 1024, "$.write.rowGroupSizeMb", problems)

    ratio = d["quality"]["maxRejectRatio"]
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 0 <= ratio <= 1:
        problems.append("$.quality.maxRejectRatio: a number from 0 to 1.")
    for i, rule in enumerate(d["quality"]["rules"]):
        _validate_rule(rule, f"$.quality.rules[{i}]", by_name, problems)

    catalog = d["catalog"]
    for member in ("database", "table"):
        if member in catalog and not IDENTIFIER.match(catalog[member]):
            problems.append(f"$.catalog.{member}: '{catalog[member]}' is not a valid name.")
    if catalog["partitionStrategy"] not in ("register", "projection"):
        problems.append("$.catalog.partitionStrategy: register or projection.")

    engine = d["engine"]
    if engine["kind"] not in ("local", "glue"):
        problems.append("$.engine.kind: local or glue.")
    _int_between(engine["memoryBudgetMb"], 16, 65536, "$.engine.memoryBudgetMb", problems)
    glue = engine["glue"]
    if glue["workerType"] not in WORKER_TYPES:
        problems.append(f"$.engine.glue.workerType: one of {', '.join(WORKER_TYPES)} (the worker types of a glueetl job).")
    # As DefinitionValidator.cs: a string (the serializer refuses a number), not blank; on Glue only the deployed version.
    if not isinstance(glue["glueVersion"], str):
        problems.append(f"$.engine.glue.glueVersion: must be a string such as \"5.0\", not {json.dumps(glue['glueVersion'])}.")
    elif not glue["glueVersion"].strip():
        problems.append("$.engine.glue.glueVersion: is required (for example 5.0).")
    _int_between(glue["numberOfWorkers"], 2, 1000, "$.engine.glue.numberOfWorkers", problems)
    _int_between(glue["timeoutMinutes"], 1, 2880, "$.engine.glue.timeoutMinutes", problems)
    _int_between(glue["maxRetries"], 0, 10, "$.engine.glue.maxRetries", problems)


def _validate_rule(rule, path, by_name, problems):
    kind = rule.get("type")
    if kind not in RULE_TYPES:
        problems.append(f"{path}.type: must be one of {', '.join(RULE_TYPES)}.")
        return
    if rule["action"] not in ("reject", "fail"):
        problems.append(f"{path}.action: reject or fail.")
    if kind == "unique":
        targets = rule["columns"] or ([rule["column"]] if rule.get("column") else [])
        if not targets:
            problems.append(f"{path}: a unique rule needs column or columns.")
        for name in targets:
            if name not in by_name:
                problems.append(f"{path}.columns: '{name}' is not a column.")
        return
    column = by_name.get(rule.get("column"))
    if column is None:
        problems.append(f"{path}.column: '{rule.get('column')}' is not a column.")
        return
    kind_of_column = (column_type(column["type"]) or ("?",))[0]
    if kind == "range":
        if "min" not in rule and "max" not in rule:
            problems.append(f"{path}: a range rule needs min or max.")
        if kind_of_column in ("string", "boolean"):
            problems.append(f"{path}: range needs a numeric, date or timestamp column.")
    elif kind == "regex":
        if not rule.get("pattern"):
            problems.append(f"{path}.pattern: a regex rule needs a pattern.")
        else:
            try:
                re.compile(rule["pattern"])
            except re.error as error:
                problems.append(f"{path}.pattern: not a valid regular expression ({error}).")
    elif kind == "allowed-values" and not rule["values"]:
        problems.append(f"{path}.values: at least one value.")


def _validate_database(source, problems):
    database = source["database"]
    if source["format"] == "database" and database is None:
        problems.append("$.source.database: is required when format is database.")
    if database is None:
        return
    if source["format"] != "database":
        problems.append("$.source.database: is only allowed with \"format\": \"database\".")
    if not isinstance(database.get("connection"), str) or not database["connection"].strip():
        problems.append("$.source.database.connection: the name of a configured connection is required.")
    if database.get("provider") not in PROVIDERS:
        problems.append(f"$.source.database.provider: one of {', '.join(PROVIDERS)}.")
    if ("table" in database) == ("query" in database):
        problems.append("$.source.database: needs exactly one of table and query.")
    elif "table" in database and (not isinstance(database["table"], str) or len(database["table"].split(".")) > 2
                                  or not all(SQL_NAME.match(p) for p in database["table"].split("."))):
        problems.append(f"$.source.database.table: '{database['table']}' is not a valid table name: use table or schema.table, each part {SQL_NAME.pattern}.")
    _int_between(database["parallelism"], 1, 32, "$.source.database.parallelism", problems)
    # As DatabaseSourceValidator.cs: every name that reaches SQL is checked before any run (the job quotes them as well).
    by_name = {c.get("name"): c for c in source.get("_columns", [])}
    for i, column in enumerate(source.get("_columns", [])):
        name = column.get("sourceColumn") or column.get("name")
        if not isinstance(name, str) or not SQL_NAME.match(name):
            problems.append(f"$.columns[{i}].sourceColumn: '{name}' is not a valid database column name: use {SQL_NAME.pattern}.")
    cursor = database.get("cursor")
    if cursor is not None:
        column = by_name.get(cursor.get("column"))
        if column is None:
            problems.append(f"$.source.database.cursor.column: '{cursor.get('column')}' is not a column of the schema.")
        elif (column_type(column["type"]) or ("?",))[0] not in ("int32", "int64", "decimal", "date", "timestamp"):
            problems.append(f"$.source.database.cursor.column: cursor column '{column['name']}' is {column['type']}; a cursor must be int32, int64, decimal, date or timestamp.")
        if isinstance(cursor.get("lag"), int) and cursor["lag"] < 0:
            problems.append(f"$.source.database.cursor.lag: {cursor['lag']} must not be negative.")
    partition = database.get("partitionColumn")
    if partition is not None:
        column = by_name.get(partition)
        if column is None:
            problems.append(f"$.source.database.partitionColumn: '{partition}' is not a column of the schema.")
        elif column["type"] not in ("int32", "int64"):
            problems.append(f"$.source.database.partitionColumn: '{partition}' is {column['type']}; ranges need an int32 or int64 column.")
    elif isinstance(database["parallelism"], int) and database["parallelism"] > 1:
        problems.append("$.source.database.partitionColumn: is required when parallelism is above 1 (an int32 or int64 column to split into ranges).")


# The features of the C# engine the Glue job does not implement yet: refused when the definition is read, with the
# messages of src/Ingest/Definitions/DefinitionValidator.cs (ValidateGlueSupport), so `ingest datasets add` and the
# job say the same. docs/aws-architecture.md lists the features by engine.
DEPLOYED_GLUE_VERSION = "5.0"  # glue_version in modules/glue_job/main.tf
_LOCAL = "or set engine.kind to local (the in-process engine does it)"


def glue_refusals(d):
    """The problems ('path: message') of a Glue dataset that uses a feature the job cannot honour."""
    problems = []
    # Iceberg tables take every write mode on Glue (MERGE INTO on the keys); a Hive table is merged only in-process.
    if d["write"]["mode"] == "merge" and d["table"]["format"] != "iceberg":
        problems.append(f"$.write.mode: the Glue job merges Iceberg tables only (MERGE INTO), not the files of a Hive table: set table.format to iceberg, {_LOCAL}.")
    if d["source"]["database"] is not None and d["source"]["database"].get("provider") == "sqlite":
        problems.append("$.source.database.provider: the Glue job reads postgresql and sql-server over JDBC, not sqlite (a file on the machine that runs the "
                        f"in-process engine): move the data to one of those, {_LOCAL}.")
    if d["write"]["targetFileSizeMb"] != 128:
        problems.append("$.write.targetFileSizeMb: the Glue job does not size its files (Spark writes one file per task and partition): "
                        f"remove write.targetFileSizeMb, {_LOCAL}.")
    version = d["engine"]["glue"]["glueVersion"]
    if isinstance(version, str) and version.strip() and version != DEPLOYED_GLUE_VERSION:
        problems.append(f"$.engine.glue.glueVersion: the Glue job is deployed as Glue {DEPLOYED_GLUE_VERSION} (terraform/glue_ingest_job/modules/glue_job) "
                        f"and a job run cannot choose another version: set glueVersion to {DEPLOYED_GLUE_VERSION} or remove it, {_LOCAL}.")
    return problems
