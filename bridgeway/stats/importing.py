"""Parse -> validate every row -> (dry run: report) or insert all rows in one transaction.

Rows are converted to the store's columns as lines of PostgreSQL COPY text: on PostgreSQL they
stream into COPY while the file is read (the transaction is rolled back if any row is wrong);
on SQLite they are inserted in batches. Conversions are cached per distinct raw value (and per
distinct combination of a slice of a flag group), which is what makes a million rows
affordable. Lists are written as the bit masks StatRecord stores (`stats.fields.CodeSetField`):
a slice's cached partial masks are OR-ed.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.orgs.codes import is_country
from bridgeway.stats import codes
from bridgeway.stats.files import FileProblem

NULL = "\\N"
COLUMNS = [
    "organisation_id", "dataset_id", "year_of_registration", "datasource", "gender", "age_band",
    "majority_status", "majority_at_exploit", "majority_entry", "is_child", "citizenship",
    "country_of_exploitation", "country_of_recruitment", "means_of_control", "exploitation",
    "labour_types", "sex_types", "recruiter_relations", "is_abduction", "forced_labour_industry",
    "trafficking_status", "recruitment_methods", "unreported", "services",
]
# Everything after organisation and dataset, in COLUMNS order.
RECORD_FIELDS = COLUMNS[2:]
# A record with nothing known, in RECORD_FIELDS order.
DEFAULTS = [NULL, "", "", "", "", "", "", NULL, "", "", "", "0", "0", "0", "0", "0", NULL,
            "", "", "0", "0", "0"]
# Bit of each code, per list field (the masks StatRecord's CodeSetFields store).
BITS = {name: {code: 1 << i for i, code in enumerate(vocabulary)}
        for name, vocabulary in codes.CODE_SETS.items()}
MAX_PROBLEMS = 1000
_CACHE_LIMIT = 50_000
_SLICE = 9
_GROUPS = ["means_of_control", "exploitation", "labour_types", "sex_types",
           "recruiter_relations"]
_UNREPORTED = RECORD_FIELDS.index("unreported")
_ABDUCTION = RECORD_FIELDS.index("is_abduction")
_MAJORITY = RECORD_FIELDS.index("majority_status")
_AGE_BAND = RECORD_FIELDS.index("age_band")
_IS_CHILD = RECORD_FIELDS.index("is_child")


def _cells(indices: list[int]) -> Callable[[list[str]], tuple]:
    """The cells at `indices` of a row, as a tuple (a cache key)."""
    if len(indices) == 1:
        index = indices[0]
        return lambda cells: (cells[index],)
    return operator.itemgetter(*indices)


@dataclass
class Report:
    rows: int = 0
    problems: list[dict] = field(default_factory=list)
    problem_count: int = 0
    notices: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # header as written -> field read

    def add(self, row: int, column: str, problem: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"row": row, "column": column, "problem": str(problem)})

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def as_dict(self) -> dict:
        return {"rows": self.rows, "problems": self.problems, "problem_count": self.problem_count,
                "notices": self.notices, "columns": self.columns}


class _Bad:
    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _mask(name: str, items) -> str:
    """COPY text of a list field: its bit mask. Callers pass codes of the field's vocabulary."""
    bits = BITS[name]
    out = 0
    for item in items:
        out |= bits[item]
    return str(out)


def _bool(value: bool | None) -> str:
    return NULL if value is None else ("t" if value else "f")


def _country(raw: str):
    value = raw.strip().upper()
    if not value:
        return ""
    return value if is_country(value) else _Bad(_("Unknown country code (use ISO 3166 alpha-2, "
                                                  "e.g. MD)."))


def _year(raw: str):
    value = raw.strip()
    if not value:
        return NULL
    try:
        year = int(float(value)) if "." in value else int(value)
    except ValueError:
        return _Bad(_("Not a year."))
    if not 1990 <= year <= timezone.localdate().year:
        return _Bad(_("The year is outside 1990 to this year."))
    return str(year)


def _lookup(table: dict[str, str], message: str):
    def convert(raw: str):
        value = raw.strip()
        if not value:
            return ""
        found = table.get(value.lower())
        return found if found is not None else _Bad(message)
    return convert


_AGE = {b.replace("-", "--"): b for b in codes.AGE_BANDS} | {b: b for b in codes.AGE_BANDS} | {
    b.replace("-", "–"): b for b in codes.AGE_BANDS}


def _age(raw: str):
    value = raw.strip()
    if not value:
        return ""
    return _AGE.get(value) or _Bad(_("Unknown age band (CTDC bands: %(bands)s).")
                                   % {"bands": ", ".join(codes.AGE_BANDS)})


# --- CTDC ---------------------------------------------------------------------------------

class CtdcConverter:
    """Converts rows of a CTDC-format file. Built from the header; `convert` returns a COPY line
    or reports problems."""

    def __init__(self, header: list[str], report: Report) -> None:
        self.report = report
        self.width = len(header)
        known = {name: spec for name, *spec in codes.CTDC_COLUMNS}
        seen: set[str] = set()
        self.scalars: list[tuple[int, str, str, Callable]] = []
        groups: dict[str, list[tuple[int, str, str]]] = {g: [] for g in codes.FLAG_GROUPS}
        self.abduction: int | None = None
        for index, raw_name in enumerate(header):
            name = raw_name.strip()
            if not name or (index == 0 and name.lower() in ("unnamed: 0", "index", "id")):
                continue  # CTDC's unnamed first column: a row number
            name = codes.CTDC_ALIASES.get(name, name)
            if name not in known:
                report.add(1, raw_name, _("Unknown column for the CTDC format."))
                continue
            if name in seen:
                report.add(1, raw_name, _("This column appears twice."))
                continue
            seen.add(name)
            report.columns[raw_name] = name
            kind, target = known[name]
            if kind == "flag":
                groups[target].append((index, name, codes.flag_code(name)))
            elif kind == "bool":
                self.abduction = index
            elif kind != "derived":
                self.scalars.append((index, name, target, self._scalar_converter(kind)))
        if not seen:
            report.add(1, "", _("No CTDC column found in the first row. Is this a CTDC file, "
                                "separated by semicolons?"))
        # Each flag group is read in slices of at most _SLICE columns: a slice has at most
        # 3**_SLICE raw combinations (far fewer in practice: few flags are 1 and blanks come by
        # whole groups), so its cache nearly always hits (18 columns at once would not). A
        # slice's cached value is its partial mask and the bits of its blank columns in
        # `unreported`; for a group read in one slice, the mask is cached as COPY text.
        self.whole, self.split = [], []
        for target in _GROUPS:
            cols = [(index, name, BITS[target][code], BITS["unreported"][name])
                    for index, name, code in groups[target]]
            if not cols:
                continue
            size = -(-len(cols) // -(-len(cols) // _SLICE))  # even slices of <= _SLICE
            parts = [(_cells([c[0] for c in cols[i:i + size]]), {}, cols[i:i + size])
                     for i in range(0, len(cols), size)]
            position = RECORD_FIELDS.index(target)
            if len(parts) == 1:
                self.whole.append((position, *parts[0]))
            else:
                self.split.append((position, parts))
        self.caches: dict[str, dict] = {name: {} for _i, name, _t, _c in self.scalars}
        self.order = {t: i for i, t in enumerate(RECORD_FIELDS)}
        # Scalars are read in runs of columns whose fields are next to each other in the
        # output (at most 4): one cache look-up per run gives its converted values, written
        # into the output as one slice.
        by_position = sorted((self.order[target], index, name, convert)
                             for index, name, target, convert in self.scalars)
        runs: list[list] = []
        for item in by_position:
            if runs and runs[-1][-1][0] == item[0] - 1 and len(runs[-1]) < 4:
                runs[-1].append(item)
            else:
                runs.append([item])
        self.runs = [(run[0][0], run[-1][0] + 1, _cells([r[1] for r in run]),
                      [(r[2], r[3]) for r in run], {}) for run in runs]
        self.abductions: dict[str, str] = {}
        self.children: dict[tuple[str, str], str] = {}

    @staticmethod
    def _scalar_converter(kind: str) -> Callable:
        return {
            "year": _year, "age": _age, "country": _country,
            "gender": _lookup(codes.CTDC_GENDER, _("Unknown gender (CTDC: Female, Male, "
                                                   "Transgender/NonConforming).")),
            "majority": _lookup(codes.MAJORITY, _("Unknown value (use Adult or Minor).")),
            "datasource": _lookup(codes.DATASOURCES, _("Unknown data source (use Case "
                                                       "Management or Hotline).")),
        }[kind]

    def _run(self, specs, raw: tuple):
        """The converted values of a run of scalar columns, or its problems (a list)."""
        values, problems = [], []
        for (name, convert), cell in zip(specs, raw, strict=True):
            cache = self.caches[name]
            value = cache.get(cell)
            if value is None:
                value = convert(cell)
                if len(cache) < _CACHE_LIMIT:
                    cache[cell] = value
            if value.__class__ is _Bad:
                problems.append((name, value.message))
            else:
                values.append(value)
        return problems or tuple(values)

    def _flags(self, cols, raw, row: int, text: bool):
        """A slice's (mask, or its COPY text if `text`; bits of its blank columns)."""
        mask = blank = 0
        for (_index, name, bit, blank_bit), value in zip(cols, raw, strict=True):
            flag = codes.FLAG_VALUES.get(value.strip().lower(), "bad")
            if flag == "bad":
                self.report.add(row, name, _("Use 1, 0 or leave blank."))
                return None
            if flag is None:
                blank |= blank_bit
            elif flag:
                mask |= bit
        return (str(mask) if text else mask), blank

    def convert(self, cells: list[str], row: int) -> list[str] | None:
        if len(cells) != self.width:
            if not any(c.strip() for c in cells):
                return None  # an empty line
            self.report.add(row, "", _("This row has %(n)s cells, the header %(m)s (a wrong "
                                       "delimiter, or a stray quote?).")
                            % {"n": len(cells), "m": self.width})
            return None
        out = DEFAULTS.copy()
        ok = True
        for start, stop, getter, specs, cache in self.runs:
            raw = getter(cells)
            value = cache.get(raw)
            if value is None:
                value = self._run(specs, raw)
                if len(cache) < _CACHE_LIMIT:
                    cache[raw] = value
            if value.__class__ is list:  # problems: (column, message)
                for name, message in value:
                    self.report.add(row, name, message)
                ok = False
                continue
            out[start:stop] = value
        unreported = 0
        for position, getter, cache, cols in self.whole:
            raw = getter(cells)
            value = cache.get(raw)
            if value is None:
                value = self._flags(cols, raw, row, True)
                if value is None:
                    ok = False
                    continue
                if len(cache) < _CACHE_LIMIT:
                    cache[raw] = value
            out[position] = value[0]
            unreported |= value[1]
        for position, parts in self.split:
            mask = 0
            for getter, cache, cols in parts:
                raw = getter(cells)
                value = cache.get(raw)
                if value is None:
                    value = self._flags(cols, raw, row, False)
                    if value is None:
                        ok = False
                        continue
                    if len(cache) < _CACHE_LIMIT:
                        cache[raw] = value
                mask |= value[0]
                unreported |= value[1]
            if mask:
                out[position] = str(mask)
        if self.abduction is not None:
            raw = cells[self.abduction]
            value = self.abductions.get(raw)
            if value is None:
                flag = codes.FLAG_VALUES.get(raw.strip().lower(), "bad")
                value = "bad" if flag == "bad" else _bool(flag)
                if len(self.abductions) < _CACHE_LIMIT:
                    self.abductions[raw] = value
            if value == "bad":
                self.report.add(row, "isAbduction", _("Use 1, 0 or leave blank."))
                ok = False
            else:
                out[_ABDUCTION] = value
        if not ok:
            return None
        key = (out[_MAJORITY], out[_AGE_BAND])
        child = self.children.get(key)
        if child is None:
            majority, age = key
            child = self.children[key] = (
                "t" if majority == "Minor" or age in ("0-8", "9-17") else
                "f" if majority == "Adult" or age else NULL)
        out[_IS_CHILD] = child
        if unreported:
            out[_UNREPORTED] = str(unreported)
        return out


# --- HTCDS --------------------------------------------------------------------------------

def _value_index(*choices_classes, extra: dict[str, str] | None = None) -> dict[str, str]:
    index: dict[str, str] = {}
    for choices in choices_classes:
        for value in choices.values:
            index[codes.norm(value)] = value
    for label, value in (extra or {}).items():
        index[codes.norm(label)] = value
    return index


def _htcds_tables():
    from bridgeway.cases import codes as cc

    labels = codes.HTCDS_VALUE_LABELS
    control = _value_index(cc.ControlMethod, extra=labels)
    # Field_Definitions.md's CTDC-style names (MethodsOfControlDebtBondage, …) and CTDC's words.
    for word in codes.MEANS_OF_CONTROL:
        control.setdefault(codes.norm(word), "ctdc:" + word)
        control[codes.norm("MethodsOfControl" + word)] = "ctdc:" + word
    return {
        "gender": _value_index(cc.Gender, extra=labels),
        "status": _value_index(cc.CaseStatus),
        "trafficking": _value_index(cc.TraffickingStatus),
        "decision": _value_index(cc.DecisionOrg),
        "recruitment": _value_index(cc.RecruitmentMethod),
        "control": control,
        "exploitation": _value_index(cc.Exploitation),
        "industry": _value_index(cc.ForcedLabourIndustry, extra=labels),
        "sex": {codes.norm(v): v for v in codes.HTCDS_SEX},
        "relation": _value_index(cc.Relationship),
    }


def _split(raw: str, table: dict[str, str]) -> list[str] | None:
    """A multi-select cell: `;`- or `|`-separated, or space-separated names as the XLSForm
    writes them, or a single name or label."""
    value = raw.strip()
    if not value:
        return []
    if codes.norm(value) in table:
        return [table[codes.norm(value)]]
    for sep in (";", "|", ","):
        if sep in value:
            parts = [p for p in value.split(sep) if p.strip()]
            break
    else:
        parts = value.split()
    found = [table.get(codes.norm(p)) for p in parts]
    return None if None in found else list(dict.fromkeys(found))  # type: ignore[arg-type]


def _parse_date(raw: str) -> date | None:
    value = raw.strip()[:10]
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    for fmt in ("%d/%m/%Y", "%d.%m.%Y"):
        try:
            from datetime import datetime

            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError


class HtcdsConverter:
    def __init__(self, header: list[str], report: Report) -> None:
        self.report = report
        self.width = len(header)
        index = codes.htcds_header_index()
        self.fields: dict[str, int] = {}
        self.names: dict[str, str] = {}
        dropped = []
        for i, raw_name in enumerate(header):
            if not raw_name.strip():
                continue  # the Excel template's row-number column
            key = codes.norm(raw_name)
            if key not in index:
                report.add(1, raw_name, _("Unknown column for HTCDS."))
                continue
            canonical = index[key]
            if not canonical:
                dropped.append(raw_name)
                continue
            if canonical in self.fields:
                report.add(1, raw_name, _("This column appears twice."))
                continue
            self.fields[canonical] = i
            self.names[canonical] = raw_name
            report.columns[raw_name] = canonical
        if dropped:
            report.notices.append(
                _("Personal and free-text columns are not kept in the statistics store and were "
                  "not read: %(cols)s.") % {"cols": ", ".join(dropped[:40])})
        if not self.fields and not dropped:
            report.add(1, "", _("No HTCDS column found in the first row."))
        self.tables = _htcds_tables()
        self.today = timezone.localdate()

    def is_label_row(self, cells: list[str]) -> bool:
        """The Excel template's second row repeats the field labels."""
        index = codes.htcds_header_index()
        filled = [c for c in cells if c.strip()]
        return bool(filled) and sum(codes.norm(c) in index for c in filled) * 2 > len(filled)

    def _get(self, cells, name) -> str:
        i = self.fields.get(name)
        return cells[i] if i is not None and i < len(cells) else ""

    def convert(self, cells: list[str], row: int) -> list[str] | None:  # noqa: C901
        if not any(c.strip() for c in cells):
            return None
        t = self.tables
        rec: dict[str, str] = {f: "" for f in RECORD_FIELDS}
        rec.update({"year_of_registration": NULL, "is_child": NULL, "is_abduction": NULL,
                    "means_of_control": "0", "exploitation": "0", "labour_types": "0",
                    "sex_types": "0", "recruiter_relations": "0", "recruitment_methods": "0",
                    "unreported": "0", "services": "0", "datasource": "CaseManagement"})
        ok = True

        def bad(name, message):
            nonlocal ok
            ok = False
            self.report.add(row, self.names.get(name, name), message)

        year = _year(self._get(cells, "yearOfRegistration"))
        if isinstance(year, _Bad):
            bad("yearOfRegistration", year.message)
        else:
            rec["year_of_registration"] = year
        gender = self._get(cells, "prs_Gender").strip()
        if gender:
            code = t["gender"].get(codes.norm(gender))
            if code is None:
                bad("prs_Gender", _("Unknown gender code."))
            else:
                rec["gender"] = codes.HTCDS_GENDER_TO_STORE[code]
        for name, target in (("prs_Citizenship", "citizenship"),
                             ("vic_LocationOfExploitation", "country_of_exploitation"),
                             ("vic_LocationOfRecruitment", "country_of_recruitment")):
            value = _country(self._get(cells, name))
            if isinstance(value, _Bad):
                bad(name, value.message)
            else:
                rec[target] = value
        age = None
        raw_age = self._get(cells, "vic_AgeWhenTrafficked").strip()
        if raw_age:
            try:
                age = int(float(raw_age))
                if not 0 <= age <= 120:
                    raise ValueError
            except ValueError:
                bad("vic_AgeWhenTrafficked", _("Enter an age from 0 to 120."))
        raw_birth = self._get(cells, "prs_Birthdate").strip()
        if raw_birth and age is None:
            # Read only to place the person in an age band; the date itself is not kept.
            try:
                born = _parse_date(raw_birth)
                if born > self.today or born.year < 1900:
                    raise ValueError
                ref_year = int(rec["year_of_registration"]) if rec["year_of_registration"] != NULL \
                    else self.today.year
                age = ref_year - born.year
            except ValueError:
                bad("prs_Birthdate", _("Not a date (use YYYY-MM-DD), or a date in the future."))
        if age is not None:
            rec["age_band"] = codes.age_band(age)
            rec["majority_status"] = "Minor" if age < 18 else "Adult"
            rec["is_child"] = "t" if age < 18 else "f"
        for name, table, target in (("vic_TraffickingStatus", "trafficking", "trafficking_status"),
                                    ("vic_ForcedLabourIndustry", "industry",
                                     "forced_labour_industry")):
            raw = self._get(cells, name).strip()
            if raw:
                code = t[table].get(codes.norm(raw))
                if code is None:
                    bad(name, _("Unknown code."))
                else:
                    rec[target] = code
        for name in ("cas_Status", "vic_TraffickingStatusDecisionMakingOrg"):
            raw = self._get(cells, name).strip()
            table = t["status"] if name == "cas_Status" else t["decision"]
            if raw and codes.norm(raw) not in table:
                bad(name, _("Unknown code."))
        multi = {}
        for name, table in (("vic_MethodOfRecruitment", "recruitment"),
                            ("vic_MethodsOfControl", "control"),
                            ("vic_TypeOfExploitation", "exploitation"),
                            ("vic_TypeOfSexExploitation", "sex"),
                            ("vic_RelationshipToTrafficker", "relation")):
            found = _split(self._get(cells, name), t[table])
            if found is None:
                bad(name, _("Unknown code(s)."))
                found = []
            multi[name] = found
        rec["recruitment_methods"] = _mask("recruitment_methods", multi["vic_MethodOfRecruitment"])
        rec["means_of_control"] = _mask("means_of_control", (
            c[5:] if c.startswith("ctdc:") else codes.HTCDS_CONTROL_TO_CTDC[c]
            for c in multi["vic_MethodsOfControl"]))
        exploitation = [codes.HTCDS_EXPLOITATION_TO_STORE[c] for c in multi["vic_TypeOfExploitation"]]
        rec["exploitation"] = _mask("exploitation", exploitation)
        rec["sex_types"] = _mask("sex_types", multi["vic_TypeOfSexExploitation"])
        rec["recruiter_relations"] = _mask("recruiter_relations", (
            codes.HTCDS_RELATION_TO_STORE[c] for c in multi["vic_RelationshipToTrafficker"]))
        if not ok:
            return None
        return [rec[f] for f in RECORD_FIELDS]


def converted_rows(kind: str, rows: Iterator[list[str]], report: Report,
                   progress: Callable[[int], None] | None = None, *,
                   while_ok: bool = False) -> Iterator[list[str]]:
    """Yields converted rows; problems go to the report. Reading stops at a problem with the
    file itself (encoding, a formula), which is reported too. With `while_ok`, rows are yielded
    only until the first problem, but reading goes on, so that every problem is reported."""
    try:
        header = next(rows, None)
        if header is None:
            report.add(1, "", _("The file is empty."))
            return
        converter = CtdcConverter(header, report) if kind == codes.DatasetKind.CTDC \
            else HtcdsConverter(header, report)
        if not report.ok:
            return
        numbered = enumerate(rows, start=2)
        if kind == codes.DatasetKind.HTCDS:
            first = next(numbered, None)
            if first is not None and not converter.is_label_row(first[1]):
                numbered = itertools.chain([first], numbered)
        convert = converter.convert
        every = 20000 if progress is not None else 0
        for row, cells in numbered:
            out = convert(cells, row)
            if out is not None:
                report.rows += 1
                if not (while_ok and report.problem_count):
                    yield out
            if every and row % every == 0:
                progress(row)
        if report.rows == 0 and report.ok:
            # A header (and perhaps HTCDS's label row) alone: refused, so no empty dataset.
            report.add(2, "", _("The file has a header but no data rows: there is nothing to "
                                "import. Add at least one row under the header."))
    except FileProblem as exc:
        report.add(exc.row, exc.column, exc.problem)
