"""The standalone encoder: an organisation off the platform turns its people CSV into CLKs on its
own computer, without Django configured:

    python -m bridgeway.estimation.encode --secret-file F --schema S.json --input people.csv \\
        --output clks.csv

The output's first line is a comment with the format and the fingerprint (`# bridgeway-clk-1
fingerprint=... bits=1024 records=N`), then a header (the input's first column's name, `clk`),
then one line per person: the input's first column as the record id and the base64 CLK. Nothing
else of the input reaches the output, and the output is written whole or not at all.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bridgeway.estimation import clk
from bridgeway.estimation._text import _
from bridgeway.estimation.csvfiles import CsvError, read_rows, write_atomically

MIN_SECRET_BYTES = 16
_HEADER = re.compile(r"^# (?P<format>bridgeway-clk-\d+) fingerprint=(?P<fp>[0-9a-f]{16}) bits=(?P<bits>\d+)")


class EncodingFileError(ValueError):
    pass


@dataclass
class EncodingFile:
    name: str
    fingerprint: str
    id_header: str
    ids: list[str]
    clks: np.ndarray  # (n, 128) uint8


def read_secret(path: str | Path) -> bytes:
    try:
        secret = Path(path).read_bytes().strip()
    except OSError as exc:
        raise EncodingFileError(_("The secret file cannot be read: %(error)s")
                                % {"error": exc.strerror}) from None
    if len(secret) < MIN_SECRET_BYTES:
        raise EncodingFileError(_("The linkage secret must be at least %(n)d bytes long (e.g. 32 "
                                  "random bytes in base64).") % {"n": MIN_SECRET_BYTES})
    return secret


def encode_csv(source, schema: clk.Schema, secret: bytes) -> tuple[str, list[str], np.ndarray]:
    """(id header, ids, CLKs) for a people CSV. The id is the first column; every column the
    schema names must be in the header."""
    header, rows, _notes = read_rows(source)
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise CsvError(1, ", ".join(repeated), _("Two columns have this name."))
    missing = [spec.column for spec in schema.fields if spec.column not in header]
    if missing:
        raise CsvError(1, ", ".join(missing), _("The schema needs these columns and the file has "
                                                "none of that name."))
    ids, records, seen = [], [], set()
    for line, cells in rows:
        if len(cells) != len(header):
            raise CsvError(line, "", _("This line has %(got)d cells; the header has %(want)d.")
                           % {"got": len(cells), "want": len(header)})
        if not cells[0]:
            raise CsvError(line, header[0], _("The record id is empty."))
        if cells[0] in seen:
            raise CsvError(line, header[0], _("This record id is already on an earlier line."))
        seen.add(cells[0])
        ids.append(cells[0])
        records.append(dict(zip(header, cells, strict=True)))
    return header[0], ids, clk.encode_many(records, schema, secret)


def format_encodings(fingerprint: str, id_header: str, ids: list[str], clks: np.ndarray) -> str:
    out = io.StringIO()
    out.write(f"# {clk.FORMAT} fingerprint={fingerprint} bits={clk.BITS} records={len(ids)}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([id_header, "clk"])
    for record_id, row in zip(ids, clks, strict=True):
        writer.writerow([record_id, clk.to_base64(row)])
    return out.getvalue()


def read_encodings(source, name: str = "") -> EncodingFile:
    """An encoder output file; refused with a clear message when it is not one."""
    name = name or str(source)
    header, rows, notes = read_rows(source, comments=True)
    match = _HEADER.match(notes[0]) if notes else None
    if not match:
        raise EncodingFileError(_("%(file)s is not an encodings file: its first line should be "
                                  "the encoder's '# bridgeway-clk-1 fingerprint=...' line.")
                                % {"file": name})
    if match["format"] != clk.FORMAT or int(match["bits"]) != clk.BITS:
        raise EncodingFileError(_("%(file)s was made by another encoder version.") % {"file": name})
    if len(header) < 2 or header[1] != "clk":
        raise EncodingFileError(_("%(file)s: the header should be 'id,clk'.") % {"file": name})
    ids, clks = [], np.empty((len(rows), clk.BYTES), dtype=np.uint8)
    for k, (line, cells) in enumerate(rows):
        try:
            clks[k] = np.frombuffer(clk.from_base64(cells[1]), dtype=np.uint8)
        except (IndexError, ValueError):
            raise EncodingFileError(_("%(file)s, line %(line)d: the encoding is not a base64 "
                                      "1,024-bit CLK.") % {"file": name, "line": line}) from None
        ids.append(cells[0])
    return EncodingFile(name=name, fingerprint=match["fp"], id_header=header[0], ids=ids, clks=clks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bridgeway.estimation.encode",
        description="Encode a people CSV as keyed Bloom-filter CLKs for privacy-preserving linkage.")
    parser.add_argument("--secret-file", required=True, help="file holding the shared linkage secret")
    parser.add_argument("--schema", required=True, help="schema JSON mapping the CSV's columns to fields")
    parser.add_argument("--input", required=True, help="people CSV (UTF-8), first column the record id")
    parser.add_argument("--output", required=True, help="encodings CSV to write")
    args = parser.parse_args(argv)
    try:
        secret = read_secret(args.secret_file)
        schema = clk.load_schema(args.schema)
        id_header, ids, clks = encode_csv(args.input, schema, secret)
        fp = clk.fingerprint(schema, secret)
        write_atomically(args.output, format_encodings(fp, id_header, ids, clks))
    except (CsvError, EncodingFileError, clk.SchemaError) as exc:
        print(_("Nothing was written. %(problem)s") % {"problem": exc}, file=sys.stderr)
        return 2
    print(_("%(n)d records encoded; fingerprint %(fp)s.") % {"n": len(ids), "fp": fp})
    return 0


if __name__ == "__main__":
    sys.exit(main())
