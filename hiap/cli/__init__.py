"""The ``hiap`` command line (typer): one module per command group."""
