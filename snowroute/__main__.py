"""Allow ``python -m snowroute``."""

import sys

from snowroute.cli import main

sys.exit(main())
