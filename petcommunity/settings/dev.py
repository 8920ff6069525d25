"""The settings `make run` and `manage.py` use by default."""

from .base import *  # noqa: F401,F403
