#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["analyze"]:
        # `analyze PATH` (a folder) needs no settings, database or apps: answered without
        # importing Django (axes/cli.py); anything else falls through to the Django command.
        from axes.cli import fast_main

        status = fast_main(sys.argv[2:])
        if status is not None:
            sys.exit(status)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mechanic.settings")
    # manage.py is the developer's tool: without a SECRET_KEY in the environment this is a
    # local checkout, so development settings apply. Production sets SECRET_KEY (and so keeps
    # DEBUG off unless it says otherwise); gunicorn never goes through this file.
    if not (os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE")):
        os.environ.setdefault("DEBUG", "1")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:  # settings read the environment: a malformed variable is one line, not a traceback
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings module
    except ImproperlyConfigured as exc:
        sys.exit(f"manage.py: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
