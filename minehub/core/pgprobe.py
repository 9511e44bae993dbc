"""Exit 0 when PostgreSQL answers on 127.0.0.1:5432 (used by `make test`)."""

import socket
import sys

try:
    with socket.create_connection(("127.0.0.1", 5432), timeout=1):
        pass
except OSError:
    sys.exit(1)
