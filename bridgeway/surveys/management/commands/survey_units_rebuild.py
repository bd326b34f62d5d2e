"""Writes the counted form (submission units) of submitted survey answers that have none: those
submitted before units existed, or loaded around the services. Until every submitted answer of a
survey has its units, its results are counted from the JSON answers (slower, same figures).
Prints counts only."""

from django.core.management.base import BaseCommand

from bridgeway.surveys.tally import units_rebuild


class Command(BaseCommand):
    help = "Write the submission units of submitted survey answers that have none."

    def add_arguments(self, parser):
        parser.add_argument("--survey", type=int, default=None, help="only this survey (id)")

    def handle(self, *args, **options):
        done = units_rebuild(survey_id=options["survey"])
        self.stdout.write(f"{done} submissions counted")
