import csv
import io

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bridgeway.core.spreadsheets import safe_cell
from bridgeway.estimation import clk, dedupe
from bridgeway.estimation.csvfiles import CsvError, read_rows, write_atomically


class Command(BaseCommand):
    help = ("Find likely duplicate persons in one organisation's CSV with splink (in memory, "
            "nothing in clear on disk); writes id, id, match probability per pair.")

    def add_arguments(self, parser):
        parser.add_argument("people")
        parser.add_argument("--schema", required=True, help="schema JSON mapping columns to fields")
        parser.add_argument("--output", required=True)
        parser.add_argument("--threshold", type=float, default=dedupe.DEFAULT_THRESHOLD,
                            help="lowest match probability written (default %(default)s)")

    def handle(self, *args, people, schema, output, threshold, **options):
        if not 0 <= threshold <= 1:
            raise CommandError(_("--threshold is a probability between 0 and 1."))
        try:
            loaded = clk.load_schema(schema)
            header, rows, _notes = read_rows(people)
            missing = [spec.column for spec in loaded.fields if spec.column not in header]
            if missing:
                raise CsvError(1, ", ".join(missing), _("The schema needs these columns and the file "
                                                        "has none of that name."))
            id_column = loaded.id_column if loaded.id_column in header else header[0]
            records = []
            for line, cells in rows:
                if len(cells) != len(header):
                    raise CsvError(line, "", _("This line has %(got)d cells; the header has %(want)d.")
                                   % {"got": len(cells), "want": len(header)})
                records.append(dict(zip(header, cells, strict=True)))
            keyed = clk.Schema(fields=loaded.fields, id_column=id_column, balance=loaded.balance)
            pairs = dedupe.dedupe(records, keyed, threshold=threshold)
        except (CsvError, clk.SchemaError, dedupe.DedupeError) as exc:
            raise CommandError(_("Nothing was written. %(problem)s") % {"problem": exc}) from None
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id_a", "id_b", "match_probability"])
        for a, b, probability, _explanation in pairs:
            writer.writerow([safe_cell(a), safe_cell(b), f"{probability:.4f}"])
        write_atomically(output, out.getvalue())
        self.stdout.write(_("%(n)d likely duplicate pairs among %(records)d records.")
                          % {"n": len(pairs), "records": len(records)})
