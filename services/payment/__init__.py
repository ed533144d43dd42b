"""Payment: charges orders through a simulated gateway, refunds them when inventory fails."""
