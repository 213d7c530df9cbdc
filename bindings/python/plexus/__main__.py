"""`python -m plexus`: see plexus/cli.py."""
import sys

from .cli import main

sys.exit(main())
