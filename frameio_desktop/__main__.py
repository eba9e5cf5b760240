import sys

from frameio_desktop.launcher import main

sys.exit(main())
