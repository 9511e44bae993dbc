#!/usr/bin/env python3
"""Django's habitual entry point, for developers in a checkout: development mode by default.

Operators use the ``minehub`` command, which is secure by default (see docs/configuration.md).
"""

import os

from minehub.cli import main

if __name__ == "__main__":
    os.environ.setdefault("MINEHUB_DEBUG", "1")
    main()
