"""Services of the platforms app, one module per area.

connections (save, test, pause, delete; the engine's credential writes; key rotation),
sandbox (connecting accounts to the local sandbox platform), manual (manual packages).
"""
