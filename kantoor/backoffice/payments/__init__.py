"""Back-office Payments area: the list of every payment of the shop."""
