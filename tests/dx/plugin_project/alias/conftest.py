"""Imports the project's library first, as a conftest.py importing aiohttp-session would."""

import guard  # noqa: F401
