"""The mutation harness: planted sandbox bugs that the default `make fuzz` run must catch (`make mutants`)."""
