"""Who may take a network's archive extract: those who keep its records (leader, secretary, the coordinator)."""

import rules

from fagnett.networks.rules import manages_network

rules.add_perm("archive.export", manages_network)
