"""A real password hasher that counts how many passwords it has checked (for the concurrency test)."""

from __future__ import annotations

import threading

from django.contrib.auth.hashers import MD5PasswordHasher


class CountingMD5Hasher(MD5PasswordHasher):
    checks = 0
    _lock = threading.Lock()

    def verify(self, password: str, encoded: str) -> bool:
        with CountingMD5Hasher._lock:
            CountingMD5Hasher.checks += 1
        return super().verify(password, encoded)
