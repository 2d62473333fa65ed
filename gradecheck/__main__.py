"""Run the command line: ``python -m gradecheck``."""

from gradecheck.cli import run

raise SystemExit(run())
