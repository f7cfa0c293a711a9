"""Messages: the catalogue and its templates, provider ports and adapters, resilience."""
