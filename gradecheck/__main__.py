"""Run the command line: ``python -m gradecheck``."""

from gradecheck.cli import run

run()
