"""Signing in with the person's own browser (RFC 8252), without Qt.

- `loopback`: a one-shot HTTP listener on 127.0.0.1 or ::1 that receives the redirect.
- `handoff`: a per-user local socket over which a second instance, started by the
  operating system with a custom-scheme redirect URL, hands that URL to the first.
- `scheme`: registering the app as the handler of its custom redirect scheme.
- `launch`: opening the browser, and telling when there is no display to open it on.
- `paste`: `login --no-browser`, where the person pastes the final redirect URL.
"""
