"""Archive extracts (Noark 5 arkivuttrekk) of a network's records."""
