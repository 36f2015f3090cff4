from checker.ways_in.fast import run

run()
