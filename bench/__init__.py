"""The benchmark of issue 9: `make bench` (never part of `make test`)."""
