"""Files to raw records: JSON, JSON Lines, CSV and workbooks, read directly or through a published layout's profile.

Profiles (read/profiles.py) and workbooks are imported when a file needs them, so that a run on a
small JSON Lines file starts fast.
"""

from __future__ import annotations

from .files import DATA_SUFFIXES, WORKBOOK_SUFFIXES, discover, read_path, read_range, read_text

__all__ = ["DATA_SUFFIXES", "WORKBOOK_SUFFIXES", "discover", "read_path", "read_range", "read_text"]
