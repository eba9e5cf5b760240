"""Frame.io desktop sign-in."""

#: The one place the version is written; pyproject.toml reads it from here. A literal,
#: because importlib.metadata costs `frameio-desktop token` ~40 ms at every start.
__version__ = "0.1.0"
