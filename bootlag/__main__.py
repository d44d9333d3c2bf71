"""``python -m bootlag``: the same as the ``bootlag`` command."""

import sys

from .cli import main

sys.exit(main())
