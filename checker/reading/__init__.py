"""Reading the engine's state for one grading run: the view, mounts, files in volumes, helpers' reads."""
