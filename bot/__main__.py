"""`python -m bot` reaches the same command line as the `studio-mentor` script."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
