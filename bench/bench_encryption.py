"""Cost of application-level encryption.

Prints, in one process and on the same database:
- encrypting and decrypting one field value (AES-256-GCM with the subject's data key), per call;
- unwrapping a data key with the KEK;
- a page of 100 persons with decrypted names, against the same page reading an unencrypted column.
Goal (issue 3): under 5 ms added for the page of 100.

Run: .venv/bin/python bench/bench_encryption.py   (DATABASE_URL=postgres://… for PostgreSQL)
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def timed(fn, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), sorted(samples)[int(len(samples) * 0.95) - 1]


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run():
    from bridgeway.protection import crypto
    from bridgeway.protection.models import DataSubject
    from bridgeway.protection.services import subject_create
    from tests.factories import OrganisationFactory

    key = crypto.new_data_key()
    value = "Олена Коваленко".encode()
    aad = b"bridgeway.field|bench|name|00000000-0000-0000-0000-000000000000"
    sealed = crypto.seal(key, value, aad)
    n = 20000
    enc, _ = timed(lambda: [crypto.seal(key, value, aad) for _ in range(n)], 5)
    dec, _ = timed(lambda: [crypto.open_sealed(key, sealed, aad, what="x") for _ in range(n)], 5)
    wrapped = crypto.wrap_data_key(key, key_id="test-1", subject_id="s")
    unwrap, _ = timed(lambda: [crypto.unwrap_data_key(wrapped, key_id="test-1", subject_id="s")
                               for _ in range(n)], 5)
    print(f"encrypt one field      {enc / n * 1e6:8.2f} µs")
    print(f"decrypt one field      {dec / n * 1e6:8.2f} µs")
    print(f"unwrap one data key    {unwrap / n * 1e6:8.2f} µs")

    org = OrganisationFactory()
    for i in range(100):
        subject_create(org=org, actor=None, display_name=f"Persoana Numărul {i} Коваленко")

    def page_plain():
        return [s.reference for s in DataSubject.objects.filter(organisation=org)[:100]]

    def page_encrypted():
        return [s.display_name for s in DataSubject.objects.filter(organisation=org)[:100]]

    page_plain(), page_encrypted()  # warm up
    plain_p50, plain_p95 = timed(page_plain, 200)
    enc_p50, enc_p95 = timed(page_encrypted, 200)
    print(f"page of 100, plain     p50 {plain_p50 * 1e3:6.2f} ms   p95 {plain_p95 * 1e3:6.2f} ms")
    print(f"page of 100, decrypted p50 {enc_p50 * 1e3:6.2f} ms   p95 {enc_p95 * 1e3:6.2f} ms")
    added = enc_p50 - plain_p50
    print(f"added by decryption    p50 {added * 1e3:6.2f} ms   ratio {enc_p50 / plain_p50:5.2f}x"
          f"   goal < 5 ms: {'met' if added < 0.005 else 'NOT met'}")


if __name__ == "__main__":
    main()
