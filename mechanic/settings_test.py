"""Settings for the test suite: ``mechanic.settings`` with development defaults (DEBUG on, so
no SECRET_KEY is needed) unless the environment says otherwise. Celery workers started by the
tests inherit DJANGO_SETTINGS_MODULE and so run on the same settings."""

import os

os.environ.setdefault("DEBUG", "1")

from mechanic.settings import *  # noqa: E402,F403
