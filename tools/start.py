"""`make start`: check the engine, build the book, serve it and open JupyterLab on labs/.

Both servers listen on 127.0.0.1 only; Ctrl-C stops both.
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port(preferred: int) -> int:
    for port in [preferred, *range(preferred + 1, preferred + 50)]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise SystemExit(f"no free port near {preferred}")


def wait_until_listening(port: int, proc: subprocess.Popen, seconds: float = 90) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline and proc.poll() is None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


def main() -> int:
    print("== labcheck doctor", flush=True)
    doctor = subprocess.run([str(BIN / "labcheck"), "doctor"])
    if doctor.returncode != 0:
        print("(The labs need a working Docker Engine; the book works without one.)", flush=True)
    print("== building the book (the labs are not executed against your engine)", flush=True)
    subprocess.run([str(BIN / "jupyter-book"), "build", "--quiet", str(ROOT)], check=True)
    book_port, lab_port = free_port(8000), free_port(8888)
    token = secrets.token_hex(16)
    book = subprocess.Popen([sys.executable, "-m", "http.server", str(book_port), "--bind", "127.0.0.1",
                             "--directory", str(ROOT / "_build" / "html")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    lab_log = ROOT / "_build" / "jupyterlab.log"
    as_root = ["--allow-root"] if os.geteuid() == 0 else []      # workshop VMs often run as root
    lab = subprocess.Popen([str(BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={lab_port}",
                            f"--ServerApp.root_dir={ROOT}", f"--IdentityProvider.token={token}", *as_root],
                           stdout=subprocess.DEVNULL, stderr=open(lab_log, "w"), start_new_session=True)
    try:
        if not (wait_until_listening(book_port, book) and wait_until_listening(lab_port, lab)):
            print(f"A server did not start; JupyterLab's log is {lab_log}.", file=sys.stderr)
            return 1
        print(f"\nThe book:   http://127.0.0.1:{book_port}/", flush=True)
        # JupyterLab serves the whole course, so that a lab's link to its lesson (../book/NN-*.md) opens;
        # the address opens the file browser on labs/.
        print(f"The labs:   http://127.0.0.1:{lab_port}/lab/tree/labs?token={token}", flush=True)
        print("Press Ctrl-C to stop both.", flush=True)
        while book.poll() is None and lab.poll() is None:
            time.sleep(0.5)
        print("A server stopped unexpectedly.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in (book, lab):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (book, lab):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        print("\nStopped the book and JupyterLab.")


if __name__ == "__main__":
    sys.exit(main())
