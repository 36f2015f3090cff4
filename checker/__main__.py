from .quick import run

run()
