"""Interim: the module moved whole; the next commit splits it by subject."""

from fagnett.meetings.services.agenda import *  # noqa: F403
