"""Pure business rules: no I/O, no framework; time comes in as an argument."""
