"""
How a forked worker's result travels to the process that forked it: pickled, its arrays' items sent raw after.

A worker's result holds its summaries' columns, arrays of a few MB each. Pickled as usual, each array's bytes
are memoized by the unpickler until the whole result is read, beside the arrays made from them: at a million
records, 33 MB more than the result itself, at the run's peak. Here each array is pickled as an empty
placeholder, and its items follow the pickle, read into the placeholder one array at a time.
Imported by gradecheck/engine/parallel.py only when a run forks.
"""

from __future__ import annotations

import io
import pickle
import threading
from array import array
from collections.abc import Callable
from typing import Any, BinaryIO

__all__ = ["dump", "load", "prepare"]

_LOADING = threading.local()  # the placeholders of the result being read in this thread, with their lengths


def _placeholder(typecode: str, n: int) -> array:
    made = array(typecode)
    _LOADING.arrays.append((made, n))
    return made


class _Pickler(pickle.Pickler):
    def __init__(self, file: BinaryIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.arrays: list[array] = []

    def reducer_override(self, obj: Any) -> Any:
        # Called for objects that are not of the built-in types pickle handles itself; an array met again is
        # found in the memo, so it is sent once and read into one placeholder.
        if type(obj) is array:
            self.arrays.append(obj)
            return _placeholder, (obj.typecode, len(obj))
        return NotImplemented


def dump(value: Any, file: BinaryIO) -> None:
    """Write *value* to *file*: its pickle, then each of its arrays' items (see prepare)."""
    prepare(value)(file)


def prepare(value: Any) -> Callable[[BinaryIO], None]:
    """
    *value* pickled, and what writes it to a file: its pickle, then each of its arrays' items, from the arrays
    themselves. Pickled whole first, so that an unpicklable value raises here before anything is written; the
    arrays are not copied (a worker that wrote its result into a buffer first held its arrays twice: at a million
    records that took the worker's peak, the run's largest then, from 136 to 160 MiB).
    """
    pickled = io.BytesIO()
    pickler = _Pickler(pickled)
    pickler.dump(value)
    arrays = pickler.arrays

    def write(file: BinaryIO) -> None:
        file.write(pickled.getbuffer())
        for each in arrays:
            each.tofile(file)

    return write


def load(file: BinaryIO) -> Any:
    """Read what :func:`dump` wrote (EOFError if it ends early)."""
    _LOADING.arrays = []
    try:
        value = pickle.Unpickler(file).load()
        for made, n in _LOADING.arrays:
            made.fromfile(file, n)  # type: ignore[arg-type]
    finally:
        del _LOADING.arrays
    return value
