"""setuptools reads everything from pyproject.toml but the package list, found here.

Found, not listed, so that a new package cannot be left out of the wheel again; the
top-level resources/ folder is added as `frameio_desktop.resources` (its folder mapping is
in pyproject.toml), which `[tool.setuptools.packages.find]` cannot express: it only finds
packages whose folders are named after them. tests/packaging/test_wheel.py installs the
wheel and checks that every package in the tree is in it.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["frameio_desktop", "frameio_desktop.*"]),
        "frameio_desktop.resources",
    ]
)
