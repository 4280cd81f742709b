"""Load, fault and scale benchmarks: throwaway servers on 127.0.0.1, run by make targets (see bench/README.md)."""
