"""
gradecheck in the browser: a static page that runs gradecheck inside Pyodide, so records never leave the machine.

``page`` is the Python the page runs (importable and testable in CPython too), ``build`` writes the static
site (the page, the Pyodide runtime from the npm registry, wheels of gradecheck and its dependencies),
``serve`` serves it on 127.0.0.1, and ``browser`` is the small DevTools-protocol client the tests and the
benchmark drive headless Chromium with. Nothing is imported here, so the page pulls in only ``page``.
"""
