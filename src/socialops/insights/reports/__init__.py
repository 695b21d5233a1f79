"""Scheduled reports: the periods, the figures (from the selectors), charts as SVG, the PDF, the workbook, delivery."""
