"""Multiple systems estimation: how many people no list holds, from how t lists overlap.

Poisson log-linear models on the 2^t - 1 observable capture histories (main effects plus chosen
two-list interactions); the unobserved count is exp(intercept). Before any fit, the existence and
identifiability check of Chan, Silverman & Vincent (2021, JASA): a two-list term whose lists
share nobody has its parameter at minus infinity, so the cells holding both lists leave the fit;
the model is identifiable when its design on the remaining cells has full column rank; the
maximum likelihood estimate exists when no direction of the parameters keeps every positive
cell's fit and raises an empty one (Fienberg & Rinaldo 2012; a linear programme, scipy's HiGHS,
when the null space of the positive cells' design is not trivial). Stepwise selection as in the R
packages SparseMSE / MultipleSystemsEstimation (Silverman): from main effects, add the two-list
term with the smallest Poisson p-value (the smaller tail) of the number of people on both its
lists under the current model, while it is below `pthresh` (default 0.02) and the enlarged model
passes the check. Intervals: Wald on the log of the unobserved count (as SparseMSE's
estimatepopulation.0), and the BCa bootstrap (Efron 1987) over the whole selection procedure,
the observed people resampled multinomially, the acceleration from the grouped jackknife.

Pure computation (numpy, scipy, statsmodels); read_table reads an uploaded CSV safely.
"""

from __future__ import annotations

import itertools
import json
import math
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import optimize, special, stats

from bridgeway.estimation._text import _
from bridgeway.estimation.csvfiles import FORMULA_START, CsvError, read_rows

DEFAULT_PTHRESH = 0.02
DEFAULT_BOOTSTRAP = 1000
DEFAULT_SEED = 20141129  # the day the Home Office published Silverman's estimate
MAX_LISTS = 10
_TOL = 1e-9


class TableError(CsvError):
    """A refused capture-history table: line and column named, content never quoted."""


@dataclass
class CaptureTable:
    lists: list[str]
    patterns: np.ndarray  # (2^t - 1, t) 0/1, every observable history in a fixed order
    counts: np.ndarray  # (2^t - 1,) int64

    @property
    def t(self) -> int:
        return len(self.lists)

    @property
    def observed(self) -> int:
        return int(self.counts.sum())

    @classmethod
    def from_counts(cls, lists: list[str], counts: dict[tuple[int, ...], int]) -> CaptureTable:
        t = len(lists)
        if t < 2:
            raise TableError(0, "", _("An estimate needs at least two lists."))
        patterns = all_patterns(t)
        index = {tuple(int(v) for v in p): k for k, p in enumerate(patterns)}
        arr = np.zeros(len(patterns), dtype=np.int64)
        for pattern, count in counts.items():
            key = tuple(int(v) for v in pattern)
            if key not in index:
                raise TableError(0, "", _("A capture history must have one 0/1 flag per list and "
                                          "at least one 1."))
            if count < 0:
                raise TableError(0, "count", _("A count cannot be negative."))
            arr[index[key]] += int(count)
        return cls(list(lists), patterns, arr)

    def as_dict(self) -> dict[tuple[int, ...], int]:
        return {tuple(int(v) for v in p): int(c) for p, c in zip(self.patterns, self.counts, strict=True)}

    def overlaps(self) -> dict[tuple[int, int], int]:
        """How many people each two lists share."""
        out = {}
        for a, b in itertools.combinations(range(self.t), 2):
            both = (self.patterns[:, a] == 1) & (self.patterns[:, b] == 1)
            out[(a, b)] = int(self.counts[both].sum())
        return out


def all_patterns(t: int) -> np.ndarray:
    """Every history but the all-zero one, in binary order with the first list as the high bit."""
    rows = [[(k >> (t - 1 - j)) & 1 for j in range(t)] for k in range(1, 2 ** t)]
    return np.array(rows, dtype=np.int8)


def _cell_int(text: str, line: int, column: str, what: str) -> int:
    if text.startswith(FORMULA_START) and not (text.startswith("-") and text[1:].strip().isdigit()):
        raise TableError(line, column, _("This cell holds a formula; only values can be used."))
    try:
        value = float(text)
    except ValueError:
        raise TableError(line, column, _("This %(what)s is not a number.") % {"what": what}) from None
    if not math.isfinite(value) or value != int(value):
        raise TableError(line, column, _("This %(what)s is not a whole number.") % {"what": what})
    return int(value)


def read_table(source, *, count_column: str = "count") -> CaptureTable:
    """A capture-history table from CSV: one 0/1 column per list and a count column. Patterns
    left out have count 0. Raises TableError naming the line and column."""
    try:
        header, rows, _notes = read_rows(source)
    except TableError:
        raise
    except CsvError as exc:
        raise TableError(exc.line, exc.column, exc.problem) from None
    if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
        raise TableError(1, "", _("The columns are not separated by commas: save the table as CSV "
                                  "with commas."))
    lowered = [h.casefold() for h in header]
    for k, name in enumerate(header):
        if name.startswith(FORMULA_START):
            raise TableError(1, str(k + 1), _("This column name holds a formula."))
        if not name:
            raise TableError(1, str(k + 1), _("This column has no name."))
        if lowered.count(name.casefold()) > 1:
            raise TableError(1, name, _("Two columns have this name."))
    if count_column.casefold() not in lowered:
        raise TableError(1, count_column, _("The table needs a '%(name)s' column: the number of "
                                            "people with each pattern.") % {"name": count_column})
    ci = lowered.index(count_column.casefold())
    lists = [h for k, h in enumerate(header) if k != ci]
    if len(lists) < 2:
        raise TableError(1, "", _("The table has %(n)d list column(s); an estimate needs at least "
                                  "two lists.") % {"n": len(lists)})
    if len(lists) > MAX_LISTS:
        raise TableError(1, "", _("At most %(n)d lists can be analysed.") % {"n": MAX_LISTS})
    if not rows:
        raise TableError(2, "", _("The table has no rows."))
    seen: dict[tuple[int, ...], int] = {}
    for line, cells in rows:
        if len(cells) != len(header):
            raise TableError(line, "", _("This line has %(got)d cells; the header has %(want)d.")
                             % {"got": len(cells), "want": len(header)})
        flags = []
        for k, name in enumerate(header):
            if k == ci:
                continue
            value = _cell_int(cells[k], line, name, _("flag"))
            if value not in (0, 1):
                raise TableError(line, name, _("A list column holds 0 or 1 (is the person on this "
                                               "list?)."))
            flags.append(value)
        count = _cell_int(cells[ci], line, header[ci], _("count"))
        if count < 0:
            raise TableError(line, header[ci], _("A count cannot be negative."))
        key = tuple(flags)
        if not any(key):
            raise TableError(line, "", _("The all-zero pattern (people on no list) is what the "
                                         "estimate is for; it cannot be in the table."))
        if key in seen:
            raise TableError(line, "", _("This pattern is already on line %(line)d.")
                             % {"line": seen[key]})
        seen[key] = line
    counts = {}
    for _line, cells in rows:
        flags = tuple(int(float(cells[k])) for k in range(len(header)) if k != ci)
        counts[flags] = int(float(cells[ci]))
    table = CaptureTable.from_counts(lists, counts)
    if table.observed == 0:
        raise TableError(0, header[ci], _("Every count is zero: nobody is on any list."))
    return table


# --- models -----------------------------------------------------------------------------------

Term = tuple[int, int]


_DESIGNS: dict[tuple, np.ndarray] = {}


def design(patterns: np.ndarray, terms: list[Term]) -> np.ndarray:
    key = (patterns.shape[1], tuple(terms))
    if patterns.shape[0] == 2 ** patterns.shape[1] - 1 and key in _DESIGNS:
        return _DESIGNS[key]
    cols = [np.ones(len(patterns)), *(patterns[:, j] for j in range(patterns.shape[1]))]
    cols += [patterns[:, a] * patterns[:, b] for a, b in terms]
    x = np.column_stack(cols).astype(float)
    x.flags.writeable = False
    if patterns.shape[0] == 2 ** patterns.shape[1] - 1:
        if len(_DESIGNS) > 10_000:
            _DESIGNS.clear()
        _DESIGNS[key] = x
    return x


def term_names(lists: list[str], terms: list[Term]) -> list[str]:
    return [f"{lists[a]}:{lists[b]}" for a, b in terms]


def parse_terms(lists: list[str], text: str | list[str]) -> list[Term]:
    names = [s.strip() for s in (text.split(",") if isinstance(text, str) else text) if s.strip()]
    index = {name.casefold(): k for k, name in enumerate(lists)}
    out = []
    for name in names:
        parts = name.split(":")
        if len(parts) != 2 or any(p.strip().casefold() not in index for p in parts):
            raise TableError(0, "", _("%(term)s is not a two-list interaction of this table's lists "
                                      "(%(lists)s).") % {"term": name, "lists": ", ".join(lists)})
        a, b = sorted(index[p.strip().casefold()] for p in parts)
        if a == b:
            raise TableError(0, "", _("%(term)s names one list twice.") % {"term": name})
        if (a, b) not in out:
            out.append((a, b))
    return sorted(out)


@dataclass
class Verdict:
    exists: bool
    identifiable: bool
    reason: str = ""
    # Terms whose two lists share nobody: their parameter is minus infinity, so the cells with
    # both lists are left out of the fit and the term out of the design (Chan et al. 2021).
    empty_terms: list[Term] = field(default_factory=list)
    keep: np.ndarray | None = None  # the cells the fit uses


_CHECK_CACHE: dict[tuple, Verdict] = {}


def _reduce(patterns: np.ndarray, counts: np.ndarray, terms: list[Term]):
    """(cells kept, terms with an overlap, terms without) for a model."""
    keep = np.ones(len(patterns), dtype=bool)
    fitted, empty = [], []
    for a, b in terms:
        both = (patterns[:, a] == 1) & (patterns[:, b] == 1)
        if counts[both].sum() == 0:
            empty.append((a, b))
            keep &= ~both
        else:
            fitted.append((a, b))
    return keep, fitted, empty


def _check(patterns: np.ndarray, counts: np.ndarray, terms: list[Term], lists: list[str]) -> Verdict:
    """Identifiability (full column rank of the design on the cells kept, after the cells of
    terms whose lists never overlap are set aside) and existence of the maximum likelihood
    estimate (Fienberg & Rinaldo 2012, as Chan, Silverman & Vincent 2021 apply it)."""
    keep, fitted, empty = _reduce(patterns, counts, terms)
    # Existence depends only on which cells are empty (the facial set), not on the counts.
    key = (patterns.shape[1], (counts > 0).tobytes(), tuple(terms))
    cached = _CHECK_CACHE.get(key)
    if cached is not None:
        return cached
    x = design(patterns, fitted)[keep]
    n = counts[keep].astype(float)
    rows, p = x.shape
    identifiable = rows >= p and np.linalg.matrix_rank(x) == p
    exists = identifiable and _mle_exists(x, n)
    reason = ""
    if not identifiable:
        reason = _("The model is not identifiable: it has more parameters than the lists' "
                   "overlaps can determine.")
    elif not exists:
        reason = _non_existence_reason(patterns, counts, lists)
    verdict = Verdict(bool(exists and identifiable), bool(identifiable), reason, empty, keep)
    if len(_CHECK_CACHE) > 50_000:
        _CHECK_CACHE.clear()
    _CHECK_CACHE[key] = verdict
    return verdict


def _mle_exists(x: np.ndarray, n: np.ndarray) -> bool:
    """Fienberg & Rinaldo (2012): the MLE is finite unless some direction d of the parameters
    keeps the fitted log-mean of every positive cell (X+ d = 0), does not lower any empty cell
    (X0 d >= 0) and raises one. Such d lie in the null space of X+: when that is {0} (the positive
    cells alone identify the model) the MLE exists, when it is a line the sign pattern of X0 d
    decides, and only otherwise does it take a linear programme (max sum X0 d, 0 <= X0 d <= 1)."""
    positive = n > 0
    if positive.all():
        return True
    xp, xz = x[positive], x[~positive]
    p = x.shape[1]
    if len(xp):
        _u, sv, vt = np.linalg.svd(xp)
        rank = int(np.sum(sv > sv[0] * 1e-10)) if len(sv) else 0
        null = vt[rank:].T  # p x k
    else:
        null = np.eye(p)
    k = null.shape[1]
    if k == 0:
        return True
    z = xz @ null  # empty cells x k
    if k == 1:
        v = np.where(np.abs(z[:, 0]) < 1e-9, 0.0, z[:, 0])
        return not ((v >= 0).all() and (v > 0).any()) and not ((v <= 0).all() and (v < 0).any())
    res = optimize.linprog(-z.sum(axis=0), A_ub=np.vstack([-z, z]),
                           b_ub=np.concatenate([np.zeros(len(z)), np.ones(len(z))]),
                           bounds=[(None, None)] * k, method="highs")
    return not (res.status == 0 and -res.fun > 1e-7)


def _non_existence_reason(patterns, counts, lists) -> str:
    pairs = []
    for a, b in itertools.combinations(range(patterns.shape[1]), 2):
        both = (patterns[:, a] == 1) & (patterns[:, b] == 1)
        if counts[both].sum() == 0:
            pairs.append(f"{lists[a]}–{lists[b]}")
    text = _("The estimate does not exist for this model: the maximum likelihood estimate is "
             "not finite (Chan, Silverman & Vincent 2021), so no number can be given.")
    if pairs:
        text += " " + _("These lists never overlap: %(pairs)s.") % {"pairs": ", ".join(pairs)}
    return text


def check(table: CaptureTable, terms: list[Term] | str = ()) -> Verdict:
    """Existence and identifiability of the model main effects + `terms`, without fitting."""
    if isinstance(terms, str) or (terms and isinstance(next(iter(terms)), str)):
        terms = parse_terms(table.lists, terms)
    return _check(table.patterns, table.counts, sorted(terms), table.lists)


@dataclass
class _Fit:
    beta: np.ndarray
    mu: np.ndarray  # fitted value of every observable cell (0 for the cells left out)
    cov: np.ndarray


def _poisson_fit(x: np.ndarray, y: np.ndarray, keep: np.ndarray, beta=None) -> _Fit:
    """Poisson log-linear MLE by Newton-Raphson (with the canonical link, IRLS): a few hundred
    microseconds on these tables, which the bootstrap needs. Matches statsmodels' GLM
    (tests/estimation/test_mse.py)."""
    xk, yk = x[keep], y[keep].astype(float)
    if beta is None:
        beta, *_ = np.linalg.lstsq(xk, np.log(yk + 0.5), rcond=None)
    converged = False
    try:
        for _i in range(100):
            mu = np.exp(np.clip(xk @ beta, -700, 700))
            step = np.linalg.solve((xk * mu[:, None]).T @ xk, xk.T @ (yk - mu))
            beta = beta + step
            if np.max(np.abs(step)) < 1e-10:
                converged = bool(np.all(np.isfinite(beta)))
                break
    except np.linalg.LinAlgError:
        converged = False
    if not converged:
        # Newton without step control can overshoot from a poor start: statsmodels' IRLS then.
        import statsmodels.api as sm

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            beta = np.asarray(sm.GLM(yk, xk, family=sm.families.Poisson()).fit().params)
    mu_all = np.zeros(len(x))
    mu_all[keep] = np.exp(xk @ beta)
    cov = np.linalg.inv((xk * mu_all[keep][:, None]).T @ xk)
    return _Fit(beta, mu_all, cov)


def _fit_model(patterns, counts, terms, lists, start=None):
    verdict = _check(patterns, counts, terms, lists)
    if not verdict.exists:
        return verdict, None
    fitted = [term for term in terms if term not in verdict.empty_terms]
    beta0 = None
    if start is not None and not verdict.empty_terms:
        old, where = start
        t = patterns.shape[1]
        beta0 = np.insert(old, 1 + t + where, 0.0) if len(old) + 1 == 1 + t + len(fitted) else None
    return verdict, _poisson_fit(design(patterns, fitted), counts, verdict.keep, beta0)


def _stepwise(patterns, counts, lists, pthresh):
    """(verdict, terms, fit) of the stepwise model, or the main-effects verdict when even that
    model has no estimate. Each candidate's p-value: the number of people on both its lists
    against a Poisson with the current model's expected number, the smaller tail (so a pair
    seen together less often than chance, even never, can enter too); a candidate whose model
    fails the check is passed over."""
    terms: list[Term] = []
    verdict, fit = _fit_model(patterns, counts, terms, lists)
    if fit is None or pthresh <= 0:
        return verdict, terms, fit
    pairs, both = _pairs(patterns)
    observed = counts @ both  # people on both lists of each pair
    included = np.zeros(len(pairs), dtype=bool)
    while True:
        expected = fit.mu @ both
        pvals = np.minimum(special.pdtr(observed, expected), special.pdtrc(observed - 1, expected))
        pvals[observed == 0] = np.exp(-expected[observed == 0])
        pvals[included] = 1.0
        chosen = None
        for k in np.argsort(pvals, kind="stable"):
            if pvals[k] >= pthresh:
                break
            trial = sorted([*terms, pairs[k]])
            if _check(patterns, counts, trial, lists).exists:
                chosen = k
                break
        if chosen is None:
            return verdict, terms, fit
        included[chosen] = True
        terms = sorted([*terms, pairs[chosen]])
        verdict, fit = _fit_model(patterns, counts, terms, lists, start=_extend(fit, terms, pairs[chosen]))


_PAIRS: dict[int, tuple[list[Term], np.ndarray]] = {}


def _pairs(patterns: np.ndarray):
    """Every two-list pair and, per pair, which cells hold both lists (cells x pairs, float)."""
    t = patterns.shape[1]
    if t not in _PAIRS or _PAIRS[t][1].shape[0] != len(patterns):
        pairs = list(itertools.combinations(range(t), 2))
        both = np.column_stack([(patterns[:, a] == 1) & (patterns[:, b] == 1) for a, b in pairs])
        _PAIRS[t] = (pairs, both.astype(float))
    return _PAIRS[t]


def _extend(fit, terms, new):
    """Start values for the model with `new` added: the current fit with a 0 for it."""
    return None if fit is None else (fit.beta, terms.index(new))


def _unobserved(patterns, counts, lists, method, pthresh) -> float:
    """The selection procedure's estimate of the unobserved count (inf when none exists)."""
    if method == "main":
        _v, fit = _fit_model(patterns, counts, [], lists)
    else:
        _v, _terms, fit = _stepwise(patterns, counts, lists, pthresh)
    return math.inf if fit is None else float(math.exp(fit.beta[0]))


@dataclass
class Estimate:
    exists: bool
    reason: str
    lists: list[str]
    observed: int
    method: str
    pthresh: float
    total: float | None = None
    unobserved: float | None = None
    ci95: list[float] | None = None
    ci_method: str = ""
    ci95_wald: list[float] | None = None
    ci95_profile: list[float | None] | None = None
    terms: list[str] = field(default_factory=list)
    bootstrap: int = 0
    bootstrap_failed: int = 0
    seed: int | None = None
    models: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        if not self.exists:
            # No number when there is no estimate.
            for key in ("total", "unobserved", "ci95", "ci95_wald", "ci95_profile"):
                data[key] = None
        return _plain(data)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False)


def _plain(value):
    """JSON-ready: numpy scalars to Python, infinities to None."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _model_summary(table: CaptureTable, name: str, terms: list[Term]) -> dict:
    """One model's fit by statsmodels' GLM (Poisson, log link): the figures a researcher
    compares across models."""
    import statsmodels.api as sm

    verdict = _check(table.patterns, table.counts, terms, table.lists)
    out = {"model": name, "terms": term_names(table.lists, terms), "exists": verdict.exists,
           "identifiable": verdict.identifiable, "reason": verdict.reason,
           "empty_overlap_terms": term_names(table.lists, verdict.empty_terms)}
    if not verdict.exists:
        return out
    _keep, fitted, _empty = _reduce(table.patterns, table.counts, terms)
    x = design(table.patterns, fitted)[verdict.keep]
    y = table.counts[verdict.keep]
    with warnings.catch_warnings():
        # A saturated model has no residual degrees of freedom; statsmodels warns about its scale.
        warnings.simplefilter("ignore")
        res = sm.GLM(y, x, family=sm.families.Poisson()).fit()
    b0, se0 = float(res.params[0]), float(res.bse[0])
    unobserved = math.exp(b0)
    n = table.observed
    # A term whose lists share nobody is a parameter too (at minus infinity): counted in AIC
    # and BIC as SparseMSE counts it.
    k = x.shape[1] + len(verdict.empty_terms)
    out.update({
        "unobserved": unobserved,
        "total": n + unobserved,
        "ci95_wald": [n + math.exp(b0 - 1.959964 * se0), n + math.exp(b0 + 1.959964 * se0)],
        "ci95_profile": [None if v is None else n + v
                         for v in _profile_interval(x, y, b0, se0, float(res.llf))],
        "parameters": k,
        "deviance": float(res.deviance),
        "df_resid": int(len(y) - x.shape[1]),
        "aic": float(-2 * res.llf + 2 * k),
        "bic": float(-2 * res.llf + k * math.log(len(y))),
    })
    return out


def _profile_loglik(x: np.ndarray, y: np.ndarray, b0: float) -> float:
    """The Poisson log-likelihood maximised over every parameter but the intercept, held at b0
    (an offset)."""
    import statsmodels.api as sm

    rest = x[:, 1:]
    offset = np.full(len(y), b0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if rest.shape[1] == 0:
            mu = np.exp(offset)
            return float(np.sum(stats.poisson.logpmf(y, mu)))
        return float(sm.GLM(y, rest, family=sm.families.Poisson(), offset=offset).fit().llf)


def _profile_interval(x, y, b0: float, se0: float, llf: float) -> list[float]:
    """95 % profile-likelihood interval of the unobserved count exp(b0): where twice the drop of
    the profiled log-likelihood reaches the chi-squared(1) 95 % point (3.84). An end not reached
    within 12 standard errors is reported as unbounded (None)."""
    from scipy.optimize import brentq

    target = llf - stats.chi2.ppf(0.95, 1) / 2

    def gap(b):
        return _profile_loglik(x, y, b) - target

    out = []
    for direction in (-1, 1):
        far = b0 + direction * 12 * max(se0, 1e-3)
        try:
            if gap(far) > 0:
                out.append(None if direction > 0 else 0.0)
                continue
            root = brentq(gap, min(b0, far), max(b0, far), xtol=1e-6)
            out.append(math.exp(root))
        except (ValueError, np.linalg.LinAlgError):
            out.append(None)
    return out


def _bca(theta_hat: float, boots: np.ndarray, jack: np.ndarray, weights: np.ndarray,
         alpha: float = 0.05) -> list[float]:
    finite = np.isfinite(boots)
    below = (np.sum(boots < theta_hat) + 0.5 * np.sum(boots == theta_hat)) / len(boots)
    below = min(max(below, 0.5 / len(boots)), 1 - 0.5 / len(boots))
    z0 = stats.norm.ppf(below)
    jmask = np.isfinite(jack)
    if jmask.all() and weights.sum() > 0:
        mean = np.average(jack, weights=weights)
        d = mean - jack
        num = np.sum(weights * d ** 3)
        den = 6 * np.sum(weights * d ** 2) ** 1.5
        acc = num / den if den > 0 else 0.0
    else:
        acc = 0.0
    out = []
    for q in (alpha / 2, 1 - alpha / 2):
        z = stats.norm.ppf(q)
        adj = stats.norm.cdf(z0 + (z0 + z) / (1 - acc * (z0 + z)))
        out.append(float(np.quantile(np.where(finite, boots, np.inf), adj, method="linear"))
                   if finite.any() else math.inf)
    return out


def estimate(table: CaptureTable, method: str = "stepwise", pthresh: float = DEFAULT_PTHRESH,
             bootstrap: int = DEFAULT_BOOTSTRAP, seed: int | None = DEFAULT_SEED,
             progress: Callable[[int, int], None] | None = None, compare: bool = True) -> Estimate:
    """The estimate of the unobserved count and the total, with its interval (BCa bootstrap
    when `bootstrap` > 0, else Wald), the chosen terms and the comparison of models.
    `progress(done, total)` is called as bootstrap replicates finish."""
    if method not in ("stepwise", "main"):
        raise ValueError("method is 'stepwise' or 'main'")
    if not (0 <= pthresh <= 1):
        raise ValueError("pthresh is between 0 and 1")
    n = table.observed
    result = Estimate(exists=False, reason="", lists=list(table.lists), observed=n, method=method,
                      pthresh=pthresh, seed=seed)
    for (a, b), shared in table.overlaps().items():
        if shared == 0:
            result.warnings.append(_("%(a)s and %(b)s share nobody.")
                                   % {"a": table.lists[a], "b": table.lists[b]})
    empty = [table.lists[j] for j in range(table.t) if table.counts[table.patterns[:, j] == 1].sum() == 0]
    if empty:
        result.warnings.append(_("These lists hold nobody: %(lists)s.") % {"lists": ", ".join(empty)})
    if method == "main":
        verdict, fit = _fit_model(table.patterns, table.counts, [], table.lists)
        terms: list[Term] = []
    else:
        verdict, terms, fit = _stepwise(table.patterns, table.counts, table.lists, pthresh)
    if fit is None:
        result.reason = verdict.reason
        return result
    result.exists = True
    result.terms = term_names(table.lists, terms)
    chosen = _model_summary(table, method, terms)
    result.unobserved = chosen["unobserved"]
    result.total = chosen["total"]
    result.ci95_wald = chosen["ci95_wald"]
    result.ci95_profile = chosen["ci95_profile"]
    if bootstrap > 0:
        rng = np.random.default_rng(seed)
        probs = table.counts / n
        boots = np.empty(bootstrap)
        for b in range(bootstrap):
            resampled = rng.multinomial(n, probs)
            boots[b] = n + _unobserved(table.patterns, resampled, table.lists, method, pthresh)
            if progress is not None:
                progress(b + 1, bootstrap)
        # Grouped jackknife: one person left out of each non-empty cell.
        cells = np.flatnonzero(table.counts > 0)
        jack = np.empty(len(cells))
        for k, cell in enumerate(cells):
            less = table.counts.copy()
            less[cell] -= 1
            jack[k] = n - 1 + _unobserved(table.patterns, less, table.lists, method, pthresh)
        result.ci95 = _bca(result.total, boots, jack, table.counts[cells].astype(float))
        result.ci_method = "bca_bootstrap"
        result.bootstrap = bootstrap
        result.bootstrap_failed = int(np.sum(~np.isfinite(boots)))
        if not all(math.isfinite(v) for v in result.ci95):
            result.warnings.append(_("In some bootstrap samples the estimate does not exist: the "
                                     "upper end of the interval is unbounded."))
            result.ci95 = [v if math.isfinite(v) else None for v in result.ci95]
    else:
        result.ci95 = result.ci95_wald
        result.ci_method = "wald"
    if compare:
        result.models = [chosen | {"model": method}]
        if method != "main":
            result.models.append(_model_summary(table, "main", []))
        if method != "stepwise":
            _v, st_terms, st_fit = _stepwise(table.patterns, table.counts, table.lists, pthresh)
            if st_fit is not None:
                result.models.append(_model_summary(table, "stepwise", st_terms))
        pairs = list(itertools.combinations(range(table.t), 2))
        result.models.append(_model_summary(table, "all_two_way", pairs))
    return result
