"""The Qt-free core: settings, the sign-in flow, tokens, user and account lookup, storage, session.

Nothing under `frameio_desktop.core` imports PySide6.
"""
