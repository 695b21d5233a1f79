"""API of the insights app: analyses, recommendations, reports."""

from ninja import Router

router = Router()
