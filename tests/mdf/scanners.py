"""Virus scanners for the proof-file tests, named in PARTNERHUB_PROOF_SCANNER as a real one would be."""

# The EICAR test string: every virus scanner reports it as infected, by design.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def eicar_is_infected(file, *, name, content_type, size):
    return "infected" if EICAR in file.read() else "clean"


def answers_later(file, *, name, content_type, size):
    return "pending"


def unreachable(file, *, name, content_type, size):
    raise ConnectionError("the scanning service is down")
