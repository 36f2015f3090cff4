"""Lesson 6: bind mounts: live edits, read-only configuration files, missing host paths, file ownership."""
from ..checks import (container_exists, container_file, container_finished, container_running, container_user,
                      has_mount, host_file)
from ..exercise import Exercise, Mistake, Owned
from ..lesson import Lesson

LESSON = Lesson(
    number=6, slug="bind-mounts", title="Bind mounts",
    summary="live edits, read-only configuration files, missing host paths and file ownership.")
IMAGE = "busybox:1.36"
DRAFT = ('mkdir -p "$WORKSPACE/site" && echo "first draft" > "$WORKSPACE/site/index.html"')
RUN_LIVE = f'docker run -d --name lab-live -v "$WORKSPACE/site":/var/www:ro {IMAGE} httpd -f -p 8080 -h /var/www'
EDIT = 'echo "edited on the host" > "$WORKSPACE/site/index.html"'

LIVE_EDITS = Exercise(
    id="ex14",
    title="Edit on the host, see it in the container",
    part_of=LESSON,
    goal=("Create site/index.html in your workspace saying 'first draft'. Run lab-live detached, with that folder "
          "bind-mounted read-only at /var/www, serving it with httpd -f -p 8080 -h /var/www. Then change index.html "
          "on the host to 'edited on the host', without restarting anything."),
    owns=Owned(containers=("lab-live",), host_paths=("site",)),
    checks=(
        container_exists("lab-live", how=f"Run `{DRAFT}`, then `{RUN_LIVE}`."),
        has_mount("lab-live", "/var/www", "bind", "$WORKSPACE/site", read_only=True,
                  flag='-v "$WORKSPACE/site":/var/www:ro'),
        container_running("lab-live"),
        container_file("lab-live", "/var/www/index.html", contains="edited on the host", next_step=(
            f"Edit the file on the host: `{EDIT}`. The container sees the change at once.")),
    ),
    hints=(
        "-d runs the container in the background; httpd -f keeps the server in the foreground of the container.",
        "Add :ro after the container path: the server only needs to read the site.",
        f"{DRAFT}; {RUN_LIVE}; {EDIT}",
    ),
    solution=(DRAFT, RUN_LIVE, EDIT),
    mistakes=(
        Mistake("did not edit", (DRAFT, RUN_LIVE), "does not contain 'edited on the host'"),
        Mistake("read-write mount", (DRAFT, f'docker run -d --name lab-live -v "$WORKSPACE/site":/var/www {IMAGE} '
                                            "httpd -f -p 8080 -h /var/www", EDIT),
                "In lab-live, /var/www is mounted read-write"),
        Mistake("server left the foreground", (DRAFT, f'docker run -d --name lab-live -v "$WORKSPACE/site":/var/www:ro '
                                                      f"{IMAGE} httpd -p 8080 -h /var/www", EDIT),
                "lab-live is not running"),
    ),
)

CONF = "printf 'A:*\\n' > \"$WORKSPACE/httpd.conf\""
RUN_CONF = ('docker run -d --name lab-web-conf --mount type=bind,source="$WORKSPACE/httpd.conf",'
            f"target=/etc/httpd.conf,readonly {IMAGE} httpd -f -p 8080 -h /tmp -c /etc/httpd.conf")

CONFIG_FILE = Exercise(
    id="ex15",
    title="A read-only configuration file for a web server",
    part_of=LESSON,
    goal=("Write httpd.conf in your workspace with the single line 'A:*' (allow every client). Run lab-web-conf "
          "detached with just that file bind-mounted read-only at /etc/httpd.conf, running "
          "httpd -f -p 8080 -h /tmp -c /etc/httpd.conf."),
    owns=Owned(containers=("lab-web-conf",), host_paths=("httpd.conf",)),
    checks=(
        container_exists("lab-web-conf", how=f"Run `{CONF}`, then `{RUN_CONF}`."),
        has_mount("lab-web-conf", "/etc/httpd.conf", "bind", "$WORKSPACE/httpd.conf", read_only=True,
                  flag='--mount type=bind,source="$WORKSPACE/httpd.conf",target=/etc/httpd.conf,readonly'),
        container_running("lab-web-conf"),
        container_file("lab-web-conf", "/etc/httpd.conf", contains="A:*", next_step=f"Write the file: `{CONF}`."),
    ),
    hints=(
        "A bind mount can map a single file, not only a folder.",
        "--mount refuses a source that does not exist, where -v would create a folder in its place.",
        f"{CONF}; {RUN_CONF}",
    ),
    solution=(CONF, RUN_CONF),
    mistakes=(
        Mistake("read-write", (CONF, f'docker run -d --name lab-web-conf -v "$WORKSPACE/httpd.conf":/etc/httpd.conf '
                                     f"{IMAGE} httpd -f -p 8080 -h /tmp -c /etc/httpd.conf"),
                "In lab-web-conf, /etc/httpd.conf is mounted read-write"),
        Mistake("mounted the folder", (CONF, f'docker run -d --name lab-web-conf -v "$WORKSPACE":/etc/httpd.conf:ro '
                                             f"{IMAGE} httpd -f -p 8080 -h /tmp"),
                "/etc/httpd.conf is bound to"),
    ),
)

CHOWN = f'docker run --rm -v "$WORKSPACE/out":/out {IMAGE} chown 1000:1000 /out'
RUN_OWNER = (f'docker run --name lab-owner --user 1000:1000 -v "$WORKSPACE/out":/out {IMAGE} '
             "sh -c 'echo report from uid $(id -u) > /out/report.txt'")

OWNERSHIP = Exercise(
    id="ex16",
    title="Files that belong to you, not to root",
    part_of=LESSON,
    goal=("Bind-mount the folder out in your workspace (let -v create it: it will belong to root). Hand it to UID "
          "1000 with a container running chown 1000:1000 /out. Then run lab-owner as --user 1000:1000, writing "
          "/out/report.txt, so that the file on the host belongs to UID 1000. Leave lab-owner stopped."),
    owns=Owned(containers=("lab-owner",), host_paths=("out",)),
    checks=(
        container_exists("lab-owner", how=f"Run `{CHOWN}`, then `{RUN_OWNER}`."),
        container_user("lab-owner", "1000:1000"),
        has_mount("lab-owner", "/out", "bind", "$WORKSPACE/out", flag='-v "$WORKSPACE/out":/out'),
        container_finished("lab-owner"),
        host_file("$WORKSPACE/out/report.txt", contains="report from uid 1000", owner_uid=1000,
                  next_step=f"Run `{RUN_OWNER}` after `{CHOWN}`."),
    ),
    hints=(
        "Without --user, the process runs as the image's user, usually root (UID 0).",
        "A folder that -v created belongs to root; a container can chown it, since inside it you are root.",
        f"{CHOWN}; {RUN_OWNER}",
    ),
    solution=(CHOWN, RUN_OWNER),
    mistakes=(
        Mistake("ran as root", (CHOWN, f'docker run --name lab-owner -v "$WORKSPACE/out":/out {IMAGE} '
                                       "sh -c 'echo report from uid $(id -u) > /out/report.txt'"),
                "lab-owner runs as root"),
        Mistake("no chown: permission denied", (RUN_OWNER,), "exited with code 1"),
    ),
)

EXERCISES = (LIVE_EDITS, CONFIG_FILE, OWNERSHIP)
