"""The printed edition: model → HTML through the Jinja2 templates, HTML →
PDF through WeasyPrint (imported only when a PDF is built)."""

from .html import render_html, templates_dirs
from .lines import LineMap, PrintedLine, line_at
from .pdf import BuildReport, build_pdf

__all__ = ["BuildReport", "LineMap", "PrintedLine", "build_pdf", "line_at", "render_html", "templates_dirs"]
