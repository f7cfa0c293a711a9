"""Use cases: functions taking a session (the unit of work), a clock and a command; they never commit."""
