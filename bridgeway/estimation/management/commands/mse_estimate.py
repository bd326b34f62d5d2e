import json
import math

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bridgeway.estimation import mse


class Command(BaseCommand):
    help = ("Multiple systems estimation from a capture-history CSV (one 0/1 column per list and a "
            "count column): the estimated total, the unobserved count and the 95% interval. When "
            "the estimate does not exist, says why and prints no number.")

    def add_arguments(self, parser):
        parser.add_argument("table")
        parser.add_argument("--method", choices=["stepwise", "main"], default="stepwise")
        parser.add_argument("--pthresh", type=float, default=mse.DEFAULT_PTHRESH)
        parser.add_argument("--bootstrap", type=int, default=mse.DEFAULT_BOOTSTRAP,
                            help="BCa bootstrap replicates (0: Wald interval only)")
        parser.add_argument("--seed", type=int, default=mse.DEFAULT_SEED)
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--check-only", action="store_true",
                            help="only the existence and identifiability verdict of --terms")
        parser.add_argument("--terms", default="", help="two-list terms, e.g. A:B,A:C")

    def handle(self, *args, table, method, pthresh, bootstrap, seed, json: bool, check_only,
               terms, **options):
        as_json = json
        if not 0 <= pthresh <= 1:
            raise CommandError(_("--pthresh is between 0 and 1."))
        if bootstrap < 0:
            raise CommandError(_("--bootstrap cannot be negative."))
        try:
            capture = mse.read_table(table)
        except mse.TableError as exc:
            raise CommandError(_("The table was refused: %(problem)s") % {"problem": exc}) from None
        try:
            if check_only:
                chosen = mse.parse_terms(capture.lists, terms)
                verdict = mse.check(capture, chosen)
                out = {"exists": bool(verdict.exists), "identifiable": bool(verdict.identifiable),
                       "reason": verdict.reason, "terms": mse.term_names(capture.lists, chosen),
                       "empty_overlap_terms": mse.term_names(capture.lists, verdict.empty_terms)}
                self._print(out, as_json)
                return
            result = mse.estimate(capture, method=method, pthresh=pthresh, bootstrap=bootstrap,
                                  seed=seed)
        except mse.TableError as exc:
            raise CommandError(str(exc)) from None
        self._print(result.to_dict(), as_json)

    def _print(self, data: dict, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json_dumps(data))
            return
        if "total" not in data:
            verdict = _("exists") if data["exists"] else _("does not exist")
            self.stdout.write(_("Model %(terms)s: the estimate %(verdict)s; identifiable: %(ident)s.")
                              % {"terms": ", ".join(data["terms"]) or _("main effects"),
                                 "verdict": verdict, "ident": _("yes") if data["identifiable"] else _("no")})
            if data["reason"]:
                self.stdout.write(data["reason"])
            return
        if not data["exists"]:
            self.stdout.write(data["reason"])
            return
        low, high = data["ci95"]
        self.stdout.write(_("Estimated total: %(total)s (95%% interval %(low)s to %(high)s, %(how)s); "
                            "observed %(observed)s, unobserved %(unobserved)s.")
                          % {"total": _round(data["total"]), "low": _round(low), "high": _round(high),
                             "how": data["ci_method"], "observed": data["observed"],
                             "unobserved": _round(data["unobserved"])})
        self.stdout.write(_("Terms: %(terms)s") % {"terms": ", ".join(data["terms"]) or _("none")})
        for warning in data["warnings"]:
            self.stdout.write(warning)


def _round(value) -> str:
    return _("unbounded") if value is None or not math.isfinite(value) else f"{value:,.0f}"


def json_dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=False)
