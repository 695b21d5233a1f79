"""How the inbox's rows read on pages: labels, timers and badges."""
