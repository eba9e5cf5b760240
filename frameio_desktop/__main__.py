import sys

from frameio_desktop.main import main

sys.exit(main())
