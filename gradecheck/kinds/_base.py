"""What every rule kind shares: the prepared record it reads, its outcomes, and its declared parameters."""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import attrs
from attrs import frozen

from ..authorities import active_register, label_parts
from ..frameworks import Framework, Version
from ..records import Origin, Record
from ..values import MISSING, Invalid, UnknownGrade, bounds, show

__all__ = [
    "REFERENCES",
    "Failure",
    "Param",
    "Subject",
    "Unknown",
    "View",
    "fmt_sum",
    "num",
    "param",
]

#: Names a rule may use to mean "whatever the record's framework version says".
REFERENCES = ("@overall", "@feeds_overall", "@judgements", "@counted", "@graded_items")


@frozen
class Failure:
    """A rule failed on a record: the fields it read, what it expected, what it found, and the arithmetic."""

    message: str
    fields: Mapping[str, Any]
    expected: Any = None
    actual: Any = None


@frozen
class Unknown:
    """
    A rule could not be decided on a record (a value missing, suppressed, rounded or unreadable).

    *cause* names why in a word, where the values read do not say it (see gradecheck/kinds/causes.py).
    """

    reason: str
    fields: Mapping[str, Any]
    cause: str = ""


class Subject(NamedTuple):
    """
    Who a dataset rule's outcome is about: what a finding names of a record, without the record.

    Dataset rules keep a subject for the records they may report on, never the record itself, so
    that a file's summary stays small and can travel between processes.
    """

    id: str
    path: str
    line: int
    authority: str | None
    framework: str
    #: The authority's GSS code on the record's day (see :func:`who`); None where neither is known.
    authority_code: str | None = None

    @property
    def origin(self) -> Origin:
        return Origin(self.path, self.line)

    def place(self) -> tuple[str, int]:
        """File order: dataset rules see records in it, however they were passed or split."""
        return (self.path, self.line)


class View:
    """
    A record prepared for checking: field aliases resolved, grades canonical, framework version chosen.

    A plain slotted class rather than attrs: one is built per record on the hot path, and kinds only
    read from it.
    """

    __slots__ = ("_place", "_subject", "_who", "day", "framework", "record", "values", "version")

    def __init__(self, record: Record, framework: Framework, version: Version, values: dict[str, Any]) -> None:
        self.record = record
        self.framework = framework
        self.version = version
        self.values = values
        day = values.get("start", MISSING)
        for name in ("end", "published"):
            if isinstance(day, dt.date):
                break
            day = values.get(name, MISSING)
        self.day: dt.date | None = day if isinstance(day, dt.date) else None
        self._subject: Subject | None = None
        self._who: tuple[str | None, str | None, str | None] | None = None  # see identify()
        self._place: tuple[Any, int] | None = None  # (table, packed place): see _summary.Places.of

    def get(self, name: str) -> Any:
        """The canonical value of a dotted field, or MISSING."""
        return self.values.get(name, MISSING)

    def grades(self) -> dict[str, Any]:
        """The record's judgements by name, as read (a grade's canonical name, or what could not be read)."""
        return {n[11:]: v for n, v in self.values.items() if n.startswith("judgements.")}

    def place(self) -> tuple[str, int]:
        """The record's file and line, without making a Subject (summaries pack them: see _summary.Places)."""
        origin = self.record.origin
        return origin.path, origin.line

    def ident(self) -> str:
        return self.record.id

    def subject(self) -> Subject:
        """
        What a finding about this record names (made once: several dataset rules may keep it). The
        authority's name is interned: a file names a few hundred authorities, on every record.
        """
        if self._subject is None:
            name, code = who(self)
            origin = self.record.origin
            self._subject = Subject(self.record.id, origin.path, origin.line, name, self.framework.id, code)
        return self._subject

    def matching(self, pattern: str) -> list[tuple[str, Any]]:
        """Fields whose names match a glob pattern (``grade_counts.*``), in name order."""
        how = _PATTERNS.get(pattern)
        if how is None:
            how = _pattern(pattern)
            if len(_PATTERNS) < 4096:
                _PATTERNS[pattern] = how
        if how is _PLAIN:
            value = self.values.get(pattern, MISSING)
            return [] if value is MISSING else [(pattern, value)]
        if type(how) is str:  # a group's prefix
            return sorted([(n, v) for n, v in self.values.items() if n.startswith(how)])
        return sorted([(n, v) for n, v in self.values.items() if _glob_matches(pattern, n)])

    def expand(self, names: Sequence[str]) -> list[str]:
        """Resolve ``@`` references to the framework version's judgement names (``judgements.`` prefixed)."""
        return self.version.expand(names)

    def number(self, ref: Any) -> Any:
        """An integer constant, ``@graded_items``, or a field's value."""
        if isinstance(ref, int):
            return ref
        if ref == "@graded_items":
            return MISSING if self.version.graded_items is None else self.version.graded_items
        return self.get(ref)

    def grade_rank(self, value: Any) -> int | None:
        """0 for the best grade; None when the value is not a grade of the record's scale."""
        scale = self.framework.scale
        if scale is None or not isinstance(value, str) or not scale.knows(value):
            return None
        return scale.rank(value)


#: Where a record names its authority (inspections) or area (DfE rows, any level), and where it gives the code.
NAME_FIELDS = ("authority", "area")
CODE_FIELDS = ("authority_code", "area_code")


def who(view: Any) -> tuple[str | None, str | None]:
    """
    The authority's name and code a finding about *view*'s record carries: the register's (the active one's:
    gradecheck/authorities.py) where the record resolves on its day, else the text it gives (interned: a file
    names a few hundred authorities, on every record); (None, None) for a record that names none.
    """
    return label_parts(identify(view))[:2]  # type: ignore[return-value]


def identify(view: Any) -> Any:
    """
    The record's label (see Register.placed): :func:`who`'s name and code, and the register id of the authority (None
    where the record resolves to none), as :func:`~gradecheck.authorities.label_parts` reads them.
    """
    found = view._who
    if found is not None:
        return found  # type: ignore[no-any-return]
    get = view.get
    name = code = None
    for key in NAME_FIELDS:
        value = get(key)
        if type(value) is str and value.strip():
            name = value
            break
    for key in CODE_FIELDS:
        value = get(key)
        if type(value) is str and value.strip():
            code = value
            break
    found = _NOBODY if name is None and code is None else active_register().placed(name, code, view.day)[0]
    view._who = found
    return found


_NOBODY = (None, None, None)


_PLAIN, _GLOB = object(), object()
# How each pattern a rule names is matched (plain name, group prefix or glob), decided once.
_PATTERNS: dict[str, Any] = {}


#: (pattern, field name) -> whether it matches: a file's records share a few dozen field names, and every
#: record asks the same patterns of them (R102's "facts.*percent*" on every row of a DfE table).
_GLOB_MATCHES: dict[tuple[str, str], bool] = {}


def _glob_matches(pattern: str, name: str) -> bool:
    key = (pattern, name)
    found = _GLOB_MATCHES.get(key)
    if found is None:
        found = fnmatch.fnmatchcase(name, pattern)
        if len(_GLOB_MATCHES) < 1 << 16:
            _GLOB_MATCHES[key] = found
    return found


def _pattern(pattern: str) -> Any:
    if pattern.endswith(".*") and not any(c in pattern[:-2] for c in "*?["):
        return pattern[:-1]
    return _GLOB if any(c in pattern for c in "*?[") else _PLAIN


def undecidable(value: Any) -> bool:
    """Values that make a rule unknown rather than failed: unparsed, unknown spellings."""
    return isinstance(value, (Invalid, UnknownGrade))


def num(value: Any) -> str:
    """Show a number without a trailing ``.0``."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return show(value)


def short(name: str) -> str:
    """``grade_counts.outstanding`` → ``outstanding``: messages name the part, the group is obvious."""
    return name.split(".", 1)[1] if "." in name else name


def fmt_sum(parts: Sequence[tuple[str, Any]], lo: float, hi: float) -> str:
    """``outstanding 5 + good 17 + adequate 1 = 23``; an interval total shows its range."""
    terms = " + ".join(f"{short(n)} {show(v)}" for n, v in parts) or "nothing"
    total = num(lo) if lo == hi else f"{num(lo)} to {num(hi)}"
    if len(parts) == 1 and lo == hi:
        return terms
    return f"{terms} = {total}"


def total_bounds(parts: Sequence[tuple[str, Any]]) -> tuple[float, float] | None:
    """Sum the admissible ranges of the parts; None when a part is not a number at all."""
    lo = hi = 0.0
    for _, value in parts:
        b = bounds(value)
        if b is None:
            return None
        lo += b[0]
        hi += b[1]
    return (int(lo) if float(lo).is_integer() else lo, int(hi) if math.isfinite(hi) and float(hi).is_integer() else hi)


def read(parts: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """The fields a rule read, for the finding."""
    return dict(parts)


# --- declared parameters -------------------------------------------------------------------------

Checker = Callable[[Any, Any], "str | None"]


@frozen
class Param:
    """How a rule-file key is checked, and what it means (shown by ``explain``)."""

    check: Checker
    doc: str


def param(check: Checker, doc: str, default: Any = attrs.NOTHING, **kw: Any) -> Any:
    """An attrs field that is also a rule-file key, type-checked by the loader before the kind is built."""
    return attrs.field(default=default, metadata={"param": Param(check, doc)}, **kw)

