"""Command-line entry points; each command is a module with `register` and `run`."""
