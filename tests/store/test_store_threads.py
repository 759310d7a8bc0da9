"""One store shared by the threads of a server (the dashboard opens it once per app)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys, threading
    from ecocity.store import Store
    store = Store.open(sys.argv[1])
    errors = []
    def read():
        try:
            for _ in range(200):
                store.runs()
        except Exception as err:
            errors.append(repr(err))
    threads = [threading.Thread(target=read) for _ in range(12)]
    for t in threads: t.start()
    for t in threads: t.join()
    store.close()
    print(len(errors), errors[:1])
    sys.exit(1 if errors else 0)
    """
)


def test_twelve_threads_reading_one_sqlite_store_neither_crash_nor_fail(tmp_path):
    # With SQLAlchemy's SingletonThreadPool (its default for a "sqlite://" URL) this crashed the
    # process with a segmentation fault (exit -11): connections were closed under other threads.
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "ecocity.db")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr

