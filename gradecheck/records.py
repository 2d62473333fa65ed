"""The record model: one inspection or visit, its fields parsed once at the edge, and where it came from."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from attrs import field, frozen

from .jsontext import decode_one, no_repeats
from .values import MISSING, Interval, Invalid, is_number

__all__ = [
    "COUNT_GROUPS",
    "DATE_FIELDS",
    "GROUPS",
    "MARKERS",
    "TEXT_FIELDS",
    "Origin",
    "RawRecord",
    "Record",
    "Unreadable",
    "record_from_mapping",
]

#: Top-level fields holding text.
TEXT_FIELDS = frozenset(
    {"id", "authority", "authority_code", "framework", "source", "theme", "type", "url", "note",
     # statistical tables (DfE): the period, the area (any level), and which group and breakdown a row counts
     "time_period", "geography_level", "area", "area_code", "group", "breakdown"}
)
#: Top-level fields holding ISO dates.
DATE_FIELDS = ("start", "end", "published")
#: Nested groups and what each member holds.
GROUPS = {"judgements": "grade", "grade_counts": "count", "populations": "count", "facts": "number"}
COUNT_GROUPS = frozenset(g for g, what in GROUPS.items() if what == "count")

#: Publishers' suppression markers (DfE and ONS conventions). ``z`` means "not applicable": no value.
MARKERS = frozenset({"c", "x", "k", "..", ":", "[c]", "[x]", "[k]", "u", "[u]", "*"})
NOT_APPLICABLE = frozenset({"z", "[z]"})

# Nesting deeper than this is not a record shape anyone means; flattening stops rather than recursing.
_MAX_DEPTH = 16
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VALUE_KEYS = frozenset({"value", "rounded_to", "min", "max"})


@frozen
class Origin:
    """Where a record was read: a file and a line (JSON Lines, CSV, JSON arrays) or ``-`` for stdin."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@frozen(eq=False)
class Record:
    """
    One inspection or visit.

    Domain rules are deliberately not enforced here: a record must be able to hold a *wrong* record,
    because finding those is the job. Only what makes a record identifiable is required.
    """

    id: str
    framework: str
    fields: Mapping[str, Any] = field(repr=False)
    origin: Origin

    def get(self, name: str, default: Any = MISSING) -> Any:
        """Return a dotted field's parsed value, or *default* when the record does not have it."""
        return self.fields.get(name, default)


class RawRecord(NamedTuple):
    """
    A record as decoded (a JSON object, a CSV row), not yet parsed.

    The engine's fast path decides most records from this alone; only the rest are parsed into a
    Record, so the work a finding needs is done only for records that might have one. Even the
    Origin is made only when asked for: a million of them is a second of a run.

    A record from a JSON line keeps the line (*json*; empty otherwise): the fast decoder kept
    the last of any repeated key, so whoever reads the record checks the text holds none (see
    gradecheck.jsontext), the fast path for the records it passes, :meth:`parse` for the rest.
    """

    path: str
    line: int
    mapping: Mapping[str, Any]
    text: bool
    json: str = ""

    @property
    def origin(self) -> Origin:
        """Where the record was read."""
        return Origin(self.path, self.line)

    def parse(self) -> Record | Unreadable:
        """The record, parsed as the readers would have."""
        if self.json and not no_repeats(self.mapping, self.json):  # type: ignore[arg-type]
            return json_line_record(self.json.strip(), self.origin)
        return record_from_mapping(self.mapping, self.origin, cells_are_text=self.text)


def json_line_record(text: str, origin: Origin) -> Record | Unreadable:
    """The record on one line of JSON Lines (stripped), decoded strictly: a repeated key makes it unreadable."""
    value, end, why = decode_one(text, 0)
    if why is None and text[end:].strip():
        why = "invalid JSON: more than one value on the line"
    if why is not None:
        # One record a line: "(line 1 column 9)" would only confuse; the column is what helps.
        return Unreadable(origin, why.replace("(line 1 column", "(column"))
    return record_from_mapping(value, origin)


@frozen
class Unreadable:
    """A record that could not be read at all, with its place and why; it is counted, never dropped."""

    origin: Origin
    error: str


def record_from_mapping(obj: Any, origin: Origin, *, cells_are_text: bool = False) -> Record | Unreadable:
    """
    Build a record from a decoded JSON object or a CSV row.

    *cells_are_text* says the values come from CSV, where every cell is text and "939" is a number;
    in JSON the same "939" is a string where a number belongs, which is worth a finding.
    """
    if not isinstance(obj, Mapping):
        return Unreadable(origin, f"expected a JSON object for a record, found {_type_name(obj)}")
    flat: dict[str, Any] = {}
    problem = _flatten(obj, "", flat, 0)
    if problem:
        return Unreadable(origin, problem)
    for required in ("id", "framework"):
        raw = flat.get(required, MISSING)
        if raw is MISSING or raw is None or (isinstance(raw, str) and not raw.strip()):
            return Unreadable(origin, f"field '{required}': required, but missing or empty")
        if not isinstance(raw, (str, int)) or isinstance(raw, bool):
            return Unreadable(origin, f"field '{required}': expected text, found {_type_name(raw)} {raw!r}")
    fields = {}
    for name, raw in flat.items():
        value = _parse(name, raw, cells_are_text)
        if value is not MISSING:
            fields[name] = value
    return Record(
        id=str(fields["id"]).strip(),
        framework=str(fields["framework"]).strip(),
        fields=fields,
        origin=origin,
    )


def _flatten(obj: Mapping[str, Any], prefix: str, out: dict[str, Any], depth: int) -> str | None:
    if depth > _MAX_DEPTH:
        return f"field '{prefix.rstrip('.')}': nested more than {_MAX_DEPTH} levels deep"
    for key, value in obj.items():
        if not isinstance(key, str):
            return f"field name {key!r}: expected text"
        name = prefix + key.strip()
        if isinstance(value, Mapping) and not _is_value_object(value):
            problem = _flatten(value, name + ".", out, depth + 1)
            if problem:
                return problem
        else:
            out[name] = value
    return None


def _is_value_object(obj: Mapping[str, Any]) -> bool:
    """``{"value": 940, "rounded_to": 10}`` and ``{"min": 1, "max": 5}`` are one value, not a nesting."""
    return bool(obj) and set(obj) <= _VALUE_KEYS and ("value" in obj or "min" in obj or "max" in obj)


def _group(name: str) -> str | None:
    head, dot, _ = name.partition(".")
    return GROUPS.get(head) if dot else None


def _parse(name: str, raw: Any, text: bool) -> Any:
    if raw is None:
        return MISSING
    if isinstance(raw, Invalid) or (isinstance(raw, Interval) and _group(name) in ("count", "number")):
        return raw  # already parsed by a profile (a rounded or summed figure, a date it could not read)
    if isinstance(raw, str):
        raw = raw.strip()
        if raw == "":
            return MISSING
    if name in GROUPS:
        return Invalid(raw, f"an object of named values, e.g. {{\"{name}\": {{\"NAME\": ...}}}}")
    if name in TEXT_FIELDS:
        if isinstance(raw, str):
            return raw
        return str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else Invalid(raw, "text")
    if name in DATE_FIELDS:
        return _parse_date(raw)
    what = _group(name)
    if what == "grade":
        if isinstance(raw, str):
            return raw
        if isinstance(raw, int) and not isinstance(raw, bool):
            return str(raw)
        return Invalid(raw, "a grade, written as text or a whole number")
    if what in ("count", "number"):
        return _parse_number(raw, text, whole=what == "count")
    if isinstance(raw, (list, Mapping)):
        return Invalid(raw, "a single value")
    return raw


def _parse_date(raw: Any) -> Any:
    if isinstance(raw, str) and _ISO_DATE.match(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError as err:
            return Invalid(raw, f"an ISO date YYYY-MM-DD that exists ({err})")
    return Invalid(raw, "an ISO date YYYY-MM-DD")


def _parse_number(raw: Any, text: bool, *, whole: bool) -> Any:
    expected = "a whole number" if whole else "a number"
    lo_default = 0 if whole else -math.inf
    if isinstance(raw, str):
        if raw.lower() in MARKERS:
            return Interval.suppressed(raw, lo=lo_default)
        if raw.lower() in NOT_APPLICABLE:
            return MISSING
        if not text:
            return Invalid(raw, f"{expected}, not text")
        number = number_from_text(raw)
        if number is None:
            return Invalid(raw, expected)
        raw = number
    if isinstance(raw, Mapping):
        return _parse_value_object(raw, expected)
    if not is_number(raw):
        return Invalid(raw, expected)
    if isinstance(raw, float):
        if math.isnan(raw) or math.isinf(raw):
            return Invalid(raw, f"{expected}, not {raw}")
        if raw.is_integer():
            return int(raw)
        if whole:
            return Invalid(raw, expected)
    return raw


def number_from_text(raw: str) -> float | int | None:
    """A number written as text (``1,000`` included), or None; shared with the profiles' readers."""
    cleaned = raw.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", raw) else raw
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number


def _parse_value_object(obj: Mapping[str, Any], expected: str) -> Any:
    if "value" in obj:
        value, step = obj.get("value"), obj.get("rounded_to", 1)
        if (not is_number(value) or not is_number(step) or step <= 0
                or not math.isfinite(value) or not math.isfinite(step)):
            return Invalid(dict(obj), f'{expected} as {{"value": N, "rounded_to": STEP}}')
        if step == 1:
            return value
        return Interval.rounded(value, step)
    lo, hi = obj.get("min", -math.inf), obj.get("max", math.inf)
    # NaN compares false with everything, so it would pass as a bound and reach the JSON report.
    if not is_number(lo) or not is_number(hi) or math.isnan(lo) or math.isnan(hi) or lo > hi:
        return Invalid(dict(obj), f'{expected} range as {{"min": LOW, "max": HIGH}} with LOW <= HIGH')
    return Interval(lo, hi, f"{lo} to {hi}")


def _type_name(value: Any) -> str:
    names = {bool: "true/false", type(None): "null", list: "a list", dict: "an object", str: "text"}
    for typ, label in names.items():
        if isinstance(value, typ):
            return label
    if is_number(value):
        return "a number"
    return type(value).__name__

