"""Safeguarding routes (issue 13)."""

urlpatterns: list = []
