"""The ``umbrella`` command line."""
