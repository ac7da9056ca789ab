"""``bnptsearch serve``: a local web app and JSON API over an index (the ``serve`` extra).

>>> from bnptsearch.web import create_app                 # doctest: +SKIP
>>> app = create_app("index")                              # doctest: +SKIP
"""

from .app import create_app
from .server import access_warning, running, serve

__all__ = ["access_warning", "create_app", "running", "serve"]
