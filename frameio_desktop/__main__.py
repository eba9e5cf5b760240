import sys

from frameio_desktop.cli import main

sys.exit(main())
