from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bridgeway.cases.indicator_sets import DEFAULT_FILE, load_file


class Command(BaseCommand):
    help = ("Import indicator sets from a JSON file shaped like the shipped one (new versions "
            "replace older ones for new assessments; old assessments keep theirs). Without a "
            "path, loads the shipped provisional ILO/EC 2009 file.")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_FILE))
        parser.add_argument("--source", default="")

    def handle(self, *args, path, source="", **options):
        try:
            created = load_file(path, source=source)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in
                                         exc.message_dict.items())) from None
        for s in created:
            flag = " (flagged uncertain)" if s.uncertain or s.rule_uncertain else ""
            self.stdout.write(f"{s.code} v{s.version}: {s.label}{flag}")
