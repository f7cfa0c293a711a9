"""Messages: who is told what on which channel, and the event handlers that queue them."""
