"""The sign-in page in a process of its own, in three parts: `process` (Qt-free: start the
child, talk to it over pipes), `host` (the window's side, a `SignInHost`) and `window`
(the child's side: one web view, then exit). Nothing here is imported by this file, so
importing `process` before Qt starts imports no Qt."""
