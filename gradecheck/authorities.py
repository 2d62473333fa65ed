"""
Who an authority is: the register of English children's-services authorities, and resolving a name or code to one.

Published files name the same council a dozen ways ("Bristol, City of", "bristol", "St. Helens", "Telford &
Wrekin", an ONS code, a DfE LA number, an Ofsted URN), and codes change when councils are reorganised. Every
comparison across sources needs one identity underneath, so resolving is strict: one authority, or a clear
"no match" naming the closest, never a guess. The register is data (gradecheck/data/authorities.toml, with
its sources); users add to it or override an entry with files of the same shape.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import functools
import os
import re
import sys
import threading
import tomllib
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, compress, count, islice, repeat
from operator import eq, is_, is_not, not_
from pathlib import Path
from typing import Any
from zlib import crc32

from attrs import field, frozen

from .errors import Problem, RuleFileError
from .tomltext import Kept, Written, kept_entries, plain_document, written_entries

__all__ = [
    "Authority",
    "Code",
    "Identity",
    "NoMatch",
    "Register",
    "Reorganisation",
    "Resolved",
    "active_register",
    "builtin_register_path",
    "default_register",
    "label_ident",
    "label_key",
    "label_parts",
    "load_register",
    "normalise_name",
    "use_register",
]

_GSS = re.compile(r"^[EWSN]\d{8}$")
_LA_NUMBER = re.compile(r"^\d{3}$")
_URN = re.compile(r"^\d{4,8}$")
# Words that say what kind of council, not which: "Liverpool City Council", "London Borough of Barnet".
_PREFIXES = ("london borough of ", "royal borough of ", "city and county of ", "the ")
_SUFFIXES = (" metropolitan borough council", " borough council", " county council", " city council",
             " district council", " council", ", city of", ", county of")


_PLAIN = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
_DASHES = re.compile(r"[-/]")
_PUNCTUATION = re.compile(r"[^\w\s]")


@functools.lru_cache(maxsize=4096)
def normalise_name(text: str) -> str:
    """
    The key two spellings of one name share: case, spacing and punctuation folded, "&" read as "and",
    "Saint" and "St." as "st", and the kind of council ("City Council", ", City of") dropped.
    """
    return _key_of(text)


def _key_of(text: str) -> str:
    """normalise_name, not cached: a register's names are each normalised once, too many for the cache to help."""
    low = text.lower()
    if _PLAIN.fullmatch(low) and not low.endswith(_SUFFIXES) and not low.startswith(_PREFIXES) and "saint" not in low:
        return low  # words of letters and digits, one space apart, no council words: _normalise would not change it
    return _normalise(low)


# A name in lower case that _key_of returns as it is: _PLAIN's words, and none of the council words _normalise drops.
_UNCHANGED = re.compile("(?!" + "|".join(map(re.escape, _PREFIXES)) + r")(?!.*saint)" + _PLAIN.pattern
                        + "".join(f"(?<!{re.escape(suffix)})" for suffix in _SUFFIXES))


def _keys_of(names: list[str]) -> list[str]:
    """
    [_key_of(name) for name in names], for a register's names: lowered in one call (lower case is per character,
    and a newline is neither cased nor case-ignorable, so no name's casing sees its neighbour's).
    """
    joined = "\n".join(names)
    lowered = joined.lower().split("\n") if names and joined.count("\n") == len(names) - 1 else None
    if lowered is None or len(lowered) != len(names):
        return [_key_of(name) for name in names]
    unchanged = _UNCHANGED.fullmatch
    return [low if unchanged(low) else _normalise(low) for low in lowered]


def _normalise(low: str) -> str:
    """normalise_name's folding of a name in lower case (tests/test_authorities.py checks the shortcut against it)."""
    s = " ".join(low.replace("\u2019", "'").split())
    for suffix in _SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
    for prefix in _PREFIXES:
        if s.startswith(prefix) and len(s) > len(prefix):
            s = s[len(prefix):]
    s = s.replace("&", " and ")
    s = _DASHES.sub(" ", s)
    s = _PUNCTUATION.sub("", s)
    words = ["st" if w == "saint" else w for w in s.split()]
    return " ".join(words)


@frozen
class Code:
    """A GSS code and the days it held (both ends inclusive; None: open)."""

    code: str
    start: dt.date | None = None
    end: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        """Whether the code held on *day*."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@frozen
class Authority:
    """
    One children's-services authority (or, with level "country" or "region", an area DfE tables report on).

    An authority that kept its area and LA number through a reorganisation stays one authority with two
    codes (North Yorkshire, Somerset, Buckinghamshire); one whose area or number changed is a new one
    (Dorset Council is not Dorset County Council).
    """

    id: str
    name: str
    level: str = "authority"
    la_number: int | None = None
    urn: int | None = None
    region: str = ""
    codes: tuple[Code, ...] = field(converter=tuple, default=())
    spellings: tuple[str, ...] = field(converter=tuple, default=())
    start: dt.date | None = None
    end: dt.date | None = None
    note: str = ""
    source: str = ""

    def exists_on(self, day: dt.date) -> bool:
        """Whether the authority existed on *day*."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def code_on(self, day: dt.date | None = None) -> str | None:
        """The GSS code on *day* (the latest code without a day); None where it had none."""
        if day is not None:
            for code in self.codes:
                if code.covers(day):
                    return code.code
            return None
        return self.codes[-1].code if self.codes else None

    @property
    def code(self) -> str | None:
        """The authority's latest GSS code."""
        return self.code_on(None)

    @property
    def kind(self) -> str:
        """What kind of council its latest code says it is."""
        return _KINDS.get((self.code or "")[:3], self.level)

    def names(self) -> tuple[str, ...]:
        """Its name and every spelling the register knows."""
        return (self.name, *self.spellings)


_KINDS = {"E06": "unitary authority", "E08": "metropolitan district", "E09": "London borough", "E10": "county",
          "E12": "region", "E92": "country"}


@frozen
class Reorganisation:
    """A structural change: when, by which order, who ended and who followed."""

    id: str
    date: dt.date
    title: str
    url: str
    predecessors: tuple[str, ...] = field(converter=tuple)
    successors: tuple[str, ...] = field(converter=tuple)
    reference: str = ""
    publisher: str = ""
    note: str = ""


@frozen
class Resolved:
    """
    A key resolved to one authority.

    *current* is false when the key belonged to the authority but not on the day asked about (a code used
    after it changed, a name for a council that had ended): the identity is certain, the key is out of date,
    and *note* says so.
    """

    authority: Authority
    key: str
    by: str
    current: bool = True
    note: str = ""

    def __bool__(self) -> bool:
        return True


@frozen
class NoMatch:
    """No authority has this key: the closest names, for a message a person can act on."""

    key: str
    by: str
    closest: tuple[str, ...] = field(converter=tuple, default=())
    note: str = ""

    def __bool__(self) -> bool:
        return False

    @property
    def message(self) -> str:
        """One line: what was asked, and what is close."""
        what = {"code": "GSS code", "la_number": "LA number", "urn": "Ofsted URN"}.get(self.by, "name")
        text = f"no authority has the {what} {self.key!r}"
        if self.note:
            text += f" ({self.note})"
        if self.closest:
            text += "; closest: " + ", ".join(self.closest)
        return text


@frozen
class Identity:
    """
    Who a record is about, as its name and code fields say on its day: the authority (None where neither
    resolves), and how each field resolved (None: not given, or a code of no shape the register reads).

    *conflict* is true when the name and the code resolve to different authorities (rule A101); which
    of the two the record means follows :meth:`Register.resolve_record`.
    """

    authority: Authority | None
    by_name: Resolved | NoMatch | None
    by_code: Resolved | NoMatch | None
    code: str | None  # the authority's GSS code on the day (its latest without a day); else the code as given
    #: What a finding names: (the register's name, else the name as given; the code; the register id or None), or
    #: a plain entry, its own label (see label_parts).
    label: Any = (None, None, None)
    #: For pass forms: 0 the record is placed, 1 its name and code are two authorities (A101), 2 one of them is
    #: no authority (A102). Never both: a conflict needs both to resolve.
    status: int = 0

    @property
    def conflict(self) -> bool:
        return bool(self.by_name) and bool(self.by_code) and \
            self.by_name.authority != self.by_code.authority  # type: ignore[union-attr]

    @property
    def name(self) -> str | None:
        """The register's name for the authority; None where the record resolves to none."""
        return self.authority.name if self.authority is not None else None


_NOTHING = object()  # no name or code is this, so the last answer kept at hand matches nothing at first
_NOBODY = (None, None, None)  # the label of a row that names no authority
_NOT_PLAIN = object()  # an entry's answer where it is not plain (see Register._plainly)

#: An authority as a register file's plain entries give it (an id, a name and one undated code, in an [[authority]]
#: table), kept as one string, ``"name\0code\0id"``, its file kept beside it (see _Entries). It stands for
#: ``Authority(id, name, codes=(Code(code),), source=its file)``, and it is its own label (see label_parts): kept as
#: a tuple of three strings, with the indexes' own strings for its name and code, such an entry took 320 bytes,
#: 44 MB of a register of 138,000 made-up authorities, in every process of a run.
Plain = str
_SEP = "\0"  # no name, code or id of a plain entry holds it (see _packed)


def _packed(name: str, code: str, ident: str) -> str | None:
    """The plain entry of *name*, *code* and *ident*; None where one of them holds _SEP (an Authority keeps them)."""
    entry = _SEP.join((name, code, ident))
    return entry if entry.count(_SEP) == 2 else None


def label_parts(label: Any) -> tuple[str | None, str | None, str | None]:
    """
    A label's name, code and register id (see Register.placed), however it is kept: a plain entry is its own label,
    one string; any other label is a tuple of the three.
    """
    if type(label) is str:
        name, code, ident = label.split(_SEP)
        return name, code, ident
    return label  # type: ignore[no-any-return]


def label_ident(key: str, register: Register) -> str:
    """
    The register id of the entry whose records a :func:`label_key` files (the key itself, where it is an id).

    A key with two _SEP is a plain entry's label, unless it is the id of an Authority that holds them (a register
    file may give any text as an id, "\u0000" too): *register*'s entry of the id says which.
    """
    if key.count(_SEP) != 2:
        return key
    ident = key[key.rindex(_SEP) + 1:]
    return ident if register.key_of(ident) == key else key


def label_key(label: Any) -> str | None:
    """
    What a record of this label is filed under, the same for every record of one register entry: a plain entry's
    label itself (one string already), else the register id (None for a record the register does not know).
    """
    return label if type(label) is str else label[2]  # type: ignore[no-any-return]


class _Entries(Sequence[Authority]):
    """
    A register's authorities in order, each read as an Authority or as a plain entry (see Plain), which becomes
    its Authority the first time it is asked for, and stays that one object (identities are compared with ``is``).
    The plain entry stays in its place too: it is its label, and the register's indexes name it.
    """

    __slots__ = ("_built", "_items", "_numbers", "_packed", "_source", "_sources")

    def __init__(self, items: Iterable[Authority | Plain], sources: str | Sequence[str] = "") -> None:
        """
        *sources* names the file of each plain entry: one file for all of them (a user's one register file), or
        a file per entry, an entry's place in *items* its place here.
        """
        self._items: list[Authority | Plain] = list(items)
        self._built: dict[int, Authority] = {}  # each plain entry made an Authority so far, by the entry's id()
        self._packed: dict[int, str] = {}  # and back: each such Authority's plain entry, by the Authority's id()
        self._numbers: dict[int, int] | None = None  # each entry's place, by its id(), once asked for (see number_of)
        if isinstance(sources, str):
            self._sources: list[str] = [sources]
            self._source: array | None = None  # every plain entry's file is the one
        else:
            files = {path: i for i, path in enumerate(dict.fromkeys(sources))}
            self._sources = list(files)
            self._source = array("I", map(files.__getitem__, sources))

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self._items))))
        item = self._items[i]
        return self.built(item, i) if type(item) is str else item

    def built(self, item: Plain, i: int | None = None) -> Authority:
        """The Authority plain entry *item* (entry *i*, where the caller knows it) stands for, made once."""
        found = self._built.get(id(item))
        if found is None:
            with _BUILDING:  # the columnar engine's threads may ask for one entry at once: one object, not two
                found = self._built.get(id(item))
                if found is None:
                    if self._source is not None and i is None:
                        i = self.number_of(item)
                    source = self._sources[0 if self._source is None else self._source[i]]  # type: ignore[index]
                    found = _built(item, "authority", source)
                    self._packed[id(found)] = item
                    self._built[id(item)] = found
        return found

    def plain(self, authority: Authority) -> Plain | None:
        """The plain entry *authority* was made from (see built), if it was."""
        return self._packed.get(id(authority))

    def __iter__(self) -> Iterator[Authority]:
        return (self[i] for i in range(len(self._items)))

    def number_of(self, item: Authority | Plain) -> int:
        """The place of entry *item* (the object held here), for the rare question that starts from an entry."""
        numbers = self._numbers
        if numbers is None:
            with _INDEXING:
                numbers = self._numbers
                if numbers is None:
                    numbers = self._numbers = {id(held): i for i, held in enumerate(self._items)}
        return numbers[id(item)]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (_Entries, tuple)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


def _built(item: Plain, level: str, source: str) -> Authority:
    """The Authority a plain entry stands for."""
    name, code, ident = item.split(_SEP)
    return Authority(id=ident, name=name, level=level, codes=(Code(code),), source=source)


_BUILDING = threading.Lock()
_INDEXING = threading.Lock()  # a register's index made when first needed (see Register._entry), made once
_BATCH = 4096  # plain entries indexed at once (see Register.__attrs_post_init__)
_RECENT = 1 << 13  # the names whose plain answers Register.labels keeps at hand (a block's authorities, about 3,000)


def _ident(item: Authority | Plain) -> str:
    return item[item.rindex(_SEP) + 1:] if type(item) is str else item.id  # type: ignore[union-attr]


#: An Identity's label and status (see Register.placed).
Placed = tuple[Any, int]


class _Several(tuple):  # type: ignore[type-arg]
    """An index's answer for a key of several entries: their places in Register.authorities, in order."""

    __slots__ = ()


#: An index's answer for a key: the one entry that has it, as a plain entry itself (see Plain) or an Authority's
#: place in Register.authorities; else the places of the entries (_Several).
_Found = Any


@frozen
class Register:
    """The authorities, the areas and the reorganisations, indexed by every key a file may use."""

    authorities: Sequence[Authority] = field(converter=lambda a: a if isinstance(a, _Entries) else _Entries(a))
    reorganisations: tuple[Reorganisation, ...] = field(converter=tuple, default=())
    # Each index gives a key's entries (see _Found). The names and codes of plain entries (nearly every entry of a
    # large register) are held by their CRC-32s in sorted arrays, ``crc << 32 | entry``: as dict keys, with a
    # tuple of three strings an entry, they took 44 MB of a register of 138,000 made-up authorities, and now 18.
    # The dicts hold the Authorities' keys, and any key several entries have (a few, if any).
    _by_code: Mapping[str, _Found] = field(init=False, repr=False, eq=False)
    _by_la: Mapping[int, _Found] = field(init=False, repr=False, eq=False)
    _by_urn: Mapping[int, _Found] = field(init=False, repr=False, eq=False)
    #: Every entry's name keys (see normalise_name) and codes, as CRCs (see _gathered).
    _by_name: array = field(init=False, repr=False, eq=False)
    _codes_at: array = field(init=False, repr=False, eq=False)
    #: Each name and spelling as the register writes it: most records write it so, and need no normalising. A plain
    #: entry's name, where no other entry has its key, is in _texts_at; any other, with its key's entries, here.
    _by_text: Mapping[str, _Found] = field(init=False, repr=False, eq=False)
    _texts_at: array = field(init=False, repr=False, eq=False)
    _by_id: Mapping[str, int] = field(init=False, repr=False, eq=False)  # the ids of entries read as Authorities
    _by_any_id: Mapping[str, int] | None = field(init=False, repr=False, eq=False)  # every entry's: see _entry
    _identities: dict[tuple[str | None, str | None, int], Identity] = field(init=False, repr=False, eq=False)
    _placed: dict[tuple[str | None, str | None, int], Placed] = field(init=False, repr=False, eq=False)
    #: Per Authority entry, its label for its own name and code when it is plain (see _plainly), worked out once: a
    #: plain entry is its own.
    _answers: dict[int, Any] = field(init=False, repr=False, eq=False)
    #: A number of this register alone, made when it is: entries numbered in one (see numbered) are only ever read
    #: against it, in the process that made it or one forked from that.
    token: int = field(init=False, repr=False, eq=False)
    #: placed()'s last answer, as one tuple in a one-item list: (name, code, day, (label, status), for any day). The
    #: engine's fold reads a record's label here when placed() has just given it (the A rules' pass form asks first):
    #: a call to ask again cost more than the answer (4% of a large file's time, see engine/run.py).
    last_placed: list[Any] = field(init=False, repr=False, eq=False)
    _recent: dict[str | None, tuple[str | None, Any]] = field(init=False, repr=False, eq=False)  # see labels
    _spans: dict[tuple[str | None, str | None], tuple[dt.date, ...]] = field(init=False, repr=False, eq=False)
    _suggested: dict[str, tuple[str, ...]] = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        # The indexes name entries by number, so that an entry read as plain (see Plain) becomes an Authority only if
        # something asks for it: most of a large register is only ever looked up by name and code, which the plain
        # entry answers (_plainly). Building an Authority and its Code for each of 138,000 made-up authorities was
        # a third of the register's time, and a third of its memory.
        items = self.authorities._items  # type: ignore[attr-defined]
        if len(items) > _ENTRY_MASK:
            raise ValueError("more authorities than a register can index")
        by_la: dict[int, _Found] = {}
        by_urn: dict[int, _Found] = {}
        names: dict[str, str] = {}  # each Authority's names as written → their keys
        codes: set[str] = set()  # and their codes
        key_crcs, code_crcs, text_crcs = array("Q"), array("Q"), array("Q")  # a row each plain entry
        # The Authorities' rows, each once (an Authority's spellings may share a key): a few hundred.
        authority_keys: set[int] = set()
        authority_codes: set[int] = set()

        def add(index: dict[Any, _Found], key: Any, i: int) -> None:
            found = index.get(key)
            if found is None:
                index[key] = i
            elif not any(items[j] == items[i] for j in _places(found)):  # an equal entry twice is one authority
                index[key] = _Several((*_places(found), i))

        kinds = list(map(type, items))
        plain = list(compress(count(), map(is_, kinds, repeat(str))))
        for i in compress(count(), map(is_not, kinds, repeat(str))):
            item = items[i]
            for c in item.codes:
                code = c.code if c.code.isupper() else c.code.upper()  # no copy of an upper-case one
                codes.add(code)
                authority_codes.update(_crcs([code], [i]))
            if item.la_number is not None:
                add(by_la, item.la_number, i)
            if item.urn is not None:
                add(by_urn, item.urn, i)
            for name in item.names():
                key = names[name] = _key_of(name)
                authority_keys.update(_crcs([key], [i]))
        del kinds
        # Plain entries a batch at a time: their names, codes and keys live only while the batch is indexed.
        for lo in range(0, len(plain), _BATCH):
            numbers = plain[lo:lo + _BATCH]
            parts = [items[i].split(_SEP) for i in numbers]
            written = [part[0] for part in parts]
            keys = _keys_of(written)
            code_crcs.extend(_crcs([part[1] for part in parts], numbers))
            key_crcs.extend(_crcs(keys, numbers))
            text_crcs.extend(_crcs(written, numbers))
        freeze = object.__setattr__
        freeze(self, "_by_name", _sorted(key_crcs, authority_keys))
        freeze(self, "_codes_at", _sorted(code_crcs, authority_codes))
        del key_crcs, code_crcs
        # A plain entry's name is answered from _texts_at only where its key is the entry's alone (nearly always):
        # else, as an Authority's names are, from _by_text, with all its key's entries.
        shared = set(_shared(self._by_name, items, _names_of, _key_of))  # entries whose key another entry has
        by_text: dict[str, _Found] = {}
        if shared:
            for i in shared:
                if type(items[i]) is str:
                    name = _names_of(items[i])[0]
                    by_text[name] = self._named(_key_of(name))
            text_crcs = array("Q", compress(text_crcs, map(not_, map(shared.__contains__,
                                                                     map(_ENTRY_MASK.__and__, text_crcs)))))
        freeze(self, "_texts_at", _sorted(text_crcs, ()))
        del text_crcs
        by_text.update((name, self._named(key)) for name, key in names.items())
        freeze(self, "_by_text", by_text)
        # The codes the Authorities have, and any code several entries have, are answered from _by_code.
        codes.update(_codes_of(items[i])[0] for i in _shared(self._codes_at, items, _codes_of, None))
        freeze(self, "_by_code", {code: self._coded(code) for code in codes})
        freeze(self, "_by_la", by_la)
        freeze(self, "_by_urn", by_urn)
        # The ids of plain entries are rarely asked for (a reorganisation names authorities read as Authorities):
        # their index is made when first needed (see _entry). At a million records (138,000 made-up authorities) it
        # was 8.3 MB of the run's peak.
        freeze(self, "_by_id", {item.id: i for i, item in enumerate(items) if type(item) is not str})
        freeze(self, "_by_any_id", None)
        freeze(self, "_identities", {})
        freeze(self, "_placed", {})
        freeze(self, "_answers", {})
        freeze(self, "token", int.from_bytes(os.urandom(8), "little"))
        freeze(self, "last_placed", [(_NOTHING, _NOTHING, None, None, False)])
        freeze(self, "_recent", {})
        freeze(self, "_spans", {})
        freeze(self, "_suggested", {})

    def _text(self, name: str) -> _Found | None:
        """The entries *name*, as written, names (its key's: see normalise_name); None for none."""
        found = self._by_text.get(name)
        rows = self._texts_at
        if found is not None or not rows:
            return found
        # A plain entry's, or none: _gathered inlined (the columnar engine asks for 64,000 names at 200,000 records),
        # the first entry of the name's CRC that has it the one (two plain entries of one name are in _by_text).
        crc = crc32(name.encode("utf-8", "surrogatepass")) << 32
        at, end = bisect.bisect_left(rows, crc), len(rows)
        items, size = self.authorities._items, len(name)  # type: ignore[attr-defined]
        while at < end:
            row = rows[at]
            if row - crc > _ENTRY_MASK:  # past this CRC
                return None
            item = items[row & _ENTRY_MASK]
            if item.startswith(name) and item.find(_SEP) == size:
                return item  # type: ignore[no-any-return]
            at += 1
        return None

    def _code(self, code: str) -> _Found | None:
        """The entries that have had *code* (in upper case); None for none."""
        found = self._by_code.get(code)
        if found is None and self._codes_at:
            found = self._coded(code)
        return found

    def _coded(self, code: str) -> _Found | None:
        """The entries that have had *code*, from _codes_at alone (which holds every entry's codes)."""
        return self._gathered(self._codes_at, code, _codes_of, None)

    def _gathered(self, rows: array, key: str, keys_of: Callable[[Any], Sequence[str]],
                  normal: Callable[[str], str] | None) -> _Found | None:
        """
        The entries of *rows* (an index of CRCs: see _by_name) that have *key* among their keys_of (each made
        *normal*), in order, an equal entry twice held once, as the dicts held them; None for none.
        """
        crc = crc32(key.encode("utf-8", "surrogatepass"))
        at = bisect.bisect_left(rows, crc << 32)
        items = self.authorities._items  # type: ignore[attr-defined]
        found: list[int] = []
        while at < len(rows) and rows[at] >> 32 == crc:  # the entries of this CRC: of this key, or another's
            i = rows[at] & _ENTRY_MASK
            at += 1
            held = keys_of(items[i])
            if key in (held if normal is None else map(normal, held)) and not any(items[j] == items[i] for j in found):
                found.append(i)
        if not found:
            return None
        if len(found) > 1:
            return _Several(found)
        return items[found[0]] if type(items[found[0]]) is str else found[0]

    def _found(self, found: _Found | None) -> tuple[Authority, ...]:
        """An index's answer as authorities (none for None)."""
        if found is None:
            return ()
        entries = self.authorities
        kind = type(found)
        if kind is str:  # a plain entry
            return (entries.built(found),)  # type: ignore[attr-defined]
        return (entries[found],) if kind is int else tuple(entries[i] for i in found)

    def __len__(self) -> int:
        return len(self.authorities)

    def get(self, authority_id: str) -> Authority:
        """The authority with this register id.

        Raises:
            KeyError: no authority has that id.
        """
        found = self._entry(authority_id)
        if found is None:
            raise KeyError(authority_id)
        return self.authorities[found]

    def _entry(self, authority_id: str) -> int | None:
        """The entry with this id; None where none has it."""
        found = self._by_id.get(authority_id)
        if found is not None:
            return found
        index = self._by_any_id
        if index is None:
            with _INDEXING:  # the columnar engine's threads may ask at once
                index = self._by_any_id
                if index is None:  # every entry's: a plain one may have become its Authority since
                    index = dict(zip(map(_ident, self.authorities._items), count()))  # type: ignore[attr-defined]
                    object.__setattr__(self, "_by_any_id", index)
        return index.get(authority_id)

    def resolve(self, key: str | int, on: dt.date | None = None, *, by: str | None = None,
                suggest: bool = True) -> Resolved | NoMatch:
        """
        The one authority *key* names on day *on*: a GSS code, a DfE LA number, an Ofsted URN or a name
        (which of them is read from its shape unless *by* says: "code", "la_number", "urn" or "name").

        Without a day, a key that several authorities have had (the name "Dorset") resolves to the latest.
        """
        text = str(key).strip()
        kind = by or _kind_of(text)
        if kind == "code":
            found = self._found(self._code(text.upper()))
        elif kind in ("la_number", "urn"):
            number = int(text) if text.isdecimal() else -1  # isdigit holds for '¹', which int refuses
            found = self._found((self._by_la if kind == "la_number" else self._by_urn).get(number))
        else:
            kind = "name"
            found = self._found(self._text(text)) or self._found(self._named(normalise_name(text)))
        if not found:
            return NoMatch(text, kind, self._closest(text) if kind == "name" and suggest else (),
                           "" if kind == "name" else self._code_note(text, kind))
        return _choose(found, text, kind, on)

    def resolve_record(self, name: str | None, code: str | None, on: dt.date | None = None) -> Resolved | NoMatch:
        """
        The authority a record names by *code* and *name* on day *on*.

        When the two name different authorities, the one that existed on the day wins (a compilation that
        gives Cumberland the code of Cumbria, which ended before the inspection, still means Cumberland);
        otherwise the code. Reporting the disagreement is the caller's business (issue 15, point 2).
        """
        by_code = self.resolve(code, on) if code else None
        by_name = self.resolve(name, on) if name else None
        if by_code and by_name and by_code.authority != by_name.authority:
            return by_name if by_name.current and not by_code.current else by_code
        if by_code:
            return by_code
        if by_name is not None:
            return by_name
        return by_code if by_code is not None else NoMatch("", "name", (), "the record names no authority")

    def identify(self, name: str | None, code: str | None, on: dt.date | None = None) -> Identity:
        """
        Who a record naming *name* and *code* is about on day *on*, cached: the same few hundred names and
        codes recur on every record of a file, and the answer changes only on the days the register lists.

        A code is read by its shape: a GSS code, or three digits as a DfE LA number; anything else (the old
        ONS region letters A-K of DfE's 2010 tables) is not a key the register reads. A three-digit code on
        a row the name says is England or a region is not an LA number either (the same tables give England
        the old ONS country code 921, which is also the Isle of Wight's LA number).
        """
        key = (name, code, self._epoch(name, code, on))
        found = self._identities.get(key)
        if found is None:
            found = self._identify(name, code, on)
            if len(self._identities) < 1 << 16:
                self._identities[key] = found
        return found

    def placed(self, name: str | None, code: str | None, on: dt.date | None = None) -> Placed:
        """
        :meth:`identify`'s label and status, all a record that passes needs, cached compactly: a file of many
        authorities keeps a label per name and code, not an Identity with both resolutions (half the memory:
        8 MB for the benchmark's 27,660 pairs, where Identities took 16.5). The same record asks twice in a
        row (its A rules' pass form, then the dataset rules' fold), and a file lists an authority's records
        together, so the last answer is kept at hand: for any day, where it is a plain one (see _plainly), which
        finds a plain entry by its name's and code's CRCs (see _gathered), a microsecond or two a record.
        """
        last = self.last_placed[0]  # one tuple, read once: threads (the columnar engine's) may replace it meanwhile
        # Equal texts, not the same objects: each record's are its own.
        if last[0] == name and last[1] == code and (last[4] or last[2] == on):
            return last[3]  # type: ignore[no-any-return]
        found = self._plainly(name, code)  # one undated authority's: the same answer on every day
        steady = found is not None
        if found is None:
            key = (name, code, self._epoch(name, code, on))
            found = self._placed.get(key)
            if found is None:
                ident = self._identify(name, code, on)
                found = (ident.label, ident.status)
                if len(self._placed) < 1 << 18:
                    self._placed[key] = found
        self.last_placed[0] = (name, code, on, found, steady)
        return found

    def labels(self, names: Sequence[str | None], codes: Sequence[str | None],
               days: Sequence[dt.date | None]) -> list[Any]:
        """
        Each row's :meth:`placed` label, *names*, *codes* and *days* being columns, with (None, None, None) for a
        row of neither name nor code (as kinds._base.identify gives it). A file lists an authority's records
        together: a row with its previous row's name and code, where that answer cannot change with the day
        (see _plainly), takes the same label object without asking again (the columnar engine's folds, 2.5 ms
        of each 8,600 rows). The columnar engine asks a framework's rows at a time, so an authority's records
        come in a few calls: the plain answers of the last few thousand names are kept at hand too (see
        plain_label; finding a plain entry by its name's CRC, 64,000 times at 200,000 records, was 5% of that
        engine's time).
        """
        out: list[Any] = []
        append, plain, placed = out.append, self.plain_label, self.placed
        last_name: Any = _NOTHING
        last_code: Any = _NOTHING
        label: tuple[str | None, str | None, str | None] = _NOBODY
        steady = False  # whether the label above holds on any day
        for name, code, day in zip(names, codes, days, strict=True):
            if steady and name == last_name and code == last_code:
                append(label)
                continue
            last_name, last_code = name, code
            if name is None and code is None:
                label, steady = _NOBODY, True
            else:
                label = plain(name, code)
                steady = label is not None
                if not steady:
                    label = placed(name, code, day)[0]
            append(label)
        return out

    def _plainly(self, name: str | None, code: str | None) -> Placed | None:
        """
        The answer where the name and the code are, as written, one undated authority's only name and code (most
        records of most files), found without resolving each; None for any other, which _identify works out.
        """
        if name is None or code is None:
            return None
        found = self._text(name)
        if type(found) is str:  # a plain entry alone has this name: its label, where the code is its alone
            held = self._by_code.get(code)  # a code an Authority has, or several entries: _code's answer
            if held is not None:
                return (found, 0) if held is found else None
            at = len(name) + 1  # else the entry's own code, read in place (what _codes_at would find)
            return (found, 0) if found.startswith(code, at) and found.find(_SEP, at) == at + len(code) else None
        if type(found) is not int or self._code(code) != found:
            return None
        answers = self._answers
        label = answers.get(found)
        if label is None:  # the same for every record that names this entry so: worked out once
            label = answers[found] = self._plain_label(found)
        # The label is kept, not the answer: keeping each answer too took 7.7 MB at a million records (138,000
        # entries), where making it is one small tuple a call (and placed keeps the call before's).
        return None if label is _NOT_PLAIN else (label, 0)

    def numbered(self, labels: Sequence[Any]) -> list[int | None]:
        """
        For each of *labels*, the entry whose plain label (see _plainly) it is, the register's own object; None for
        any other.

        A forked worker sends its labels so (Places and VisitsSummary): the process that forked it has the same
        register, and takes each label back by its number (labelled). Sent as texts, a worker's labels were new
        strings there, 187 bytes an authority while they arrived (13 MB at a million records, the run's peak),
        and then had to be looked up to become the register's own. A plain entry is its label and is held without
        its number (see _Found), so the numbers are found in one pass over the entries.
        """
        answers = self._answers
        out: list[int | None] = [None] * len(labels)
        wanted: dict[int, int] = {}  # a plain entry's id() → its place in *labels*
        for k, label in enumerate(labels):
            if type(label) is str:
                wanted[id(label)] = k
            elif type(label) is tuple and len(label) == 3 and type(label[0]) is str:
                found = self._text(label[0])
                if type(found) is int and answers.get(found) is label:
                    out[k] = found
        if wanted:
            for i, item in enumerate(self.authorities._items):  # type: ignore[attr-defined]
                k = wanted.get(id(item))  # type: ignore[assignment]
                if k is not None and labels[k] is item:
                    out[k] = i
        return out

    def labelled(self, number: int, token: int) -> Any:
        """
        The plain label of entry *number*, as :meth:`numbered` gave the number in a process whose register's
        :attr:`token` is *token*.

        Raises:
            ValueError: that was another register (a summary pickled in one process and read in another).
        """
        label: Any = _NOT_PLAIN
        if token == self.token and 0 <= number < len(self.authorities):
            label = self._answers.get(number)
            if label is None:
                label = self._plain_label(number)
                if label is not self.authorities._items[number]:  # type: ignore[attr-defined]
                    self._answers[number] = label  # an Authority's (a plain entry is its own)
        if label is _NOT_PLAIN:
            raise ValueError("a summary's authorities were numbered by another register than this process's")
        return label  # type: ignore[no-any-return]

    def plain_label(self, name: str | None, code: str | None) -> Any:
        """
        The label of the authority whose own name and code, as the register writes them, these are, where it is
        one undated authority's (see _plainly): the register's one object for it, its texts the register's. None
        for any other name and code.

        Kept at hand for :meth:`labels` (the last few thousand names'): the columnar engine's authority rules ask
        here first (kinds.authority.status_any_day), and its folds then ask labels of the same rows' names. Each
        authority was found by its name's CRC three times, twice for the rules and once for the fold: 5% of that
        engine's CPU at 200,000 rows.
        """
        recent = self._recent
        held = recent.get(name)
        if held is not None and held[0] == code:
            return held[1]
        found = self._plainly(name, code)
        if found is None:
            return None
        if len(recent) >= _RECENT:
            recent.clear()
        recent[name] = (code, found[0])
        return found[0]

    def _plain_label(self, i: int) -> Any:
        """
        Entry *i*'s label, if it is plain (one undated code, no dates, an authority); else _NOT_PLAIN. Its texts are
        the entry's own, one object each already: interning them (as a record's texts are, in _identify) put two
        entries an authority in the interpreter's table of interned strings, 10 MB at a million records.
        """
        item = self.authorities._items[i]  # type: ignore[attr-defined]
        if type(item) is str:  # a plain entry: the label itself (see Plain)
            return item
        codes = item.codes
        if (item.start is not None or item.end is not None or len(codes) != 1 or codes[0].start is not None
                or codes[0].end is not None or item.level != "authority"):
            return _NOT_PLAIN  # dated, or more than one code: _identify works out which applies on the day
        return item.name, codes[0].code, item.id

    def dated(self, name: str | None, code: str | None) -> bool:
        """Whether what *name* and *code* resolve to can change with the day (an authority they may mean is dated)."""
        return bool(self._spans_of(name, code))

    def _epoch(self, name: str | None, code: str | None, on: dt.date | None) -> int:
        """Which span of days between the register's changes for *name* and *code* holds *on* (-1: no day)."""
        spans = self._spans_of(name, code)
        return -1 if on is None else bisect.bisect_right(spans, on) if spans else 0

    def _spans_of(self, name: str | None, code: str | None) -> tuple[dt.date, ...]:
        """
        The days *name* and *code*'s answer may change on (see _changes), worked out once. A plain pair (see
        _plainly) has none.
        """
        if self._plainly(name, code) is not None:
            return ()
        key = (name, code)
        spans = self._spans.get(key)
        if spans is None:
            spans = self._changes(name, code)
            if len(self._spans) < 1 << 18:
                self._spans[key] = spans
        return spans

    def _changes(self, name: str | None, code: str | None) -> tuple[dt.date, ...]:
        """
        The days on which the answer for *name* and *code* may change: one of the authorities they could mean
        begins, or ends, or changes its code (the day after an end). Between two of them it is the same answer.
        """
        found: list[Authority] = []
        if name:
            text = name.strip()
            found += self._found(self._text(text)) or self._found(self._named(normalise_name(text)))
        if code:
            text = code.strip()
            found += self._found(self._code(text.upper()))
            if text.isdecimal():  # isdigit holds for '¹', which int refuses
                found += self._found(self._by_la.get(int(text)))
        changes: set[dt.date] = set()
        for a in found:
            for start, end in ((a.start, a.end), *((c.start, c.end) for c in a.codes)):
                if start is not None:
                    changes.add(start)
                if end is not None and end < dt.date.max:
                    changes.add(end + dt.timedelta(days=1))
        return tuple(sorted(changes))

    def _identify(self, name: str | None, code: str | None, on: dt.date | None) -> Identity:
        name = name.strip() if name else None
        code = code.strip() if code else None
        # No closest names here: a file of thousands of unknown names would search for each (A102 asks, see
        # suggestions()), and a run that only needs the identity never needs them.
        by_name = self.resolve(name, on, by="name", suggest=False) if name else None
        by_code: Resolved | NoMatch | None = None
        if code:
            shape = _kind_of(code)
            area = bool(by_name) and by_name.authority.level != "authority"  # type: ignore[union-attr]
            if shape == "code" or (shape == "la_number" and not area):
                by_code = self.resolve(code, on, by=shape)
        if by_code and by_name and by_code.authority is not by_name.authority:  # one object per authority
            chosen = by_name if by_name.current and not by_code.current else by_code
        else:
            chosen = by_code or by_name or None
        authority = chosen.authority if chosen else None  # type: ignore[union-attr]
        status = 2 if isinstance(by_name, NoMatch) or isinstance(by_code, NoMatch) else 0
        if by_code and by_name and by_code.authority is not by_name.authority:
            status = 1
        if authority is None:
            given = code.upper() if code and _GSS.match(code.upper()) else code
            return Identity(None, by_name, by_code, given, (sys.intern(name) if name else None,
                                                            sys.intern(given) if given else None, None), status)
        held = (authority.code_on(on) if on is not None else authority.code) or authority.code
        plain = self.authorities.plain(authority)  # type: ignore[attr-defined]
        if plain is not None:  # one label an entry: a plain entry's is itself (its one code is the one held)
            return Identity(authority, by_name, by_code, held, plain, status)
        return Identity(authority, by_name, by_code, held,
                        (sys.intern(authority.name), sys.intern(held) if held else None, authority.id), status)

    def key_of(self, authority_id: str) -> str:
        """What the records of the authority with this id are filed under (see label_key): the id, for no entry."""
        found = self._entry(authority_id)
        item = self.authorities._items[found] if found is not None else None  # type: ignore[attr-defined]
        return item if type(item) is str else authority_id  # type: ignore[return-value]

    def successors(self, authority: Authority) -> tuple[Authority, ...]:
        """Who followed *authority* (itself, where a reorganisation only changed its code)."""
        out: list[Authority] = []
        for r in self.reorganisations:
            if authority.id in r.predecessors:
                out += [self.get(s) for s in r.successors if self._entry(s) is not None and s != authority.id]
        return tuple(out)

    def suggestions(self, text: str) -> tuple[str, ...]:
        """The closest names to *text* the register has (cached: a file repeats its unknown names)."""
        found = self._suggested.get(text)
        if found is None:
            found = self._closest(text)
            if len(self._suggested) < 1 << 16:
                self._suggested[text] = found
        return found

    def _closest(self, text: str) -> tuple[str, ...]:
        key = normalise_name(text)
        # Names sharing a word with it first ("Liverpool 2": Liverpool), searched in full only when none does
        # (a misspelt word): a file of thousands of unknown names would otherwise compare each with every name.
        words = self._words()
        sharing = sorted({n for w in key.split() if len(w) > 2 for n in words.get(w, ())})
        names = difflib.get_close_matches(key, sharing, n=3, cutoff=0.6) if sharing else []
        if not names:
            names = difflib.get_close_matches(key, list(self._name_keys()), n=3, cutoff=0.6)
        out: list[str] = []
        for n in names:
            for a in self._found(self._named(n)):
                if a.name not in out:
                    out.append(a.name)
        return tuple(out[:3])

    def _words(self) -> dict[str, list[str]]:
        found = self._suggested.get(_WORDS)
        if found is None:
            index: dict[str, list[str]] = {}
            for name in self._name_keys():
                for w in set(name.split()):
                    index.setdefault(w, []).append(name)
            found = self._suggested[_WORDS] = index  # type: ignore[assignment]
        return found  # type: ignore[return-value]

    def _named(self, key: str) -> _Found | None:
        """The entries with a name whose key is *key* (see normalise_name); None for none."""
        return self._gathered(self._by_name, key, _names_of, _key_of)

    def _name_keys(self) -> dict[str, None]:
        """Every name key, in the order the entries give them (worked out once, for suggestions: see _named)."""
        found = self._suggested.get(_KEYS)
        if found is None:
            items = self.authorities._items  # type: ignore[attr-defined]
            found = self._suggested[_KEYS] = dict.fromkeys(  # type: ignore[assignment]
                _key_of(name) for item in items for name in _names_of(item))
        return found  # type: ignore[return-value]

    def _code_note(self, text: str, kind: str) -> str:
        if kind == "code" and not _GSS.match(text.upper()):
            return "not the shape of a GSS code (E06, E08, E09 or E10 and 6 digits)"
        return ""


_WORDS = "\0words"  # where _suggested keeps the word index of the names (no name normalises to it)
_KEYS = "\0keys"  # and the name keys


_ENTRY_MASK = (1 << 32) - 1


def _crcs(keys: Iterable[str], entries: Iterable[int]) -> Iterator[int]:
    """Each of *keys* with its entry, as an index of CRCs holds them (see Register._by_name)."""
    crcs = map(crc32, map(str.encode, keys, repeat("utf-8"), repeat("surrogatepass")))
    return map(int.__or__, map((32).__rlshift__, crcs), entries)


def _sorted(rows: array, more: Iterable[int]) -> array:
    """An index of CRCs in order: *rows* and *more* (no row in both, none twice)."""
    ordered = sorted(chain(rows, more))
    return array("Q", ordered)


def _shared(rows: array, items: list[Any], keys_of: Callable[[Any], Sequence[str]],
            normal: Callable[[str], str] | None) -> Iterator[int]:
    """The entries of *rows* (an index of CRCs) that have a key another entry has too (a CRC met twice, then read)."""
    tops = array("Q", map((32).__rrshift__, rows))  # each row's CRC
    for crc in dict.fromkeys(compress(islice(tops, 1, None), map(eq, islice(tops, 1, None), tops))):
        at = bisect.bisect_left(tops, crc)
        holders: dict[str, set[int]] = {}
        while at < len(tops) and tops[at] == crc:
            i = rows[at] & _ENTRY_MASK
            at += 1
            for key in keys_of(items[i]):
                holders.setdefault(key if normal is None else normal(key), set()).add(i)
        for held in holders.values():
            if len(held) > 1:
                yield from held


def _places(found: _Found) -> tuple[int, ...]:
    """An index's answer held as entry numbers (see add in Register.__attrs_post_init__)."""
    return (found,) if type(found) is int else found  # type: ignore[no-any-return]


def _names_of(item: Authority | Plain) -> tuple[str, ...]:
    return (item[:item.index(_SEP)],) if type(item) is str else item.names()  # type: ignore[union-attr]


def _codes_of(item: Authority | Plain) -> tuple[str, ...]:
    if type(item) is str:
        return (item.split(_SEP)[1],)
    return tuple(c.code if c.code.isupper() else c.code.upper() for c in item.codes)  # type: ignore[union-attr]


def _kind_of(text: str) -> str:
    if _GSS.match(text.upper()):
        return "code"
    if _LA_NUMBER.match(text):
        return "la_number"
    if _URN.match(text):
        return "urn"
    return "name"


def _choose(found: Sequence[Authority], text: str, by: str, on: dt.date | None) -> Resolved:
    """Of the authorities that have had a key, the one it means on *on*."""
    if on is None:
        latest = max(found, key=lambda a: a.end or dt.date.max)
        return Resolved(latest, text, by)
    alive = [a for a in found if a.exists_on(on)]
    if by == "code":
        held = [a for a in alive if any(c.code.upper() == text.upper() and c.covers(on) for c in a.codes)]
        if held:
            return Resolved(held[0], text, by)
        if alive:
            owner = alive[0]
            now = owner.code_on(on)
            note = (f"{text} is {owner.name}'s code {_period(owner, text)}".rstrip()
                    + (f"; on {on} its code was {now}" if now else f"; on {on} it had no GSS code"))
            return Resolved(owner, text, by, current=False, note=note)
        owner = _nearest(found, on)
        return Resolved(owner, text, by, current=False, note=f"{text} is the code of {owner.name}, which "
                                                            f"{_lifetime(owner, on)}")
    if alive:
        return Resolved(alive[0], text, by)
    owner = _nearest(found, on)
    return Resolved(owner, text, by, current=False, note=f"{owner.name} {_lifetime(owner, on)}")


def _lifetime(owner: Authority, on: dt.date) -> str:
    if owner.start and on < owner.start:
        return f"existed from {owner.start}, not on {on}"
    return f"existed until {owner.end}, not on {on}"


def _nearest(found: Sequence[Authority], on: dt.date) -> Authority:
    def distance(a: Authority) -> int:
        if a.start and on < a.start:
            return (a.start - on).days
        if a.end and on > a.end:
            return (on - a.end).days
        return 0

    return min(found, key=distance)


def _period(owner: Authority, code: str) -> str:
    for c in owner.codes:
        if c.code.upper() == code.upper():
            if c.start and c.end:
                return f"from {c.start} to {c.end}"
            if c.start:
                return f"from {c.start}"
            if c.end:
                return f"until {c.end}"
    return ""


# --- loading ---------------------------------------------------------------------------------------------------

_AUTHORITY_KEYS = {"id", "name", "la_number", "urn", "region", "codes", "spellings", "from", "to", "note",
                   "level", "source"}
_REORG_KEYS = {"id", "date", "title", "url", "predecessors", "successors", "reference", "publisher", "note"}


def builtin_register_path() -> Path:
    """The register shipped with gradecheck."""
    return Path(__file__).resolve().parent / "data" / "authorities.toml"


_DEFAULT: list[Register] = []
_ACTIVE: list[Register] = []


def default_register() -> Register:
    """The built-in register, read once a process."""
    if not _DEFAULT:
        _DEFAULT.append(load_register())
    return _DEFAULT[0]


def active_register() -> Register:
    """
    The register checks resolve records with: the built-in one, unless :func:`use_register` chose another
    (``--authorities FILE``). Process-wide, because rules and findings are made deep in the engine, and
    forked workers inherit it.
    """
    return _ACTIVE[0] if _ACTIVE else default_register()


def use_register(register: Register | None) -> None:
    """Make *register* the one checks use from now on (None: back to the built-in one)."""
    _ACTIVE[:] = [register] if register is not None else []


def load_register(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] = (), *,
                  builtin: bool = True) -> Register:
    """
    The register from the built-in file and *paths* (TOML files of the same shape), later files winning:
    an entry with an id already read replaces it, a new id adds one.

    One file may be given alone: a path is not read as the files its characters name.

    Raises:
        RuleFileError: a file cannot be read or an entry is malformed; every problem is listed
            (file, entry, key, what was expected).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files = ([builtin_register_path()] if builtin else []) + [Path(p) for p in paths]
    problems: list[Problem] = []
    authorities: dict[str, Authority | Plain] = {}
    plain: list[_File] = []  # the files that gave plain entries (see Plain)
    reorganisations: dict[str, Reorganisation] = {}
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            problems.append(Problem(str(path), "file", None, f"cannot read: {err.strerror or err}"))
            continue
        except UnicodeDecodeError as err:
            problems.append(Problem(str(path), "file", None, f"not valid TOML: {err}"))
            continue
        entries = _File(path)
        try:
            for doc in _pieces(text):
                entries.read(doc)
        except _ReadWhole:
            entries = _File(path)  # a piece parsed alone might not mean what it means in the file: read it whole
            try:
                entries.read(tomllib.loads(text))
            except tomllib.TOMLDecodeError as err:
                problems.append(Problem(str(path), "file", None, f"not valid TOML: {err}"))
                continue
        del text  # a large register's file (13 MB at a million records) is not kept while the register is indexed
        problems += entries.problems
        # Areas first, as the file's [[area]] tables were always read; a later entry of the same id replaces one.
        authorities.update(zip(map(_ident, entries.areas), entries.areas, strict=True))
        authorities.update(zip(map(_ident, entries.authorities), entries.authorities, strict=True))
        if any(type(a) is str for a in entries.authorities):
            plain.append(entries)
        for r in entries.reorganisations:
            reorganisations[r.id] = r
    for r in reorganisations.values():
        for who in (*r.predecessors, *r.successors):
            if who not in authorities:
                problems.append(Problem("register", f"reorganisation {r.id}", "predecessors/successors",
                                        f"no authority has the id {who!r}"))
    if problems:
        raise RuleFileError(problems)
    entries = _Entries(authorities.values(), _sources(authorities, plain))
    del authorities  # its keys, the plain entries' ids, are not kept while the register is indexed
    return Register(entries, tuple(sorted(reorganisations.values(), key=lambda r: r.date)))


def _sources(authorities: dict[str, Authority | Plain], plain: list[_File]) -> str | list[str]:
    """Each plain entry's file (see _Entries): the one file that gave any (nearly always), else a file an entry."""
    if len(plain) <= 1:
        return plain[0].source if plain else ""
    source_of: dict[str, str] = {}
    for entries in plain:  # a later file's entry replaces an earlier one's
        source_of.update((_ident(a), entries.source) for a in entries.authorities if type(a) is str)
    return [source_of.get(ident, "") for ident in authorities]


_TABLES = ("area", "authority", "reorganisation")  # in the order a file's entries are read
# The lines a register file is cut at: a line that is exactly an entry's header (a comment may follow).
_ENTRY = re.compile(r"^\[\[(?:authority|area|reorganisation)\]\][ \t]*(?:#[^\n]*)?\r?$", re.M)
# A top-level key that is one of those names (authority = [...], area.x = 1): a piece read alone could not
# see it clash with an [[authority]] header in another piece, so a file cut in pieces that may hold one is read whole.
_ASSIGNED = re.compile(r"^[ \t]*[\"']?(?:authority|area|reorganisation)[\"']?[ \t]*[.=]", re.M)
_PIECE = 48 * 1024  # characters a piece, about 500 plain entries


class _ReadWhole(Exception):
    """A piece of a register file that only the whole file's reading can judge (see _pieces)."""


def _pieces(text: str) -> Iterable[dict[str, Any] | list[Written]]:
    """
    A register file's TOML, parsed a few hundred entries (48 KB) at a time: each piece's document, or where the
    piece is only entries as a program writes them, its entries (see tomltext.written_entries).

    A user's register may hold tens of thousands of authorities (one per council of a large made-up or
    historical dataset); tomllib's document for all of them, alive while the register is built, took
    twice the memory of the register itself, and the process kept it. Cut only at entry headers, each
    piece parses to exactly its entries: a header inside a multi-line string leaves the piece before it
    unterminated, which tomllib refuses. Anything a piece cannot judge alone (a parse error, a key that
    is not an entry, an entry name given as a plain key) raises _ReadWhole, and the file is read whole,
    so its errors name the file's own lines.
    """
    cuts = []
    at = _PIECE
    while (found := _ENTRY.search(text, at)) is not None:  # the first entry header past each piece's length
        cuts.append(found.start())
        at = found.start() + _PIECE
    for n, (start, end) in enumerate(zip([0, *cuts], [*cuts, len(text)], strict=True)):
        piece = text[start:end]
        kept = kept_entries(piece)  # the plain entries of a large register, without tomllib (see tomltext)
        if kept:
            yield _KeptPiece(kept)
            continue
        written = written_entries(piece)  # the same, where some entry needs a look (a blank name, a bad code)
        if written:
            yield written
            continue
        # An entry name given as a plain key may clash with another piece's headers. Only a piece of other lines
        # than written entries can hold one, so only those are searched (the whole of a 13 MB file took 0.12 s).
        if cuts and _ASSIGNED.search(piece):
            raise _ReadWhole
        doc = plain_document(piece)
        if doc is None:
            try:
                doc = tomllib.loads(piece)
            except tomllib.TOMLDecodeError:
                raise _ReadWhole from None
        if n and not (doc.keys() <= set(_TABLES) and all(type(v) is list for v in doc.values())):
            raise _ReadWhole
        yield doc


class _KeptPiece(list):  # type: ignore[type-arg]
    """A piece's entries as tomltext.kept_entries gives them: nothing to check, each kept as it is."""


class _File:
    """
    The entries of one register file, read from its pieces in turn, numbered and listed as in the whole file:
    its areas, then its authorities, then its reorganisations, each table's problems in that order too.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.source = str(path)  # one string for the file's authorities, not one each
        self.found: dict[str, list[Problem]] = {"file": [], **{table: [] for table in _TABLES}}
        self.areas: list[Authority] = []
        self.authorities: list[Authority | Plain] = []
        self.reorganisations: list[Reorganisation] = []
        self.counts = dict.fromkeys(_TABLES, 0)

    @property
    def problems(self) -> list[Problem]:
        return [problem for problems in self.found.values() for problem in problems]

    def read(self, doc: dict[str, Any] | list[Written]) -> None:
        if type(doc) is _KeptPiece:
            return self._read_kept(doc)
        if type(doc) is list:
            return self._read_written(doc)
        path = self.path
        unknown = set(doc) - set(_TABLES)
        if unknown:  # only the first piece may hold other keys (see _pieces)
            self.found["file"].append(Problem(str(path), "file", ", ".join(sorted(unknown)),
                                              "unknown table; expected [[authority]], [[area]] or [[reorganisation]]"))
        for table in _TABLES:
            if table not in doc:
                continue
            problems = self.found[table]
            start = self.counts[table]
            entries = _tables(doc[table], path, table, problems)
            self.counts[table] += len(entries)
            for i, entry in enumerate(entries, start=start + 1):
                if table == "reorganisation":
                    r = _reorganisation(entry, path, f"reorganisation {i}", problems)
                    if r is not None:
                        self.reorganisations.append(r)
                else:
                    a = _authority(entry, path, f"{table} {i}", table, problems, self.source)
                    if a is not None:
                        (self.areas if table == "area" else self.authorities).append(a)
        return None

    def _read_kept(self, entries: list[Kept]) -> None:
        """Entries that need no checks (see tomltext.kept_entries), each built as _plain_entry builds it."""
        source, counts = self.source, self.counts
        if any(entry[0] == "area" for entry in entries):  # rare: each to its own table
            for table, _, ident, name, code, _ in entries:
                counts[table] += 1
                entry = _plain_entry(ident, name, [code], table, source)
                (self.areas if table == "area" else self.authorities).append(entry)  # type: ignore[arg-type]
            return
        counts["authority"] += len(entries)
        packed = ["\0".join((name, code, ident)) for _, _, ident, name, code, _ in entries]
        if sum(map(str.count, packed, repeat(_SEP))) == 2 * len(packed):
            self.authorities += packed
        else:  # a text holds _SEP (a "\u0000" escape): that entry is kept as an Authority
            self.authorities += [_plain_entry(ident, name, [code], "authority", source)  # type: ignore[misc]
                                 for _, _, ident, name, code, _ in entries]

    def _read_written(self, entries: list[Written]) -> None:
        """Entries as a program writes them (see _pieces): each built as _simple_authority builds it, else checked."""
        source, counts = self.source, self.counts
        for table, ident, name, code in entries:
            counts[table] += 1
            a = _plain_entry(ident, name, (code,), table, source)
            if a is None:  # a blank id or name, a code of no GSS shape: the general checks say what is wrong
                a = _authority({"id": ident, "name": name, "codes": [{"code": code}]}, self.path,
                               f"{table} {counts[table]}", table, self.found[table], source)
            if a is not None:
                (self.areas if table == "area" else self.authorities).append(a)


def _tables(value: Any, path: Path, name: str, problems: list[Problem]) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        problems.append(Problem(str(path), name, None, f"expected an array of tables [[{name}]]"))
        return []
    return value


def _authority(t: Mapping[str, Any], path: Path, where: str, table: str,
               problems: list[Problem], source: str = "") -> Authority | Plain | None:
    simple = _simple_authority(t, table, source)
    if simple is not None:
        return simple
    def bad(key: str | None, reason: str) -> None:
        problems.append(Problem(str(path), f"{where} ({t.get('id', '?')})", key, reason))

    before = len(problems)
    for key in sorted(set(t) - _AUTHORITY_KEYS):
        bad(key, f"unknown key; expected one of {', '.join(sorted(_AUTHORITY_KEYS))}")
    for key in ("id", "name"):
        if not isinstance(t.get(key), str) or not t[key].strip():
            bad(key, "required text")
    for key in ("la_number", "urn"):
        if key in t and (not isinstance(t[key], int) or isinstance(t[key], bool) or t[key] <= 0):
            bad(key, "a positive whole number")
    for key in ("from", "to"):
        if key in t and not isinstance(t[key], dt.date):
            bad(key, "a date, e.g. 2019-04-01 (unquoted)")
    spellings = t.get("spellings", [])
    if not isinstance(spellings, list) or not all(isinstance(s, str) and s.strip() for s in spellings):
        bad("spellings", "a list of names")
    codes = []
    raw_codes = t.get("codes", [])
    if not isinstance(raw_codes, list):
        bad("codes", 'a list of {code = "E06000001", from = DATE, to = DATE}')
        raw_codes = []
    for c in raw_codes:
        if not isinstance(c, Mapping) or not isinstance(c.get("code"), str) or not _GSS.match(c["code"].upper()):
            bad("codes", f'{c!r}: expected {{code = "E06000001"}} with an optional from and to date')
            continue
        if set(c) - {"code", "from", "to"} or not all(isinstance(c.get(k), dt.date) for k in ("from", "to") if k in c):
            bad("codes", f"{c!r}: only code, from and to (dates, unquoted)")
            continue
        codes.append(Code(c["code"].upper(), c.get("from"), c.get("to")))
    level = t.get("level", "authority" if table == "authority" else "region")
    if len(problems) > before:
        return None
    return Authority(
        id=t["id"].strip(), name=t["name"].strip(), level=str(level), la_number=t.get("la_number"),
        urn=t.get("urn"), region=str(t.get("region", "")), codes=tuple(codes),
        spellings=tuple(s.strip() for s in spellings), start=t.get("from"), end=t.get("to"),
        note=str(t.get("note", "")), source=source,
    )


def _simple_authority(t: Mapping[str, Any], table: str, source: str) -> Authority | Plain | None:
    """
    The common entry (an id, a name, codes without dates), built without the general checks, as _authority would
    build it; None for any other, which _authority checks key by key. A user's register of thousands of authorities
    is read in a fraction of the time.
    """
    if not t.keys() <= _SIMPLE_KEYS:
        return None
    ident, name, given = t.get("id"), t.get("name"), t.get("codes", [])
    if type(ident) is not str or type(name) is not str or type(given) is not list:
        return None
    codes = []
    for c in given:
        if type(c) is not dict or c.keys() != {"code"} or type(c["code"]) is not str:
            return None
        codes.append(c["code"])
    return _plain_entry(ident, name, codes, table, source)


def _plain_entry(ident: str, name: str, codes: Sequence[str], table: str, source: str) -> Authority | Plain | None:
    """
    The entry of an id, a name and undated codes (texts), as _authority would build it (an area as its Authority:
    they are few); None where one is wrong.
    """
    ident, name = ident.strip(), name.strip()
    if not ident or not name:
        return None
    held = []
    for code in codes:
        if not code.isupper():  # most are written so: keep the file's string rather than a copy
            code = code.upper()
        if not _GSS.match(code):
            return None
        held.append(code)
    entry = _packed(name, held[0], ident) if len(held) == 1 and table == "authority" else None  # see Plain
    return entry if entry is not None else _authority_of(name, held, ident,
                                                         "authority" if table == "authority" else "region", source)


def _authority_of(name: str, codes: Sequence[str], ident: str, level: str, source: str) -> Authority:
    """The Authority of an id, a name and undated codes."""
    return Authority(id=ident, name=name, level=level, codes=tuple(Code(c) for c in codes), source=source)


_SIMPLE_KEYS = frozenset({"id", "name", "codes"})


def _reorganisation(t: Mapping[str, Any], path: Path, where: str, problems: list[Problem]) -> Reorganisation | None:
    before = len(problems)
    label = f"{where} ({t.get('id', '?')})"
    expected = ", ".join(sorted(_REORG_KEYS))
    for key in sorted(set(t) - _REORG_KEYS):
        problems.append(Problem(str(path), label, key, f"unknown key; expected one of {expected}"))
    for key in ("id", "title", "url"):
        if not isinstance(t.get(key), str) or not t[key].strip():
            problems.append(Problem(str(path), label, key, "required text"))
    if not isinstance(t.get("date"), dt.date):
        problems.append(Problem(str(path), label, "date", "required: a date, e.g. 2019-04-01 (unquoted)"))
    for key in ("predecessors", "successors"):
        v = t.get(key)
        if not isinstance(v, list) or not v or not all(isinstance(s, str) for s in v):
            problems.append(Problem(str(path), label, key, "required: a list of authority ids"))
    if len(problems) > before:
        return None
    return Reorganisation(id=t["id"], date=t["date"], title=t["title"], url=t["url"],
                          predecessors=tuple(t["predecessors"]), successors=tuple(t["successors"]),
                          reference=str(t.get("reference", "")), publisher=str(t.get("publisher", "")),
                          note=str(t.get("note", "")))
