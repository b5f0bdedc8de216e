"""`make chaos`: a reliability suite that measures what an outside tester would.

It starts its own throwaway PostgreSQL, Redis, SMTP sink, two `docket serve`
processes and one `docket worker`, injects real faults (kill -9, SIGSTOP, a
PostgreSQL restart, a dead mail server, hostile documents) and prints one line per
measurement with its threshold and PASS/FAIL. The contract is chaos/README.md.
"""
