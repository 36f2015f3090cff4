"""Grading: checks, the exercise and lesson records, running an exercise's checks, the report."""
