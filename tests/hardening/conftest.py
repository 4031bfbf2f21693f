"""The hardening tests use the session's demo dataset (``demo_dir``, ``dataset``) from
tests/conftest.py."""
