"""The instructor's live class table: a JupyterHub service at /services/class-table/, for admins only.

Every learner whose server runs is graded from their own engine (classroom/grading.py) now and then, and at
once when the instructor asks (the Refresh button, or POST refresh). The latest signed evidence of each
learner is kept in the class folder, so the table also shows learners whose server is stopped, with the time
they were last graded. The table, its CSV and its JUnit XML are `labcheck class`'s own renderings.

Who may open it is JupyterHub's `access:services!service=class-table` scope, which only the admin role holds:
a learner's log-in reaches a 403.
"""
from __future__ import annotations

import html
import json
import os
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import ioloop, web

from checker.classroom import class_table, evidence
from classroom.grading import Graded, grade_learner
from classroom.settings import class_home, load

REFRESH_SECONDS = int(os.environ.get("CLASS_TABLE_REFRESH", "120"))
AT_ONCE = 4                       # learners graded side by side


class Grades:
    """The latest evidence per learner, on disk in the class folder, and what kept a learner ungraded."""

    def __init__(self, home: Path) -> None:
        self.settings = load(home)
        self.folder = home / "evidence"
        self.folder.mkdir(mode=0o700, exist_ok=True)
        self.problems: dict[str, str] = {}
        self.last_round: float | None = None
        self.lock = threading.Lock()

    def learners(self) -> list[str]:
        """The hub's users who are not admins (the service's token may list users)."""
        url = url_path_join(os.environ["JUPYTERHUB_API_URL"], "users")
        request = urllib.request.Request(url, headers={"Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return sorted(u["name"] for u in json.load(answer) if not u.get("admin"))

    def grade_all(self) -> list[Graded]:
        """Grade every learner whose engine runs; at most one round at a time."""
        import docker

        with self.lock:
            client = docker.from_env()
            try:
                with ThreadPoolExecutor(AT_ONCE) as pool:
                    results = list(pool.map(lambda n: grade_learner(client, self.settings, n), self.learners()))
            finally:
                client.close()
            for one in results:
                if one.document is not None:
                    self._keep(one)
                    self.problems.pop(one.name, None)
                else:
                    self.problems[one.name] = one.problem
            self.last_round = time.time()
            return results

    def _keep(self, one: Graded) -> None:
        found = json.loads(one.document)["evidence"]["learner"]
        from checker.classroom.learner import slug_of

        path = self.folder / f"{evidence.FILE_PREFIX}{slug_of(found['name'], found['value'])}.json"
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(one.document)
        os.replace(partial, path)

    def room(self) -> class_table.Classroom:
        key = self.settings.class_key.encode()
        return class_table.merge([evidence.check_file(p, key) for p in sorted(self.folder.glob("*.json"))])


class InstructorHandler(HubOAuthenticated, web.RequestHandler):
    @property
    def grades(self) -> Grades:
        return self.settings["grades"]


class TablePage(InstructorHandler):
    @web.authenticated
    def get(self):
        grades = self.grades
        room = grades.room()
        page = class_table.html_text(room, when_column="last graded")
        waiting = "".join(f"<li>{html.escape(name)}: {html.escape(why)}</li>" for name, why in
                          sorted(grades.problems.items()))
        last = time.strftime("%H:%M:%S", time.localtime(grades.last_round)) if grades.last_round else "not yet"
        controls = (f"<p>Graded from each learner's own engine every {REFRESH_SECONDS} s; last round: {last}. "
                    f"<form method='post' action='refresh' style='display:inline'>{self.xsrf_form_html()}"
                    "<button>Grade everyone now</button></form> "
                    "Export: <a href='class.csv'>CSV</a> · <a href='class.junit.xml'>JUnit XML</a></p>"
                    + (f"<h2>Not graded this round</h2><ul>{waiting}</ul>" if waiting else ""))
        self.finish(page.replace("</h1>", "</h1>" + controls, 1))


class Export(InstructorHandler):
    FORMS = {"class.csv": (class_table.csv_text, "text/csv"),
             "class.junit.xml": (class_table.junit_xml, "application/xml")}

    @web.authenticated
    def get(self, name):
        render, kind = self.FORMS[name]
        self.set_header("Content-Type", f"{kind}; charset=utf-8")
        self.set_header("Content-Disposition", f"attachment; filename={name}")
        self.finish(render(self.grades.room()))


class Refresh(InstructorHandler):
    def check_xsrf_cookie(self):
        # tornado checks before it asks who is there. For a token request, asking first lets JupyterHub's check
        # skip it (a token is no cookie to forge). Not for a browser's: its cookie log-in checks XSRF itself,
        # which would come back here.
        if self.request.headers.get("Authorization"):
            self.current_user  # noqa: B018
        return super().check_xsrf_cookie()

    @web.authenticated
    async def post(self):
        results = await ioloop.IOLoop.current().run_in_executor(None, self.grades.grade_all)
        if self.get_argument("_xsrf", None) is not None:          # the page's button: back to the table
            self.redirect(self.settings["prefix"])
            return
        self.finish({"graded": {r.name: {"passed": r.document is not None, "problem": r.problem,
                                         "seconds": round(r.seconds, 2)} for r in results}})


def main() -> None:
    from tornado.log import enable_pretty_logging

    enable_pretty_logging()                   # requests and errors into the hub's log, beside the hub's own
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    grades = Grades(class_home())
    app = web.Application([
        (prefix, TablePage),
        (url_path_join(prefix, "(class\\.csv|class\\.junit\\.xml)"), Export),
        (url_path_join(prefix, "refresh"), Refresh),
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
    ], cookie_secret=os.urandom(32), xsrf_cookies=True, grades=grades, prefix=prefix)
    url = urllib.parse.urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    app.listen(url.port, url.hostname)
    loop = ioloop.IOLoop.current()
    ioloop.PeriodicCallback(lambda: loop.run_in_executor(None, grades.grade_all), REFRESH_SECONDS * 1000).start()
    loop.add_callback(lambda: loop.run_in_executor(None, grades.grade_all))
    try:
        loop.start()
    except KeyboardInterrupt:            # the hub stopping: Ctrl-C reaches the whole process group
        pass


if __name__ == "__main__":
    main()
