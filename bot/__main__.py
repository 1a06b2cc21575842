"""`python -m bot` is the same as `cchc`."""

import sys

from bot.cli import main

sys.exit(main())
