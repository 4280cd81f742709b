"""Password hashing: Argon2id with OWASP's parameters.

Django's own Argon2 hasher asks for 100 MiB of memory per hash (and eight lanes). Every login and every wrong
password then raises the gunicorn worker that checks it by 100 MB, which alone takes a worker past its memory
budget (bench/RESULTS.md), and five workers checking passwords at once need half a gigabyte. OWASP's Password
Storage Cheat Sheet names m = 19 MiB, t = 2, p = 1 as a minimum configuration for Argon2id. Local passwords are the
break-glass way in (people normally come through single sign-on) and axes limits guessing. Hashes made with other
parameters still verify, and are made again with these at the person's next login (``must_update``).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
