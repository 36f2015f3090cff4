"""The engine's RFC 3339 times, read to the nanosecond."""
from checker.reading.times import engine_time


def test_engine_times_keep_their_fraction_and_zone():
    assert engine_time("2026-11-23T13:20:01Z") == 1795440001
    assert abs(engine_time("2026-11-23T13:20:01.123456789Z") - 1795440001.123456789) < 1e-6
    assert engine_time("2026-11-23T14:20:01+01:00") == 1795440001


def test_never_and_nonsense():
    assert engine_time("0001-01-01T00:00:00Z") < 0
    assert engine_time("") is None and engine_time("yesterday") is None
