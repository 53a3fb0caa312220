"""Running the same call on several threads at once, each with its own database connection."""

import threading

from django.db import connection


def run_at_once(call, *, times: int = 2, timeout: float = 60) -> list:
    """Start `times` threads that call `call()` together (behind a barrier) and return what each
    returned. Each thread closes its own connection when done. A thread that raised, or did not
    finish within `timeout`, fails the caller: a crashed sweep must not hide behind the other's work."""
    start, results, errors = threading.Barrier(times), [], []

    def run():
        try:
            start.wait(10)
            results.append(call())
        except BaseException as exc:  # re-raised below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if errors:
        raise errors[0]
    alive = sum(thread.is_alive() for thread in threads)
    assert not alive, f"{alive} of {times} threads still running after {timeout} s"
    assert len(results) == times
    return results
