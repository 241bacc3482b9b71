#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fibrosite.settings")
    from django.core.management import execute_from_command_line

    from fibrosite.config import ConfigError

    try:
        execute_from_command_line(sys.argv)
    except ConfigError as error:  # bad configuration: one line naming the variable
        sys.exit(f"FibroSite configuration error: {error}")


if __name__ == "__main__":
    main()
