"""Django wiring for Mechanic: settings, URLs, Celery app, WSGI/ASGI.

The Celery app is not imported here (Django's usual recipe) because importing Celery costs a
third of a second in every ``manage.py`` call, such as ``analyze``, that never enqueues
anything. The task modules import ``mechanic.celery`` themselves, so any process that can send
or run a task has the configured app; ``celery -A mechanic`` finds it through ``celery_app``.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("celery_app", "app"):
        from .celery import app

        return app
    raise AttributeError(name)
