"""Lesson 6: bind mounts: live edits, read-only configuration files, missing host paths, file ownership."""
from checker.grading.checks import (container_exists, container_file, container_finished, container_running, container_user,
                      has_mount, host_file, host_file_changed_after_start)
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson

LESSON = Lesson(
    number=6, slug="bind-mounts", title="Bind mounts",
    summary="live edits, read-only configuration files, missing host paths and file ownership.")
IMAGE = "busybox:1.36"
DRAFT = ('mkdir -p "$WORKSPACE/site" && echo "first draft" > "$WORKSPACE/site/index.html"')
RUN_LIVE = f'docker run -d --name lab-live -v "$WORKSPACE/site":/var/www:ro {IMAGE} httpd -f -p 8080 -h /var/www'
EDIT = 'echo "edited on the host" > "$WORKSPACE/site/index.html"'
MANGLED = "Program Files/Git/site"      # where Git Bash's MSYS conversion sends a path like /site
MANGLED_DIR = f'mkdir -p "$WORKSPACE/{MANGLED}" && cp "$WORKSPACE/site/index.html" "$WORKSPACE/{MANGLED}/"'

LIVE_EDITS = Exercise(
    id="ex14",
    title="Edit on the host, see it in the container",
    part_of=LESSON,
    goal=("Create site/index.html in your workspace saying 'first draft'. Run lab-live detached, with that folder "
          "bind-mounted read-only at /var/www, serving it with httpd -f -p 8080 -h /var/www. Then change index.html "
          "on the host to 'edited on the host', without restarting anything."),
    owns=Owned(containers=("lab-live",), host_paths=("site", "Program Files")),
    checks=(
        container_exists("lab-live", how=f"Run `{DRAFT}`, then `{RUN_LIVE}`."),
        has_mount("lab-live", "/var/www", "bind", "$WORKSPACE/site", read_only=True,
                  flag='-v "$WORKSPACE/site":/var/www:ro'),
        container_running("lab-live"),
        container_file("lab-live", "/var/www/index.html", lines=("edited on the host",), next_step=(
            f"Edit the file on the host: `{EDIT}`. The container sees the change at once.")),
        host_file_changed_after_start("$WORKSPACE/site/index.html", "lab-live", message=(
            "index.html was last changed before lab-live started, so nothing shows that the running container "
            "sees an edit made on the host."), next_step=f"Edit it now, while lab-live runs: `{EDIT}`."),
    ),
    hints=(
        "-d runs the container in the background; httpd -f keeps the server in the foreground of the container.",
        "Add :ro after the container path: the server only needs to read the site.",
        f"{DRAFT}; {RUN_LIVE}; {EDIT}",
    ),
    solution=(DRAFT, RUN_LIVE, EDIT),
    mistakes=(
        Mistake("did not edit", (DRAFT, RUN_LIVE), "does not hold the expected lines",
                hint=("lab-live serves your folder, but index.html still holds the first draft. Change it on the "
                      'host: `echo "edited on the host" > "$WORKSPACE/site/index.html"`; there is nothing to '
                      "restart.")),
        Mistake("edited before starting", (DRAFT, EDIT, RUN_LIVE), "was last changed before lab-live started",
                hint=("index.html already said 'edited on the host' when lab-live started, so this shows nothing "
                      f"about live edits. Change it while lab-live runs: `{EDIT}`.")),
        Mistake("read-write mount", (DRAFT, f'docker run -d --name lab-live -v "$WORKSPACE/site":/var/www {IMAGE} '
                                            "httpd -f -p 8080 -h /var/www", EDIT),
                "In lab-live, /var/www is mounted read-write",
                hint=("lab-live could write into your site folder. Remove it (`docker rm -f lab-live`) and run it "
                      'again with :ro after /var/www: `-v "$WORKSPACE/site":/var/www:ro`.')),
        Mistake("server left the foreground", (DRAFT, f'docker run -d --name lab-live -v "$WORKSPACE/site":/var/www:ro '
                                                      f"{IMAGE} httpd -p 8080 -h /var/www",
                                             "docker wait lab-live", EDIT),   # the end state: it has exited
                "lab-live is not running",
                hint=("lab-live stopped: without -f, httpd moves to the background, the container's main process "
                      "ends, and the container with it. Remove it (`docker rm lab-live`) and run it again with "
                      "`httpd -f -p 8080 -h /var/www`.")),
        # What Git Bash on Windows does to `-v "$PWD/site":/var/www`: it rewrites paths that start with /
        # into its own install folder. Simulated here with a host folder of that name.
        Mistake("Git Bash rewrote the path", (DRAFT, MANGLED_DIR, f'docker run -d --name lab-live -v '
                                              f'"$WORKSPACE/{MANGLED}":/var/www:ro {IMAGE} httpd -f -p 8080 -h /var/www'),
                "Git Bash rewrote a path",
                hint=("The host path in lab-live's mount went through Git Bash's path conversion. Remove lab-live "
                      "(`docker rm -f lab-live`) and run it again with `MSYS_NO_PATHCONV=1` in front of "
                      "`docker run`, or from PowerShell.")),
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
        container_file("lab-web-conf", "/etc/httpd.conf", lines=("A:*",), next_step=f"Write the file: `{CONF}`."),
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
                "In lab-web-conf, /etc/httpd.conf is mounted read-write",
                hint=("lab-web-conf could write to your httpd.conf. Remove it (`docker rm -f lab-web-conf`) and run"
                      ' it again with `-v "$WORKSPACE/httpd.conf":/etc/httpd.conf:ro`.')),
        Mistake("mounted the folder", (CONF, f'docker run -d --name lab-web-conf -v "$WORKSPACE":/etc/httpd.conf:ro '
                                             f"{IMAGE} httpd -f -p 8080 -h /tmp"),
                "/etc/httpd.conf is bound to",
                hint=("/etc/httpd.conf is bound to a folder, not to your file; a bind mount can be one file. Remove"
                      " lab-web-conf (`docker rm -f lab-web-conf`) and run it again with `-v "
                      '"$WORKSPACE/httpd.conf":/etc/httpd.conf:ro`.')),
    ),
)

CHOWN = f'docker run --rm -v "$WORKSPACE/out":/out {IMAGE} chown 1000:1000 /out'
RUN_OWNER = (f'docker run --name lab-owner --user 1000:1000 -v "$WORKSPACE/out":/out {IMAGE} '
             "sh -c 'echo report from uid $(id -u) > /out/report.txt'")

OWNERSHIP = Exercise(
    id="ex16",
    title="Files that belong to you, not to root",
    part_of=LESSON,
    goal=("Bind-mount the folder out in your workspace (let -v create it: it will belong to root, or to you with "
          "rootless Docker). Hand it to UID 1000 with a container running chown 1000:1000 /out. Then run lab-owner "
          "as --user 1000:1000, writing the line 'report from uid 1000' to /out/report.txt (echo report from uid "
          "$(id -u) says which user wrote it), so that the file on the host belongs to UID 1000 (with "
          "rootless Docker: to the host UID that container UID 1000 maps to). Leave lab-owner stopped."),
    owns=Owned(containers=("lab-owner",), host_paths=("out",)),
    checks=(
        container_exists("lab-owner", how=f"Run `{CHOWN}`, then `{RUN_OWNER}`."),
        container_user("lab-owner", "1000:1000"),
        has_mount("lab-owner", "/out", "bind", "$WORKSPACE/out", flag='-v "$WORKSPACE/out":/out'),
        container_finished("lab-owner"),
        host_file("$WORKSPACE/out/report.txt", lines=("report from uid 1000",), owner_uid=1000,
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
                "lab-owner runs as root",
                hint=("lab-owner runs as root, so report.txt belongs to root on the host. Remove it (`docker rm "
                      "lab-owner`) and run it again with `--user 1000:1000`, after the chown of /out.")),
        Mistake("no chown: permission denied", (RUN_OWNER,), "exited with code 1",
                hint=("lab-owner failed, most likely because as UID 1000 it may not write into out, which -v "
                      'created as root. Hand the folder over first (`docker run --rm -v "$WORKSPACE/out":/out '
                      "busybox:1.36 chown 1000:1000 /out`), then `docker rm lab-owner` and run it again.")),
    ),
)

EXERCISES = (LIVE_EDITS, CONFIG_FILE, OWNERSHIP)
