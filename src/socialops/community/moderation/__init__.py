"""Group moderation, the pure engine: normalisation, rules, ``engine.judge`` (no Django models)."""
