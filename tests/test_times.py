"""The engine's RFC 3339 times, read to the nanosecond."""
from checker.reading.times import engine_time


def test_engine_times_keep_their_fraction_and_zone():
    assert engine_time("2026-11-23T13:20:01Z") == 1795440001
    assert abs(engine_time("2026-11-23T13:20:01.123456789Z") - 1795440001.123456789) < 1e-6
    assert engine_time("2026-11-23T14:20:01+01:00") == 1795440001


def test_never_and_nonsense():
    assert engine_time("0001-01-01T00:00:00Z") < 0
    assert engine_time("") is None and engine_time("yesterday") is None


def test_a_file_written_just_after_the_start_counts_as_after_though_its_time_is_a_tick_behind(tmp_path, monkeypatch):
    """The kernel stamps an untouched inode from its coarse clock (measured here: up to 6 ms behind the precise
    clock), so an edit made as `docker run -d` returns can read as a few ms before StartedAt; one made before the
    start (a whole container start earlier) still reads as before."""
    import os
    from datetime import datetime, timezone

    from checker.grading.checks import host_file_changed_after_start

    monkeypatch.setenv("LABCHECK_WORKSPACE", str(tmp_path))
    (tmp_path / "index.html").write_text("edited\n")
    check = host_file_changed_after_start("$WORKSPACE/index.html", "lab-live", message="before", next_step="edit it")

    class View:
        def __init__(self, started: float) -> None:
            stamp = datetime.fromtimestamp(started, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
            self.attrs = {"State": {"StartedAt": stamp}}

        def container(self, name):
            return self.attrs

    written = os.lstat(tmp_path / "index.html").st_mtime
    assert check.evaluate(View(written + 0.006)).passed is True        # a tick behind the start
    assert check.evaluate(View(written - 0.5)).passed is True          # well after
    assert check.evaluate(View(written + 0.15)).passed is False        # a container start before it
