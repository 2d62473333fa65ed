"""
Profiles: how a published table's columns map onto record fields, as data (``rules/profiles/*.toml``).

A published file (Ofsted's outcome tables, a scraped ILACS summary, DfE's children-looked-after
tables) is not in gradecheck's record format. A profile says, without any code: which columns it
needs to recognise the file, which column feeds which record field, which framework each row is
judged under (a constant, a column's value, or the row's date), how dates are written, what the
publisher's suppression markers mean, which figures are rounded (DfE: national and regional figures
to the nearest 10), and how to build each row's id from its cells.

Loading a profile file never runs anything from it: templates are read by a small parser of our own
(``{Column name}``, ``{a|b}`` for the first non-empty of several columns, ``{year}`` for a number
captured from a column name), never by ``str.format`` or ``eval``. A bad file is rejected with every
problem listed, as rule files are.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from attrs import field, frozen

from ..errors import Problem, RuleFileError
from ..records import DATE_FIELDS, GROUPS, MARKERS, NOT_APPLICABLE, TEXT_FIELDS, number_from_text
from ..values import Interval, Invalid, is_number

__all__ = [
    "Binding",
    "Profile",
    "ProfileSet",
    "builtin_profiles_dir",
    "default_profiles",
    "load_profiles",
]

_MAX_FILE_BYTES = 1024 * 1024
_DEFAULT_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S")
_MARKER_MEANINGS = ("suppressed", "not applicable")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_SLUG = re.compile(r"[^0-9a-z]+")


def fold(name: str) -> str:
    """Compare column names without regard to case or runs of spaces ("CLA_2PLa" meets "CLA_2Pla")."""
    return " ".join(str(name).lower().split())


def _field_kind(name: str) -> str | None:
    """What a record field holds: 'text', 'date', 'grade', 'count' or 'number'; None if no such field."""
    if name in TEXT_FIELDS:
        return "text"
    if name in DATE_FIELDS:
        return "date"
    group, dot, member = name.partition(".")
    if dot and member and group in GROUPS and re.fullmatch(r"[A-Za-z0-9_]+", member):
        return GROUPS[group]
    return None


# --- column-name patterns and templates ------------------------------------------------------------


@frozen
class _Pattern:
    """A column name as a profile writes it: ``{year}`` is a run of digits captured for templates, ``*`` any text."""

    text: str
    regex: re.Pattern[str] = field(eq=False, repr=False)

    @classmethod
    def parse(cls, text: str) -> _Pattern:
        out, last = [], 0
        for m in _PLACEHOLDER.finditer(text):
            out.append(_literal(text[last:m.start()]))
            out.append(f"(?P<{m.group(1)}>[0-9]+)")
            last = m.end()
        out.append(_literal(text[last:]))
        return cls(text, re.compile("".join(out)))

    def match(self, column: str) -> dict[str, str] | None:
        m = self.regex.fullmatch(fold(column))
        return None if m is None else m.groupdict()


def _literal(text: str) -> str:
    """A piece of a column pattern: ``*`` stands for any characters, everything else for itself."""
    return ".*".join(re.escape(piece) for piece in fold(text).split("*"))


@frozen
class _Template:
    """
    Text with ``{Column}`` references: ``{a|b}`` takes the first non-empty, ``{{`` and ``}}`` are braces.

    Parsed once into literal parts and lists of alternatives; substituted by plain string joining.
    """

    text: str
    parts: tuple[str | tuple[str, ...], ...]

    @classmethod
    def parse(cls, text: str) -> _Template | str:
        parts: list[str | tuple[str, ...]] = []
        literal: list[str] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if text.startswith("{{", i) or text.startswith("}}", i):
                literal.append(ch)
                i += 2
                continue
            if ch == "}":
                return f"unmatched '}}' at character {i + 1} (write '}}}}' for a brace)"
            if ch != "{":
                literal.append(ch)
                i += 1
                continue
            end = text.find("}", i + 1)
            if end < 0:
                return f"unclosed '{{' at character {i + 1}"
            inner = text[i + 1:end]
            if "{" in inner:
                return f"'{{' inside a reference at character {i + 1}"
            names = tuple(n.strip() for n in inner.split("|"))
            if not all(names):
                return f"empty column name in {{{inner}}}"
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(names)
            i = end + 1
        if literal:
            parts.append("".join(literal))
        return cls(text, tuple(parts))


# --- the profile model -----------------------------------------------------------------------------


@frozen
class _Dated:
    framework: str
    start: dt.date | None
    end: dt.date | None


@frozen
class _Rounding:
    step: float
    columns: tuple[_Pattern, ...]
    when_column: str | None
    when_values: frozenset[str]
    above: float | None


@frozen
class Profile:
    """One published layout: the columns it needs, where each goes, and the publisher's conventions."""

    name: str
    title: str
    source: str
    path: str
    match: tuple[_Pattern, ...]
    columns: tuple[tuple[_Pattern, str], ...]
    framework: str | None
    framework_column: str | None
    framework_values: Mapping[str, str]
    framework_dated: tuple[_Dated, ...]
    dates: tuple[tuple[_Pattern, tuple[str, ...]], ...]
    values: tuple[tuple[_Pattern, Mapping[str, str]], ...]
    markers: Mapping[str, Any]
    rounding: tuple[_Rounding, ...]
    templates: Mapping[str, _Template]
    note: str = ""
    framework_labels: tuple[str, ...] = ()

    def bind(self, header: Sequence[str]) -> Binding | str:
        """Fit the profile to a file's header: a Binding that turns rows into records, or why it does not fit."""
        folded = [fold(h) for h in header]
        captures: dict[str, str] = {}
        missing = []
        for pattern in self.match:
            if not any(pattern.match(h) is not None for h in header if h):
                missing.append(pattern.text)
        if missing:
            return f"the header lacks {', '.join(repr(m) for m in missing)}"
        plan: dict[int, str] = {}
        for index, column in enumerate(header):
            if not column:
                continue
            for pattern, target in self.columns:
                got = pattern.match(column)
                if got is None:
                    continue
                for key, value in got.items():
                    if captures.setdefault(key, value) != value:
                        return (f"column names disagree about {{{key}}}: {captures[key]} and {value} "
                                f"(column {column!r})")
                plan[index] = target
                break
        by_field: dict[str, list[int]] = {}
        for index, target in plan.items():
            by_field.setdefault(target, []).append(index)
        for target, indexes in by_field.items():
            if len(indexes) > 1 and _field_kind(target) not in ("count", "number"):
                names = ", ".join(repr(header[i]) for i in indexes)
                return f"columns {names} all map to {target}, which is not a number that could be added up"

        def column_index(name: str) -> int | None:
            key = fold(name)
            return folded.index(key) if key in folded else None

        templates: dict[str, list[str | list[tuple[str, Any]]]] = {}
        for target, template in self.templates.items():
            compiled: list[str | list[tuple[str, Any]]] = []
            for part in template.parts:
                if isinstance(part, str):
                    compiled.append(part)
                    continue
                options: list[tuple[str, Any]] = []
                for name in part:
                    if name in captures:
                        options.append(("capture", captures[name]))
                    elif (i := column_index(name)) is not None:
                        options.append(("column", i))
                if not options and target == "id":
                    names = " or ".join(repr(n) for n in part)
                    return f"the id template {template.text!r} names {names}, not in this file"
                compiled.append(options)
            templates[target] = compiled
        if "id" not in templates and "id" not in by_field:
            return "no id: give [profile.set] id = \"{Column}-{Other column}\""
        framework_index = None
        if self.framework_column is not None:
            framework_index = column_index(self.framework_column)
        if self.framework is None and not self.framework_dated and framework_index is None:
            return f"the header lacks {self.framework_column!r}, which gives each row's framework"
        dates = {}
        values = {}
        rounding: dict[int, list[tuple[_Rounding, int | None]]] = {}
        for index, column in enumerate(header):
            if not column:
                continue
            for pattern, formats in self.dates:
                if pattern.match(column) is not None:
                    dates[index] = formats
                    break
            for pattern, mapping in self.values:
                if pattern.match(column) is not None:
                    values[index] = mapping
                    break
            target = plan.get(index)
            if target is None or _field_kind(target) not in ("count", "number"):
                continue
            for rule in self.rounding:
                if rule.columns and not any(p.match(column) is not None for p in rule.columns):
                    continue
                when = column_index(rule.when_column) if rule.when_column else None
                if rule.when_column and when is None:
                    continue  # the condition's column is not in this file: the rule does not apply
                rounding.setdefault(index, []).append((rule, when))
        return Binding(self, list(header), plan, templates, framework_index, dates, values, rounding, captures)


class Binding:
    """A profile fitted to one header: turns each row's cells into a record mapping."""

    def __init__(self, profile: Profile, header: list[str], plan: dict[int, str],
                 templates: dict[str, list[Any]], framework_index: int | None, dates: dict[int, tuple[str, ...]],
                 values: dict[int, Mapping[str, str]], rounding: dict[int, list[tuple[_Rounding, int | None]]],
                 captures: dict[str, str]) -> None:
        self.profile = profile
        self.header = header
        self.plan = plan
        self.templates = templates
        self.framework_index = framework_index
        self.dates = dates
        self.values = values
        self.rounding = rounding
        self.captures = captures

    def record(self, cells: Sequence[Any]) -> dict[str, Any] | str:
        """The record mapping for one row (values parsed), or a sentence saying why the row cannot be one."""
        out: dict[str, Any] = {}
        for index, target in self.plan.items():
            raw = self._cell(cells, index)
            value = self._convert(index, target, raw, cells)
            if value is None:
                continue
            if target in out:
                value = _add(out[target], value)
            out[target] = value
        for target, compiled in self.templates.items():
            text = self._fill(compiled, cells, slug=target == "id")
            if text:
                out[target] = text
        framework = self._framework(cells, out)
        if framework is None:
            return self._no_framework(cells)
        out["framework"] = framework
        if "id" not in out:
            return "no id: the cells the profile builds it from are empty"
        return out

    # --- cells -----------------------------------------------------------------------------------
    def _cell(self, cells: Sequence[Any], index: int) -> Any:
        value = cells[index] if index < len(cells) else None
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                return None
        mapping = self.values.get(index)
        if mapping is not None and value is not None:
            replaced = mapping.get(fold(_text(value)))
            if replaced is not None:
                return replaced or None
        return value

    def _convert(self, index: int, target: str, raw: Any, cells: Sequence[Any]) -> Any:
        if raw is None:
            return None
        kind = _field_kind(target)
        if kind == "date" or index in self.dates:
            return _date(raw, self.dates.get(index, _DEFAULT_DATE_FORMATS))
        if kind in ("count", "number"):
            return self._number(index, raw, cells, whole=kind == "count")
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, (dt.date, dt.datetime)):
            return iso_date(raw)
        return raw if isinstance(raw, str) else str(raw)

    def _number(self, index: int, raw: Any, cells: Sequence[Any], *, whole: bool) -> Any:
        if isinstance(raw, str):
            key = raw.lower()
            meaning = self.profile.markers.get(key)
            if meaning is None and key in NOT_APPLICABLE:
                meaning = "not applicable"
            if meaning is None and key in MARKERS:
                meaning = "suppressed"
            if meaning == "not applicable":
                return None
            if meaning == "suppressed":
                return Interval.suppressed(raw, lo=0 if whole else -math.inf)
            if isinstance(meaning, tuple):
                lo, hi = meaning
                return Interval(lo, hi, f"{raw} ({_num(lo)} to {_num(hi)})")
            number = _number_text(raw)
            if number is None:
                return raw  # left as written: the record reader reports it (I101)
            raw = number
        if isinstance(raw, bool) or not is_number(raw):
            return Invalid(_text(raw), "a number")
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        return self._rounded(index, raw, cells)

    def _rounded(self, index: int, value: float, cells: Sequence[Any]) -> Any:
        lo = hi = None
        step_used = None
        for rule, when in self.rounding.get(index, ()):
            if when is not None and fold(_text(self._cell(cells, when) or "")) not in rule.when_values:
                continue
            if rule.above is not None and value + rule.step / 2 <= rule.above:
                continue
            half = rule.step / 2
            lo = value - half if lo is None else min(lo, value - half)
            hi = value + half if hi is None else max(hi, value + half)
            step_used = rule.step if step_used is None else max(step_used, rule.step)
        if lo is None:
            return value
        if lo < 0 <= value:
            lo = 0  # a count rounded to 0 or 10 is never below zero
        return Interval(lo, hi, f"{_num(value)} (nearest {_num(step_used)})")

    def _fill(self, compiled: list[Any], cells: Sequence[Any], *, slug: bool) -> str:
        pieces = []
        for part in compiled:
            if isinstance(part, str):
                pieces.append(part)
                continue
            text = ""
            for how, what in part:
                text = what if how == "capture" else _text(self._cell(cells, what) or "")
                if text:
                    break
            if not text and not slug:
                return ""  # a field built from cells is set only when every cell it names has a value
            pieces.append(_slug(text) if slug else text)
        joined = "".join(pieces)
        return joined.strip("-") if slug else joined.strip()

    def _framework(self, cells: Sequence[Any], out: Mapping[str, Any]) -> str | None:
        p = self.profile
        if self.framework_index is not None:
            value = self._cell(cells, self.framework_index)
            if value is not None:
                found = p.framework_values.get(fold(_text(value)))
                if found:
                    return found
        if p.framework_dated:
            day = _record_day(out)
            if day is not None:
                for case in p.framework_dated:
                    if (case.start is None or case.start <= day) and (case.end is None or day <= case.end):
                        return case.framework
        return p.framework

    def _no_framework(self, cells: Sequence[Any]) -> str:
        p = self.profile
        said = []
        if self.framework_index is not None:
            value = self._cell(cells, self.framework_index)
            known = ", ".join(repr(k) for k in p.framework_labels)
            said.append(f"{p.framework_column} is {_text(value)!r}"
                        + (f" (the profile knows {known})" if value else ""))
        if p.framework_dated:
            said.append("no date the profile's dated frameworks cover")
        return f"profile {p.name}: cannot tell which framework applies: {'; '.join(said) or 'no rule for it'}"


def _record_day(out: Mapping[str, Any]) -> dt.date | None:
    for name in DATE_FIELDS:
        value = out.get(name)
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                continue
    return None


def _text(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return iso_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def iso_date(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    return value.isoformat()


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


def _num(x: float) -> str:
    if isinstance(x, float) and math.isfinite(x) and x.is_integer():
        return str(int(x))
    return str(x)


def _number_text(raw: str) -> int | float | None:
    number = number_from_text(raw)
    return number if number is None or math.isfinite(number) else None


def _date(raw: Any, formats: Sequence[str]) -> Any:
    """
    ISO text for a date written in one of *formats* (or a spreadsheet date), else Invalid saying what was expected.
    """
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = _text(raw)
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    shown = " or ".join(f.replace("%d", "dd").replace("%m", "mm").replace("%Y", "yyyy").replace("%y", "yy")
                        .replace("%H", "HH").replace("%M", "MM").replace("%S", "SS") for f in formats)
    return Invalid(text, f"a date written {shown}")


def _add(a: Any, b: Any) -> Any:
    """Two columns feeding one field: their sum, an interval when either is one, Invalid when either is."""
    if isinstance(a, Invalid) or isinstance(b, Invalid):
        shown = " + ".join(str(x.raw if isinstance(x, Invalid) else _show(x)) for x in (a, b))
        return Invalid(shown, "numbers that can be added up")
    if is_number(a) and is_number(b):
        return a + b
    alo, ahi = (a, a) if is_number(a) else (a.lo, a.hi)
    blo, bhi = (b, b) if is_number(b) else (b.lo, b.hi)
    return Interval(alo + blo, ahi + bhi, f"{_show(a)} + {_show(b)}")


def _show(value: Any) -> str:
    return value.text if isinstance(value, Interval) else _num(value)


# --- sets of profiles and choosing one ---------------------------------------------------------------


@frozen
class ProfileSet:
    """The profiles in force; one may be forced (``--profile``), else each file's header picks one."""

    profiles: tuple[Profile, ...]
    forced: Profile | None = None

    def get(self, name: str) -> Profile:
        """The profile called *name*.

        Raises:
            KeyError: no profile has that name.
        """
        for profile in self.profiles:
            if profile.name == name:
                return profile
        raise KeyError(name)

    def force(self, name_or_path: str) -> ProfileSet:
        """This set with one profile forced on every file: a profile name, or a TOML file holding one profile.

        Raises:
            RuleFileError: the path is a bad profile file, or holds more than one profile.
            KeyError: no profile has that name and no such file exists.
        """
        path = Path(name_or_path)
        if name_or_path.endswith(".toml") or path.is_file():
            extra = load_profiles([path], builtin=False)
            if len(extra.profiles) != 1:
                names = ", ".join(p.name for p in extra.profiles)
                raise RuleFileError([Problem(str(path), "file", None,
                                             f"--profile needs a file with exactly one profile; this one has {names}")])
            return ProfileSet(self.profiles + extra.profiles, extra.profiles[0])
        return ProfileSet(self.profiles, self.get(name_or_path))

    def choose(self, header: Sequence[str]) -> tuple[Binding | None, str | None]:
        """
        The binding for a file with this header: (binding, None); (None, None) for gradecheck's own format;
        (None, why) when no profile fits.
        """
        if self.forced is not None:
            bound = self.forced.bind(header)
            if isinstance(bound, str):
                return None, f"profile {self.forced.name} does not fit this file: {bound}"
            return bound, None
        folded = {fold(h) for h in header}
        if {"id", "framework"} <= folded:
            return None, None
        candidates = []
        for profile in self.profiles:
            bound = profile.bind(header)
            if isinstance(bound, Binding):
                candidates.append((-len(profile.match), -len(bound.plan), profile.name, bound))
        if candidates:
            return min(candidates, key=lambda c: c[:3])[3], None
        shown = ", ".join(h for h in header if h)
        if len(shown) > 300:
            shown = shown[:300] + "..."
        return None, (f"no profile matches this header ({shown}); it is neither gradecheck's own format "
                      "(columns id and framework) nor a published layout gradecheck knows. Name one with "
                      "--profile, or write a profile for it (README: 'Real published files and profiles')")


def builtin_profiles_dir() -> Path:
    """The profile files shipped with gradecheck (``rules/profiles``)."""
    from ..ruleset import builtin_rules_dir

    return builtin_rules_dir() / "profiles"


_DEFAULT: list[ProfileSet] = []


def default_profiles() -> ProfileSet:
    """The built-in profiles, loaded once per process."""
    if not _DEFAULT:
        _DEFAULT.append(load_profiles())
    return _DEFAULT[0]


def load_profiles(paths: Iterable[str | Path] = (), *, builtin: bool = True, ruleset: Any = None) -> ProfileSet:
    """
    Load the built-in profiles (unless *builtin* is false), then *paths* (files or directories).

    With a *ruleset*, every field a profile fills and every framework it names is checked against it.

    Raises:
        RuleFileError: listing every problem in every file.
    """
    from ..ruleset import toml_files

    files: list[Path] = []
    if builtin:
        directory = builtin_profiles_dir()
        files += sorted(directory.glob("*.toml")) if directory.is_dir() else []
    given, problems = toml_files(list(paths), "profile")
    files += given
    loader = _Loader(problems, ruleset)
    profiles: dict[str, Profile] = {}
    for path in files:
        for profile in loader.file(path):
            if profile.name in profiles:
                loader.problem(path, f"profile {profile.name!r}", "name",
                               f"defined twice (also in {profiles[profile.name].path})")
                continue
            profiles[profile.name] = profile
    if problems:
        raise RuleFileError(problems)
    return ProfileSet(tuple(sorted(profiles.values(), key=lambda p: p.name)))


# --- loading and validating ------------------------------------------------------------------------

_KEYS = {
    "name": True, "title": True, "source": True, "note": False, "match": True, "columns": False,
    "framework": True, "dates": False, "values": False, "markers": False, "rounding": False, "set": False,
}
_FRAMEWORK_KEYS = {"column", "values", "dated", "default"}
_ROUNDING_KEYS = {"step", "columns", "when", "above"}


class _Loader:
    def __init__(self, problems: list[Problem], ruleset: Any) -> None:
        self.problems = problems
        self.ruleset = ruleset

    def problem(self, path: Path, where: str, key: str | None, reason: str) -> None:
        self.problems.append(Problem(str(path), where, key, reason))

    def file(self, path: Path) -> list[Profile]:
        try:
            size = path.stat().st_size
            if size > _MAX_FILE_BYTES:
                self.problem(path, "file", None,
                             f"{size} bytes is too large for a profile file (limit {_MAX_FILE_BYTES})")
                return []
            doc = tomllib.loads(path.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError) as err:
            self.problem(path, "file", None, f"cannot read: {err}")
            return []
        except tomllib.TOMLDecodeError as err:
            self.problem(path, "file", None, f"not valid TOML: {err}")
            return []
        except RecursionError:
            self.problem(path, "file", None, "not valid TOML: nested too deeply")
            return []
        for key in sorted(set(doc) - {"profile"}):
            self.problem(path, "file", key, "unknown top-level key; expected [[profile]] tables")
        tables = doc.get("profile", [])
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            self.problem(path, "file", "profile", "expected an array of tables: write [[profile]]")
            return []
        out = []
        for i, table in enumerate(tables):
            name = table.get("name")
            where = f"profile[{i}] {name!r}" if isinstance(name, str) else f"profile[{i}]"
            before = len(self.problems)
            profile = self.profile(table, path, where)
            if profile is not None and len(self.problems) == before:
                out.append(profile)
        return out

    def profile(self, t: Mapping[str, Any], path: Path, where: str) -> Profile | None:
        p = lambda key, reason: self.problem(path, where, key, reason)  # noqa: E731
        for key in sorted(set(t) - set(_KEYS)):
            p(key, f"unknown key; expected one of {', '.join(sorted(_KEYS))}")
        for key, required in _KEYS.items():
            if required and key not in t:
                p(key, "required key is missing")
        for key in ("name", "title", "source", "note"):
            if key in t and not (isinstance(t[key], str) and t[key].strip()):
                p(key, f"expected non-empty text, found {t[key]!r}")
        if isinstance(t.get("name"), str) and not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", t["name"]):
            p("name", f"expected a lower-case name of letters, digits, '-', '_' or '.', found {t['name']!r}")
        match = self.text_list(t.get("match", []), path, where, "match")
        columns = self.columns(t["columns"], path, where) if "columns" in t else []
        framework = self.framework(t.get("framework"), path, where) if "framework" in t else (None, None, {}, ())
        dates = self.dates(t.get("dates", {}), path, where)
        values = self.values(t.get("values", {}), path, where)
        markers = self.markers(t.get("markers", {}), path, where)
        rounding = self.rounding(t.get("rounding", []), path, where)
        templates = self.templates(t.get("set", {}), path, where)
        if isinstance(templates, dict) and "id" not in templates and "id" not in {f for _, f in columns}:
            p("set", "no id: give id = \"{Column}-{Other column}\" in [profile.set], or map a column to id")
        fixed, column, mapping, dated = framework
        labels = tuple(t["framework"].get("values", {})) if isinstance(t.get("framework"), dict) else ()
        if "framework" in {f for _, f in columns} or "framework" in templates:
            p("columns", "the framework comes from the 'framework' key, not from a column or template")
        if any(isinstance(x, type(None)) for x in (t.get("name"), t.get("title"), t.get("source"))):
            return None
        return Profile(
            name=t["name"], title=t["title"], source=t["source"], path=str(path), note=t.get("note", ""),
            match=tuple(_Pattern.parse(m) for m in match), columns=tuple(columns),
            framework=fixed, framework_column=column, framework_values=mapping, framework_dated=dated,
            dates=tuple(dates), values=tuple(values), markers=markers, rounding=tuple(rounding), templates=templates,
            framework_labels=labels,
        )

    def text_list(self, value: Any, path: Path, where: str, key: str) -> list[str]:
        if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
            return value
        self.problem(path, where, key, f"expected a non-empty list of column names, found {value!r}")
        return []

    def target(self, name: Any, path: Path, where: str, key: str) -> bool:
        if not isinstance(name, str) or _field_kind(name) is None:
            fields = ", ".join(sorted(TEXT_FIELDS | set(DATE_FIELDS)))
            self.problem(path, where, key, f"{name!r} is not a record field; expected one of {fields} "
                                           "or GROUP.NAME with GROUP one of " + ", ".join(GROUPS))
            return False
        if name in ("framework",):
            return True
        rs = self.ruleset
        if rs is not None:
            canonical = rs.field_aliases.get(name, name)
            group, _, member = canonical.partition(".")
            if group == "populations" and member not in rs.populations:
                self.problem(path, where, key, f"{name!r}: no population {member!r} in rules/fields.toml")
                return False
            if group == "judgements" and not any(member in f.judgements or member in f.judgement_aliases
                                                 for f in rs.frameworks.values()):
                self.problem(path, where, key, f"{name!r}: no framework makes a judgement {member!r}")
                return False
        return True

    def columns(self, value: Any, path: Path, where: str) -> list[tuple[_Pattern, str]]:
        if not isinstance(value, dict) or not value:
            self.problem(path, where, "columns", "expected a table of \"Column name\" = \"record.field\"")
            return []
        out = []
        for column, target in value.items():
            if self.target(target, path, where, f"columns.{column}"):
                out.append((_Pattern.parse(column), target))
        return out

    def framework(self, value: Any, path: Path,
                  where: str) -> tuple[str | None, str | None, dict[str, str], tuple[_Dated, ...]]:
        empty: tuple[str | None, str | None, dict[str, str], tuple[_Dated, ...]] = (None, None, {}, ())
        if isinstance(value, str):
            return (value, None, {}, ()) if self.known_framework(value, path, where, "framework") else empty
        if not isinstance(value, dict):
            self.problem(path, where, "framework",
                         f"expected a framework id or a table (column, values, dated, default), found {value!r}")
            return empty
        for key in sorted(set(value) - _FRAMEWORK_KEYS):
            self.problem(path, where, f"framework.{key}",
                         f"unknown key; expected one of {', '.join(sorted(_FRAMEWORK_KEYS))}")
        column = value.get("column")
        if column is not None and not (isinstance(column, str) and column.strip()):
            self.problem(path, where, "framework.column", f"expected a column name, found {column!r}")
            column = None
        mapping: dict[str, str] = {}
        raw_values = value.get("values", {})
        if not isinstance(raw_values, dict) or (column is None and raw_values):
            self.problem(path, where, "framework.values",
                         "expected a table of \"cell value\" = \"framework id\", with 'column'")
        else:
            for cell, fid in raw_values.items():
                if self.known_framework(fid, path, where, f"framework.values.{cell}"):
                    mapping[fold(cell)] = fid
        dated = []
        raw_dated = value.get("dated", [])
        if not isinstance(raw_dated, list) or not all(isinstance(d, dict) for d in raw_dated):
            self.problem(path, where, "framework.dated",
                         "expected a list of {from = DATE, to = DATE, framework = \"id\"}")
            raw_dated = []
        for j, case in enumerate(raw_dated):
            key = f"framework.dated[{j}]"
            extra = sorted(set(case) - {"from", "to", "framework"})
            if extra:
                self.problem(path, where, key, f"unknown key(s) {', '.join(extra)}; expected from, to, framework")
            start, end = case.get("from"), case.get("to")
            bad = [k for k, d in (("from", start), ("to", end))
                   if d is not None and (not isinstance(d, dt.date) or isinstance(d, dt.datetime))]
            if bad:
                self.problem(path, where, key, f"{', '.join(bad)}: expected a date like 2018-01-01")
                continue
            if self.known_framework(case.get("framework"), path, where, f"{key}.framework"):
                dated.append(_Dated(case["framework"], start, end))
        default = value.get("default")
        if default is not None and not self.known_framework(default, path, where, "framework.default"):
            default = None
        if column is None and not dated and default is None:
            self.problem(path, where, "framework", "give a column with values, dated cases, or a default")
        return default, column, mapping, tuple(dated)

    def known_framework(self, fid: Any, path: Path, where: str, key: str) -> bool:
        if not isinstance(fid, str) or not fid.strip():
            self.problem(path, where, key, f"expected a framework id, found {fid!r}")
            return False
        if self.ruleset is not None and fid not in self.ruleset.frameworks:
            self.problem(path, where, key,
                         f"unknown framework {fid!r}; expected one of {', '.join(sorted(self.ruleset.frameworks))}")
            return False
        return True

    def dates(self, value: Any, path: Path, where: str) -> list[tuple[_Pattern, tuple[str, ...]]]:
        if not isinstance(value, dict):
            self.problem(path, where, "dates", "expected a table of \"Column\" = \"%d/%m/%Y\" (or a list of formats)")
            return []
        out = []
        for column, formats in value.items():
            formats = [formats] if isinstance(formats, str) else formats
            if (not isinstance(formats, list) or not formats
                    or not all(isinstance(f, str) and "%" in f for f in formats)):
                self.problem(path, where, f"dates.{column}",
                             f"expected a strptime format such as '%d/%m/%y' or a list of them, found {formats!r}")
                continue
            bad = [f for f in formats if not _format_ok(f)]
            if bad:
                self.problem(path, where, f"dates.{column}",
                             f"format(s) {', '.join(map(repr, bad))} use directives other than "
                             "%d %m %y %Y %b %B %H %M %S")
                continue
            out.append((_Pattern.parse(column), tuple(formats)))
        return out

    def values(self, value: Any, path: Path, where: str) -> list[tuple[_Pattern, dict[str, str]]]:
        if not isinstance(value, dict):
            self.problem(path, where, "values", "expected a table of \"Column\" = {\"as written\" = \"as read\"}")
            return []
        out = []
        for column, mapping in value.items():
            if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
                self.problem(path, where, f"values.{column}",
                             "expected a table of \"as written\" = \"as read\" (\"\" for no value)")
                continue
            out.append((_Pattern.parse(column), {fold(k): v for k, v in mapping.items()}))
        return out

    def markers(self, value: Any, path: Path, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problem(path, where, "markers",
                         "expected a table of marker = \"suppressed\" | \"not applicable\" | {min, max}")
            return {}
        out: dict[str, Any] = {}
        for marker, meaning in value.items():
            key = f"markers.{marker}"
            if isinstance(meaning, str) and meaning in _MARKER_MEANINGS:
                out[marker.lower()] = meaning
            elif (isinstance(meaning, dict) and set(meaning) == {"min", "max"}
                    and all(is_number(meaning[k]) and math.isfinite(meaning[k]) for k in meaning)
                    and meaning["min"] <= meaning["max"]):
                out[marker.lower()] = (meaning["min"], meaning["max"])
            else:
                self.problem(path, where, key, "expected \"suppressed\", \"not applicable\" or "
                                               f"{{min = LOW, max = HIGH}}, found {meaning!r}")
        return out

    def rounding(self, value: Any, path: Path, where: str) -> list[_Rounding]:
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            self.problem(path, where, "rounding", "expected [[profile.rounding]] tables")
            return []
        out = []
        for j, r in enumerate(value):
            key = f"rounding[{j}]"
            ok = True
            for extra in sorted(set(r) - _ROUNDING_KEYS):
                self.problem(path, where, f"{key}.{extra}",
                             f"unknown key; expected one of {', '.join(sorted(_ROUNDING_KEYS))}")
                ok = False
            step = r.get("step")
            if not (is_number(step) and math.isfinite(step) and step > 0):
                self.problem(path, where, f"{key}.step",
                             f"expected a positive number (10 for 'nearest 10'), found {step!r}")
                ok = False
            above = r.get("above")
            if above is not None and not (is_number(above) and math.isfinite(above)):
                self.problem(path, where, f"{key}.above", f"expected a number, found {above!r}")
                ok = False
            columns = r.get("columns", [])
            if not isinstance(columns, list) or not all(isinstance(c, str) and c.strip() for c in columns):
                self.problem(path, where, f"{key}.columns", f"expected a list of column names, found {columns!r}")
                ok = False
            when = r.get("when")
            when_column, when_values = None, frozenset()
            if when is not None:
                if (not isinstance(when, dict) or set(when) != {"column", "values"}
                        or not isinstance(when["column"], str) or not isinstance(when["values"], list)
                        or not all(isinstance(v, str) for v in when["values"])):
                    self.problem(path, where, f"{key}.when",
                                 "expected {column = \"Column\", values = [\"as written\", ...]}")
                    ok = False
                else:
                    when_column, when_values = when["column"], frozenset(fold(v) for v in when["values"])
            if ok:
                out.append(_Rounding(step, tuple(_Pattern.parse(c) for c in columns), when_column, when_values, above))
        return out

    def templates(self, value: Any, path: Path, where: str) -> dict[str, _Template]:
        if not isinstance(value, dict):
            self.problem(path, where, "set", "expected a table of field = \"template with {Column} references\"")
            return {}
        out = {}
        for target, text in value.items():
            key = f"set.{target}"
            if not isinstance(text, str) or not text.strip():
                self.problem(path, where, key, f"expected a template text, found {text!r}")
                continue
            if not self.target(target, path, where, key):
                continue
            template = _Template.parse(text)
            if isinstance(template, str):
                self.problem(path, where, key, template)
                continue
            out[target] = template
        return out


def _format_ok(fmt: str) -> bool:
    return all(d in "dmyYbBHMS%" for d in re.findall(r"%(.)", fmt))
