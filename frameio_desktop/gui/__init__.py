"""The thin Qt layer: window, sign-in web view, and the task runner. Logic lives in core.

The app's Qt code lives in this package (the self-test imports it too), so this runs
before the app's first Qt call: the reference-count guard (see qtfix). The script
commands (`token`, `status`, ...) never import this package
(tests/unit/test_import_graph.py).
"""

from frameio_desktop.gui.qtfix import make_singletons_immortal

make_singletons_immortal()  # before any Qt call: see qtfix
