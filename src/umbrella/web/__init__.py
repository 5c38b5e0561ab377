"""``umbrella serve``: the what-if web app and its HTTP API, served offline by one process.

:func:`create_app` builds the FastAPI application (docs/web.md); :class:`Limits` holds the
bounds that keep one request from taking the machine. Nothing the app serves loads from
another host: the page's plotly.js comes from the ``plotly`` package, Swagger UI's files
from ``static/swagger``.
"""

from umbrella.web.app import create_app
from umbrella.web.limits import Limits

__all__ = ["Limits", "create_app"]
