"""
JSON text decoded strictly: a repeated key is an error, not "the last value wins".

``{"looked_after": 5, "looked_after": 6}`` is valid JSON to the standard decoder, which keeps the 6;
for a record it means nobody knows which count is meant, so gradecheck reports it as unreadable.
The strict decoder says so, at the cost of a Python call per object; large files are decoded by the
C scanner instead, and :func:`no_repeats` tells, from the text alone and cheaply, whether the
strict decoder is needed.
"""

from __future__ import annotations

import json
import json.scanner
from typing import Any

__all__ = ["SCAN", "decode_one", "keys", "no_repeats"]

#: The C scanner behind json.loads: (value, end) for the JSON value at an index. It keeps the last
#: of repeated keys.
SCAN = json.scanner.make_scanner(json.JSONDecoder())


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKey(f"duplicate key '{key}' in one object (which value is meant?)")
        obj[key] = value
    return obj


_STRICT = json.JSONDecoder(object_pairs_hook=_no_duplicates)
_LENIENT = json.JSONDecoder()


def decode_one(text: str, start: int) -> tuple[Any, int, str | None]:
    """Decode one JSON value at *start*: (value, end, None) or (None, end, why) when it cannot be used."""
    try:
        value, end = _STRICT.raw_decode(text, start)
        return value, end, None
    except _DuplicateKey as err:
        _, end = _LENIENT.raw_decode(text, start)
        return None, end, str(err)
    except RecursionError:
        return None, -1, "JSON nested too deeply to read"
    except json.JSONDecodeError as err:
        return None, -1, f"invalid JSON: {err.msg} (line {err.lineno} column {err.colno})"
    except ValueError as err:
        # int() refuses numbers with thousands of digits; nobody means such a count.
        return None, -1, f"invalid JSON: {err}"


def no_repeats(value: dict[str, Any], text: str) -> bool:
    """
    True when no object in *text* (which decoded to *value*) repeats a key; False: let the strict decoder decide.

    Each key is followed by one ':', so when the text has exactly as many ':' as the objects have
    keys, none repeats (and no ':' hides in a string). Counting keys is cheap for the usual record,
    whose groups hold plain values: then the text's '{' are the record's and its groups' own.
    """
    found, objects = len(value), 1
    for v in value.values():
        if type(v) is dict:
            found += len(v)
            objects += 1
    if text.count("{") != objects:
        try:
            found = keys(value)  # deeper nesting, lists of objects, or braces in text
        except RecursionError:
            return False
    return text.count(":") == found


def keys(value: Any) -> int:
    """How many keys a decoded JSON value holds, nested objects included."""
    if type(value) is dict:
        return len(value) + sum(map(keys, value.values()))
    if type(value) is list:
        return sum(map(keys, value))
    return 0
