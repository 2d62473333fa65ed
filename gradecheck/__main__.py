"""Run the command line: ``python -m gradecheck``."""

from gradecheck.cli import main

raise SystemExit(main())
