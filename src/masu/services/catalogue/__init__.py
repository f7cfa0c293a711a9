"""The catalogue: public reads (cached), admin edits, and its rows as the pricing model."""
