"""The Qt-free core: settings, the login flow, tokens, account lookup, storage, session.

Nothing under `frameio_desktop.core` imports PySide6.
"""
