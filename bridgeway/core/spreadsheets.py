"""What every export that a spreadsheet may open needs."""

# A spreadsheet runs a cell starting with one of these as a formula (a tab or CR can hide one).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a cell: text that would run as a formula gets a leading apostrophe, which
    shows it as it is; None becomes empty; numbers, dates and booleans stay what they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def xlsx_bytes(sheets: list[tuple[str, list[list]]]) -> bytes:
    """An XLSX workbook of (title, rows) sheets, built in memory. openpyxl writes every sheet to
    a named file in the temporary directory, in clear, before zipping it (and removes it only at
    the end, or at exit: a killed process leaves it); an export of personal data must not touch
    the disk, so each sheet is written to memory here instead."""
    import io
    import zipfile

    from openpyxl import Workbook
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.writer.excel import ExcelWriter

    class InMemoryWriter(ExcelWriter):
        def write_worksheet(self, ws):  # ExcelWriter's, with the sheet written to memory
            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            writer = WorksheetWriter(ws, out=io.BytesIO())
            writer.write()
            ws._rels = writer._rels
            self._archive.writestr(ws.path[1:], writer.read())
            self.manifest.append(ws)

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    InMemoryWriter(wb, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return out.getvalue()
