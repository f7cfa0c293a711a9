"""Bookings: creating, reading, cancelling, the wizard's questions, free times and status moves."""
