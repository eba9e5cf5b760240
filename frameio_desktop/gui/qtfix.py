"""A guard against reference-count bugs in PySide6 6.12 on Python 3.11.

PySide6 6.12.0 loses a reference to `None` each time Python calls a Qt method that
returns nothing (`setText`, `processEvents`, ...), and one to `True` on each
`Signal.emit()`. On Python 3.12 and later these objects are immortal (PEP 683) and the
lost references do no harm. On 3.11 their counts reach zero: a window that updates its
countdown each second aborts within hours ("deallocating None"), and a wait loop that
calls `processEvents` can do it within a second. PySide 6.11 does not have the bug, but
QtWebEngine 6.11 is not published as a wheel of its own, which the app relies on.

So, on CPython before 3.12, the Qt layer gives `None`, `True` and `False` a reference
count no program can use up, which is what 3.12 does for them.
"""

from __future__ import annotations

import ctypes
import sys

#: Far more references than a process could ever lose (2**40 calls).
RESERVE = 1 << 40

_done = False


def make_singletons_immortal() -> bool:
    """Idempotent. Returns whether anything was changed."""
    global _done
    if _done or sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object.
        ctypes.c_ssize_t.from_address(id(obj)).value += RESERVE
    _done = True
    return True
