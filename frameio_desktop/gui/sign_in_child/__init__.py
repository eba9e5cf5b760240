"""The sign-in page in a process of its own: `host` (the window's side, a `SignInHost`)
and `window` (the child's side: one web view, then exit). Starting the child and the
pipes between the two are Qt-free, in `frameio_desktop.core.sign_in_process`, so the
composition root can start a child before Qt is imported."""
