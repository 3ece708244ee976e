"""Plan against actual: GPS logs of plow vehicles matched to the network and compared with the plan."""
