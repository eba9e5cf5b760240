"""Icons and desktop files, read with importlib.resources as `frameio_desktop.resources`."""
