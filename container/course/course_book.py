"""A Jupyter server extension that serves the built book at /book/, so the course has one address."""
from __future__ import annotations

import os

BOOK = os.environ.get("COURSE_BOOK_HTML", "/opt/course/book-html")


def _jupyter_server_extension_points():
    return [{"module": "course_book"}]


def _load_jupyter_server_extension(serverapp):
    from jupyter_server.utils import url_path_join
    from tornado import web

    base = serverapp.web_app.settings["base_url"]
    serverapp.web_app.add_handlers(".*$", [
        (url_path_join(base, "book"), web.RedirectHandler, {"url": url_path_join(base, "book/")}),
        (url_path_join(base, "book/(.*)"), web.StaticFileHandler, {"path": BOOK, "default_filename": "index.html"}),
    ])
    serverapp.log.info("course_book: the book is served at %s", url_path_join(base, "book/"))
