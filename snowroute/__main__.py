"""``python -m snowroute`` and the ``snowroute`` command.

The entry point imports the command line (and with it the GIS and solver
libraries) inside its own guard, so Ctrl-C during start-up also ends with one
line and exit code 130 instead of a traceback.
"""

import sys


def run() -> None:
    """Run the ``snowroute`` command line and exit with its code."""
    try:
        from snowroute.cli import main
    except KeyboardInterrupt:
        print("snowroute: interrupted.", file=sys.stderr)
        sys.exit(130)
    sys.exit(main())


if __name__ == "__main__":
    run()
