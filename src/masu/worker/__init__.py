"""Background work: the outbox dispatcher and the timers, as `masu worker` or inside `masu serve`."""
