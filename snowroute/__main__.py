"""Allow ``python -m snowroute``."""

import sys

from snowroute.cli import main

if __name__ == "__main__":
    sys.exit(main())
