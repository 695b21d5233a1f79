"""Models of the engagement app: campaigns (goal, accounts, period, budget, content), topics and ideas."""
