"""HTML pages of the insights app: the dashboards (the rankings and report pages live in their own modules)."""

from insights.views.dashboard import county, overview, township, unit

__all__ = ["county", "overview", "township", "unit"]
