"""
When a record surely passes a rule: a small language of forms, from which both fast paths are generated.

Almost every record passes every rule, so the engine asks first whether a record *surely* passes,
on values read the cheap way (canonical names and grades, whole numbers, dates), and only a record
that might not goes the ordinary way, where :meth:`evaluate` writes the finding. Each kind says once,
in :meth:`passes`, when a record surely passes one of its rules, as a form built from the nodes
below; gradecheck/engine/fastcode.py compiles forms to Python source for the row engine and
gradecheck/engine/columnar_kinds.py to polars expressions for the columnar engine. A form never
decides a failure: its verdict is PASS (the rule applies and passes), SKIP (it does not apply) or
UNSURE (the ordinary path decides), so a form that is too cautious costs speed, never a finding.

The values a form reads are those of a record the fast reader accepted: a group holds only present
members (a count as a whole number, a fact as a number, a judgement as a canonical grade), a date
field a date, and an absent value is null (None). Every node is null-safe: a comparison with a null
is false, arithmetic with a null is null, sums and counts skip nulls. Nodes are frozen, so equal
subforms are computed once per record however many rules use them.
"""

from __future__ import annotations

from typing import Any

from attrs import field, frozen

from ..records import GROUPS

__all__ = [
    "PASS",
    "SKIP",
    "UNSURE",
    "Abs",
    "And",
    "Arith",
    "Best",
    "Call",
    "Cmp",
    "Const",
    "Count",
    "Decide",
    "Field",
    "Form",
    "Graded",
    "IsNull",
    "Max",
    "Members",
    "Min",
    "NonEmpty",
    "Not",
    "Or",
    "Ordered",
    "Rank",
    "Sum",
    "Worst",
    "always",
    "field_of",
    "is_glob",
    "judgement_keys",
    "number",
]

#: A form's verdicts: the rule applies and surely passes; it does not apply; only the ordinary path can tell.
PASS, SKIP, UNSURE = 1, 0, -1

_OPS = ("<", "<=", "==", "!=", ">", ">=")


@frozen
class Const:
    """A constant: a number, a date or a grade's canonical name."""

    value: Any


@frozen
class Field:
    """
    One value of the record: ``Field("populations", "looked_after")``; ``Field("", "start")`` for a
    top-level field. Null when absent. A top-level text field is only ever tested for presence
    (:class:`IsNull`): the columnar engine does not read texts.
    """

    group: str
    key: str


@frozen
class Members:
    """
    Every present member of a group, as a list (only inside Sum, Count and Max): all of them, those
    whose key matches a glob *pattern*, or those whose key is not in *exclude*.
    """

    group: str
    pattern: str | None = None
    exclude: frozenset[str] | None = field(default=None, converter=lambda v: None if v is None else frozenset(v))


@frozen
class Sum:
    """The sum of the present values among *items* (fields or Members); 0 when none is present."""

    items: tuple[Any, ...] = field(converter=tuple)


@frozen
class Count:
    """How many of *items* (fields or Members) are present."""

    items: tuple[Any, ...] = field(converter=tuple)


@frozen
class Max:
    """The largest present value among *items*; null when none is present."""

    items: tuple[Any, ...] = field(converter=tuple)


@frozen
class Min:
    """The smallest present value among *items*; null when none is present."""

    items: tuple[Any, ...] = field(converter=tuple)


@frozen
class Best:
    """The best grade's rank (0 = the scale's best) among judgement fields *keys*; null when none is graded."""

    keys: tuple[str, ...] = field(converter=tuple)


@frozen
class Worst:
    """The worst grade's rank among judgement fields *keys*; null when none is graded."""

    keys: tuple[str, ...] = field(converter=tuple)


@frozen
class Graded:
    """How many of judgement fields *keys* have the grade *grade* (a canonical name; a key may repeat)."""

    keys: tuple[str, ...] = field(converter=tuple)
    grade: str


@frozen
class Rank:
    """A judgement's grade as its rank on the scale (0 = best); null when absent."""

    key: str


@frozen
class Cmp:
    """``left op right``; false when either side is null."""

    op: str
    left: Any
    right: Any

    def __attrs_post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"unknown comparison {self.op!r}")


@frozen
class Arith:
    """``left op right`` for op in + - * /; null when either side is null, or when dividing by 0."""

    op: str
    left: Any
    right: Any


@frozen
class Abs:
    """The absolute value; null stays null."""

    of: Any


@frozen
class IsNull:
    """Whether a value is absent."""

    of: Any


@frozen
class NonEmpty:
    """Whether the record has any member of a group."""

    group: str


@frozen
class And:
    """Every condition holds (true when there is none)."""

    items: tuple[Any, ...] = field(converter=tuple)


@frozen
class Or:
    """Some condition holds (false when there is none)."""

    items: tuple[Any, ...] = field(converter=tuple)


@frozen
class Not:
    """The condition does not hold."""

    of: Any


@frozen
class Ordered:
    """The present values among *items*, in order, never decrease (with *strict*, always increase)."""

    items: tuple[Any, ...] = field(converter=tuple)
    strict: bool = False


@frozen
class Call:
    """
    A whole number computed in Python from values of the record, *fn(\\*args)*, for what the nodes cannot say
    (whether a name and a code are one authority's, which needs the register). *fn* must be cheap on values
    that recur (cache it), total (never raise) and never null; a top-level text *arg* here is its value
    (stripped; null when blank), not only its presence. Rules sharing an equal Call compute it once a record.

    *per*, if given, answers for the first *lead* args alone: *per(\\*args[:lead])* is fn's answer whatever the
    other args are, or None where it depends on them (the authority's status depends on the day only for names
    and codes the register dates). An engine that works column by column asks it once per distinct leading
    values, and fn only for the rows where *per* could not say.
    """

    fn: Any
    args: tuple[Any, ...] = field(converter=tuple)
    per: Any = None
    lead: int = 0


@frozen
class Decide:
    """The verdict of the first branch whose condition holds, else *otherwise*: how every form ends."""

    branches: tuple[tuple[Any, int], ...] = field(converter=tuple)
    otherwise: int


#: What a kind's ``passes`` returns: a Decide, or None when this rule's shape has no fast form
#: (every record it covers then goes the ordinary way).
Form = Decide | None


def always(verdict: int) -> Decide:
    """A form with one verdict for every record."""
    return Decide((), verdict)


def is_glob(name: str) -> bool:
    """Whether a field name is a pattern (``grade_counts.*``) rather than a name."""
    return any(c in name for c in "*?[")


def field_of(name: str) -> Field:
    """``populations.looked_after`` → Field("populations", "looked_after"); ``start`` → Field("", "start")."""
    group, dot, key = name.partition(".")
    return Field(group, key) if dot else Field("", group)


def judgement_keys(names: list[str]) -> list[str] | None:
    """``judgements.x`` names as bare judgement keys; None when one is a glob or not a judgement."""
    if any(is_glob(n) or not n.startswith("judgements.") for n in names):
        return None
    return [n.split(".", 1)[1] for n in names]


#: Groups whose members are numbers (counts, or facts that may be decimals); judgements hold grades.
NUMERIC_GROUPS = ("grade_counts", "populations", "facts")


def number(name: str) -> Field | None:
    """
    A numeric field (a member of a numeric group), or None for a name whose value is not a number
    (a top-level text or date, a judgement) or a pattern: the caller then has no form.

    A group gradecheck does not know is allowed: no record read the fast way has it, so it reads as null.
    """
    if is_glob(name):
        return None
    found = field_of(name)
    if found.group in NUMERIC_GROUPS or (found.group and found.group not in GROUPS):
        return found
    return None
