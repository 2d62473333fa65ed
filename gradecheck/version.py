"""gradecheck's version, in a module of its own: the rule set's identity and every report name it, and importing
it must not import the package's public face (which names every layer)."""

__version__ = "0.1.0"
