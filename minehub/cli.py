"""The ``minehub`` console command: Django's manage.py with MineHub's settings preselected."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minehub.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["minehub", *sys.argv[1:]])


if __name__ == "__main__":
    main()
