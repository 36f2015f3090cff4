"""The storage map: what mounts what (read), drawn as a terminal tree or an SVG figure."""
