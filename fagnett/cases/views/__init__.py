"""Interim: the module moved whole; the next commit splits it by subject."""

from fagnett.cases.views.workflow import *  # noqa: F403
