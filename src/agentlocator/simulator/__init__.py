"""Protocol-faithful fakes of the services a call talks to, for tests, benchmarks and demo mode."""
