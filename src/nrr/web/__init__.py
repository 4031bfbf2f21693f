"""The web dashboard (``nrr serve``): FastAPI pages and a JSON API over the Python API.

The app lives in ``nrr.web.app`` (``create_app``); this package imports nothing itself so
that ``nrr --help`` and the other commands never pay for importing FastAPI.
"""
