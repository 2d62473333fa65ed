"""Rule files to a checked RuleSet: the loader, the built-in set, and where rule and profile files are found.

Frameworks and scales (the vocabulary rules and readers share) live below this, in gradecheck/frameworks.py,
because the kinds read them too.
"""

from __future__ import annotations

from .load import Rule, RuleSet, builtin_rules_dir, default_ruleset, load_ruleset, toml_files

__all__ = ["Rule", "RuleSet", "builtin_rules_dir", "default_ruleset", "load_ruleset", "toml_files"]
