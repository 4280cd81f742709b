"""The audit trail in words: each record's history and the region's audit log, read from django-simple-history."""
