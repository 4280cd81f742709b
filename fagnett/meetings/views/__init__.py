"""Interim: the module moved whole; the next commit splits it by subject."""

from fagnett.meetings.views.minutes import *  # noqa: F403
