"""
The plainest register TOML, read without tomllib: entries of an id, a name and codes, one key a line.

A register of a large dataset holds tens of thousands of such entries, as a program writes them::

    [[authority]]
    id = "made-up-0"
    name = "Barking and Dagenham 10"
    codes = [{ code = "E09101377" }]

tomllib reads them at about 20 µs an entry, most of a run's start on such a file (0.55 s for 27,676
entries; the same in the hand-written loop it is measured against). Their shape is simple enough that
a line at a time, with one regular expression a line, gives the same document about ten times faster.
:func:`plain_document` reads only that shape and gives way to tomllib for anything else: a string with
an escape, a key it does not know, a date, a comment after a value. What it accepts, it reads exactly
as tomllib does (a property test compares the two), so tomllib stays the reader of record.
:func:`written_entries` gives the entries of text written exactly as above, a match an entry, as tuples
(the register builds its authorities from them without a document between).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["Kept", "Written", "kept_entries", "plain_document", "written_entries"]

# A basic string without escapes: any character but the quote, the backslash and the controls TOML forbids
# (tab is allowed), so its value is the text between the quotes.
_STRING = r'"([^"\\\x00-\x08\x0a-\x1f\x7f]*)"'
_TEXT = re.compile(r"[ \t]*(id|name)[ \t]*=[ \t]*" + _STRING + r"[ \t]*")
_CODES = re.compile(r"[ \t]*codes[ \t]*=[ \t]*\[(.*)\][ \t]*")
_CODE = re.compile(r"[ \t]*\{[ \t]*code[ \t]*=[ \t]*" + _STRING + r"[ \t]*\}[ \t]*(,?)")  # and the comma after
_COMMENT = r"(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?"  # to the end of the line, without the controls TOML forbids
_HEADER = re.compile(r"\[\[(authority|area)\]\][ \t]*" + _COMMENT)
_SKIP = re.compile(r"[ \t]*" + _COMMENT)  # a blank line, or a comment alone


# The entry as a program writes it, matched whole: most of a large register, read at a match an entry.
_WRITTEN = re.compile(r'\[\[(authority|area)\]\]\n+id = ' + _STRING + r'\nname = ' + _STRING
                      + r'\ncodes = \[\{ code = ' + _STRING + r' \}\]\n+')


def plain_document(text: str) -> dict[str, list[dict[str, Any]]] | None:
    """
    The document tomllib would read from *text*, where *text* is only ``[[authority]]`` and ``[[area]]``
    entries of ``id``, ``name`` and ``codes = [{ code = "..." }, ...]`` (plain strings), blank lines and
    whole-line comments; None for any other text, which tomllib must read.
    """
    written = written_entries(text)
    if written:
        doc: dict[str, list[dict[str, Any]]] = {}
        for table, ident, name, code in written:
            doc.setdefault(table, []).append({"id": ident, "name": name, "codes": [{"code": code}]})
        return doc
    return _lines(text)


#: One entry as a program writes it: its table ("authority" or "area"), id, name and only code, as tomllib reads them.
Written = tuple[str, str, str, str]


def written_entries(text: str) -> list[Written] | None:
    """
    The entries of *text* where it is only entries written exactly as _WRITTEN has them, in file order, a match
    each; else None. The register builds its authorities from these without a document between (a dict and a
    list an entry, which took as long again as the reading).
    """
    out: list[Written] = []
    at, end, match = 0, len(text), _WRITTEN.match
    while at < end:
        m = match(text, at)
        if m is None:
            return None
        out.append(m.groups())  # type: ignore[arg-type]
        at = m.end()
    return out


#: One entry of :func:`kept_entries`: its table, the newlines after its header, its id, name and code, the newlines
#: after it (the newlines are kept only to measure what the entries cover).
Kept = tuple[str, str, str, str, str, str]

# A text as the register keeps it: no whitespace at either end (str.strip and \s agree on what that is), not blank.
_STRIPPED = r'"([^"\\\x00-\x08\x0a-\x1f\x7f\s](?:[^"\\\x00-\x08\x0a-\x1f\x7f]*[^"\\\x00-\x08\x0a-\x1f\x7f\s])?)"'
_KEPT = re.compile(r'\[\[(authority|area)\]\](\n+)id = ' + _STRIPPED + r'\nname = ' + _STRIPPED
                   + r'\ncodes = \[\{ code = "([EWSN]\d{8})" \}\](\n+)')
_KEPT_FIXED = len('[[]]id = ""\nname = ""\ncodes = [{ code = "" }]')  # an entry's characters outside its groups


def kept_entries(text: str) -> list[Kept] | None:
    """
    The entries of *text* where it is only entries as :func:`written_entries` reads them, each already as the
    register keeps it (id and name stripped and not blank, the code a GSS code in upper case); else None.

    One ``findall`` for the whole text: the matches cover it exactly when their lengths add up to its length
    (findall skips what does not match, so a gap shows as a shortfall). The register then builds its entries
    without checking each (about a quarter of reading a register of 138,000 entries).
    """
    found: list[Kept] = _KEPT.findall(text)
    if sum(map(len, map("".join, found))) + _KEPT_FIXED * len(found) != len(text):
        return None
    return found


def _lines(text: str) -> dict[str, list[dict[str, Any]]] | None:
    """The document of plain entries written any way TOML allows a line at a time; None for any other text."""
    doc: dict[str, list[dict[str, Any]]] = {}
    entry: dict[str, Any] | None = None
    text_match, codes_match, header_match, skip_match = (
        _TEXT.fullmatch, _CODES.fullmatch, _HEADER.fullmatch, _SKIP.fullmatch)
    for line in text.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        m = text_match(line)
        if m is not None:
            key = m[1]
            if entry is None or key in entry:
                return None  # a top-level key, or a key given twice (an error tomllib names)
            entry[key] = m[2]
            continue
        m = header_match(line)
        if m is not None:
            entry = {}
            doc.setdefault(m[1], []).append(entry)
            continue
        m = codes_match(line)
        if m is not None:
            if entry is None or "codes" in entry:
                return None
            codes = _codes(m[1])
            if codes is None:
                return None
            entry["codes"] = codes
            continue
        if skip_match(line) is None:
            return None
    return doc


def _codes(inner: str) -> list[dict[str, str]] | None:
    """The inline tables of ``{ code = "..." }`` between an array's brackets; None for anything else."""
    codes: list[dict[str, str]] = []
    at, match = 0, _CODE.match
    while inner[at:].strip(" \t"):
        m = match(inner, at)
        if m is None:
            return None
        codes.append({"code": m[1]})
        at = m.end()
        if not m[2]:
            break  # no comma: nothing may follow
    return codes if not inner[at:].strip(" \t") else None
