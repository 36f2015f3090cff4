"""The ways in: the `labcheck` command (fast entry and full CLI), watch, reset and solve."""
