"""`python -m bot` is the same as `cchc`."""

import sys

from bot.cli import main

if __name__ == "__main__":  # build workers are spawned and import this module again
    sys.exit(main())
