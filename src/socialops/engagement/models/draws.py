"""Models of the engagement app: verifiable lucky draws: eligibility, frozen entrants, commitment, winners."""
