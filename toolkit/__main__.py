"""Run the command line as `python -m toolkit`."""

import sys

from toolkit.cli import main

sys.exit(main())
