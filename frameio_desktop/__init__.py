"""Frame.io desktop sign-in."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("frameio-desktop")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
