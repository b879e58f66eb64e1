"""Spark SQL expressions built from a definition: typed casts of the source text and quality-rule checks.

Every source column is read as text; ``cast_expression`` turns it into the column's type (NULL for a null
marker), ``conversion_error`` says why a non-null value did not convert, and ``rule_check`` gives the
condition and reason of a broken rule. Reasons read like the C# engine's (``range(total_amount): "-5" is
outside [0, 1000000]``). Casts use try_* functions so a bad value never fails the job (ANSI mode or not).
"""

import re

from .definition import column_type, rule_display_name

SPARK_TYPES = {
    "string": "STRING", "boolean": "BOOLEAN", "int32": "INT", "int64": "BIGINT",
    "float": "FLOAT", "double": "DOUBLE", "date": "DATE", "timestamp": "TIMESTAMP",
}
_OFFSET = r"(Z|[+-][0-9]{2}:?[0-9]{2})$"


def sql_string(text):
    """A Spark SQL string literal (backslashes are escapes in Spark's default parser)."""
    return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_identifier(name):
    return "`" + name.replace("`", "``") + "`"


def spark_type(type_text):
    parsed = column_type(type_text)
    if parsed is None:
        raise ValueError(f"'{type_text}' is not a column type")
    if parsed[0] == "decimal":
        return f"DECIMAL({parsed[1]},{parsed[2]})"
    return SPARK_TYPES[parsed[0]]


def spark_datetime_pattern(dotnet_format):
    """Translates a .NET custom date/time format to a Spark datetime pattern."""
    out = []
    i = 0
    text = dotnet_format
    while i < len(text):
        c = text[i]
        run = len(re.match(re.escape(c) + "*", text[i:]).group(0))
        if c in "'\"":
            end = text.index(c, i + 1)
            out.append("'" + text[i + 1:end].replace("'", "''") + "'")
            i = end + 1
            continue
        if c == "\\" and i + 1 < len(text):
            out.append("'" + text[i + 1] + "'")
            i += 2
            continue
        if c in "fF":
            out.append("S" * run)
        elif c == "t":
            out.append("a")
        elif c == "z":
            out.append("XXX" if run >= 3 else "X")
        elif c == "K":
            out.append("XXX")
        elif c == "T":
            out.append("'T'")
        elif c in "yMdHhms":
            out.append(c * run)
        elif c.isalpha():
            out.append("'" + c * run + "'")
        else:
            out.append(c * run)
        i += run
    return "".join(out)


def source_name(column):
    return column.get("sourceColumn") or column["name"]


def is_null_marker(expression, source):
    markers = ", ".join(sql_string(m) for m in source["nullMarkers"])
    return f"({expression} IS NULL OR {expression} IN ({markers}))" if markers else f"({expression} IS NULL)"


def _number_text(expression, source):
    text = expression
    if source.get("groupSeparator"):
        text = f"replace({text}, {sql_string(source['groupSeparator'])}, '')"
    if source["decimalSeparator"] == ",":
        text = f"replace({text}, ',', '.')"
    return text


def decimal_pattern(scale):
    """The decimal texts a decimal(p, scale) column takes (before try_cast, which rounds): digits with at most ``scale``
    places that are not zero, as RowProcessor.FitsDecimal accepts 1.50 but not 1.005 for scale 2 (the same pattern in
    Java's regex, which RLIKE uses, and Python's)."""
    places = f"[0-9]{{0,{scale}}}0*"
    return f"^[+-]?([0-9]+([.]{places})?|[.](?=[0-9]){places})$"


def typed_value(expression, type_text, source):
    """Converts a text expression to the type (NULL when it does not convert); null markers are not handled here."""
    parsed = column_type(type_text)
    kind = parsed[0]
    if kind == "string":
        return expression
    if kind == "boolean":
        # ValueConverter.TryParseBoolean: true/yes/y/t/1 and false/no/n/f/0, without case, the text trimmed.
        return (f"(CASE lower(trim({expression})) WHEN 'true' THEN true WHEN 'yes' THEN true WHEN 'y' THEN true WHEN 't' THEN true "
                "WHEN '1' THEN true WHEN 'false' THEN false WHEN 'no' THEN false WHEN 'n' THEN false WHEN 'f' THEN false WHEN '0' THEN false END)")
    if kind in ("int32", "int64", "float", "double", "decimal"):
        text = _number_text(expression, source)
        if kind in ("int32", "int64"):
            # Integers must not have a fraction: 1.5 is not an int32 (try_cast would truncate).
            return f"(CASE WHEN {text} RLIKE '^[+-]?[0-9]+$' THEN try_cast({text} AS {spark_type(type_text)}) END)"
        if kind == "decimal":
            return f"(CASE WHEN {text} RLIKE {sql_string(decimal_pattern(parsed[2]))} THEN try_cast({text} AS {spark_type(type_text)}) END)"
        return f"try_cast({text} AS {spark_type(type_text)})"
    if kind == "date":
        attempts = [f"to_date(try_to_timestamp({expression}, {sql_string(spark_datetime_pattern(f))}))" for f in source["dateFormats"]]
        return attempts[0] if len(attempts) == 1 else f"coalesce({', '.join(attempts)})"
    if kind == "timestamp":
        zone = sql_string(source["timeZone"])
        if source["timestampFormats"]:
            attempts = [f"try_to_timestamp({expression}, {sql_string(spark_datetime_pattern(f))})" for f in source["timestampFormats"]]
            local = attempts[0] if len(attempts) == 1 else f"coalesce({', '.join(attempts)})"
            return f"to_utc_timestamp({local}, {zone})"
        # ISO 8601: a value with an offset is absolute; one without is wall-clock time in the source zone.
        return (f"(CASE WHEN {expression} RLIKE {sql_string(_OFFSET)} THEN try_cast({expression} AS TIMESTAMP) "
                f"ELSE to_utc_timestamp(try_cast({expression} AS TIMESTAMP), {zone}) END)")
    raise ValueError(type_text)


def cast_expression(column, source, text_column=None):
    """SELECT expression that yields the typed value of a column from its source text, aliased to its name."""
    text = quote_identifier(text_column or source_name(column))
    value = typed_value(text, column["type"], source)
    return f"CASE WHEN {is_null_marker(text, source)} THEN NULL ELSE {value} END AS {quote_identifier(column['name'])}"


def conversion_error(column, source, text_column=None):
    """Expression yielding why the column's text did not convert (NULL when it did, or when it is null and allowed)."""
    text = quote_identifier(text_column or source_name(column))
    typed = quote_identifier(column["name"])
    not_null_marker = f"NOT {is_null_marker(text, source)}"
    prefix = sql_string(column["name"] + ': "')
    suffix = sql_string('" is not a ' + column["type"])
    reasons = [f"WHEN {not_null_marker} AND {typed} IS NULL THEN concat({prefix}, {text}, {suffix})"]
    if not column.get("nullable", True):
        reasons.append(f"WHEN {typed} IS NULL THEN {sql_string(column['name'] + ': missing value in a required column')}")
    return "CASE " + " ".join(reasons) + " END"


def literal(value, type_text):
    """A Spark SQL literal of an invariant-form bound or allowed value, typed like the column."""
    kind = column_type(type_text)[0]
    text = str(value)
    if kind in ("int32", "int64", "float", "double"):
        float(text)  # raises on a non-number
        return f"CAST({text} AS {spark_type(type_text)})"
    if kind == "decimal":
        float(text)
        return f"CAST({sql_string(text)} AS {spark_type(type_text)})"
    if kind == "date":
        return f"DATE {sql_string(text)}"
    if kind == "timestamp":
        return f"to_utc_timestamp(CAST({sql_string(text)} AS TIMESTAMP), 'UTC')" if re.search(_OFFSET, text) is None else f"CAST({sql_string(text)} AS TIMESTAMP)"
    if kind == "boolean":
        return "true" if text.lower() == "true" else "false"
    return sql_string(text)


def _quoted_value(expression):
    return f"concat('\"', CAST({expression} AS STRING), '\"')"


def rule_check(rule, definition):
    """(condition, reason) SQL expressions of a non-unique rule: the condition is true when the row breaks it.

    Nulls pass every rule except not-null (SQL semantics, as in the C# engine).
    """
    columns = {c["name"]: c for c in definition["columns"]}
    name = rule_display_name(rule)
    kind = rule["type"]
    if kind == "unique":
        raise ValueError("unique rules need a window: use unique_check")
    column = columns[rule["column"]]
    col = quote_identifier(column["name"])
    if kind == "not-null":
        return f"{col} IS NULL", sql_string(f"{name}: the value is missing")
    if kind == "range":
        parts = []
        if rule.get("min") is not None:
            parts.append(f"{col} < {literal(rule['min'], column['type'])}")
        if rule.get("max") is not None:
            parts.append(f"{col} > {literal(rule['max'], column['type'])}")
        bounds = f"[{rule.get('min', '-∞')}, {rule.get('max', '+∞')}]"
        condition = f"{col} IS NOT NULL AND ({' OR '.join(parts)})"
        return condition, f"concat({sql_string(name + ': ')}, {_quoted_value(col)}, {sql_string(' is outside ' + bounds)})"
    if kind == "regex":
        pattern = f"^(?:{rule['pattern']})$"
        condition = f"{col} IS NOT NULL AND NOT (CAST({col} AS STRING) RLIKE {sql_string(pattern)})"
        return condition, f"concat({sql_string(name + ': ')}, {_quoted_value(col)}, {sql_string(' does not match /' + rule['pattern'] + '/')})"
    if kind == "allowed-values":
        allowed = ", ".join(literal(v, column["type"]) for v in rule["values"])
        condition = f"{col} IS NOT NULL AND NOT ({col} IN ({allowed}))"
        return condition, f"concat({sql_string(name + ': ')}, {_quoted_value(col)}, {sql_string(' is not one of ' + ', '.join(rule['values']))})"
    raise ValueError(f"unknown rule type {kind}")


def unique_check(rule, order_by=("_source_file", "_source_line"), eligible=None):
    """(condition, reason) of a unique rule: every repeat after the first row (in input order) breaks it. With
    ``eligible`` (a condition), only rows that meet it take part: a row rejected before the rules (at reading or
    conversion) never reaches the C# engine's rule check, so its value is not "seen"."""
    names = rule["columns"] or [rule["column"]]
    cols = [quote_identifier(n) for n in names]
    partition = ", ".join(cols + ([f"({eligible})"] if eligible else []))
    window = f"row_number() OVER (PARTITION BY {partition} ORDER BY {', '.join(quote_identifier(o) for o in order_by)})"
    condition = " AND ".join(([f"({eligible})"] if eligible else []) + [f"{c} IS NOT NULL" for c in cols] + [f"{window} > 1"])
    values = ", ', ', ".join(_quoted_value(c) for c in cols)
    reason = f"concat({sql_string(rule_display_name(rule) + ': (')}, {values}, ') repeats a value seen earlier in this run')"
    return condition, reason
