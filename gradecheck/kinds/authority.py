"""The authority kind: a record's authority name and code name one authority the register knows, on its day."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import attrs
from attrs import frozen

from ..authorities import Identity, NoMatch, Resolved, active_register
from ..frameworks import Framework, Version
from ..records import DATE_FIELDS
from . import params as c
from ._base import CODE_FIELDS, NAME_FIELDS, Failure, Unknown, View, param
from .draft import Candidates, Chooser, Make
from .forms import PASS, SKIP, UNSURE, And, Call, Cmp, Const, Decide, Field, Form, IsNull

__all__ = ["AuthorityCheck", "status", "status_any_day"]


def _first(view: Any, names: tuple[str, ...]) -> tuple[str | None, str | None]:
    for name in names:
        value = view.get(name)
        if type(value) is str and value.strip():
            return name, value
    return None, None


def status(name: str | None, other_name: str | None, code: str | None, other_code: str | None,
           start: dt.date | None, end: dt.date | None, published: dt.date | None) -> int:
    """
    The pass forms' question, asked once a record for both rules (values as a Call gives them, in the order of
    NAME_FIELDS, CODE_FIELDS and DATE_FIELDS): 0 placed, 1 the name and the code are two authorities (A101),
    2 one of them is no authority (A102). See Identity.status.
    """
    return active_register().placed(name or other_name, code or other_code, start or end or published)[1]


def status_any_day(name: str | None, other_name: str | None, code: str | None, other_code: str | None) -> int | None:
    """:func:`status` whatever the record's dates are, where they cannot change it (forms.Call's *per*); else None."""
    register = active_register()
    name, code = name or other_name, code or other_code
    if register.plain_label(name, code) is not None:
        return 0  # one undated authority's own name and code: placed, as placed() finds it first (see _plainly)
    if register.dated(name, code):
        return None
    # No authority the name or code could mean begins, ends or changes its code: every day resolves each to the
    # same authority as no day does (the first the register lists), so the status is the same whatever the dates
    # (tests/test_authority_rules.py checks it for every name and code of the register, paired every way).
    return register.placed(name, code, _ANY_DAY)[1]


_ANY_DAY = dt.date(2000, 1, 1)


@frozen(kw_only=True)
class AuthorityCheck:
    """
    The authority a record names is one the register knows, and its name and code agree on the record's day.

    Every comparison across sources, every history and every per-authority report rests on knowing who a
    record is about; a code copied from a predecessor (Cumbria's for Cumberland) or a name nobody has
    would silently make a new authority or join the wrong one.
    """

    kind: ClassVar[str] = "authority"
    check: str = param(c.one_of("consistent", "known"),
                       "consistent: the name and the code are one authority's on the record's day; "
                       "known: each of them is an authority the register has")

    def passes(self, framework: Framework, version: Version) -> Form:
        """
        A record with no authority field is out of scope; one whose name and code the register places as the
        rule asks surely passes (a lookup cached per name, code and span of days: see Register.identify).
        """
        absent = And([IsNull(Field("", name)) for name in (*NAME_FIELDS, *CODE_FIELDS)])
        placed = Call(status, [Field("", name) for name in (*NAME_FIELDS, *CODE_FIELDS, *DATE_FIELDS)],
                      per=status_any_day, lead=len(NAME_FIELDS) + len(CODE_FIELDS))
        fine = Cmp("!=", placed, Const(1 if self.check == "consistent" else 2))
        return Decide([(absent, SKIP), (fine, PASS)], UNSURE)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        name_field, name = _first(view, NAME_FIELDS)
        code_field, code = _first(view, CODE_FIELDS)
        if name is None and code is None:
            return None
        ident = active_register().identify(name, code, view.day)
        if self.check == "consistent":
            return (self._conflict(view, ident, name_field, name, code_field, code),) if ident.conflict else ()
        out: list[Failure | Unknown] = []
        for field_name, value, found in ((name_field, name, ident.by_name), (code_field, code, ident.by_code)):
            if isinstance(found, NoMatch) and found.by == "name":
                found = attrs.evolve(found, closest=active_register().suggestions(found.key))
            if isinstance(found, NoMatch):
                out.append(Failure(f"{field_name}: {found.message}", {field_name: value},
                                   expected=list(found.closest) or "an authority the register knows", actual=value))
        return tuple(out)

    @staticmethod
    def _conflict(view: View, ident: Identity, name_field: Any, name: Any, code_field: Any, code: Any) -> Failure:
        by_name, by_code = ident.by_name, ident.by_code
        assert isinstance(by_name, Resolved)
        assert isinstance(by_code, Resolved)
        day = view.day
        when = f" on {day.isoformat()}" if day else ""
        owner = by_code.authority
        what = "LA number" if by_code.by == "la_number" else "code"
        own = by_name.authority.code_on(day) if day else by_name.authority.code
        if by_code.by == "la_number":
            own_text = f"{by_name.authority.name}'s LA number is {by_name.authority.la_number}"
            expected: Any = by_name.authority.la_number
        else:
            own_text = (f"{by_name.authority.name}'s code{when} was {own}" if own
                        else f"{by_name.authority.name} had no GSS code{when}")
            expected = own
        life = ""
        if day is not None and not owner.exists_on(day):
            began = owner.start is not None and day < owner.start
            life = f" (which existed {'from ' + str(owner.start) if began else 'until ' + str(owner.end)})"
        owner_name = owner.name
        if owner_name == by_name.authority.name:  # Dorset County Council and Dorset Council are both "Dorset"
            owner_name += f" (LA {owner.la_number})" if owner.la_number else f" ({owner.id})"
            own_text = own_text.replace(by_name.authority.name, by_name.authority.name + (
                f" (LA {by_name.authority.la_number})" if by_name.authority.la_number else ""), 1)
        message = (f"{code_field} {code} is the {what} of {owner_name}{life}, but {name_field} {name!r} is "
                   f"{by_name.authority.name}: {own_text}")
        return Failure(message, {name_field: name, code_field: code}, expected=expected, actual=code)

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """
        consistent: Liverpool given Wirral's code (both always existed, so only the pairing is wrong); known: a
        misspelt name beside the right code, or the right name beside a code no authority has had.
        """
        if self.check == "consistent":
            pairs = [("Liverpool", "E08000015"), ("Kent", "E10000020")]
        else:
            pairs = [("Liverpol", "E08000012"), ("Liverpool", "E08999999")]
        return [[make(authority=pair)] for pair in pairs]
