"""Make the app icon's PNG, ICO and ICNS files from resources/icon.svg.

    .venv/bin/python scripts/make_icons.py

Qt renders the SVG at each size (so small sizes are drawn, not shrunk); Pillow packs the
Windows .ico and the macOS .icns.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(renderer: QSvgRenderer, size: int) -> Path:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    path = RESOURCES / f"icon-{size}.png"
    image.save(str(path))
    return path


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(RESOURCES / "icon.svg"))
    if not renderer.isValid():
        print("icon.svg is not valid SVG", file=sys.stderr)
        return 1
    paths = {size: render(renderer, size) for size in SIZES}
    largest = Image.open(paths[512])
    largest.save(RESOURCES / "icon.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    largest.save(RESOURCES / "icon.icns")
    for path in sorted(RESOURCES.glob("icon*")):
        print(path.name, path.stat().st_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
