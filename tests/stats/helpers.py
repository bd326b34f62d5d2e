import io

from bridgeway.stats import codes

HEADER = ["", *codes.CTDC_NAMES]


def ctdc_row(n, **values) -> list[str]:
    row = {name: "" for name in codes.CTDC_NAMES}
    row.update({"yearOfRegistration": "2019", "Datasource": "Case Management", "gender": "Female",
                "ageBroad": "18--20", "majorityStatus": "Adult", "citizenship": "MD",
                "CountryOfExploitation": "RO", "isForcedLabour": "0", "isSexualExploit": "1",
                "meansOfControlDebtBondage": "1", "meansOfControlThreats": "0"})
    row.update(values)
    return [str(n), *(row[c] for c in codes.CTDC_NAMES)]


def ctdc_csv(rows, header=None, delimiter=";") -> bytes:
    lines = [delimiter.join(header or HEADER)] + [delimiter.join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def upload(client, org, content: bytes, *, kind="ctdc", dry_run=False, name="data.csv"):
    f = io.BytesIO(content)
    f.name = name
    data = {"organisation": org.pk, "kind": kind, "file": f, "label": "t"}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(f"/stats/import/?organisation={org.pk}", data, follow=True)
