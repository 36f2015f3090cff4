"""A class on one server: JupyterHub with DockerSpawner, the course image per learner, a private engine each."""
