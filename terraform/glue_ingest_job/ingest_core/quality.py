"""The messages of runs that the quality checks stop, worded as the C# engine words them.

- ``fail_rule_error``: a row breaks a rule whose action is fail (RowProcessor.Process);
- ``reason_key``: the key a reject reason is counted under (RowProcessor's reason keys), for "Most frequent";
- ``reject_budget``: whether the rejects exceed quality.maxRejectRatio, counting the further lines a rejected record
  took in (an unclosed quote) as rejected rows (RejectExamples.OverBudget), and the run's error (RunWork).
"""

import re

from .definition import rule_display_name

_CONVERSION = re.compile(r'^([a-z][a-z0-9_]*): ".*" is not an? (.+?)(?: \(.*\))?$', re.DOTALL)


def fail_rule_error(definition, rule, source_file, source_line, reason):
    """RowProcessor: '<file> line N, column "c": rule <reason>; the rule's action is fail, so the run of <id> stops …'."""
    column = rule.get("column") or (rule.get("columns") or [""])[0]
    return (f'{source_file} line {source_line}, column "{column}": rule {reason}; the rule\'s action is fail, '
            f"so the run of {definition['id']} stops and publishes nothing.")


def reason_key(reason, rules=()):
    """The key RowProcessor counts a reject reason under (a rule's display name, 'col: not a type', 'ragged row', …)."""
    for rule in rules:
        name = rule_display_name(rule)
        if reason.startswith(name + ": "):
            return name
    if reason.startswith("ragged row: "):
        return "ragged row"
    if reason.startswith("duplicate key (") and reason.endswith("within this run; merge keeps one row per key"):
        return "duplicate key within run"
    if ": partition value " in reason:
        return "unsafe partition value"
    required = re.match(r"^([a-z][a-z0-9_]*): missing value in a required column$", reason)
    if required:
        return f"{required.group(1)}: missing required value"
    conversion = _CONVERSION.match(reason)
    if conversion:
        return f"{conversion.group(1)}: not a {conversion.group(2)}"
    cut = min((i for i in (reason.find(":"), reason.find("(")) if i > 0), default=-1)
    return reason[:cut].strip() if cut > 0 else reason


def _percent(ratio):
    """.NET's invariant P1: one decimal and ' %'."""
    return f"{ratio * 100:.1f} %"


def kept_apart_note(definition, rows_rejected, kept_prefix, run_id):
    """The sentence the C# engine appends to the reject-budget error when it kept the failed run's rejects apart
    (RunWork.EnforceRejectBudgetAsync)."""
    return (f" The {rows_rejected} rejected rows are kept apart, unpublished, under quarantine/{kept_prefix.rstrip('/')} "
            f"(ingest rejects {definition['id']} --run {run_id}).")


def reject_budget(definition, rows_read, rows_rejected, extra_lines, reason_counts):
    """None when the rejects are within quality.maxRejectRatio, else the run's error (the C# message without the
    per-reason examples). ``reason_counts`` maps each reject reason to its count; ``extra_lines`` is the sum of the
    lines rejected records took in beyond their first."""
    max_ratio = definition["quality"]["maxRejectRatio"]
    ratio = 0 if rows_read == 0 else (rows_rejected + extra_lines) / (rows_read + extra_lines)
    if not rows_rejected or ratio <= max_ratio:
        return None
    keys = {}
    for reason, count in reason_counts.items():
        key = reason_key(reason, definition["quality"]["rules"])
        keys[key] = keys.get(key, 0) + count
    top = "; ".join(f"{key} ({count})" for key, count in sorted(keys.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
    note = f" (counting the {extra_lines} further lines that rejected records took in)" if extra_lines else ""
    return (f"Dataset {definition['id']}: {rows_rejected} of {rows_read} rows were rejected ({_percent(ratio)}{note}), above quality.maxRejectRatio "
            f"{_percent(max_ratio)}; nothing was published. Most frequent: {top}.")
