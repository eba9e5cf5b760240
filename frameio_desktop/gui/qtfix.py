"""A guard against reference-count bugs in PySide6 6.12 on Python 3.11.

PySide6 6.12.0 loses a reference to `None` each time Python calls a Qt method that
returns nothing (`setText`, `processEvents`, ...), and one to `True` on each
`Signal.emit()`. On Python 3.12 and later these objects are immortal (PEP 683) and the
lost references do no harm. On 3.11 their counts reach zero: a window that updates its
countdown each second aborts within hours ("deallocating None"), and a wait loop that
calls `processEvents` can do it within a second.

So, on CPython before 3.12, the Qt layer gives `None`, `True` and `False` a reference
count no program can use up, which is what 3.12 does for them. PySide 6.11, which the
macOS build is pinned to (pyproject.toml: 6.12's own modules need macOS 26), does not
have the bug; there the guard costs nothing and changes nothing a program can see.
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
