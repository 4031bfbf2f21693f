"""The web dashboard (``nrr serve``): FastAPI pages and a JSON API over the Python API.

The app lives in ``nrr.web.app`` (``create_app``); this package imports nothing itself so
that ``nrr --help`` and the other commands never pay for importing FastAPI. The ``nrr
serve`` command that binds the socket and runs uvicorn is an interface of its own, in
``nrr.cli.serve``: nothing here imports the command line.
"""
