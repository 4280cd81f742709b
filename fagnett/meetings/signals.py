"""Signals an app above meetings may listen to, as meetings may not import it (docs/ARCHITECTURE.md, "Layers").

``minutes_approved`` is sent inside the approving transaction, after the minutes are saved as approved, with
``minutes`` (the approved version) and ``user`` (who approved). The cases app listens for it to record a network's
decision on a capacity recommendation that was put on the agenda (``cases.recommendations``); a receiver that
raises rolls the approval back.
"""

from django.dispatch import Signal

minutes_approved = Signal()
