"""
Many short texts (the ids a dataset rule names records by), kept out of memory once they are many; and the
columns of a summary that is only merged and judged now, kept out of memory until then.

A summary that names records in its findings keeps every record's id, because any of them may be
named when the file has been read. At a million records those ids were 70 of the 118 MB the
summaries held, and nearly all are never read again: so past :data:`SPILL` bytes they are written to a
temporary file and read back (a few hundred, for the findings) by offset.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from array import array
from collections.abc import Iterator
from itertools import accumulate, islice, repeat
from typing import Any

__all__ = ["SPILL", "Column", "Texts", "joined", "loaded", "spilling"]

#: The most UTF-8 a Texts holds in memory: beyond it, its texts so far are written to its file.
SPILL = 1 << 20
_COLUMN = 1 << 16  # the fewest bytes a Column keeps in a file: a smaller one stays in memory
_WIDE = (1 << 32) - 1  # the largest offset a 32-bit end holds

_CAN_SPILL = hasattr(os, "pread") and hasattr(os, "pwrite")  # not on Windows: there the texts stay in memory
_COPY_RANGE = hasattr(os, "copy_file_range")  # Linux
_READ_INTO = hasattr(os, "preadv")  # read into an array's memory (not macOS before 11)
_DIRECTORY: list[str] = []  # the directory of the spilling() open in this process (or inherited by a fork), if any
_OPEN = [0]  # how many spilling() are open in this process: the directory goes when the last one ends
_LOCK = threading.Lock()


@contextlib.contextmanager
def spilling() -> Iterator[None]:
    """
    While open, files are spilled into a directory of their own, by name: a forked worker hands its texts over by
    the file's name (see :meth:`Texts.__getstate__`), not by pickling their contents, which doubled them in the
    receiving process as they arrived. The directory is removed when the last one open ends (two threads may
    check files at once): a file that is still open stays readable to whoever has it open (POSIX), and a worker
    killed before it handed over leaves nothing behind.
    """
    with _LOCK:
        if not _DIRECTORY:
            with contextlib.suppress(OSError):  # TMPDIR cannot be written: workers hand their texts over whole
                _DIRECTORY.append(tempfile.mkdtemp(prefix="gradecheck-"))
        _OPEN[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _OPEN[0] -= 1
            if not _OPEN[0] and _DIRECTORY:
                shutil.rmtree(_DIRECTORY.pop(), ignore_errors=True)


class Texts:
    """
    Texts in one buffer, each named by its index: as a str in a list an id costs about 60 bytes beside its
    characters, here 4 (its end offset, 8 past 4 GiB), and past :data:`SPILL` bytes its characters are on disk.

    The texts so far are in a file (bytes ``[0, spilled)``) and the rest in :attr:`data`; a spill writes all of
    :attr:`data`, so no text is split between the two. A process writes only to a file it made itself: a file
    received from a worker, or inherited by a fork, is copied before anything is added to it.
    """

    __slots__ = ("_fd", "_kept", "_owner", "_path", "data", "ends", "spilled")

    def __init__(self) -> None:
        self.data = bytearray()  # each text's UTF-8 (surrogates kept: JSON can carry them), from byte `spilled` on
        self.ends = array("I")  # where each text ends, counted from the first text's start (see _room)
        self.spilled = 0  # how many bytes are in the file
        self._fd = -1  # the file, once there is one
        self._path: str | None = None  # its name, while another process may open it (see spilling)
        self._owner = 0  # the process that made the file: only it writes to it
        self._kept = False  # a write failed (no room, no right to write): what is not in the file stays in memory

    def __len__(self) -> int:
        return len(self.ends)

    def append(self, text: str) -> bytes:
        """Keep *text* as the next index; its UTF-8 is returned (a caller may hash it)."""
        encoded = text.encode("utf-8", "surrogatepass")
        data = self.data
        data += encoded
        end = self.spilled + len(data)
        if end > _WIDE:
            self._room(end)
        self.ends.append(end)
        if len(data) > SPILL:
            self._spill()
        return encoded

    def add_all(self, texts: list[str]) -> list[bytes]:
        """:meth:`append` for each of *texts* in turn, a column at a time; their UTF-8 is returned."""
        encoded = list(map(str.encode, texts, repeat("utf-8"), repeat("surrogatepass")))
        size = self.spilled + len(self.data)
        self.data += b"".join(encoded)
        self._room(self.spilled + len(self.data))
        self.ends.extend(islice(accumulate(map(len, encoded), initial=size), 1, None))
        if len(self.data) > SPILL:
            self._spill()
        return encoded

    def encoded(self, index: int) -> bytes:
        ends, spilled = self.ends, self.spilled
        start, end = ends[index - 1] if index else 0, ends[index]
        if start >= spilled:
            return bytes(self.data[start - spilled:end - spilled])
        return _read(self._fd, start, end - start)

    def __getitem__(self, index: int) -> str:
        return self.encoded(index).decode("utf-8", "surrogatepass")

    def extend(self, later: Texts) -> None:
        """Add *later*'s texts after these. *later* is spent: its file may be taken as it is."""
        size = self.spilled + len(self.data)
        self._room(size + (later.ends[-1] if later.ends else 0))
        ends = self.ends
        moved = (later.ends if not size and later.ends.typecode == ends.typecode
                 else array(ends.typecode, map(size.__add__, later.ends)))
        if not later.spilled:
            self.data += later.data
        elif not size:  # nothing here yet: later's file becomes this one's
            self._close()
            self._fd, self._path, self._owner, self.spilled = later._fd, later._path, later._owner, later.spilled
            self.data = later.data
            later._fd, later._path = -1, None
        else:  # this file (all of this), then later's file, then later's memory
            self._spill()
            copied = False
            if not self.data:  # all of this one is in its file
                try:
                    _copy(later._fd, self._writable(), later.spilled, self.spilled)
                    copied = True
                except OSError:  # a copy cut short lies past `spilled`, never read
                    self._kept = True
            if copied:
                self.spilled += later.spilled
                self.data = bytearray(later.data)
            else:  # later's texts join this one's in memory
                self.data += _read(later._fd, 0, later.spilled) + later.data
        self.ends.extend(moved)
        later.data, later.ends = bytearray(), array("I")
        if len(self.data) > SPILL:
            self._spill()

    def _room(self, end: int) -> None:
        """
        Make :attr:`ends` hold offsets up to *end*: 32 bits each until the texts pass 4 GiB (8 bytes a text were
        6.4 MB of a million-record run's peak, the ids of the unique ids' and the visits' summaries), 64 after.
        """
        if end > _WIDE and self.ends.typecode != "Q":
            self.ends = array("Q", self.ends)

    def _spill(self) -> None:
        """Write all of :attr:`data` to the end of the file; where that fails, keep it (and what follows) in memory."""
        if not self.data or not _CAN_SPILL or self._kept:
            return
        try:
            _write(self._writable(), self.data, self.spilled)
        except OSError:  # a full disk, a TMPDIR that cannot be written: a run's memory, never its end
            self._kept = True
            return
        self.spilled += len(self.data)
        self.data = bytearray()

    def _writable(self) -> int:
        """The file, made by this process (a copy of one it did not make: two writers would overwrite each other)."""
        if self._fd >= 0 and self._owner == os.getpid():
            return self._fd
        directory = _DIRECTORY[0] if _DIRECTORY else None
        fd, path = tempfile.mkstemp(prefix="texts-", dir=directory)
        if directory is None:  # no one else will open it: it goes when it is closed
            os.unlink(path)
            path = None
        if self._fd >= 0:
            try:
                _copy(self._fd, fd, self.spilled, 0)
            except OSError:
                os.close(fd)
                raise
            self._close()
        self._fd, self._path, self._owner = fd, path, os.getpid()
        return fd

    def _close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
        self._fd, self._path = -1, None

    def __del__(self) -> None:
        if getattr(self, "_fd", -1) >= 0:
            os.close(self._fd)

    def __getstate__(self) -> tuple[str | None, int, bytes, array]:
        """By the file's name while the receiver can open it (a worker handing over: see spilling), else whole."""
        path = self._path
        if self.spilled and path is not None and self._owner == os.getpid() and os.path.exists(path):
            return path, self.spilled, bytes(self.data), self.ends
        head = _read(self._fd, 0, self.spilled) if self.spilled else b""
        return None, 0, head + self.data, self.ends

    def __setstate__(self, state: tuple[str | None, int, bytes, array]) -> None:
        path, self.spilled, data, self.ends = state
        self.data = bytearray(data)
        self._fd, self._path, self._owner, self._kept = -1, None, 0, False
        if path is not None:
            self._fd = os.open(path, os.O_RDONLY)  # read only: what is added goes to a file of this process's own
        elif len(self.data) > SPILL:
            self._spill()


class Column:
    """
    An array a summary will not add to again (see Summary.rest), kept in a file of the directory spilling() opened
    until it is asked for whole (:meth:`load`): a worker hands it over by the file's name, and a process that
    never judges it (the judging is shared out: see _Run.finish_shares) never reads it. Outside spilling(), or
    where the file cannot be written, the array stays as it is.
    """

    __slots__ = ("_fd", "_path", "count", "kept", "typecode")

    def __init__(self, values: array) -> None:
        self.typecode, self.count = values.typecode, len(values)
        self.kept: array | None = values  # the values, while they are in memory
        self._fd, self._path = -1, None
        if not (_CAN_SPILL and _DIRECTORY and len(values) * values.itemsize >= _COLUMN):
            return
        try:
            fd, path = tempfile.mkstemp(prefix="column-", dir=_DIRECTORY[0])
        except OSError:
            return
        try:
            _write(fd, memoryview(values).cast("B"), 0)
        except OSError:  # a full disk: the values stay in memory
            os.close(fd)
            os.unlink(path)
            return
        self._fd, self._path, self.kept = fd, path, None

    def load(self) -> array:
        """
        The values, read back from the file (once: it is let go) straight into their array: read as bytes first,
        they were held twice while the array was made (8 MB for a million records' owners).
        """
        if self.kept is None:
            values = array(self.typecode, [0]) * self.count
            self.read_into(values, 0)
            self.kept = values
            os.close(self._fd)
            self._fd, self._path = -1, None
        return self.kept

    def __len__(self) -> int:
        return self.count

    def read_into(self, values: array, at: int) -> None:
        """Put the values into *values* (of this typecode) from index *at* on, read from the file or copied."""
        if self.kept is not None:
            values[at:at + self.count] = self.kept
            return
        with memoryview(values) as view, view.cast("B") as whole:
            room = whole[at * values.itemsize:(at + self.count) * values.itemsize]
            done = 0
            while done < len(room):
                if _READ_INTO:
                    got = os.preadv(self._fd, [room[done:]], done)
                else:  # read, then copied in
                    block = os.pread(self._fd, min(len(room) - done, 1 << 22), done)
                    room[done:done + len(block)] = block
                    got = len(block)
                if not got:
                    raise OSError(f"a spilled column's file ended {len(room) - done} bytes early")
                done += got

    def __del__(self) -> None:
        if getattr(self, "_fd", -1) >= 0:
            os.close(self._fd)

    def __getstate__(self) -> tuple[str, int, str | None, array | None]:
        """By the file's name while the receiver can open it (a worker handing over), else the values."""
        path = self._path
        if path is not None and os.path.exists(path):
            return self.typecode, self.count, path, None
        return self.typecode, self.count, None, self.load()

    def __setstate__(self, state: tuple[str, int, str | None, array | None]) -> None:
        self.typecode, self.count, path, self.kept = state
        self._fd, self._path = -1, None
        if path is not None:
            self._fd = os.open(path, os.O_RDONLY)


def loaded(values: array | Column) -> array:
    """A summary's column as an array, read back if it was kept in a file (see Column)."""
    return values.load() if type(values) is Column else values  # type: ignore[union-attr, return-value]


def joined(first: array | Column, then: array | Column) -> array:
    """
    Two columns of one typecode as one array, made at its size with each read straight into it: where a column is
    kept in a file, no copy of it is held beside the array (see Column.read_into).
    """
    out = array(first.typecode, [0]) * (len(first) + len(then))
    for part, at in ((first, 0), (then, len(first))):
        if type(part) is Column:
            part.read_into(out, at)  # type: ignore[union-attr]
        else:
            out[at:at + len(part)] = part  # type: ignore[assignment]
    return out


def _read(fd: int, at: int, size: int) -> bytes:
    out = b""
    while len(out) < size:
        block = os.pread(fd, size - len(out), at + len(out))
        if not block:
            raise OSError(f"a spilled texts file ended {size - len(out)} bytes early")
        out += block
    return out


def _write(fd: int, data: Any, at: int) -> None:
    with memoryview(data) as view:
        done = 0
        while done < len(view):
            done += os.pwrite(fd, view[done:], at + done)


def _copy(source: int, target: int, size: int, at: int) -> None:
    """
    Bytes [0, size) of *source* to *target* at *at*: by the kernel where it can (no block of them in this
    process), else a block at a time.
    """
    done = 0
    while done < size and _COPY_RANGE:
        try:
            copied = os.copy_file_range(source, target, size - done, done, at + done)
        except OSError:  # not between these files (another file system, an old kernel): as below, from here
            break
        if not copied:
            raise OSError(f"a spilled texts file ended {size - done} bytes early")
        done += copied
    while done < size:
        block = _read(source, done, min(size - done, 1 << 22))
        _write(target, block, at + done)
        done += len(block)
