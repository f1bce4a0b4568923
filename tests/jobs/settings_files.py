"""Test settings for processes that share uploads with the test: files on disk under
``CASCADA_TEST_MEDIA_ROOT`` instead of in memory."""

from __future__ import annotations

import os

from cascada.config.settings.test import *  # noqa: F403
from cascada.config.settings.test import STORAGES

MEDIA_ROOT = os.environ["CASCADA_TEST_MEDIA_ROOT"]
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
