"""Production settings for the benchmarks (bench_screens.py, bench_load.py): DEBUG off, the
manifest static storage (run `collectstatic` first), the shared cache (Redis when REDIS_URL is
set, else the database cache), persistent database connections, the TLS proxy flag — and only
what a bench needs on top: fixed, published keys (never use them for real data) and the demo
seed allowed. Run with DJANGO_SETTINGS_MODULE=bench.settings_prod and a PostgreSQL DATABASE_URL.
"""

import os

# Published keys: a bench database holds demo data only.
for _name, _value in {
    "BRIDGEWAY_SECRET_KEY": "xh7DIEqsew_W1-gA4SHjwnDbf1cFNXwsKfvFUxW4sr8",
    "BRIDGEWAY_AUDIT_KEY": "OmiIpWZj_ftimWOsqASFkgr_PK_PfSgWb-IhiUi9FfQ",
    "BRIDGEWAY_MFA_KEY": "M_JfbOgisgScTbWaMbBx6Mrksz1YuEp2V2_ebDxVF6g",
    "BRIDGEWAY_KEKS": "bench-1=swnIibD_b3cVvjBWTAKbnCG9aLBizLHMtENZQ50PlRk",
    "BRIDGEWAY_BLIND_INDEX_KEY": "U-RjbhTj1qxvuME-oE_qDUZvEvXGT_YiZKQ1s7QAPcA",
    "BRIDGEWAY_ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "BRIDGEWAY_BEHIND_TLS_PROXY": "1",
    "BRIDGEWAY_VAR_DIR": os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "bench"),
    "BRIDGEWAY_LOG_LEVEL": "WARNING",
}.items():
    os.environ.setdefault(_name, _value)
os.environ["BRIDGEWAY_DEBUG"] = "0"

from bridgeway.settings import *  # noqa: E402,F403

# The bench signs the demo people in; the demo seed refuses to run otherwise.
BRIDGEWAY_DEMO_ALLOWED = True
STATIC_ROOT = VAR_DIR / "static"  # noqa: F405
# The project's URLs and two bench-only floors (bench/urls.py: /bench/empty, /bench/empty-page).
ROOT_URLCONF = "bench.urls"
