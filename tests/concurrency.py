"""Running work from several threads released at once, each with its own database connection
(closed when its work is done): the concurrency tests on PostgreSQL."""

import threading

from django.db import connection


def released_together(work, count: int) -> list:
    """Run work(i) for i in range(count), each in its own thread, all released at once by a
    barrier; each result is the value returned or the exception raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results
