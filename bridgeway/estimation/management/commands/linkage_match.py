import csv
import io
import itertools
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bridgeway.core.spreadsheets import safe_cell
from bridgeway.estimation import linkage
from bridgeway.estimation.csvfiles import CsvError, write_atomically
from bridgeway.estimation.encode import EncodingFileError, read_encodings


class Command(BaseCommand):
    help = ("Link encodings files (the standalone encoder's output) one-to-one by Dice similarity "
            "of their CLKs, and across three or more files into clusters; writes one line per "
            "matched pair: file, id, file, id, score. Files made with another secret or schema "
            "are refused.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--threshold", type=float, default=linkage.DEFAULT_THRESHOLD,
                            help="Dice threshold (default %(default)s, tuned on FEBRL: docs/estimation.md)")
        parser.add_argument("--output", required=True)
        parser.add_argument("--blocking", choices=["auto", "lsh", "none"], default="auto")

    def handle(self, *args, files, threshold, output, blocking, **options):
        if len(files) < 2:
            raise CommandError(_("Linkage needs at least two encodings files."))
        if not 0 < threshold <= 1:
            raise CommandError(_("--threshold is a Dice similarity between 0 and 1."))
        names = [Path(f).name for f in files]
        if len(set(names)) != len(names):
            raise CommandError(_("Two of the files have the same name; rename one so the pairs "
                                 "say which file each id comes from."))
        loaded = []
        for path, name in zip(files, names, strict=True):
            try:
                loaded.append(read_encodings(path, name))
            except (CsvError, EncodingFileError) as exc:
                raise CommandError(_("%(file)s was refused: %(problem)s")
                                   % {"file": name, "problem": exc}) from None
        first = loaded[0]
        for other in loaded[1:]:
            if other.fingerprint != first.fingerprint:
                raise CommandError(_(
                    "%(a)s and %(b)s were encoded with a different linkage secret or schema "
                    "(fingerprints %(fa)s and %(fb)s): their encodings cannot be compared. Ask "
                    "the organisations to encode again with the same secret and schema. Nothing "
                    "was written.") % {"a": first.name, "b": other.name,
                                      "fa": first.fingerprint, "fb": other.fingerprint})
        arrays = [f.clks for f in loaded]
        if len(arrays) == 2:
            pairs = [(0, i, 1, j, s) for i, j, s in
                     linkage.match(arrays[0], arrays[1], threshold, blocking=blocking)]
            clusters = linkage.link_clusters_from_pairs([len(a) for a in arrays], pairs)
        else:
            clusters = linkage.link_many(arrays, threshold, blocking=blocking)
            pairs = []
            for cluster in clusters:
                for (x, i), (y, j) in itertools.combinations(cluster, 2):
                    score = linkage.dice_pairs(arrays[x], arrays[y], np.array([i]), np.array([j]))[0]
                    pairs.append((x, i, y, j, float(score)))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["file_a", "id_a", "file_b", "id_b", "score"])
        for x, i, y, j, score in pairs:
            writer.writerow([safe_cell(names[x]), safe_cell(loaded[x].ids[i]), safe_cell(names[y]),
                             safe_cell(loaded[y].ids[j]), f"{score:.4f}"])
        write_atomically(output, out.getvalue())
        histories = linkage.capture_histories([len(a) for a in arrays], clusters)
        self.stdout.write(_("%(pairs)d matched pairs written; %(people)d distinct people across "
                            "%(files)d files.") % {"pairs": len(pairs), "people": sum(histories.values()),
                                                   "files": len(files)})
        self.stdout.write(",".join([*names, "count"]))
        for pattern, count in histories.items():
            self.stdout.write(",".join([*(str(v) for v in pattern), str(count)]))
