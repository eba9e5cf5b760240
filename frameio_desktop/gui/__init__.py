"""The thin Qt layer: window, login web view, and the task runner. Logic lives in core."""

from frameio_desktop.gui.qtfix import make_singletons_immortal

make_singletons_immortal()  # before any Qt call: see qtfix
