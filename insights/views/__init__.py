"""HTML pages of the insights app: the dashboards, the rankings and the decision report."""

from insights.views.dashboard import county, overview, township, unit
from insights.views.rankings import ranking_page, weights_save
from insights.views.report import report_docx, report_form, report_view

__all__ = [
    "county",
    "overview",
    "ranking_page",
    "report_docx",
    "report_form",
    "report_view",
    "township",
    "unit",
    "weights_save",
]
