"""The classroom: learners' names, signed evidence, the class table, the offline image kit."""
