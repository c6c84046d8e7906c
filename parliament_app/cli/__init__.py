"""The ``parliament`` command line: ``main`` with one module per area, commands loaded when used."""
