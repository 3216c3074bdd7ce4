"""``python -m cdse_intake.cli``: the same as the ``cdse-intake`` command."""

import sys

from .app import main

sys.exit(main())
