"""The window's pages: one small widget class per state, each in its own module.

A page takes plain values (texts, flags) through its `show_*` methods and emits intents
("sign in", "copy token", "pick account") as signals. It never sees the controller; the
window (`gui/window.py`) routes between them.
"""
