"""Dispatch: ranking professionals, offering in waves, admins stepping in, offers as seen."""
