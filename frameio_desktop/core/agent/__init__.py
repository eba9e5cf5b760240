"""The running app's token service: scripts ask the app, as `ssh-add` asks ssh-agent.

`wire` (the socket's place and the messages) and `client` (the script's end) import only
the standard library, so `frameio-desktop token` stays cheap while the app runs; `service`
(what the app answers, Qt-free) and `server` (the socket) are the app's end.
"""
