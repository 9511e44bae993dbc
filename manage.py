#!/usr/bin/env python3
"""Django's habitual entry point; operators use the equivalent ``minehub`` command."""

from minehub.cli import main

if __name__ == "__main__":
    main()
