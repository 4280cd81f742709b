"""A slow download builder for the tests that run real workers (tests/test_download_worker.py); installed only by
tests/worker_settings.py."""
