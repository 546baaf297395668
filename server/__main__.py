"""`python -m server` does what `tandem` does (serve by default)."""

import sys

from server.cli import main

sys.exit(main())
