"""Running the same call on several threads at once, each with its own database connection."""

import threading

from django.db import connection


def run_at_once(call, *, times: int = 2, timeout: float = 60) -> list:
    """Start `times` threads that call `call()` together (behind a barrier) and return what each
    returned. Each thread closes its own connection when done."""
    start, results = threading.Barrier(times), []

    def run():
        try:
            start.wait(10)
            results.append(call())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results
