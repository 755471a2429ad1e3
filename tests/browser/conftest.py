"""The browser fixtures (browser, live, shots) live in tests/conftest.py: one Playwright for the whole run."""
